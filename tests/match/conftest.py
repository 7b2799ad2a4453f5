from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from belwatch.ingest import ingest
from belwatch.store import Store

SOURCES = Path(__file__).resolve().parents[3] / "shared" / "data" / "sources"

# One target on several lists, in Latin and Cyrillic: enough to screen against.
FILES = [
    "ofac_sdn/sdn_2024-05-03.csv",
    "eu_oj_opensanctions/32006R0765_latest.csv",
    "uk/UK_Sanctions_List_2025-04.xlsx",
    "ca_sema/sema-lmes_2025-09-22.xml",
    "ch_seco/ch_seco_excerpt_2026-08-15.xml",
]


@pytest.fixture(scope="package")
def real_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    url = f"sqlite:///{tmp_path_factory.mktemp('screening') / 'r.db'}"
    with Store(url) as store:
        ingest(store, [SOURCES / name for name in FILES])
        yield store
