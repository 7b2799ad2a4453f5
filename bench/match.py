"""Screening benchmark: quality on name pairs built from the real lists, and speed.

    python bench/match.py [--db data/belwatch.db] [--peer-python /path/to/venv/bin/python]

Pairs (bench/pairs.py) come from the EU Belarus annex and, with --db, from the same people on
two lists of the register. Prints recall at the match threshold per pair type and the
false-positive rate on hard negatives, for belwatch-v1 and, with --peer-python (a Python with
nomenklatura installed), for nomenklatura's logic-v2 and name-based on the same pairs, names
only. With --db also: how often the whole matcher (index, candidate pool, scoring) finds the
other list's entry of a cross-list pair among its top five as a match; index build time,
in-process /match latency percentiles, memory, and batch screening of --batch names (a
synthetic customer file) on one process and on every CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import time

from followthemoney import model

from belwatch.match.algorithms import get_algorithm
from belwatch.match.batch import Columns, screen_rows
from belwatch.match.service import Matcher, make_query
from belwatch.store import Store

from memory import rss_mib
from pairs import Pair, eu_pairs, register_pairs

PEER = """
import json, sys
from followthemoney import model
from nomenklatura.matching import get_algorithm
from nomenklatura.matching.types import ScoringConfig
pairs = json.load(sys.stdin)
out = {}
for name in ("logic-v2", "name-based"):
    algorithm = get_algorithm(name)
    config = ScoringConfig.defaults()
    scores = []
    for i, (schema, a, b) in enumerate(pairs):
        # ids unique per pair: logic-v2 caches what it has seen of an entity by its id
        q = model.make_entity(schema); q.id = f"q{i}"; q.add("name", a)
        c = model.make_entity(schema); c.id = f"c{i}"; c.add("name", b)
        scores.append(algorithm.compare(q, c, config).score)
    out[name] = scores
