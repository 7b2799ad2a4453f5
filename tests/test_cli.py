"""The command line: each command on a real register, errors as one clean line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from belwatch.cli import cli

from store.test_store import V2021, V2022, write


def run(*args: str, db: Path | None = None, env: dict[str, str] | None = None) -> Result:
    full = [*args] if db is None else [*args, "--db", str(db)]
    return CliRunner().invoke(cli, full, obj={}, env=env or {})


@pytest.fixture
def register(tmp_path: Path) -> Path:
    db = tmp_path / "register.db"
    files = [
        write(tmp_path, "list_2021-03-01.json", V2021),
        write(tmp_path, "list_2022-03-01.json", V2022),
    ]
    result = run("update", "--from", str(files[0]), "--from", str(files[1]), db=db)
    assert result.exit_code == 0, result.output
    return db


def test_update_reports_each_file_and_skips_known_ones(register: Path, tmp_path: Path) -> None:
    result = run("update", "--from", str(tmp_path / "list_2021-03-01.json"), db=register)
    assert result.exit_code == 0
    assert "unchanged" in result.output and "already in the register" in result.output


def test_sources_lists_versions(register: Path) -> None:
    result = run("sources", "--json", db=register)
    versions = json.loads(result.output)
    assert [(v["dataset"], v["version_date"], v["date_source"]) for v in versions] == [
        ("ftm_import", "2021-03-01", "filename"),
        ("ftm_import", "2022-03-01", "filename"),
    ]
    table = run("sources", db=register).output
    assert "2022-03-01" in table and "filename" in table


def test_stats(register: Path) -> None:
    (row,) = json.loads(run("stats", "--json", db=register).output)
    assert row["belarus_targets"] == 1 and row["delisted"] == 2
    (then,) = json.loads(run("stats", "--json", "--as-of", "2021-12-31", db=register).output)
    assert then["belarus_targets"] == 2
    assert "ftm_import" in run("stats", db=register).output


def test_export_writes_ftm_json_lines(register: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.ftm.json"
    assert run("export", "-o", str(out), db=register).exit_code == 0
    entities = [json.loads(line) for line in out.read_text().splitlines()]
    assert {e["id"] for e in entities} == {"p1", "s1", "p3", "s3"}
    p1 = next(e for e in entities if e["id"] == "p1")
    assert p1["properties"]["alias"] == ["Александр ЛУКАШЕНКО"]
    assert p1["first_seen"] == "2021-03-01"
    everything = run("export", "--all-versions", db=register).output.splitlines()
    assert len(everything) == 6


def test_entity_shows_history(register: Path) -> None:
    result = run("entity", "p2", db=register)
    assert result.exit_code == 0
    assert "Viktar SHEIMAN" in result.output and "no longer listed" in result.output
    assert "<- Sanction s2" in result.output
    data = json.loads(run("entity", "p1", "--json", db=register).output)
    alias = next(s for s in data["statements"] if s["prop"] == "alias")
    assert alias["first_seen"] == "2022-03-01" and alias["current"] is True


def test_user_mistakes_are_one_line_errors(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    missing = run("entity", "nobody", db=db)
    assert missing.exit_code == 1
    assert missing.output.strip() == "Error: no entity 'nobody' in the register"

    not_a_list = tmp_path / "notes.txt"
    not_a_list.write_text("just some notes\n")
    result = run("update", "--from", str(not_a_list), db=db)
    assert result.exit_code == 1
    assert "notes.txt" in result.output and "no supported list format" in result.output
    assert "Traceback" not in result.output

    for command in ("resolve", "gaps"):
        empty = run(command, db=db)
        assert empty.exit_code == 1
        assert "holds no lists yet: run `belwatch update` first" in empty.output

    bad_date = run("stats", "--as-of", "yesterday", db=db)
    assert bad_date.exit_code == 2 and "not a date" in bad_date.output

    bad_setting = run("stats", env={"BELWATCH_PORTT": "1"})
    assert bad_setting.exit_code == 1 and "unknown setting BELWATCH_PORTT" in bad_setting.output


def test_keep_going_reports_bad_files_and_ingests_the_rest(tmp_path: Path) -> None:
    folder = tmp_path / "lists"
    folder.mkdir()
    write(folder, "good_2021-03-01.json", V2021)
    (folder / "broken_2021-04-01.json").write_text(
        '{"id": "x", "schema": "Person", "properties": {}}\n{'
    )
    (folder / "README.txt").write_text("not a list")
    db = tmp_path / "r.db"
    result = run("update", "--from", str(folder), "--keep-going", db=db)
    assert result.exit_code == 1
    assert "failed    " in result.output and "broken_2021-04-01.json" in result.output
    assert "skipped   " in result.output and "README.txt" in result.output
    assert "ingested  " in result.output and "good_2021-03-01.json" in result.output
    assert len(json.loads(run("sources", "--json", db=db).output)) == 1


def test_every_command_has_an_example() -> None:
    for name, command in cli.commands.items():
        assert command.help and "Example" in command.help, (
            f"belwatch {name} --help lacks an example"
        )


def test_database_problems_are_one_line_errors(tmp_path: Path) -> None:
    cases = {
        "mysql://user@host/db": "unsupported database 'mysql': use SQLite or PostgreSQL",
        "postgresql://nobody@127.0.0.1:9/x": "cannot open the register at postgresql",
        str(tmp_path / "missing" / "dir" / "r.db"): "unable to open database file",
    }
    for db, message in cases.items():
        result = run("stats", "--db", db)
        assert result.exit_code == 1, db
        assert message in result.output and "Traceback" not in result.output, result.output
