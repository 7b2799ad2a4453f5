"""The fund end to end over HTTP, on SQLite and PostgreSQL: every role against every
endpoint on cases of its own and of others (the authorisation matrix, zero unexpected
allows), the workflow, four eyes on money, screening, and the attacks a security service
would try: reading other cases by id, forged requests, session fixation, guessing
passwords, rewriting the audit log, and looking for names in logs and at rest."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from followthemoney import model
from sqlalchemy import text
from sqlalchemy.engine import make_url

from belwatch import sessions
from belwatch.api import create_app
from belwatch.fund import cases, money, screening, totp
from belwatch.fund import staff as fund_staff
from belwatch.fund.core import Fund, Staff
from belwatch.fund.crypto import KeyRing
from belwatch.match.service import Matcher
from belwatch.register.records import Actor, Change, Repression
from belwatch.settings import Settings
from belwatch.store import Store

from conftest import Clock
from test_passkeys import SoftAuthenticator

ORIGIN = {"origin": "http://testserver"}
PASSWORD = "a long staff password"
APPLICANT = "Сяргей Ціханоўскі"  # written as a caseworker would; screened and encrypted
ROLES = ("admin", "caseworker", "caseworker2", "reviewer", "finance", "finance2", "director")


@dataclass
class Office:
    """The fund's staff, each with a signed-in client, on one database."""

    fund: Fund
    clock: Clock
    app: Any
    clients: dict[str, TestClient] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    passkeys: dict[str, SoftAuthenticator] = field(default_factory=dict)
    staff: dict[str, Staff] = field(default_factory=dict)

    def code(self, name: str) -> str:
        self.clock.tick()
        return totp.code(self.secrets[name], self.clock.now)

    def client(self) -> TestClient:
        client = TestClient(self.app)
        client.headers.update(ORIGIN)
        return client


@pytest.fixture(scope="module")
def register(real_store_copy: Store) -> Iterator[tuple[Store, Matcher, str]]:
    """The sanctions register, with one public case in the repression register."""
    person = model.make_entity("Person")
    person.id = "rr-person-test"
    person.add("name", "Публичная Персона")
    Repression(real_store_copy).write(Actor("E", "editor"), [Change(person, "public")])
    yield real_store_copy, Matcher(real_store_copy), person.id


@pytest.fixture
def office(
    store_url: str, register: tuple[Store, Matcher, str], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Office]:  # fmt: skip
    monkeypatch.setenv("BELWATCH_FUND_KEYS", KeyRing.generate())
    clock = Clock()
    fund = Fund(store_url, KeyRing.from_env(), clock=clock)
    store, matcher, _ = register
    app = create_app(Settings(db=store.url), store=store)
    app.state.matcher, app.state.fund = matcher, fund
    found = Office(fund, clock, app)
    fund_staff.add(fund, None, "admin", PASSWORD, "admin")
    for name in ROLES:
        role = name.rstrip("2")
        if name != "admin":
            fund_staff.add(fund, Staff("admin", "admin"), name, PASSWORD, role)
        found.staff[name] = Staff(name, role)
        client = found.client()
        signed = client.post("/fund/login", json={"name": name, "password": PASSWORD})
        assert signed.status_code == 200 and signed.json()["second_factor"] == "to set up"
        if role == "admin":  # admins prove a passkey, everyone else a code
            key = found.passkeys[name] = SoftAuthenticator()
            options = client.post("/fund/mfa/webauthn/register/begin").json()
            confirmed = client.post("/fund/mfa/webauthn/register/finish",
                                    json={"credential": key.create(options)})  # fmt: skip
        else:
            started = client.post("/fund/mfa/totp/start").json()
            found.secrets[name] = started["secret"]
            confirmed = client.post("/fund/mfa/totp/confirm", json={"code": found.code(name)})
        assert confirmed.status_code == 200, confirmed.text
        found.clients[name] = client
    cases.add_programme(fund, found.staff["admin"], "support", "Victims and families", "victims",
                        "EUR", 10_000_000)  # fmt: skip
    cases.add_programme(fund, found.staff["admin"], "relocation", "Journalists relocating",
                        "relocation", "EUR", 10_000_000)  # fmt: skip
    yield found
    for client in found.clients.values():
        client.close()
    fund.close()


