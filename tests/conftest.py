"""Shared test set-up: the real official list files beside the repository."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from belwatch.sources.base import SourceFile
from belwatch.store import Store

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

    from belwatch.settings import database_url
    from belwatch.store.schema import metadata

    raw = os.environ.get("PG_TEST_URL")
    if not raw:
        if os.environ.get("CI"):
            pytest.fail("PG_TEST_URL is not set: ./test starts PostgreSQL and sets it")
        pytest.skip("PG_TEST_URL not set (./test starts PostgreSQL and sets it)")
    url = database_url(raw)
    engine = create_engine(url)
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
