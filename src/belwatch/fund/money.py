"""Money: each programme's budget, what decisions commit, and disbursements in any currency,
each proposed by one person and approved by another (four eyes). Reports give totals per
programme, country and state, never a person."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, insert, select, update

from belwatch.exc import ConfigError, Forbidden, NotFound
from belwatch.fund import policy
from belwatch.fund.cases import _scope, _visible
from belwatch.fund.core import Fund, Staff, new_id
from belwatch.fund.crypto import context
from belwatch.fund.schema import (
    aggregate_table,
    applicant_table,
    case_table,
    disbursement_table,
    programme_table,
)
from belwatch.fund.screening import payee_cleared

PURPOSES = ("support", "legal", "visa_letter", "travel", "housing", "stipend", "grant", "other")


def propose(
    fund: Fund, who: Staff, case_id: str, amount: int, currency: str, purpose: str,
    payee: dict[str, str],
) -> str:  # fmt: skip
    """Propose a payment for an approved case; the payee (name, account) is encrypted."""
    if amount <= 0:
        raise ConfigError("a disbursement is of a positive amount (in minor units: cents)")
    if len(currency) != 3 or not currency.isalpha():
        raise ConfigError("a currency is a three-letter code (EUR, USD, PLN)")
    if purpose not in PURPOSES:
        raise ConfigError(f"purpose is one of {', '.join(PURPOSES)}")
    if not str(payee.get("name", "")).strip() or not str(payee.get("account", "")).strip():
        raise ConfigError("a payee needs a name and an account")
    found = new_id()
    with fund.store.engine.begin() as conn:
        row = _visible(fund, conn, who, case_id)
        policy.check(who, "disbursement.propose", _scope(row))
        if row.state != "disbursement":
            raise Forbidden("payments are proposed for cases decided for support")
        conn.execute(insert(disbursement_table).values(
            id=found, case=case_id, amount=amount, currency=currency.upper(), purpose=purpose,
            payee=fund.ring.encrypt_json({k: str(v)[:500] for k, v in payee.items()},
                                         context("fund_disbursement", "payee", found)),
            state="proposed", proposed_by=who.name, proposed_at=fund.clock(),
        ))  # fmt: skip
        fund.log(conn, who, "disbursement.propose", f"disbursement:{found}", f"case:{case_id}")
    return found


def _disbursement(conn: Any, disbursement_id: str) -> Any:
    row = conn.execute(select(disbursement_table)
                       .where(disbursement_table.c.id == disbursement_id)).first()  # fmt: skip
    if row is None:
        raise NotFound(f"no disbursement {disbursement_id!r}")
    return row


def decide(fund: Fund, who: Staff, disbursement_id: str, approve: bool) -> None:
    """Approve or reject a proposed payment: never by the one who proposed it."""
    with fund.store.engine.begin() as conn:
        row = _disbursement(conn, disbursement_id)
        case = _visible(fund, conn, who, row.case)
        policy.check(who, "disbursement.decide", _scope(case))
        if row.proposed_by == who.name:
            raise Forbidden("the one who proposed a payment may not approve it: four eyes")
        if row.state != "proposed":
            raise Forbidden(f"the payment is {row.state} already")
        if approve:
            payee_cleared(conn, row.case, disbursement_id)
            _within_budget(conn, case.programme, row.amount, row.currency)
        conn.execute(update(disbursement_table).where(disbursement_table.c.id == disbursement_id)
                     .values(state="approved" if approve else "rejected", decided_by=who.name,
                             decided_at=fund.clock()))  # fmt: skip
        fund.log(conn, who, "disbursement." + ("approve" if approve else "reject"),
                 f"disbursement:{disbursement_id}")  # fmt: skip


def _within_budget(conn: Any, programme: str, amount: int, currency: str) -> None:
    budget = conn.execute(select(programme_table.c.budget, programme_table.c.currency)
                          .where(programme_table.c.id == programme)).one()  # fmt: skip
    if currency != budget.currency:
        return  # budgets are kept in the programme's currency; others are not summed with it
    d, c = disbursement_table, case_table
    committed = conn.execute(
        select(func.coalesce(func.sum(d.c.amount), 0))
        .join(c, c.c.id == d.c.case)
        .where(c.c.programme == programme, d.c.state.in_(["approved", "paid"]),
               d.c.currency == currency)
    ).scalar_one()  # fmt: skip
    if committed + amount > budget.budget:
        raise Forbidden(f"the programme's budget would be exceeded: {committed + amount:,} of "
                        f"{budget.budget:,} {currency} (minor units)")  # fmt: skip


def pay(fund: Fund, who: Staff, disbursement_id: str) -> dict[str, str]:
    """Mark an approved payment paid; returns the payee to pay (the read is ledgered)."""
    with fund.store.engine.begin() as conn:
        row = _disbursement(conn, disbursement_id)
        case = _visible(fund, conn, who, row.case)
        policy.check(who, "disbursement.pay", _scope(case))
        if row.state != "approved":
            raise Forbidden("only an approved payment is paid")
        conn.execute(update(disbursement_table).where(disbursement_table.c.id == disbursement_id)
                     .values(state="paid", paid_at=fund.clock()))  # fmt: skip
        payee = fund.ring.decrypt_json(row.payee, context("fund_disbursement", "payee", row.id))
        fund.log(conn, who, "disbursement.pay", f"disbursement:{disbursement_id}", "payee read")
    return {k: str(v) for k, v in payee.items()}


def of_case(fund: Fund, who: Staff, case_id: str) -> list[dict[str, Any]]:
    """A case's payments, without payees."""
    with fund.store.engine.connect() as conn:
        _visible(fund, conn, who, case_id)
        rows = conn.execute(select(disbursement_table).where(disbursement_table.c.case == case_id)
                            .order_by(disbursement_table.c.proposed_at)).all()  # fmt: skip
    return [{"id": r.id, "amount": r.amount, "currency": r.currency, "purpose": r.purpose,
             "state": r.state, "proposed_by": r.proposed_by, "decided_by": r.decided_by,
             "paid_at": r.paid_at.isoformat(timespec="seconds") if r.paid_at else None}
            for r in rows]  # fmt: skip


