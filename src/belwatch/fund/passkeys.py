"""Passkeys (WebAuthn) as the fund's second factor: what admins must prove (ASVS level 3),
and open to every other staff member beside TOTP. The key never leaves its device and
signs only for this site's name, so a look-alike page can neither ask for nor relay it.

A session signed in with the password may add the account's first factor as a passkey;
an account that has a factor of any kind adds one only within five minutes of proving a
factor again. Challenges are random, single-use, tied to the session that asked for them
and good for five minutes; they are kept in this process, as sessions are kept by the
server: a fund served by several processes needs each session sent to one of them.

The relying party is the host the request was sent to (its name is the RP id, the page's
scheme and host the origin)."""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field
from sqlalchemy import Row, insert, select, update
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    parse_authentication_credential_json,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from belwatch.exc import Conflict, Forbidden, Unauthenticated
from belwatch.fund import api, staff
from belwatch.fund.core import Fund, new_id
from belwatch.fund.schema import factor_table

CHALLENGE_LIFE = timedelta(minutes=5)
RP_NAME = "belwatch fund"
BROWSER_TIMEOUT_MS = 120_000
# What a malformed or hostile response raises while being parsed or checked.
REFUSALS = (WebAuthnException, ValueError, TypeError, KeyError, IndexError)

router = APIRouter(prefix="/fund", tags=["Democracy fund"])
guarded = [Depends(api.same_site)]


@dataclass(frozen=True)
class Party:
    """The relying party a browser signs for: the host's name, and the page's origin."""

    id: str
    origin: str


def party(request: Request) -> Party:
    """The site as the browser saw it (behind a proxy that rewrites Host, X-Forwarded-Host)."""
    host = request.headers.get("x-forwarded-host") or request.headers.get("host") or ""
    host = host.split(",")[0].strip().lower()
    name = urlsplit(f"//{host}").hostname if host else None
    if not name:
        raise Forbidden("passkeys need the site's host name")
    return Party(name, f"{request.url.scheme}://{host}")


class Pending:
    """Challenges handed out and not yet answered: one per session and ceremony, taken
    (and so used up) by the first answer, right or wrong."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[tuple[str, str], tuple[bytes, datetime]] = {}

    def put(self, session: str, ceremony: str, now: datetime) -> bytes:
        challenge = secrets.token_bytes(32)
        with self._lock:
            for key in [k for k, (_, until) in self._items.items() if until < now]:
                del self._items[key]
            self._items[(session, ceremony)] = (challenge, now + CHALLENGE_LIFE)
        return challenge

    def take(self, session: str, ceremony: str, now: datetime) -> bytes | None:
        with self._lock:
            found = self._items.pop((session, ceremony), None)
        if found is None or found[1] < now:
            return None
        return found[0]


PENDING = Pending()


def _rows(fund: Fund, name: str) -> list[Row[Any]]:
    t = factor_table
    query = (select(t).where(t.c.staff == name, t.c.kind == "webauthn")
             .order_by(t.c.created_at, t.c.id))  # fmt: skip
    with fund.store.engine.connect() as conn:
        return list(conn.execute(query).all())


def listing(fund: Fund, name: str) -> list[dict[str, Any]]:
    """An account's passkeys as its owner sees them: label and when added."""
    return [{"id": r.id, "label": r.label, "created_at": r.created_at} for r in _rows(fund, name)]


def _descriptors(rows: list[Row[Any]]) -> list[PublicKeyCredentialDescriptor]:
    return [PublicKeyCredentialDescriptor(id=base64url_to_bytes(r.credential_id)) for r in rows]


def _user_handle(fund: Fund, name: str) -> bytes:
    """A keyed hash of the name: the same for every passkey of the account, no name in it."""
    return bytes.fromhex(fund.ring.blind("webauthn-user", name))


def may_add(fund: Fund, signed: staff.Signed) -> bool:
    """A first factor right after the password; another only after proving one again."""
    return not staff.factor_kinds(fund, signed.staff.name) or signed.recent(fund.clock())


