"""The fund over HTTP, under /fund: sign-in with a second factor, cases, reviews, screening,
money and reports, each answer cut to what the signed-in role may see. Every unsafe request
must come from this site's own pages (Origin or Referer naming this host), and the session
cookie is HttpOnly and SameSite=Strict."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from belwatch import sessions
from belwatch.api.deps import get_store
from belwatch.api.match import get_matcher
from belwatch.exc import ConfigError, Forbidden, Unauthenticated
from belwatch.fund import cases, money, screening, staff
from belwatch.fund.core import Fund
from belwatch.fund.crypto import KeyRing
from belwatch.match.service import Matcher
from belwatch.register.records import Repression
from belwatch.store import Store

router = APIRouter(prefix="/fund", tags=["Democracy fund"])
COOKIE = "belwatch_fund"


def get_fund(request: Request) -> Fund:
    fund: Fund | None = getattr(request.app.state, "fund", None)
    if fund is None:
        settings = request.app.state.settings
        fund = request.app.state.fund = Fund(settings.fund_url, KeyRing.from_env())
    return fund


FundDep = Annotated[Fund, Depends(get_fund)]


def same_site(request: Request) -> None:
    """Unsafe requests only from this site's pages: a browser always says where a request
    comes from, and a page elsewhere cannot make a staff member's browser act. "This site"
    is the origin set in BELWATCH_FUND_ORIGIN, else the host the request was sent to."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    sender = urlsplit(request.headers.get("origin") or request.headers.get("referer") or "")
    origin = configured_origin(request)
    if origin is not None:
        allowed = f"{sender.scheme}://{sender.netloc}".lower() == origin
    else:
        hosts = {request.headers.get(h, "").lower() for h in ("host", "x-forwarded-host")}
        allowed = sender.netloc.lower() in hosts - {""}
    if not allowed:
        raise Forbidden("requests to the fund come from the fund's own pages only")


def configured_origin(request: Request) -> str | None:
    """BELWATCH_FUND_ORIGIN, when set: the one origin the fund answers unsafe requests from
    and makes passkeys for, whatever Host a proxy passes on."""
    settings = getattr(request.app.state, "settings", None)
    origin: str | None = getattr(settings, "fund_origin", None)
    return origin


def _token(request: Request) -> str | None:
    return request.cookies.get(COOKIE) or None


def signed_in(request: Request, fund: FundDep) -> staff.Signed:
    """The signed-in staff member, whose session has proven the second factor."""
    found = _signed(request, fund)
    if not found.mfa:
        if found.staff.role == "admin":
            raise Forbidden("admins prove a passkey (/fund/mfa/webauthn/...) before anything else")
        raise Forbidden("set up your second factor first (/fund/mfa/totp/start)")
    return found


def _signed(request: Request, fund: Fund) -> staff.Signed:
    token = _token(request)
    found = staff.session(fund, token) if token else None
    if found is None:
        raise Unauthenticated("sign in to the fund")
    return found


Signed = Annotated[staff.Signed, Depends(signed_in)]
guarded = [Depends(same_site)]


def _officials(request: Request, store: Store) -> screening.Officials:
    repository = Repression(store)
    stamp = repository.stamp()
    kept = getattr(request.app.state, "fund_officials", None)
    if kept is None or kept[0] != stamp:
        kept = request.app.state.fund_officials = (stamp, screening.Officials(repository))
    officials: screening.Officials = kept[1]
    return officials


# --- signing in ---------------------------------------------------------------------------


def open_session(
    request: Request, response: Response, fund: Fund, name: str, password: str, code: str
) -> str | None:
    """Sign in and set the session cookie; None alike for every refusal. A session the
    browser brought along is ended first: none is carried across a sign-in."""
    from belwatch.web.signin import client_address

    old = _token(request)
    if old:
        staff.sign_out(fund, old)
    token = staff.sign_in(fund, name.strip(), password, code.strip(), client_address(request),
                          request.headers.get("user-agent", ""))  # fmt: skip
    if token is not None:
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/fund",
                            secure=request.url.scheme == "https",
                            max_age=sessions.SESSION_SECONDS)  # fmt: skip
    return token


def close_session(request: Request, response: Response, fund: Fund) -> None:
    token = _token(request)
    if token:
        staff.sign_out(fund, token)
    response.delete_cookie(COOKIE, path="/fund")


class SignIn(BaseModel):
    name: str = Field(max_length=255)
    password: str = Field(max_length=1_000)
    code: str = Field(default="", max_length=10)


