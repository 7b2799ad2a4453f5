"""Files as documenters keep them, in CSV or xlsx headed in English, Russian or Belarusian:
case files (register.cases), closed organisations and "extremist" designations
(register.bodies), told apart by their columns; or FtM entities as JSON lines. Every entity
keeps its row's sources and who imported it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from belwatch.exc import ConfigError, SourceError
from belwatch.match.batch import parse_rows
from belwatch.register.bodies import (
    EXTREMIST_HEADERS,
    ORGANISATION_HEADERS,
    extremist_row,
    organisation_row,
)
from belwatch.register.cases import HEADERS as CASE_HEADERS
from belwatch.register.cases import case_row
from belwatch.register.records import INTERNAL, VISIBILITIES, Change, Source
from belwatch.register.rows import UNSAFE, Row, fold
from belwatch.sources import ftm
from belwatch.sources.base import SourceFile


@dataclass(frozen=True)
class Layout:
    name: str
    headers: dict[str, tuple[str, ...]]
    entities: Callable[[Row], Iterator[Change]]
    marks: tuple[str, ...]  # fields only this layout has


LAYOUTS = (
    Layout("organisations", ORGANISATION_HEADERS, organisation_row, ("liquidated", "ground")),
    Layout("extremist", EXTREMIST_HEADERS, extremist_row, ("designated", "entry")),
    Layout("cases", CASE_HEADERS, case_row, ()),
)
KINDS = tuple(layout.name for layout in LAYOUTS)


@dataclass
class Imported:
    changes: list[Change] = field(default_factory=list)
    rows: int = 0
    problems: list[str] = field(default_factory=list)
    layout: str = ""


def read(
    path: Path,
    author: str,
    visibility: str = INTERNAL,
    lenient: bool = False,
    kind: str | None = None,
) -> Imported:
    """The entities of a file. ``kind`` (cases, organisations, extremist) is found from the
    columns unless given; ``visibility`` is the default of rows that give none; with
    ``lenient`` a bad row is reported and skipped, else it stops the import."""
    if visibility not in VISIBILITIES:
        raise ConfigError(f"visibility is one of {', '.join(VISIBILITIES)}, not {visibility!r}")
    if kind is not None and kind not in KINDS:
        raise ConfigError(f"a file holds one of {', '.join(KINDS)}, not {kind!r}")
    data = path.read_bytes()
    label = str(path)
    if ftm.sniff(data):
        return _ftm(data, label, visibility)
    found = Imported()
    chosen: tuple[Layout, dict[str, str]] | None = None
    today = date.today().isoformat()
    for line, values in parse_rows(data, label):
        if "__error__" in values:
            problem = f"{label} line {line}: {values['__error__']}"
            if not lenient:
                raise SourceError(problem)
            found.problems.append(problem)
            continue
        if chosen is None:
            chosen = _layout(values, label, kind)
            found.layout = chosen[0].name
        layout, columns = chosen
        cells = {name: UNSAFE.sub("", str(values.get(header) or "")).strip()
                 for name, header in columns.items()}  # fmt: skip
        try:
            found.changes.extend(layout.entities(Row(cells, line, label, visibility, today)))
        except SourceError as exc:
            if not lenient:
                raise
            found.problems.append(str(exc))
            continue
        found.rows += 1
    return found


def _columns(headers: dict[str, tuple[str, ...]], row: dict[str, Any]) -> dict[str, str]:
    lookup = {alias: name for name, aliases in headers.items() for alias in aliases}
    columns: dict[str, str] = {}
    for header in row:
        name = lookup.get(fold(str(header)))
        if name is not None and name not in columns:
            columns[name] = header
    return columns


def _layout(row: dict[str, Any], label: str, kind: str | None) -> tuple[Layout, dict[str, str]]:
    """The layout whose columns the file has: the one it is said to be, else the first
    whose own columns are there (cases otherwise)."""
    for layout in LAYOUTS:
        columns = _columns(layout.headers, row)
        wanted = layout.name == kind if kind else set(layout.marks) <= set(columns)
        if wanted:
            if "name" not in columns:
                shown = ", ".join(repr(h) for h in list(row)[:20])
                raise SourceError(f"no name column for a file of {layout.name} (name, ФИО, "
                                  f"Прозвішча, імя, Название...); the columns are: {shown}",
                                  file=label)  # fmt: skip
            return layout, columns
    raise SourceError("no layout fits the columns", file=label)


def _ftm(data: bytes, label: str, visibility: str) -> Imported:
    parsed = ftm.parse(SourceFile(label, data))
    today = date.today().isoformat()
    document = Path(label).name
    changes = [Change(entity, visibility, "unknown", [Source(document=document, date=today)])
               for entity in parsed.entities]  # fmt: skip
    return Imported(changes, len(changes), parsed.warnings, "ftm")
