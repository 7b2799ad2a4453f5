"""The gap report on real lists, checked against the official files by hand: a target every
list holds, one only the EU holds, one whose UK entry lacks the Cyrillic name, and one OFAC
listed a year after the EU."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from belwatch.api import create_app
from belwatch.cli import cli
from belwatch.ingest import ingest
from belwatch.match.service import Matcher
from belwatch.resolve import resolve
from belwatch.resolve.gaps import LISTED, NOT_LISTED, GapReport, Target, report
from belwatch.settings import Settings
from belwatch.store import Store

from conftest import SOURCES

FILES = [
    "ofac_sdn/sdn_2021-08-18.csv",  # two OFAC versions: designations between them are dated
    "ofac_sdn/sdn_2021-12-30.csv",
    "eu_oj_opensanctions/32006R0765_latest.csv",
    "uk/UK_Sanctions_List_2025-04.xlsx",
    "ca_sema/sema-lmes_2025-09-22.xml",
]


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Matcher]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('gaps') / 'r.db'}"
    with Store(url) as store:
        ingest(store, [SOURCES / name for name in FILES])
        matcher = Matcher(store)
        resolve(store, matcher, workers=2)
        yield store, matcher


@pytest.fixture(scope="module")
def today(register: tuple[Store, Matcher]) -> GapReport:
    store, matcher = register
    from belwatch.resolve import load_resolution

    return report(store, matcher, load_resolution(store, matcher))


def find(found: GapReport, *words: str, exact: str | None = None) -> Target:
    matches = [t for t in found.targets if all(w in t.caption.upper() for w in words)]
    if exact is not None:
        matches = [t for t in matches if t.caption == exact]
    assert len(matches) == 1, [t.caption for t in matches]
    return matches[0]


def status(target: Target) -> dict[str, str]:
    return {code: cell.status for code, cell in target.cells.items()}


def test_columns_say_which_list_version_they_reflect(today: GapReport) -> None:
    assert today.jurisdictions == ["eu", "ca", "gb", "us"]
    assert today.versions["us"] == "us_ofac_sdn 2021-12-30"
    assert today.versions["gb"] == "gb_hmt_sanctions 2025-04-10"
    assert len(today.targets) > 500


def test_a_target_every_list_holds(today: GapReport) -> None:
    sheiman = find(today, "SHEIMAN", "VIKTAR")
    assert status(sheiman) == {"eu": LISTED, "ca": LISTED, "gb": LISTED, "us": LISTED}
    assert sheiman.first_listed == "2004-09-24"  # the EU's first Belarus annex
    # The UK entry (BEL0003) gives no name in Cyrillic; the EU's does.
    assert sheiman.cells["gb"].missing_scripts == ["Cyrillic"]
    assert sheiman.cells["eu"].missing_scripts == []


def test_identifiers_one_list_lacks(today: GapReport) -> None:
    # The EU gives Viktar Lukashenka's personal number; the UK and Canadian entries do not.
    # (OFAC's entry, born 1976 where the others say 1975, stays a target of its own.)
    (viktar,) = [
        t for t in today.targets
        if "VIKTAR" in t.caption.upper() and "LUKASHENKA" in t.caption.upper()
        and t.cells["eu"].status == LISTED
    ]  # fmt: skip
    assert viktar.cells["eu"].missing_ids == []
    assert "3281175A014PB8" in viktar.cells["gb"].missing_ids
    assert "3281175A014PB8" in viktar.cells["ca"].missing_ids


def test_a_target_only_the_eu_holds(today: GapReport) -> None:
    rudzenka = find(today, "RUDZENKA", "ALIAKSANDR")
    assert status(rudzenka) == {"eu": LISTED, "ca": NOT_LISTED, "gb": NOT_LISTED,
                                "us": NOT_LISTED}  # fmt: skip
    assert rudzenka.cells["eu"].since == "2021-06-21"
    assert today.listed_not_listed["eu"]["us"] >= 1


def test_ofac_listed_a_year_after_the_eu(today: GapReport) -> None:
    # Not in the SDN list of 2021-08-18, in that of 2021-12-30 (BELARUS-EO14038);
    # the EU listed it on 2020-12-17.
    # The EU lists the plant twice (asset freeze and export annexes): one target all the same.
    plant = find(today, "140", "REPAIR", "PLANT")
    assert len(plant.cells["eu"].entries) == 2
    assert plant.cells["eu"].since == "2020-12-17"
    assert plant.cells["us"].since == "2021-12-30"
    assert plant.cells["us"].lag_days == 378
    # An entry in the first OFAC version ingested is listed "by" that day: no lag is made up.
    assert find(today, "SHEIMAN", "VIKTAR").cells["us"].since == "<=2021-08-18"
    assert find(today, "SHEIMAN", "VIKTAR").cells["us"].lag_days is None


def test_names_the_reasons_give_that_no_list_holds(today: GapReport) -> None:
    named = {m.caption: m for m in today.mentions}
    # The EU's reasons for listing name the Voldarka company and the Belaya Rus association.
    assert {"Voldarka", "Belaya Rus"} <= set(named)
    assert "Voldarka" in named["Voldarka"].context
    assert named["Voldarka"].relation == "named in the reasons for listing"
    # Names that are on a list, or only repeat the target's own, are not leads.
    assert not {"Belaruskali", "MAZ", "BMC"} & set(named)


def test_as_of_a_day_uses_the_lists_in_force_then(register: tuple[Store, Matcher]) -> None:
    store, matcher = register
    from belwatch.resolve import load_resolution

    then = report(store, matcher, load_resolution(store, matcher), as_of="2021-09-01")
    # OFAC's version of 2021-08-18 was in force; the EU transcription has no date of its
    # own and is read by its listing dates; no UK or Canadian version existed: no column.
    assert then.jurisdictions == ["eu", "us"]
    assert then.versions["us"] == "us_ofac_sdn 2021-08-18"
    assert "read by its listing dates" in then.versions["eu"]
    plant = find(then, "140", "REPAIR")
    assert status(plant) == {"eu": LISTED, "us": NOT_LISTED}  # a real gap on that day
    assert plant.cells["eu"].since == "2020-12-17"
    # The EU listed Rudzenka on 2021-06-21, after the day asked about here: not yet a target.
    early = report(store, matcher, load_resolution(store, matcher), as_of="2021-01-01")
    assert not [t for t in early.targets if "RUDZENKA" in t.caption.upper()]
    assert find(early, "140", "REPAIR").cells["eu"].status == LISTED


def test_exports_and_api(register: tuple[Store, Matcher], tmp_path: Path) -> None:
    store, _ = register
    runner = CliRunner()
    for name in ("gaps.csv", "gaps.json", "gaps.xlsx"):
        done = runner.invoke(cli, ["gaps", "-o", str(tmp_path / name), "--db", store.url],
                             obj={}, env={})  # fmt: skip
        assert done.exit_code == 0, done.output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "gaps.csv").read_text())))
    plant = next(r for r in rows if "140" in r["caption"])
    assert plant["us_lag_days"] == "378" and plant["eu_status"] == LISTED
    data = json.loads((tmp_path / "gaps.json").read_text())
    assert data["regime"] == "belarus" and len(data["targets"]) == len(rows)
    book = load_workbook(tmp_path / "gaps.xlsx")
    assert book.sheetnames == ["targets", "listed by A, not by B", "lags and versions",
                               "named, not listed"]  # fmt: skip
    bad = runner.invoke(cli, ["gaps", "--regime", "narnia", "--db", store.url], obj={}, env={})
    assert bad.exit_code == 2 and "unknown regime" in bad.output
    with TestClient(create_app(Settings(db=store.url), store=store)) as client:
        found = client.get("/gaps", params={"as_of": "2021-09-01"}).json()
        assert (
            found["as_of"] == "2021-09-01" and found["versions"]["us"] == "us_ofac_sdn 2021-08-18"
        )
        assert client.get("/gaps", params={"as_of": "soon"}).status_code == 400
        sheet = client.get("/gaps.csv")
        assert sheet.headers["content-disposition"].startswith('attachment; filename="gaps-')
        assert "140" in sheet.text and "us_lag_days" in sheet.text.splitlines()[0]
        book = client.get("/gaps.xlsx")
        assert book.content[:2] == b"PK" and book.status_code == 200
        report_page = client.get("/gaps-report").text
        assert "/gaps.csv?" in report_page and "/gaps.xlsx?" in report_page
        assert "unknown regime" in client.get("/gaps", params={"regime": "x"}).json()["detail"]
