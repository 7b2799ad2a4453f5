"""Batch screening benchmark: a million customers through each engine, and delta screening.

    python bench/screen.py --db sqlite:////tmp/dev.db [--rows 1000000] [--planted 1000]
                           [--spark-rows 100000] [--delta 10,1000] [--workers 2]
                           [--peer-python /path/to/nomenklatura-venv/bin/python]

Generates --rows customers with --planted listed targets respelled among them
(bench/customers.py), then screens them with the DuckDB engine and --spark-rows of them with
the Spark engine (local[*]), each in its own process. Prints per engine: rows/s over the
screening (reading, keys, candidates, scoring, writing), peak memory of the engine's
processes together (its workers and Spark's JVM included, sampled every 0.2 s), recall of
the planted hits (a match with the planted target on any of its lists; of all, and of those
only respelled, without the typo a fifth of them get) and the other rows with a match; and
whether Spark's hits equal DuckDB's on the same rows.

Delta screening: for each --delta N, N listed people get a new alias (the name of a customer
without a birth date, so that it matches) in a new partial version of a list (in a copy of a
SQLite register), and the whole customer file is screened again against only the changed
entities (``belwatch screen --since-version``); the new matches are counted.

With --peer-python (a Python with nomenklatura installed), the candidate pairs of the first
--peer-rows customers are also scored on one process by belwatch-v1 and by nomenklatura's
logic-v2, for speed and the number of matches each makes.

Goals (issue 8): >= 5,000 rows/s with DuckDB on 2 cores, recall >= 0.95, identical Spark
output; delta time that grows with the changed entities, not with the register.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from belwatch.store import Store

HERE = Path(__file__).resolve().parent
MAPPING = {
    "name": "name", "id": "customer_id", "birth_date": "birth_date", "country": "country",
    "schema": "kind", "identifier": "registration_number", "default_schema": "Person",
}  # fmt: skip


def tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                parent = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry))
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, ()))
        try:
            with open(f"/proc/{current}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) / 1024
        except OSError:
            continue
    return total


def run_engine(args: argparse.Namespace, engine: str, source: Path, output: Path) -> dict[str, Any]:
    """One engine over one file, in a process of its own; its report and peak memory."""
    command = [sys.executable, __file__, "--one", engine, "--db", args.db, "--input",
               str(source), "--output", str(output), "--workers", str(args.workers)]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    peak = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_mib(process.pid))
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = process.communicate()
    done.set()
    sampler.join()
    if process.returncode:
        raise SystemExit(f"the {engine} engine failed ({process.returncode})")
    report: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    report["peak_mib"] = peak
    return report


def one(args: argparse.Namespace) -> None:
    """The child: screen one file with one engine and print a JSON report."""
    from belwatch.match.algorithms import get_algorithm
    from belwatch.match.engine import Options, screen_file
    from belwatch.match.engine.tables import Mapping
    from belwatch.match.service import Matcher

    store = Store(args.db)
    started = time.perf_counter()
    matcher = Matcher(store)
    loaded = time.perf_counter() - started
    options = Options(engine=args.one, workers=args.workers, restart=True)
    summary = screen_file(store, Path(args.input), Path(args.output), Mapping(**MAPPING),
                          get_algorithm(None), options=options, matcher=matcher)  # fmt: skip
    print(json.dumps({"rows": summary.counts.rows, "seconds": summary.seconds,
                      "matched": summary.counts.matched_rows, "load": loaded}))  # fmt: skip


def recall(output: Path, truth: list[dict[str, str]], resolution: Any) -> tuple[float, float, int]:
    """Share of planted rows matched with their target, of all and of those only respelled
    (no typo); other rows with a match."""
    import pyarrow.parquet as pq

    hits = pq.read_table(output, columns=["input_id", "entity_id", "match"]).to_pylist()
    matched: dict[str, set[str]] = {}
    for hit in hits:
        if hit["match"]:
            matched.setdefault(hit["input_id"], set()).add(resolution.canonical(hit["entity_id"]))
    found = [resolution.canonical(row["entity_id"]) in matched.get(row["customer_id"], ())
             for row in truth]  # fmt: skip
    plain = [hit for hit, row in zip(found, truth, strict=True) if "typo" not in row["how"]]
    others = set(matched) - {row["customer_id"] for row in truth}
    return sum(found) / max(len(found), 1), sum(plain) / max(len(plain), 1), len(others)


def delta(
    args: argparse.Namespace, source: Path, folder: Path, count: int, names: list[str]
) -> dict[str, Any]:
    """Add a version giving ``count`` listed people a new alias, each the name of one of
    the customers; screen only the change."""
    from followthemoney import model

    from belwatch.match.algorithms import get_algorithm
    from belwatch.match.engine import Options, screen_changes
    from belwatch.match.engine.tables import Mapping
    from belwatch.sources.base import ParseResult
    from belwatch.store.schema import statement_table

    copy = folder / f"delta{count}.db"
    shutil.copy(str(make_url(args.db).database), copy)
    store = Store(f"sqlite:///{copy}")
    since = max(v.id for v in store.versions())
    t = statement_table
    people = sorted({row[0] for row in store.scan_values(
        ("entity_id",), (t.c.schema == "Person") & (t.c.prop == "name"))})  # fmt: skip
    random.Random(count).shuffle(people)
    entities = []
    for entity_id, alias in zip(people[:count], names, strict=False):
        entity = model.make_entity("Person")
        entity.id = entity_id
        entity.add("name", alias)
        entities.append(entity)
    result = ParseResult("us_ofac_sdn", "bench", entities, len(entities), complete=False)
    digest = hashlib.sha256(f"delta{count}".encode()).hexdigest()
    store.add_version(result, sha256=digest, filename=f"delta{count}.csv",
                      version_date="2099-01-01", date_source="bench")  # fmt: skip
    started = time.perf_counter()
    changes = screen_changes(store, since, source, folder / f"delta{count}.parquet",
                             Mapping(**MAPPING), get_algorithm(None),
                             options=Options(workers=args.workers))  # fmt: skip
    return {"changed": changes.changed, "seconds": time.perf_counter() - started,
            "new": changes.new, "gone": changes.gone}  # fmt: skip


PEER = """
import json, sys, time
from followthemoney import model
from nomenklatura.matching import get_algorithm
from nomenklatura.matching.types import ScoringConfig
pairs = json.load(sys.stdin)
algorithm, config = get_algorithm("logic-v2"), ScoringConfig.defaults()
entities = []
for i, (query, candidate) in enumerate(pairs):
    # ids unique per pair: logic-v2 caches what it has seen of an entity by its id
    q = model.make_entity(query["schema"]); q.id = f"q{i}"
    for prop, values in query["properties"].items():
        q.add(prop, values, quiet=True)
    c = model.make_entity(candidate["schema"]); c.id = f"c{i}"
    for prop, values in candidate["properties"].items():
        c.add(prop, values, quiet=True)
    entities.append((q, c))
