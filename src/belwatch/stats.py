"""What the register holds, per dataset: entities by schema, sanctions, Belarus targets."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from followthemoney.statement.util import BASE_ID
from sqlalchemy import select

from belwatch.sources.datasets import BELARUS_PROGRAM, DATASETS
from belwatch.store import Store
from belwatch.store.schema import statement_table
from belwatch.store.sql import in_force, row_statement


@dataclass
class DatasetStats:
    dataset: str
    title: str
    jurisdiction: str
    versions: int = 0
    latest_version: str | None = None
    schemata: dict[str, int] = field(default_factory=dict)  # entities on the list now
    sanctions: int = 0
    targets: int = 0
    belarus_targets: int = 0
    delisted: int = 0  # entities seen in an earlier version, gone from the latest

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def register_stats(store: Store, as_of: str | None = None) -> list[DatasetStats]:
    cutoffs = store.cutoffs(as_of)
    found: dict[str, DatasetStats] = {}
    for version in store.versions():
        if as_of is not None and version.version_date > as_of:
            continue
        info = DATASETS.get(version.dataset)
        stats = found.setdefault(
            version.dataset,
            DatasetStats(
                version.dataset,
                info.title if info else version.dataset,
                info.jurisdiction if info else "",
            ),
        )
        stats.versions += 1
        stats.latest_version = max(stats.latest_version or "", version.version_date)

    t = statement_table
    wanted = (t.c.prop == BASE_ID) | (
        (t.c.schema == "Sanction") & t.c.prop.in_(("entity", "program"))
    )
    schemata: dict[str, Counter[str]] = defaultdict(Counter)
    delisted: Counter[str] = Counter()
    sanction_target: dict[str, str] = {}
    sanction_programs: dict[str, list[str]] = defaultdict(list)
    sanction_dataset: dict[str, str] = {}
    with store.engine.connect() as conn:
        rows = conn.execution_options(stream_results=True, yield_per=20_000).execute(
            select(t).where(wanted)
        )
        for row in rows:
            stmt = row_statement(row)
            if as_of is not None and stmt.first_seen is not None and stmt.first_seen > as_of:
                continue
            current = in_force(stmt, cutoffs, as_of)
            if stmt.prop == BASE_ID:
                if current:
                    schemata[stmt.dataset][stmt.schema] += 1
                else:
                    delisted[stmt.dataset] += 1
            elif current and stmt.prop == "entity":
                sanction_target[stmt.entity_id] = stmt.value
                sanction_dataset[stmt.entity_id] = stmt.dataset
            elif current:
                sanction_programs[stmt.entity_id].append(stmt.value)

    targets: dict[str, set[str]] = defaultdict(set)
    belarus: dict[str, set[str]] = defaultdict(set)
    sanctions: Counter[str] = Counter()
    for sanction_id, target in sanction_target.items():
        dataset = sanction_dataset[sanction_id]
        sanctions[dataset] += 1
        targets[dataset].add(target)
        if any(BELARUS_PROGRAM.search(p) for p in sanction_programs.get(sanction_id, ())):
            belarus[dataset].add(target)

    for name, stats in found.items():
        stats.schemata = dict(sorted(schemata[name].items()))
        stats.sanctions = sanctions[name]
        stats.targets = len(targets[name])
        stats.belarus_targets = len(belarus[name])
        stats.delisted = delisted[name]
    return sorted(found.values(), key=lambda s: s.dataset)