def new_case(office: Office, state: str, programme: str = "support", proposed: str = "") -> str:
    """A case of `caseworker` brought to `state` through the workflow itself."""
    s = office.staff
    case = cases.intake(office.fund, s["caseworker"], programme,
                        {"names": [APPLICANT], "contacts": ["+375 29 000 00 00"]},
                        country="PL", requested=50_000)  # fmt: skip
    path = ["eligibility", "assessment", "review", "decision", "disbursement", "followup",
            "closed"]  # fmt: skip
    movers = {"eligibility": "caseworker", "assessment": "caseworker", "review": "caseworker",
              "decision": "director", "disbursement": "director", "followup": "finance",
              "closed": "caseworker"}  # fmt: skip
    for step in path[: path.index(state) + 1] if state != "intake" else []:
        if step == "decision":
            cases.review(office.fund, s["reviewer"], case, 4, "approve")
        cases.transition(office.fund, s[movers[step]], case, step)
    return case


def proposed_payment(office: Office, case: str, state: str = "proposed") -> str:
    """A payment proposed by `finance`, its payee screened, and approved if asked."""
    payment = money.propose(office.fund, office.staff["finance"], case, 20_000, "EUR", "support",
                            {"name": "Ivan Payee", "account": "PL00 1234"})  # fmt: skip
    store, matcher = office.app.state.store, office.app.state.matcher
    screening.screen_payee(office.fund, office.staff["finance"], payment, matcher,
                           screening.Officials(Repression(store)))  # fmt: skip
    if state == "approved":
        money.decide(office.fund, office.staff["director"], payment, True)
    return payment


# Every endpoint, the state its case must be in, and who may use it. "caseworker" is the
# one the case is assigned to; "caseworker2" another. Written out by hand from the rules of
# the fund, not from the code's policy table. {case}, {proposed} and {approved} are filled
# in with a fresh case and payment for each try.
PAYEE = {"name": "P", "account": "A"}
MATRIX: list[tuple[str, str, str, str, dict[str, Any] | None, set[str]]] = [
    ("read a case", "review", "GET", "/cases/{case}", None,
     {"caseworker", "admin", "director", "reviewer"}),
    ("read a case in payment", "disbursement", "GET", "/cases/{case}", None,
     {"caseworker", "admin", "director", "finance", "finance2"}),
    ("find duplicates", "intake", "GET", "/cases/{case}/duplicates", None, {"caseworker"}),
    ("add a note", "intake", "POST", "/cases/{case}/notes", {"text": "called"}, {"caseworker"}),
    ("screen", "intake", "POST", "/cases/{case}/screen", None, {"caseworker"}),
    ("link", "intake", "POST", "/cases/{case}/link", {"record": "rr-person-test"},
     {"caseworker"}),
    ("export", "intake", "GET", "/cases/{case}/export", None, {"caseworker"}),
    ("eligibility", "intake", "POST", "/cases/{case}/transition", {"to": "eligibility"},
     {"caseworker"}),
    ("assign", "intake", "POST", "/cases/{case}/assign", {"assignee": "caseworker2"},
     {"admin", "director"}),
    ("review", "review", "POST", "/cases/{case}/reviews",
     {"score": 3, "recommendation": "approve"}, {"reviewer"}),
    ("to decision", "reviewed", "POST", "/cases/{case}/transition", {"to": "decision"},
     {"reviewer", "director"}),
    ("decide", "decision", "POST", "/cases/{case}/transition", {"to": "disbursement"},
     {"director"}),
    ("propose a payment", "disbursement", "POST", "/cases/{case}/disbursements",
     {"amount": 100, "currency": "EUR", "purpose": "support", "payee": PAYEE},
     {"finance", "finance2"}),
    ("approve a payment", "disbursement", "POST", "/disbursements/{proposed}/approve", None,
     {"finance2", "director"}),
    ("pay", "disbursement", "POST", "/disbursements/{approved}/paid", None,
     {"finance", "finance2"}),
    ("relocation step", "relocation", "POST", "/cases/{case}/step", None, {"caseworker"}),
    ("reports", "none", "GET", "/reports", None, {"admin", "director", "finance", "finance2"}),
    ("ledger", "none", "GET", "/ledger", None, {"admin"}),
    ("list staff", "none", "GET", "/staff", None, {"admin"}),
    ("add staff", "none", "POST", "/staff", {"role": "reviewer", "password": PASSWORD},
     {"admin"}),
    ("add a programme", "none", "POST", "/programmes",
     {"name": "P", "kind": "civil", "currency": "EUR", "budget": 1}, {"admin"}),
    ("take an application", "none", "POST", "/cases",
     {"programme": "support", "identity": {"names": ["Someone"]}},
     {"caseworker", "caseworker2"}),
    ("open a round", "none", "POST", "/programmes/support/rounds",
     {"name": "R", "opens": "2026-01-01", "closes": "2026-02-01", "questions": []}, {"admin"}),
    ("list documents", "intake", "GET", "/cases/{case}/uploads", None, {"caseworker"}),
    ("reminders", "none", "GET", "/reminders", None, set(ROLES)),
    ("disable staff", "none", "POST", "/staff/{staff}/disable", None, {"admin"}),
    ("reset factors", "none", "POST", "/staff/{staff}/reset-factors", None, {"admin"}),
    ("end a session", "none", "POST", "/sessions/{session}/end", None, {"admin"}),
    ("list one's passkeys", "none", "GET", "/passkeys", None, set(ROLES)),
    ("rename one's passkey", "none", "POST", "/passkeys/{own_passkey}/rename",
     {"label": "renamed"}, set(ROLES)),
    ("remove one's passkey", "none", "POST", "/passkeys/{own_passkey}/remove", None, set(ROLES)),
    ("rename another's passkey", "none", "POST", "/passkeys/{their_passkey}/rename",
     {"label": "mine now"}, set()),
    ("remove another's passkey", "none", "POST", "/passkeys/{their_passkey}/remove", None,
     set()),
]  # fmt: skip
NO_PASSKEY = "0123456789abcdef01234567"


