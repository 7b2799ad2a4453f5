"""Shared test set-up: the real official list files beside the repository."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy.engine import make_url

from belwatch.sources.base import SourceFile
from belwatch.store import Store

if TYPE_CHECKING:
    from belwatch.match.service import Matcher
    from belwatch.resolve import Resolution

REPO = Path(__file__).resolve().parent.parent
SOURCES = REPO.parent / "shared" / "data" / "sources"


def source_file(relpath: str) -> SourceFile:
    """A real list file from ../shared/data/sources, read in place."""
    path = SOURCES / relpath
    if not path.exists():
        pytest.fail(f"missing real data file {path}: ../shared must sit beside the repository")
    return SourceFile(name=str(path), data=path.read_bytes())


@pytest.fixture
def load() -> Callable[[str], SourceFile]:
    return source_file


def empty_postgres() -> str:
    """The test PostgreSQL database (PG_TEST_URL, set by ./test), emptied."""
    from sqlalchemy import create_engine

    from belwatch.fund.schema import metadata as fund_metadata
    from belwatch.settings import database_url
    from belwatch.store.schema import metadata

    raw = os.environ.get("PG_TEST_URL")
    if not raw:
        if os.environ.get("CI"):
            pytest.fail("PG_TEST_URL is not set: ./test starts PostgreSQL and sets it")
        pytest.skip("PG_TEST_URL not set (./test starts PostgreSQL and sets it)")
    url = database_url(raw)
    engine = create_engine(url)
    fund_metadata.drop_all(engine)  # the fund's tables, and its copies of the account tables
    metadata.drop_all(engine)
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty register on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'register.db'}"
    return empty_postgres()


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store(store_url) as opened:
        yield opened


# One target on several lists, in Latin and Cyrillic: enough to screen against.
SCREENING_FILES = [
    "ofac_sdn/sdn_2024-05-03.csv",
    "eu_oj_opensanctions/32006R0765_latest.csv",
    "uk/UK_Sanctions_List_2025-04.xlsx",
    "ca_sema/sema-lmes_2025-09-22.xml",
    "ch_seco/ch_seco_excerpt_2026-08-15.xml",
]


@pytest.fixture(scope="session")
def real_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A register of five real lists, built once for the screening tests."""
    from belwatch.ingest import ingest

    url = f"sqlite:///{tmp_path_factory.mktemp('screening') / 'r.db'}"
    with Store(url) as store:
        ingest(store, [SOURCES / name for name in SCREENING_FILES])
        yield store


@pytest.fixture(scope="module")
def real_store_copy(real_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A copy of the five-list register, for a module of tests that write to it."""
    source = Path(str(make_url(real_store.url).database))
    target = tmp_path_factory.mktemp("copy") / "r.db"
    shutil.copy(source, target)
    with Store(f"sqlite:///{target}") as store:
        yield store


@pytest.fixture(scope="session")
def resolved_store(
    real_store: Store, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Store, Matcher, Resolution]]:
    """The five-list register with each target's entries grouped across the lists, for tests
    that only read it (building the matcher and resolving take a minute)."""
    from belwatch.match.service import Matcher
    from belwatch.resolve import resolve

    source = Path(str(make_url(real_store.url).database))
    target = tmp_path_factory.mktemp("resolved") / "r.db"
    shutil.copy(source, target)
    with Store(f"sqlite:///{target}") as store:
        matcher = Matcher(store)
        resolution = resolve(store, matcher, workers=2)[0]
        yield store, matcher, resolution


def open_fund(url: str) -> Store:
    """An empty fund database, its ledger guarded (emptied first: a test may open one again
    to restore a backup into it)."""
    from sqlalchemy import create_engine

    from belwatch.fund import ledger
    from belwatch.fund.schema import metadata as fund_metadata

    engine = create_engine(url)
    fund_metadata.drop_all(engine)
    engine.dispose()
    store = Store(url, tables=fund_metadata)
    ledger.install(store)
    return store


# --- a live server and a browser, for the tests that drive Chromium --------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serving(app: Any, host: str = "127.0.0.1") -> Iterator[str]:
    """The app on a loopback port in a thread, answering /healthz; its base URL."""
    import threading
    import time

    import httpx
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="belwatch-web", daemon=True)
    thread.start()
    url = f"http://{host}:{port}"
    try:
        with httpx.Client(base_url=url, timeout=2) as client:
            deadline = time.monotonic() + 30
            while True:
                if not thread.is_alive():
                    pytest.fail(f"the server on port {port} stopped while starting")
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"the server on port {port} did not answer /healthz in 30 s")
                time.sleep(0.1)
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: ./test installs Debian's chromium package")
    driver = sync_playwright().start()
    try:
        launched = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
    finally:
        driver.stop()


@dataclass
class Site:
    """A live server's base URL (and what a module's tests need beside it)."""

    url: str


@pytest.fixture
def page(browser: Any, site: Site) -> Iterator[Any]:
    """A fresh tab on the module's `site`, with its own cookies and history; a script error
    on it fails the test."""
    context = browser.new_context(base_url=site.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        yield tab
    finally:
        context.close()
    assert not errors, f"the browser reported errors: {errors}"


def axe_problems(page: Any) -> list[str]:
    """What axe-core finds on the page against WCAG 2.1 A and AA, one line per rule."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run scripts/vendor-js (./test does), which installs it")
    page.add_script_tag(path=AXE)
    found = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']}: "
        + ", ".join(" ".join(n["target"]) for n in v["nodes"][:4])
        + (f" and {len(v['nodes']) - 4} more" if len(v["nodes"]) > 4 else "")
        for v in found["violations"]
    ]


class Clock:
    """A clock a test moves by hand: each TOTP code wants a step of its own."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 3, 2, 9, 0, 0)

    def __call__(self) -> datetime:
        return self.now

    def tick(self, seconds: int = 31) -> None:
        self.now += timedelta(seconds=seconds)
