"""Figures published by others: counts of political prisoners, convictions, closed
organisations and "extremist" designations as human-rights centres and official bodies
publish them. Each figure carries its source and the very sentence that gives the number,
and a figure whose number that sentence does not contain is refused. The register ships
with such figures (figures.csv), each checked against its public source."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, insert, select

from belwatch.exc import ConfigError, SourceError
from belwatch.register.records import WRITERS, Actor, Repression
from belwatch.store import Store
from belwatch.store.schema import repression_figure_table

SEED = Path(__file__).with_name("figures.csv")
INDICATORS = {
    "held": "Political prisoners held",
    "recognised": "Recognised as political prisoners since 2020",
    "released": "Political prisoners released since 2020",
    "prosecuted": "People prosecuted on political grounds since 2020",
    "convicted": "People convicted on political grounds since 2020",
    "liquidated": "Organisations closed since 2020",
    "extremist_formations": "“Extremist formations” listed",
    "extremist_materials": "“Extremist materials” listed",
}
COLUMNS = ("indicator", "date", "value", "qualifier", "publisher", "title", "url", "quote")
DATE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$")
MAX_FIELD = 4_000


@dataclass(frozen=True)
class Figure:
    indicator: str
    date: str
    value: int
    qualifier: str
    publisher: str
    title: str
    url: str
    quote: str

    @property
    def label(self) -> str:
        return INDICATORS[self.indicator]


def _numbers(text: str) -> set[int]:
    """The numbers a sentence gives, written 1,446, 1 173, 1.696 or 6565."""
    found = set()
    for match in re.finditer(r"\d{1,3}(?:[ ,.\u00a0\u202f]\d{3})+(?!\d)|\d+", text):
        found.add(int(re.sub(r"\D", "", match.group())))
    return found


def read(path: Path) -> list[Figure]:
    """Figures from a CSV file with the columns of figures.csv; every problem names its
    line and column, and one bad line refuses the file."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise SourceError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise SourceError(f"{path}: not UTF-8 text") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise SourceError(f"{path}: line 1: missing columns {', '.join(missing)}")
    found = []
    for row in reader:
        where = f"{path}: line {reader.line_num}"
        values = {c: (row.get(c) or "").strip() for c in COLUMNS}
        for column, value in values.items():
            if len(value) > MAX_FIELD:
                raise SourceError(f"{where}: {column} is longer than {MAX_FIELD:,} characters")
            if not value:
                raise SourceError(f"{where}: {column} is empty")
        if values["indicator"] not in INDICATORS:
            raise SourceError(f"{where}: indicator {values['indicator']!r} is not one of "
                              f"{', '.join(INDICATORS)}")  # fmt: skip
        if not DATE.match(values["date"]):
            raise SourceError(f"{where}: date {values['date']!r} is not YYYY-MM-DD or YYYY-MM")
        if not values["value"].isdigit():
            raise SourceError(f"{where}: value {values['value']!r} is not a whole number")
        if not values["url"].startswith(("https://", "http://")):
            raise SourceError(f"{where}: url {values['url']!r} is not a web address")
        value = int(values["value"])
        if value not in _numbers(values["quote"]):
            raise SourceError(f"{where}: the quote does not give the value {value:,}: cite "
                              "the sentence of the source that does")  # fmt: skip
        found.append(Figure(**{**values, "value": value}))  # type: ignore[arg-type]
    return found


def save(repository: Repression, actor: Actor, figures: list[Figure]) -> int:
    """Add or replace figures (one per indicator, date and publisher), in one transaction."""
    if actor.role not in WRITERS:
        raise ConfigError(f"a {actor.role} may not write to the register")
    t = repression_figure_table
    now = datetime.now(UTC).replace(tzinfo=None)
    with repository.store.engine.begin() as conn:
        for figure in figures:
            conn.execute(delete(t).where(t.c.indicator == figure.indicator,
                                         t.c.date == figure.date,
                                         t.c.publisher == figure.publisher))  # fmt: skip
            conn.execute(insert(t).values(**figure.__dict__, entered_by=actor.name,
                                          entered_at=now))  # fmt: skip
    repository.audit(actor, "write", None, f"{len(figures)} published figures")
    return len(figures)


def figures(store: Store) -> list[Figure]:
    """Every published figure, by indicator, publisher and date."""
    t = repression_figure_table
    query = select(*(t.c[c] for c in COLUMNS)).order_by(t.c.indicator, t.c.publisher, t.c.date)
    with store.engine.connect() as conn:
        return [Figure(*row) for row in conn.execute(query)]


def series(found: list[Figure]) -> dict[tuple[str, str], list[Figure]]:
    """Figures by indicator and publisher: one publisher's counts make one line, as
    publishers count differently."""
    grouped: dict[tuple[str, str], list[Figure]] = defaultdict(list)
    for figure in found:
        grouped[figure.indicator, figure.publisher].append(figure)
    return dict(grouped)
