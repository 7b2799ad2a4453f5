"""Screening whole files with the batch engines: the DuckDB engine's hits, its blocking
(never losing a match the /match API would score), resuming a stopped job, delta
screening across two real versions of a list, and the Spark engine giving the same hits."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from belwatch.cli import cli
from belwatch.exc import ConfigError
from belwatch.ingest import ingest
from belwatch.match.algorithms import get_algorithm
from belwatch.match.engine import Options, screen_changes, screen_file
from belwatch.match.engine.duck import DuckEngine
from belwatch.match.engine.tables import Mapping
from belwatch.match.names.translit import transliterate
from belwatch.match.service import Matcher, make_query
from belwatch.resolve.resolver import Resolution, load_resolution
from belwatch.store import Store

from conftest import SOURCES

ALGORITHM = get_algorithm(None)


@pytest.fixture(scope="module")
def matcher(real_store: Store) -> Matcher:
    return Matcher(real_store)


def people(matcher: Matcher, count: int) -> list[tuple[str, str]]:
    """(entity id, a name of it respelled) for listed people: Cyrillic names in Latin,
    Latin names with their words reversed and lower-cased."""
    found = []
    for entity_id, profile in sorted(matcher.profiles.items()):
        if profile.entity.schema.name != "Person" or entity_id not in matcher.listings:
            continue
        names = sorted(profile.entity.get("name"))
        cyrillic = [n for n in names if any("а" <= ch.lower() <= "я" for ch in n)]
        if cyrillic:
            found.append((entity_id, transliterate(cyrillic[0], "bgn")))
        else:
            found.append((entity_id, " ".join(reversed(names[0].split())).lower()))
        if len(found) >= count:
            break
    return found


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_engine_finds_what_the_api_finds(
    real_store: Store, matcher: Matcher, tmp_path: Path
) -> None:
    """The SQL blocking keeps every candidate the scoring could match: each match the /match
    API makes for a row is among the engine's hits, target for target."""
    named = people(matcher, 150)
    rows = [{"id": f"r{i}", "name": name} for i, (_, name) in enumerate(named)]
    rows += [{"id": "x1", "name": "Ivan Testovich Nobody"}, {"id": "x2", "name": "Anna Kowalska"}]
    source = write_csv(tmp_path / "people.csv", rows)
    output = tmp_path / "hits.parquet"
    mapping = Mapping(id="id", default_schema="Person")
    summary = screen_file(real_store, source, output, mapping, ALGORITHM, limit=50,
                          options=Options(workers=2), matcher=matcher)  # fmt: skip
    assert summary.counts.rows == len(rows) and summary.counts.problems == 0
    hits = pq.read_table(output).to_pylist()
    engine = {(h["input_id"], h["target_id"]) for h in hits if h["match"]}
    resolution = load_resolution(real_store, matcher)
    api: set[tuple[str, str]] = set()
    for row in rows:
        query = make_query({"schema": "Person", "properties": {"name": [row["name"]]}})
        for hit in matcher.match(query, ALGORITHM, limit=50, load=False, only_matches=True):
            if hit.match:
                api.add((row["id"], resolution.canonical(hit.entity_id)))
    assert api and api <= engine
    found = {h["input_id"] for h in hits if h["match"]}
    assert len(found & {f"r{i}" for i in range(len(named))}) >= 0.9 * len(named)
    assert not found & {"x1", "x2"}


def test_one_hit_per_target_listed_where_any_entry_is(
    resolved_store: tuple[Store, Matcher, Resolution], tmp_path: Path
) -> None:
    """Once the lists' entries are resolved into targets, a target listed by four
    jurisdictions is one hit that names all four."""
    store, _, resolution = resolved_store
    source = write_csv(tmp_path / "in.csv", [{"name": "Лукашэнка Аляксандр Рыгоравіч",
                                             "dob": "1954-08-30"}])  # fmt: skip
    code, output = run(store, str(source), "-o", str(tmp_path / "out.csv"),
                       "--birth-date", "dob", "--schema", "Person")  # fmt: skip
    assert code == 0, output
    with (tmp_path / "out.csv").open() as handle:
        hits = list(csv.DictReader(handle))
    assert hits[0]["match"] == "true" and float(hits[0]["score"]) >= 0.9
    assert len({h["target_id"] for h in hits}) == len(hits)  # no target twice
    assert {"eu", "us", "gb", "ca"} <= set(hits[0]["jurisdictions"].split("; "))
    assert "born 1954-08-30 on both" in hits[0]["explanation"]
    assert hits[0]["target_id"] == resolution.canonical(hits[0]["entity_id"])
    assert len(resolution.members(hits[0]["entity_id"])) >= 4


