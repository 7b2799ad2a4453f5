"""The HTTP API (yente-compatible shapes) and the web pages, in one FastAPI app."""

from __future__ import annotations

import secrets

from fastapi import FastAPI

from belwatch import __version__
from belwatch.api.errors import install_error_handlers
from belwatch.api.origin import install_origin_check
from belwatch.api.timing import install_server_timing
from belwatch.settings import Settings
from belwatch.store import Store


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    from belwatch.api import entities, gaps, match, network, reconcile, repression, system
    from belwatch.fund import api as fund_api
    from belwatch.fund import passkeys as fund_passkeys
    from belwatch.fund import uploads as fund_uploads
    from belwatch.fund import web as fund_web
    from belwatch.web import admin, entry, loopholes, pages, signin
    from belwatch.web import network as network_pages
    from belwatch.web import repression as repression_pages

    settings = settings or Settings.from_env()
    app = FastAPI(
        title="belwatch",
        version=__version__,
        description="The Belarus sanctions register: yente-compatible API.",
    )
    app.state.settings = settings
    app.state.store = store or Store(settings.db)
    install_error_handlers(app)
    install_origin_check(app)
    install_server_timing(app)
    signin.install_sessions(app, (settings.secret_key or secrets.token_urlsafe(48)).encode())
    app.include_router(system.router)
    app.include_router(entities.router)
    app.include_router(match.router)
    app.include_router(reconcile.router)
    app.include_router(gaps.router)
    app.include_router(network.router)
    app.include_router(repression.router)
    app.include_router(pages.router)
    app.include_router(loopholes.router)
    app.include_router(network_pages.router)
    app.include_router(repression_pages.router)
    app.include_router(entry.router)
    app.include_router(signin.router)
    app.include_router(admin.router)
    app.include_router(fund_api.router)
    app.include_router(fund_passkeys.router)
    app.include_router(fund_web.router)
    app.include_router(fund_uploads.router)
    pages.mount_static(app)
    return app


__all__ = ["create_app"]
