"""Every answer says how long the server took (Server-Timing, shown by browsers' developer
tools): slow pages show up where they are seen, and benchmarks read the server's own time."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response


def install_server_timing(app: FastAPI) -> None:
    @app.middleware("http")
    async def server_timing(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        start = time.perf_counter()
        response = await call_next(request)
        took = (time.perf_counter() - start) * 1000
        response.headers.append("Server-Timing", f"app;dur={took:.1f}")
        return response
