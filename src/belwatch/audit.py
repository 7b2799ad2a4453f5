"""The audit trail of sign-ins, sessions and account changes. It shares the repression
register's audit table, so an admin reads one trail: who signed in, then what they read.
Nothing secret is written: no password, no session token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, select

from belwatch.store import Store
from belwatch.store.schema import repression_audit_table

# Who a failed sign-in names when the name is no account: the text typed is kept nowhere.
UNKNOWN_NAME = "(no such account)"
NO_ROLE = "-"
ACTIONS = (
    "sign-in",
    "sign-in-failed",
    "locked",
    "session-ended",
    "account-added",
    "account-changed",
    "read",
    "list",
    "export",
    "write",
)
PAGE = 50


def utcnow() -> datetime:
    """Now, as the register's DateTime columns keep it: UTC without a zone."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Entry:
    id: int
    at: datetime
    actor: str
    role: str
    action: str
    entity_id: str | None
    detail: str


def record(
    store: Store,
    actor: str,
    role: str,
    action: str,
    detail: str = "",
    now: datetime | None = None,
) -> None:
    with store.engine.begin() as conn:
        conn.execute(insert(repression_audit_table).values(
            at=now or utcnow(), actor=actor[:255], role=role[:16], action=action,
            entity_id=None, detail=detail,
        ))  # fmt: skip


def trail(
    store: Store,
    actor: str = "",
    action: str = "",
    before: int | None = None,
    limit: int = PAGE,
) -> list[Entry]:
    """The newest entries first, older than `before` (an entry's id), for one actor or
    action if given."""
    t = repression_audit_table
    query = select(t).order_by(t.c.id.desc()).limit(limit)
    if actor:
        query = query.where(t.c.actor == actor)
    if action:
        query = query.where(t.c.action == action)
    if before is not None:
        query = query.where(t.c.id < before)
    with store.engine.connect() as conn:
        return [Entry(row.id, row.at, row.actor, row.role, row.action, row.entity_id, row.detail)
                for row in conn.execute(query)]  # fmt: skip
