"""Screening a file of names: rows in (CSV, JSON lines, xlsx), hits out (CSV, JSON lines,
xlsx), each hit with its score, explanation and where the target is listed. A row that
cannot be screened is reported with its line number; the rest are screened."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from belwatch.exc import ConfigError
from belwatch.match.algorithms import Algorithm
from belwatch.match.service import Matcher, make_query
from belwatch.sources.base import decode, xlsx_sheets

OUTPUT_COLUMNS = ["row", "input_id", "input_name", "score", "match", "entity_id", "caption",
                  "schema", "datasets", "listed_under", "explanation"]  # fmt: skip


@dataclass
class Columns:
    """Which input columns hold what."""

    name: str = "name"
    id: str | None = None
    birth_date: str | None = None
    country: str | None = None
    schema: str | None = None  # a column naming the FtM schema per row
    default_schema: str = "LegalEntity"


@dataclass
class Summary:
    rows: int = 0
    screened: int = 0
    matched_rows: int = 0
    hits: int = 0
    problems: list[str] = field(default_factory=list)


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line or row number, row) from a CSV, JSON lines or xlsx file."""
    return parse_rows(path.read_bytes(), str(path))


def parse_rows(data: bytes, label: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line or row number, row) from the bytes of a CSV, JSON lines or xlsx file; ``label``
    names the file in errors."""
    if data[:4] == b"PK\x03\x04":
        rows = next(iter(xlsx_sheets(data, label).values()), [])
        header = [str(cell or "").strip() for cell in (rows[0] if rows else ())]
        for number, row in enumerate(rows[1:], start=2):
            yield number, {h: v for h, v in zip(header, row, strict=False) if h}
        return
    text = decode(data, label)
    if text.lstrip().startswith("{"):
        for number, line in enumerate(text.split("\n"), start=1):
            if line.strip():
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield number, {"__error__": f"not JSON: {exc.msg}"}
                    continue
                yield number, row if isinstance(row, dict) else {"__error__": "not a JSON object"}
        return
    reader = csv.DictReader(io.StringIO(text, newline=""))
    for record in reader:
        yield reader.line_num, dict(record)


def screen_rows(
    matcher: Matcher,
    algorithm: Algorithm,
    rows: Iterator[tuple[int, dict[str, Any]]],
    columns: Columns,
    limit: int = 3,
    threshold: float | None = None,
    only_matches: bool = True,
    progress: Callable[[], None] | None = None,
) -> tuple[list[dict[str, Any]], Summary]:
    summary = Summary()
    out: list[dict[str, Any]] = []
    for number, row in rows:
        summary.rows += 1
        if progress is not None:
            progress()
        try:
            query = _query(row, columns)
        except ConfigError as exc:
            summary.problems.append(f"line {number}: {exc}")
            continue
        summary.screened += 1
        hits = matcher.match(query, algorithm, limit=limit, threshold=threshold)
        kept = [h for h in hits if h.match or not only_matches]
        summary.matched_rows += any(h.match for h in hits)
        summary.hits += sum(h.match for h in hits)
        for hit in kept:
            listings = matcher.listings.get(str(hit.entity.id), ())
            listed = sorted({program for item in listings for program in item.programs})
            out.append({
                "row": number,
                "input_id": row.get(columns.id) if columns.id else "",
                "input_name": row.get(columns.name),
                "score": hit.result.score,
                "match": hit.match,
                "entity_id": hit.entity.id,
                "caption": hit.entity.caption,
                "schema": hit.entity.schema.name,
                "datasets": "; ".join(sorted(hit.entity.datasets)),
                "listed_under": "; ".join(listed),
                "explanation": " | ".join(hit.result.explanations),
            })  # fmt: skip
    return out, summary


def _query(row: dict[str, Any], columns: Columns) -> Any:
    if "__error__" in row:
        raise ConfigError(row["__error__"])
    name = str(row.get(columns.name) or "").strip()
    if not name:
        raise ConfigError(f"no name in column {columns.name!r}")
    schema = str(row.get(columns.schema) or "").strip() if columns.schema else ""
    properties: dict[str, list[str]] = {"name": [name]}
    for column, prop in ((columns.birth_date, "birthDate"), (columns.country, "country")):
        value = str(row.get(column) or "").strip() if column else ""
        if value:
            properties[prop] = [value]
    chosen = schema or columns.default_schema
    if chosen != "Person":
        properties.pop("birthDate", None)
    return make_query({"schema": chosen, "properties": properties})


def write_rows(rows: list[dict[str, Any]], path: Path | None, out: Any) -> None:
    """CSV, JSON lines or xlsx by the output file's extension; CSV to a stream."""
    suffix = path.suffix.lower() if path is not None else ".csv"
    if suffix == ".xlsx":
        if path is None:
            raise ConfigError("xlsx output needs a file name")
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("hits")
        sheet.append(OUTPUT_COLUMNS)
        for row in rows:
            sheet.append([row[c] for c in OUTPUT_COLUMNS])
        book.save(path)
        return
    if suffix in (".jsonl", ".json", ".ndjson"):
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    writer = csv.DictWriter(out, fieldnames=OUTPUT_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)


__all__ = ["Columns", "Summary", "parse_rows", "read_rows", "screen_rows", "write_rows"]
