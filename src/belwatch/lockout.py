"""Limits on guessing passwords: 5 refused sign-ins for one name within 15 minutes lock that
name for 15 minutes, and 20 from one client address lock the address. A locked name is
refused even with the right password, and the refusal reads exactly as a wrong password
does, so a lock tells nobody that the name exists."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, insert, select

from belwatch.store import Store
from belwatch.store.schema import sign_in_failure_table

WINDOW = timedelta(minutes=15)
LOCK = timedelta(minutes=15)
NAME_LIMIT = 5
ADDRESS_LIMIT = 20


def unknown_name(name: str) -> str:
    """How a name that is no account is kept: it is often a password typed in the wrong box."""
    return "?" + hashlib.sha256(name.encode()).hexdigest()


@dataclass(frozen=True)
class Lock:
    what: str  # "name" or "address"
    until: datetime


def lock(store: Store, name: str, address: str, now: datetime) -> Lock | None:
    """The lock on the name or the client's address, if either is locked."""
    t = sign_in_failure_table
    found = []
    until = _until(_times(store, t.c.name == name, now), NAME_LIMIT, now)
    if until is not None:
        found.append(Lock("name", until))
    if address:
        until = _until(_times(store, t.c.address == address, now), ADDRESS_LIMIT, now)
        if until is not None:
            found.append(Lock("address", until))
    return max(found, key=lambda lock: lock.until, default=None)


def fail(store: Store, name: str, address: str, now: datetime) -> None:
    """Count a refused sign-in; forget those too old to count towards any lock."""
    t = sign_in_failure_table
    with store.engine.begin() as conn:
        conn.execute(delete(t).where(t.c.at < now - WINDOW - LOCK))
        conn.execute(insert(t).values(name=name, at=now, address=address))


def clear(store: Store, name: str) -> None:
    """A name signed in with its password: its earlier failures no longer count."""
    with store.engine.begin() as conn:
        conn.execute(delete(sign_in_failure_table).where(sign_in_failure_table.c.name == name))


def _times(store: Store, which: ColumnElement[bool], now: datetime) -> list[datetime]:
    t = sign_in_failure_table
    query = select(t.c.at).where(which, t.c.at > now - WINDOW - LOCK).order_by(t.c.at)
    with store.engine.connect() as conn:
        return list(conn.execute(query).scalars())


def _until(times: list[datetime], limit: int, now: datetime) -> datetime | None:
    """The end of the latest lock: `limit` failures within WINDOW lock for LOCK after the
    last of them. Attempts refused by a lock are not counted, so a lock never outlasts
    LOCK from the failure that set it."""
    ends = [times[i] + LOCK for i in range(limit - 1, len(times))
            if times[i] - times[i - limit + 1] <= WINDOW]  # fmt: skip
    latest = max(ends, default=None)
    return latest if latest is not None and latest > now else None
