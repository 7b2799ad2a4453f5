"""POST /match and GET /algorithms answer in yente's shapes on a real register."""

from __future__ import annotations

from collections.abc import Iterator

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
