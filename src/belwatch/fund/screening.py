"""Screening applicants and payees: against the sanctions lists (the matching engine, every
script and spelling) and against the officials the repression register names (judges,
prosecutors, investigators: an applicant who is one may be an infiltrator). The result is
recorded with ids and scores only, never a name."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from followthemoney import model
from sqlalchemy import insert, select

from belwatch.exc import Forbidden
from belwatch.fund import policy
from belwatch.fund.cases import _scope, _visible
from belwatch.fund.core import Fund, Staff
from belwatch.fund.crypto import context
from belwatch.fund.schema import applicant_table, disbursement_table, screening_table
from belwatch.match.algorithms import get_algorithm
from belwatch.match.index import keys_of
from belwatch.match.service import Matcher
from belwatch.register.records import Actor, Record, Repression

POSSIBLE = 0.7
SCREENER = Actor("fund screening", "admin")  # reads every official, shows none of them


@dataclass(frozen=True)
class Result:
    result: str  # clear, possible, match
    sanctions: int
    officials: int
    detail: list[dict[str, Any]]


class Officials:
    """The officials of the repression register, with their name keys, for screening."""

    def __init__(self, repository: Repression) -> None:
        self.records: list[tuple[Record, frozenset[str]]] = []
        for record in repository.records(SCREENER, "Person"):
            if record.id.startswith("rr-official-"):
                self.records.append((record, frozenset(keys_of(record.properties.get("name", [])))))


def screen(
    names: list[str], birth_date: str, schema: str, matcher: Matcher, officials: Officials
) -> Result:
    query = model.make_entity(schema)
    query.id = "fund-query"
    query.add("name", names)
    if birth_date and schema == "Person":
        query.add("birthDate", birth_date)
    algorithm = get_algorithm(None)
    detail: list[dict[str, Any]] = []
    for hit in matcher.match(query, algorithm, limit=5, load=False):
        if hit.result.score >= POSSIBLE:
            detail.append({"list": "sanctions", "id": hit.entity_id,
                           "score": round(hit.result.score, 3), "match": hit.match})  # fmt: skip
    keys = keys_of(names)
    for record, record_keys in officials.records:
        if len(keys & record_keys) < 2 and not (keys and keys <= record_keys):
            continue
        result = algorithm.compare(query, record.entity())
        if result.score >= POSSIBLE:
            detail.append({"list": "officials", "id": record.id, "score": round(result.score, 3),
                           "match": result.score >= algorithm.threshold})  # fmt: skip
    return _summary(detail)


def screen_applicant(
    fund: Fund, who: Staff, case_id: str, matcher: Matcher, officials: Officials
) -> Result:
    """Screen the applicant of one's own case and record the result."""
    with fund.store.engine.begin() as conn:
        row = _visible(fund, conn, who, case_id)
        policy.check(who, "case.screen", _scope(row))
        applicant = conn.execute(select(applicant_table)
                                 .where(applicant_table.c.id == row.applicant)).one()  # fmt: skip
        where = context("fund_applicant", "identity", applicant.id)
        identity = fund.ring.decrypt_json(applicant.identity, where)
        schema = "Person" if applicant.kind == "person" else "Organization"
        found = screen(identity.get("names", []), identity.get("birth_date", "") or "", schema,
                       matcher, officials)  # fmt: skip
        _record(fund, conn, who, case_id, "applicant", found)
    return found


def screen_payee(
    fund: Fund, who: Staff, disbursement_id: str, matcher: Matcher, officials: Officials
) -> Result:
    """Screen a proposed payment's payee (finance, at proposal) and record the result."""
    with fund.store.engine.begin() as conn:
        row = conn.execute(select(disbursement_table)
                           .where(disbursement_table.c.id == disbursement_id)).one()  # fmt: skip
        case = _visible(fund, conn, who, row.case)
        policy.check(who, "disbursement.propose", _scope(case))
        payee = fund.ring.decrypt_json(row.payee, context("fund_disbursement", "payee", row.id))
        # A payee may be a person or a company: screened as both.
        found = _worse(screen([payee.get("name", "")], "", schema, matcher, officials)
                       for schema in ("Person", "Organization"))  # fmt: skip
        _record(fund, conn, who, row.case, f"payee:{disbursement_id}", found)
    return found


def _worse(results: Iterable[Result]) -> Result:
    """One result from several screenings of a name: each hit at its highest score."""
    best: dict[tuple[str, str], dict[str, Any]] = {}
    for found in results:
        for hit in found.detail:
            key = (hit["list"], hit["id"])
            if key not in best or hit["score"] > best[key]["score"]:
                best[key] = hit
    return _summary(sorted(best.values(), key=lambda h: -h["score"]))


def _summary(detail: list[dict[str, Any]]) -> Result:
    sanctions = sum(1 for d in detail if d["list"] == "sanctions")
    result = "match" if any(d["match"] for d in detail) else "possible" if detail else "clear"
    return Result(result, sanctions, len(detail) - sanctions, detail)


def _record(fund: Fund, conn: Any, who: Staff, case_id: str, subject: str, found: Result) -> None:
    conn.execute(insert(screening_table).values(
        case=case_id, subject="applicant" if subject == "applicant" else "payee",
        at=fund.clock(), actor=who.name, result=found.result, sanctions=found.sanctions,
        officials=found.officials, detail=json.dumps({"subject": subject, "hits": found.detail}),
    ))  # fmt: skip
    fund.log(conn, who, "screening", f"case:{case_id}", f"{subject}: {found.result}")


def results(fund: Fund, who: Staff, case_id: str) -> list[dict[str, Any]]:
    """A case's screenings, newest first: results and counts (ids only to its caseworker)."""
    with fund.store.engine.connect() as conn:
        row = _visible(fund, conn, who, case_id)
        rows = conn.execute(select(screening_table).where(screening_table.c.case == case_id)
                            .order_by(screening_table.c.id.desc())).all()  # fmt: skip
    detailed = policy.identity(who, _scope(row))
    return [{"subject": json.loads(r.detail)["subject"], "at": r.at.isoformat(timespec="seconds"),
             "actor": r.actor, "result": r.result, "sanctions": r.sanctions,
             "officials": r.officials,
             **({"hits": json.loads(r.detail)["hits"]} if detailed else {})}
            for r in rows]  # fmt: skip


def payee_cleared(conn: Any, case_id: str, disbursement_id: str) -> None:
    """A payment is approved only once its payee was screened, and not found listed."""
    t = screening_table
    rows = conn.execute(select(t.c.result, t.c.detail)
                        .where(t.c.case == case_id, t.c.subject == "payee")
                        .order_by(t.c.id.desc())).all()  # fmt: skip
    for result, detail in rows:
        if json.loads(detail)["subject"] == f"payee:{disbursement_id}":
            if result == "match":
                raise Forbidden("the payee matches a sanctioned person or an official: "
                                "the payment cannot be approved")  # fmt: skip
            return
    raise Forbidden("screen the payee before the payment is approved")
