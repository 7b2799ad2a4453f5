"""bench/customers.py: a synthetic customer file with listed targets of a real list planted."""

from __future__ import annotations

import csv
import difflib
import importlib.util
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

from belwatch.ingest import ingest
from belwatch.match.names import name_keys
from belwatch.store import Store
from belwatch.store.sql import NAME_PROPS

from conftest import REPO, SOURCES

# The EU Belarus annex: people and organisations named in Latin and Cyrillic letters.
LIST_FILE = "eu_oj_opensanctions/32006R0765_latest.csv"
LEGAL_FORM = re.compile(
    r"\b(ООО|ОАО|ЗАО|АО|ПАО|ЗАТ|ТАА|ААТ|OOO|AAT|TAA|[OPC]?JSC|LLC|Ltd|Limited|Inc|GmbH|AG|UAB|AB"
    r"|S\.A|Sp\. z o\.o|Общество|Таварыства)\b",
    re.IGNORECASE,
)
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
LATIN = re.compile(r"[A-Za-z]")


@pytest.fixture(scope="module")
def customers() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bench_customers", REPO / "bench" / "customers.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    url = f"sqlite:///{tmp_path_factory.mktemp('customers') / 'register.db'}"
    with Store(url) as opened:
        ingest(opened, [SOURCES / LIST_FILE])
        yield opened


@pytest.fixture(scope="module")
def made(customers: ModuleType, store: Store) -> tuple[Any, list[Any], Any]:
    register = customers.read_register(store)
    table, truth = customers.generate(2_000, register, planted=20, seed=5)
    return table, truth, register


def _keys(name: str) -> list[str]:
    return sorted(name_keys(name))


def test_planted_rows_are_listed_names_spelled_otherwise(
    made: tuple[Any, list[Any], Any], store: Store
) -> None:
    table, truth, _ = made
    assert table.num_rows == 2_000
    assert table.column_names == [
        "customer_id", "name", "birth_date", "country", "kind", "registration_number"
    ]  # fmt: skip
    rows = {row["customer_id"]: row for row in table.to_pylist()}
    assert len(rows) == 2_000
    assert len(truth) == 20
    assert len({t.entity_id for t in truth}) == 20
    for planted in truth:
        row = rows[planted.customer_id]
        entity = store.entity(planted.entity_id)
        listed = [name for prop in NAME_PROPS for name in entity.get(prop, quiet=True)]
        assert row["name"] not in listed, planted
        assert row["kind"] == ("Person" if entity.schema.name == "Person" else "Company")
        if row["birth_date"]:
            assert row["birth_date"] in entity.get("birthDate"), planted
        if "typo" in planted.how:
            # one slip away from a listed name's key
            joined = " ".join(_keys(row["name"]))
            best = max(difflib.SequenceMatcher(None, joined, " ".join(_keys(n))).ratio()
                       for n in listed)  # fmt: skip
            assert best >= 0.8, planted
        else:
            assert any(_keys(row["name"]) == _keys(name) for name in listed), planted
    # Spread through the file, not bunched at one end.
    positions = sorted(int(t.customer_id[1:]) for t in truth)
    assert positions[0] < 1_000 < positions[-1]
    # Cyrillic written in Latin letters: the EU annex names everyone in both scripts.
    assert any(t.how.startswith("latin:") for t in truth)


def test_same_seed_same_file(customers: ModuleType, made: tuple[Any, list[Any], Any]) -> None:
    table, truth, register = made
    again, again_truth = customers.generate(2_000, register, planted=20, seed=5)
    assert again.equals(table)
    assert again_truth == truth
    other, _ = customers.generate(2_000, register, planted=20, seed=6)
    assert not other.equals(table)


def test_other_rows_are_made_up_people_and_companies(made: tuple[Any, list[Any], Any]) -> None:
    table, truth, register = made
    planted = {t.customer_id for t in truth}
    rows = [row for row in table.to_pylist() if row["customer_id"] not in planted]
    names = [row["name"] for row in rows]
    assert sum(bool(CYRILLIC.search(name)) for name in names) > 300
    assert sum(bool(LATIN.search(name)) for name in names) > 300
    companies = [row for row in rows if row["kind"] == "Company"]
    assert 0.10 < len(companies) / len(rows) < 0.20
    assert all(LEGAL_FORM.search(row["name"]) for row in companies)
    assert any(row["registration_number"] for row in companies)
    people = [row for row in rows if row["kind"] == "Person"]
    assert not any(row["registration_number"] for row in people)
    born = [row["birth_date"] for row in people if row["birth_date"]]
    assert 0.7 < len(born) / len(people) < 0.9
    assert all("1940-01-01" <= day <= "2005-12-31" for day in born)
    assert all(re.fullmatch(r"[a-z]{2}|", row["country"]) for row in rows)
    assert not {name.lower() for name in names} & register.names


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".jsonl"])
def test_written_with_truth_beside(
    customers: ModuleType, made: tuple[Any, list[Any], Any], tmp_path: Path, suffix: str
) -> None:
    table, truth, _ = made
    output = tmp_path / f"customers{suffix}"
    truth_file = customers.write(table, truth, output)
    assert truth_file == tmp_path / "customers.truth.csv"
    if suffix == ".parquet":
        back = pq.read_table(output).to_pylist()
    elif suffix == ".csv":
        types = {column: "string" for column in table.column_names}
        options = pa_csv.ConvertOptions(strings_can_be_null=False, column_types=types)
        back = pa_csv.read_csv(output, convert_options=options).to_pylist()
    else:
        back = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert back == table.to_pylist()
    with truth_file.open(encoding="utf-8", newline="") as handle:
        written = list(csv.DictReader(handle))
    assert [(r["customer_id"], r["entity_id"], r["how"]) for r in written] == [
        (t.customer_id, t.entity_id, t.how) for t in truth
    ]
