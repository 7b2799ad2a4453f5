"""A screening job over a whole file: its rows are screened in chunks by an engine, each
chunk's hits written to a part file once complete, and the parts joined into the output at
the end. A job that stops (a crash, a killed process, a lost machine) is run again with the
same command: the chunks whose parts exist are not screened again, so no row is lost or
written twice.

The work lives beside the output in ``<output>.work/``, named by a fingerprint of
everything the hits depend on (input file, column mapping, options, register state); a
different job refuses to reuse it."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa

from belwatch.exc import ConfigError
from belwatch.match.engine.tables import OUTPUT_SCHEMA, Mapping, Scoring

CHUNK_ROWS = 100_000


@dataclass
class Counts:
    """What a chunk, or the whole job, came to."""

    rows: int = 0
    screened: int = 0
    matched_rows: int = 0
    hits: int = 0
    problems: int = 0

    def add(self, other: Counts) -> None:
        for name in ("rows", "screened", "matched_rows", "hits", "problems"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Summary:
    counts: Counts
    seconds: float
    engine: str
    resumed_chunks: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)  # the first few

    @property
    def rate(self) -> float:
        return self.counts.rows / max(self.seconds, 1e-9)


class Engine(Protocol):
    name: str

    def prepare(self, work: Path) -> int:
        """Read the input (once per job: a resumed job finds it read) and give the number
        of its last row."""

    def screen(self, first: int, last: int) -> tuple[pa.Table, Counts]:
        """The hits (OUTPUT_SCHEMA) of rows first..last and their counts."""

    def problems(self, limit: int) -> list[tuple[int, str]]:
        """The first rows that could not be screened, and why."""

    def close(self) -> None: ...


def output_format(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    found = {"parquet": "parquet", "pq": "parquet", "csv": "csv", "jsonl": "jsonl",
             "ndjson": "jsonl", "json": "jsonl", "xlsx": "xlsx"}.get(suffix)  # fmt: skip
    if found is None:
        raise ConfigError(f"{path}: unknown output format {path.suffix!r}; use .parquet, .csv, "
                          ".jsonl or .xlsx")  # fmt: skip
    return found


def fingerprint(input_path: Path, mapping: Mapping, scoring: Scoring, register: str,
                extra: dict[str, Any] | None = None) -> str:  # fmt: skip
    """What the hits depend on; a job's work is reused only under the same fingerprint."""
    stat = input_path.stat()
    parts = {
        "input": str(input_path.resolve()), "size": stat.st_size, "mtime": stat.st_mtime_ns,
        "mapping": asdict(mapping), "algorithm": scoring.algorithm.name,
        "limit": scoring.limit, "threshold": scoring.threshold,
        "only_matches": scoring.only_matches, "register": register, **(extra or {}),
    }  # fmt: skip
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:20]


def work_dir(output: Path) -> Path:
    return output.with_name(output.name + ".work")


def run(
    engine: Engine,
    output: Path,
    key: str,
    chunk_rows: int = CHUNK_ROWS,
    restart: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
    keep_work: bool = False,
) -> Summary:
    """Screen every chunk not yet done, then write the output. ``progress(stage, done,
    total)`` hears of each chunk."""
    fmt = output_format(output)
    work = work_dir(output)
    state_file = work / "state.json"
    if work.exists():
        state = _read_state(state_file)
        if restart or state.get("fingerprint") != key:
            if not restart and state:
                raise ConfigError(
                    f"{work} holds the work of a different screening job (another input, "
                    "mapping, option or register state); run with --restart to discard it"
                )
            shutil.rmtree(work)
    parts = work / "parts"
    parts.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        rows = engine.prepare(work)
        _write_state(state_file, {"fingerprint": key, "rows": rows})
        chunks = [(first, min(first + chunk_rows - 1, rows))
                  for first in range(1, rows + 1, chunk_rows)]  # fmt: skip
        total = Counts()
        resumed = 0
        for number, (first, last) in enumerate(chunks, start=1):
            name = f"part-{first:012d}-{last:012d}"
            done = parts / f"{name}.json"
            if done.exists():
                total.add(Counts(**json.loads(done.read_text())))
                resumed += 1
            else:
                hits, counts = engine.screen(first, last)
                _write_part(parts / f"{name}.parquet", hits)
                _atomic_write(done, json.dumps(asdict(counts)).encode())
                total.add(counts)
            if progress is not None:
                progress("screening", number, len(chunks))
        if progress is not None:
            progress("writing", 0, 1)
        _combine(parts, output, fmt)
        summary = Summary(total, time.perf_counter() - started, engine.name, resumed,
                          engine.problems(20))  # fmt: skip
    finally:
        engine.close()
    if not keep_work:
        shutil.rmtree(work, ignore_errors=True)
    return summary


