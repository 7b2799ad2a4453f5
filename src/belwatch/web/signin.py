"""Signing in and out. The cookie is signed, HttpOnly and SameSite=Strict (Secure over
HTTPS), and names an account whose role is read again on every request."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from belwatch import accounts
from belwatch.api.deps import VISITOR
from belwatch.store import Store
from belwatch.web.pages import templates

router = APIRouter(include_in_schema=False)
COOKIE = "belwatch_session"


def install_sessions(app: FastAPI, key: bytes) -> None:
    """Every request knows its actor: the signed-in account, else a visitor (a viewer)."""
    app.state.session_key = key

    @app.middleware("http")
    async def who(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Any:
        request.state.actor = VISITOR
        cookie = request.cookies.get(COOKIE)
        if cookie:
            name = accounts.session_name(key, cookie)
            store: Store = request.app.state.store
            found = accounts.actor(store, name) if name else None
            if found is not None:
                request.state.actor = found
        return await call_next(request)


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
    found = accounts.sign_in(request.app.state.store, name.strip(), password)
    if found is None:
        context = {"next": _local(next), "error": "Wrong name or password."}
        return templates.TemplateResponse(request, "login.html", context, status_code=401)
    response = RedirectResponse(_local(next), status_code=303)
    response.set_cookie(
        COOKIE, accounts.session_cookie(request.app.state.session_key, found.name),
        max_age=accounts.SESSION_SECONDS, httponly=True, samesite="strict",
        secure=request.url.scheme == "https",
    )  # fmt: skip
    return response


@router.post("/logout")
def logout() -> Any:
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE)
    return response
