"""The fund's audit log: entries chained, UPDATE/DELETE refused by the database, tampering by
someone who drops the triggers found, and concurrent appenders kept in one chain."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise

import pytest
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from belwatch.fund import ledger
from belwatch.fund.schema import ledger_table
from belwatch.store import Store

from conftest import open_fund

START = datetime(2026, 3, 1, 9, 0, 0, 123456)


@pytest.fixture
def fund(store_url: str) -> Iterator[Store]:
    store = open_fund(store_url)
    yield store
    store.close()


def fill(store: Store, count: int = 5) -> None:
    for n in range(count):
        with store.engine.begin() as conn:
            ledger.append(
                conn,
                "anna",
                "caseworker",
                "read",
                f"case:c{n}",
                "fields: identity",
                at=START + timedelta(minutes=n),
            )


def drop_guard(store: Store) -> None:
    """What an attacker with database access does first."""
    with store.engine.begin() as conn:
        if store.dialect == "postgresql":
            conn.exec_driver_sql("DROP TRIGGER fund_ledger_no_change ON fund_ledger")
            conn.exec_driver_sql("DROP TRIGGER fund_ledger_no_truncate ON fund_ledger")
        else:
            conn.exec_driver_sql("DROP TRIGGER fund_ledger_no_update")
            conn.exec_driver_sql("DROP TRIGGER fund_ledger_no_delete")


def rehash(store: Store, seq: int) -> None:
    """Make an entry's hash match its (altered) content, as a careful attacker would."""
    t = ledger_table
    with store.engine.begin() as conn:
        row = conn.execute(select(t).where(t.c.seq == seq)).one()
        new = ledger.digest(
            row.seq, row.at, row.actor, row.role, row.action, row.object, row.detail, row.prev
        )
        conn.execute(update(t).where(t.c.seq == seq).values(hash=new))


def test_entries_chain_and_verify(fund: Store) -> None:
    assert ledger.head(fund) is None
    assert ledger.verify(fund) == []
    fill(fund)
    found = ledger.entries(fund)
    assert [e.seq for e in found] == [1, 2, 3, 4, 5]
    assert found[0].prev == ledger.GENESIS
    assert all(b.prev == a.hash for a, b in pairwise(found))
    assert found[2].at == START + timedelta(minutes=2)
    assert ledger.head(fund) == (5, found[-1].hash)
    assert ledger.verify(fund, anchors=[ledger.head(fund) or (0, "")]) == []


def test_entries_page_and_filter(fund: Store) -> None:
    fill(fund, 4)
    with fund.engine.begin() as conn:
        ledger.append(conn, "boris", "director", "decide", "case:c1", "state: approved")
    assert [e.seq for e in ledger.entries(fund, after=2, limit=2)] == [3, 4]
    assert [e.seq for e in ledger.entries(fund, actor="boris")] == [5]
    assert [e.seq for e in ledger.entries(fund, action="read", after=3)] == [4]


def test_entry_commits_with_the_change_or_not_at_all(fund: Store) -> None:
    fill(fund, 1)
    with pytest.raises(RuntimeError), fund.engine.begin() as conn:
        ledger.append(conn, "anna", "caseworker", "write", "case:c9")
        raise RuntimeError("the change failed")
    assert [e.seq for e in ledger.entries(fund)] == [1]


def test_times_with_a_zone_are_kept_in_utc(fund: Store) -> None:
    minsk = timezone(timedelta(hours=3))
    with fund.engine.begin() as conn:
        ledger.append(conn, "anna", "caseworker", "read", at=datetime(2026, 3, 1, 12, tzinfo=minsk))
    assert ledger.entries(fund)[0].at == datetime(2026, 3, 1, 9)
    assert ledger.verify(fund) == []


def test_overlong_fields_refused(fund: Store) -> None:
    with pytest.raises(ValueError, match="object"), fund.engine.begin() as conn:
        ledger.append(conn, "anna", "caseworker", "read", "x" * 65)


def test_database_refuses_update_and_delete(fund: Store) -> None:
    fill(fund, 3)
    ledger.install(fund)  # again: harmless
    t = ledger_table
    refused = [
        update(t).where(t.c.seq == 2).values(detail="nothing happened"),
        delete(t).where(t.c.seq == 3),
        delete(t),
    ]
    if fund.dialect == "postgresql":
        refused.append(text("TRUNCATE fund_ledger"))
    for statement in refused:
        with pytest.raises(DBAPIError, match="append-only"), fund.engine.begin() as conn:
            conn.execute(statement)
    assert len(ledger.entries(fund)) == 3
    assert ledger.verify(fund) == []


def test_install_puts_dropped_triggers_back(fund: Store) -> None:
    fill(fund, 2)
    drop_guard(fund)
    ledger.install(fund)
    with pytest.raises(DBAPIError, match="append-only"), fund.engine.begin() as conn:
        conn.execute(delete(ledger_table))


