"""The fund's database, its keys and clock, and who acts in it. Every change and every read
of an identity field is written to the hash-chained ledger in the same transaction."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, select

from belwatch.exc import ConfigError
from belwatch.fund import ledger
from belwatch.fund.crypto import KeyRing
from belwatch.fund.schema import metadata, staff_table
from belwatch.store import Store

ROLES = ("admin", "caseworker", "reviewer", "finance", "director")
ROLE_HELP = {
    "admin": "manages staff, programmes and rounds; reads the ledger; sees no identities",
    "caseworker": "takes applications in and works the cases assigned to them, identities included",
    "reviewer": "scores applications under review, without identity fields",
    "finance": "proposes and pays disbursements of approved cases",
    "director": "decides cases and approves disbursements proposed by others",
}


@dataclass(frozen=True)
class Staff:
    """Who acts, in which role; also the name every ledger entry carries."""

    name: str
    role: str

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ConfigError(f"unknown fund role {self.role!r}; known: {', '.join(ROLES)}")


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def new_id() -> str:
    """Random ids: a case's id tells nothing about when or in what order it came in."""
    return secrets.token_hex(12)


class Fund:
    """The fund's database (SQLite or PostgreSQL) and the keys its identity fields are
    encrypted with."""

    def __init__(self, url: str, ring: KeyRing, clock: Callable[[], datetime] = utcnow) -> None:
        self.store = Store(url, tables=metadata)
        ledger.install(self.store)
        if self.store.dialect == "sqlite":
            # Statistics for the query planner (sampled, so quick at any size): without
            # them SQLite sorts a whole state's cases to show the first page of them.
            with self.store.engine.begin() as conn:
                conn.exec_driver_sql("PRAGMA analysis_limit=400")
                conn.exec_driver_sql("ANALYZE")
        self.ring = ring
        self.clock = clock

    def close(self) -> None:
        self.store.close()

    def log(
        self, conn: Connection, who: Staff, action: str, object: str = "", detail: str = ""
    ) -> None:
        """A ledger entry in the caller's transaction: ids and field names, never values."""
        ledger.append(conn, who.name, who.role, action, object, detail, at=self.clock())

    def staff(self, name: str) -> Staff | None:
        t = staff_table
        with self.store.engine.connect() as conn:
            row = conn.execute(select(t.c.role).where(t.c.name == name)).first()
        return None if row is None else Staff(name, row.role)