@router.post("/login", dependencies=guarded)
def login(body: SignIn, request: Request, response: Response, fund: FundDep) -> dict[str, Any]:
    """Password, then the authenticator's code; one answer for every refusal."""
    token = open_session(request, response, fund, body.name, body.password, body.code)
    if token is None:
        raise Unauthenticated(staff.REFUSED)
    found = staff.session(fund, token)
    if found is not None and found.mfa:
        status = "proven"
    elif found is not None and "webauthn" in staff.factor_kinds(fund, found.staff.name):
        status = "passkey to prove"  # at /fund/mfa/webauthn/authenticate/...
    else:
        status = "to set up"
    return {"signed_in": True, "second_factor": status}


@router.post("/logout", dependencies=guarded)
def logout(request: Request, response: Response, fund: FundDep) -> dict[str, Any]:
    close_session(request, response, fund)
    return {"signed_in": False}


@router.post("/mfa/totp/start", dependencies=guarded)
def totp_start(request: Request, fund: FundDep) -> dict[str, str]:
    secret, uri = staff.start_totp(fund, _signed(request, fund))
    return {"secret": secret, "uri": uri}


@router.post("/mfa/totp/confirm", dependencies=guarded)
def totp_confirm(
    request: Request, fund: FundDep, code: Annotated[str, Body(embed=True, max_length=10)]
) -> dict[str, Any]:
    staff.confirm_totp(fund, _signed(request, fund), code.strip())
    return {"second_factor": "proven"}


class Proof(BaseModel):
    password: str = Field(max_length=1_000)
    code: str = Field(max_length=10)


@router.post("/reauth", dependencies=guarded)
def reauth(body: Proof, request: Request, who: Signed, fund: FundDep) -> dict[str, Any]:
    from belwatch.web.signin import client_address

    if not staff.reauthenticate(fund, who, body.password, body.code.strip(),
                                client_address(request)):  # fmt: skip
        raise Unauthenticated(staff.REFUSED)
    return {"reauthenticated": True}


# --- staff --------------------------------------------------------------------------------


class NewStaff(BaseModel):
    name: str = Field(min_length=1, max_length=255)
    role: str = Field(max_length=16)
    password: str = Field(max_length=1_000)


@router.get("/api/staff")
def staff_list(who: Signed, fund: FundDep) -> list[dict[str, Any]]:
    return staff.listing(fund, who.staff)


@router.post("/api/staff", dependencies=guarded)
def staff_add(body: NewStaff, who: Signed, fund: FundDep) -> dict[str, str]:
    staff.add(fund, who.staff, body.name.strip(), body.password, body.role)
    return {"name": body.name.strip(), "role": body.role}


@router.post("/api/staff/{name}/disable", dependencies=guarded)
def staff_disable(name: str, who: Signed, fund: FundDep) -> dict[str, str]:
    staff.set_disabled(fund, who.staff, name, True)
    return {"name": name, "state": "disabled"}


@router.post("/api/staff/{name}/reset-factors", dependencies=guarded)
def staff_reset_factors(name: str, who: Signed, fund: FundDep) -> dict[str, Any]:
    """A lost phone or key: the person's factors go, their sessions end, and they set a
    factor up again at the next sign-in."""
    return {"name": name, "factors_removed": staff.reset_factors(fund, who.staff, name)}


@router.post("/api/sessions/{session_id}/end", dependencies=guarded)
def session_end(session_id: str, who: Signed, fund: FundDep) -> dict[str, bool]:
    return {"ended": staff.end_session(fund, who.staff, session_id)}


# --- programmes and cases -----------------------------------------------------------------


class Programme(BaseModel):
    id: str = Field(pattern=r"^[a-z0-9-]{1,64}$")
    name: str = Field(max_length=255)
    kind: str = Field(max_length=32)
    currency: str = Field(min_length=3, max_length=3)
    budget: int = Field(ge=0)


@router.post("/api/programmes", dependencies=guarded)
def programme_add(body: Programme, who: Signed, fund: FundDep) -> dict[str, str]:
    cases.add_programme(fund, who.staff, body.id, body.name, body.kind, body.currency,
                        body.budget)  # fmt: skip
    return {"id": body.id}


class QuestionIn(BaseModel):
    id: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    label: str = Field(max_length=500)
    identity: bool = True  # secret unless said otherwise
    required: bool = False


