"""Indicators over time from the register's own records: people held (detained and not yet
released, as recorded), releases, new criminal cases, liquidated organisations and
"extremist" designations, month by month. Every point names the records that make it: the
month's cases, releases, liquidations or designations, and for the people held, the
detentions and releases that changed the count that month."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from belwatch.register.records import Actor, Record, Repression

EXTREMIST = 'Designated "extremist"'


@dataclass
class Point:
    month: str  # YYYY-MM
    value: int
    records: list[str] = field(default_factory=list)


@dataclass
class Series:
    name: str
    label: str
    points: list[Point]


def _first(record: Record, prop: str) -> str:
    return (record.properties.get(prop) or [""])[0]


def _months(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    found = []
    while f"{year:04d}-{month:02d}" <= last:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def _flows(record: Record) -> list[tuple[str, str]]:
    """(series, day) for each indicator a record counts in."""
    if record.schema == "CourtCaseParty" and _first(record, "role") == "defendant":
        return [("detained", _first(record, "startDate")), ("released", _first(record, "endDate"))]
    if record.schema == "CourtCase":
        return [("cases", _first(record, "fileDate"))]
    if record.schema == "Organization":
        return [("liquidated", _first(record, "dissolutionDate"))]
    if record.schema == "Sanction" and EXTREMIST in record.properties.get("program", []):
        return [("extremist", _first(record, "listingDate"))]
    return []


def indicators(repository: Repression, actor: Actor) -> list[Series]:
    """The monthly series over what the actor may see, from the first month on record to
    the last."""
    flows: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for record in repository.records(actor):
        for flow, month in _flows(record):
            if month:
                flows[flow][month[:7]].append(record.id)
    months = sorted({m for flow in flows.values() for m in flow if len(m) == 7})
    if not months:
        return []
    span = _months(months[0], months[-1])
    held, points = 0, []
    for month in span:
        came, went = flows["detained"].get(month, []), flows["released"].get(month, [])
        held += len(came) - len(went)
        points.append(Point(month, held, [*came, *went]))
    series = [Series("held", "People held: detained and not released, as recorded", points)]
    for name, label in (
        ("released", "Releases"),
        ("cases", "New criminal cases"),
        ("liquidated", "Organisations liquidated"),
        ("extremist", 'Designations as "extremist"'),
    ):
        counted = flows[name]
        series.append(Series(name, label, [Point(m, len(counted.get(m, [])), counted.get(m, []))
                                           for m in span]))  # fmt: skip
    return series
