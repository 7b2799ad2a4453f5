"""One table from belwatch errors to HTTP answers, as yente answers: {"detail": ...}."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

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


def install_error_handlers(app: FastAPI) -> None:
    async def handle(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, BelwatchError)
        return JSONResponse({"detail": str(exc)}, status_code=status_for(exc))

    app.add_exception_handler(BelwatchError, handle)
