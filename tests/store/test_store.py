"""The register keeps every statement's history across list versions, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from belwatch.exc import NotFound, SourceError, StoreError
from belwatch.ingest import ingest
from belwatch.sources import ftm
from belwatch.sources.base import SourceFile
from belwatch.stats import register_stats
from belwatch.store import Store
from belwatch.store.schema import statement_table, version_table


def person(pid: str, *names: str, **props: Any) -> dict[str, Any]:
    return {"id": pid, "schema": "Person", "properties": {"name": list(names), **props}}


def sanction(sid: str, target: str, program: str) -> dict[str, Any]:
    return {
        "id": sid,
        "schema": "Sanction",
        "properties": {"entity": [target], "program": [program]},
    }


def write(folder: Path, name: str, entities: list[dict[str, Any]]) -> Path:
    path = folder / name
    path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entities))
    return path


V2021 = [
    person("p1", "Aliaksandr LUKASHENKA", birthDate=["1954-08-30"]),
    sanction("s1", "p1", "BELARUS"),
    person("p2", "Viktar SHEIMAN"),
    sanction("s2", "p2", "BELARUS"),
]
V2022 = [
    person("p1", "Aliaksandr LUKASHENKA", birthDate=["1954-08-30"], alias=["Александр ЛУКАШЕНКО"]),
    sanction("s1", "p1", "BELARUS"),
    person("p3", "Ivan TESTOV"),
    sanction("s3", "p3", "CUBA"),
]


def counts(store: Store) -> tuple[int, int]:
    with store.engine.connect() as conn:
        versions = conn.execute(select(func.count()).select_from(version_table)).scalar_one()
        statements = conn.execute(select(func.count()).select_from(statement_table)).scalar_one()
    return versions, statements


def history(store: Store, entity_id: str) -> dict[tuple[str, str], tuple[str | None, str | None]]:
    return {(s.prop, s.value): (s.first_seen, s.last_seen) for s in store.statements([entity_id])}


@pytest.mark.parametrize("order", ["in date order", "newest first"])
def test_listing_history_across_versions(store: Store, tmp_path: Path, order: str) -> None:
    files = [
        write(tmp_path, "list_2021-03-01.json", V2021),
        write(tmp_path, "list_2022-03-01.json", V2022),
    ]
    if order == "newest first":
        files.reverse()
    for path in files:
        ingest(store, [path])

    p1 = history(store, "p1")
    assert p1[("name", "Aliaksandr LUKASHENKA")] == ("2021-03-01", "2022-03-01")
    assert p1[("alias", "Александр ЛУКАШЕНКО")] == ("2022-03-01", "2022-03-01")
    # p2 was dropped from the 2022 version: delisted, but its history stays.
    assert history(store, "p2")[("name", "Viktar SHEIMAN")] == ("2021-03-01", "2021-03-01")
    with pytest.raises(NotFound):
        store.entity("p2")
    assert store.entity("p2", current=False).get("name") == ["Viktar SHEIMAN"]

    # As of mid-2021 the list held p1 (without the later alias) and p2, not p3.
    then = {e.id: e for e in store.iter_entities(as_of="2021-06-30")}
    assert set(then) == {"p1", "s1", "p2", "s2"}
    assert then["p1"].get("alias") == []
    now = {e.id for e in store.iter_entities()}
    assert now == {"p1", "s1", "p3", "s3"}
    # Before the first version, nothing was known.
    assert list(store.iter_entities(as_of="2020-01-01")) == []
    # The fast scan keeps exactly what the statement scan keeps, now and as of a day.
    names = statement_table.c.prop == "name"
    for as_of in (None, "2021-06-30", "2020-01-01"):
        slow = {(s.entity_id, s.value) for s in store.scan(names, as_of)}
        fast = {row[:2] for row in store.scan_values(("entity_id", "value"), names, as_of)}
        assert fast == slow


def test_stats_count_belarus_targets_and_delistings(store: Store, tmp_path: Path) -> None:
    ingest(
        store,
        [write(tmp_path, "a_2021-03-01.json", V2021), write(tmp_path, "b_2022-03-01.json", V2022)],
    )
    (now,) = register_stats(store)
    assert now.versions == 2
    assert now.latest_version == "2022-03-01"
    assert now.targets == 2 and now.belarus_targets == 1 and now.sanctions == 2
    assert now.schemata == {"Person": 2, "Sanction": 2}
    assert now.delisted == 2  # p2 and s2
    (then,) = register_stats(store, as_of="2021-12-31")
    assert then.belarus_targets == 2 and then.targets == 2 and then.delisted == 0


def test_reingest_of_the_same_file_changes_nothing(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "list_2021-03-01.json", V2021)
    (first,) = ingest(store, [path])
    assert first.status == "ingested" and first.version is not None
    assert first.version.new_statements == first.version.statements > 0
    before = counts(store)
    (again,) = ingest(store, [path])
    assert again.status == "unchanged"
    assert again.version is not None and again.version.id == first.version.id
    assert counts(store) == before


def test_a_bad_file_leaves_the_register_unchanged(store: Store, tmp_path: Path) -> None:
    ingest(store, [write(tmp_path, "good_2021-03-01.json", V2021)])
    before = counts(store)
    bad = tmp_path / "bad_2022-03-01.json"
    bad.write_text(
        json.dumps(V2022[0]) + "\n" + '{"id": "x", "schema": "Person", "properties": {\n'
    )
    with pytest.raises(SourceError) as error:
        ingest(store, [bad])
    assert "bad_2022-03-01.json" in str(error.value) and "line 2" in str(error.value)
    assert counts(store) == before


def test_partial_version_does_not_delist(store: Store, tmp_path: Path) -> None:
    ingest(store, [write(tmp_path, "full_2021-03-01.json", V2021)])
    amendment = ftm.parse(
        SourceFile("amendment", write(tmp_path, "a.json", V2022[2:]).read_bytes())
    )
    amendment.complete = False
    store.add_version(
        amendment,
        sha256="a" * 64,
        filename="amendment",
        version_date="2021-09-01",
        date_source="given",
    )
    assert {e.id for e in store.iter_entities()} == {"p1", "s1", "p2", "s2", "p3", "s3"}


def test_failed_write_rolls_back_whole_file(store_url: str, tmp_path: Path) -> None:
    if not store_url.startswith("postgresql"):
        pytest.skip("SQLite does not enforce column lengths; the rollback path is the same code")
    with Store(store_url) as store:
        ingest(store, [write(tmp_path, "good_2021-03-01.json", V2021)])
        before = counts(store)
        entities = [person(f"ok{i}", f"Name {i}") for i in range(100)] + [
            person("x" * 300, "Too long")
        ]
        result = ftm.parse(SourceFile("long", write(tmp_path, "long.json", entities).read_bytes()))
        with pytest.raises(StoreError, match="could not store long"):
            store.add_version(
                result,
                sha256="b" * 64,
                filename="long",
                version_date="2022-01-01",
                date_source="given",
            )
        assert counts(store) == before


def test_reverse_links_find_sanctions(store: Store, tmp_path: Path) -> None:
    ingest(store, [write(tmp_path, "list_2021-03-01.json", V2021)])
    assert [e.id for e in store.referencing("p1")] == ["s1"]


def test_a_much_smaller_version_is_an_excerpt_and_delists_nothing(
    store: Store, tmp_path: Path
) -> None:
    full = [person(f"q{i}", f"Person {i}") for i in range(10)]
    ingest(store, [write(tmp_path, "full_2021-03-01.json", full)])
    ingest(store, [write(tmp_path, "sample_2022-03-01.json", full[:2])])
    assert [v.kind for v in store.versions()] == ["full", "excerpt"]
    assert len(list(store.iter_entities())) == 10
    # A real shrink by less than half is a real delisting.
    ingest(store, [write(tmp_path, "full_2023-03-01.json", full[:6])])
    assert [v.kind for v in store.versions()] == ["full", "excerpt", "full"]
    assert {e.id for e in store.iter_entities()} == {f"q{i}" for i in range(6)}