def prepare(office: Office, state: str) -> str:
    if state == "none":
        return ""
    if state == "reviewed":
        case = new_case(office, "review")
        cases.review(office.fund, office.staff["reviewer"], case, 4, "approve")
        return case
    if state == "relocation":
        return new_case(office, "disbursement", programme="relocation")
    return new_case(office, state)


def fresh(office: Office, actor: str) -> TestClient:
    """The actor's client, having proven a factor again just now (as changing factors asks):
    the passkey for admins, password and code for everyone else."""
    client = office.clients[actor]
    if actor in office.passkeys:
        options = client.post("/fund/mfa/webauthn/authenticate/begin").json()
        credential = office.passkeys[actor].get(options)
        done = client.post("/fund/mfa/webauthn/authenticate/finish",
                           json={"credential": credential})  # fmt: skip
    else:
        done = client.post("/fund/reauth", json={"password": PASSWORD,
                                                 "code": office.code(actor)})  # fmt: skip
    assert done.status_code == 200, done.text
    return client


def new_passkey(client: TestClient) -> str:
    """A passkey added by a client allowed to add one; its id."""
    options = client.post("/fund/mfa/webauthn/register/begin").json()
    made = client.post("/fund/mfa/webauthn/register/finish", json={
        "credential": SoftAuthenticator().create(options), "label": "matrix"})  # fmt: skip
    assert made.status_code == 200, made.text
    passkey: str = made.json()["passkey"]
    return passkey


def passkey_of(office: Office, name: str) -> str:
    """A new staff member's first passkey: someone else's, for the actor."""
    fund_staff.add(office.fund, None, name, PASSWORD, "reviewer")
    client = office.client()
    assert client.post("/fund/login", json={"name": name, "password": PASSWORD}).status_code == 200
    return new_passkey(client)


