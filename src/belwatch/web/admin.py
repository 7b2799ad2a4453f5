"""Pages for admins: the accounts with their open sessions (add an account, change its role,
disable it, end its sessions) and the audit trail. Only a signed-in admin sees or sends
them; forms come through the same-origin check like every other form."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from belwatch import accounts, audit, sessions
from belwatch.api.deps import current_actor, get_store
from belwatch.exc import ConfigError
from belwatch.register.records import ROLES, Actor
from belwatch.store import Store
from belwatch.web.pages import templates

router = APIRouter(include_in_schema=False)
Asker = Annotated[Actor, Depends(current_actor)]
Register = Annotated[Store, Depends(get_store)]
ADMIN = "admin"
DONE = {
    "added": "The account was added.",
    "changed": "The account was changed.",
    "ended": "The session was ended.",
    "ended-all": "The account's sessions were ended.",
}


def utc(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment is not None else ""


templates.env.filters["utc"] = utc


def _page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Any:
    """Admin pages are never kept in a browser's or a proxy's cache."""
    response = templates.TemplateResponse(request, name, context, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _forbidden(request: Request, name: str) -> Any:
    return _page(request, name, {"forbidden": True}, 403)


def _now(request: Request) -> datetime:
    now: datetime = request.app.state.clock()
    return now


@router.get("/admin/accounts", response_class=HTMLResponse)
def accounts_page(
    request: Request,
    store: Register,
    actor: Asker,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Any:
    """Every account, its role and state, and the sessions still open."""
    if actor.role != ADMIN:
        return _forbidden(request, "admin_accounts.html")
    return _accounts(request, store, notice=DONE.get(done))


def _accounts(
    request: Request,
    store: Store,
    error: str | None = None,
    notice: str | None = None,
    status: int = 200,
    form: dict[str, str] | None = None,
) -> Any:
    found: dict[str, list[sessions.Session]] = defaultdict(list)
    for session in sessions.open_sessions(store, now=_now(request)):
        found[session.account].append(session)
    context = {
        "forbidden": False,
        "accounts": [(a, found.get(a.name, [])) for a in accounts.listing(store)],
        "roles": list(ROLES),
        "current": request.state.session_id,
        "error": error,
        "notice": notice,
        "form": form or {},
    }
    return _page(request, "admin_accounts.html", context, status)


@router.post("/admin/accounts/add", response_class=HTMLResponse)
def add_account(
    request: Request,
    store: Register,
    actor: Asker,
    name: Annotated[str, Form(max_length=255)] = "",
    password: Annotated[str, Form(max_length=1_000)] = "",
    role: Annotated[str, Form(max_length=16)] = "viewer",
) -> Any:
    if actor.role != ADMIN:
        return _forbidden(request, "admin_accounts.html")
    try:
        accounts.add(store, name.strip(), password, role, by=actor)
    except ConfigError as exc:
        form = {"name": name, "role": role}
        return _accounts(request, store, _sentence(exc), status=400, form=form)
    return RedirectResponse("/admin/accounts?done=added", status_code=303)


@router.post("/admin/accounts/change", response_class=HTMLResponse)
def change_account(
    request: Request,
    store: Register,
    actor: Asker,
    name: Annotated[str, Form(max_length=255)],
    role: Annotated[str, Form(max_length=16)] = "",
    state: Annotated[str, Form(max_length=16)] = "",
) -> Any:
    """A new role, or disabled (which ends the account's sessions at once) or enabled."""
    if actor.role != ADMIN:
        return _forbidden(request, "admin_accounts.html")
    disabled = {"disable": True, "enable": False}.get(state)
    try:
        if state and disabled is None:
            raise ConfigError(f"the state is disable or enable, not {state!r}")
        if name == actor.name and (disabled or role not in ("", ADMIN)):
            # The register must keep an admin who can undo a mistake made here.
            raise ConfigError("you may not disable or demote your own account here: ask "
                              "another admin, or use belwatch account-change")  # fmt: skip
        accounts.change(store, name, role or None, disabled, by=actor)
    except ConfigError as exc:
        return _accounts(request, store, _sentence(exc), status=400)
    return RedirectResponse("/admin/accounts?done=changed", status_code=303)


@router.post("/admin/sessions/end", response_class=HTMLResponse)
def end_session(
    request: Request,
    store: Register,
    actor: Asker,
    session: Annotated[str, Form(max_length=64)],
) -> Any:
    if actor.role != ADMIN:
        return _forbidden(request, "admin_accounts.html")
    if not sessions.end(store, session, f"ended by {actor.name}", _now(request)):
        return _accounts(request, store, "That session has ended already.", status=400)
    return RedirectResponse("/admin/accounts?done=ended", status_code=303)


@router.post("/admin/sessions/end-all", response_class=HTMLResponse)
def end_sessions(
    request: Request,
    store: Register,
    actor: Asker,
    name: Annotated[str, Form(max_length=255)],
) -> Any:
    if actor.role != ADMIN:
        return _forbidden(request, "admin_accounts.html")
    sessions.end_all(store, name, f"ended by {actor.name}", _now(request))
    return RedirectResponse("/admin/accounts?done=ended-all", status_code=303)


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    store: Register,
    actor: Asker,
    who: Annotated[str, Query(alias="actor", max_length=255)] = "",
    action: Annotated[str, Query(max_length=16)] = "",
    before: Annotated[int | None, Query(ge=1)] = None,
) -> Any:
    """The audit trail, newest first, a page at a time, for one actor or action if asked."""
    if actor.role != ADMIN:
        return _forbidden(request, "admin_audit.html")
    who = who.strip()
    entries = audit.trail(store, who, action, before, audit.PAGE + 1)
    shown = entries[: audit.PAGE]
    query = {k: v for k, v in (("actor", who), ("action", action)) if v}
    older = ("/admin/audit?" + urlencode({**query, "before": shown[-1].id})
             if len(entries) > audit.PAGE else None)  # fmt: skip
    newest = "/admin/audit?" + urlencode(query) if before is not None else None
    context = {"forbidden": False, "entries": shown, "actor_filter": who, "action": action,
               "actions": audit.ACTIONS, "older": older, "newest": newest}  # fmt: skip
    return _page(request, "admin_audit.html", context)


def _sentence(exc: ConfigError) -> str:
    text = str(exc)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
