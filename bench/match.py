"""Screening benchmark: quality on name pairs built from the real lists, and query speed.

    python bench/match.py --db data/belwatch.db [--peer-python /path/to/venv/bin/python]

Pairs come from the EU Regulation 765/2006 transcription (../shared/data/sources): each
person's Latin name against its own Belarusian and Russian Cyrillic aliases, the Latin name
with surname first, and with the patronymic left out; hard negatives are two different
people of the same list who share a surname. Prints recall at the match threshold per pair
type and the false-positive rate, for belwatch-v1 and, with --peer-python (a Python with
nomenklatura installed), for nomenklatura's logic-v2 and name-based on the same pairs.
Speed: index build time, in-process /match latency percentiles, memory, and batch
screening of --batch names (a synthetic customer file) on one process and on every CPU.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import random
import re
import resource
import subprocess
import time
from collections import defaultdict
from pathlib import Path

from followthemoney import model

from belwatch.match.algorithms import get_algorithm
from belwatch.match.batch import Columns, screen_rows
from belwatch.match.names import name_keys
from belwatch.match.service import Matcher, make_query
from belwatch.store import Store

SOURCES = Path(__file__).resolve().parents[2] / "shared" / "data" / "sources"
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
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
    for a, b in pairs:
        q = model.make_entity("Person"); q.id = "q"; q.add("name", a)
        c = model.make_entity("Person"); c.id = "c"; c.add("name", b)
        scores.append(algorithm.compare(q, c, config).score)
    out[name] = scores
json.dump(out, sys.stdout)
"""


def eu_pairs() -> dict[str, list[tuple[str, str]]]:
    path = SOURCES / "eu_oj_opensanctions" / "32006R0765_latest.csv"
    people = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["schema"] == "Person" and row["name"]:
                aliases = [a.strip() for a in re.split(r";", row["alias"]) if a.strip()]
                people.append(
                    (row["name"], [a for a in aliases if CYRILLIC.search(a)], row["birthDate"])
                )
    pairs: dict[str, list[tuple[str, str]]] = defaultdict(list)
    by_surname: dict[str, list[str]] = defaultdict(list)
    for name, cyrillic, _ in people:
        parts = name.split()
        for alias in cyrillic:
            pairs["cyrillic vs latin"].append((alias, name))
        if len(parts) >= 2:
            pairs["surname first"].append((f"{parts[-1]}, {' '.join(parts[:-1])}", name))
        if len(parts) == 3:
            pairs["no patronymic"].append((f"{parts[0]} {parts[2]}", name))
        keys = name_keys(name)
        if keys:
            by_surname[keys[-1]].append(name)
    for names in by_surname.values():
        unique = sorted(set(names))
        for a, b in itertools.pairwise(unique):
            if name_keys(a)[:1] != name_keys(b)[:1]:  # different given names
                pairs["negative: same surname"].append((a, b))
    return pairs


def ours(pairs: list[tuple[str, str]]) -> list[float]:
    algorithm = get_algorithm(None)
    scores = []
    for a, b in pairs:
        q = model.make_entity("Person")
        q.id = "q"
        q.add("name", a)
        c = model.make_entity("Person")
        c.id = "c"
        c.add("name", b)
        scores.append(algorithm.compare(q, c).score)
    return scores


def peer(python: str, pairs: list[tuple[str, str]]) -> dict[str, list[float]]:
    done = subprocess.run([python, "-c", PEER], input=json.dumps(pairs), capture_output=True,
                          text=True, check=True)  # fmt: skip
    result: dict[str, list[float]] = json.loads(done.stdout)
    return result


def quality(args: argparse.Namespace) -> None:
    pairs = eu_pairs()
    threshold = get_algorithm(None).threshold
    flat = [p for kind in pairs for p in pairs[kind]]
    started = time.perf_counter()
    scores: dict[str, list[float]] = {"belwatch-v1": ours(flat)}
    rate = {"belwatch-v1": len(flat) / (time.perf_counter() - started)}
    if args.peer_python:
        started = time.perf_counter()
        scores.update(peer(args.peer_python, flat))
        rate["logic-v2 + name-based"] = 2 * len(flat) / (time.perf_counter() - started)
    print(f"\nQuality at threshold {threshold} ({len(flat):,} pairs from the EU Belarus annex)")
    print(f"{'pair type':<26} {'pairs':>6} " + " ".join(f"{name:>12}" for name in scores))
    offset = 0
    for kind, kind_pairs in pairs.items():
        cells = []
        for name in scores:
            chunk = scores[name][offset : offset + len(kind_pairs)]
            share = sum(s >= threshold for s in chunk) / max(len(chunk), 1)
            cells.append(f"{share:>12.3f}")
        offset += len(kind_pairs)
        label = "false-positive rate" if kind.startswith("negative") else "recall"
        print(f"{kind:<26} {len(kind_pairs):>6} " + " ".join(cells) + f"   ({label})")
    for name, value in rate.items():
        print(f"pairs per second, {name}: {value:,.0f}")


def speed(args: argparse.Namespace) -> None:
    store = Store(args.db)
    started = time.perf_counter()
    matcher = Matcher(store)
    build = time.perf_counter() - started
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
    head = ("index build s", "goal", "p50 ms", "goal", "p95 ms", "goal", "peak MiB")
    row = (
        f"{build:.2f}",
        "<10",
        f"{pct(0.5):.1f}",
        "<5",
        f"{pct(0.95):.1f}",
        "<20",
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
    quality(args)
    if args.db:
        speed(args)


if __name__ == "__main__":
    main()
