"""Questions an investigator asks of the relationship graph: who is around a target, who
ultimately owns a company (and does the OFAC 50% rule or the EU's ownership-or-control test
catch it), what a person controls, how two entities are connected, and which people and
companies near the listed targets nobody lists."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from belwatch.exc import NotFound
from belwatch.graph.network import KIND, KINDS, OWNERSHIP, Edge, Network, Node
from belwatch.graph.reasons import NAMED

DIRECTORSHIP = KIND["Directorship"]
MAX_PATHS = 20_000  # ownership paths followed per query, against cycles and fan-out
# How closely a link ties two entities, for ranking the unlisted around a target.
TIES = {"Ownership": 1.0, "Directorship": 0.9, "Family": 0.9, "Associate": 0.7,
        "Representation": 0.6, "Employment": 0.6, "UnknownLink": 0.6, "Membership": 0.5,
        "Occupancy": 0.4}  # fmt: skip
QUOTED = 0.3  # a name the reasons for listing quote: often a newspaper, an award, an office


def _number(network: Network, node_id: str) -> int:
    number = network.number(node_id)
    if number is None:
        raise NotFound(f"{node_id!r} has no relationships in the register")
    return number


@dataclass
class Subgraph:
    root: str
    nodes: list[Node]
    edges: list[Edge]
    truncated: bool = False  # more nodes were within reach than the limit


def neighbourhood(
    network: Network,
    node_id: str,
    depth: int = 1,
    kinds: set[str] | None = None,
    limit: int = 500,
) -> Subgraph:
    """Everything within ``depth`` links of a node (either direction), nearest first, at
    most ``limit`` nodes, with every edge between them."""
    start = _number(network, node_id)
    wanted = np.array(sorted(KIND[k] for k in kinds), dtype=np.int8) if kinds else None
    seen = {start: 0}
    frontier = [start]
    truncated = False
    for distance in range(1, depth + 1):
        following = []
        for node in frontier:
            edges = network.edges_of(node)
            if wanted is not None:
                edges = edges[np.isin(network.kind[edges], wanted)]
            sources, targets = network.src[edges], network.dst[edges]
            for other in np.where(sources == node, targets, sources).tolist():
                if other in seen:
                    continue
                if len(seen) >= limit:
                    truncated = True
                    break
                seen[other] = distance
                following.append(other)
        frontier = following
    inside = np.fromiter(seen, dtype=np.int64, count=len(seen))
    edges = network.edges_from(inside)
    edges = edges[np.isin(network.dst[edges], inside)]
    if wanted is not None:
        edges = edges[np.isin(network.kind[edges], wanted)]
    edges.sort()
    nodes = [network.node(n) for n in sorted(seen, key=lambda n: (seen[n], network.captions[n]))]
    return Subgraph(node_id, nodes, [network.edge(e) for e in edges.tolist()], truncated)


@dataclass
class Holding:
    """One owner of a company (or one company a person holds), through every chain."""

    node: Node
    share: float | None  # effective percentage summed over the chains; None if unknown
    depth: int  # the shortest chain's length
    paths: list[list[str]]  # chains as edge ids, from the company to the owner (up to 5)
    ultimate: bool = False  # owned by nobody the graph knows
    complete: bool = True  # every chain's shares were known


@dataclass
class Rule:
    """Whether a sanctions rule reaches a company through its owners, and through whom."""

    applies: bool
    by: list[str] = field(default_factory=list)  # the listed nodes it comes from
    explanation: str = ""


@dataclass
class Owners:
    company: Node
    owners: list[Holding]
    ofac_50: Rule  # US: 50% or more owned, in aggregate, by blocked persons
    eu_control: Rule  # EU: over 50% owned by, or under the control of, a listed person
    truncated: bool = False


class _Links:
    """One query's view of the ownership links in force on its day, each node's read once
    (a node reached by many chains is not read again for each)."""

    def __init__(self, network: Network, day: str) -> None:
        self.network, self.day = network, day
        self._found: tuple[dict[int, list[tuple[int, int, float]]], ...] = ({}, {})

    def of(self, node: int, upward: bool) -> list[tuple[int, int, float]]:
        """(edge, owner, share) of each owner of a node (with ``upward``), else (edge,
        asset, share) of each holding. A registry states one holding many times as it
        changes (50%, then 48%, then 51%): of the links in force between two parties, the
        latest begun counts, then the largest share."""
        found = self._found[upward].get(node)
        if found is not None:
            return found
        network = self.network
        edges = network.in_edges(node) if upward else network.out_edges(node)
        best: dict[int, tuple[str, float, int]] = {}
        for edge in edges:
            if network.kind[edge] != OWNERSHIP or not network.active(edge, self.day):
                continue
            other = int(network.src[edge] if upward else network.dst[edge])
            share = float(network.share[edge])
            rank = (network.dates.get(edge, ("", ""))[0], -1.0 if share != share else share, edge)
            if other not in best or rank > best[other]:
                best[other] = rank
        found = [(rank[2], other, float(network.share[rank[2]])) for other, rank in best.items()]
        self._found[upward][node] = found
        return found


def _chains(
    links: _Links, start: int, upward: bool, max_depth: int
) -> tuple[dict[int, list[tuple[list[int], float]]], bool]:
    """Every ownership chain from a node, up to its owners or down to its holdings: per node
    reached, (edges, effective fraction: NaN where a share is unknown)."""
    found: dict[int, list[tuple[list[int], float]]] = {}
    stack: list[tuple[int, list[int], float, frozenset[int]]] = [(start, [], 1.0, frozenset())]
    followed = 0
    while stack:
        node, path, fraction, on_path = stack.pop()
        if len(path) >= max_depth:
            continue
        for edge, other, share in links.of(node, upward):
            if other in (start, node) or other in on_path:
                continue  # a cycle of cross-holdings, or a company holding its own shares
            followed += 1
            if followed > MAX_PATHS:
                return found, True
            chain = [*path, edge]
            effective = fraction * share / 100
            found.setdefault(other, []).append((chain, effective))
            stack.append((other, chain, effective, on_path | {node}))
    return found, False


def _holdings(
    links: _Links, chains: dict[int, list[tuple[list[int], float]]], upward: bool
) -> list[Holding]:
    network = links.network
    holdings = []
    for node, found in chains.items():
        known = [f for _, f in found if f == f]
        share = round(sum(known) * 100, 4) if known else None
        paths = [[network.edge_ids[e] for e in chain] for chain, _ in found[:5]]
        ultimate = upward and not links.of(node, True)
        holdings.append(Holding(network.node(node), share, min(len(c) for c, _ in found), paths,
                                ultimate, len(known) == len(found)))  # fmt: skip
    holdings.sort(key=lambda h: (-(h.share or 0), h.depth, h.node.caption))
    return holdings


def owners(network: Network, node_id: str, max_depth: int = 10, day: str | None = None) -> Owners:
    """Who owns a company, directly or through chains of companies, with the effective
    percentage (the product of the shares along a chain, summed over chains)."""
    links = _Links(network, day or date.today().isoformat())
    start = _number(network, node_id)
    chains, truncated = _chains(links, start, True, max_depth)
    return Owners(
        network.node(start),
        _holdings(links, chains, upward=True),
        _ofac_50(links, start, max_depth),
        _eu_control(links, start),
        truncated,
    )


def _ofac_50(links: _Links, start: int, max_depth: int) -> Rule:
    """OFAC's 50% rule: an entity owned 50% or more, directly or indirectly and in
    aggregate, by blocked persons is blocked itself; an entity so blocked counts with all
    its share further down (shares are not multiplied along the chain). Worked out over the
    owners up to ``max_depth`` levels above, from the topmost down, again until nothing
    changes, so cross-holdings are settled whatever order the links were added in."""
    network = links.network
    if "us" in network.listed.get(start, ()):
        return Rule(True, [network.ids[start]], "listed by the United States itself")
    owners_of: dict[int, list[tuple[int, float]]] = {}
    queue = deque([(start, 0)])
    listed = False
    while queue and len(owners_of) < MAX_PATHS:
        node, depth = queue.popleft()
        if node in owners_of:
            continue
        above = [(o, s) for _, o, s in links.of(node, True) if s == s] if depth < max_depth else []
        owners_of[node] = above
        listed = listed or "us" in network.listed.get(node, ())
        queue.extend((owner, depth + 1) for owner, _ in above if owner not in owners_of)
    blocked: dict[int, set[int]] = {}
    if listed:
        blocked = {node: {node} for node in owners_of if "us" in network.listed.get(node, ())}
        order = list(reversed(owners_of))  # the farthest owners first
        changed = True
        while changed:
            changed = False
            for node in order:
                owned_by = owners_of[node]
                if node in blocked:
                    continue
                total = sum(share for owner, share in owned_by if owner in blocked)
                if total >= 50:
                    blocked[node] = set().union(*(blocked[o] for o, _ in owned_by if o in blocked))
                    changed = True
    if start not in blocked:
        return Rule(False, [], "less than 50% owned by persons blocked by the United States, "
                    "as far as known")  # fmt: skip
    total = sum(share for owner, share in owners_of[start] if owner in blocked)
    return Rule(True, sorted(network.ids[s] for s in blocked[start]),
                f"{total:g}% owned, in aggregate, by persons blocked by the United States or "
                "entities they block")  # fmt: skip


def _eu_control(links: _Links, start: int) -> Rule:
    """The EU's test: owned more than 50% by an EU-listed person, or controlled by one: here,
    through a chain of majority holdings, or where a listed person directs the company."""
    network = links.network
    if "eu" in network.listed.get(start, ()):
        return Rule(True, [network.ids[start]], "listed by the EU itself")
    seen = {start}
    queue = deque([(start, 0)])
    while queue:
        node, depth = queue.popleft()
        for _, owner, share in links.of(node, True):
            if owner in seen or share != share or share <= 50 or depth >= 20:
                continue
            seen.add(owner)
            if "eu" in network.listed.get(owner, ()):
                via = "directly" if node == start else "through a chain of majority holdings"
                explanation = f"over 50% owned by an EU-listed person, {via}"
                return Rule(True, [network.ids[owner]], explanation)
            queue.append((owner, depth + 1))
    directors = sorted(
        network.ids[int(network.src[e])]
        for e in network.in_edges(start)
        if network.kind[e] == DIRECTORSHIP and network.active(e, links.day)
        and "eu" in network.listed.get(int(network.src[e]), ())
    )  # fmt: skip
    if directors:
        return Rule(True, directors, "directed by an EU-listed person: a sign of control")
    return Rule(False, [], "no EU-listed owner above 50% or director, as far as known")


@dataclass
class Holdings:
    holder: Node
    companies: list[Holding]  # held directly or through chains
    controlled: list[str]  # node ids: over 50% effective, or a chain of majority holdings
    directs: list[Node]  # companies the holder is a director of
    truncated: bool = False


def holdings(
    network: Network, node_id: str, max_depth: int = 10, day: str | None = None
) -> Holdings:
    """Every company a person (or company) holds, directly or through chains, and which of
    them it controls."""
    links = _Links(network, day or date.today().isoformat())
    start = _number(network, node_id)
    chains, truncated = _chains(links, start, False, max_depth)
    companies = _holdings(links, chains, upward=False)
    majority = {
        node
        for node, found in chains.items()
        if any(all(float(network.share[e]) > 50 for e in chain) for chain, _ in found)
    }
    controlled = [
        h.node.id for h in companies
        if (h.share or 0) > 50 or network.index[h.node.id] in majority
    ]  # fmt: skip
    directs = [
        network.node(int(network.dst[e]))
        for e in network.out_edges(start)
        if network.kind[e] == DIRECTORSHIP and network.active(e, links.day)
    ]
    return Holdings(network.node(start), companies, controlled, directs, truncated)


def shortest_path(
    network: Network, a: str, b: str, max_depth: int = 8, kinds: set[str] | None = None
) -> list[Edge] | None:
    """The fewest links between two entities (in either direction), or None within
    ``max_depth``: a search from both ends, meeting in the middle."""
    start, goal = _number(network, a), _number(network, b)
    if start == goal:
        return []
    wanted = {KIND[k] for k in kinds} if kinds else None
    parents: tuple[dict[int, tuple[int, int]], dict[int, tuple[int, int]]] = (
        {start: (-1, -1)}, {goal: (-1, -1)},
    )  # fmt: skip
    frontiers = ([start], [goal])
    for _ in range(max_depth):
        side = 0 if len(frontiers[0]) <= len(frontiers[1]) else 1
        following = []
        for node in frontiers[side]:
            for edge in network.out_edges(node) + network.in_edges(node):
                if wanted is not None and int(network.kind[edge]) not in wanted:
                    continue
                other = int(network.dst[edge] if network.src[edge] == node else network.src[edge])
                if other in parents[side]:
                    continue
                parents[side][other] = (node, edge)
                if other in parents[1 - side]:
                    return _join(network, parents, other)
                following.append(other)
        frontiers = (following, frontiers[1]) if side == 0 else (frontiers[0], following)
        if not following:
            return None
    return None


def _join(
    network: Network,
    parents: tuple[dict[int, tuple[int, int]], dict[int, tuple[int, int]]],
    meeting: int,
) -> list[Edge]:
    edges: list[int] = []
    node = meeting
    while parents[0][node][1] != -1:
        node, edge = parents[0][node]
        edges.insert(0, edge)
    node = meeting
    while parents[1][node][1] != -1:
        node, edge = parents[1][node]
        edges.append(edge)
    return [network.edge(e) for e in edges]


@dataclass
class Unlisted:
    node: Node
    tie: float  # the sum over listed targets in reach of how closely each ties it
    distance: int  # links to the nearest listed target
    via: list[str]  # listed targets in reach (up to 5), closest first


def unlisted(
    network: Network,
    around: str | None = None,
    hops: int = 2,
    limit: int = 100,
    regime: str | None = None,
) -> list[Unlisted]:
    """People and companies within ``hops`` links of a listed target (of one, or of all)
    that no jurisdiction lists, most closely tied first. A link's tie is its kind's weight
    (ownership and family close, an unknown link looser, a name only quoted in the reasons
    for listing loosest), multiplied along a chain. Without ``around``: near every target
    listed (under the ``regime``, if given)."""
    if around is not None:
        sources = [_number(network, around)]
    else:
        sources = [
            n for n in network.listed if regime is None or regime in network.regimes.get(n, ())
        ]  # fmt: skip
    weights = [TIES[kind] for kind in KINDS]
    ties: dict[int, float] = {}
    nearest: dict[int, int] = {}
    via: dict[int, list[tuple[int, int]]] = {}
    for source in sources:
        best = {source: 1.0}
        frontier = [source]
        for distance in range(1, hops + 1):
            following = []
            for node in frontier:
                for edge in network.out_edges(node) + network.in_edges(node):
                    other = int(
                        network.dst[edge] if network.src[edge] == node else network.src[edge]
                    )
                    if other in best:
                        continue
                    quoted = network.labels[edge] == NAMED
                    best[other] = best[node] * (QUOTED if quoted else weights[network.kind[edge]])
                    following.append(other)
                    if other not in network.listed:
                        ties[other] = ties.get(other, 0.0) + best[other]
                        nearest[other] = min(nearest.get(other, distance), distance)
                        via.setdefault(other, []).append((distance, source))
            frontier = [n for n in following if n not in network.listed or around is not None]
    ranked = sorted(ties, key=lambda n: (-ties[n], nearest[n], network.captions[n]))[:limit]
    return [
        Unlisted(network.node(n), round(ties[n], 4), nearest[n],
                 [network.ids[s] for _, s in sorted(via[n])[:5]])
        for n in ranked
    ]  # fmt: skip
