"""Shared test set-up: the real official list files beside the repository."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

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
