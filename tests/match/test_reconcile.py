"""/reconcile/{dataset} answers OpenRefine as yente does, on a register of real lists."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from belwatch.api import create_app
from belwatch.settings import Settings
from belwatch.sources.base import make_id
from belwatch.store import Store

LUKASHENKA = make_id("us_ofac_sdn", "9760")
NAME = "Лукашенко Александр Григорьевич"


@pytest.fixture(scope="module")
def client(real_store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(db=real_store.url), store=real_store)) as client:
        yield client


def reconcile(client: TestClient, queries: object, dataset: str = "default") -> Any:
    """Post the batch form-encoded, exactly as OpenRefine does."""
    return client.post(f"/reconcile/{dataset}", data={"queries": json.dumps(queries)})


def person(name: str = NAME, limit: int = 10, **props: str) -> dict[str, object]:
    properties = [{"pid": pid, "v": v} for pid, v in props.items()]
    return {"query": name, "type": "Person", "limit": limit, "properties": properties}


def test_manifest_points_openrefine_at_our_pages_and_services(client: TestClient) -> None:
    manifest = client.get("/reconcile/us_ofac_sdn").json()
    assert manifest["versions"] == ["0.2"]
    assert "Specially Designated Nationals" in manifest["name"]
    assert manifest["view"]["url"] == "http://testserver/entity/{{id}}"
    assert manifest["preview"]["url"] == "http://testserver/entity/{{id}}"
    assert manifest["identifierSpace"] == "http://testserver/entity/"
    for kind in ("entity", "type", "property"):
        service = manifest["suggest"][kind]
        assert service == {
            "service_url": "http://testserver/reconcile/us_ofac_sdn",
            "service_path": f"/suggest/{kind}",
        }
    assert manifest["extend"]["propose_properties"]["service_path"] == "/extend/property"
    types = {t["id"]: t for t in manifest["defaultTypes"]}
    assert {"Person", "Organization", "Company", "LegalEntity", "Vessel"} <= set(types)
    assert "Address" not in types and "Sanction" not in types
    assert types["Person"]["name"] == "People"
    # the view template leads to a real page once OpenRefine fills in an id
    page = client.get(manifest["view"]["url"].replace("{{id}}", LUKASHENKA))
    assert page.status_code == 200 and "LUKASHENKA" in page.text.upper()


def test_cyrillic_query_finds_the_target_listed_in_latin(client: TestClient) -> None:
    response = reconcile(client, {"q0": person(birthDate="1954-08-30")})
    assert response.status_code == 200
    results = response.json()["q0"]["result"]
    found = {r["id"]: r for r in results}
    assert LUKASHENKA in found
    hit = found[LUKASHENKA]
    assert "LUKASHENKA" in hit["name"].upper() and hit["match"] is True
    assert 0.9 <= hit["score"] <= 1.0
    assert hit["type"] == [
        {"id": "Person", "name": "People", "description": hit["type"][0]["description"]}
    ]
    assert "born 1954-08-30" in hit["description"] and "us_ofac_sdn" in hit["description"]
    features = {f["id"]: f["value"] for f in hit["features"]}
    assert features["name_match"] > 0 and features["dob_match"] > 0
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)


def test_properties_narrow_the_score(client: TestClient) -> None:
    batch = {
        "same": person(birthDate="1954-08-30"),
        "none": person(),
        "other": person(**{"Person:birthDate": "1970-01-01"}),
    }
    answers = reconcile(client, batch).json()
    scores = {
        key: next(r for r in answers[key]["result"] if r["id"] == LUKASHENKA) for key in batch
    }
    assert scores["same"]["score"] > scores["none"]["score"] > scores["other"]["score"]
    assert scores["other"]["match"] is False
    assert any(f["id"] == "dob_conflict" and f["value"] < 0 for f in scores["other"]["features"])


def test_get_with_queries_and_dataset_scope(client: TestClient) -> None:
    queries = json.dumps({"a": {"query": "Viktar Sheiman", "type": "Person"}})
    only_uk = client.get("/reconcile/gb_hmt_sanctions", params={"queries": queries}).json()
    assert only_uk["a"]["result"]
    assert all("gb_hmt_sanctions" in r["description"] for r in only_uk["a"]["result"])
    # no type: persons and organisations alike (LegalEntity), limit defaults to 5
    untyped = reconcile(client, {"a": {"query": "Беларуськалий"}}).json()["a"]["result"]
    assert 1 <= len(untyped) <= 5 and "BELARUSKALI" in untyped[0]["name"].upper()
    assert untyped[0]["type"][0]["id"] in {"Company", "Organization", "LegalEntity"}


def test_extend_adds_columns_from_reconciled_entities(client: TestClient) -> None:
    proposed = client.get("/reconcile/default/extend/property", params={"type": "Person"}).json()
    ids = [p["id"] for p in proposed["properties"]]
    assert proposed["type"] == "Person" and ids[:3] == ["name", "nationality", "birthDate"]
    columns = [
        {"id": "birthDate"},
        {"id": "nationality"},
        {"id": "Person:nationality", "settings": {"render": "raw"}},
    ]
    extend = {"ids": [LUKASHENKA, "no-such-id"], "properties": columns}
    data = client.post("/reconcile/default", data={"extend": json.dumps(extend)}).json()
    assert data["meta"][0] == {"id": "birthDate", "name": "Birth date"}
    row = data["rows"][LUKASHENKA]
    assert {"str": "1954-08-30"} in row["birthDate"]
    assert {"str": "Belarus"} in row["nationality"]
    assert {"str": "by"} in row["Person:nationality"]
    assert data["rows"]["no-such-id"] == {}


def test_suggest_entity_type_and_property(client: TestClient) -> None:
    entities = client.get(
        "/reconcile/default/suggest/entity", params={"prefix": "Лукашенко", "limit": 3}
    ).json()
    assert entities["prefix"] == "Лукашенко" and len(entities["result"]) == 3
    assert all("LUKASHENK" in e["name"].upper() for e in entities["result"])
    assert {"id", "name", "description", "type"} <= set(entities["result"][0])

    types = client.get("/reconcile/default/suggest/type", params={"prefix": "pe"}).json()
    assert [t["id"] for t in types["result"]] == ["Person"]
    everything = client.get("/reconcile/default/suggest/type").json()["result"]
    assert len(everything) >= 5

    props = client.get(
        "/reconcile/default/suggest/property", params={"prefix": "birth", "type": "Person"}
    ).json()
    assert "Person:birthDate" in {p["id"] for p in props["result"]}
    # the qualified id OpenRefine gets here is accepted back as a pid
    answer = reconcile(client, {"q": person(limit=1, **{"Person:birthDate": "1954-08-30"})})
    assert answer.json()["q"]["result"][0]["match"] is True


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"queries": "{not json"}, "queries is not valid JSON"),
        ({"queries": "[" * 100_000}, "queries is nested too deeply"),
        ({"queries": json.dumps({"q": {"query": "x", "type": "Nope"}})}, "unknown type 'Nope'"),
        (
            {"queries": json.dumps({"q": {"query": "x", "type": "Address"}})},
            "type Address cannot be reconciled",
        ),
        (
            {"queries": json.dumps({"q": person(colour="red")})},
            "Person has no property 'colour'",
        ),
        (
            {"queries": json.dumps({"q": person(**{"Vessel:imoNumber": "IMO 9354521"})})},
            "Person has no property 'Vessel:imoNumber'",
        ),
        (
            {"queries": json.dumps({str(i): person("Ivan") for i in range(101)})},
            "101 queries in one request; the limit is 100",
        ),
        (
            {"queries": json.dumps({"q": person(**{"Nope:birthDate": "1954"})})},
            "Person has no property 'Nope:birthDate'",
        ),
        ({"queries": json.dumps({"q": {"query": "x", "limit": 0}})}, "q.limit"),
        ({"queries": json.dumps({"q": {"type": "Person"}})}, "the query has no name"),
        ({"queries": json.dumps(["a list"])}, "queries: the whole value"),
        (
            {"extend": json.dumps({"ids": [LUKASHENKA], "properties": [{"id": "x"}]})},
            "unknown property 'x'",
        ),
        ({}, "send the form field queries"),
    ],
)
def test_bad_requests_are_400s_with_a_reason(
    client: TestClient, form: dict[str, str], message: str
) -> None:
    response = client.post("/reconcile/default", data=form)
    assert response.status_code == 400, response.text
    assert message in response.json()["detail"]


def test_bad_requests_outside_the_batch(client: TestClient) -> None:
    unknown = client.get("/reconcile/nowhere")
    assert unknown.status_code == 400 and "unknown dataset 'nowhere'" in unknown.json()["detail"]
    as_json = client.post("/reconcile/default", json={"queries": {}})
    assert as_json.status_code == 400 and "x-www-form-urlencoded" in as_json.json()["detail"]
    huge = client.post("/reconcile/default", data={"queries": "x" * 3_000_000})
    assert huge.status_code == 400 and "larger than" in huge.json()["detail"]
    many = client.post("/reconcile/default", data={f"f{i}": "x" for i in range(50)})
    assert many.status_code == 400 and "too many form fields" in many.json()["detail"]
    bad_get = client.get("/reconcile/default", params={"queries": "{"})
    assert bad_get.status_code == 400 and "not valid JSON" in bad_get.json()["detail"]
    bad_type = client.get("/reconcile/default/suggest/property", params={"type": "Nope"})
    assert bad_type.status_code == 400 and "unknown type" in bad_type.json()["detail"]
