"""Relationship-graph benchmark: ownership and neighbourhood queries on the register plus a
synthetic ownership graph the size of a national company register.

    python bench/graph.py [--db sqlite:////tmp/dev.db] [--peer networkx] [--small]
                          [--companies 1000000] [--edges 3000000] [--seed 7]

With --db (default: $BELWATCH_DB) the register's own graph is built first (Matcher, the stored
resolution, belwatch.graph.build) and the synthetic graph is added to that network.

The synthetic graph (numpy, fixed seed): --companies companies on 8 levels, each level owned by
the level above it (the top level by persons), so a company on the bottom three levels has
chains of owners at least 6 links long; 50 holding companies (10 owning tens of thousands of
companies, 40 a few thousand), each majority-owned by a person; cycles of cross-holdings; and
--edges Ownership edges in all, shares in percent summing to at most 100 per company (2% of
minority stakes unknown). A handful of persons are listed by the US or the EU: five of the
holdings' owners and ten others, so the OFAC 50% rule and the EU test have something to find.

Times adding the graph and indexing it, then queries from belwatch.graph.queries on sampled
nodes: owners() through 6 levels of 200 bottom companies (goal: under 50 ms), the 2-hop
neighbourhood of the 50 holdings (goal: under 100 ms) at the default limit of 500 nodes, and
with no limit for the 40 mid-size holdings and 3 of the big ones; holdings() and
shortest_path(); memory as RSS and the network's arrays, and what one full garbage collection
costs with the graph loaded. With --peer networkx, the same graph as a networkx DiGraph and
comparable walks on the same nodes.
One table: measure | value | goal | ok.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import resource
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from belwatch.api.deps import settle
from belwatch.graph import Network, build, queries
from belwatch.match.service import Matcher
from belwatch.resolve import load_resolution
from belwatch.settings import database_url
from belwatch.store import Store

from memory import rss_mib

LEVELS = 8  # company levels: 0 is owned by 1, ..., 7 by persons
TAPER = 0.6  # companies on a level, as a fraction of the level below
PERSONS = 20  # companies per person
BIG_HUBS, MID_HUBS = 10, 40
BIG_UNLIMITED = 3  # big hubs whose whole 2-hop neighbourhood is fetched: seconds each
SAMPLES = {"owners": 200, "hubs": BIG_HUBS + MID_HUBS, "holdings": 50, "paths": 50}
UBO_DEPTH = 6
GOAL_UBO_MS = 50.0
GOAL_HOP_MS = 100.0
CHUNK = 500_000  # edges per add_edges call
WORDS = ("Belaz", "Neman", "Polesie", "Grodno", "Minsk", "Vitebsk", "Brest", "Gomel", "Mogilev",
         "Orsha", "Baltic", "Eurasia", "Trans", "Atlant", "Zubr", "Volat", "Kristall", "Belneft",
         "Prom", "Agro", "Energo", "Stroy", "Logistic", "Invest", "Trade", "Tech",
         "Metal")  # fmt: skip
FORMS = ("LLC", "JSC", "OJSC", "Ltd", "GmbH", "SIA", "UAB", "Holding", "Group", "Trading LLP")
GIVEN = ("Aliaksandr", "Viktar", "Natallia", "Siarhei", "Dzmitry", "Alena", "Mikalai", "Iryna",
         "Uladzimir", "Tatsiana", "Pavel", "Volha", "Andrei", "Maryia", "Ihar",
         "Hanna")  # fmt: skip
SURNAMES = ("Ivanou", "Kavalenka", "Novik", "Moroz", "Shautsou", "Kazlou", "Lukashevich",
            "Babich", "Tsikhanouski", "Karpenka", "Sidarenka", "Zhuk", "Malinouski", "Hrynevich",
            "Vasilevich", "Kuzmich", "Yermakovich", "Pashkevich", "Rudzko", "Lapitski")  # fmt: skip

T = TypeVar("T")
Array = npt.NDArray[Any]


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str]] = []

    def add(self, measure: str, value: str, goal: str = "-", ok: bool | None = None) -> None:
        self.rows.append((measure, value, goal, "" if ok is None else "✓" if ok else "✗"))

    def latency(self, measure: str, ms: list[float], goal: float | None = None) -> None:
        """p50, p95 and max on rows of their own when there is a goal, else on one row."""
        p50, p95, top = pct(ms, 0.5), pct(ms, 0.95), max(ms)
        if goal is None:
            self.add(f"{measure}: p50 / p95 / max", f"{p50:.1f} / {p95:.1f} / {top:.1f} ms")
            return
        for name, value in (("p50", p50), ("p95", p95), ("max", top)):
            self.add(f"{measure}: {name}", f"{value:.1f} ms", f"< {goal:g} ms", value < goal)

    def print(self) -> None:
        head = ("measure", "value", "goal", "ok")
        widths = [max(len(row[i]) for row in [head, *self.rows]) for i in range(3)]
        line = "-+-".join("-" * w for w in [*widths, 2])
        print(" | ".join(f"{h:<{w}}" for h, w in zip(head, [*widths, 2], strict=True)))
        print(line)
        for measure, value, goal, ok in self.rows:
            print(f"{measure:<{widths[0]}} | {value:>{widths[1]}} | {goal:<{widths[2]}} | {ok}")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def mib(size: float) -> str:
    return f"{size / 2**20:,.1f} MiB"


def measure(
    items: Iterable[T], query: Callable[[T], Any], summary: Callable[[Any], Any]
) -> tuple[list[float], list[Any]]:
    """Milliseconds per query, and a summary of each answer (answers are dropped at once: the
    unlimited neighbourhoods of all hubs would not fit in memory together)."""
    latencies, summaries = [], []
    for item in items:
        started = time.perf_counter()
        answer = query(item)
        latencies.append((time.perf_counter() - started) * 1000)
        summaries.append(summary(answer))
    return latencies, summaries


def mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else math.nan


# --- the register ---------------------------------------------------------------------------


def register(url: str, table: Table) -> Network:
    """The register's graph, which the synthetic graph then joins."""
    store = Store(database_url(url))
    started = time.perf_counter()
    matcher = Matcher(store)
    table.add("register: Matcher build", f"{time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    resolution = load_resolution(store, matcher)
    table.add("register: load_resolution", f"{time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    network = build(store, matcher, resolution)
    table.add("register: graph.build", f"{time.perf_counter() - started:.2f} s")
    table.add("  nodes / edges", f"{len(network):,} / {network.edge_count:,}")
    store.close()
    del matcher, resolution
    gc.collect()  # the matcher is not part of what the graph holds
    return network


# --- the synthetic graph --------------------------------------------------------------------


@dataclass
class Synthetic:
    level: Array  # company index -> level
    first: int  # the network number of company 0; persons follow the companies
    hubs: list[int]  # company indexes, the big ones first
    tycoons: list[int]  # person indexes: each hub's majority owner, in the same order
    listed: dict[int, tuple[str, ...]]  # person index -> jurisdictions
    src: Array  # network numbers
    dst: Array
    share: Array
    cycles: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def generate(companies: int, edges: int, persons: int, first: int, seed: int) -> Synthetic:
    """The graph as arrays of indexes (companies 0.., persons after them)."""
    rng = np.random.default_rng(seed)
    sizes = np.floor(companies * TAPER ** np.arange(LEVELS) / (TAPER ** np.arange(LEVELS)).sum())
    sizes = sizes.astype(np.int64)
    sizes[0] += companies - sizes.sum()
    # Levels shuffled over the numbers, so that a level is not one run of the arrays.
    level = rng.permutation(np.repeat(np.arange(LEVELS, dtype=np.int8), sizes))
    on = [np.flatnonzero(level == k) for k in range(LEVELS)]

    def pick(k: int, count: int) -> Array:
        return on[k][rng.integers(0, len(on[k]), count)]

    def weights(scale: float, shape: float, count: int) -> Array:
        # The floor keeps every stake above 0.00% once rounded down to hundredths.
        return 0.05 + scale * rng.gamma(shape, 1.0, count)

    parts: list[tuple[Array, Array, Array, bool]] = []  # (src, dst, weight, may be unknown)
    for k in range(LEVELS - 1):  # every company has an owner on the level above
        parts.append((pick(k + 1, len(on[k])), on[k], weights(1, 2.0, len(on[k])), True))
    person = np.arange(companies, companies + persons)
    top = np.repeat(on[-1], 1 + rng.binomial(1, 0.5, len(on[-1])))
    parts.append((rng.choice(person, len(top)), top, weights(1, 2.0, len(top)), True))
    idle = np.setdiff1d(person, parts[-1][0])  # every person owns something
    parts.append((idle, rng.integers(0, companies, len(idle)), weights(1, 1.0, len(idle)), True))

    scale = companies / 1_000_000
    hubs: list[int] = []
    hub_levels = [1 + i % 4 for i in range(BIG_HUBS)] + [1 + i % (LEVELS - 1) for i in
                                                         range(MID_HUBS)]  # fmt: skip
    chosen = {k: iter(rng.permutation(on[k])) for k in set(hub_levels)}
    for number, k in enumerate(hub_levels):
        hub = int(next(chosen[k]))
        low, high = (10_000, 50_000) if number < BIG_HUBS else (1_000, 5_000)
        size = min(max(20, int(rng.integers(low, high + 1) * scale)), len(on[k - 1]) // 2)
        held = rng.choice(on[k - 1], size, replace=False)
        parts.append((np.full(size, hub), held, weights(4, 2.0, size), False))
        hubs.append(hub)
    tycoons = rng.choice(person, len(hubs), replace=False)
    control = len(parts)  # the holdings' owners' stakes: weighted once the others are known
    parts.append((tycoons, np.array(hubs), np.ones(len(hubs)), False))

    cycles = 0
    for _ in range(50):  # cross-holdings among companies of one level
        k, length = int(rng.integers(0, LEVELS - 2)), int(rng.integers(2, 5))
        ring = rng.choice(on[k], length, replace=False)
        parts.append((ring, np.roll(ring, -1), weights(0.2, 1.0, length), True))
        cycles += 1
    for a, b in zip(hubs[0:6:2], hubs[1:6:2], strict=True):  # and among holdings
        pair = np.array([a, b])
        parts.append((pair, pair[::-1], weights(0.2, 1.0, 2), True))
        cycles += 1

    src = np.concatenate([p[0] for p in parts]).astype(np.int64)
    dst = np.concatenate([p[1] for p in parts]).astype(np.int64)
    weight = np.concatenate([p[2] for p in parts])
    unknown = np.concatenate([np.full(len(p[0]), p[3]) for p in parts])
    controls = np.concatenate([np.full(len(p[0]), n == control) for n, p in enumerate(parts)])
    if len(src) > edges:
        sys.exit(f"--edges {edges:,} is too few for the graph's structure: it needs {len(src):,}")
    lower = np.flatnonzero(level < LEVELS - 1)
    while True:
        keys = src * (companies + persons) + dst
        _, keep = np.unique(keys, return_index=True)
        keep.sort()  # the structure's edges come first and win over the random ones
        src, dst, weight = src[keep], dst[keep], weight[keep]
        unknown, controls = unknown[keep], controls[keep]
        if len(src) >= edges:
            break
        more = int((edges - len(src)) * 1.02) + 100
        target = lower[rng.integers(0, len(lower), more)]
        owner = np.empty(more, dtype=np.int64)
        for k in range(LEVELS - 1):
            mask = level[target] == k
            owner[mask] = pick(k + 1, int(mask.sum()))
        src, dst = np.concatenate([src, owner]), np.concatenate([dst, target])
        weight = np.concatenate([weight, weights(1, 0.7, more)])
        unknown = np.concatenate([unknown, np.ones(more, dtype=bool)])
        controls = np.concatenate([controls, np.zeros(more, dtype=bool)])
    src, dst, weight = src[:edges], dst[:edges], weight[:edges]
    unknown, controls = unknown[:edges], controls[:edges]
    others = np.bincount(dst[~controls], weights=weight[~controls], minlength=companies)
    majority = rng.uniform(0.55, 0.95, int(controls.sum()))
    weight[controls] = others[dst[controls]] * majority / (1 - majority)

    # Shares: the weights, scaled so that each company's known owners hold 100% (three in five)
    # or between 50% and 100%, rounded down to hundredths.
    total = np.bincount(dst, weights=weight, minlength=companies)
    allotted = np.where(rng.random(companies) < 0.6, 100.0, rng.uniform(50, 100, companies))
    allotted[hubs] = 100.0  # so that each holding's owner has the majority
    share = np.floor(weight / total[dst] * allotted[dst] * 100) / 100
    share[unknown & (rng.random(len(share)) < 0.02) & (share < 50)] = math.nan
    assert np.bincount(dst, weights=np.nan_to_num(share)).max() <= 100 + 1e-6

    listed: dict[int, tuple[str, ...]] = {}
    for number, where in enumerate([("us",), ("us",), ("eu",), ("eu",), ("eu", "us")]):
        listed[int(tycoons[number]) - companies] = where
    owners_on_top = np.unique(parts[LEVELS - 1][0]) - companies
    others = rng.choice(np.setdiff1d(owners_on_top, list(listed)), 10, replace=False)
    for number, person_index in enumerate(others.tolist()):
        listed[person_index] = ("us",) if number < 5 else ("eu",)
    order = rng.permutation(len(src))  # a register's links come in no particular order
    return Synthetic(
        level, first, hubs, [int(t) - companies for t in tycoons], listed,
        src[order] + first, dst[order] + first, share[order], cycles,
    )  # fmt: skip


def synthesize(network: Network, companies: int, edges: int, seed: int, table: Table) -> Synthetic:
    persons = max(1, companies // PERSONS)
    first = len(network)
    started = time.perf_counter()
    syn = generate(companies, edges, persons, first, seed)
    syn.timings["generate"] = time.perf_counter() - started

    started = time.perf_counter()
    rng = np.random.default_rng(seed + 1)
    words = rng.integers(0, len(WORDS), (companies, 2))
    forms = rng.integers(0, len(FORMS), companies)
    add = network.add_node
    for i, (a, b), form in zip(range(companies), words.tolist(), forms.tolist(), strict=True):
        add(f"syn-{i}", f"{WORDS[a]}{WORDS[b].lower()} {FORMS[form]} {i}", "Company")
    names = rng.integers(0, len(GIVEN), persons), rng.integers(0, len(SURNAMES), persons)
    for j, g, s in zip(range(persons), names[0].tolist(), names[1].tolist(), strict=True):
        add(f"syn-p{j}", f"{GIVEN[g]} {SURNAMES[s]} {j}", "Person", syn.listed.get(j, ()))
    assert len(network) == first + companies + persons
    syn.timings["nodes"] = time.perf_counter() - started

    started = time.perf_counter()
    for start in range(0, edges, CHUNK):
        end = min(start + CHUNK, edges)
        ids = [f"syn-own-{n}" for n in range(start, end)]
        network.add_edges(syn.src[start:end], syn.dst[start:end], "Ownership",
                          syn.share[start:end], ids, datasets=("synthetic",))  # fmt: skip
    syn.timings["edges"] = time.perf_counter() - started
    peak = peak_mib()
    started = time.perf_counter()
    network.freeze()
    syn.timings["freeze"] = time.perf_counter() - started
    # Edges added to an indexed network must join those indexed before, not replace them.
    assert len(network.src) == network.edge_count, "edges lost when adding after an index"
    syn.timings["peak before freeze"] = peak
    return syn


# --- queries --------------------------------------------------------------------------------


def ours(network: Network, samples: dict[str, Any], table: Table) -> None:
    def ubo(node_id: str) -> queries.Owners:
        return queries.owners(network, node_id, max_depth=UBO_DEPTH)

    def ubo_summary(found: queries.Owners) -> tuple[int, int, bool, bool, bool, bool]:
        deepest = max((h.depth for h in found.owners), default=0)
        person = any(h.node.schema == "Person" for h in found.owners)
        return (len(found.owners), deepest, person, found.ofac_50.applies,
                found.eu_control.applies, found.truncated)  # fmt: skip

    ubo(samples["owners"][0])  # the index and the first call's imports are not a query's cost
    # A full collection walks every reference the network's lists hold, and what the queries
    # allocate sets one off every few queries. The server moves what it keeps out of the
    # collector's sight once built (belwatch.api.deps.settle); measured both ways.
    collections = []
    for _ in range(3):
        started = time.perf_counter()
        gc.collect()
        collections.append((time.perf_counter() - started) * 1000)
    unsettled, _ = measure(samples["owners"], ubo, lambda _: None)
    settle()
    ms, found = measure(samples["owners"], ubo, ubo_summary)
    count = len(found)
    table.latency(f"owners(max_depth={UBO_DEPTH}), {count} bottom companies", ms, GOAL_UBO_MS)
    table.add(
        "  owners found per company: mean / max",
        f"{mean(f[0] for f in found):,.0f} / {max(f[0] for f in found):,}",
    )
    deep = sum(f[1] >= UBO_DEPTH for f in found)
    table.add(f"  companies with an owner {UBO_DEPTH} links up (shortest chain)",
              f"{deep} of {count}", f"{count} of {count}", deep == count)  # fmt: skip
    table.add(
        "  reaching a person / truncated at MAX_PATHS",
        f"{sum(f[2] for f in found)} / {sum(f[5] for f in found)} of {count}",
    )
    table.add(
        "  OFAC 50% applies / EU control applies",
        f"{sum(f[3] for f in found)} / {sum(f[4] for f in found)} of {count}",
    )
    table.add("  one full garbage collection, graph loaded, not settled (best of 3)",
              f"{min(collections):.0f} ms")  # fmt: skip
    table.latency("  the same queries, not settled (full collections on the way)", unsettled)

    def hop(limit: int) -> Callable[[str], queries.Subgraph]:
        return lambda node_id: queries.neighbourhood(network, node_id, depth=2, limit=limit)

    def hop_summary(found: queries.Subgraph) -> tuple[int, int, bool]:
        return len(found.nodes), len(found.edges), found.truncated

    hubs = samples["hubs"]
    degrees = [network.degree(network.index[h]) for h in hubs]
    ms, found = measure(hubs, hop(500), hop_summary)
    table.latency(f"neighbourhood(depth=2, limit=500), {len(hubs)} hubs", ms, GOAL_HOP_MS)
    table.add("  hub degree: mean / max", f"{mean(degrees):,.0f} / {max(degrees):,}")
    table.add("  nodes / edges returned: mean; truncated",
              f"{mean(f[0] for f in found):,.0f} / {mean(f[1] for f in found):,.0f}; "
              f"{sum(f[2] for f in found)} of {len(found)}")  # fmt: skip
    # Unlimited, an answer is every node within reach, as Node and Edge objects: measured on
    # the mid-size holdings, and on a few of the big ones, whose answers run to 10^5 nodes.
    for label, sampled, goal in (("mid-size hubs", samples["mid hubs"], GOAL_HOP_MS),
                                 ("big hubs", samples["big hubs"], None)):  # fmt: skip
        degrees = [network.degree(network.index[h]) for h in sampled]
        ms, found = measure(sampled, hop(len(network)), hop_summary)
        table.latency(f"neighbourhood(depth=2, no limit), {len(ms)} {label}", ms, goal)
        table.add("  hub degree: mean; nodes returned: mean / max; edges: mean",
                  f"{mean(degrees):,.0f}; {mean(f[0] for f in found):,.0f} / "
                  f"{max(f[0] for f in found):,}; {mean(f[1] for f in found):,.0f}")  # fmt: skip

    def held(node_id: str) -> queries.Holdings:
        return queries.holdings(network, node_id, max_depth=UBO_DEPTH)

    def held_summary(found: queries.Holdings) -> tuple[int, bool]:
        return len(found.companies), found.truncated

    for label, people in (("persons owning top companies", samples["holdings"]),
                          ("holdings' owners", samples["tycoons"])):  # fmt: skip
        ms, found = measure(people, held, held_summary)
        table.latency(f"holdings(max_depth={UBO_DEPTH}), {len(people)} {label}", ms)
        table.add(
            "  companies held: mean; truncated at MAX_PATHS",
            f"{mean(f[0] for f in found):,.0f}; {sum(f[1] for f in found)} of {len(found)}",
        )

    def path(pair: tuple[str, str]) -> list[Any] | None:
        return queries.shortest_path(network, *pair)

    ms, found = measure(samples["paths"], path, lambda p: None if p is None else len(p))
    lengths = [f for f in found if f is not None]
    table.latency(f"shortest_path(max_depth=8), {len(found)} company pairs", ms)
    table.add("  found; mean links", f"{len(lengths)} of {len(found)}; {mean(lengths):.1f}")

    if samples["register"]:
        ms, found = measure(samples["register"], hop(500), hop_summary)
        table.latency(f"register: neighbourhood(depth=2), its {len(ms)} most linked nodes", ms,
                      GOAL_HOP_MS)  # fmt: skip
        table.add(
            "  nodes returned: mean / max",
            f"{mean(f[0] for f in found):,.0f} / {max(f[0] for f in found):,}",
        )


def sample(network: Network, syn: Synthetic, seed: int, first_synthetic: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed + 2)
    companies = len(syn.level)
    deep = np.flatnonzero(syn.level <= LEVELS - UBO_DEPTH)  # chains of 6 or more above
    owners = rng.choice(deep, min(SAMPLES["owners"], len(deep)), replace=False)
    on_top = np.unique(
        syn.src[np.isin(syn.dst - syn.first, np.flatnonzero(syn.level == LEVELS - 1))]
    )
    people = rng.choice(on_top, SAMPLES["holdings"], replace=False) - syn.first - companies
    pairs = rng.choice(deep, (SAMPLES["paths"], 2), replace=False)
    register = sorted(range(first_synthetic), key=network.degree, reverse=True)[:20]
    return {
        "owners": [f"syn-{i}" for i in owners.tolist()],
        "hubs": [f"syn-{i}" for i in syn.hubs],
        "mid hubs": [f"syn-{i}" for i in syn.hubs[BIG_HUBS:]],
        "big hubs": [f"syn-{i}" for i in syn.hubs[:BIG_UNLIMITED]],
        "holdings": [f"syn-p{j}" for j in people.tolist()],
        "tycoons": [f"syn-p{j}" for j in syn.tycoons[:BIG_HUBS]],
        "paths": [(f"syn-{a}", f"syn-{b}") for a, b in pairs.tolist()],
        "register": [network.ids[n] for n in register],
    }


# --- the peer -------------------------------------------------------------------------------


def peer_networkx(syn: Synthetic, samples: dict[str, Any], table: Table) -> None:
    try:
        import networkx as nx  # type: ignore[import-untyped, unused-ignore]
    except ImportError:
        print("note: --peer networkx: networkx is not installed; skipped "
              "(pip install networkx)")  # fmt: skip
        table.add("networkx", "not installed: skipped")
        return
    companies = len(syn.level)

    def number(node_id: str) -> int:
        # syn-123 is company 123, syn-p45 person 45: numbered here as in the network's arrays.
        tail = node_id[4:]
        return syn.first + (companies + int(tail[1:]) if tail[0] == "p" else int(tail))

    before = rss_mib()
    started = time.perf_counter()
    graph = nx.DiGraph()
    graph.add_edges_from(zip(syn.src.tolist(), syn.dst.tolist(),
                             ({"share": s} for s in syn.share.tolist()), strict=True))  # fmt: skip
    undirected = graph.to_undirected(as_view=True)
    table.add(f"networkx {nx.__version__}: DiGraph build", f"{time.perf_counter() - started:.1f} s")
    table.add("networkx: memory held by the DiGraph (RSS)", f"{rss_mib() - before:,.0f} MiB")

    def walk(start: int, upward: bool, depth: int) -> dict[int, list[float]]:
        """Every ownership chain up (or down) to ``depth`` links, cycles cut, with the
        effective share per node reached: the path walk of queries.owners, without its rules."""
        adjacency = graph.pred if upward else graph.succ
        found: dict[int, list[float]] = {}
        stack: list[tuple[int, int, float, frozenset[int]]] = [(start, 0, 1.0, frozenset())]
        while stack:
            node, length, fraction, on_path = stack.pop()
            if length >= depth:
                continue
            for other, data in adjacency[node].items():
                if other == start or other in on_path:
                    continue
                effective = fraction * data["share"] / 100
                found.setdefault(other, []).append(effective)
                stack.append((other, length + 1, effective, on_path | {node}))
        return found

    def ego(node: int) -> Any:
        # nx.ego_graph(undirected=True) copies the whole graph to undirected on every call;
        # a view and the same two steps keep that copy out of the figure.
        reach = nx.single_source_shortest_path_length(undirected, node, cutoff=2)
        return graph.subgraph(reach).copy()

    ms, found = measure([number(n) for n in samples["owners"]],
                        lambda n: walk(n, True, UBO_DEPTH), len)  # fmt: skip
    table.latency(f"networkx: upward ownership paths to depth {UBO_DEPTH} (paths only)", ms)
    table.add("  owners found per company: mean", f"{mean(found):,.0f}")
    for label in ("mid hubs", "big hubs"):
        ms, found = measure([number(n) for n in samples[label]], ego, len)
        table.latency(f"networkx: 2-hop ego graph (both directions), {len(ms)} {label}", ms)
        table.add("  nodes returned: mean / max", f"{mean(found):,.0f} / {max(found):,}")
    ms, found = measure([number(n) for n in samples["holdings"]],
                        lambda n: walk(n, False, UBO_DEPTH), len)  # fmt: skip
    table.latency(f"networkx: downward ownership paths to depth {UBO_DEPTH}, persons", ms)
    table.add("  companies reached: mean", f"{mean(found):,.0f}")

    def path(pair: tuple[str, str]) -> int | None:
        try:
            return len(nx.bidirectional_shortest_path(undirected, *map(number, pair))) - 1
        except nx.NetworkXNoPath:
            return None

    ms, _ = measure(samples["paths"], path, lambda p: p)
    table.latency("networkx: bidirectional_shortest_path, company pairs", ms)


# --- main -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--db",
        default=os.environ.get("BELWATCH_DB"),
        help="the register (SQLAlchemy URL or SQLite path); default $BELWATCH_DB",
    )
    parser.add_argument("--companies", type=int, default=1_000_000)
    parser.add_argument("--edges", type=int, default=3_000_000)
    parser.add_argument("--small", action="store_true", help="20,000 companies, 60,000 edges")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--peer", choices=["networkx"], help="also time networkx on the graph")
    args = parser.parse_args()
    if args.small:
        args.companies, args.edges = 20_000, 60_000
    began = time.perf_counter()
    table = Table()
    if args.db:
        network = register(args.db, table)
    else:
        print("note: no --db and no BELWATCH_DB: the synthetic graph alone, without the register")
        network = Network()
    first = len(network)
    held = rss_mib()
    table.add("memory before the synthetic graph: RSS / peak RSS",
              f"{held:,.0f} / {peak_mib():,.0f} MiB")  # fmt: skip
    table.add("  network arrays (memory_bytes)", mib(network.memory_bytes()))

    syn = synthesize(network, args.companies, args.edges, args.seed, table)
    table.add(
        f"synthetic: generate {args.companies:,} companies, {args.edges:,} edges (numpy)",
        f"{syn.timings['generate']:.1f} s",
    )
    table.add("  holdings (hubs) / cycles of cross-holdings", f"{len(syn.hubs)} / {syn.cycles}")
    table.add(f"  add_node × {len(network) - first:,}", f"{syn.timings['nodes']:.1f} s")
    table.add(f"  add_edges × {math.ceil(args.edges / CHUNK)}", f"{syn.timings['edges']:.1f} s")
    table.add("  freeze (index)", f"{syn.timings['freeze']:.2f} s")
    table.add(f"network: {len(network):,} nodes, {network.edge_count:,} edges",
              f"{len(network.listed):,} listed")  # fmt: skip
    peak = syn.timings["peak before freeze"]
    table.add("memory after: peak RSS (adding, before freeze)", f"{peak:,.0f} MiB")
    table.add("  peak RSS (after freeze)", f"{peak_mib():,.0f} MiB")
    gc.collect()
    now = rss_mib()
    table.add("  RSS once indexed (more than before)", f"{now:,.0f} (+{now - held:,.0f}) MiB")
    table.add("  network arrays (memory_bytes)", mib(network.memory_bytes()))

    samples = sample(network, syn, args.seed, first)
    ours(network, samples, table)
    table.add("memory: peak RSS after the queries", f"{peak_mib():,.0f} MiB")
    if args.peer == "networkx":
        peer_networkx(syn, samples, table)
    print(f"\nGraph queries: {len(network):,} nodes, {network.edge_count:,} edges "
          f"(seed {args.seed}), on {os.cpu_count()} CPUs")  # fmt: skip
    table.print()
    print(f"\nrun time: {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