def _check_may_add(fund: Fund, signed: staff.Signed) -> None:
    if not may_add(fund, signed):
        raise Forbidden("prove your passkey or code again before adding a passkey")


def registration_options(fund: Fund, signed: staff.Signed, site: Party) -> dict[str, Any]:
    """What navigator.credentials.create() needs to make a passkey for this account."""
    _check_may_add(fund, signed)
    name = signed.staff.name
    options = generate_registration_options(
        rp_id=site.id,
        rp_name=RP_NAME,
        user_name=name,
        user_id=_user_handle(fund, name),
        challenge=PENDING.put(signed.session, "register", fund.clock()),
        timeout=BROWSER_TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=_descriptors(_rows(fund, name)),
    )
    found: dict[str, Any] = json.loads(options_to_json(options))
    return found


def register(
    fund: Fund, signed: staff.Signed, site: Party, credential: dict[str, Any], label: str
) -> str:
    """Check the browser's answer to the registration challenge and keep the passkey (its
    public key and counter); the session counts as proven by it. The new factor's id."""
    challenge = PENDING.take(signed.session, "register", fund.clock())
    _check_may_add(fund, signed)
    if challenge is None:
        raise _refused(fund, signed, "register", "no challenge open for this session, or it "
                       "expired or was used: start again")  # fmt: skip
    try:
        made = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=site.id,
            expected_origin=site.origin,
            require_user_verification=True,
        )
    except REFUSALS as exc:
        raise _refused(fund, signed, "register", str(exc)) from None
    credential_id = bytes_to_base64url(made.credential_id)
    factor = new_id()
    t = factor_table
    with fund.store.engine.begin() as conn:
        taken = select(t.c.id).where(t.c.kind == "webauthn", t.c.credential_id == credential_id)
        if conn.execute(taken).first() is not None:
            raise Conflict("that passkey is registered already")
        conn.execute(insert(t).values(
            id=factor, staff=signed.staff.name, kind="webauthn",
            label=label.strip()[:100] or "passkey",
            credential_id=credential_id, public_key=made.credential_public_key,
            sign_count=made.sign_count, last_step=0, created_at=fund.clock(),
        ))  # fmt: skip
        fund.log(conn, signed.staff, "mfa.passkey.add", f"staff:{signed.staff.name}",
                 f"factor:{factor}")  # fmt: skip
        staff.prove(fund, signed, "webauthn", conn, f"factor:{factor}")
    return factor