def test_identifier_finds_a_renamed_company(
    real_store: Store, matcher: Matcher, tmp_path: Path
) -> None:
    """A registration number the lists give makes its company a candidate whatever the
    name, and counts in its score."""
    numbered = next(
        (entity_id, number)
        for entity_id, profile in sorted(matcher.profiles.items())
        if profile.entity.schema.is_a("Organization")
        for number in profile.entity.get("registrationNumber", quiet=True)
        if len(number) >= 6
    )
    table = pa.table({"name": ["Fresh Bakery Ltd"], "regno": [numbered[1]]})
    pq.write_table(table, tmp_path / "companies.parquet")
    mapping = Mapping(identifier="regno", default_schema="Company")
    screen_file(real_store, tmp_path / "companies.parquet", tmp_path / "hits.parquet", mapping,
                ALGORITHM, limit=10, only_matches=False, matcher=matcher)  # fmt: skip
    hits = pq.read_table(tmp_path / "hits.parquet").to_pylist()
    assert numbered[0] in {h["entity_id"] for h in hits}
    hit = next(h for h in hits if h["entity_id"] == numbered[0])
    assert "identifier_match" in hit["explanation"]


def run(real_store: Store, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["screen", *args, "--db", real_store.url], obj={}, env={})
    return result.exit_code, result.output