class Round(BaseModel):
    id: str = Field(pattern=r"^[a-z0-9-]{1,64}$")
    name: str = Field(max_length=255)
    opens: date
    closes: date
    questions: list[QuestionIn] = Field(max_length=50)


@router.post("/api/programmes/{programme}/rounds", dependencies=guarded)
def round_add(programme: str, body: Round, who: Signed, fund: FundDep) -> dict[str, str]:
    """A call for applications with its own form; answers to questions marked identity
    (the default) are encrypted."""
    questions = [cases.Question(q.id, q.label, q.identity, q.required) for q in body.questions]
    cases.add_round(fund, who.staff, body.id, programme, body.name, body.opens, body.closes,
                    questions)  # fmt: skip
    return {"id": body.id}


class Identity(BaseModel):
    names: list[str] = Field(min_length=1, max_length=10)
    birth_date: str = Field(default="", max_length=10)
    contacts: list[str] = Field(default_factory=list, max_length=10)
    address: str = Field(default="", max_length=1_000)
    documents: list[str] = Field(default_factory=list, max_length=10)


class Application(BaseModel):
    programme: str = Field(max_length=64)
    kind: str = Field(default="person", max_length=8)
    identity: Identity
    country: str = Field(default="", max_length=2)
    answers: dict[str, str] = Field(default_factory=dict, max_length=50)
    requested: int = Field(default=0, ge=0)
    round: str | None = Field(default=None, max_length=64)


@router.post("/api/cases", dependencies=guarded)
def case_create(body: Application, who: Signed, fund: FundDep) -> dict[str, str]:
    found = cases.intake(fund, who.staff, body.programme, body.identity.model_dump(),
                         kind=body.kind, country=body.country, answers=body.answers,
                         requested=body.requested, round_id=body.round)  # fmt: skip
    return {"id": found}


