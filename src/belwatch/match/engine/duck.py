"""The DuckDB engine: one machine, any input size.

The input is read once into a DuckDB database in the job's work folder together with each
row's blocking keys (computed by worker processes); candidates are found by
``candidate_steps`` over the register's key tables, and scored by the worker processes with
the matcher's own code. DuckDB works within ``memory`` and spills to the work folder beyond
it, so inputs larger than RAM are screened in bounded memory."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from multiprocessing.pool import Pool
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from belwatch.match.engine.inputs import read_input
from belwatch.match.engine.job import Counts
from belwatch.match.engine.tables import (
    INPUT_SCHEMA,
    OUTPUT_SCHEMA,
    Mapping,
    Scoring,
    candidate_steps,
    query_keys,
    register_tables,
    score_rows,
)
from belwatch.match.service import Matcher

READY = "ready"  # the work database's marker that the input is read whole


class DuckEngine:
    name = "duckdb"

    def __init__(
        self,
        matcher: Matcher,
        scoring: Scoring,
        input_path: Path,
        mapping: Mapping,
        workers: int = 1,
        memory: str = "2GB",
        progress: Any = None,
        database: Path | None = None,
    ) -> None:
        self.matcher = matcher
        self.scoring = scoring
        self.input_path = input_path
        self.mapping = mapping
        self.workers = workers
        self.memory = memory
        self.progress = progress  # progress(stage, done, total)
        self.database = database  # where the read input is kept (default: the job's work)
        self.db: Any = None
        self.pool: Pool | None = None

    def prepare(self, work: Path) -> int:
        import duckdb

        global _WORKER
        _WORKER = (self.matcher, self.scoring)
        if self.workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            self.pool = multiprocessing.get_context("fork").Pool(self.workers)
        spill = work / "spill"
        spill.mkdir(parents=True, exist_ok=True)
        self.db = duckdb.connect(str(self.database or work / "engine.duckdb"))
        self.db.execute(f"SET memory_limit = '{self.memory}'")
        self.db.execute(f"SET temp_directory = '{str(spill).replace(chr(39), '')}'")
        self.db.execute(f"SET threads = {max(1, self.workers)}")
        self.db.execute("SET preserve_insertion_order = false")
        tables = register_tables(self.matcher)
        for name in ("postings", "key_stats", "variants", "entities", "compatible"):
            self.db.register(f"{name}_arrow", getattr(tables, name))
            self.db.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM {name}_arrow")
            self.db.unregister(f"{name}_arrow")
        self.steps = candidate_steps(self.scoring.pool, "duckdb")
        found = self.db.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [READY]
        ).fetchone()
        if found and found[0]:
            return int(self.db.execute("SELECT last_row FROM ready").fetchone()[0])
        return self._read()

    def _read(self) -> int:
        """Read and key the whole input; the last row's number."""
        db = self.db
        db.execute("DROP TABLE IF EXISTS input")
        db.execute("DROP TABLE IF EXISTS all_keys")
        db.execute("DROP TABLE IF EXISTS problems")
        db.execute("CREATE TABLE problems (row BIGINT, problem VARCHAR)")
        rows = last = 0
        created = False
        batches = read_input(self.input_path, self.mapping)
        for batch, (keys, problems) in self._keyed(batches):
            db.register("batch_arrow", batch)
            db.register("keys_arrow", keys)
            if not created:
                db.execute("CREATE TABLE input AS SELECT * FROM batch_arrow")
                db.execute("CREATE TABLE all_keys AS SELECT * FROM keys_arrow")
                created = True
            else:
                db.execute("INSERT INTO input SELECT * FROM batch_arrow")
                db.execute("INSERT INTO all_keys SELECT * FROM keys_arrow")
            db.unregister("batch_arrow")
            db.unregister("keys_arrow")
            if problems:
                db.executemany("INSERT INTO problems VALUES (?, ?)", problems)
            rows += batch.num_rows
            last = int(batch.column("row")[-1].as_py())
            if self.progress is not None:
                self.progress("reading", rows, 0)
        if not created:
            db.register("batch_arrow", INPUT_SCHEMA.empty_table())
            db.execute("CREATE TABLE input AS SELECT * FROM batch_arrow")
            db.unregister("batch_arrow")
            db.execute(
                "CREATE TABLE all_keys (row BIGINT, schema VARCHAR, key VARCHAR, need INTEGER)"
            )
        db.execute("CREATE TABLE ready AS SELECT ? AS rows, ? AS last_row", [rows, last])
        db.execute("CHECKPOINT")
        return last

    def _keyed(
        self, batches: Iterator[pa.Table]
    ) -> Iterator[tuple[pa.Table, tuple[pa.Table, list[tuple[int, str]]]]]:
        if self.pool is None:
            for batch in batches:
                yield batch, query_keys(batch, self.scoring, self.mapping.name)
            return
        # Each batch is keyed in slices across the workers while the next one is read.
        for batch in batches:
            slices = list(_slices(batch, self.workers * 2))
            parts = self.pool.map(_keys_in_worker, [(b, self.mapping.name) for b in slices])
            keys = pa.concat_tables([k for k, _ in parts])
            yield batch, (keys, [p for _, found in parts for p in found])

    def screen(self, first: int, last: int) -> tuple[pa.Table, Counts]:
        db = self.db
        db.execute(f"CREATE OR REPLACE TEMP VIEW query_keys AS SELECT * FROM all_keys "
                   f"WHERE row BETWEEN {int(first)} AND {int(last)}")  # fmt: skip
        for name, step in self.steps:
            db.execute(f"CREATE OR REPLACE TABLE {name} AS {step}")
        candidates = db.sql("SELECT * FROM candidates").to_arrow_table()
        inputs = db.sql(
            f"SELECT * FROM input WHERE row BETWEEN {int(first)} AND {int(last)} AND row IN "
            "(SELECT DISTINCT row FROM query_keys)"
        ).to_arrow_table()
        if self.pool is None or candidates.num_rows == 0:
            hits, matched, found = score_rows(self.matcher, self.scoring, inputs, candidates)
        else:
            jobs = list(_split(inputs, candidates, self.workers * 4))
            parts = self.pool.map(_score_in_worker, jobs)
            hits = pa.concat_tables([p[0] for p in parts]) if parts else OUTPUT_SCHEMA.empty_table()
            matched = sum(p[1] for p in parts)
            found = sum(p[2] for p in parts)
        rows = int(db.execute("SELECT count(*) FROM input WHERE row BETWEEN ? AND ?",
                              [first, last]).fetchone()[0])  # fmt: skip
        problems = int(db.execute("SELECT count(*) FROM problems WHERE row BETWEEN ? AND ?",
                                  [first, last]).fetchone()[0])  # fmt: skip
        counts = Counts(rows, rows - problems, matched, found, problems)
        return hits.sort_by([("row", "ascending"), ("rank", "ascending")]), counts

    def problems(self, limit: int) -> list[tuple[int, str]]:
        found = self.db.execute("SELECT row, problem FROM problems ORDER BY row LIMIT ?",
                                [limit]).fetchall()  # fmt: skip
        return [(int(row), str(problem)) for row, problem in found]

    def close(self) -> None:
        global _WORKER
        if self.pool is not None:
            self.pool.close()
            self.pool.join()
            self.pool = None
        if self.db is not None:
            self.db.close()
            self.db = None
        _WORKER = None


