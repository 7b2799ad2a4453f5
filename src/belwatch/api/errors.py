"""One table from belwatch errors to HTTP answers, as yente answers: {"detail": ...}."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from belwatch.exc import (
    BelwatchError,
    ConfigError,
    Conflict,
    Forbidden,
    NotFound,
    SourceError,
    StoreError,
    Unauthenticated,
)

STATUS: list[tuple[type[BelwatchError], int]] = [
    (NotFound, 404),
    (Conflict, 409),
    (Unauthenticated, 401),
    (Forbidden, 403),
    (SourceError, 400),
    (ConfigError, 400),
    (StoreError, 503),
    (BelwatchError, 500),
]


def status_for(exc: BelwatchError) -> int:
    for kind, status in STATUS:
        if isinstance(exc, kind):
            return status
    return 500


TITLES = {400: "That cannot be done", 401: "Sign in first", 403: "Not for you",
          404: "Not found", 409: "Changed meanwhile", 500: "Something went wrong",
          503: "The register is not available"}  # fmt: skip


def install_error_handlers(app: FastAPI) -> None:
    async def handle(request: Request, exc: Exception) -> Response:
        """JSON for programs; a page for a browser that asked for one."""
        assert isinstance(exc, BelwatchError)
        status = status_for(exc)
        if "text/html" in request.headers.get("accept", ""):
            from belwatch.web.pages import templates

            context = {"status": status, "title": TITLES.get(status, "Error"), "detail": str(exc)}
            return templates.TemplateResponse(request, "error.html", context, status_code=status,
                                              headers={"Cache-Control": "no-store"})  # fmt: skip
        return JSONResponse({"detail": str(exc)}, status_code=status)

    app.add_exception_handler(BelwatchError, handle)