def authentication_options(fund: Fund, signed: staff.Signed, site: Party) -> dict[str, Any]:
    """What navigator.credentials.get() needs to prove one of the account's passkeys."""
    rows = _rows(fund, signed.staff.name)
    if not rows:
        raise Forbidden("this account has no passkey yet: add one first")
    options = generate_authentication_options(
        rp_id=site.id,
        challenge=PENDING.put(signed.session, "authenticate", fund.clock()),
        timeout=BROWSER_TIMEOUT_MS,
        allow_credentials=_descriptors(rows),
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    found: dict[str, Any] = json.loads(options_to_json(options))
    return found


def authenticate(fund: Fund, signed: staff.Signed, site: Party, credential: dict[str, Any]) -> None:
    """Check the browser's answer with one of the account's own passkeys; the session is
    then proven (and freshly re-authenticated). A counter that does not move forward
    (when the authenticator keeps one) is refused: the passkey may have been copied."""
    challenge = PENDING.take(signed.session, "authenticate", fund.clock())
    if challenge is None:
        raise _refused(fund, signed, "authenticate", "no challenge open for this session, or "
                       "it expired or was used: start again")  # fmt: skip
    try:
        answer = parse_authentication_credential_json(credential)
    except REFUSALS as exc:
        raise _refused(fund, signed, "authenticate", str(exc)) from None
    credential_id = bytes_to_base64url(answer.raw_id)
    row = next((r for r in _rows(fund, signed.staff.name) if r.credential_id == credential_id),
               None)  # fmt: skip
    handle = answer.response.user_handle
    if row is None or (handle is not None and handle != _user_handle(fund, signed.staff.name)):
        raise _refused(fund, signed, "authenticate", "not a passkey of this account")
    try:
        checked = verify_authentication_response(
            credential=answer,
            expected_challenge=challenge,
            expected_rp_id=site.id,
            expected_origin=site.origin,
            credential_public_key=bytes(row.public_key),
            credential_current_sign_count=row.sign_count,
            require_user_verification=True,
        )
    except REFUSALS as exc:
        raise _refused(fund, signed, "authenticate", str(exc), f"factor:{row.id}") from None
    t = factor_table
    with fund.store.engine.begin() as conn:
        moved = conn.execute(update(t).where(t.c.id == row.id, t.c.sign_count == row.sign_count)
                             .values(sign_count=checked.new_sign_count)).rowcount  # fmt: skip
        if moved == 1:
            staff.prove(fund, signed, "webauthn", conn, f"factor:{row.id}")
    if moved != 1:
        raise _refused(fund, signed, "authenticate", "the passkey was used at the same time "
                       "elsewhere", f"factor:{row.id}")  # fmt: skip


def _refused(
    fund: Fund, signed: staff.Signed, ceremony: str, reason: str, factor: str = ""
) -> Unauthenticated:
    """A refused ceremony, written to the ledger (which passkey, not why: the reason may
    quote what the browser sent)."""
    with fund.store.engine.begin() as conn:
        fund.log(conn, signed.staff, "mfa.passkey.refused", f"staff:{signed.staff.name}",
                 f"{ceremony} {factor}".strip())  # fmt: skip
    return Unauthenticated(f"the passkey was not accepted: {reason}")


# --- HTTP ---------------------------------------------------------------------------------


class NewPasskey(BaseModel):
    credential: dict[str, Any] = Field(max_length=20)
    label: str = Field(default="passkey", max_length=100)


class Assertion(BaseModel):
    credential: dict[str, Any] = Field(max_length=20)


@router.post("/mfa/webauthn/register/begin", dependencies=guarded)
def register_begin(request: Request, fund: api.FundDep) -> dict[str, Any]:
    """Options for making a passkey (the account's first factor, or one more after
    proving a factor again)."""
    return registration_options(fund, api._signed(request, fund), party(request))


@router.post("/mfa/webauthn/register/finish", dependencies=guarded)
def register_finish(body: NewPasskey, request: Request, fund: api.FundDep) -> dict[str, Any]:
    signed = api._signed(request, fund)
    factor = register(fund, signed, party(request), body.credential, body.label)
    return {"passkey": factor, "second_factor": "proven"}


@router.post("/mfa/webauthn/authenticate/begin", dependencies=guarded)
def authenticate_begin(request: Request, fund: api.FundDep) -> dict[str, Any]:
    """Options for proving one of the account's passkeys, after the password."""
    return authentication_options(fund, api._signed(request, fund), party(request))


@router.post("/mfa/webauthn/authenticate/finish", dependencies=guarded)
def authenticate_finish(body: Assertion, request: Request, fund: api.FundDep) -> dict[str, Any]:
    authenticate(fund, api._signed(request, fund), party(request), body.credential)
    return {"second_factor": "proven"}


@router.get("/passkey", response_class=HTMLResponse, include_in_schema=False)
def passkey_page(request: Request, fund: api.FundDep) -> Any:
    """Add or use a passkey in the browser; the page's script runs the ceremonies."""
    from belwatch.web.pages import templates

    token = request.cookies.get(api.COOKIE)
    signed = staff.session(fund, token) if token else None
    no_store = {"Cache-Control": "no-store"}
    if signed is None:
        return RedirectResponse("/fund", status_code=303, headers=no_store)
    context = {"signed": signed, "passkeys": listing(fund, signed.staff.name),
               "may_add": may_add(fund, signed)}  # fmt: skip
    return templates.TemplateResponse(request, "fund_passkey.html", context, headers=no_store)