def report(fund: Fund, who: Staff) -> list[dict[str, Any]]:
    """Per programme: budget, cases by state, committed and paid by currency, countries
    served: totals only, purged cases included."""
    policy.check(who, "report.read")
    c, d, a, p = case_table, disbursement_table, applicant_table, programme_table
    with fund.store.engine.connect() as conn:
        programmes = conn.execute(select(p).order_by(p.c.id)).all()
        states = conn.execute(select(c.c.programme, c.c.state, func.count())
                              .group_by(c.c.programme, c.c.state)).all()  # fmt: skip
        money = conn.execute(select(c.c.programme, d.c.state, d.c.currency, func.sum(d.c.amount))
                             .join(c, c.c.id == d.c.case)
                             .group_by(c.c.programme, d.c.state, d.c.currency)).all()  # fmt: skip
        countries = conn.execute(select(c.c.programme, a.c.country, func.count())
                                 .join(a, a.c.id == c.c.applicant)
                                 .group_by(c.c.programme, a.c.country)).all()  # fmt: skip
        kept = conn.execute(select(aggregate_table)).all()
    found: dict[str, dict[str, Any]] = {
        row.id: {"programme": row.id, "name": row.name, "kind": row.kind,
                 "budget": row.budget, "currency": row.currency,
                 "cases": defaultdict(int), "money": defaultdict(int),
                 "countries": defaultdict(int)}
        for row in programmes
    }  # fmt: skip
    for programme, state, count in states:
        found[programme]["cases"][state] += count
    for programme, state, currency, total in money:
        found[programme]["money"][f"{state} {currency}"] += int(total or 0)
    for programme, country, count in countries:
        found[programme]["countries"][country or "unknown"] += count
    for row in kept:
        if row.programme in found:
            found[row.programme]["cases"][row.state] += row.cases
            found[row.programme]["countries"][row.country or "unknown"] += row.cases
            found[row.programme]["money"][f"paid {row.currency}"] += row.paid
    return [{**v, "cases": dict(v["cases"]), "money": dict(v["money"]),
             "countries": dict(v["countries"])} for v in found.values()]  # fmt: skip
