"""Signing in and out. The cookie carries a random session token, signed with the server's
key, HttpOnly and SameSite=Strict (Secure over HTTPS); the server keeps only the token's
hash, and looks the session and its account up again on every request."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from belwatch import accounts, audit, sessions
from belwatch.api.deps import VISITOR
from belwatch.store import Store
from belwatch.web.pages import templates

router = APIRouter(include_in_schema=False)
COOKIE = "belwatch_session"
# One answer for every refusal: a wrong password, an unknown name, a disabled account and a
# lock read the same, so none of them tells whether a name exists.
REFUSED = "Wrong name or password."


def install_sessions(app: FastAPI, key: bytes) -> None:
    """Every request knows its actor: a live session's account, else a visitor (a viewer).
    `app.state.clock` gives the time sessions are judged by."""
    app.state.session_key = key
    app.state.clock = audit.utcnow

    @app.middleware("http")
    async def who(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Any:
        request.state.actor = VISITOR
        request.state.session_id = None
        token = _token(request)
        if token:
            store: Store = request.app.state.store
            found = sessions.find(store, token, _now(request))
            if found is not None:
                request.state.actor = found
                request.state.session_id = sessions.token_id(token)
        return await call_next(request)


def _now(request: Request) -> datetime:
    now: datetime = request.app.state.clock()
    return now


def _token(request: Request) -> str | None:
    value = request.cookies.get(COOKIE)
    return sessions.cookie_token(request.app.state.session_key, value) if value else None


def client_address(request: Request) -> str:
    """A keyed hash of the client's address: enough to count its failures, useless to
    anyone reading the register without the server's key."""
    if request.client is None or not request.client.host:
        return ""
    key: bytes = request.app.state.session_key
    return hmac.new(key, request.client.host.encode(), hashlib.sha256).hexdigest()


def _local(target: str) -> str:
    """Only a path of this site to go back to after signing in."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> Any:
    return templates.TemplateResponse(request, "login.html", {"next": _local(next), "error": None})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    name: Annotated[str, Form(max_length=255)] = "",
    password: Annotated[str, Form(max_length=1_000)] = "",
    next: Annotated[str, Form(max_length=2_000)] = "/",
) -> Any:
    store: Store = request.app.state.store
    now = _now(request)
    # Whatever session the browser held before is over: a sign-in never carries on with a
    # token someone else may have planted or seen.
    earlier = _token(request)
    if earlier:
        sessions.end_token(store, earlier, "signed in again", now)
    found = accounts.sign_in(store, name.strip(), password, client_address(request), now)
    if found is None:
        context = {"next": _local(next), "error": REFUSED}
        refused = templates.TemplateResponse(request, "login.html", context, status_code=401)
        refused.delete_cookie(COOKIE)
        return refused
    agent = request.headers.get("user-agent", "")
    token = sessions.start(store, found, agent, now)
    response = RedirectResponse(_local(next), status_code=303)
    response.set_cookie(
        COOKIE, sessions.cookie(request.app.state.session_key, token),
        max_age=accounts.SESSION_SECONDS, httponly=True, samesite="strict",
        secure=request.url.scheme == "https",
    )  # fmt: skip
    return response


@router.post("/logout")
def logout(request: Request) -> Any:
    token = _token(request)
    if token:
        sessions.end_token(request.app.state.store, token, "signed out", _now(request))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE)
    return response