def test_a_stopped_job_resumes_without_losing_or_repeating_rows(
    real_store: Store, matcher: Matcher, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    named = people(matcher, 60)
    rows = [{"id": f"r{i}", "name": name} for i, (_, name) in enumerate(named * 40)]
    source = write_csv(tmp_path / "in.csv", rows)
    mapping = Mapping(id="id", default_schema="Person")
    options = Options(chunk_rows=1_000)
    whole = tmp_path / "whole.parquet"
    screen_file(real_store, source, whole, mapping, ALGORITHM, options=options, matcher=matcher)

    calls: list[int] = []
    screen = DuckEngine.screen

    def crash_on_third(self: DuckEngine, first: int, last: int) -> object:
        calls.append(first)
        if len(calls) == 3:
            raise KeyboardInterrupt  # the job is killed while screening its third chunk
        return screen(self, first, last)

    monkeypatch.setattr(DuckEngine, "screen", crash_on_third)
    output = tmp_path / "hits.parquet"
    with pytest.raises(KeyboardInterrupt):
        screen_file(real_store, source, output, mapping, ALGORITHM, options=options,
                    matcher=matcher)  # fmt: skip
    assert not output.exists() and (tmp_path / "hits.parquet.work").is_dir()
    calls.clear()
    monkeypatch.setattr(DuckEngine, "screen", screen)
    summary = screen_file(real_store, source, output, mapping, ALGORITHM, options=options,
                          matcher=matcher)  # fmt: skip
    assert summary.resumed_chunks == 2 and summary.counts.rows == len(rows)
    assert pq.read_table(output).equals(pq.read_table(whole))  # nothing lost, nothing twice
    assert not (tmp_path / "hits.parquet.work").exists()


def test_another_jobs_work_is_not_reused(real_store: Store, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", [{"name": "Viktar Sheiman"}])
    output = tmp_path / "hits.csv"
    (tmp_path / "hits.csv.work").mkdir()
    (tmp_path / "hits.csv.work" / "state.json").write_text('{"fingerprint": "other"}')
    with pytest.raises(ConfigError, match="--restart"):
        screen_file(real_store, source, output, Mapping(), ALGORITHM)
    code, result = run(real_store, str(source), "-o", str(output), "--restart")
    assert code == 0, result
    assert output.exists()


def test_rows_that_cannot_be_screened_are_named(real_store: Store, tmp_path: Path) -> None:
    source = tmp_path / "people.jsonl"
    source.write_text('{"name": "Viktor Sheiman"}\n{"name": \n\n{"full": "x"}\n{"name": 7}\n')
    code, output = run(real_store, str(source), "--schema", "Person", "-o",
                       str(tmp_path / "h.jsonl"))  # fmt: skip
    assert code == 0, output
    assert "skipped line 2: not JSON" in output
    assert "skipped line 4: no name in column 'name'" in output
    assert "4 rows, 2 screened, 1 with a match" in output
    code, output = run(real_store, str(source), "--name", "missing", "-o",
                       str(tmp_path / "h.csv"))  # fmt: skip
    assert code != 0 and "no column 'missing'" in output


def test_tight_memory_spills_and_gives_the_same_hits(
    real_store: Store, matcher: Matcher, tmp_path: Path
) -> None:
    named = people(matcher, 100)
    rows = [{"id": f"r{i}", "name": name} for i, (_, name) in enumerate(named * 30)]
    source = write_csv(tmp_path / "in.csv", rows)
    mapping = Mapping(id="id", default_schema="Person")
    roomy, tight = tmp_path / "roomy.parquet", tmp_path / "tight.parquet"
    screen_file(real_store, source, roomy, mapping, ALGORITHM, matcher=matcher)
    screen_file(real_store, source, tight, mapping, ALGORITHM, matcher=matcher,
                options=Options(memory="64MB"))  # fmt: skip
    assert pq.read_table(tight).equals(pq.read_table(roomy))


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, int]:
    """OFAC's SDN list as published in August and in December 2021."""
    url = f"sqlite:///{tmp_path_factory.mktemp('delta') / 'r.db'}"
    store = Store(url)
    ingest(store, [SOURCES / "ofac_sdn/sdn_2021-08-18.csv"])
    august = store.versions()[0].id
    ingest(store, [SOURCES / "ofac_sdn/sdn_2021-12-30.csv"])
    return store, august


def test_delta_screening_reports_new_and_gone_matches(
    two_versions: tuple[Store, int], tmp_path: Path
) -> None:
    store, august = two_versions
    changed = store.changed_since(august)
    now = Matcher(store, ids=changed)
    before = Matcher(store, ids=changed, version=august)
    listed = sorted(set(now.listings) - set(before.listings))
    delisted = sorted(set(before.listings) - set(now.listings))
    assert listed and delisted  # December added and removed targets
    name = {e: p.entity.caption for e, p in (*now.profiles.items(), *before.profiles.items())}
    full = Matcher(store)
    steady = next(e for e in sorted(full.listings) if e not in changed
                  and full.profiles[e].entity.schema.name == "Person")  # fmt: skip
    rows = [{"id": "new", "name": name[listed[0]]}, {"id": "gone", "name": name[delisted[0]]},
            {"id": "steady", "name": full.profiles[steady].entity.caption}]  # fmt: skip
    source = write_csv(tmp_path / "base.csv", rows)
    output = tmp_path / "overnight.csv"
    changes = screen_changes(store, august, source, output, Mapping(id="id"), ALGORITHM)
    with output.open() as handle:
        found = list(csv.DictReader(handle))
    assert ("new", "new", listed[0]) in {(r["input_id"], r["change"], r["entity_id"])
                                         for r in found}  # fmt: skip
    assert ("gone", "gone", delisted[0]) in {(r["input_id"], r["change"], r["entity_id"])
                                             for r in found}  # fmt: skip
    assert "steady" not in {r["input_id"] for r in found}
    assert changes.changed == len(changed) and len(now.profiles) < len(full.profiles) / 2
    assert changes.new == sum(r["change"] == "new" for r in found) and changes.gone >= 1


def test_unknown_version_is_refused(two_versions: tuple[Store, int], tmp_path: Path) -> None:
    store, _ = two_versions
    source = write_csv(tmp_path / "base.csv", [{"name": "x"}])
    args = ["screen", str(source), "-o", str(tmp_path / "o.csv"), "--since-version", "999"]
    result = CliRunner().invoke(cli, [*args, "--db", store.url], obj={}, env={})
    assert result.exit_code != 0 and "no list version 999" in result.output


@pytest.mark.skipif(shutil.which("java") is None, reason="the Spark engine needs Java")
# PySpark leaves the sockets it collects results through to the garbage collector.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_spark_gives_the_same_hits_as_duckdb(
    real_store: Store, matcher: Matcher, tmp_path: Path
) -> None:
    named = people(matcher, 120)
    rows = [{"id": f"r{i}", "name": name, "kind": "Person"} for i, (_, name) in enumerate(named)]
    rows += [{"id": "c1", "name": "ОАО Беларуськалий", "kind": "Company"},
             {"id": "c2", "name": "Fresh Bakery Ltd", "kind": "Company"},
             {"id": "e1", "name": "", "kind": "Person"},
             {"id": "e2", "name": "Someone", "kind": "Spaceship"}]  # fmt: skip
    source = write_csv(tmp_path / "in.csv", rows)
    mapping = Mapping(id="id", schema="kind")
    duck, spark = tmp_path / "duck.parquet", tmp_path / "spark.parquet"
    a = screen_file(real_store, source, duck, mapping, ALGORITHM, matcher=matcher,
                    options=Options(chunk_rows=1_000))  # fmt: skip
    on_spark = Options(engine="spark", master="local[2]", chunk_rows=1_000)
    b = screen_file(real_store, source, spark, mapping, ALGORITHM, matcher=matcher,
                    options=on_spark)  # fmt: skip
    assert pq.read_table(duck).num_rows > 100
    assert pq.read_table(spark).equals(pq.read_table(duck))
    assert a.counts == b.counts and b.counts.problems == 2
    assert a.problems == b.problems


def test_unknown_formats_and_settings_are_refused(real_store: Store, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", [{"name": "Viktar Sheiman"}])
    odd = tmp_path / "in.dat"
    odd.write_text("name\nx\n")
    code, output = run(real_store, str(odd), "-o", str(tmp_path / "o.csv"))
    assert code != 0 and "unknown input format '.dat'" in output
    code, output = run(real_store, str(source), "-o", str(tmp_path / "o.txt"))
    assert code != 0 and "unknown output format '.txt'" in output
    code, output = run(real_store, str(source), "-o", str(tmp_path / "o.csv"),
                       "--engine", "spark", "--spark-conf", "no-equals-sign")  # fmt: skip
    assert code != 0 and "KEY=VALUE" in output
    assert not (tmp_path / "o.csv").exists() and not (tmp_path / "o.txt").exists()
