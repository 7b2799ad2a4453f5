"""FtM data a user imports (here an OpenSanctions export of Russian registry records around
ZALA Aero's owners) joins the graph under a dataset name of the user's, with the registry's
changing shares read as of a day."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from belwatch.cli import cli
from belwatch.exc import ConfigError, SourceError
from belwatch.graph import Network, build
from belwatch.graph import queries as q
from belwatch.ingest import ingest
from belwatch.match.service import Matcher
from belwatch.resolve import load_resolution
from belwatch.store import Store

from conftest import SOURCES

ZALA = SOURCES / "opensanctions" / "yente_fixture_zala_entities.ftm.json"
CST = "NK-abdzbEBkqyT29GyREbiURZ"  # Limited Liability Company "CST"
ZAKHAROV = "NK-aU5ybkbRFJucf8YMwsJvDw"  # Aleksandr Vyacheslavovich Zakharov


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, Network]:
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('import') / 'r.db'}")
    ingest(store, [ZALA], as_dataset="ru_registry_excerpt")
    matcher = Matcher(store)
    return store, build(store, matcher, load_resolution(store, matcher))


def test_every_link_says_where_it_came_from(imported: tuple[Store, Network]) -> None:
    store, network = imported
    [version] = store.versions()
    assert version.dataset == "ru_registry_excerpt" and version.filename == str(ZALA)
    edges = [network.edge(e) for e in range(network.edge_count)]
    assert edges and all(e.datasets == ["ru_registry_excerpt"] for e in edges)


def test_owners_today_and_on_a_past_day(imported: tuple[Store, Network]) -> None:
    _, network = imported
    today = q.owners(network, CST, day="2026-01-01")
    # In force now: Zakharov 51% (since 2015-11-25), Kalashnikov 49% (since 2016-03-29).
    assert [(h.node.caption, h.share, h.ultimate) for h in today.owners] == [
        ("Aleksandr Vyacheslavovich Zakharov", 51, True),
        ("OJSC CONCERN KALASHNIKOV", 49, True),
    ]
    # On 2020-01-01 the registry states Zakharov's holding three times (50%, 48%, 51%, all
    # from 2015-11-25): one holding, at 51%, not 149%; TransKomplektHolding held 2% then.
    then = {h.node.caption: h.share for h in q.owners(network, CST, day="2020-01-01").owners}
    assert then["Aleksandr Vyacheslavovich Zakharov"] == 51
    assert then['Joint-Stock Company "TransKomplektHolding"'] == 2
    # Svetlana Zakharova's 1% ran from 2022-01-17 to 2023-03-02 only.
    assert "Svetlana Nikolaevna Zakharova" not in then
    during = {h.node.caption for h in q.owners(network, CST, day="2022-06-01").owners}
    assert "Svetlana Nikolaevna Zakharova" in during


def test_what_zakharov_holds_and_directs(imported: tuple[Store, Network]) -> None:
    _, network = imported
    held = q.holdings(network, ZAKHAROV, day="2026-01-01")
    assert [(h.node.caption, h.share) for h in held.companies] == [
        ('Limited Liability Company "CST"', 51)
    ]
    assert held.controlled == [CST]
    assert 'Limited Liability Company "CST"' in {n.caption for n in held.directs}
    # In 2021 he also held 75% of SPS (2020-01-10 to 2022-11-22).
    past = q.holdings(network, ZAKHAROV, day="2021-01-01").companies
    shares = {h.node.caption: h.share for h in past}
    assert shares['ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "СПС"'] == 75


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        ("us_ofac_sdn", ConfigError, "is an official list's dataset"),
        ("My Registry", ConfigError, "lower-case letters"),
    ],
)
def test_a_dataset_name_of_ones_own(
    tmp_path: Path, name: str, error: type[Exception], message: str
) -> None:
    with Store(f"sqlite:///{tmp_path / 'r.db'}") as store, pytest.raises(error, match=message):
        ingest(store, [ZALA], as_dataset=name)


def test_only_ftm_files_take_a_dataset_name(tmp_path: Path) -> None:
    sdn = SOURCES / "ofac_sdn" / "sdn_2021-08-18.csv"
    with Store(f"sqlite:///{tmp_path / 'r.db'}") as store:
        with pytest.raises(SourceError, match="only FtM files"):
            ingest(store, [sdn], as_dataset="mine")
        assert store.versions() == []


def test_cli(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    runner = CliRunner()
    args = ["update", "--from", str(ZALA), "--as-dataset", "ru_registry_excerpt", "--db", db]
    done = runner.invoke(cli, args, obj={}, env={})
    assert done.exit_code == 0, done.output
    assert "ru_registry_excerpt" in done.output
    owners = runner.invoke(cli, ["owners", CST, "--db", db], obj={}, env={})
    assert owners.exit_code == 0, owners.output
    assert "51%  Aleksandr Vyacheslavovich Zakharov (ultimate)" in owners.output
    assert "OFAC 50% rule: does not apply" in owners.output