def test_altered_entry_found(fund: Store) -> None:
    fill(fund)
    drop_guard(fund)
    with fund.engine.begin() as conn:
        t = ledger_table
        conn.execute(update(t).where(t.c.seq == 3).values(actor="someone else"))
    assert ledger.verify(fund) == ["entry 3: altered (its hash does not match its content)"]


def test_removed_entries_found(fund: Store) -> None:
    fill(fund, 8)
    drop_guard(fund)
    t = ledger_table
    with fund.engine.begin() as conn:
        conn.execute(delete(t).where(t.c.seq == 2))
        conn.execute(delete(t).where(t.c.seq.in_([5, 6])))
    assert ledger.verify(fund) == [
        "entry 2: removed (gap in seq before 3)",
        "entry 5-6: removed (gap in seq before 7)",
    ]


def test_removed_first_entry_found(fund: Store) -> None:
    fill(fund, 3)
    drop_guard(fund)
    with fund.engine.begin() as conn:
        conn.execute(delete(ledger_table).where(ledger_table.c.seq == 1))
    assert ledger.verify(fund) == ["entry 1: removed (gap in seq before 2)"]


def test_rehashed_entry_breaks_the_next_link(fund: Store) -> None:
    fill(fund)
    drop_guard(fund)
    with fund.engine.begin() as conn:
        t = ledger_table
        conn.execute(update(t).where(t.c.seq == 3).values(object="case:other"))
    rehash(fund, 3)
    problems = ledger.verify(fund)
    assert problems == ["entry 4: does not chain to entry 3 (an entry re-chained, or inserted)"]


def test_inserted_entry_found(fund: Store) -> None:
    fill(fund, 4)
    drop_guard(fund)
    t = ledger_table
    # Shift entries 3 and 4 up and slip a forged entry in as 3, with a hash of its own.
    with fund.engine.begin() as conn:
        for seq in (4, 3):
            conn.execute(update(t).where(t.c.seq == seq).values(seq=seq + 1))
        row = conn.execute(select(t).where(t.c.seq == 2)).one()
        forged = dict(
            seq=3,
            at=START,
            actor="anna",
            role="caseworker",
            action="read",
            object="case:c0",
            detail="",
            prev=row.hash,
        )
        conn.execute(insert(t).values(**forged, hash=ledger.digest(**forged)))
    problems = ledger.verify(fund)
    assert "entry 4: does not chain to entry 3 (an entry re-chained, or inserted)" in problems
    assert "entry 4: altered (its hash does not match its content)" in problems


def test_entry_appended_with_a_wrong_link_found(fund: Store) -> None:
    fill(fund, 3)
    t = ledger_table
    forged = dict(
        seq=4,
        at=START,
        actor="anna",
        role="admin",
        action="read",
        object="",
        detail="",
        prev=ledger.GENESIS,
    )
    with fund.engine.begin() as conn:
        conn.execute(insert(t).values(**forged, hash=ledger.digest(**forged)))
    assert ledger.verify(fund) == [
        "entry 4: does not chain to entry 3 (an entry re-chained, or inserted)"
    ]


def test_anchor_catches_a_rewritten_or_shortened_log(fund: Store) -> None:
    fill(fund, 5)
    anchor = ledger.head(fund)
    assert anchor is not None
    drop_guard(fund)
    t = ledger_table
    with fund.engine.begin() as conn:
        conn.execute(update(t).where(t.c.seq == 4).values(detail="fields: country"))
    for seq in (4, 5):
        rehash(fund, seq)
        if seq == 4:
            with fund.engine.begin() as conn:
                new = conn.execute(select(t.c.hash).where(t.c.seq == 4)).scalar_one()
                conn.execute(update(t).where(t.c.seq == 5).values(prev=new))
    assert ledger.verify(fund) == []  # consistent again: only the anchor tells
    assert ledger.verify(fund, anchors=[anchor]) == [
        "entry 5: differs from its anchor kept outside the database (the log was rewritten)"
    ]
    with fund.engine.begin() as conn:
        conn.execute(delete(t).where(t.c.seq == 5))
    assert ledger.verify(fund, anchors=[anchor]) == [
        "entry 5: missing, though anchored outside the database "
        "(the log was cut short or rewritten)"
    ]


def test_concurrent_appenders_keep_one_chain(fund: Store) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def work(actor: str) -> None:
        try:
            barrier.wait()
            for n in range(200):
                with fund.engine.begin() as conn:
                    # A read first, as a caller checking a case before changing it would.
                    conn.execute(select(ledger_table.c.seq).limit(1)).all()
                    ledger.append(conn, actor, "caseworker", "read", f"case:{n}")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(name,)) for name in ("anna", "boris")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    found = ledger.entries(fund, limit=1000)
    assert [e.seq for e in found] == list(range(1, 401))
    assert sorted(e.actor for e in found).count("anna") == 200
    assert ledger.verify(fund) == []


def test_now_is_the_default_time(fund: Store) -> None:
    before = datetime.now(UTC).replace(tzinfo=None)
    with fund.engine.begin() as conn:
        ledger.append(conn, "anna", "caseworker", "read")
    assert ledger.entries(fund)[0].at >= before