def test_the_authorisation_matrix(office: Office) -> None:
    """Every role, every endpoint, own and others' cases: no unexpected allow or refusal."""
    unexpected = []
    for number, (name, state, method, path, body, allowed) in enumerate(MATRIX):
        for actor in (*ROLES, "nobody"):
            case = prepare(office, state)
            target = f"target {number} {actor}"
            if "{staff}" in path or "{session}" in path:
                fund_staff.add(office.fund, None, target, PASSWORD, "reviewer")
            session = (sessions.token_id(sessions.start(office.fund.store, Actor(target, "viewer")))
                       if "{session}" in path else "")  # fmt: skip
            own = their = ""
            if "{own_passkey}" in path:
                own = (new_passkey(fresh(office, actor)) if actor in office.clients
                       else passkey_of(office, target))  # fmt: skip
            if "{their_passkey}" in path:
                their = passkey_of(office, target)
                if actor in office.clients:  # refused for whose it is, not for being stale
                    fresh(office, actor)
            filled = path.format(
                staff=target,
                session=session,
                case=case,
                proposed=proposed_payment(office, case) if "{proposed}" in path else "",
                approved=proposed_payment(office, case, "approved") if "{approved}" in path else "",
                own_passkey=own,
                their_passkey=their,
            )
            sent = dict(body) if body is not None else None
            if name == "add staff" and sent is not None:
                sent["name"] = f"new {number} {actor}"
            if name == "open a round" and sent is not None:
                sent["id"] = f"r-{number}-{actor}"
            if name == "add a programme" and sent is not None:
                sent["id"] = f"p-{number}-{actor}"
            client = office.clients.get(actor) or office.client()
            office.clock.tick(1)
            got = client.request(method, "/fund/api" + filled, json=sent)
            ok = got.status_code < 400
            if ok != (actor in allowed):
                unexpected.append(f"{name} by {actor}: {got.status_code} {got.text[:160]}")
            elif actor == "nobody":
                assert got.status_code == 401, (name, got.text)
            elif not ok:
                assert got.status_code in (403, 404), (name, actor, got.status_code, got.text)
            if their and actor != "nobody":  # as if there were no such passkey at all
                none = client.request(method, "/fund/api" + filled.replace(their, NO_PASSKEY),
                                      json=sent)  # fmt: skip
                assert got.status_code == none.status_code == 404, (name, actor, got.text)
                assert got.json() == none.json(), (name, actor)
    assert not unexpected, "\n".join(unexpected)


def test_a_case_through_the_workflow_with_four_eyes(office: Office) -> None:
    s, fund, c = office.staff, office.fund, office.clients
    made = c["caseworker"].post("/fund/api/cases", json={
        "programme": "relocation", "identity": {"names": [APPLICANT, "Siarhei Tsikhanouski"],
                                                "contacts": ["+375 29 111 11 11"]},
        "country": "LT", "requested": 300_000,
    })  # fmt: skip
    assert made.status_code == 200, made.text
    case = made.json()["id"]
    screened = c["caseworker"].post(f"/fund/api/cases/{case}/screen").json()
    assert screened["result"] in ("clear", "possible", "match")
    for to in ("eligibility", "assessment", "review"):
        assert c["caseworker"].post(f"/fund/api/cases/{case}/transition",
                                    json={"to": to}).status_code == 200  # fmt: skip
    # The reviewer reads no identity; the caseworker does, and the read is in the ledger.
    seen = c["reviewer"].get(f"/fund/api/cases/{case}").json()
    assert "identity" not in seen and APPLICANT not in str(seen) and "contacts" not in str(seen)
    early = c["director"].post(f"/fund/api/cases/{case}/transition", json={"to": "decision"})
    assert early.status_code == 403 and "reviewed" in early.text
    review = {"score": 5, "recommendation": "approve", "comment": "urgent"}
    c["reviewer"].post(f"/fund/api/cases/{case}/reviews", json=review)
    assert c["reviewer"].post(f"/fund/api/cases/{case}/transition",
                              json={"to": "decision"}).status_code == 200  # fmt: skip
    assert c["director"].post(f"/fund/api/cases/{case}/transition",
                              json={"to": "disbursement"}).status_code == 200  # fmt: skip
    mine = c["caseworker"].get(f"/fund/api/cases/{case}").json()
    assert mine["identity"]["names"] == [APPLICANT, "Siarhei Tsikhanouski"]
    assert mine["step"] == "verification"  # a relocation case takes its own steps
    assert c["caseworker"].post(f"/fund/api/cases/{case}/step").json()["step"] == "visa_letter"
    payment = c["finance"].post(f"/fund/api/cases/{case}/disbursements", json={
        "amount": 120_000, "currency": "EUR", "purpose": "travel",
        "payee": {"name": "Baltic Air Tickets UAB", "account": "LT12 3456"}}).json()  # fmt: skip
    assert payment["payee_screening"] == "clear"
    own = c["finance"].post(f"/fund/api/disbursements/{payment['id']}/approve")
    assert own.status_code == 403 and "four eyes" in own.text
    assert c["finance2"].post(f"/fund/api/disbursements/{payment['id']}/approve").status_code == 200
    paid = c["finance"].post(f"/fund/api/disbursements/{payment['id']}/paid").json()
    assert paid["payee"]["account"] == "LT12 3456"
    # Every role lists what it may see: all cases for admins and directors, no names.
    for role in ("admin", "director"):
        listed = c[role].get("/fund/api/cases").json()
        assert listed["total"] >= 1 and APPLICANT not in str(listed)
    assert c["caseworker2"].get("/fund/api/cases").json()["total"] == 0
    # Reports: totals only.
    report = {r["programme"]: r for r in c["director"].get("/fund/api/reports").json()}
    assert report["relocation"]["money"]["paid EUR"] == 120_000
    assert report["relocation"]["countries"]["LT"] >= 1
    assert APPLICANT not in str(report) and "Baltic" not in str(report)
    # Over budget: refused.
    big = money.propose(fund, s["finance"], case, 20_000_000, "EUR", "stipend",
                        {"name": "Someone", "account": "X"})  # fmt: skip
    screening.screen_payee(fund, s["finance"], big, office.app.state.matcher,
                           screening.Officials(Repression(office.app.state.store)))  # fmt: skip
    with pytest.raises(Exception, match="budget would be exceeded"):
        money.decide(fund, s["director"], big, True)


