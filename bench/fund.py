"""Democracy-fund benchmark: the fund's list, search, case and report pages on 10,000
applications with 50,000 disbursements, asked over HTTP by signed-in staff.

    python bench/fund.py [--applications 10000] [--disbursements 50000] [--requests 200]
                         [--db postgresql://user@127.0.0.1/fund] [--seed 7] [--sql]

Fills a fund database (SQLite in a temporary folder, or the empty one at --db) with three
years of a fund's work, under keys made by KeyRing.generate() and passed through
BELWATCH_FUND_KEYS: staff and programmes through the library, then applications in
Russian, Belarusian and Latin letters taken in by twelve caseworkers and moved through the
workflow, reviews, notes, screenings, relocation steps and payments in several currencies
with four eyes, written straight into the tables in batches. Identity fields and payees are
encrypted with the real key ring, names are blind-indexed with cases._tokens, and every
change is written to the hash-chained ledger with ledger.append in the order it happened,
so the database reads as one filled through the API (checked: a sample is read back through
cases.get and money.of_case, the ledger verified, and the API then takes a new application,
moves a case and approves a payment on it).

Then serves the app with uvicorn in a thread on a free loopback port, signs the staff in
through /fund/login with their authenticator codes (each enrolled first through
/fund/mfa/totp/start and /confirm; admins need a passkey, so only the other roles are
timed), and asks each kind of page --requests times. Prints per kind the server's own time
(its Server-Timing header) p50, p95 and max, the part of it spent executing SQL, what list
and search pages found, the goal (p95 under 300 ms for list and search pages), and the
peak memory of the process while filling and while serving. For a kind that misses its
goal (every kind with --sql), the statements its time went to.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy import Connection, Engine, event, func, insert, select

from belwatch.api import create_app
from belwatch.fund import cases, ledger, money, policy, staff, totp
from belwatch.fund.core import Fund, Staff, new_id, utcnow
from belwatch.fund.crypto import ENV_KEY_FILE, ENV_KEYS, KeyRing, _reset_sequences, context
from belwatch.fund.schema import (
    applicant_index_table,
    applicant_table,
    case_event_table,
    case_table,
    disbursement_table,
    review_table,
    screening_table,
)
from belwatch.settings import Settings, database_url

from memory import status_mib
from repression import GIVEN, PATRONYMICS, SURNAMES

GOAL_MS = 300.0
PASSWORD = "a long bench staff password"
YEARS = 3
BATCH = 2_000

# --- who works at the fund ----------------------------------------------------------------

CASEWORKERS = 12
REVIEWERS = 3
FINANCE = 3
DIRECTORS = 2

# Programmes: id, name, kind, currency; purposes paid, with amounts in major units.
PROGRAMMES = [
    ("victims", "Victims of repression and their families", "victims", "EUR"),
    ("legal-aid", "Lawyers for political prisoners", "legal", "EUR"),
    ("relocation", "Journalists and activists relocating", "relocation", "EUR"),
    ("civil", "Civil society initiatives", "civil", "USD"),
    ("academic", "Students and scholars expelled", "academic", "PLN"),
    ("unions", "Independent trade unions", "unions", "EUR"),
]
PURPOSES = {
    "victims": ["support", "legal", "support", "other"],
    "legal": ["legal"],
    "relocation": ["visa_letter", "travel", "housing", "stipend", "stipend", "stipend"],
    "civil": ["grant", "support"],
    "academic": ["stipend", "grant"],
    "unions": ["support", "legal"],
}
AMOUNTS = {"support": (100, 1_000), "legal": (200, 3_000), "visa_letter": (30, 120),
           "travel": (80, 600), "housing": (300, 1_200), "stipend": (300, 800),
           "grant": (1_000, 10_000), "other": (50, 500)}  # fmt: skip
CURRENCIES = ["EUR", "USD", "PLN", "GEL", "UAH"]
# A programme's currency most of the time; the others for payments made where they are used.
OTHER_CURRENCY = 0.25

QUESTIONS = [
    cases.Question("situation", "What happened to you or your family", True, True),
    cases.Question("need", "What support you need", False, True),
    cases.Question("household", "People in your household", False),
    cases.Question("referrer", "Who told you about the fund", True),
]
RELOCATION_QUESTION = cases.Question("destination", "Where you are moving to", False)
NEEDS = ["юридическая помощь", "оплата адвоката", "передачи в колонию", "аренда жилья",
         "переезд", "стипендия", "лечение", "psychological support", "laptop for work"]  # fmt: skip
SITUATIONS = ["Задержан после акции, статья 342, суд назначил {n} лет.",
              "Муж осуждён по статье 361-1, я одна с детьми.",
              "Уволили с завода за подпись за независимый профсоюз.",
              "Отчислена из университета за участие в протестах.",
              "Выехал из Беларуси после обыска, паспорт скоро истекает.",
              "Затрымалі ў {n} годзе, цяпер пад наглядам.",
              "Редакцию признали экстремистской, работаю из-за границы."]  # fmt: skip
REFERRERS = ["Вясна", "BYSOL", "знакомые", "Telegram", "Dissidentby", "Белорусский дом"]
DESTINATIONS = ["Warszawa", "Vilnius", "Białystok", "Tbilisi", "Berlin", "Riga", "Praha"]
NOTES = ["Позвонила, документы получены.", "Ждём справку из колонии.",
         "Адвокат подтвердил дату суда.", "Связались через Signal, всё в порядке.",
         "Прасіла не тэлефанаваць удзень.", "Paid rent receipt checked."]  # fmt: skip
REVIEW_COMMENTS = ["", "Needs are clear and documented.", "Confirmed by two sources.",
                   "Amount seems high for the city.", "Children in the family."]  # fmt: skip
GROUPS = ["Инициатива «Солидарность» (Гомель)", "Суполка «Бусел» (Брэст)",
          "Independent union of miners, Salihorsk", "Ініцыятыва «Дапамога»",
          "Объединение родственников политзаключённых"]  # fmt: skip

# Countries of residence, with addresses and phone prefixes.
COUNTRIES = [("BY", 35, "+375 29", "г. Минск, ул. Сурганова, {n}-{m}"),
             ("PL", 25, "+48 512", "ul. Marszałkowska {n}/{m}, Warszawa"),
             ("LT", 20, "+370 612", "Gedimino pr. {n}-{m}, Vilnius"),
             ("GE", 7, "+995 555", "Chavchavadze Ave {n}, apt {m}, Tbilisi"),
             ("UA", 3, "+380 67", "вул. Хрещатик, {n}, кв. {m}, Київ"),
             ("DE", 5, "+49 151", "Schönhauser Allee {n}, {m}. OG, Berlin"),
             ("LV", 3, "+371 26", "Brīvības iela {n}-{m}, Rīga"),
             ("CZ", 2, "+420 605", "Vinohradská {n}/{m}, Praha")]  # fmt: skip

# The workflow: days spent in each state before the next move, and where it goes.
DAYS = {"intake": (0.2, 5), "eligibility": (2, 12), "assessment": (3, 25), "review": (3, 20),
        "decision": (1, 10), "followup": (30, 120), "declined": (3, 30)}  # fmt: skip
PAYING_DAYS = {"relocation": (90, 420), "other": (20, 150)}


def name_of(rng: random.Random) -> tuple[list[str], tuple[int, int, int]]:
    """A person's names as a caseworker writes them down: Russian or Belarusian Cyrillic,
    often with the Latin spelling of their passport too."""
    who = (rng.randrange(len(SURNAMES)), rng.randrange(len(GIVEN)), rng.randrange(len(PATRONYMICS)))
    surname, given, father = SURNAMES[who[0]], GIVEN[who[1]], PATRONYMICS[who[2]]
    script = rng.choices((0, 1, 2), weights=(5, 3, 2))[0]
    if script == 2:
        names = [f"{given[2]} {surname[2].upper()}"]
    else:
        names = [f"{surname[script]} {given[script]} {father[script]}"]
        if rng.random() < 0.35:
            names.append(f"{given[2]} {surname[2].upper()}")
    return names, who


def login_of(rng: random.Random, taken: set[str]) -> str:
    while True:
        name = f"{rng.choice(GIVEN)[2].lower()}.{rng.choice(SURNAMES)[2].lower()}"
        if name not in taken:
            taken.add(name)
            return name


# --- the plan: three years of a fund's work -------------------------------------------------


@dataclass
class Application:
    case: str
    applicant: str
    programme: str
    currency: str
    round: str | None
    kind: str
    country: str
    identity: dict[str, Any]
    person: tuple[int, int, int] | None
    public: dict[str, str]
    private: dict[str, str]
    requested: int
    created: datetime
    assignee: str
    number: int = 0
    state: str = "intake"
    step: str = ""
    deadline: date | None = None
    updated: datetime | None = None
    closed: datetime | None = None
    events: int = 0
    window: tuple[datetime, datetime] | None = None  # when payments may be proposed


@dataclass
class Plan:
    """Everything to write, each change with the ledger entry it leaves."""

    start: datetime
    end: datetime
    staff: dict[str, str]  # login: role
    programmes: list[tuple[str, str, str, str]]
    rounds: list[tuple[str, str, str, date, date, list[cases.Question]]]
    applications: list[Application] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    screenings: list[dict[str, Any]] = field(default_factory=list)
    payments: list[dict[str, Any]] = field(default_factory=list)
    entries: list[tuple[datetime, int, str, str, str, str, str]] = field(default_factory=list)
    order: Iterator[int] = field(default_factory=itertools.count)

    def of(self, role: str) -> list[str]:
        return [name for name, r in self.staff.items() if r == role]

    def log(self, at: datetime, actor: str, action: str, object: str, detail: str = "") -> None:
        self.entries.append((at, next(self.order), actor, self.staff[actor], action,
                             object, detail))  # fmt: skip


def plan(applications: int, disbursements: int, seed: int, end: datetime) -> Plan:
    rng = random.Random(seed)
    taken: set[str] = {"admin"}
    people = {"admin": "admin"}
    for role, count in (("caseworker", CASEWORKERS), ("reviewer", REVIEWERS),
                        ("finance", FINANCE), ("director", DIRECTORS)):  # fmt: skip
        people.update({login_of(rng, taken): role for _ in range(count)})
    start = end - timedelta(days=365 * YEARS)
    rounds = []
    for programme, name, kind, _ in PROGRAMMES:
        form = [*QUESTIONS, RELOCATION_QUESTION] if kind == "relocation" else QUESTIONS
        for year in range(YEARS):
            opens = (start + timedelta(days=365 * year)).date()
            rounds.append((f"{programme}-{opens.year}", programme, f"{name}, {opens.year}", opens,
                           opens + timedelta(days=364), form))  # fmt: skip
    found = Plan(start, end, people, PROGRAMMES, rounds)
    for _ in range(applications):
        found.applications.append(application(rng, found))
    found.applications.sort(key=lambda a: a.created)
    for number, app in enumerate(found.applications, 1):
        app.number = number
        workflow(rng, found, app)
    payments(rng, found, disbursements)
    found.entries.sort()
    return found


def application(rng: random.Random, plan: Plan) -> Application:
    programme, _, kind, currency = rng.choice(PROGRAMMES)
    span = plan.end - plan.start - timedelta(days=3)
    # More applications each year, as the fund became known.
    created = plan.start + timedelta(days=2) + span * rng.random() ** 0.8
    country, _, phone, address = rng.choices(COUNTRIES, weights=[c[1] for c in COUNTRIES])[0]
    person: tuple[int, int, int] | None = None
    if rng.random() < 0.04:
        names, applicant_kind = [rng.choice(GROUPS)], "group"
        identity: dict[str, Any] = {
            "names": names,
            "contacts": [f"info{rng.randint(1, 999)}@proton.me"],
        }
    else:
        names, person = name_of(rng)
        applicant_kind = "person"
        latin = f"{GIVEN[person[1]][2]}.{SURNAMES[person[0]][2]}".lower()
        identity = {
            "names": names,
            "birth_date": f"{rng.randint(1950, 2005)}-{rng.randint(1, 12):02d}-"
                          f"{rng.randint(1, 28):02d}",
            "contacts": [f"{phone} {rng.randint(100, 999)}-{rng.randint(10, 99):02d}-"
                         f"{rng.randint(10, 99):02d}",
                         rng.choice((f"{latin}@proton.me", f"@{latin.replace('.', '_')}"))],
            "address": address.format(n=rng.randint(1, 120), m=rng.randint(1, 90)),
            "documents": [f"passport M{rng.choice('PCHK')}{rng.randint(1_000_000, 9_999_999)}"],
        }  # fmt: skip
    opened = [r for r in plan.rounds if r[1] == programme and r[3] <= created.date() <= r[4]]
    round_id = opened[0][0] if opened and rng.random() < 0.9 else None
    answers = {"situation": rng.choice(SITUATIONS).format(n=rng.randint(2, 9)),
               "need": rng.choice(NEEDS), "household": str(rng.randint(1, 6)),
               "referrer": rng.choice(REFERRERS)}  # fmt: skip
    if kind == "relocation":
        answers["destination"] = rng.choice(DESTINATIONS)
    asked = {q.id: q for q in (opened[0][5] if round_id else [])}
    public = {k: v for k, v in answers.items() if k in asked and not asked[k].identity}
    private = {k: v for k, v in answers.items() if k not in public}
    return Application(
        case=new_id(), applicant=new_id(), programme=programme, currency=currency,
        round=round_id, kind=applicant_kind, country=country, identity=identity, person=person,
        public=public, private=private, requested=rng.randint(50, 5_000) * 100, created=created,
        assignee=rng.choice(plan.of("caseworker")),
    )  # fmt: skip


def _between(rng: random.Random, first: datetime, last: datetime) -> datetime:
    return first + (last - first) * rng.uniform(0.05, 0.95)


def _days(rng: random.Random, span: tuple[float, float]) -> timedelta:
    return timedelta(days=rng.uniform(*span), seconds=rng.randint(0, 86_399))


def workflow(rng: random.Random, plan: Plan, app: Application) -> None:
    """The case's life until the plan's end: intake, an assignment now and then, the
    transitions (some with notes) by the roles that may make them, reviews, an applicant
    screening, notes, relocation steps."""
    case, ref = app.case, f"case:{app.case}"
    at = app.created
    happened(plan, app, at, app.assignee, "create")
    app.deadline, app.updated = cases._deadline(at.date(), "intake"), at
    assigned = at + timedelta(hours=rng.uniform(1, 30))
    if rng.random() < 0.05 and assigned < plan.end:
        director = rng.choice(plan.of("director"))
        app.assignee = rng.choice([c for c in plan.of("caseworker") if c != app.assignee])
        happened(plan, app, assigned, director, "assign")
        at = app.updated = assigned
    state, entered = "intake", at
    relocation = app.programme == "relocation"
    while state not in ("closed",):
        if state == "disbursement":
            paying = PAYING_DAYS["relocation" if relocation else "other"]
            leave = entered + _days(rng, paying)
            app.window = (entered, min(leave, plan.end))
        else:
            leave = entered + _days(rng, DAYS[state])
        last = min(leave, plan.end)
        if state == "eligibility" and rng.random() < 0.8:
            when = _between(rng, entered, last)
            plan.screenings.append({"case": case, "subject": "applicant", "at": when,
                                    "actor": app.assignee, "detail": "applicant"})  # fmt: skip
            plan.log(when, app.assignee, "screening", ref, "applicant: clear")
        if state == "review":
            reviewers = rng.sample(plan.of("reviewer"), rng.randint(1, 2))
            for reviewer in reviewers if leave <= plan.end else reviewers[: rng.randint(0, 1)]:
                when = _between(rng, entered, last)
                plan.reviews.append({"case": case, "reviewer": reviewer, "at": when,
                                     "score": rng.randint(2, 5),
                                     "recommendation": rng.choice(("approve", "approve", "more")),
                                     "comment": rng.choice(REVIEW_COMMENTS)})  # fmt: skip
                happened(plan, app, when, reviewer, "review")
        if state == "disbursement" and relocation:
            moved = leave <= plan.end
            taken = len(policy.RELOCATION_STEPS) - 1 if moved else rng.randint(0, 4)
            for when in sorted(_between(rng, entered, last) for _ in range(taken)):
                step = policy.RELOCATION_STEPS[policy.RELOCATION_STEPS.index(app.step) + 1]
                happened(plan, app, when, app.assignee, "step", app.step, step)
                app.step, app.updated = step, when
        for _ in range(rng.choices((0, 1, 2), weights=(12, 3, 1))[0]):
            when = _between(rng, entered, last)
            happened(plan, app, when, app.assignee, "note", note=rng.choice(NOTES))
        if leave > plan.end:
            break
        to = {"intake": "eligibility", "eligibility": "assessment", "assessment": "review",
              "review": "decision", "decision": "disbursement", "disbursement": "followup",
              "followup": "closed", "declined": "closed"}[state]  # fmt: skip
        if state == "eligibility" and rng.random() < 0.1:
            to = "declined"
        if state == "decision" and rng.random() < 0.15:
            to = "declined"
        mover = {"eligibility": "caseworker", "assessment": "caseworker", "review": "caseworker",
                 "decision": rng.choice(("reviewer", "director")), "disbursement": "director",
                 "followup": rng.choice(("caseworker", "finance")), "closed": "caseworker",
                 "declined": "director" if state == "decision" else "caseworker"}[to]  # fmt: skip
        actor = app.assignee if mover == "caseworker" else rng.choice(plan.of(mover))
        if to == "closed" and state == "declined" and rng.random() < 0.3:
            actor = rng.choice(plan.of("director"))
        note = rng.choice(NOTES) if rng.random() < 0.3 else ""
        happened(plan, app, leave, actor, "transition", state, to, note)
        if to == "disbursement" and relocation and not app.step:
            app.step = policy.RELOCATION_STEPS[0]
        state, entered = to, leave
        app.deadline, app.updated = cases._deadline(leave.date(), to), leave
        app.closed = leave if to == "closed" else None
    app.state = state


def happened(
    plan: Plan, app: Application, at: datetime, actor: str, action: str,
    before: str | None = None, after: str | None = None, note: str = "",
) -> None:  # fmt: skip
    """A row of fund_case_event and its ledger entry, as cases._event writes them."""
    plan.events.append({"case": app.case, "at": at, "actor": actor, "action": action,
                        "from_state": before, "to_state": after, "note": note})  # fmt: skip
    plan.log(
        at, actor, f"case.{action}", f"case:{app.case}", f"{before} -> {after}" if after else ""
    )
    app.events += 1


def payments(rng: random.Random, plan: Plan, count: int) -> None:
    """`count` payments over the cases decided for support, proposed while the case is in
    disbursement (more for relocation: monthly stipends), the payee screened at once, then
    approved or rejected by someone else and paid."""
    paying = [a for a in plan.applications if a.window is not None]
    if not paying:
        return
    weights = [((a.window[1] - a.window[0]).days + 1) * (3 if a.programme == "relocation" else 1)
               for a in paying if a.window is not None]  # fmt: skip
    purposes = {p[0]: PURPOSES[p[2]] for p in plan.programmes}
    finance, directors = plan.of("finance"), plan.of("director")
    for app in rng.choices(paying, weights=weights, k=count):
        assert app.window is not None
        payment, purpose = new_id(), rng.choice(purposes[app.programme])
        currency = rng.choice(CURRENCIES) if rng.random() < OTHER_CURRENCY else app.currency
        low, high = AMOUNTS[purpose]
        proposed = _between(rng, *app.window)
        proposer = rng.choice(finance)
        row: dict[str, Any] = {
            "id": payment, "case": app.case, "amount": rng.randint(low, high) * 100,
            "currency": currency, "purpose": purpose, "state": "proposed",
            "proposed_by": proposer, "proposed_at": proposed, "decided_by": None,
            "decided_at": None, "paid_at": None, "payee": payee(rng, app),
        }  # fmt: skip
        plan.payments.append(row)
        ref = f"disbursement:{payment}"
        plan.log(proposed, proposer, "disbursement.propose", ref, f"case:{app.case}")
        screened = proposed + timedelta(milliseconds=rng.randint(200, 900))
        plan.screenings.append({"case": app.case, "subject": "payee", "at": screened,
                                "actor": proposer, "detail": f"payee:{payment}"})  # fmt: skip
        plan.log(screened, proposer, "screening", f"case:{app.case}", f"payee:{payment}: clear")
        decided = proposed + _days(rng, (0.1, 4))
        if decided > plan.end:
            continue
        decider = rng.choice([*directors, *(f for f in finance if f != proposer)])
        approve = rng.random() > 0.04
        row.update(state="approved" if approve else "rejected", decided_by=decider,
                   decided_at=decided)  # fmt: skip
        plan.log(decided, decider, "disbursement." + ("approve" if approve else "reject"), ref)
        paid = decided + _days(rng, (0.1, 5))
        if approve and paid <= plan.end:
            row.update(state="paid", paid_at=paid)
            plan.log(paid, rng.choice(finance), "disbursement.pay", ref, "payee read")


def payee(rng: random.Random, app: Application) -> dict[str, str]:
    """Who is paid: the applicant (by the Latin spelling of their name), a landlord, a law
    office; an IBAN or a card."""
    if app.person is not None and rng.random() < 0.7:
        name = f"{GIVEN[app.person[1]][2]} {SURNAMES[app.person[0]][2]}"
    else:
        name = rng.choice(["Kancelaria Adwokacka Nowak i Wspólnicy", "UAB Vilniaus būstas",
                           "Адвокат Ковалёва Н.А.", "Anna Kowalska (landlord)",
                           "Tbilisi Rent LLC", "Dom Białoruski Fundacja"])  # fmt: skip
    country = rng.choice(("PL", "LT", "GE", "DE", "LV"))
    digits = "".join(str(rng.randint(0, 9)) for _ in range(22))
    return {"name": name, "account": f"{country}{digits[:2]} {digits[2:]}"}


# --- writing it ----------------------------------------------------------------------------


def fill(fund: Fund, plan: Plan) -> dict[str, float]:
    """Staff, programmes and rounds through the library; the rest in batches, in one
    transaction; the ledger in the order things happened. Seconds each took."""
    started = time.perf_counter()
    admin = Staff("admin", "admin")
    staff.add(fund, None, "admin", PASSWORD, "admin")
    for name, role in plan.staff.items():
        if role != "admin":
            staff.add(fund, admin, name, PASSWORD, role)
    budgets: Counter[tuple[str, str]] = Counter()
    case_programme = {a.case: a.programme for a in plan.applications}
    for p in plan.payments:
        budgets[case_programme[p["case"]], p["currency"]] += p["amount"]
    for id, name, kind, currency in plan.programmes:
        budget = round(budgets[id, currency] * 1.3, -7) + 10_000_000
        cases.add_programme(fund, admin, id, name, kind, currency, int(budget))
    for id, programme, name, opens, closes, questions in plan.rounds:
        cases.add_round(fund, admin, id, programme, name, opens, closes, questions)
    ring = fund.ring
    took = {"staff, programmes, rounds (library)": time.perf_counter() - started}
    started = time.perf_counter()
    with fund.store.engine.begin() as conn:
        for chunk in _chunks(plan.applications):
            write_applications(conn, fund, chunk)
        events = sorted(plan.events, key=lambda e: e["at"])
        _insert(conn, case_event_table, [
            {**e, "id": n, "note": e["note"] and ring.encrypt(e["note"], context(
                "fund_case_event", "note", n))}
            for n, e in enumerate(events, 1)
        ])  # fmt: skip
        reviews = sorted(plan.reviews, key=lambda r: r["at"])
        _insert(conn, review_table, [{"id": n, **r} for n, r in enumerate(reviews, 1)])
        screened = sorted(plan.screenings, key=lambda s: s["at"])
        _insert(conn, screening_table, [
            {"id": n, "case": s["case"], "subject": s["subject"], "at": s["at"],
             "actor": s["actor"], "result": "clear", "sanctions": 0, "officials": 0,
             "detail": json.dumps({"subject": s["detail"], "hits": []})}
            for n, s in enumerate(screened, 1)
        ])  # fmt: skip
        _insert(conn, disbursement_table, [
            {**p, "payee": ring.encrypt_json({k: str(v)[:500] for k, v in p["payee"].items()},
                                             context("fund_disbursement", "payee", p["id"]))}
            for p in sorted(plan.payments, key=lambda p: p["proposed_at"])
        ])  # fmt: skip
        _reset_sequences(conn)
        took["rows (batches)"] = time.perf_counter() - started
        started = time.perf_counter()
        for at, _, actor, role, action, object, detail in plan.entries:
            ledger.append(conn, actor, role, action, object, detail, at=at)
    took["ledger (ledger.append)"] = time.perf_counter() - started
    return took


def write_applications(conn: Connection, fund: Fund, chunk: list[Application]) -> None:
    """Applicants, their blind tokens and their cases, as cases.intake writes them, with the
    state each case has reached."""
    ring = fund.ring
    applicants, tokens, rows = [], [], []
    for a in chunk:
        names = a.identity["names"]
        sealed = context("fund_applicant", "identity", a.applicant)
        stored = {**{k: a.identity.get(k) for k in cases.IDENTITY_KEYS if a.identity.get(k)},
                  "names": names}  # fmt: skip
        applicants.append({"id": a.applicant, "kind": a.kind, "country": a.country,
                           "created_at": a.created,
                           "identity": ring.encrypt_json(stored, sealed)})  # fmt: skip
        tokens += [{"applicant": a.applicant, "token": t}
                   for t in sorted(cases._tokens(fund, names))]  # fmt: skip
        rows.append({
            "id": a.case, "number": a.number, "programme": a.programme, "round": a.round,
            "applicant": a.applicant, "state": a.state, "step": a.step, "assignee": a.assignee,
            "deadline": a.deadline, "requested": a.requested, "currency": a.currency,
            "answers": json.dumps(a.public, ensure_ascii=False),
            "private": ring.encrypt_json({"answers": a.private},
                                         context("fund_case", "private", a.case)),
            "repression_record": None, "created_at": a.created, "updated_at": a.updated,
            "closed_at": a.closed,
        })  # fmt: skip
    _insert(conn, applicant_table, applicants)
    _insert(conn, applicant_index_table, tokens)
    _insert(conn, case_table, rows)


def _chunks(items: list[Any], size: int = BATCH) -> Iterable[list[Any]]:
    for first in range(0, len(items), size):
        yield items[first : first + size]


def _insert(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    for chunk in _chunks(rows):
        conn.execute(insert(table), chunk)


def check(fund: Fund, plan: Plan, rng: random.Random, count: int = 20) -> list[str]:
    """Read a sample back through the library as its caseworker and a director would (half
    of it cases with payments), search each by name, and verify the ledger."""
    problems = []
    director = Staff(plan.of("director")[0], "director")
    notes: dict[str, list[str]] = defaultdict(list)
    paid: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for e in sorted(plan.events, key=lambda e: e["at"]):
        notes[e["case"]] += [e["note"]] if e["note"] else []
    for p in plan.payments:
        paid[p["case"]].append((p["amount"], p["currency"], p["state"]))
    some = rng.sample(plan.applications, min(count // 2, len(plan.applications)))
    with_money = [a for a in plan.applications if a.case in paid]
    for app in some + rng.sample(with_money, min(count // 2, len(with_money))):
        own = Staff(app.assignee, "caseworker")
        found = cases.get(fund, own, app.case)
        number = found["number"]
        if found["identity"]["names"] != app.identity["names"]:
            problems.append(f"{number}: names read back differ")
        if found["private"] != {"answers": app.private} or found["state"] != app.state:
            problems.append(f"{number}: answers or state differ")
        history = found["history"]
        if (
            len(history) != app.events
            or [h["note"] for h in history if "note" in h] != notes[app.case]
        ):
            problems.append(f"{number}: history or notes differ")
        payments = money.of_case(fund, director, app.case)
        if sorted((p["amount"], p["currency"], p["state"]) for p in payments) != sorted(
            paid[app.case]
        ):
            problems.append(f"{number}: payments differ")
        total, hits = cases.listing(fund, own, q=app.identity["names"][-1])
        if app.case not in {h["id"] for h in hits} and total <= len(hits):
            problems.append(f"{number}: not found by its name")
    problems += ledger.verify(fund.store)
    return problems


# --- serving and asking ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Serving:
    """The app under uvicorn, in a thread of this process."""

    def __init__(self, settings: Settings) -> None:
        self.app = create_app(settings)
        self.base = f"http://127.0.0.1:{free_port()}"
        config = uvicorn.Config(self.app, host="127.0.0.1", port=int(self.base.split(":")[-1]),
                                log_level="warning", access_log=False, lifespan="off")  # fmt: skip
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="uvicorn", daemon=True)

    def __enter__(self) -> Serving:
        self.thread.start()
        while not self.server.started:
            if not self.thread.is_alive():
                sys.exit("the server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def sign_in(base: str, name: str) -> httpx.Client:
    """A client signed in as `name` with the second factor: the authenticator enrolled on a
    first sign-in, then a sign-in with its code, as on any later morning."""
    client = httpx.Client(base_url=base, timeout=120, headers={"origin": base})
    client.post("/fund/login", json={"name": name, "password": PASSWORD}).raise_for_status()
    secret = client.post("/fund/mfa/totp/start").raise_for_status().json()["secret"]
    code = totp.code(secret, time.time())
    client.post("/fund/mfa/totp/confirm", json={"code": code}).raise_for_status()
    # The next step's code (within the drift allowed): the one just used is refused again.
    code = totp.code(secret, time.time() + totp.STEP)
    again = client.post("/fund/login", json={"name": name, "password": PASSWORD, "code": code})
    if again.status_code != 200 or again.json()["second_factor"] != "proven":
        sys.exit(f"{name} could not sign in with a code: {again.status_code} {again.text}")
    return client


COLUMNS = re.compile(r"SELECT (.+?) FROM")


def _columns(found: re.Match[str]) -> str:
    """A statement's list of columns shortened, so that its FROM and WHERE show."""
    columns = found.group(1)
    return f"SELECT {columns if len(columns) < 50 else columns[:30] + ' …'} FROM"


