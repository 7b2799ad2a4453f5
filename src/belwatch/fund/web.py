"""The fund's web pages, under /fund: signing in with a second factor, setting one up, the
cases each role may see, a case with the actions open to the one looking, and the intake
form. Pages call the same functions as the API, so the same rules hold; they are served
with Cache-Control: no-store, so that no identity stays in a browser's cache."""

from __future__ import annotations

import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import FormData

from belwatch.api.deps import get_store
from belwatch.api.match import get_matcher
from belwatch.exc import BelwatchError, ConfigError, Forbidden
from belwatch.fund import cases, money, policy, screening, staff, uploads
from belwatch.fund.api import FundDep, _officials, _token, close_session, open_session, same_site
from belwatch.fund.core import Fund
from belwatch.match.service import Matcher
from belwatch.store import Store
from belwatch.web.pages import templates

router = APIRouter(prefix="/fund", include_in_schema=False)
guarded = [Depends(same_site)]
NO_STORE = {"Cache-Control": "no-store"}


def _signed(request: Request, fund: Fund) -> staff.Signed | None:
    token = _token(request)
    return staff.session(fund, token) if token else None


def _page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Any:
    return templates.TemplateResponse(request, name, context, status_code=status,
                                      headers=NO_STORE)  # fmt: skip


def _home() -> RedirectResponse:
    return RedirectResponse("/fund", status_code=303, headers=NO_STORE)


@router.get("", response_class=HTMLResponse)
def home(request: Request, fund: FundDep) -> Any:
    """Sign in; then set up the second factor if there is none; then the cases."""
    signed = _signed(request, fund)
    if signed is None:
        return _page(request, "fund_login.html", {"error": None})
    if not signed.mfa:
        if signed.staff.role == "admin" or "webauthn" in staff.factor_kinds(
            fund, signed.staff.name
        ):
            return RedirectResponse("/fund/passkey", status_code=303, headers=NO_STORE)
        return _page(request, "fund_enrol.html", {"signed": signed, "secret": None,
                                                  "qr": None, "error": None})  # fmt: skip
    return RedirectResponse("/fund/cases", status_code=303, headers=NO_STORE)


@router.post("/sign-in", dependencies=guarded)
def sign_in(
    request: Request,
    fund: FundDep,
    name: Annotated[str, Form(max_length=255)] = "",
    password: Annotated[str, Form(max_length=1_000)] = "",
    code: Annotated[str, Form(max_length=10)] = "",
) -> Any:
    response = _home()
    if open_session(request, response, fund, name, password, code) is None:
        return _page(request, "fund_login.html", {"error": staff.REFUSED}, 401)
    return response


@router.post("/sign-out", dependencies=guarded)
def sign_out(request: Request, fund: FundDep) -> Any:
    response = _home()
    close_session(request, response, fund)
    return response


@router.post("/enrol", response_class=HTMLResponse, dependencies=guarded)
def enrol(request: Request, fund: FundDep) -> Any:
    """A new authenticator secret, shown once as a QR code and as text."""
    signed = _signed(request, fund)
    if signed is None:
        return _home()
    try:
        secret, uri = staff.start_totp(fund, signed)
    except Forbidden as exc:
        return _page(request, "fund_enrol.html", {"signed": signed, "secret": None, "qr": None,
                                                  "error": str(exc)}, 403)  # fmt: skip
    return _page(request, "fund_enrol.html", {"signed": signed, "secret": secret,
                                              "qr": _qr(uri), "error": None})  # fmt: skip


@router.post("/enrol/confirm", response_class=HTMLResponse, dependencies=guarded)
def enrol_confirm(
    request: Request, fund: FundDep, code: Annotated[str, Form(max_length=10)] = ""
) -> Any:
    signed = _signed(request, fund)
    if signed is None:
        return _home()
    try:
        staff.confirm_totp(fund, signed, code.strip())
    except Forbidden as exc:
        return _page(request, "fund_enrol.html", {"signed": signed, "secret": None, "qr": None,
                                                  "error": str(exc)}, 400)  # fmt: skip
    return _home()