def _slices(table: pa.Table, count: int) -> Iterator[pa.Table]:
    size = max(1, -(-table.num_rows // count))
    for start in range(0, table.num_rows, size):
        yield table.slice(start, size)


def _split(
    inputs: pa.Table, candidates: pa.Table, count: int
) -> Iterator[tuple[pa.Table, pa.Table]]:
    """The rows with candidates, in ``count`` parts of about equal candidate numbers."""
    rows = sorted(set(candidates.column("row").to_pylist()))
    size = max(1, -(-len(rows) // count))
    for start in range(0, len(rows), size):
        low, high = rows[start], rows[min(start + size, len(rows)) - 1]
        in_range = pc.and_(pc.greater_equal(candidates.column("row"), low),
                           pc.less_equal(candidates.column("row"), high))  # fmt: skip
        inputs_in = pc.and_(pc.greater_equal(inputs.column("row"), low),
                            pc.less_equal(inputs.column("row"), high))  # fmt: skip
        yield inputs.filter(inputs_in), candidates.filter(in_range)


# What forked workers inherit: the loaded matcher and how to score.
_WORKER: tuple[Matcher, Scoring] | None = None


def _keys_in_worker(job: tuple[pa.Table, str]) -> tuple[pa.Table, list[tuple[int, str]]]:
    assert _WORKER is not None
    return query_keys(job[0], _WORKER[1], job[1])


def _score_in_worker(job: tuple[pa.Table, pa.Table]) -> tuple[pa.Table, int, int]:
    assert _WORKER is not None
    matcher, scoring = _WORKER
    return score_rows(matcher, scoring, *job)
