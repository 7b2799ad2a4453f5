"""The fund's audit log (table fund_ledger): append-only and hash-chained.

An entry is written in the transaction of the change it records, so neither lands without
the other. Each entry's hash covers its content and the previous entry's hash; database
triggers refuse UPDATE, DELETE and TRUNCATE, and ``verify`` finds what someone who dropped
the triggers altered, removed or inserted. Keep the latest ``head`` somewhere outside the
database (a printout, another system) and pass it to ``verify`` as an anchor: a chain
rewritten from some entry onwards, or cut short, no longer reaches it.

Entries name records and fields, never their values: ``object`` is a reference such as
``case:<id>``, ``detail`` lists field names and ids. No name, contact, address, document,
account number or note text is ever passed to ``append``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select, text

from belwatch.audit import utcnow
from belwatch.fund.schema import ledger_table
from belwatch.store import Store

GENESIS = "0" * 64
# pg_advisory_xact_lock key ("belwledg"): one appender at a time, across processes.
LOCK_KEY = 0x62656C776C656467
PAGE = 100
MAX_PAGE = 1000
LIMITS = {"actor": 255, "role": 16, "action": 32, "object": 64}

_SQLITE_GUARD = [
    "DROP TRIGGER IF EXISTS fund_ledger_no_update",
    "DROP TRIGGER IF EXISTS fund_ledger_no_delete",
    "CREATE TRIGGER fund_ledger_no_update BEFORE UPDATE ON fund_ledger "
    "BEGIN SELECT RAISE(ABORT, 'fund_ledger is append-only: UPDATE refused'); END",
    "CREATE TRIGGER fund_ledger_no_delete BEFORE DELETE ON fund_ledger "
    "BEGIN SELECT RAISE(ABORT, 'fund_ledger is append-only: DELETE refused'); END",
]
_POSTGRES_GUARD = [
    "CREATE OR REPLACE FUNCTION fund_ledger_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION USING MESSAGE = 'fund_ledger is append-only: ' || TG_OP || "
    "' refused'; END $$",
    "DROP TRIGGER IF EXISTS fund_ledger_no_change ON fund_ledger",
    "DROP TRIGGER IF EXISTS fund_ledger_no_truncate ON fund_ledger",
    "CREATE TRIGGER fund_ledger_no_change BEFORE UPDATE OR DELETE ON fund_ledger "
    "FOR EACH ROW EXECUTE FUNCTION fund_ledger_refuse()",
    "CREATE TRIGGER fund_ledger_no_truncate BEFORE TRUNCATE ON fund_ledger "
    "FOR EACH STATEMENT EXECUTE FUNCTION fund_ledger_refuse()",
]


@dataclass(frozen=True)
class Entry:
    seq: int
    at: datetime
    actor: str
    role: str
    action: str
    object: str
    detail: str
    prev: str
    hash: str


def digest(
    seq: int,
    at: datetime,
    actor: str,
    role: str,
    action: str,
    object: str,
    detail: str,
    prev: str,
) -> str:
    """SHA-256 of the entry as a canonical JSON array: the same bytes on every database."""
    fields = [seq, at.isoformat(timespec="microseconds"), actor, role, action, object, detail, prev]
    canonical = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


_INSERT = insert(ledger_table)


def append(
    conn: Connection,
    actor: str,
    role: str,
    action: str,
    object: str = "",
    detail: str = "",
    at: datetime | None = None,
) -> int:
    """Add an entry inside the caller's transaction; its seq. ``object`` and ``detail`` carry
    ids and field names only, never identity values."""
    for name, value in (("actor", actor), ("role", role), ("action", action), ("object", object)):
        if len(value) > LIMITS[name]:
            raise ValueError(f"ledger {name} longer than {LIMITS[name]} characters")
    when = utcnow() if at is None else at
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    _serialise(conn)
    t = ledger_table
    last = conn.execute(select(t.c.seq, t.c.hash).order_by(t.c.seq.desc()).limit(1)).first()
    seq, prev = (last.seq + 1, last.hash) if last else (1, GENESIS)
    conn.execute(
        _INSERT,  # one compiled statement, the values as parameters
        {
            "seq": seq,
            "at": when,
            "actor": actor,
            "role": role,
            "action": action,
            "object": object,
            "detail": detail,
            "prev": prev,
            "hash": digest(seq, when, actor, role, action, object, detail, prev),
        },
    )
    return int(seq)


def _serialise(conn: Connection) -> None:
    """One appender at a time: each reads the last entry only once the one before has
    committed. PostgreSQL: a transaction-scoped advisory lock. SQLite: its write lock, taken
    before the read (BEGIN IMMEDIATE) unless this transaction has written and so holds it."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        return
    raw = conn.connection.dbapi_connection
    if not getattr(raw, "in_transaction", True):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def install(store: Store) -> None:
    """Put the append-only triggers in place (again): safe on every open, and it restores
    triggers someone dropped or replaced."""
    with store.engine.begin() as conn:
        _serialise(conn)
        guard = _POSTGRES_GUARD if store.dialect == "postgresql" else _SQLITE_GUARD
        for statement in guard:
            conn.exec_driver_sql(statement)