def _qr(uri: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue().decode()


def _staff_or_home(request: Request, fund: Fund) -> staff.Signed | RedirectResponse:
    signed = _signed(request, fund)
    if signed is None or not signed.mfa:
        return _home()
    return signed


@router.get("/cases", response_class=HTMLResponse)
def case_list(
    request: Request,
    fund: FundDep,
    state: Annotated[str, Query(max_length=24)] = "",
    programme: Annotated[str, Query(max_length=64)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    overdue: bool = False,
) -> Any:
    signed = _staff_or_home(request, fund)
    if isinstance(signed, RedirectResponse):
        return signed
    today = fund.clock().date()
    total, found = cases.listing(fund, signed.staff, state=state or None,
                                 programme=programme or None, q=q, limit=50,
                                 offset=(page - 1) * 50,
                                 due_before=today if overdue else None)  # fmt: skip
    late, _ = cases.listing(fund, signed.staff, limit=0, due_before=today)
    context = {"signed": signed, "cases": found, "total": total, "state": state, "q": q,
               "programme": programme, "page": page, "states": policy.STATES,
               "pages": (total + 49) // 50, "overdue": overdue, "late": late}  # fmt: skip
    return _page(request, "fund_cases.html", context)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: str, fund: FundDep) -> Any:
    signed = _staff_or_home(request, fund)
    if isinstance(signed, RedirectResponse):
        return signed
    return _case(request, fund, signed, case_id, None)


def _case(
    request: Request, fund: Fund, signed: staff.Signed, case_id: str, error: str | None,
    status: int = 200,
) -> Any:  # fmt: skip
    found = cases.get(fund, signed.staff, case_id)
    found["disbursements"] = money.of_case(fund, signed.staff, case_id)
    found["screenings"] = screening.results(fund, signed.staff, case_id)
    scope = policy.CaseScope(found["state"], found["assignee"])
    role = signed.staff.role
    mine = role != "caseworker" or policy.own(signed.staff, scope)
    moves = [to for (before, to), roles in policy.TRANSITIONS.items()
             if before == found["state"] and role in roles and mine]  # fmt: skip
    own = policy.own(signed.staff, scope)
    documents = uploads.listing(fund, signed.staff, case_id) if own else []
    context = {"signed": signed, "case": found, "moves": moves, "error": error, "own": own,
               "purposes": money.PURPOSES, "documents": documents}  # fmt: skip
    return _page(request, "fund_case.html", context, status)


@router.post("/cases/{case_id}", response_class=HTMLResponse, dependencies=guarded)
async def case_action(
    request: Request,
    case_id: str,
    fund: FundDep,
    matcher: Annotated[Matcher, Depends(get_matcher)],
    store: Annotated[Store, Depends(get_store)],
) -> Any:
    """One action from the case page: the form says which."""
    signed = _staff_or_home(request, fund)
    if isinstance(signed, RedirectResponse):
        return signed
    form = await request.form()
    action = _field(form, "action", 24)
    who = signed.staff
    try:
        if action == "transition":
            cases.transition(fund, who, case_id, _field(form, "to", 24), _field(form, "note"))
        elif action == "note":
            cases.note(fund, who, case_id, _field(form, "text"))
        elif action == "review":
            cases.review(fund, who, case_id, _number(form, "score"),
                         _field(form, "recommendation", 16), _field(form, "comment"))  # fmt: skip
        elif action == "assign":
            cases.assign(fund, who, case_id, _field(form, "assignee", 255))
        elif action == "step":
            cases.next_step(fund, who, case_id)
        elif action == "screen":
            screening.screen_applicant(fund, who, case_id, matcher, _officials(request, store))
        elif action == "propose":
            payee = {"name": _field(form, "payee_name", 500),
                     "account": _field(form, "payee_account", 500)}  # fmt: skip
            amount, currency = _number(form, "amount"), _field(form, "currency", 3)
            purpose = _field(form, "purpose", 32)
            made = money.propose(fund, who, case_id, amount, currency, purpose, payee)
            screening.screen_payee(fund, who, made, matcher, _officials(request, store))
        elif action in ("approve", "reject"):
            money.decide(fund, who, _field(form, "disbursement", 32), action == "approve")
        elif action == "paid":
            money.pay(fund, who, _field(form, "disbursement", 32))
        else:
            raise ConfigError(f"no action {action!r}")
    except BelwatchError as exc:
        status = 403 if isinstance(exc, Forbidden) else 400
        return _case(request, fund, signed, case_id, str(exc), status)
    return RedirectResponse(f"/fund/cases/{case_id}", status_code=303, headers=NO_STORE)


@router.post("/cases/{case_id}/documents", response_class=HTMLResponse, dependencies=guarded)
async def case_document(
    request: Request, case_id: str, fund: FundDep, document: Annotated[UploadFile, File()]
) -> Any:
    """Attach a document from the case page (PDF, JPEG or PNG; metadata stripped)."""
    signed = _staff_or_home(request, fund)
    if isinstance(signed, RedirectResponse):
        return signed
    try:
        uploads.add(fund, signed.staff, case_id, await document.read(uploads.MAX_BYTES + 1))
    except BelwatchError as exc:
        status = 403 if isinstance(exc, Forbidden) else 400
        return _case(request, fund, signed, case_id, str(exc), status)
    return RedirectResponse(f"/fund/cases/{case_id}", status_code=303, headers=NO_STORE)


def _field(form: FormData, name: str, limit: int = 5_000) -> str:
    return str(form.get(name) or "").strip()[:limit]


def _number(form: FormData, name: str) -> int:
    value = _field(form, name, 20).replace(" ", "").replace(",", "")
    if not value.isdigit():
        raise ConfigError(f"{name} is a whole number")
    return int(value)


@router.get("/new", response_class=HTMLResponse)
def new_page(request: Request, fund: FundDep) -> Any:
    signed = _staff_or_home(request, fund)
    if isinstance(signed, RedirectResponse):
        return signed
    return _new(request, fund, signed, {}, None)


def _new(
    request: Request, fund: Fund, signed: staff.Signed, values: dict[str, str], error: str | None,
    status: int = 200,
) -> Any:  # fmt: skip
    from sqlalchemy import select

    from belwatch.fund.schema import programme_table

    with fund.store.engine.connect() as conn:
        programmes = conn.execute(select(programme_table.c.id, programme_table.c.name)).all()
    context = {"signed": signed, "programmes": programmes, "values": values, "error": error}
    return _page(request, "fund_new.html", context, status)


@router.post("/new", response_class=HTMLResponse, dependencies=guarded)
async def new_case(request: Request, fund: FundDep) -> Any:
    """Take an application in (a caseworker): the applicant's identity is encrypted."""
    signed = _staff_or_home(request, fund)
    if isinstance(signed, RedirectResponse):
        return signed
    form = await request.form()
    values = {k: _field(form, k) for k in ("programme", "names", "birth_date", "contacts",
                                           "address", "documents", "country", "requested",
                                           "needs")}  # fmt: skip
    lines = {k: [v.strip() for v in values[k].splitlines() if v.strip()]
             for k in ("names", "contacts", "documents")}  # fmt: skip
    identity: dict[str, Any] = {**lines, "birth_date": values["birth_date"],
                                "address": values["address"]}  # fmt: skip
    try:
        requested = int(values["requested"] or 0)
        answers = {"needs": values["needs"]} if values["needs"] else None
        made = cases.intake(fund, signed.staff, values["programme"], identity,
                            country=values["country"][:2], requested=requested,
                            answers=answers)  # fmt: skip
    except ValueError:
        return _new(request, fund, signed, values, "The amount is a whole number.", 400)
    except BelwatchError as exc:
        return _new(request, fund, signed, values, str(exc),
                    403 if isinstance(exc, Forbidden) else 400)  # fmt: skip
    return RedirectResponse(f"/fund/cases/{made}", status_code=303, headers=NO_STORE)
