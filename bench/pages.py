"""Page-load benchmark: the web UI served by uvicorn on the whole register, asked by a real
HTTP client over loopback.

    python bench/pages.py --db data/belwatch.db [--requests 200]

Starts `belwatch serve` in a child process, waits for the first page (which builds the
matcher, the grouping across lists and the relationship graph), then asks for entity pages
of sampled targets (Belarus targets with relationships first), search results for sampled
names and their first letters, network pages and the network API. Prints per kind the
server's own time (its Server-Timing header) and the time the client saw, p50/p95/max, the
server's memory, and whether the goals (entity page and search under 200 ms) are met.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from belwatch.graph.network import ENDS
from belwatch.store import Store
from belwatch.store.schema import statement_table

from memory import status_mib

GOAL_MS = 200.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def sample(db: str, count: int, seed: int = 7) -> tuple[list[str], list[str], list[str]]:
    """Listed entities' ids, names to search for, and ids of entities with relationships."""
    t = statement_table
    ends = {prop for pair in ENDS.values() for prop in pair}
    store = Store(db)
    targets: set[str] = set()
    linked: set[str] = set()
    names: list[str] = []
    for schema, prop, value, *_ in store.scan_values(
        ("schema", "prop", "value"), t.c.prop.in_(("entity", "name", *ends))
    ):
        if prop == "name" and len(names) < 200_000:
            names.append(value)
        elif prop == "entity" and schema == "Sanction":
            targets.add(value)
        elif schema in ENDS and prop in ENDS[schema]:
            linked.add(value)
    store.close()
    rng = random.Random(seed)
    ids = rng.sample(sorted(targets), min(count, len(targets)))
    with_links = rng.sample(sorted(linked & targets), min(count, len(linked & targets)))
    queries = [
        word[: rng.choice((3, 5, 8))] if rng.random() < 0.5 else word
        for word in (rng.choice(names).split()[0] for _ in range(count))
        if len(word) >= 3
    ]
    return ids, queries, with_links


def measure(client: httpx.Client, urls: list[str]) -> tuple[list[float], list[float], int]:
    """Server and client milliseconds per answered request, and how many failed."""
    server, seen, failed = [], [], 0
    for url in urls:
        start = time.perf_counter()
        response = client.get(url)
        took = (time.perf_counter() - start) * 1000
        if response.status_code >= 400:
            failed += 1
            continue
        timing = response.headers.get("server-timing", "app;dur=nan")
        server.append(float(timing.split("dur=")[1]))
        seen.append(took)
    return server, seen, failed


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default=os.environ.get("BELWATCH_DB", "data/belwatch.db"))
    parser.add_argument("--requests", type=int, default=200, help="Requests per kind.")
    args = parser.parse_args()
    db = args.db if "://" in args.db else f"sqlite:///{Path(args.db).resolve()}"
    ids, queries, linked = sample(db, args.requests)
    port = free_port()
    belwatch = str(Path(sys.executable).with_name("belwatch"))
    command = [belwatch, "serve", "--port", str(port), "--db", db]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=300) as client:
            started = time.perf_counter()
            while True:
                try:
                    client.get("/healthz")
                    break
                except httpx.TransportError:
                    if server.poll() is not None:
                        error = server.stderr.read().decode() if server.stderr else ""
                        sys.exit(f"the server stopped: {error[-2000:]}")
                    time.sleep(0.2)
            first = client.get(f"/entity/{ids[0]}")
            warm = time.perf_counter() - started
            print(f"server up and warm (matcher, grouping, graph built) in {warm:.1f} s; "
                  f"first entity page {first.status_code}")  # fmt: skip
            networks = [f"/network/{i}" for i in linked]
            kinds: list[tuple[str, list[str]]] = [
                ("entity page", [f"/entity/{i}" for i in ids]),
                ("entity page, linked", [f"/entity/{i}" for i in linked]),
                ("search results", [f"/search?q={httpx.URL(q)}" for q in queries]),
                ("network page", [f"/entity/{i}/network" for i in linked]),
                ("network API (depth 2)", [u + "?depth=2" for u in networks]),
            ]
            rows = []
            for name, urls in kinds:
                server_ms, seen_ms, failed = measure(client, urls)
                goal = GOAL_MS if name.startswith(("entity page", "search")) else None
                rows.append((name, len(server_ms), failed, server_ms, seen_ms, goal))
        print()
        head = f"{'page':<22} {'n':>5} {'404':>5} {'server p50':>11} {'p95':>8} {'max':>8} "
        print(head + f"{'client p50':>11} {'p95':>8}  goal (p95)")
        for name, count, failed, server_ms, seen_ms, goal in rows:
            p95 = percentile(server_ms, 0.95)
            verdict = "" if goal is None else f"<{goal:.0f} ms {'✓' if p95 < goal else '✗'}"
            print(f"{name:<22} {count:>5} {failed:>5} {statistics.median(server_ms):>9.1f}ms "
                  f"{p95:>6.1f}ms {max(server_ms):>6.1f}ms {statistics.median(seen_ms):>9.1f}ms "
                  f"{percentile(seen_ms, 0.95):>6.1f}ms  {verdict}")  # fmt: skip
        print(f"\nserver peak memory: {status_mib('VmHWM', server.pid):,.0f} MiB")
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
