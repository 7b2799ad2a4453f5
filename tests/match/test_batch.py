"""belwatch screen: a file of names in, hits with explanations out, bad rows reported."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from belwatch.cli import cli
from belwatch.match.algorithms import get_algorithm
from belwatch.match.batch import Columns, read_rows, screen_rows
from belwatch.match.features import name_keys_of, name_match_bound
from belwatch.match.service import Matcher, make_query
from belwatch.store import Store

CUSTOMERS = (
    "customer_no,full_name,dob,kind\n"
    "1,Лукашэнка Аляксандр Рыгоравіч,1954-08-30,Person\n"
    "2,Ivan Testovich Nobody,1980,Person\n"
    "3,,1990,Person\n"
    "4,ОАО Беларуськалий,,Company\n"
)


def screen(real_store: Store, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["screen", *args, "--db", real_store.url], obj={}, env={})
    return result.exit_code, result.output


def test_csv_in_csv_out(real_store: Store, tmp_path: Path) -> None:
    source = tmp_path / "customers.csv"
    source.write_text(CUSTOMERS)
    out = tmp_path / "hits.csv"
    mapping = ["--name", "full_name", "--birth-date", "dob", "--id", "customer_no"]
    code, output = screen(
        real_store, str(source), "-o", str(out), *mapping, "--schema-column", "kind"
    )
    assert code == 0, output
    with out.open() as handle:
        rows = list(csv.DictReader(handle))
    assert {r["input_id"] for r in rows} == {"1", "4"}  # the nobody has no hit
    lukashenka = [r for r in rows if r["input_id"] == "1"]
    assert all(r["match"] == "true" and float(r["score"]) >= 0.9 for r in lukashenka)
    assert any("765/2006" in r["listed_under"] for r in lukashenka)
    assert all("born 1954-08-30 on both" in r["explanation"] for r in lukashenka)
    assert "skipped line 4: no name in column 'full_name'" in output
    assert "4 rows, 3 screened, 2 with a match" in output


def test_jsonl_with_a_broken_line(real_store: Store, tmp_path: Path) -> None:
    source = tmp_path / "people.jsonl"
    source.write_text('{"name": "Viktor Sheiman"}\n{"name": \n{"name": "Лукашенко Александр"}\n')
    code, output = screen(
        real_store, str(source), "--schema", "Person", "-o", str(tmp_path / "h.jsonl")
    )
    assert code == 0, output
    assert "skipped line 2: not JSON" in output
    hits = [json.loads(line) for line in (tmp_path / "h.jsonl").read_text().splitlines()]
    assert {h["row"] for h in hits} == {1, 3}


def test_xlsx_in_xlsx_out(real_store: Store, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Supplier", "Name"])
    sheet.append(["S-1", "Belaruskali OAO"])
    sheet.append(["S-2", "Fresh Bakery Ltd"])
    book.save(tmp_path / "suppliers.xlsx")
    mapping = ["--name", "Name", "--id", "Supplier", "--schema", "Company"]
    code, output = screen(
        real_store, str(tmp_path / "suppliers.xlsx"), *mapping, "-o", str(tmp_path / "hits.xlsx")
    )
    assert code == 0, output
    rows = list(load_workbook(tmp_path / "hits.xlsx").active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[0][:3] == ("row", "input_id", "input_name")
    assert {r[1] for r in rows[1:]} == {"S-1"}


def test_workers_screen_like_one_process(real_store: Store) -> None:
    names = ["Лукашэнка Аляксандр", "Viktar Sheiman", "Ivan Testovich Nobody", ""] * 150
    rows = [(number, {"name": name}) for number, name in enumerate(names, start=2)]
    matcher = Matcher(real_store)
    columns = Columns(default_schema="Person")
    done: list[int] = []
    serial = screen_rows(matcher, get_algorithm(None), iter(rows), columns)
    forked = screen_rows(matcher, get_algorithm(None), iter(rows), columns, workers=2,
                         progress=done.append)  # fmt: skip
    assert forked == serial
    hits, summary = forked
    assert sum(done) == summary.rows == 600 and len(done) > 1  # progress per chunk
    assert summary.matched_rows == 300 and len(summary.problems) == 150
    assert [hit["row"] for hit in hits] == sorted(hit["row"] for hit in hits)


def test_output_cannot_smuggle_a_formula(real_store: Store, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text('name\n"=HYPERLINK(""http://x"",""Лукашенко Александр"")"\n')
    code, output = screen(real_store, str(source), "--schema", "Person", "--all", "-o",
                          str(tmp_path / "out.csv"))  # fmt: skip
    assert code == 0, output
    with (tmp_path / "out.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert rows and all(row["input_name"].startswith("'=HYPERLINK") for row in rows)


def test_xlsx_date_cells_are_dates(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["name", "dob"])
    sheet.append(["Viktar Sheiman", datetime(1958, 5, 26)])
    book.save(tmp_path / "people.xlsx")
    assert list(read_rows(tmp_path / "people.xlsx")) == [
        (2, {"name": "Viktar Sheiman", "dob": "1958-05-26"})
    ]


def test_skipping_hopeless_candidates_loses_no_match(real_store: Store) -> None:
    matcher = Matcher(real_store)
    algorithm = get_algorithm(None)
    names = [
        ("Person", "Лукашэнка Аляксандр"), ("Person", "Viktar Sheiman"),
        ("Person", "Aliaksandr Ivanou"), ("Person", "Sergei Nikolaevich"),
        ("Company", "OJSC Belaruskali"), ("Company", "Minsk Tractor Plant"),
        ("Organization", "Belarusian State Concern for Oil and Chemistry"),
    ]  # fmt: skip
    for schema, name in names:
        query = make_query({"schema": schema, "properties": {"name": [name]}})
        scored = matcher.match(query, algorithm, limit=50, load=False)
        skipped = matcher.match(query, algorithm, limit=50, load=False, only_matches=True)
        expected = [(h.entity_id, h.result.score) for h in scored if h.match]
        assert [(h.entity_id, h.result.score) for h in skipped if h.match] == expected, name
        for hit in scored:  # the bound never undercuts a real score
            keys = name_keys_of(hit.profile.entity, schema != "Person")
            bound = algorithm.bound(query, name_match_bound([name], schema != "Person", keys))
            assert bound >= hit.result.score, (name, hit.caption)
