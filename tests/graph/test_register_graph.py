"""The relationship graph of five real lists, each target's entries grouped across them:
OFAC's "Linked To", the UK's parent companies, and the names the reasons for listing give,
checked against the official files."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from xml.etree import ElementTree as ET

import pytest
from fastapi.testclient import TestClient

from belwatch.api import create_app
from belwatch.graph import Network, build
from belwatch.graph import queries as q
from belwatch.graph.export import to_ftm, to_graphml
from belwatch.graph.load import lead_id
from belwatch.match.service import Matcher
from belwatch.resolve import Resolution
from belwatch.settings import Settings
from belwatch.store import Store

Register = tuple[Store, Matcher, Resolution]


@pytest.fixture(scope="module")
def network(resolved_store: Register) -> Network:
    store, matcher, resolution = resolved_store
    return build(store, matcher, resolution)


def node(network: Network, caption: str) -> str:
    found = [i for i, c in zip(network.ids, network.captions, strict=True) if c == caption]
    assert len(found) == 1, (caption, found)
    return found[0]


def neighbours(network: Network, caption: str) -> dict[str, tuple[str, str]]:
    """Around a node: each neighbour's caption -> (link label, the neighbour's listings)."""
    graph = q.neighbourhood(network, node(network, caption))
    captions = {n.id: n for n in graph.nodes}
    root = graph.nodes[0].id
    found = {}
    for edge in graph.edges:
        other = captions[edge.target if edge.source == root else edge.source]
        found[other.caption] = (edge.label, " ".join(other.listed))
    return found


def test_one_node_per_target_with_its_links_from_every_list(network: Network) -> None:
    # Alfa-Bank (Belarus) is on the US, UK and Canadian lists: one node; OFAC links five
    # companies to it ("Linked To: ALFA-BANK ZAO (BELARUS)" in their SDN remarks).
    alfa = network.node(network.index[node(network, "Alfa-Bank ZAO (Belarus)")])
    assert alfa.listed == ["ca", "gb", "us"] and len(alfa.entries) == 3
    assert "belarus" in alfa.regimes
    around = neighbours(network, "Alfa-Bank ZAO (Belarus)")
    assert {"ALFA-DIRECT", "ALFA-FOREX LLC", "AMSTERDAM TRADE BANK NV"} <= set(around)
    assert around["ALFA-DIRECT"][0] == "Linked To"


def test_uk_parent_company_is_an_ownership(network: Network) -> None:
    # UK list, JSC INTEGRAL: "Parent company: INTEGRAL SPB" (share not stated).
    held = q.holdings(network, node(network, "JSC INTEGRAL"))
    assert [(h.node.caption, h.share) for h in held.companies] == [("INTEGRAL SPB", None)]
    owned = q.owners(network, node(network, "INTEGRAL SPB"))
    assert [h.node.caption for h in owned.owners] == ["JSC INTEGRAL"]
    # With no share known, neither rule is said to apply.
    assert not owned.ofac_50.applies and "as far as known" in owned.ofac_50.explanation


def test_names_the_reasons_give_are_links_or_leads(network: Network) -> None:
    # The UK's reasons for listing LLC SYNESIS name its products Kipod and Panoptes: on no
    # list, they are leads of their own.
    around = neighbours(network, "LLC SYNESIS")
    assert around["Kipod"] == ("named in the reasons for listing", "")
    assert node(network, "Kipod") == lead_id("Kipod")
    near = {u.node.caption: u for u in q.unlisted(network, node(network, "LLC SYNESIS"))}
    assert {"Kipod", "Panoptes"} <= set(near)
    assert near["Kipod"].distance == 1 and near["Kipod"].tie == pytest.approx(0.3)


def test_unlisted_near_the_belarus_targets(network: Network) -> None:
    found = q.unlisted(network, regime="belarus", limit=1000)
    assert found and all(not u.node.listed for u in found)
    assert "Voldarka" in {u.node.caption for u in found}
    ties = [u.tie for u in found]
    assert ties == sorted(ties, reverse=True)


def test_shortest_path_through_a_state_body(network: Network) -> None:
    # OFAC links both Marshalov and Selitskiy to the Department of Financial Investigations.
    edges = q.shortest_path(
        network, node(network, "Igor Anatolievich MARSHALOV"),
        node(network, "Victor Frantsevich SELITSKIY"),
    )  # fmt: skip
    assert edges is not None and len(edges) == 2
    middle = {edges[0].source, edges[0].target} & {edges[1].source, edges[1].target}
    assert [network.captions[network.index[m]] for m in middle] == [
        "DEPARTMENT OF FINANCIAL INVESTIGATIONS OF THE STATE CONTROL COMMITTEE OF THE "
        "REPUBLIC OF BELARUS"
    ]


def test_exports_carry_the_lists_own_entities(resolved_store: Register, network: Network) -> None:
    store = resolved_store[0]
    graph = q.neighbourhood(network, node(network, "Alfa-Bank ZAO (Belarus)"))
    root = ET.fromstring(to_graphml(graph))
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    assert len(root.findall(".//g:node", ns)) == len(graph.nodes)
    assert len(root.findall(".//g:edge", ns)) == len(graph.edges)
    lines = [json.loads(line) for line in to_ftm(graph, store).decode().splitlines()]
    by_id = {line["id"]: line for line in lines}
    for edge in graph.edges:
        assert by_id[edge.id]["schema"] == "UnknownLink"
    # Every entry of the bank, on all three lists, with its own dataset.
    bank = next(n for n in graph.nodes if n.caption == "Alfa-Bank ZAO (Belarus)")
    assert {e for e in bank.entries} <= set(by_id)
    assert {d for e in bank.entries for d in by_id[e]["datasets"]} == {
        "ca_dfatd_sema_sanctions", "gb_hmt_sanctions", "us_ofac_sdn",
    }  # fmt: skip


@pytest.fixture(scope="module")
def client(resolved_store: Register) -> Iterator[TestClient]:
    store, matcher, _ = resolved_store
    app = create_app(Settings(db=store.url), store=store)
    app.state.matcher = matcher
    with TestClient(app) as client:
        yield client


def test_api(client: TestClient, network: Network) -> None:
    bank = node(network, "Alfa-Bank ZAO (Belarus)")
    entry = network.node(network.index[bank]).entries[0]
    # Any list's entry stands for its target.
    by_entry = client.get(f"/network/{entry}").json()
    assert by_entry["root"] == bank
    assert {n["caption"] for n in by_entry["nodes"]} >= {"ALFA-DIRECT", "Alfa-Bank ZAO (Belarus)"}
    graphml = client.get(f"/network/{entry}/export", params={"format": "graphml"})
    assert graphml.status_code == 200 and graphml.text.startswith("<?xml")
    assert "attachment" in graphml.headers["content-disposition"]
    integral = node(network, "INTEGRAL SPB")
    owners = client.get(f"/network/{integral}/owners").json()
    assert owners["owners"][0]["node"]["caption"] == "JSC INTEGRAL"
    assert owners["ofac_50"]["applies"] is False
    path = client.get("/path", params={"source": entry, "target": integral}).json()
    assert path["found"] is False and path["edges"] == []
    unlisted = client.get("/unlisted", params={"regime": "belarus", "limit": 5}).json()
    assert len(unlisted["results"]) == 5
    assert all(not r["node"]["listed"] for r in unlisted["results"])


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/network/nobody", 404, "'nobody' has no relationships"),
        ("/network/nobody/owners", 404, "'nobody' has no relationships"),
        ("/unlisted?regime=mars", 400, "unknown regime 'mars'"),
        ("/path?source=nobody&target=nobody2", 404, "'nobody' has no relationships"),
    ],
)
def test_api_errors_say_why(client: TestClient, url: str, status: int, message: str) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert message in response.json()["detail"]


def test_bad_kind_is_a_400(client: TestClient, network: Network) -> None:
    bank = node(network, "Alfa-Bank ZAO (Belarus)")
    response = client.get(f"/network/{bank}", params={"kind": "Friendship"})
    assert response.status_code == 400 and "unknown link kind 'Friendship'" in response.text


def test_entity_page_shows_the_target_on_every_list_and_its_links(
    client: TestClient, network: Network
) -> None:
    bank = network.node(network.index[node(network, "Alfa-Bank ZAO (Belarus)")])
    page = client.get(f"/entity/{bank.entries[0]}")
    assert page.status_code == 200
    text = page.text
    assert "The same target on every list" in text
    for entry in bank.entries[1:]:
        assert f'href="/entity/{entry}"' in text
    assert "ALFA-DIRECT" in text and "Linked To" in text
    assert f'href="/entity/{bank.entries[0]}/network"' in text
    # Its sources: the list it came from and the version file that carried it.
    assert 'id="sources"' in text and re.search(r"<code>[^<]+\.(csv|xml|xlsx)</code>", text)
    network_page = client.get(f"/entity/{bank.entries[0]}/network")
    assert network_page.status_code == 200 and 'id="graph-data"' in network_page.text


def test_pages_for_the_unlisted_and_for_a_connection(client: TestClient, network: Network) -> None:
    near = client.get("/unlisted-near", params={"regime": "belarus"})
    assert near.status_code == 200 and "Voldarka" in near.text
    assert client.get("/unlisted-near", params={"regime": "mars"}).status_code == 400
    marshalov = network.node(network.index[node(network, "Igor Anatolievich MARSHALOV")])
    # Named by a name, in Cyrillic: the best match with relationships is taken.
    found = client.get("/connection", params={"from": marshalov.entries[0], "to": "Селицкий"})
    assert found.status_code == 200
    assert "2 links between" in found.text
    assert "DEPARTMENT OF FINANCIAL INVESTIGATIONS" in found.text
    nobody = client.get("/connection", params={"from": marshalov.entries[0], "to": "Qwxzv"})
    assert "No entity with relationships is named like" in nobody.text


def test_cli_errors_say_what_is_wrong(resolved_store: Register) -> None:
    from click.testing import CliRunner

    from belwatch.cli import cli

    db = ["--db", resolved_store[0].url]
    runner = CliRunner()
    nobody = runner.invoke(cli, ["network", "nobody", *db], obj={}, env={})
    assert nobody.exit_code == 1 and "'nobody' has no relationships" in nobody.output
    mars = runner.invoke(cli, ["unlisted", "--regime", "mars", *db], obj={}, env={})
    assert mars.exit_code == 2 and "unknown regime 'mars'" in mars.output
    path = runner.invoke(cli, ["path", "nobody", "nobody2", *db], obj={}, env={})
    assert path.exit_code == 1 and "no relationships" in path.output