def _read_state(path: Path) -> dict[str, Any]:
    try:
        found = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _write_state(path: Path, state: dict[str, Any]) -> None:
    _atomic_write(path, json.dumps(state).encode())


def _atomic_write(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _write_part(path: Path, hits: pa.Table) -> None:
    import pyarrow.parquet as pq

    temporary = path.with_name(path.name + ".tmp")
    pq.write_table(hits.cast(OUTPUT_SCHEMA), temporary)
    os.replace(temporary, path)


def _combine(parts: Path, output: Path, fmt: str) -> None:
    """Every part's hits, in row order, into the output."""
    files = sorted(str(p) for p in parts.glob("part-*.parquet"))
    if files:
        relation = f"(SELECT * FROM read_parquet({files!r}) ORDER BY row, rank)"
    else:
        names = ", ".join(f"CAST(NULL AS {_duck_type(f.type)}) AS {f.name}"
                          for f in OUTPUT_SCHEMA)  # fmt: skip
        relation = f"(SELECT {names} WHERE false)"
    write_relation(relation, output, fmt, OUTPUT_SCHEMA)


CHANGE_SCHEMA = pa.schema([pa.field("change", pa.string()), *OUTPUT_SCHEMA])


def write_changes(now: Path, before: Path, output: Path, fmt: str) -> tuple[int, int]:
    """The matches of ``now`` that ``before`` lacks ("new") and those it had that ``now``
    lacks ("gone"), by row and list entry, into the output; how many of each."""
    a, b = f"read_parquet('{_quoted(now)}')", f"read_parquet('{_quoted(before)}')"
    relation = f"""(
      SELECT 'new' AS change, n.* FROM {a} n WHERE n.match AND NOT EXISTS
        (SELECT 1 FROM {b} o WHERE o.match AND o.row = n.row AND o.entity_id = n.entity_id)
      UNION ALL
      SELECT 'gone' AS change, o.* FROM {b} o WHERE o.match AND NOT EXISTS
        (SELECT 1 FROM {a} n WHERE n.match AND n.row = o.row AND n.entity_id = o.entity_id)
      ORDER BY row, change DESC, rank
    )"""
    counted = write_relation(relation, output, fmt, CHANGE_SCHEMA, count_by="change")
    return counted.get("new", 0), counted.get("gone", 0)


def write_relation(
    relation: str, output: Path, fmt: str, schema: pa.Schema, count_by: str | None = None
) -> dict[str, int]:
    """A DuckDB relation into the output, written whole and then renamed into place; with
    ``count_by``, the number of rows per value of that column."""
    import duckdb

    temporary = output.with_name(output.name + ".tmp")
    with duckdb.connect() as db:
        db.execute("SET preserve_insertion_order = true")
        db.execute(f"CREATE TEMP TABLE result AS SELECT * FROM {relation}")
        if fmt == "xlsx":
            from belwatch.match.batch import xlsx_bytes

            table = db.sql("SELECT * FROM result").to_arrow_table()
            if table.num_rows > 1_048_575:
                raise ConfigError(f"{table.num_rows:,} hits do not fit a worksheet; write "
                                  ".parquet or .csv")  # fmt: skip
            temporary.write_bytes(xlsx_bytes(table.to_pylist(), [], list(schema.names)))
        else:
            options = {"parquet": "FORMAT parquet", "csv": "FORMAT csv, HEADER true",
                       "jsonl": "FORMAT json"}[fmt]  # fmt: skip
            columns = ", ".join(f.name for f in schema)
            if fmt == "csv":  # text a spreadsheet would run as a formula is written as text
                columns = ", ".join(
                    f"CASE WHEN left({f.name}, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) "
                    f"THEN chr(39) || {f.name} ELSE {f.name} END AS {f.name}"
                    if pa.types.is_string(f.type) else f.name
                    for f in schema
                )  # fmt: skip
            db.execute(f"COPY (SELECT {columns} FROM result) TO '{_quoted(temporary)}' "
                       f"({options})")  # fmt: skip
        counted: dict[str, int] = {}
        if count_by is not None:
            query = f"SELECT {count_by}, count(*) FROM result GROUP BY 1"
            counted = {str(k): int(v) for k, v in db.execute(query).fetchall()}
    os.replace(temporary, output)
    return counted


def _duck_type(kind: pa.DataType) -> str:
    if pa.types.is_integer(kind):
        return "BIGINT"
    if pa.types.is_floating(kind):
        return "DOUBLE"
    if pa.types.is_boolean(kind):
        return "BOOLEAN"
    return "VARCHAR"


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")
