"""Passkeys (WebAuthn) as the fund's second factor: what admins must prove (ASVS level 3),
and open to every other staff member beside TOTP. The key never leaves its device and
signs only for this site's name, so a look-alike page can neither ask for nor relay it.

A session signed in with the password may add the account's first factor as a passkey;
an account that has a factor of any kind adds, renames or removes one only within five
minutes of proving a factor again, and keeps a factor at all times (an admin, a passkey).
Challenges are random, single-use, tied to the session that asked for them and good for
five minutes; they are kept in the fund's database, so that any of the server's processes
may check the answer to a challenge another one gave.

The relying party is BELWATCH_FUND_ORIGIN and BELWATCH_FUND_RP_ID when set (a proxy may
pass on any Host), else the host the request was sent to (its name is the RP id, the
page's scheme and host the origin)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field
from sqlalchemy import Connection, Row, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
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

from belwatch import sessions
from belwatch.api.errors import status_for
from belwatch.exc import BelwatchError, ConfigError, Conflict, Forbidden, NotFound, Unauthenticated
from belwatch.fund import api, staff
from belwatch.fund.core import Fund, new_id
from belwatch.fund.crypto import KeyRing, _write_lock
from belwatch.fund.schema import factor_table, passkey_challenge_table, passkey_table
from belwatch.store import Store

CHALLENGE_LIFE = timedelta(minutes=5)
RP_NAME = "belwatch fund"
BROWSER_TIMEOUT_MS = 120_000
# What a malformed or hostile response raises while being parsed or checked.
REFUSALS = (WebAuthnException, ValueError, TypeError, KeyError, IndexError)
# One answer for a passkey that is another account's and for one that does not exist.
NO_SUCH = "no such passkey among yours"
NO_STORE = {"Cache-Control": "no-store"}

router = APIRouter(prefix="/fund", tags=["Democracy fund"])
guarded = [Depends(api.same_site)]


@dataclass(frozen=True)
class Party:
    """The relying party a browser signs for: the host's name, and the page's origin."""

    id: str
    origin: str


def party(request: Request) -> Party:
    """The site set in BELWATCH_FUND_ORIGIN (and BELWATCH_FUND_RP_ID); without it, the site
    as the browser saw it (behind a proxy that rewrites Host, X-Forwarded-Host). Requests
    from another origin than the one set never get here (``api.same_site``)."""
    origin = api.configured_origin(request)
    if origin is not None:
        settings = request.app.state.settings
        return Party(settings.fund_rp_id or urlsplit(origin).hostname or "", origin)
    host = request.headers.get("x-forwarded-host") or request.headers.get("host") or ""
    host = host.split(",")[0].strip().lower()
    name = urlsplit(f"//{host}").hostname if host else None
    if not name:
        raise Forbidden("passkeys need the site's host name")
    return Party(name, f"{request.url.scheme}://{host}")


@dataclass(frozen=True)
class Challenge:
    """A challenge taken for an answer, with the user handle a registration offered."""

    challenge: bytes
    user_handle: bytes | None


def put_challenge(
    fund: Fund, session: str, ceremony: str, user_handle: bytes | None = None
) -> bytes:
    """A new challenge for the session's ceremony, in place of any it had open (expired ones
    of every session are cleared on the way); a registration's user handle is kept with it,
    to be stored with the passkey its answer makes."""
    challenge = secrets.token_bytes(32)
    now = fund.clock()
    t = passkey_challenge_table
    try:
        with fund.store.engine.begin() as conn:
            conn.execute(delete(t).where(t.c.expires_at < now))
            conn.execute(delete(t).where(t.c.session == session, t.c.ceremony == ceremony))
            conn.execute(insert(t).values(session=session, ceremony=ceremony, challenge=challenge,
                                          user_handle=user_handle,
                                          expires_at=now + CHALLENGE_LIFE))  # fmt: skip
    except IntegrityError:
        raise Conflict("the same passkey step was started twice at once: start again") from None
    return challenge


def take_challenge(fund: Fund, session: str, ceremony: str) -> Challenge | None:
    """The session's open challenge for the ceremony, used up by taking it: one statement
    deletes and returns it, so of answers sent to several processes at once only one gets
    it. None when there is none, or it expired."""
    t = passkey_challenge_table
    taken = (delete(t).where(t.c.session == session, t.c.ceremony == ceremony)
             .returning(t.c.challenge, t.c.user_handle, t.c.expires_at))  # fmt: skip
    with fund.store.engine.begin() as conn:
        row = conn.execute(taken).first()
    if row is None or row.expires_at < fund.clock():
        return None
    handle = None if row.user_handle is None else bytes(row.user_handle)
    return Challenge(bytes(row.challenge), handle)


def _rows(fund: Fund, name: str) -> list[Row[Any]]:
    """The account's passkeys, with what fund_passkey keeps of each (nothing for one made
    before it was kept)."""
    f, p = factor_table, passkey_table
    query = (select(f, p.c.user_handle, p.c.last_used_at)
             .join(p, p.c.factor == f.c.id, isouter=True)
             .where(f.c.staff == name, f.c.kind == "webauthn")
             .order_by(f.c.created_at, f.c.id))  # fmt: skip
    with fund.store.engine.connect() as conn:
        return list(conn.execute(query).all())


def listing(fund: Fund, name: str) -> list[dict[str, Any]]:
    """An account's passkeys as its owner sees them: name, when added and when last used;
    never the credential or its public key."""
    return [{"id": r.id, "label": r.label, "created_at": r.created_at,
             "last_used_at": r.last_used_at} for r in _rows(fund, name)]  # fmt: skip


def _descriptors(rows: list[Row[Any]]) -> list[PublicKeyCredentialDescriptor]:
    return [PublicKeyCredentialDescriptor(id=base64url_to_bytes(r.credential_id)) for r in rows]


def _derived_handle(ring: KeyRing, name: str) -> bytes:
    """The user handle passkeys were given before handles were kept: a keyed hash of the
    name under the index key, which a new index key would change."""
    return bytes.fromhex(ring.blind("webauthn-user", name))


def _user_handle(fund: Fund, rows: list[Row[Any]], name: str) -> bytes:
    """The user handle of the account (the same for each of its passkeys, no name in it):
    the one its passkeys were made with, a random one for its first."""
    kept = next((bytes(r.user_handle) for r in rows if r.user_handle is not None), None)
    if kept is not None:
        return kept
    return _derived_handle(fund.ring, name) if rows else secrets.token_bytes(32)


def keep_user_handles(store: Store, ring: KeyRing) -> int:
    """Keep the user handle of each passkey made before handles were kept, derived as it
    was from the index key of ``ring``: to be done before that key is replaced, as then it
    could not be derived again (``crypto.rotate`` refuses to reindex until it is). The
    passkeys whose handle is now kept."""
    f, p = factor_table, passkey_table
    with store.engine.begin() as conn:
        rows = conn.execute(select(f.c.id, f.c.staff).where(
            f.c.kind == "webauthn", f.c.id.not_in(select(p.c.factor)))).all()  # fmt: skip
        if rows:
            conn.execute(insert(p), [{"factor": r.id, "user_handle": _derived_handle(ring, r.staff),
                                      "last_used_at": None} for r in rows])  # fmt: skip
    return len(rows)


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
    rows = _rows(fund, name)
    handle = _user_handle(fund, rows, name)
    options = generate_registration_options(
        rp_id=site.id,
        rp_name=RP_NAME,
        user_name=name,
        user_id=handle,
        challenge=put_challenge(fund, signed.session, "register", handle),
        timeout=BROWSER_TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=_descriptors(rows),
    )
    found: dict[str, Any] = json.loads(options_to_json(options))
    return found


def register(
    fund: Fund, signed: staff.Signed, site: Party, credential: dict[str, Any], label: str
) -> str:
    """Check the browser's answer to the registration challenge and keep the passkey (its
    public key and counter); the session counts as proven by it. The new factor's id."""
    taken = take_challenge(fund, signed.session, "register")
    _check_may_add(fund, signed)
    if taken is None or taken.user_handle is None:
        raise _refused(fund, signed, "register", "no challenge open for this session, or it "
                       "expired or was used: start again")  # fmt: skip
    try:
        made = verify_registration_response(
            credential=credential,
            expected_challenge=taken.challenge,
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
        known = select(t.c.id).where(t.c.kind == "webauthn", t.c.credential_id == credential_id)
        if conn.execute(known).first() is not None:
            raise Conflict("that passkey is registered already")
        conn.execute(insert(t).values(
            id=factor, staff=signed.staff.name, kind="webauthn",
            label=label.strip()[:100] or "passkey",
            credential_id=credential_id, public_key=made.credential_public_key,
            sign_count=made.sign_count, last_step=0, created_at=fund.clock(),
        ))  # fmt: skip
        conn.execute(insert(passkey_table).values(factor=factor, user_handle=taken.user_handle,
                                                  last_used_at=fund.clock()))  # fmt: skip
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
        challenge=put_challenge(fund, signed.session, "authenticate"),
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
    taken = take_challenge(fund, signed.session, "authenticate")
    if taken is None:
        raise _refused(fund, signed, "authenticate", "no challenge open for this session, or "
                       "it expired or was used: start again")  # fmt: skip
    try:
        answer = parse_authentication_credential_json(credential)
    except REFUSALS as exc:
        raise _refused(fund, signed, "authenticate", str(exc)) from None
    credential_id = bytes_to_base64url(answer.raw_id)
    name = signed.staff.name
    row = next((r for r in _rows(fund, name) if r.credential_id == credential_id), None)
    handle = answer.response.user_handle
    if row is None or (handle is not None and handle != _user_handle(fund, [row], name)):
        raise _refused(fund, signed, "authenticate", "not a passkey of this account")
    try:
        checked = verify_authentication_response(
            credential=answer,
            expected_challenge=taken.challenge,
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
            _mark_used(fund, conn, row, name)
            staff.prove(fund, signed, "webauthn", conn, f"factor:{row.id}")
    if moved != 1:
        raise _refused(fund, signed, "authenticate", "the passkey was used at the same time "
                       "elsewhere", f"factor:{row.id}")  # fmt: skip


def _mark_used(fund: Fund, conn: Connection, row: Row[Any], name: str) -> None:
    """When the passkey last proved a session; one made before handles were kept gets its
    handle kept now, as it was just checked."""
    p = passkey_table
    used = update(p).where(p.c.factor == row.id).values(last_used_at=fund.clock())
    if conn.execute(used).rowcount == 0:
        conn.execute(insert(p).values(factor=row.id, user_handle=_derived_handle(fund.ring, name),
                                      last_used_at=fund.clock()))  # fmt: skip


# --- the account's own passkeys -----------------------------------------------------------


def _check_may_change(fund: Fund, signed: staff.Signed) -> None:
    if not (signed.mfa and signed.recent(fund.clock())):
        raise Forbidden("prove your passkey (or password and code, /fund/reauth) again before "
                        "renaming or removing a passkey")  # fmt: skip


def rename(fund: Fund, signed: staff.Signed, factor: str, label: str) -> None:
    """Rename one of one's own passkeys (another's is not found, as one that does not exist);
    the ledger gets the passkey's id, not its name."""
    _check_may_change(fund, signed)
    label = label.strip()[:100]
    if not label:
        raise ConfigError("give the passkey a name (which device or key it is)")
    t, name = factor_table, signed.staff.name
    mine = (t.c.id == factor, t.c.staff == name, t.c.kind == "webauthn")
    with fund.store.engine.begin() as conn:
        if conn.execute(update(t).where(*mine).values(label=label)).rowcount != 1:
            raise NotFound(NO_SUCH)
        fund.log(conn, signed.staff, "mfa.passkey.rename", f"staff:{name}", f"factor:{factor}")


def remove(fund: Fund, signed: staff.Signed, factor: str) -> int:
    """Remove one of one's own passkeys, and end the account's other sessions: a passkey is
    removed when its device is lost, and a session opened with it should end with it.
    Refused if it would leave an admin without a passkey, or anyone without a second factor:
    the password alone would then set up a new one at the next sign-in. The sessions ended."""
    _check_may_change(fund, signed)
    t, name = factor_table, signed.staff.name
    with fund.store.engine.begin() as conn:
        # Locked, so two removals at once cannot each leave the other passkey the last.
        _write_lock(conn)
        query = select(t.c.id, t.c.kind).where(t.c.staff == name, t.c.kind.in_(staff.FACTORS))
        factors = conn.execute(query.with_for_update()).all()
        if not any(r.id == factor and r.kind == "webauthn" for r in factors):
            raise NotFound(NO_SUCH)
        left = [r.kind for r in factors if r.id != factor]
        if signed.staff.role == "admin" and "webauthn" not in left:
            raise Conflict("an admin keeps one passkey at least: add another passkey before "
                           "removing this one")  # fmt: skip
        if not left:
            raise Conflict("this is your only second factor: add another (a passkey or an "
                           "authenticator app) before removing it")  # fmt: skip
        conn.execute(delete(passkey_table).where(passkey_table.c.factor == factor))
        conn.execute(delete(t).where(t.c.id == factor))
        fund.log(conn, signed.staff, "mfa.passkey.remove", f"staff:{name}", f"factor:{factor}")
    now = fund.clock()
    others = [s.id for s in sessions.open_sessions(fund.store, name, now) if s.id != signed.session]
    return sum(sessions.end(fund.store, s, "a passkey removed", now) for s in others)


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


class NewName(BaseModel):
    label: str = Field(min_length=1, max_length=100)


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


@router.get("/api/passkeys")
def passkey_list(who: api.Signed, fund: api.FundDep) -> list[dict[str, Any]]:
    """One's own passkeys: name, when added, when last used."""
    return listing(fund, who.staff.name)


@router.post("/api/passkeys/{factor}/rename", dependencies=guarded)
def passkey_rename(
    factor: str, body: NewName, who: api.Signed, fund: api.FundDep
) -> dict[str, str]:
    """Rename one of one's own passkeys, within five minutes of proving a factor again."""
    rename(fund, who, factor, body.label)
    return {"passkey": factor, "label": body.label.strip()}


@router.post("/api/passkeys/{factor}/remove", dependencies=guarded)
def passkey_remove(factor: str, who: api.Signed, fund: api.FundDep) -> dict[str, Any]:
    """Remove one of one's own passkeys, within five minutes of proving a factor again; an
    admin keeps one. The account's other sessions end."""
    return {"passkey": factor, "removed": True, "sessions_ended": remove(fund, who, factor)}


@router.get("/passkey", response_class=HTMLResponse, include_in_schema=False)
def passkey_page(request: Request, fund: api.FundDep) -> Any:
    """Add or use a passkey in the browser (the page's script runs the ceremonies); rename or
    remove one with the page's forms."""
    signed = _page_session(request, fund)
    if signed is None:
        return RedirectResponse("/fund", status_code=303, headers=NO_STORE)
    return _page(request, fund, signed)


@router.post("/passkey/{factor}/rename", include_in_schema=False, dependencies=guarded)
def passkey_rename_form(
    factor: str, request: Request, fund: api.FundDep,
    label: Annotated[str, Form(max_length=100)] = "",
) -> Any:  # fmt: skip
    return _page_change(request, fund, lambda signed: rename(fund, signed, factor, label))


@router.post("/passkey/{factor}/remove", include_in_schema=False, dependencies=guarded)
def passkey_remove_form(factor: str, request: Request, fund: api.FundDep) -> Any:
    return _page_change(request, fund, lambda signed: remove(fund, signed, factor))


def _page_session(request: Request, fund: Fund) -> staff.Signed | None:
    token = request.cookies.get(api.COOKIE)
    return staff.session(fund, token) if token else None


def _page(
    request: Request, fund: Fund, signed: staff.Signed, error: str | None = None,
    status: int = 200,
) -> Any:  # fmt: skip
    from belwatch.web.pages import templates

    context = {"signed": signed, "passkeys": listing(fund, signed.staff.name),
               "may_add": may_add(fund, signed), "error": error,
               "may_change": signed.mfa and signed.recent(fund.clock())}  # fmt: skip
    return templates.TemplateResponse(request, "fund_passkey.html", context, status_code=status,
                                      headers=NO_STORE)  # fmt: skip


def _page_change(request: Request, fund: Fund, change: Callable[[staff.Signed], object]) -> Any:
    """A change from the page's forms: back to the page, or the page with what refused it."""
    signed = _page_session(request, fund)
    if signed is None:
        return RedirectResponse("/fund", status_code=303, headers=NO_STORE)
    try:
        change(signed)
    except BelwatchError as exc:
        return _page(request, fund, signed, str(exc), status_for(exc))
    return RedirectResponse("/fund/passkey", status_code=303, headers=NO_STORE)