class SqlClock:
    """Time spent executing SQL on an engine (all threads), in total and per statement."""

    def __init__(self, engine: Engine) -> None:
        self.total = 0.0
        self.statements: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn: Any, *_: Any) -> None:
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def _after(self, conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        took = (time.perf_counter() - conn.info["bench_started"].pop()) * 1000
        self.total += took
        key = COLUMNS.sub(_columns, " ".join(statement.split()))
        self.statements[key] += took
        self.calls[key] += 1

    def reset(self) -> None:
        self.total = 0.0
        self.statements.clear()
        self.calls.clear()


@dataclass
class Kind:
    name: str
    asks: list[tuple[httpx.Client, str]]
    goal: float | None = GOAL_MS
    server: list[float] = field(default_factory=list)
    sql: list[float] = field(default_factory=list)
    failed: int = 0
    totals: list[int] = field(default_factory=list)  # what list and search pages found
    statements: Counter[str] = field(default_factory=Counter)
    calls: Counter[str] = field(default_factory=Counter)

    def ask(self, sql: SqlClock) -> None:
        for client, url in self.asks:
            sql.reset()
            response = client.get(url)
            timing = response.headers.get("server-timing", "")
            if "dur=" not in timing:
                sys.exit(f"no Server-Timing on the fund's answer to {url}")
            if response.status_code != 200:
                self.failed += 1
                continue
            self.server.append(float(timing.split("dur=")[1].split(",")[0]))
            self.sql.append(sql.total)
            self.statements.update(sql.statements)
            self.calls.update(sql.calls)
            body = response.json()
            if isinstance(body, dict) and "total" in body:
                self.totals.append(body["total"])

    @property
    def missed(self) -> bool:
        return self.goal is not None and percentile(self.server, 0.95) >= self.goal


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def kinds(
    plan: Plan, clients: dict[str, httpx.Client], count: int, rng: random.Random
) -> list[Kind]:
    """Each role's list pages (the first, filtered by state and programme, at offsets deep
    into the list), searches by case number and, for caseworkers, by name in either
    script, a caseworker's own case pages, and reports."""
    director, finance, reviewer = (clients[plan.of(r)[0]] for r in ("director", "finance",
                                                                     "reviewer"))  # fmt: skip
    workers = [name for name in plan.of("caseworker") if name in clients]
    programmes = [p[0] for p in plan.programmes]

    def seen(role: str, name: str = "") -> int:
        states = policy.VISIBLE_STATES[role]
        return sum(1 for a in plan.applications if (states is None or a.state in states)
                   and (role != "caseworker" or a.assignee == name))  # fmt: skip

    def listing(role: str, name: str = "", deep: bool = False) -> str:
        """The first page, a state, a programme and state, or a page anywhere in the list
        (in its second half when `deep`)."""
        size = seen(role, name)
        states = sorted(policy.VISIBLE_STATES[role] or policy.STATES)
        choice = 3 if deep else rng.randrange(4)
        if choice == 0:
            return "/fund/api/cases"
        if choice == 1:
            return f"/fund/api/cases?state={rng.choice(states)}"
        if choice == 2:
            return f"/fund/api/cases?programme={rng.choice(programmes)}&state={rng.choice(states)}"
        first = size // 2 if deep else 0
        return f"/fund/api/cases?offset={rng.randrange(first, max(first + 1, size - 50))}"

    own = defaultdict(list)
    for app in plan.applications:
        if app.person is not None:
            own[app.assignee].append(app)

    def theirs() -> tuple[str, httpx.Client, Application]:
        """A caseworker among those signed in, and one of their own applicants."""
        name = rng.choice(workers)
        return name, clients[name], rng.choice(own[name])

    def cyrillic(app: Application) -> str:
        assert app.person is not None
        surname = SURNAMES[app.person[0]][rng.randint(0, 1)]  # Russian or Belarusian
        return str(httpx.QueryParams(q=f"{surname} {GIVEN[app.person[1]][0]}"))

    def latin(app: Application) -> str:
        assert app.person is not None
        return str(httpx.QueryParams(q=f"{GIVEN[app.person[1]][2]} {SURNAMES[app.person[0]][2]}"))

    workers_asks = [theirs() for _ in range(count * 5)]
    per = [workers_asks[n * count : (n + 1) * count] for n in range(5)]
    top = len(plan.applications)
    return [
        Kind("list · director", [(director, listing("director")) for _ in range(count)]),
        Kind("list · director · deep offset",
             [(director, listing("director", deep=True)) for _ in range(count)]),
        Kind("list · finance", [(finance, listing("finance")) for _ in range(count)]),
        Kind("list · reviewer", [(reviewer, listing("reviewer")) for _ in range(count)]),
        Kind("list · caseworker", [(c, listing("caseworker", n)) for n, c, _ in per[0]]),
        Kind("search · number · director",
             [(director, f"/fund/api/cases?q={cases.number(rng.randint(1, top))}")
              for _ in range(count)]),
        Kind("search · number · caseworker",
             [(c, f"/fund/api/cases?q={cases.number(a.number)}") for _, c, a in per[1]]),
        Kind("search · name, Cyrillic · caseworker",
             [(c, f"/fund/api/cases?{cyrillic(a)}") for _, c, a in per[2]]),
        Kind("search · name, Latin · caseworker",
             [(c, f"/fund/api/cases?{latin(a)}") for _, c, a in per[3]]),
        Kind("case page · caseworker", [(c, f"/fund/api/cases/{a.case}") for _, c, a in per[4]],
             None),
        Kind("reports · director", [(director, "/fund/api/reports")] * count, None),
        Kind("reports · finance", [(finance, "/fund/api/reports")] * count, None),
    ]  # fmt: skip


def through_the_api(plan: Plan, clients: dict[str, httpx.Client]) -> tuple[list[str], str]:
    """The API goes on working on the filled database as on one it filled itself: a new
    application gets the next number, a case moves on, a pending payment is approved (its
    payee's screening found, the budget checked). Problems, and the server's times."""
    problems, took = [], []
    name = next(n for n in plan.of("caseworker") if n in clients)
    worker, director = clients[name], clients[plan.of("director")[0]]
    body = {"programme": "victims", "identity": {"names": ["Алеся Бабіч"]}, "country": "LT"}
    made = worker.post("/fund/api/cases", json=body)
    took.append(f"new application {_ms(made)}")
    number = cases.number(len(plan.applications) + 1)
    listed = worker.get("/fund/api/cases", params={"q": number}).json()["results"]
    if made.status_code != 200 or [c["id"] for c in listed] != [made.json().get("id")]:
        problems.append(f"a new application is not {number}: {made.text}")
    waiting = [a for a in plan.applications if a.assignee == name and a.state == "intake"]
    if waiting:
        moved = worker.post(f"/fund/api/cases/{waiting[0].case}/transition",
                            json={"to": "eligibility"})  # fmt: skip
        took.append(f"transition {_ms(moved)}")
        if moved.status_code != 200:
            problems.append(f"moving {cases.number(waiting[0].number)} on: {moved.text}")
    pending = [p for p in plan.payments if p["state"] == "proposed"]
    if pending:
        approved = director.post(f"/fund/api/disbursements/{pending[0]['id']}/approve")
        took.append(f"approval {_ms(approved)}")
        if approved.status_code != 200:
            problems.append(f"approving a payment: {approved.text}")
    return problems, ", ".join(took)


def _ms(response: httpx.Response) -> str:
    return str(response.headers.get("server-timing", "dur=?")).split("dur=")[1] + " ms"


def report(kinds: list[Kind], verbose: bool) -> None:
    print(f"\n{'kind':<38} {'n':>4} {'fail':>4} {'server p50':>10} {'p95':>7} {'max':>7} "
          f"{'sql p50':>8} {'found':>6}  goal (p95)")  # fmt: skip
    for kind in kinds:
        p95 = percentile(kind.server, 0.95)
        goal = "" if kind.goal is None else f"<{kind.goal:.0f} ms {'✗' if kind.missed else '✓'}"
        found = f"{statistics.median(kind.totals):>6,.0f}" if kind.totals else f"{'':>6}"
        print(f"{kind.name:<38} {len(kind.server):>4} {kind.failed:>4} "
              f"{statistics.median(kind.server):>8.1f}ms {p95:>5.1f}ms {max(kind.server):>5.1f}ms "
              f"{statistics.median(kind.sql):>6.1f}ms {found}  {goal}")  # fmt: skip
    for kind in kinds:
        if not (kind.missed or verbose):
            continue
        spent = sum(kind.server)
        print(f"\n{kind.name}: where the server's {spent:,.0f} ms went in SQL (execute, "
              f"{sum(kind.sql) / spent:.0%} of it)")  # fmt: skip
        for statement, took in kind.statements.most_common(4):
            calls = kind.calls[statement]
            print(f"  {took:>9,.0f} ms {calls:>6,}× {statement[:400]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--disbursements", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=200, help="Requests per kind.")
    parser.add_argument("--db", help="An empty fund database (PostgreSQL URL); it is left filled. "
                        "Default: SQLite in a temporary folder.")  # fmt: skip
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sql", action="store_true", help="Each kind's costliest statements.")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    folder = Path(tempfile.mkdtemp(prefix="belwatch-fund-bench-"))
    clients: dict[str, httpx.Client] = {}
    try:
        os.environ.pop(ENV_KEY_FILE, None)
        os.environ[ENV_KEYS] = KeyRing.generate()
        url = database_url(args.db) if args.db else f"sqlite:///{folder / 'fund.db'}"
        started = time.perf_counter()
        the_plan = plan(args.applications, args.disbursements, args.seed,
                        utcnow() - timedelta(hours=1))  # fmt: skip
        planned = time.perf_counter() - started
        fund = Fund(url, KeyRing.from_env(), clock=lambda: the_plan.start)  # opened 3 years ago
        with fund.store.engine.connect() as conn:
            if conn.execute(select(func.count()).select_from(case_table)).scalar_one():
                sys.exit(f"{fund.store.safe_url} has cases already: give an empty database")
        took = fill(fund, the_plan)
        fund.close()
        counts = {"applications": len(the_plan.applications), "case events": len(the_plan.events),
                  "reviews": len(the_plan.reviews), "screenings": len(the_plan.screenings),
                  "disbursements": len(the_plan.payments),
                  "ledger entries": len(the_plan.entries)}  # fmt: skip
        print(f"planned three years of the fund in {planned:.1f} s: "
              + ", ".join(f"{v:,} {k}" for k, v in counts.items()))  # fmt: skip
        print(f"filled {fund.store.safe_url} in {sum(took.values()):.1f} s: "
              + ", ".join(f"{k} {v:.1f} s" for k, v in took.items()))  # fmt: skip
        fund = Fund(url, KeyRing.from_env())  # the real clock from here on
        started = time.perf_counter()
        problems = check(fund, the_plan, rng)
        print(f"read 20 cases back through cases.get and money.of_case, searched their names, "
              f"verified the ledger: {'; '.join(problems) or 'all as written'} "
              f"({time.perf_counter() - started:.1f} s)")  # fmt: skip
        fund.close()
        peak_fill = status_mib("VmHWM")
        with suppress(OSError):
            Path("/proc/self/clear_refs").write_text("5")  # the peak from here on
        register = f"sqlite:///{folder / 'register.db'}"
        with Serving(Settings(db=register, fund_db=url)) as serving:
            started = time.perf_counter()
            signed = [*the_plan.of("director")[:1], *the_plan.of("finance")[:1],
                      *the_plan.of("reviewer")[:1], *the_plan.of("caseworker")[:3]]  # fmt: skip
            clients.update({name: sign_in(serving.base, name) for name in signed})
            print(f"signed in {len(clients)} staff with authenticator codes in "
                  f"{time.perf_counter() - started:.1f} s: {', '.join(signed)}")  # fmt: skip
            sql = SqlClock(serving.app.state.fund.store.engine)
            asked = kinds(the_plan, clients, args.requests, rng)
            started = time.perf_counter()
            for kind in asked:
                kind.ask(sql)
            print(f"asked {sum(len(k.asks) for k in asked):,} pages in "
                  f"{time.perf_counter() - started:.1f} s, each with Server-Timing")  # fmt: skip
            problems, took_api = through_the_api(the_plan, clients)
            print(f"the API on the filled database: {'; '.join(problems) or 'works'} "
                  f"(server time: {took_api})")  # fmt: skip
        report(asked, args.sql)
        print(f"\npeak memory of the process (filler and server in one): {peak_fill:,.0f} MiB "
              f"by the end of the fill, {status_mib('VmHWM'):,.0f} MiB while serving (the fill's "
              f"heap kept)")  # fmt: skip
    finally:
        for client in clients.values():
            client.close()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
