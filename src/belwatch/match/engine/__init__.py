"""Screening whole files, of any size, with the matcher's own scoring.

``screen_file`` screens every row against every list; ``screen_changes`` screens every row
again only against the entities whose statements changed since a list version, and reports
the hits that arose and the ones that went. Both run on the DuckDB engine (one machine,
bounded memory) or the Spark engine (a cluster), which give the same hits for the same
input; both resume a job that stopped."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from belwatch.exc import ConfigError
from belwatch.match.algorithms import Algorithm
from belwatch.match.engine import job
from belwatch.match.engine.job import Engine, Summary
from belwatch.match.engine.tables import Mapping, Scoring
from belwatch.match.service import Matcher
from belwatch.store import Store

ENGINES = ("duckdb", "spark")
Progress = Callable[[str, int, int], None]


@dataclass
class Options:
    """How a job runs (not what it finds)."""

    engine: str = "duckdb"
    workers: int = 1
    memory: str = "2GB"  # DuckDB's memory limit, beyond which it spills to the work folder
    master: str = "local[*]"  # Spark's master URL
    conf: dict[str, str] = field(default_factory=dict)  # Spark settings
    chunk_rows: int = job.CHUNK_ROWS
    restart: bool = False
    keep_work: bool = False


@dataclass
class Changes:
    """What a delta screening found: hits that arose and hits that went."""

    new: int
    gone: int
    now: Summary
    before: Summary
    changed: int  # entities changed since the version


def register_state(store: Store) -> str:
    """What the register's hits depend on: its versions and its resolution decisions."""
    versions = store.versions()
    from belwatch.resolve.decisions import effective

    return f"{len(versions)}:{max((v.id for v in versions), default=0)}:{len(effective(store))}"


def make_engine(
    options: Options,
    matcher: Matcher,
    scoring: Scoring,
    input_path: Path,
    mapping: Mapping,
    progress: Progress | None = None,
    database: Path | None = None,
) -> Engine:
    """The engine the options name; ``database`` is where DuckDB keeps the input it read, for
    jobs that share it."""
    if options.engine == "duckdb":
        from belwatch.match.engine.duck import DuckEngine

        return DuckEngine(matcher, scoring, input_path, mapping, options.workers, options.memory,
                          progress, database)  # fmt: skip
    if options.engine == "spark":
        from belwatch.match.engine.spark import SparkEngine

        return SparkEngine(matcher, scoring, input_path, mapping, options.master, options.conf)
    raise ConfigError(f"unknown engine {options.engine!r}; known: {', '.join(ENGINES)}")


def screen_file(
    store: Store,
    input_path: Path,
    output: Path,
    mapping: Mapping,
    algorithm: Algorithm,
    limit: int = 3,
    threshold: float | None = None,
    only_matches: bool = True,
    options: Options | None = None,
    progress: Progress | None = None,
    matcher: Matcher | None = None,
) -> Summary:
    """Screen every row of the input against the whole register; one hit per target (its
    entries on several lists resolved into one), the best ``limit`` per row."""
    from belwatch.resolve.resolver import load_resolution

    options = options or Options()
    job.output_format(output)
    matcher = matcher or Matcher(store)
    scoring = Scoring(algorithm, limit, threshold, only_matches, mapping.default_schema,
                      load_resolution(store, matcher))  # fmt: skip
    key = job.fingerprint(input_path, mapping, scoring, register_state(store))
    engine = make_engine(options, matcher, scoring, input_path, mapping, progress)
    return job.run(engine, output, key, options.chunk_rows, options.restart, progress,
                   options.keep_work)  # fmt: skip


def screen_changes(
    store: Store,
    since: int,
    input_path: Path,
    output: Path,
    mapping: Mapping,
    algorithm: Algorithm,
    threshold: float | None = None,
    options: Options | None = None,
    progress: Progress | None = None,
) -> Changes:
    """Screen every row against the entities changed since list version ``since``, as they
    are now and as they were then, and write the matches that arose ("new": a new listing,
    a new alias) and the ones that went ("gone": a delisting, a dropped alias), per list
    entry. The work grows with the changed entities, not with the register."""
    options = options or Options()
    fmt = job.output_format(output)
    changed = store.changed_since(since)
    work = job.work_dir(output)
    work.mkdir(parents=True, exist_ok=True)
    summaries: dict[str, Summary] = {}
    for label, version in (("now", None), ("before", since)):
        part, done = work / f"{label}.parquet", work / f"{label}.json"
        if part.exists() and done.exists():  # screened before the job stopped
            saved = json.loads(done.read_text())
            summaries[label] = Summary(job.Counts(**saved["counts"]), saved["seconds"],
                                       options.engine)  # fmt: skip
            continue
        matcher = Matcher(store, ids=changed, version=version)
        scoring = Scoring(algorithm, 50, threshold, True, mapping.default_schema)
        key = job.fingerprint(input_path, mapping, scoring, register_state(store),
                              {"since": since, "side": label})  # fmt: skip
        # Both sides read the input and its keys once (they do not depend on the register).
        engine = make_engine(options, matcher, scoring, input_path, mapping, progress,
                             work / "input.duckdb")  # fmt: skip
        found = job.run(engine, part, key, options.chunk_rows, options.restart, progress,
                        options.keep_work)  # fmt: skip
        done.write_text(json.dumps({"counts": asdict(found.counts), "seconds": found.seconds}))
        summaries[label] = found
    new, gone = job.write_changes(work / "now.parquet", work / "before.parquet", output, fmt)
    if not options.keep_work:
        shutil.rmtree(work, ignore_errors=True)
    return Changes(new, gone, summaries["now"], summaries["before"], len(changed))


__all__ = ["ENGINES", "Changes", "Mapping", "Options", "screen_changes", "screen_file"]
