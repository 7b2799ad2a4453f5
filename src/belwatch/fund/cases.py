"""Programmes, rounds, applications and cases, and the workflow they go through: intake,
eligibility, needs assessment, review, decision, disbursement, follow-up, closed (or
declined). Identity fields live encrypted; what each role gets back is cut to what it may
see, and every read of an identity is written to the ledger."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, Row, and_, false, func, insert, or_, select, true, update

from belwatch.exc import ConfigError, Forbidden, NotFound
from belwatch.fund import policy
from belwatch.fund.core import Fund, Staff, new_id
from belwatch.fund.crypto import KeyRing, context
from belwatch.fund.schema import (
    applicant_index_table,
    applicant_table,
    case_event_table,
    case_table,
    programme_table,
    review_table,
    round_table,
    staff_table,
)
from belwatch.match.index import keys_of

KINDS = ("victims", "legal", "relocation", "civil", "academic", "unions")
# Days a case may stay in a state before it is overdue.
SLA = {"intake": 3, "eligibility": 7, "assessment": 14, "review": 10, "decision": 7,
       "disbursement": 14, "followup": 90}  # fmt: skip
IDENTITY_KEYS = ("names", "birth_date", "contacts", "address", "documents")
MAX_TEXT = 5_000


@dataclass(frozen=True)
class Question:
    id: str
    label: str
    identity: bool = True  # answers that may identify someone are encrypted (the default)
    required: bool = False


def number(value: int) -> str:
    return f"F-{value:06d}"


# --- programmes and rounds ----------------------------------------------------------------


def add_programme(
    fund: Fund, who: Staff, id: str, name: str, kind: str, currency: str, budget: int
) -> None:
    policy.check(who, "programme.manage")
    if kind not in KINDS:
        raise ConfigError(f"programme kind is one of {', '.join(KINDS)}, not {kind!r}")
    if len(currency) != 3 or not currency.isalpha() or budget < 0:
        raise ConfigError("a programme needs a three-letter currency and a budget of 0 or more")
    with fund.store.engine.begin() as conn:
        conn.execute(insert(programme_table).values(
            id=id, name=name, kind=kind, currency=currency.upper(), budget=budget,
            created_at=fund.clock(),
        ))  # fmt: skip
        fund.log(conn, who, "programme.add", f"programme:{id}")


def add_round(
    fund: Fund, who: Staff, id: str, programme: str, name: str, opens: date, closes: date,
    questions: list[Question],
) -> None:  # fmt: skip
    """A call for applications with its own form: each question says whether its answer
    identifies someone (then it is encrypted)."""
    policy.check(who, "programme.manage")
    if closes < opens:
        raise ConfigError("a round closes after it opens")
    if len({q.id for q in questions}) != len(questions):
        raise ConfigError("two questions of the form have one id")
    form = json.dumps([q.__dict__ for q in questions], ensure_ascii=False)
    with fund.store.engine.begin() as conn:
        conn.execute(insert(round_table).values(id=id, programme=programme, name=name,
                                                opens=opens, closes=closes, form=form))  # fmt: skip
        fund.log(conn, who, "round.add", f"round:{id}")


def _form(conn: Connection, round_id: str | None) -> list[Question]:
    if round_id is None:
        return []
    row = conn.execute(select(round_table.c.form).where(round_table.c.id == round_id)).first()
    if row is None:
        raise NotFound(f"no round {round_id!r}")
    return [Question(**q) for q in json.loads(row.form)]


# --- intake -------------------------------------------------------------------------------


def _text(value: object, what: str) -> str:
    text = str(value or "").strip()
    if len(text) > MAX_TEXT:
        raise ConfigError(f"{what} is longer than {MAX_TEXT:,} characters")
    return text


def intake(
    fund: Fund,
    who: Staff,
    programme: str,
    identity: dict[str, Any],
    *,
    kind: str = "person",
    country: str = "",
    answers: dict[str, str] | None = None,
    requested: int = 0,
    round_id: str | None = None,
) -> str:
    """Take an application in: the applicant (identity encrypted, name keys blind-indexed)
    and a case assigned to the caseworker who took it. Returns the case id."""
    policy.check(who, "case.create")
    names = [_text(n, "a name") for n in identity.get("names", []) if str(n).strip()]
    if not names:
        raise ConfigError("an application needs the applicant's name")
    if kind not in ("person", "group"):
        raise ConfigError("an applicant is a person or a group")
    unknown = set(identity) - set(IDENTITY_KEYS)
    if unknown:
        raise ConfigError(f"unknown identity fields: {', '.join(sorted(unknown))}")
    if requested < 0:
        raise ConfigError("the amount requested is 0 or more")
    answers = {k: _text(v, f"answer {k}") for k, v in (answers or {}).items()}
    now = fund.clock()
    applicant, case = new_id(), new_id()
    with fund.store.engine.begin() as conn:
        found = conn.execute(select(programme_table.c.currency)
                             .where(programme_table.c.id == programme)).first()  # fmt: skip
        if found is None:
            raise NotFound(f"no programme {programme!r}")
        form = _form(conn, round_id)
        asked = {q.id: q for q in form}
        if form:
            strange = set(answers) - set(asked)
            if strange:
                raise ConfigError(f"the form has no question {sorted(strange)[0]!r}")
            missing = [q.id for q in form if q.required and not answers.get(q.id)]
            if missing:
                raise ConfigError(f"answer the question {missing[0]!r}")
        # Secret unless the round's form says a question identifies nobody.
        public = {k: v for k, v in answers.items() if k in asked and not asked[k].identity}
        private = {k: v for k, v in answers.items() if k not in public}
        stored = {**{k: identity.get(k) for k in IDENTITY_KEYS if identity.get(k)}, "names": names}
        conn.execute(insert(applicant_table).values(
            id=applicant, kind=kind, country=country.upper()[:2], created_at=now,
            identity=fund.ring.encrypt_json(stored, context("fund_applicant", "identity",
                                                            applicant)),
        ))  # fmt: skip
        tokens = [{"applicant": applicant, "token": t} for t in sorted(_tokens(fund, names))]
        if tokens:
            conn.execute(insert(applicant_index_table), tokens)
        last = conn.execute(select(func.max(case_table.c.number))).scalar()
        conn.execute(insert(case_table).values(
            id=case, number=(last or 0) + 1, programme=programme, round=round_id,
            applicant=applicant, state="intake", step="", assignee=who.name,
            deadline=_deadline(now.date(), "intake"), requested=requested,
            currency=found.currency, answers=json.dumps(public, ensure_ascii=False),
            private=fund.ring.encrypt_json({"answers": private},
                                           context("fund_case", "private", case)),
            created_at=now, updated_at=now,
        ))  # fmt: skip
        _event(fund, conn, who, case, "create")
    return case


def _tokens(fund: Fund, names: list[str]) -> set[str]:
    return name_tokens(fund.ring, names)


def name_tokens(ring: KeyRing, names: list[str]) -> set[str]:
    """Blind tokens of every name key (the same in Cyrillic and Latin, Lukashenka and
    Лукашенко), and of the whole name; also what ``crypto.rotate`` remakes them with under
    a new index key."""
    tokens: set[str] = set()
    for name in names:
        keys = sorted(keys_of([name]))
        tokens.update(ring.blind("name-key", key) for key in keys)
        if keys:
            tokens.add(ring.blind("full-name", " ".join(keys)))
    return tokens


def _deadline(today: date, state: str) -> date | None:
    days = SLA.get(state)
    return None if days is None else today + timedelta(days=days)


# --- reading ------------------------------------------------------------------------------


def _scope(row: Row[Any]) -> policy.CaseScope:
    return policy.CaseScope(row.state, row.assignee)


def _load(conn: Connection, case_id: str) -> Row[Any]:
    row = conn.execute(
        select(case_table, applicant_table.c.kind, applicant_table.c.country)
        .join(applicant_table, applicant_table.c.id == case_table.c.applicant, isouter=True)
        .where(case_table.c.id == case_id)
    ).first()
    if row is None:
        raise NotFound(f"no case {case_id!r}")
    return row


def _visible(fund: Fund, conn: Connection, who: Staff, case_id: str) -> Row[Any]:
    """The case, if `who` may know it exists; the same NotFound otherwise, so that ids
    cannot be probed."""
    row = _load(conn, case_id)
    if not policy.sees(who, _scope(row)):
        raise NotFound(f"no case {case_id!r}")
    return row


def _summary(row: Row[Any]) -> dict[str, Any]:
    return {"id": row.id, "number": number(row.number), "programme": row.programme,
            "round": row.round, "state": row.state, "step": row.step,
            "assignee": row.assignee,
            "deadline": row.deadline.isoformat() if row.deadline else None,
            "requested": row.requested, "currency": row.currency, "kind": row.kind,
            "country": row.country, "answers": json.loads(row.answers),
            "created_at": row.created_at.isoformat(timespec="seconds"),
            "updated_at": row.updated_at.isoformat(timespec="seconds")}  # fmt: skip


def get(fund: Fund, who: Staff, case_id: str) -> dict[str, Any]:
    """A case as `who` may see it: the assigned caseworker also gets the identity, the
    private answers, the notes and the link to the repression register (each such read
    is written to the ledger)."""
    with fund.store.engine.begin() as conn:
        row = _visible(fund, conn, who, case_id)
        found = _summary(row)
        events = conn.execute(select(case_event_table).where(case_event_table.c.case == case_id)
                              .order_by(case_event_table.c.id)).all()  # fmt: skip
        show = policy.identity(who, _scope(row))
        found["history"] = [
            {"at": e.at.isoformat(timespec="seconds"), "actor": e.actor, "action": e.action,
             "from": e.from_state, "to": e.to_state,
             **({"note": fund.ring.decrypt(e.note, context("fund_case_event", "note", e.id))
                 .decode()} if show and e.note else {})}
            for e in events
        ]  # fmt: skip
        reviews = conn.execute(select(review_table).where(review_table.c.case == case_id)).all()
        if who.role in ("reviewer", "director") or show:
            found["reviews"] = [{"reviewer": r.reviewer, "score": r.score,
                                 "recommendation": r.recommendation, "comment": r.comment}
                                for r in reviews]  # fmt: skip
        if show:
            applicant = conn.execute(
                select(applicant_table.c.identity).where(applicant_table.c.id == row.applicant)
            ).one()
            found["identity"] = fund.ring.decrypt_json(
                applicant.identity, context("fund_applicant", "identity", row.applicant)
            )
            found["private"] = fund.ring.decrypt_json(
                row.private, context("fund_case", "private", row.id)
            )
            found["repression_record"] = row.repression_record
            fund.log(conn, who, "identity.read", f"case:{case_id}",
                     "identity, private answers, notes")  # fmt: skip
    return found


def listing(
    fund: Fund,
    who: Staff,
    *,
    state: str | None = None,
    programme: str | None = None,
    q: str = "",
    limit: int = 50,
    offset: int = 0,
    due_before: date | None = None,
) -> tuple[int, list[dict[str, Any]]]:
    """The cases `who` may see, newest first, without identities. `q` is a case number
    (F-000123), or for a caseworker, a name: matched through the blind index among their
    own cases, in any script."""
    t = case_table
    where = []
    if who.role == "caseworker":
        where.append(t.c.assignee == who.name)
    states = policy.VISIBLE_STATES[who.role]
    if states is not None:
        where.append(t.c.state.in_(sorted(states)))
    if state:
        where.append(t.c.state == state)
    if programme:
        where.append(t.c.programme == programme)
    if due_before is not None:
        where.append(and_(t.c.deadline < due_before, t.c.state != "closed"))
    q = q.strip()
    if q:
        digits = q.upper().removeprefix("F-").lstrip("0")
        by_number = t.c.number == int(digits) if digits.isdigit() else None
        if who.role == "caseworker" and not q.upper().startswith("F-"):
            tokens = sorted(_tokens(fund, [q]))
            named = select(applicant_index_table.c.applicant).where(
                applicant_index_table.c.token.in_(tokens)
            )
            match = t.c.applicant.in_(named)
            where.append(or_(match, by_number) if by_number is not None else match)
        else:
            where.append(by_number if by_number is not None else false())
    query = (select(t, applicant_table.c.kind, applicant_table.c.country)
             .join(applicant_table, applicant_table.c.id == t.c.applicant, isouter=True)
             .where(and_(true(), *where)))  # fmt: skip
    with fund.store.engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        rows = conn.execute(query.order_by(t.c.number.desc()).limit(limit).offset(offset)).all()
    return total, [_summary(row) for row in rows]


# --- changes ------------------------------------------------------------------------------


def _event(
    fund: Fund, conn: Connection, who: Staff, case_id: str, action: str,
    before: str | None = None, after: str | None = None, note: str = "",
) -> None:  # fmt: skip
    result = conn.execute(insert(case_event_table).values(
        case=case_id, at=fund.clock(), actor=who.name, action=action, from_state=before,
        to_state=after, note="",
    ))  # fmt: skip
    if note:
        event_id = result.inserted_primary_key[0]  # type: ignore[index]
        sealed = fund.ring.encrypt(note, context("fund_case_event", "note", event_id))
        conn.execute(
            update(case_event_table).where(case_event_table.c.id == event_id).values(note=sealed)
        )
    fund.log(conn, who, f"case.{action}", f"case:{case_id}",
             f"{before} -> {after}" if after else "")  # fmt: skip


def transition(fund: Fund, who: Staff, case_id: str, to: str, note: str = "") -> None:
    """Move a case on; the deadline follows the new state. A decision needs a review."""
    note = _text(note, "the note")
    with fund.store.engine.begin() as conn:
        row = _visible(fund, conn, who, case_id)
        policy.check_transition(who, _scope(row), to)
        if to == "decision":
            reviews = conn.execute(select(func.count()).select_from(review_table)
                                   .where(review_table.c.case == case_id)).scalar_one()  # fmt: skip
            if not reviews:
                raise Forbidden("a case goes to decision once it has been reviewed")
        now = fund.clock()
        relocation = conn.execute(
            select(programme_table.c.kind).where(programme_table.c.id == row.programme)
        ).scalar_one()
        step = row.step
        if to == "disbursement" and relocation == "relocation" and not step:
            step = policy.RELOCATION_STEPS[0]
        conn.execute(update(case_table).where(case_table.c.id == case_id).values(
            state=to, step=step, deadline=_deadline(now.date(), to), updated_at=now,
            closed_at=now if to == "closed" else None,
        ))  # fmt: skip
        _event(fund, conn, who, case_id, "transition", row.state, to, note)


def assign(fund: Fund, who: Staff, case_id: str, assignee: str) -> None:
    with fund.store.engine.begin() as conn:
        row = _visible(fund, conn, who, case_id)
        policy.check(who, "case.assign", _scope(row))
        role = conn.execute(select(staff_table.c.role)
                            .where(staff_table.c.name == assignee)).scalar()  # fmt: skip
        if role != "caseworker":
            raise ConfigError(f"{assignee!r} is not a caseworker of the fund")
        conn.execute(update(case_table).where(case_table.c.id == case_id)
                     .values(assignee=assignee, updated_at=fund.clock()))  # fmt: skip
        _event(fund, conn, who, case_id, "assign")


def review(
    fund: Fund, who: Staff, case_id: str, score: int, recommendation: str, comment: str = ""
) -> None:
    if not 1 <= score <= 5 or recommendation not in ("approve", "decline", "more"):
        raise ConfigError("a review scores 1 to 5 and recommends approve, decline or more")
    with fund.store.engine.begin() as conn:
        row = _visible(fund, conn, who, case_id)
        policy.check(who, "case.review", _scope(row))
        conn.execute(insert(review_table).values(
            case=case_id, reviewer=who.name, score=score, recommendation=recommendation,
            comment=_text(comment, "the comment"), at=fund.clock(),
        ))  # fmt: skip
        _event(fund, conn, who, case_id, "review")


def note(fund: Fund, who: Staff, case_id: str, text: str) -> None:
    text = _text(text, "the note")
    if not text:
        raise ConfigError("an empty note")
    with fund.store.engine.begin() as conn:
        row = _visible(fund, conn, who, case_id)
        policy.check(who, "case.note", _scope(row))
        _event(fund, conn, who, case_id, "note", note=text)


def next_step(fund: Fund, who: Staff, case_id: str) -> str:
    """Relocation cases: verification, visa support letter, travel, housing, stipend."""
    with fund.store.engine.begin() as conn:
        row = _visible(fund, conn, who, case_id)
        policy.check(who, "case.step", _scope(row))
        if row.step not in policy.RELOCATION_STEPS or row.step == "done":
            raise Forbidden("only a relocation case in disbursement has steps to take")
        step = policy.RELOCATION_STEPS[policy.RELOCATION_STEPS.index(row.step) + 1]
        conn.execute(update(case_table).where(case_table.c.id == case_id)
                     .values(step=step, updated_at=fund.clock()))  # fmt: skip
        _event(fund, conn, who, case_id, "step", row.step, step)
    return step


def link(fund: Fund, who: Staff, case_id: str, record_id: str) -> None:
    """Tie the case to a case in the repression register (the applicant's, or that of the
    person they support)."""
    with fund.store.engine.begin() as conn:
        row = _visible(fund, conn, who, case_id)
        policy.check(who, "case.link", _scope(row))
        conn.execute(
            update(case_table)
            .where(case_table.c.id == case_id)
            .values(repression_record=record_id[:255], updated_at=fund.clock())
        )
        _event(fund, conn, who, case_id, "link")


def duplicates(fund: Fund, who: Staff, case_id: str) -> list[dict[str, Any]]:
    """Other applications whose applicant shares name keys with this one's, in any script;
    named by case number and caseworker only: the names stay with their caseworkers."""
    a, c = applicant_index_table, case_table
    with fund.store.engine.begin() as conn:
        row = _visible(fund, conn, who, case_id)
        policy.check(who, "case.duplicates", _scope(row))
        mine = {
            r.token for r in conn.execute(select(a.c.token).where(a.c.applicant == row.applicant))
        }
        shared = conn.execute(
            select(a.c.applicant, func.count().label("shared"))
            .where(a.c.token.in_(sorted(mine)), a.c.applicant != row.applicant)
            .group_by(a.c.applicant)
        ).all()  # fmt: skip
        found = []
        for hit in shared:
            theirs = conn.execute(select(func.count()).select_from(a)
                                  .where(a.c.applicant == hit.applicant)).scalar_one()  # fmt: skip
            share = hit.shared / max(len(mine), theirs)
            if share < 0.5:
                continue
            others = select(c.c.id, c.c.number, c.c.assignee, c.c.state, c.c.programme)
            for other in conn.execute(others.where(c.c.applicant == hit.applicant)):
                found.append({"case": number(other.number), "id": other.id,
                              "assignee": other.assignee, "state": other.state,
                              "programme": other.programme, "share": round(share, 2)})  # fmt: skip
        fund.log(conn, who, "case.duplicates", f"case:{case_id}", f"{len(found)} found")
    return sorted(found, key=lambda f: (-f["share"], f["case"]))


def overdue(fund: Fund, who: Staff, today: date, limit: int = 200) -> list[dict[str, Any]]:
    """Cases past their deadline that `who` may see, oldest deadline first: the reminders."""
    _, found = listing(fund, who, limit=limit, due_before=today)
    return sorted(found, key=lambda c: c["deadline"])
