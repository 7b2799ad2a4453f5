"""Ingest benchmark: every list file under a folder into a fresh register, then again unchanged.

    python bench/ingest.py ../shared/data/sources [--pg postgresql://user@host/db]

Prints one row per file (entries, statements, seconds) and a summary per database:
total time for the first ingest, time to re-ingest everything unchanged, and peak memory.
Goals: first ingest under 60 s on 2 cores, an unchanged file re-ingested in under 1 s.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine

from belwatch.exc import SourceError
from belwatch.ingest import ingest_one, plan
from belwatch.settings import database_url
from belwatch.store import Store
from belwatch.store.schema import metadata


def run(url: str, folder: Path, label: str) -> dict[str, float]:
    planned, skipped = plan([folder])
    rows: list[tuple[str, str, int, int, float]] = []
    with Store(url) as store:
        started = time.perf_counter()
        for item in planned:
            t0 = time.perf_counter()
            try:
                outcome = ingest_one(store, item)
            except SourceError:
                # A damaged file (the truncated CSL) counts with its good records, as a user
                # would ingest it with --lenient.
                outcome = ingest_one(store, item, lenient=True)
            version = outcome.version
            assert version is not None
            rows.append(
                (
                    item.path.name,
                    version.dataset,
                    version.records,
                    version.statements,
                    time.perf_counter() - t0,
                )
            )
        first = time.perf_counter() - started
        started = time.perf_counter()
        slowest = 0.0
        for item in planned:
            t0 = time.perf_counter()
            assert ingest_one(store, item).status == "unchanged"
            slowest = max(slowest, time.perf_counter() - t0)
        again = time.perf_counter() - started
    print(f"\n{label}: {url}")
    print(f"{'file':<44} {'dataset':<24} {'entries':>8} {'statements':>10} {'seconds':>8}")
    for name, dataset, records, statements, seconds in rows:
        print(f"{name[:44]:<44} {dataset:<24} {records:>8,} {statements:>10,} {seconds:>8.2f}")
    return {
        "files": len(rows),
        "skipped": len(skipped),
        "first": first,
        "again": again,
        "slowest_again": slowest,
        "statements": sum(r[3] for r in rows),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("folder", type=Path)
    parser.add_argument("--pg", help="also run on this (emptied!) PostgreSQL database")
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["SQLite"] = run(f"sqlite:///{tmp}/bench.db", args.folder, "SQLite")
    if args.pg:
        url = database_url(args.pg)
        engine = create_engine(url)
        metadata.drop_all(engine)
        engine.dispose()
        results["PostgreSQL"] = run(url, args.folder, "PostgreSQL")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\n{'database':<12} {'files':>6} {'statements':>11} {'ingest s':>9} {'goal':>6} "
        f"{'re-ingest s':>12} {'slowest file':>13} {'goal':>6}"
    )
    for name, r in results.items():
        print(
            f"{name:<12} {int(r['files']):>6} {int(r['statements']):>11,} {r['first']:>9.1f} "
            f"{'<60':>6} "
            f"{r['again']:>12.2f} {r['slowest_again']:>13.3f} {'<1':>6}"
        )
    print(f"peak memory (whole run): {peak:,.0f} MiB")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
