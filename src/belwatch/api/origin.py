"""Forms are only taken from the site's own pages: a page elsewhere cannot make a reviewer's
browser record a judgement (cross-site request forgery)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

# What an HTML form can send without the page's script asking first (CORS "simple" requests).
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def cross_site(request: Request) -> str | None:
    """The other site a form was sent from, if it came from one. Browsers send Origin (or at
    least Referer) with every form; a client without either is no browser and is let be."""
    if request.method not in UNSAFE:
        return None
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind and kind not in FORM_TYPES:
        return None
    sender = request.headers.get("origin") or request.headers.get("referer")
    if not sender:
        return None
    if sender == "null":
        return "an opaque origin"
    # Behind a proxy that rewrites Host, X-Forwarded-Host names the site the browser saw.
    hosts = {request.headers.get(h, "").lower() for h in ("host", "x-forwarded-host")}
    sent_from = urlsplit(sender).netloc.lower()
    return None if sent_from in hosts - {""} else sent_from or sender


def install_origin_check(app: FastAPI) -> None:
    @app.middleware("http")
    async def same_origin(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        other = cross_site(request)
        if other is not None:
            detail = f"a form sent from {other} is refused: use the pages of this site"
            return JSONResponse({"detail": detail}, status_code=403)
        return await call_next(request)
