"""The candidate index finds one target on every list, whatever script or spelling is asked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from belwatch.ingest import ingest
from belwatch.match.index import NameIndex, token_key
from belwatch.sources.base import make_id
from belwatch.store import Store

from store.test_store import V2021, V2022, write


@pytest.fixture(scope="module")
def register(real_store: Store) -> tuple[Store, NameIndex]:
    return real_store, NameIndex.from_store(real_store)


def found(register: tuple[Store, NameIndex], query: str, **kwargs: Any) -> dict[str, str]:
    store, index = register
    candidates = index.candidates([query], limit=10, **kwargs)
    return {c.entity_id: store.entity(c.entity_id).caption for c in candidates}


@pytest.mark.parametrize(
    "query",
    [
        "Лукашенко Александр Григорьевич",
        "Лукашэнка Аляксандр Рыгоравіч",
        "Łukaszenka Aleksander",
        "Aleksandr Loukachenko",
        "LUKASHENKO, Alexander",
    ],
)
def test_one_person_on_every_list_in_any_spelling(
    register: tuple[Store, NameIndex], query: str
) -> None:
    hits = found(register, query)
    assert make_id("us_ofac_sdn", "9760") in hits
    given = ("ALEKS", "ALIAKS", "ALYAKS", "ALEX")
    lists = {
        entity_id.split("-")[0]
        for entity_id, caption in hits.items()
        if "LUKASH" in caption.upper() and any(name in caption.upper() for name in given)
    }
    assert lists >= {"us", "eu", "gb", "ca"}, hits


def test_a_company_by_its_cyrillic_name(register: tuple[Store, NameIndex]) -> None:
    hits = found(register, "ОАО «Беларуськалий»")
    datasets = {entity_id.rsplit("-", 1)[0] for entity_id, caption in hits.items()
                if "BELARUSKALI" in caption.upper()}  # fmt: skip
    assert datasets >= {"us-ofac-sdn", "eu-journal-sanctions", "gb-hmt-sanctions"}, hits


def test_schema_narrows_candidates(register: tuple[Store, NameIndex]) -> None:
    _, index = register
    vessels = index.candidates(["Marshal Zhukov"], schema="Vessel")
    assert vessels and all(c.schema == "Vessel" for c in vessels)
    people = index.candidates(["Marshal Zhukov"], schema="Person")
    assert people and all(c.schema == "Person" for c in people)


def test_empty_and_letterless_queries_find_nothing(register: tuple[Store, NameIndex]) -> None:
    _, index = register
    assert index.candidates([""]) == []
    assert index.candidates(["— 123 —"]) == []


def test_rare_keys_outweigh_common_ones(register: tuple[Store, NameIndex]) -> None:
    _, index = register
    (best, *_) = index.candidates(["Viktar Sheiman"])
    assert "sheiman" in " ".join(best.keys) or "shaiman" in " ".join(best.keys)
    assert index.weight(token_key("company")) < min(index.weight(key) for key in best.keys)


def test_only_what_is_listed_is_indexed(tmp_path: Path) -> None:
    with Store(f"sqlite:///{tmp_path / 'r.db'}") as store:
        ingest(
            store,
            [
                write(tmp_path, "a_2021-03-01.json", V2021),
                write(tmp_path, "b_2022-03-01.json", V2022),
            ],
        )
        now = NameIndex.from_store(store)
        then = NameIndex.from_store(store, as_of="2021-06-30")
    assert [c.entity_id for c in now.candidates(["Viktor Sheiman"])] == []
    assert [c.entity_id for c in then.candidates(["Viktor Sheiman"])] == ["p2"]
    assert [c.entity_id for c in now.candidates(["Лукашенко"])] == ["p1"]


def test_a_word_being_typed_is_completed(register: tuple[Store, NameIndex]) -> None:
    _, index = register
    # The beginning of a name in any script stands for the keys it begins.
    assert "lukashanka" in index.completions("Лукаш")
    assert "lukashanka" in index.completions("Lukash")
    assert index.completions("Лу") == []  # too short to stand for anything
    names = set(found(register, "Лукаш", prefix=True).values())
    assert any("LUKASHENKA" in name.upper() for name in names)
    # Unfinished words match nothing without prefix completion.
    assert found(register, "Лукаш") == {}
    # Earlier words must still be whole: "Viktar Luk" finds Viktar, not Aliaksandr.
    viktar = found(register, "Viktar Luk", prefix=True)
    assert viktar and all("VIKT" in name.upper() for name in list(viktar.values())[:3])
