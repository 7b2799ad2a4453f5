"""The whole register from the real official files: counts per list, and listing history
across the five OFAC SDN snapshots checked against the raw files themselves."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from belwatch.cli import cli
from belwatch.ingest import ingest
from belwatch.settings import database_url
from belwatch.sources.base import make_id
from belwatch.stats import register_stats
from belwatch.store import Store
from belwatch.store.schema import statement_table

from conftest import SOURCES, empty_postgres

SDN_DATES = ["2021-08-18", "2021-12-30", "2022-12-28", "2023-12-28", "2024-05-03"]
LUKASHENKA = make_id("us_ofac_sdn", "9760")


def sdn_keys(day: str) -> set[str]:
    """The entry numbers of one raw sdn.csv, read without belwatch."""
    with (SOURCES / "ofac_sdn" / f"sdn_{day}.csv").open(encoding="latin-1", newline="") as handle:
        return {row[0] for row in csv.reader(handle) if row and row[0].strip().isdigit()}


@pytest.fixture(scope="module")
def full_register(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Everything in ../shared/data/sources, ingested the way a user would."""
    db = tmp_path_factory.mktemp("register") / "register.db"
    runner = CliRunner()
    result = runner.invoke(
        cli, ["update", "--from", str(SOURCES), "--keep-going", "--db", str(db)], obj={}, env={}
    )
    # Two files are damaged on purpose and refused by default, each named with its record:
    # the Trade CSL is cut off mid-record; the FCDO excerpt carries a record without its id.
    assert result.exit_code == 1
    failed = sorted(line for line in result.output.splitlines() if line.startswith("failed"))
    assert len(failed) == 2
    assert "uk_excerpt_2026-08-14.xml" in failed[0] and "field UniqueID" in failed[0]
    assert "csl_2023-11-30.csv" in failed[1] and "record line" in failed[1]
    damaged = [
        SOURCES / "us_csl" / "csl_2023-11-30.csv",
        SOURCES / "uk_fcdo" / "uk_excerpt_2026-08-14.xml",
    ]
    args = ["update", "--lenient", "--db", str(db)]
    for path in damaged:
        args += ["--from", str(path)]
    again = runner.invoke(cli, args, obj={}, env={})
    assert again.exit_code == 0, again.output
    assert "warning" in again.output
    yield db


def test_counts_per_list(full_register: Path) -> None:
    with Store(database_url(str(full_register))) as store:
        stats = {s.dataset: s for s in register_stats(store)}
    expected = {  # latest version: targets listed, of them under a Belarus regime
        # the 2026 XML excerpt repeats five SDN entries (same uid, same entity): no new target
        "us_ofac_sdn": (14_965, 232),
        "us_ofac_cons": (442, 0),  # the CSV of 2025-12-19 is newer than the XML of 2025-06-30
        "un_sc_sanctions": (1_003, 0),
        "ca_dfatd_sema_sanctions": (5_090, 320),
        "gb_hmt_sanctions": (4_686, 167),
        "eu_journal_sanctions": (410, 410),  # 404 in the annex, 6 more from the two amendments
        "ch_seco_sanctions": (7, 5),
        "jp_mof_sanctions": (27, 27),
        "ua_nsdc_sanctions": (5_743, 0),
        "au_dfat_sanctions": (3_062, 0),
        "us_trade_csl": (4_219, 21),  # 4,226 complete rows; 7 list one target twice
        "gb_fcdo_sanctions": (4, 0),
    }
    for dataset, (targets, belarus) in expected.items():
        assert (stats[dataset].targets, stats[dataset].belarus_targets) == (targets, belarus), (
            dataset
        )
    assert stats["us_ofac_sdn"].versions == 6
    assert stats["un_sc_sanctions"].versions == 4
    with Store(database_url(str(full_register))) as store:
        kinds = {(v.dataset, v.records): v.kind for v in store.versions()}
    # The five-entry SDN XML sample must not delist the 14,960 entries it leaves out, and the
    # EU amending acts only add to the annex.
    assert kinds[("us_ofac_sdn", 5)] == "excerpt"
    assert kinds[("eu_journal_sanctions", 2)] == kinds[("eu_journal_sanctions", 4)] == "partial"