@router.get("/api/cases")
def case_list(
    who: Signed,
    fund: FundDep,
    state: Annotated[str | None, Query(max_length=24)] = None,
    programme: Annotated[str | None, Query(max_length=64)] = None,
    q: Annotated[str, Query(max_length=200)] = "",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """The cases the role may see, without identities; a caseworker may search their own
    by name, in any script."""
    total, found = cases.listing(fund, who.staff, state=state, programme=programme, q=q,
                                 limit=limit, offset=offset)  # fmt: skip
    return {"total": total, "limit": limit, "offset": offset, "results": found}


@router.get("/api/cases/{case_id}")
def case_get(case_id: str, who: Signed, fund: FundDep) -> dict[str, Any]:
    found = cases.get(fund, who.staff, case_id)
    found["disbursements"] = money.of_case(fund, who.staff, case_id)
    found["screenings"] = screening.results(fund, who.staff, case_id)
    return found


@router.post("/api/cases/{case_id}/transition", dependencies=guarded)
def case_transition(
    case_id: str,
    who: Signed,
    fund: FundDep,
    to: Annotated[str, Body(max_length=24)],
    note: Annotated[str, Body(max_length=5_000)] = "",
) -> dict[str, str]:
    cases.transition(fund, who.staff, case_id, to, note)
    return {"id": case_id, "state": to}


@router.post("/api/cases/{case_id}/assign", dependencies=guarded)
def case_assign(
    case_id: str, who: Signed, fund: FundDep, assignee: Annotated[str, Body(embed=True)]
) -> dict[str, str]:
    cases.assign(fund, who.staff, case_id, assignee)
    return {"id": case_id, "assignee": assignee}


class Review(BaseModel):
    score: int = Field(ge=1, le=5)
    recommendation: str = Field(max_length=16)
    comment: str = Field(default="", max_length=5_000)


@router.post("/api/cases/{case_id}/reviews", dependencies=guarded)
def case_review(case_id: str, body: Review, who: Signed, fund: FundDep) -> dict[str, str]:
    cases.review(fund, who.staff, case_id, body.score, body.recommendation, body.comment)
    return {"id": case_id}


@router.post("/api/cases/{case_id}/notes", dependencies=guarded)
def case_note(
    case_id: str, who: Signed, fund: FundDep, text: Annotated[str, Body(embed=True)]
) -> dict[str, str]:
    cases.note(fund, who.staff, case_id, text)
    return {"id": case_id}


@router.post("/api/cases/{case_id}/step", dependencies=guarded)
def case_step(case_id: str, who: Signed, fund: FundDep) -> dict[str, str]:
    return {"id": case_id, "step": cases.next_step(fund, who.staff, case_id)}


@router.post("/api/cases/{case_id}/link", dependencies=guarded)
def case_link(
    case_id: str,
    who: Signed,
    fund: FundDep,
    store: Annotated[Store, Depends(get_store)],
    record: Annotated[str, Body(embed=True, max_length=255)],
) -> dict[str, str]:
    """Tie the case to a record of the repression register that an editor may see."""
    from belwatch.register.records import Actor

    Repression(store).get(Actor(f"fund: {who.staff.name}", "editor"), record)
    cases.link(fund, who.staff, case_id, record)
    return {"id": case_id, "repression_record": record}


@router.get("/api/cases/{case_id}/duplicates")
def case_duplicates(case_id: str, who: Signed, fund: FundDep) -> list[dict[str, Any]]:
    return cases.duplicates(fund, who.staff, case_id)


@router.post("/api/cases/{case_id}/screen", dependencies=guarded)
def case_screen(
    case_id: str,
    request: Request,
    who: Signed,
    fund: FundDep,
    matcher: Annotated[Matcher, Depends(get_matcher)],
    store: Annotated[Store, Depends(get_store)],
) -> dict[str, Any]:
    found = screening.screen_applicant(fund, who.staff, case_id, matcher,
                                       _officials(request, store))  # fmt: skip
    return {"result": found.result, "sanctions": found.sanctions, "officials": found.officials}


@router.get("/api/cases/{case_id}/export")
def case_export(case_id: str, who: Signed, fund: FundDep) -> dict[str, Any]:
    """Everything of one's own case, identity included: asks for password and code again
    within five minutes, and is written to the ledger."""
    if not who.recent(fund.clock()):
        raise Forbidden("enter your password and code again (/fund/reauth) before exporting")
    from belwatch.fund import policy

    found = cases.get(fund, who.staff, case_id)
    if "identity" not in found:
        raise Forbidden("only the caseworker the case is assigned to may export it")
    policy.check(who.staff, "case.export", policy.CaseScope(found["state"], found["assignee"]))
    with fund.store.engine.begin() as conn:
        fund.log(conn, who.staff, "case.export", f"case:{case_id}")
    return found


class Payment(BaseModel):
    amount: int = Field(gt=0)
    currency: str = Field(min_length=3, max_length=3)
    purpose: str = Field(max_length=32)
    payee: dict[str, str] = Field(max_length=5)


@router.post("/api/cases/{case_id}/disbursements", dependencies=guarded)
def disbursement_propose(
    case_id: str,
    body: Payment,
    request: Request,
    who: Signed,
    fund: FundDep,
    matcher: Annotated[Matcher, Depends(get_matcher)],
    store: Annotated[Store, Depends(get_store)],
) -> dict[str, Any]:
    """Propose a payment; its payee is screened at once."""
    found = money.propose(fund, who.staff, case_id, body.amount, body.currency, body.purpose,
                          body.payee)  # fmt: skip
    result = screening.screen_payee(fund, who.staff, found, matcher, _officials(request, store))
    return {"id": found, "payee_screening": result.result}


@router.post("/api/disbursements/{disbursement_id}/{decision}", dependencies=guarded)
def disbursement_decide(
    disbursement_id: str, decision: str, who: Signed, fund: FundDep
) -> dict[str, Any]:
    if decision in ("approve", "reject"):
        money.decide(fund, who.staff, disbursement_id, decision == "approve")
        return {"id": disbursement_id, "state": decision + "d"}
    if decision == "paid":
        return {"id": disbursement_id, "state": "paid",
                "payee": money.pay(fund, who.staff, disbursement_id)}  # fmt: skip
    raise ConfigError("approve, reject or paid")


@router.get("/api/reports")
def reports(who: Signed, fund: FundDep) -> list[dict[str, Any]]:
    return money.report(fund, who.staff)


@router.get("/api/reminders")
def reminders(who: Signed, fund: FundDep) -> list[dict[str, Any]]:
    """Cases past their deadline that the role sees."""
    return cases.overdue(fund, who.staff, fund.clock().date())


@router.get("/api/ledger")
def ledger_entries(
    who: Signed, fund: FundDep, after: Annotated[int | None, Query(ge=0)] = None
) -> dict[str, Any]:
    from belwatch.fund import ledger, policy

    policy.check(who.staff, "ledger.read")
    found = ledger.entries(fund.store, after=after)
    return {"entries": [asdict(e) for e in found], "problems": ledger.verify(fund.store)}
