"""POST /match, GET /search and GET /algorithms answer in yente's shapes, with its query
parameters, on a real register."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from belwatch.api import create_app
from belwatch.settings import Settings
from belwatch.sources.base import make_id
from belwatch.store import Store


@pytest.fixture(scope="module")
def client(real_store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(db=real_store.url), store=real_store)) as client:
        yield client


def query(name: str, schema: str = "Person", **props: list[str]) -> dict[str, object]:
    return {"schema": schema, "properties": {"name": [name], **props}}


def test_match_finds_a_target_on_every_list(client: TestClient) -> None:
    body = {"queries": {"a": query("Лукашенко Александр Григорьевич", birthDate=["1954-08-30"])}}
    data = client.post("/match/default", json=body, params={"limit": 10}).json()
    assert set(data) == {"responses", "matcher", "limit"}
    response = data["responses"]["a"]
    assert response["status"] == 200 and response["query"]["schema"] == "Person"
    results = response["results"]
    assert make_id("us_ofac_sdn", "9760") in {r["id"] for r in results}
    lists = {r["datasets"][0] for r in results if r["match"]}
    assert lists >= {
        "us_ofac_sdn",
        "eu_journal_sanctions",
        "gb_hmt_sanctions",
        "ca_dfatd_sema_sanctions",
    }
    best = results[0]
    assert {
        "id",
        "caption",
        "schema",
        "properties",
        "datasets",
        "score",
        "match",
        "features",
    } <= set(best)
    assert best["features"]["name_match"] > 0 and best["explanations"]
    assert data["matcher"]["name_match"]["coefficient"] == 0.85


def test_dataset_scopes_results(client: TestClient) -> None:
    body = {"queries": {"a": query("Viktar Sheiman")}}
    only_uk = client.post("/match/gb_hmt_sanctions", json=body).json()["responses"]["a"]["results"]
    assert only_uk and {r["datasets"][0] for r in only_uk} == {"gb_hmt_sanctions"}
    belarus = client.post("/match/belarus", json=body).json()["responses"]["a"]["results"]
    assert belarus[0]["match"] and "SHEIMAN" in belarus[0]["caption"].upper()
    for result in belarus:
        sanctions = client.get(f"/entities/{result['id']}").json()["properties"]["sanctions"]
        programs = " ".join(p for s in sanctions for p in s["properties"].get("program", []))
        assert "belarus" in programs.lower() or "765/2006" in programs


def test_algorithms(client: TestClient) -> None:
    data = client.get("/algorithms").json()
    assert data["default"] == data["best"] == "belwatch-v1"
    (v1,) = data["algorithms"]
    assert {"name_match", "dob_conflict"} <= set(v1["features"])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"queries": {"a": {"schema": "Nope", "properties": {"name": ["x"]}}}}, "unknown schema"),
        ({"queries": {"a": {"schema": "Person", "properties": {}}}}, "the query has no name"),
        ({"queries": {"a": query("x" * 10_000)}}, "longer than 1,000 characters"),
        ({"queries": {str(i): query("Ivan") for i in range(101)}}, "the limit is 100"),
        (
            {"queries": {"a": {"schema": "Person", "properties": {"colour": ["red"]}}}},
            "no property",
        ),
    ],
)
def test_bad_queries_are_400s_with_a_reason(client: TestClient, body: object, message: str) -> None:
    response = client.post("/match/default", json=body)
    assert response.status_code == 400 and message in response.json()["detail"]


def test_malformed_json_and_unknown_dataset(client: TestClient) -> None:
    response = client.post(
        "/match/default", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    unknown = client.post("/match/nowhere", json={"queries": {"a": query("Ivan")}})
    assert unknown.status_code == 400 and "unknown dataset 'nowhere'" in unknown.json()["detail"]


def test_search_in_yente_shape(client: TestClient) -> None:
    data = client.get("/search/default", params={"q": "Беларуськалий", "limit": 2}).json()
    assert data["limit"] == 2 and data["offset"] == 0
    assert data["total"]["value"] >= 4 and len(data["results"]) == 2
    datasets = {v["name"] for v in data["facets"]["datasets"]["values"]}
    assert {"us_ofac_sdn", "eu_journal_sanctions", "gb_hmt_sanctions"} <= datasets
    page2 = client.get("/search/default", params={"q": "Беларуськалий", "limit": 2, "offset": 2})
    assert {r["id"] for r in page2.json()["results"]}.isdisjoint({r["id"] for r in data["results"]})
    people = client.get("/search/default", params={"q": "Zhukov", "schema": "Vessel"}).json()
    assert people["results"] and {r["schema"] for r in people["results"]} == {"Vessel"}
    bad = client.get("/search/default", params={"q": "x", "schema": "Nope"})
    assert bad.status_code == 400 and "unknown schema" in bad.json()["detail"]


def test_screen_page_shows_hits_explanations_and_listings(client: TestClient) -> None:
    page = client.get("/screen", params={"name": "Лукашэнка Аляксандр", "birth_date": "1954"})
    assert page.status_code == 200
    html = page.text
    assert "LUKASHENKA" in html.upper() and "name_match" in html and "born 1954 on both" in html
    assert "European Union: Regulation (EC) No 765/2006 (Belarus)" in html
    empty = client.get("/screen").text
    assert "<form" in empty and "match" not in empty.split("</form>")[1]


LUKASHENKA = {"queries": {"a": query("Лукашенко Александр Григорьевич", birthDate=["1954-08-30"])}}
ON_EVERY_LIST = {
    "us_ofac_sdn",
    "eu_journal_sanctions",
    "gb_hmt_sanctions",
    "ca_dfatd_sema_sanctions",
}


def screen(
    client: TestClient, dataset: str = "default", body: object = LUKASHENKA, **params: Any
) -> list[dict[str, Any]]:
    response = client.post(f"/match/{dataset}", json=body, params={"limit": 10, **params})
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["responses"]["a"]["results"]
    return results


def lists(results: list[dict[str, Any]], matches_only: bool = False) -> set[str]:
    return {name for r in results if not matches_only or r["match"] for name in r["datasets"]}


def test_include_and_exclude_dataset_choose_the_lists(client: TestClient) -> None:
    uk = screen(client, include_dataset="gb_hmt_sanctions")
    assert uk[0]["match"] and lists(uk) == {"gb_hmt_sanctions"}
    two = screen(client, include_dataset=["gb_hmt_sanctions", "us_ofac_sdn"])
    assert lists(two, matches_only=True) == lists(two) == {"gb_hmt_sanctions", "us_ofac_sdn"}
    without_ofac = screen(client, exclude_dataset="us_ofac_sdn")
    assert lists(without_ofac, matches_only=True) == ON_EVERY_LIST - {"us_ofac_sdn"}
    assert "us_ofac_sdn" not in lists(without_ofac)
    # As in yente, include_dataset narrows the path's scope and never widens it.
    assert screen(client, "us_ofac_sdn", include_dataset="gb_hmt_sanctions") == []
    sdn = make_id("us_ofac_sdn", "9760")
    assert sdn in {r["id"] for r in screen(client)}
    assert sdn not in {r["id"] for r in screen(client, exclude_entity_ids=sdn)}


def test_a_filter_that_turns_most_candidates_away_still_fills_the_page(client: TestClient) -> None:
    matcher = client.app.state.matcher  # type: ignore[attr-defined]
    first = matcher.index.candidates(["Viktor"], schema="Person", limit=50)
    assert not {matcher.profiles[c.entity_id].dataset for c in first} & {"eu_journal_sanctions"}
    body = {"queries": {"a": query("Viktor")}}
    for found in (
        screen(client, body=body, limit=5, include_dataset="eu_journal_sanctions"),
        screen(client, "eu_journal_sanctions", body=body, limit=5),
    ):
        assert len(found) == 5 and lists(found) == {"eu_journal_sanctions"}


def test_exclude_schema_drops_exactly_that_schema(client: TestClient) -> None:
    body = {"queries": {"a": query("Козлов", schema="LegalEntity")}}  # persons and a plant
    assert "Person" in {r["schema"] for r in screen(client, body=body)}
    others = screen(client, body=body, exclude_schema="Person")
    assert others and "Person" not in {r["schema"] for r in others}
    # Schema names compare exactly, as in yente: a Company is an Organization, and stays.
    potash = {"queries": {"a": query("Belaruskali", schema="LegalEntity")}}
    schemata = {r["schema"] for r in screen(client, body=potash, exclude_schema="Organization")}
    assert "Company" in schemata and "Organization" not in schemata


def test_topics_keep_the_targets_carrying_any_of_them(client: TestClient) -> None:
    everyone = [r["id"] for r in screen(client)]
    assert [r["id"] for r in screen(client, topics="sanction")] == everyone
    assert [r["id"] for r in screen(client, topics=["role.pep", "sanction"])] == everyone
    assert screen(client, topics="role.pep") == []


def test_changed_since_keeps_entities_changed_on_or_after_the_day(client: TestClient) -> None:
    # The fixture holds the OFAC SDN list of 2024-05-03 and the UK list of 2025-04-10.
    assert lists(screen(client, changed_since="2000-01-01"), matches_only=True) >= ON_EVERY_LIST
    assert "us_ofac_sdn" in lists(screen(client, changed_since="2024-05-03"))
    later = lists(screen(client, changed_since="2024-05-04"), matches_only=True)
    assert later >= ON_EVERY_LIST - {"us_ofac_sdn"} and "us_ofac_sdn" not in later
    assert "gb_hmt_sanctions" in lists(screen(client, changed_since="2025-04-10T18:30"))
    assert "gb_hmt_sanctions" not in lists(screen(client, changed_since="2025-04-11"))
    assert screen(client, changed_since="2100-01-01") == []


def test_cutoff_leaves_out_low_scores_but_never_a_match(client: TestClient) -> None:
    above = screen(client, cutoff=0.5)
    assert above and all(r["score"] > 0.5 for r in above) and len(above) < len(screen(client))
    # A cutoff above the threshold is the threshold.
    clamped = screen(client, cutoff=1.0)
    assert clamped and all(r["match"] for r in clamped) and lists(clamped) >= ON_EVERY_LIST


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"exclude_schema": "Nope"}, 400, "unknown schema 'Nope' in exclude_schema"),
        ({"include_dataset": "nowhere"}, 400, "unknown dataset 'nowhere' in include_dataset"),
        ({"exclude_dataset": "nowhere"}, 400, "unknown dataset 'nowhere' in exclude_dataset"),
        ({"changed_since": "2025-13-01"}, 400, "changed_since '2025-13-01' is not a date"),
        ({"changed_since": "yesterday"}, 422, "String should match pattern"),
    ],
)
def test_bad_filters_are_refused_with_a_reason(
    client: TestClient, params: dict[str, str], status: int, message: str
) -> None:
    for response in (
        client.post("/match/default", json=LUKASHENKA, params=params),
        client.get("/search/default", params={"q": "Лукашенко", **params}),
    ):
        assert response.status_code == status and message in str(response.json()["detail"])


def test_search_filters_as_yente_does(client: TestClient) -> None:
    def found(**params: Any) -> dict[str, Any]:
        response = client.get("/search/default", params={"q": "Лукашенко", "limit": 50, **params})
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()
        return data

    everyone = found()
    total = everyone["total"]["value"]
    assert set(everyone["facets"]) == {"countries", "topics", "datasets", "schema"}
    assert everyone["facets"]["topics"]["values"] == [
        {"name": "sanction", "label": "Sanctioned", "count": total}
    ]
    assert lists(found(include_dataset="gb_hmt_sanctions")["results"]) == {"gb_hmt_sanctions"}
    assert "us_ofac_sdn" not in lists(found(exclude_dataset="us_ofac_sdn")["results"])
    assert found(exclude_schema="Person")["results"] == []
    assert found(topics="sanction")["total"]["value"] == total
    assert found(topics="role.pep")["results"] == []
    assert "us_ofac_sdn" not in lists(found(changed_since="2025-01-01")["results"])
    assert found(changed_since="2100-01-01")["results"] == []
    either = ["gb_hmt_sanctions", "us_ofac_sdn"]
    assert lists(found(datasets=either)["results"]) == set(either)
    assert found(datasets=either, filter_op="AND")["results"] == []  # each entity is on one list
    born = found(filter="properties.birthDate:1954-08-30")["results"]
    assert lists(born) >= ON_EVERY_LIST
    assert all("1954-08-30" in r["properties"]["birthDate"] for r in born)
    belarusians = found(countries="BY")["total"]["value"]
    assert 0 < belarusians < total and found(filter="countries:by")["total"]["value"] == belarusians
    assert found(target=False)["results"] == []
    assert set(found(facets=["genders", "identifiers"])["facets"]) == {"genders", "identifiers"}
    potash = client.get(
        "/search/default", params={"q": "Беларуськалий", "exclude_schema": "Company"}
    )
    assert "Company" not in {r["schema"] for r in potash.json()["results"]}


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"filter": "birthDate"}, 400, "invalid filter 'birthDate': use field:value"),
        ({"filter": "properties.colour:red"}, 400, "no schema has a property 'colour'"),
        ({"filter": "wingspan:3"}, 400, "cannot filter on 'wingspan'"),
        ({"datasets": "nowhere"}, 400, "unknown dataset 'nowhere' in datasets"),
        ({"filter_op": "XOR"}, 422, "'AND' or 'OR'"),
        ({"facets": "colour"}, 422, "'countries'"),
    ],
)
def test_bad_search_filters_are_refused_with_a_reason(
    client: TestClient, params: dict[str, str], status: int, message: str
) -> None:
    response = client.get("/search/default", params={"q": "Лукашенко", **params})
    assert response.status_code == status and message in str(response.json()["detail"])
