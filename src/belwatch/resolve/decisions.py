"""Judgements on pairs of entries: the resolver's, replaced on every run, and people's, kept
for good. The newest judgement of a person wins over any automatic one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, func, insert, select

from belwatch.exc import ConfigError
from belwatch.store import Store
from belwatch.store.schema import decision_table, lead_table

SAME, NOT_SAME, UNSURE = "same", "not_same", "unsure"
JUDGEMENTS = (SAME, NOT_SAME, UNSURE)
AUTO, USER = "auto", "user"
RELEVANT, NOT_RELEVANT = "relevant", "not_relevant"


@dataclass(frozen=True)
class Decision:
    left_id: str
    right_id: str
    judgement: str
    score: float | None
    source: str
    author: str
    reason: str = ""
    created_at: datetime | None = None

    @property
    def pair(self) -> tuple[str, str]:
        return self.left_id, self.right_id


def pair(a: str, b: str) -> tuple[str, str]:
    """A pair in the order it is stored."""
    return (a, b) if a <= b else (b, a)


def replace_automatic(store: Store, decisions: Iterable[Decision]) -> int:
    """Put this run's automatic judgements in place of the last run's, in one transaction."""
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = [
        {"left_id": d.left_id, "right_id": d.right_id, "judgement": d.judgement,
         "score": d.score, "source": AUTO, "author": d.author, "reason": d.reason,
         "created_at": now}
        for d in decisions
    ]  # fmt: skip
    with store.engine.begin() as conn:
        conn.execute(delete(decision_table).where(decision_table.c.source == AUTO))
        for start in range(0, len(rows), 5_000):
            conn.execute(insert(decision_table), rows[start : start + 5_000])
    return len(rows)


def record(store: Store, a: str, b: str, judgement: str, author: str, reason: str = "") -> Decision:
    """A person's judgement on two entries; earlier ones stay in the history."""
    if judgement not in JUDGEMENTS:
        raise ConfigError(f"a judgement is one of {', '.join(JUDGEMENTS)}, not {judgement!r}")
    if a == b:
        raise ConfigError("an entry is trivially the same as itself")
    if not author.strip():
        raise ConfigError("say who decides (--by)")
    left, right = pair(a, b)
    now = datetime.now(UTC).replace(tzinfo=None)
    decision = Decision(left, right, judgement, None, USER, author.strip(), reason, now)
    with store.engine.begin() as conn:
        conn.execute(
            insert(decision_table).values(
                left_id=left, right_id=right, judgement=judgement, score=None, source=USER,
                author=decision.author, reason=reason, created_at=now,
            )
        )  # fmt: skip
    return decision


def effective(store: Store) -> dict[tuple[str, str], Decision]:
    """Per pair, the judgement in force: a person's newest, else the resolver's."""
    t = decision_table
    found: dict[tuple[str, str], Decision] = {}
    query = select(t).order_by(t.c.created_at, t.c.id)
    with store.engine.connect() as conn:
        for row in conn.execute(query):
            decision = Decision(row.left_id, row.right_id, row.judgement, row.score,
                                row.source, row.author, row.reason, row.created_at)  # fmt: skip
            current = found.get(decision.pair)
            if current is None or decision.source == USER or current.source == AUTO:
                found[decision.pair] = decision
    return found


def history(store: Store, a: str, b: str) -> list[Decision]:
    """Every judgement ever made on a pair, oldest first."""
    left, right = pair(a, b)
    t = decision_table
    query = (
        select(t)
        .where((t.c.left_id == left) & (t.c.right_id == right))
        .order_by(t.c.created_at, t.c.id)
    )
    with store.engine.connect() as conn:
        return [
            Decision(row.left_id, row.right_id, row.judgement, row.score, row.source,
                     row.author, row.reason, row.created_at)
            for row in conn.execute(query)
        ]  # fmt: skip


def record_lead(store: Store, target_id: str, name: str, judgement: str, author: str,
                reason: str = "") -> None:  # fmt: skip
    """A person's judgement on a lead of the gap report: is the name a target relates to
    worth listing (relevant), or a newspaper, an award, a product (not relevant)?"""
    if judgement not in (RELEVANT, NOT_RELEVANT):
        raise ConfigError(f"a lead is {RELEVANT} or {NOT_RELEVANT}, not {judgement!r}")
    if not author.strip():
        raise ConfigError("say who decides (--by)")
    if not name.strip():
        raise ConfigError("name the lead")
    now = datetime.now(UTC).replace(tzinfo=None)
    with store.engine.begin() as conn:
        conn.execute(
            insert(lead_table).values(
                target_id=target_id, name=name.strip(), judgement=judgement,
                author=author.strip(), reason=reason, created_at=now,
            )
        )  # fmt: skip


def lead_judgements(store: Store) -> dict[tuple[str, str], str]:
    """Per (target entry, name), the newest judgement on that lead."""
    t = lead_table
    query = select(t.c.target_id, t.c.name, t.c.judgement).order_by(t.c.created_at, t.c.id)
    with store.engine.connect() as conn:
        return {(row.target_id, row.name): row.judgement for row in conn.execute(query)}


def lead_stamp(store: Store) -> tuple[int, int | None]:
    """Changes whenever a lead is judged: for caches of a report."""
    with store.engine.connect() as conn:
        count, newest = conn.execute(select(func.count(), func.max(lead_table.c.id))).one()
    return int(count), newest