started = time.perf_counter()
scores = [algorithm.compare(q, c, config).score for q, c in entities]
json.dump({"seconds": time.perf_counter() - started, "scores": scores}, sys.stdout)
"""


def peer_pairs(args: argparse.Namespace, table: Any, folder: Path) -> None:
    """The candidate pairs the engine finds for the first --peer-rows customers, scored on
    one process by belwatch-v1 (every pair, and as the engine does, skipping the pairs whose
    names cannot reach the threshold) and by nomenklatura's logic-v2 in --peer-python."""
    import pyarrow.parquet as pq

    from belwatch.match.algorithms import get_algorithm
    from belwatch.match.engine.duck import DuckEngine
    from belwatch.match.engine.tables import Mapping, Scoring, make_row_query
    from belwatch.match.service import Matcher

    subset = folder / "peer.parquet"
    pq.write_table(table.slice(0, args.peer_rows), subset)
    matcher = Matcher(Store(args.db))
    algorithm = get_algorithm(None)
    engine = DuckEngine(matcher, Scoring(algorithm), subset, Mapping(**MAPPING))
    engine.prepare(folder / "peer-work")
    db = engine.db
    db.execute("CREATE OR REPLACE VIEW query_keys AS SELECT * FROM all_keys")
    for name, step in engine.steps:
        db.execute(f"CREATE OR REPLACE TABLE {name} AS {step}")
    found = db.execute("SELECT i.*, c.entity_id FROM candidates c JOIN input i USING (row) "
                       "ORDER BY row, rank").fetchall()  # fmt: skip
    columns = [d[0] for d in db.description]
    engine.close()
    queries, pairs = [], []
    for values in found:
        record = dict(zip(columns, values, strict=True))
        query = make_row_query(record, "Person")
        candidate = matcher.profiles[record["entity_id"]].entity
        queries.append((query, record["entity_id"]))
        pairs.append((query.to_dict(), candidate.to_dict()))
    started = time.perf_counter()
    ours = [algorithm.compare(q, matcher.profiles[e].entity).score for q, e in queries]
    every = time.perf_counter() - started
    started = time.perf_counter()
    for query, entity_id in queries:
        matcher.score(query, [entity_id], algorithm, only_matches=True)
    pruned = time.perf_counter() - started
    done = subprocess.run([args.peer_python, "-c", PEER], input=json.dumps(pairs),
                          capture_output=True, text=True, check=True)  # fmt: skip
    theirs = json.loads(done.stdout)
    print(
        f"\nScoring the {len(pairs):,} candidate pairs of {args.peer_rows:,} customers, one process"
    )
    print(f"{'algorithm':<28} {'pairs/s':>9} {'matches':>8}")
    print(
        f"{'belwatch-v1, every pair':<28} {len(pairs) / every:>9,.0f} "
        f"{sum(x >= algorithm.threshold for x in ours):>8,}"
    )
    print(f"{'belwatch-v1, as the engine':<28} {len(pairs) / pruned:>9,.0f} {'':>8}")
    print(
        f"{'nomenklatura logic-v2':<28} {len(pairs) / theirs['seconds']:>9,.0f} "
        f"{sum(x >= 0.7 for x in theirs['scores']):>8,}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", required=True, help="a register (SQLAlchemy URL)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--planted", type=int, default=1_000)
    parser.add_argument("--spark-rows", type=int, default=100_000, help="0: no Spark run")
    parser.add_argument("--delta", default="10,1000", help="changed entities per delta run")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--peer-python", help="a Python that has nomenklatura installed")
    parser.add_argument("--peer-rows", type=int, default=20_000)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one(args)
        return
    sys.path.insert(0, str(HERE))
    import customers
    import pyarrow.parquet as pq

    from belwatch.match.service import Matcher
    from belwatch.resolve.resolver import load_resolution

    folder = Path(tempfile.mkdtemp(prefix="belwatch-bench-screen-"))
    store = Store(args.db)
    table, truth = customers.generate(args.rows, store, planted=args.planted, seed=args.seed)
    source = folder / "customers.parquet"
    customers.write(table, truth, source)
    with customers.truth_path(source).open() as handle:
        planted = list(csv.DictReader(handle))
    resolution = load_resolution(store, Matcher(store))
    print(f"{args.rows:,} customers, {len(planted):,} planted; {args.workers} workers\n")
    print(f"{'engine':<8} {'rows':>10} {'rows/s':>8} {'peak MiB':>9} {'recall':>7} "
          f"{'respelled':>9} {'other rows with a match':>24}")  # fmt: skip
    runs = [("duckdb", source, args.rows)]
    if args.spark_rows:
        subset = folder / "subset.parquet"
        pq.write_table(table.slice(0, args.spark_rows), subset)
        runs += [("duckdb", subset, args.spark_rows), ("spark", subset, args.spark_rows)]
    outputs = {}
    for engine, path, rows in runs:
        output = folder / f"{engine}-{rows}.parquet"
        report = run_engine(args, engine, path, output)
        outputs[(engine, rows)] = output
        ids = set(table.column("customer_id").slice(0, rows).to_pylist())
        found, plain, other = recall(output, [r for r in planted if r["customer_id"] in ids],
                                     resolution)  # fmt: skip
        rate = report["rows"] / report["seconds"]
        print(f"{engine:<8} {report['rows']:>10,} {rate:>8,.0f} {report['peak_mib']:>9,.0f} "
              f"{found:>7.3f} {plain:>9.3f} {other:>24,}")  # fmt: skip
    if args.spark_rows:
        same = pq.read_table(outputs[("spark", args.spark_rows)]).equals(
            pq.read_table(outputs[("duckdb", args.spark_rows)])
        )
        print(f"\nSpark's hits equal DuckDB's on {args.spark_rows:,} rows: {same}")
    if args.peer_python:
        peer_pairs(args, table, folder)
    counts = [int(n) for n in args.delta.split(",") if n.strip()]
    if counts and make_url(args.db).get_backend_name() == "sqlite":
        print(f"\nDelta screening of all {args.rows:,} customers after one new list version")
        print(f"{'changed':>8} {'seconds':>8} {'new':>6} {'gone':>6}")
        columns = (table.column(c).to_pylist() for c in ("name", "kind", "birth_date"))
        people = [name for name, kind, born in zip(*columns, strict=True)
                  if kind == "Person" and not born]  # fmt: skip
        for count in counts:
            found = delta(args, source, folder, count, people[:count])
            print(f"{found['changed']:>8,} {found['seconds']:>8.1f} {found['new']:>6,} "
                  f"{found['gone']:>6,}")  # fmt: skip
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