def head(store: Store) -> tuple[int, str] | None:
    """The last entry's seq and hash: to record outside the database as an anchor."""
    t = ledger_table
    with store.engine.connect() as conn:
        row = conn.execute(select(t.c.seq, t.c.hash).order_by(t.c.seq.desc()).limit(1)).first()
    return (int(row.seq), str(row.hash)) if row else None


def verify(store: Store, anchors: Iterable[tuple[int, str]] = ()) -> list[str]:
    """The problems in the chain, each naming the seq it concerns; empty when intact.
    ``anchors`` are (seq, hash) pairs from ``head`` kept outside the database."""
    expected_anchors = dict(anchors)
    problems: list[str] = []
    expected, prev = 1, GENESIS
    t = ledger_table
    with store.engine.connect() as conn:
        rows = conn.execution_options(yield_per=PAGE).execute(select(t).order_by(t.c.seq))
        for row in rows:
            if row.seq < expected:
                problems.append(f"entry {row.seq}: inserted before the first entry")
            elif row.seq > expected:
                missing = f"{expected}" if row.seq == expected + 1 else f"{expected}-{row.seq - 1}"
                problems.append(f"entry {missing}: removed (gap in seq before {row.seq})")
            elif row.prev != prev:
                problems.append(
                    f"entry {row.seq}: does not chain to entry {row.seq - 1} "
                    "(an entry re-chained, or inserted)"
                )
            content = (
                row.seq,
                row.at,
                row.actor,
                row.role,
                row.action,
                row.object,
                row.detail,
                row.prev,
            )
            if digest(*content) != row.hash:
                problems.append(f"entry {row.seq}: altered (its hash does not match its content)")
            anchor = expected_anchors.pop(row.seq, None)
            if anchor is not None and anchor != row.hash:
                problems.append(
                    f"entry {row.seq}: differs from its anchor kept outside the "
                    "database (the log was rewritten)"
                )
            expected, prev = max(expected, row.seq + 1), row.hash
    for seq in sorted(expected_anchors):
        problems.append(
            f"entry {seq}: missing, though anchored outside the database "
            "(the log was cut short or rewritten)"
        )
    return problems


def entries(
    store: Store,
    after: int | None = None,
    limit: int = PAGE,
    actor: str | None = None,
    action: str | None = None,
) -> list[Entry]:
    """Entries in seq order after seq ``after``, for one actor or action if given."""
    t = ledger_table
    query = select(t).order_by(t.c.seq).limit(max(1, min(limit, MAX_PAGE)))
    if after is not None:
        query = query.where(t.c.seq > after)
    if actor:
        query = query.where(t.c.actor == actor)
    if action:
        query = query.where(t.c.action == action)
    with store.engine.connect() as conn:
        return [
            Entry(
                row.seq,
                row.at,
                row.actor,
                row.role,
                row.action,
                row.object,
                row.detail,
                row.prev,
                row.hash,
            )
            for row in conn.execute(query)
        ]