json.dump(out, sys.stdout)
"""


def ours(pairs: list[Pair]) -> list[float]:
    algorithm = get_algorithm(None)
    scores = []
    for schema, a, b in pairs:
        q = model.make_entity(schema)
        q.id = "q"
        q.add("name", a)
        c = model.make_entity(schema)
        c.id = "c"
        c.add("name", b)
        scores.append(algorithm.compare(q, c).score)
    return scores


def peer(python: str, pairs: list[Pair]) -> dict[str, list[float]]:
    done = subprocess.run([python, "-c", PEER], input=json.dumps(pairs), capture_output=True,
                          text=True, check=True)  # fmt: skip
    result: dict[str, list[float]] = json.loads(done.stdout)
    return result


def quality(args: argparse.Namespace, matcher: Matcher | None) -> None:
    pairs = eu_pairs()
    lookups: list[tuple[str, str]] = []
    if matcher is not None:
        more, lookups = register_pairs(matcher)
        pairs.update(more)
    threshold = get_algorithm(None).threshold
    flat = [p for kind in pairs for p in pairs[kind]]
    started = time.perf_counter()
    scores: dict[str, list[float]] = {"belwatch-v1": ours(flat)}
    rate = {"belwatch-v1": len(flat) / (time.perf_counter() - started)}
    if args.peer_python:
        started = time.perf_counter()
        scores.update(peer(args.peer_python, flat))
        rate["logic-v2 + name-based"] = 2 * len(flat) / (time.perf_counter() - started)
    print(f"\nQuality at threshold {threshold} ({len(flat):,} pairs from the real lists)")
    print(f"{'pair type':<38} {'pairs':>6} " + " ".join(f"{name:>12}" for name in scores))
    offset = 0
    for kind, kind_pairs in pairs.items():
        cells = []
        for name in scores:
            chunk = scores[name][offset : offset + len(kind_pairs)]
            share = sum(s >= threshold for s in chunk) / max(len(chunk), 1)
            cells.append(f"{share:>12.3f}")
        offset += len(kind_pairs)
        label = "false-positive rate" if kind.startswith("negative") else "recall"
        print(f"{kind:<38} {len(kind_pairs):>6} " + " ".join(cells) + f"   ({label})")
    for name, value in rate.items():
        print(f"pairs per second, {name}: {value:,.0f}")
    if matcher is not None and lookups:
        algorithm = get_algorithm(None)
        found = 0
        for name, entity_id in lookups:
            query = make_query({"schema": "Person", "properties": {"name": [name]}})
            hits = matcher.match(query, algorithm, limit=5, load=False)
            found += any(h.entity_id == entity_id and h.match for h in hits)
        print(f"cross-list pairs found by the whole matcher (top 5, a match): "
              f"{found / len(lookups):.3f} of {len(lookups):,}")  # fmt: skip


def speed(args: argparse.Namespace, matcher: Matcher, build: float, held: float) -> None:
    names = [name for profile in matcher.profiles.values() if profile.entity.schema.name == "Person"
             for name in profile.entity.get("name")[:1]]  # fmt: skip
    random.seed(7)
    sample = random.sample(names, min(args.queries, len(names)))
    algorithm = get_algorithm(None)
    latencies = []
    for name in sample:
        query = make_query({"schema": "Person", "properties": {"name": [name]}})
        t0 = time.perf_counter()
        matcher.match(query, algorithm)
        latencies.append((time.perf_counter() - t0) * 1000)
    latencies.sort()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))]

    print(f"\nSpeed on {args.db}: {len(matcher.index):,} indexed entities")
    head = ("index build s", "goal", "p50 ms", "goal", "p95 ms", "goal", "index MiB", "peak MiB")
    row = (
        f"{build:.2f}",
        "<10",
        f"{pct(0.5):.1f}",
        "<5",
        f"{pct(0.95):.1f}",
        "<20",
        f"{held:,.0f}",
        f"{peak:,.0f}",
    )
    for cells in (head, row):
        print(" ".join(f"{cell:>{max(len(h), 5)}}" for cell, h in zip(cells, head, strict=True)))
    batch_speed(matcher, args.batch)


def customer_names(matcher: Matcher, count: int) -> list[dict[str, str]]:
    """A customer file: one row in twenty a listed person's name (surname first, as a form
    would have it), the rest people and companies made of the register's own given names,
    surnames and words, so that nearly every row has candidates to score."""
    people = [names for profile in matcher.profiles.values()
              if profile.entity.schema.name == "Person"
              and (names := profile.entity.get("name"))]  # fmt: skip
    tokens = [name.split() for names in people for name in names[:1]]
    given = [parts[0] for parts in tokens if len(parts) >= 2]
    surnames = [parts[-1] for parts in tokens if len(parts) >= 2]
    words = [word for profile in matcher.profiles.values()
             if profile.entity.schema.name != "Person"
             for name in profile.entity.get("name")[:1] for word in name.split()]  # fmt: skip
    rows = []
    for number in range(count):
        if number % 20 == 0:
            parts = random.choice(people)[0].split()
            rows.append({"name": " ".join(parts[-1:] + parts[:-1]), "schema": "Person"})
        elif number % 3 == 0:
            rows.append({"name": " ".join(random.sample(words, 3)), "schema": "Company"})
        else:
            rows.append({"name": f"{random.choice(given)} {random.choice(surnames)}",
                         "schema": "Person"})  # fmt: skip
    return rows


def batch_speed(matcher: Matcher, count: int) -> None:
    random.seed(11)
    rows = customer_names(matcher, count)
    columns = Columns(name="name", schema="schema")
    algorithm = get_algorithm(None)
    print(f"\nBatch screening of {count:,} names (goal: >= 1,000 names/s on 2 cores)")
    print(f"{'workers':>7} {'seconds':>8} {'names/s':>8} {'rows with a match':>18}")
    for workers in sorted({1, os.cpu_count() or 1}):
        started = time.perf_counter()
        _, summary = screen_rows(matcher, algorithm, enumerate(rows, start=2), columns,
                                 workers=workers)  # fmt: skip
        seconds = time.perf_counter() - started
        print(f"{workers:>7} {seconds:>8.1f} {count / seconds:>8,.0f} {summary.matched_rows:>18,}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", help="a register (SQLAlchemy URL) for the speed figures")
    parser.add_argument("--peer-python", help="a Python that has nomenklatura installed")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=100_000, help="names in the batch figure")
    args = parser.parse_args()
    matcher, build, held = None, 0.0, 0.0
    if args.db:
        before = rss_mib()
        started = time.perf_counter()
        matcher = Matcher(Store(args.db))
        build = time.perf_counter() - started
        held = rss_mib() - before
    quality(args, matcher)
    if matcher is not None:
        speed(args, matcher, build, held)


if __name__ == "__main__":
    main()