def test_a_sanctioned_payee_is_not_paid_and_duplicates_are_found_across_scripts(
    office: Office,
) -> None:
    s, c = office.staff, office.clients
    case = new_case(office, "disbursement")
    payment = c["finance"].post(f"/fund/api/cases/{case}/disbursements", json={
        "amount": 1_000, "currency": "EUR", "purpose": "support",
        "payee": {"name": "Alexander Lukashenko", "account": "BY00"}}).json()  # fmt: skip
    assert payment["payee_screening"] == "match"
    refused = c["director"].post(f"/fund/api/disbursements/{payment['id']}/approve")
    assert refused.status_code == 403 and "sanctioned" in refused.text
    # The same person applying again in Latin script, to another caseworker.
    first = cases.intake(office.fund, s["caseworker"], "support", {"names": ["Жукаў Андрэй"]})
    second = cases.intake(office.fund, s["caseworker2"], "support", {"names": ["Andrei Zhukau"]})
    found = c["caseworker2"].get(f"/fund/api/cases/{second}/duplicates").json()
    assert [d["id"] for d in found] == [first]
    assert found[0]["assignee"] == "caseworker" and "Жукаў" not in str(found)
    # A caseworker finds their own cases by name in either script, others' not at all.
    hits = c["caseworker"].get("/fund/api/cases", params={"q": "Zhukau"}).json()
    assert [h["id"] for h in hits["results"]] == [first]
    assert c["caseworker2"].get("/fund/api/cases", params={"q": "Жукаў"}).json()["total"] == 1


def test_forged_requests_fixation_guessing_and_disabling(office: Office) -> None:
    case = new_case(office, "intake")
    cw = office.clients["caseworker"]
    # Cross-site request forgery: a page elsewhere, or no origin at all.
    for headers in ({"origin": "https://evil.example"}, {"origin": "", "referer": ""}):
        forged = cw.post(f"/fund/api/cases/{case}/notes", json={"text": "x"}, headers=headers)
        assert forged.status_code == 403 and "own pages" in forged.text
    # An id that is not one's own, or no case at all: the same answer.
    other = office.clients["caseworker2"]
    assert other.get(f"/fund/api/cases/{case}").status_code == 404
    assert other.get("/fund/api/cases/0123456789abcdef01234567").status_code == 404
    # Session fixation: an attacker's own session token planted in a victim's browser is
    # ended at the victim's sign-in, and the victim gets a token of their own.
    planted = office.clients["reviewer"].cookies.get("belwatch_fund")
    assert planted
    victim = office.client()
    victim.cookies.set("belwatch_fund", planted, domain="testserver.local", path="/fund")
    signed = victim.post("/fund/login", json={"name": "finance", "password": PASSWORD,
                                             "code": office.code("finance")})  # fmt: skip
    assert signed.status_code == 200
    assert victim.cookies.get("belwatch_fund") not in (None, planted)
    assert office.clients["reviewer"].get("/fund/api/cases").status_code == 401
    # Guessing: five failures lock the name; every refusal reads the same.
    guesser = office.client()
    answers = set()
    for _ in range(5):
        bad = guesser.post("/fund/login", json={"name": "director", "password": "guess guess",
                                                "code": "000000"})  # fmt: skip
        answers.add((bad.status_code, bad.text))
    right = guesser.post("/fund/login", json={"name": "director", "password": PASSWORD,
                                              "code": office.code("director")})  # fmt: skip
    answers.add((right.status_code, right.text))
    nobody = guesser.post("/fund/login", json={"name": "no such person", "password": PASSWORD})
    answers.add((nobody.status_code, nobody.text))
    assert len(answers) == 1 and answers.pop()[0] == 401
    # A right password with a wrong or replayed code is refused too.
    wrong = {"name": "finance", "password": PASSWORD, "code": "123456"}
    assert office.client().post("/fund/login", json=wrong).status_code == 401
    # Disabling an account ends its sessions at once.
    assert office.clients["caseworker2"].get("/fund/api/cases").status_code == 200
    done = office.clients["admin"].post("/fund/api/staff/caseworker2/disable")
    assert done.status_code == 200
    assert office.clients["caseworker2"].get("/fund/api/cases").status_code == 401