def test_entity_page_of_a_real_target(full_register: Path) -> None:
    from fastapi.testclient import TestClient

    from belwatch.api import create_app
    from belwatch.settings import Settings

    with TestClient(create_app(Settings(db=database_url(str(full_register))))) as client:
        data = client.get(f"/entities/{LUKASHENKA}").json()
        assert data["target"] is True
        programs = {p for s in data["properties"]["sanctions"] for p in s["properties"]["program"]}
        assert "BELARUS" in programs
        assert "1954-08-30" in data["properties"]["birthDate"]
        page = client.get(f"/entity/{LUKASHENKA}").text
        assert "Hryhoryavich" in page and "Ryhorovich" in page  # old and new spelling, in history
        found = client.get("/search", params={"q": "lukashenka"}).text
        assert f"/entity/{LUKASHENKA}" in found


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def sdn_history(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """The five SDN snapshots, newest first: order must not matter."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sdn') / 'sdn.db'}"
    else:
        url = empty_postgres()
    with Store(url) as store:
        files = [SOURCES / "ofac_sdn" / f"sdn_{day}.csv" for day in reversed(SDN_DATES)]
        outcomes = ingest(store, files)
        assert [o.version.version_date for o in outcomes if o.version] == list(reversed(SDN_DATES))
        yield store


def first_and_last_seen(store: Store, prop: str) -> dict[str, tuple[str, str]]:
    t = statement_table
    query = select(t.c.entity_id, t.c.first_seen, t.c.last_seen).where(
        t.c.dataset == "us_ofac_sdn", t.c.schema == "Sanction", t.c.prop == prop
    )
    with store.engine.connect() as conn:
        return {row[0]: (row[1], row[2]) for row in conn.execute(query)}


def test_listing_and_delisting_dates_match_the_raw_files(sdn_history: Store) -> None:
    keys = {day: sdn_keys(day) for day in SDN_DATES}
    seen = first_and_last_seen(sdn_history, "authorityId")
    sightings = {}
    with sdn_history.engine.connect() as conn:
        t = statement_table
        rows = conn.execute(
            select(t.c.value, t.c.first_seen, t.c.last_seen).where(
                t.c.dataset == "us_ofac_sdn", t.c.schema == "Sanction", t.c.prop == "authorityId"
            )
        )
        sightings = {value: (first, last) for value, first, last in rows}
    assert len(seen) == len(set().union(*keys.values()))
    for index, day in enumerate(SDN_DATES):
        earlier = set().union(*(keys[d] for d in SDN_DATES[:index]))
        new_here = keys[day] - earlier
        assert {k for k, (first, _) in sightings.items() if first == day} == new_here, day
    gone = set().union(*keys.values()) - keys[SDN_DATES[-1]]
    assert {k for k, (_, last) in sightings.items() if last < SDN_DATES[-1]} == gone
    assert len(gone) > 100  # delistings do happen between these snapshots


def test_a_changed_spelling_keeps_its_history(sdn_history: Store) -> None:
    names = {
        s.value: (s.first_seen, s.last_seen)
        for s in sdn_history.statements([LUKASHENKA])
        if s.prop == "name"
    }
    old = next(v for n, v in names.items() if "Hryhoryavich" in n)
    new = next(v for n, v in names.items() if "Ryhorovich" in n)
    assert old[0] == "2021-08-18" and old[1] < "2024-05-03"
    assert new[1] == "2024-05-03"
    current = sdn_history.entity(LUKASHENKA)
    assert not any("Hryhoryavich" in n for n in current.get("name"))
    then = sdn_history.entity(LUKASHENKA, as_of="2021-09-01")
    assert any("Hryhoryavich" in n for n in then.get("name"))


def test_as_of_counts_follow_the_versions(sdn_history: Store) -> None:
    for day, as_of in [("2021-12-30", "2022-06-30"), ("2023-12-28", "2024-01-01")]:
        (stats,) = register_stats(sdn_history, as_of=as_of)
        assert stats.targets == len(sdn_keys(day)), as_of
