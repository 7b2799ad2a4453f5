"""Keeping no more than needed: closed cases are purged after a set time, leaving only
counts and sums (programme, year, country of residence, final state, amount paid); and a
person may be erased at once, on request, the same way."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, func, insert, select, update

from belwatch.exc import ConfigError
from belwatch.fund import policy
from belwatch.fund.core import Fund, Staff
from belwatch.fund.schema import (
    aggregate_table,
    applicant_index_table,
    applicant_table,
    case_event_table,
    case_table,
    disbursement_table,
    review_table,
    screening_table,
    upload_table,
)


def purge(fund: Fund, who: Staff, older_than_days: int) -> int:
    """Purge every case closed more than `older_than_days` ago; returns how many."""
    policy.check(who, "staff.manage")
    if older_than_days < 30:
        raise ConfigError("keep closed cases 30 days at least: the follow-up may need them")
    cutoff = fund.clock() - timedelta(days=older_than_days)
    with fund.store.engine.begin() as conn:
        query = select(case_table.c.id).where(
            case_table.c.state == "closed", case_table.c.closed_at < cutoff
        )
        ids = conn.execute(query).scalars().all()
        for case_id in ids:
            _purge(conn, case_id, fund.clock())
        fund.log(conn, who, "purge", "", f"{len(ids)} cases closed before {cutoff:%Y-%m-%d}")
    return len(ids)


def erase(fund: Fund, who: Staff, case_id: str) -> None:
    """Erase a case and its applicant now (a person's request); only counts remain."""
    policy.check(who, "staff.manage")
    with fund.store.engine.begin() as conn:
        if conn.execute(select(case_table.c.id).where(case_table.c.id == case_id)).first() is None:
            raise ConfigError(f"no case {case_id!r}")
        _purge(conn, case_id, fund.clock())
        fund.log(conn, who, "erase", f"case:{case_id}")


def _purge(conn: Connection, case_id: str, now: datetime) -> None:
    case = conn.execute(select(case_table).where(case_table.c.id == case_id)).one()
    country = (
        conn.execute(
            select(applicant_table.c.country).where(applicant_table.c.id == case.applicant)
        ).scalar()
        or ""
    )
    d = disbursement_table
    paid = conn.execute(
        select(func.coalesce(func.sum(d.c.amount), 0)).where(
            d.c.case == case_id, d.c.state == "paid", d.c.currency == case.currency
        )
    ).scalar_one()
    year = (case.closed_at or now).year
    a = aggregate_table
    key = (a.c.programme == case.programme, a.c.year == year, a.c.country == country,
           a.c.state == case.state, a.c.currency == case.currency)  # fmt: skip
    if conn.execute(select(a.c.cases).where(*key)).first() is None:
        conn.execute(insert(a).values(programme=case.programme, year=year, country=country,
                                      state=case.state, currency=case.currency, cases=1,
                                      paid=int(paid)))  # fmt: skip
    else:
        conn.execute(update(a).where(*key).values(cases=a.c.cases + 1, paid=a.c.paid + int(paid)))
    for table in (case_event_table, review_table, screening_table, disbursement_table,
                  upload_table):  # fmt: skip
        conn.execute(delete(table).where(table.c.case == case_id))
    conn.execute(delete(case_table).where(case_table.c.id == case_id))
    others = conn.execute(
        select(func.count()).select_from(case_table).where(case_table.c.applicant == case.applicant)
    ).scalar_one()
    if case.applicant and not others:
        conn.execute(delete(applicant_index_table)
                     .where(applicant_index_table.c.applicant == case.applicant))  # fmt: skip
        conn.execute(delete(applicant_table).where(applicant_table.c.id == case.applicant))