def test_mfa_is_required_and_changing_it_asks_again(office: Office) -> None:
    office.clients["admin"].post("/fund/api/staff", json={
        "name": "newcomer", "role": "reviewer", "password": PASSWORD})  # fmt: skip
    client = office.client()
    client.post("/fund/login", json={"name": "newcomer", "password": PASSWORD})
    blocked = client.get("/fund/api/cases")
    assert blocked.status_code == 403 and "second factor" in blocked.text
    # An enrolled user changing factors long after signing in must prove both again.
    office.clock.tick(600)
    again = office.clients["reviewer"].post("/fund/mfa/totp/start")
    assert again.status_code == 403 and "again" in again.text
    proof = {"password": PASSWORD, "code": office.code("reviewer")}
    assert office.clients["reviewer"].post("/fund/reauth", json=proof).status_code == 200
    assert office.clients["reviewer"].post("/fund/mfa/totp/start").status_code == 200
    # Exporting asks for it too.
    case = new_case(office, "intake")
    office.clock.tick(600)
    late = office.clients["caseworker"].get(f"/fund/api/cases/{case}/export")
    assert late.status_code == 403 and "again" in late.text


def test_a_tampered_ledger_is_detected_and_nothing_identifying_leaks(
    office: Office, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    case = new_case(office, "disbursement")
    office.clients["caseworker"].get(f"/fund/api/cases/{case}")
    office.clients["caseworker"].post(f"/fund/api/cases/{case}/notes",
                                      json={"text": "lives at Kalinouskaha 5"})  # fmt: skip
    entries = office.clients["admin"].get("/fund/api/ledger").json()
    assert entries["problems"] == []
    actions = {e["action"] for e in entries["entries"]}
    assert {"case.create", "identity.read", "case.note"} <= actions
    # Names, contacts and notes reach neither the logs, nor the ledger, nor the disk.
    for secret in (APPLICANT, "+375 29 000 00 00", "Kalinouskaha"):
        assert secret not in caplog.text and secret not in str(entries)
    url = make_url(office.fund.store.url)
    if url.get_backend_name() == "sqlite":
        raw = Path(str(url.database)).read_bytes()
        assert APPLICANT.encode() not in raw and b"Kalinouskaha" not in raw
    # Someone with database access rewrites history: the chain shows it.
    ledger_guard_off(office.fund)
    with office.fund.store.engine.begin() as conn:
        conn.execute(text("UPDATE fund_ledger SET actor = 'someone else' WHERE seq = 3"))
    problems = office.clients["admin"].get("/fund/api/ledger").json()["problems"]
    assert problems and "3" in problems[0]


def ledger_guard_off(fund: Fund) -> None:
    """Drop the triggers that keep the ledger append-only, as someone with the database's
    owner rights could."""
    sqlite = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'fund_ledger'"
    postgres = (
        "SELECT tgname FROM pg_trigger WHERE tgrelid = 'fund_ledger'::regclass AND NOT tgisinternal"
    )
    with fund.store.engine.begin() as conn:
        found = conn.execute(text(sqlite if conn.dialect.name == "sqlite" else postgres))
        for name in found.scalars().all():
            on = "" if conn.dialect.name == "sqlite" else " ON fund_ledger"
            conn.execute(text(f'DROP TRIGGER "{name}"{on}'))


def test_an_admin_resets_a_lost_factor(office: Office) -> None:
    admin, reviewer = office.clients["admin"], office.clients["reviewer"]
    assert admin.post("/fund/api/staff/admin/reset-factors").status_code == 403  # not one's own
    done = admin.post("/fund/api/staff/reviewer/reset-factors")
    assert done.status_code == 200 and done.json()["factors_removed"] == 1
    assert reviewer.get("/fund/api/cases").status_code == 401  # signed out at once
    again = office.client().post("/fund/login", json={"name": "reviewer", "password": PASSWORD})
    assert again.json()["second_factor"] == "to set up"
