"""Shared test set-up: the real official list files beside the repository."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from belwatch.sources.base import SourceFile

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
