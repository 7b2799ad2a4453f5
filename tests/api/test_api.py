"""The HTTP API answers in yente's shapes, so yente clients work unchanged."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from belwatch.api import create_app
from belwatch.ingest import ingest
from belwatch.settings import Settings
from belwatch.store import Store

from store.test_store import V2021, V2022, write


@pytest.fixture
def client(store: Store, tmp_path: Path) -> Iterator[TestClient]:
    ingest(
        store,
        [
            write(tmp_path, "list_2021-03-01.json", V2021),
            write(tmp_path, "list_2022-03-01.json", V2022),
        ],
    )
    with TestClient(create_app(Settings(db=store.url), store=store)) as client:
        yield client


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.json() == {"status": "ok"}
    # Every answer says how long the server took, for developer tools and bench/pages.py.
    assert re.fullmatch(r"app;dur=\d+\.\d", response.headers["server-timing"])


def test_catalog_lists_datasets_with_versions(client: TestClient) -> None:
    data = client.get("/catalog").json()
    assert set(data) >= {"datasets", "current", "outdated", "index_stale"}
    by_name = {d["name"]: d for d in data["datasets"]}
    imported = by_name["ftm_import"]
    assert imported["version"] == "20220301"
    assert [v["date"] for v in imported["versions"]] == ["2021-03-01", "2022-03-01"]
    assert by_name["sanctions"]["children"] == ["ftm_import"]
    for dataset in data["datasets"]:
        assert {"name", "title", "load", "version", "children"} <= set(dataset)


def test_entity_has_nested_sanctions(client: TestClient) -> None:
    data = client.get("/entities/p1").json()
    assert {
        "id",
        "caption",
        "schema",
        "properties",
        "datasets",
        "referents",
        "target",
        "first_seen",
        "last_seen",
        "last_change",
    } <= set(data)
    assert data["schema"] == "Person" and data["target"] is True
    assert data["caption"] == "Aliaksandr LUKASHENKA"
    (sanction,) = data["properties"]["sanctions"]
    assert sanction["id"] == "s1" and sanction["properties"]["program"] == ["BELARUS"]
    assert "entity" not in sanction["properties"]  # no loop back to the parent
    flat = client.get("/entities/p1", params={"nested": "false"}).json()
    assert "sanctions" not in flat["properties"]


def test_entity_as_of_a_date(client: TestClient) -> None:
    then = client.get("/entities/p1", params={"as_of": "2021-06-01"}).json()
    assert "alias" not in then["properties"]
    assert client.get("/entities/p1", params={"as_of": "June"}).status_code == 422


def test_delisted_entity_still_resolves(client: TestClient) -> None:
    data = client.get("/entities/p2").json()
    assert data["properties"]["name"] == ["Viktar SHEIMAN"]
    assert data["last_seen"] == "2021-03-01"


def test_missing_entity_is_a_json_404(client: TestClient) -> None:
    response = client.get("/entities/nobody")
    assert response.status_code == 404
    assert response.json() == {"detail": "no entity 'nobody' in the register"}


def test_entity_page_shows_names_listings_and_history(client: TestClient) -> None:
    page = client.get("/entity/p1")
    assert page.status_code == 200
    html = page.text
    assert "Александр ЛУКАШЕНКО" in html and "BELARUS" in html
    assert "2021-03-01" in html and "2022-03-01" in html
    gone = client.get("/entity/p2").text
    assert "no longer listed" in gone


def test_search_page_and_home(client: TestClient) -> None:
    assert "/entity/p1" in client.get("/search", params={"q": "лукашенко"}).text
    assert "No listed name" in client.get("/search", params={"q": "zzzz"}).text
    assert "ftm_import" in client.get("/").text


def test_openapi_schema_is_served(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/healthz", "/catalog", "/entities/{entity_id}"} <= set(paths)
