"""What an entity page shows of the target beyond its own entry: its entries on the other
lists, its relationships, and who owns it or what it holds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from belwatch.api.network import node_id
from belwatch.graph import Edge, Network, Node
from belwatch.graph import queries as q
from belwatch.graph.network import OWNERSHIP
from belwatch.match.service import Matcher
from belwatch.resolve import Resolution
from belwatch.sources.datasets import DATASETS, JURISDICTIONS

RELATED_ROWS = 100


@dataclass
class Related:
    edge: Edge
    other: Node
    outgoing: bool  # the entity is the link's source (owner, director, subject)


@dataclass
class Entry:
    """One list's entry of the target, and its listings there."""

    entity_id: str
    caption: str
    dataset: str
    jurisdiction: str
    listings: list[tuple[str, str]]  # (programmes, listing date)


def href(node: Node) -> str | None:
    """A node's page: its first entry's (a name only quoted in reasons has none)."""
    return f"/entity/{node.entries[0]}" if node.entries else None


def entity_relations(
    network: Network, resolution: Resolution, matcher: Matcher, entity_id: str
) -> dict[str, Any]:
    """What the entity page shows of the target beyond this entry: its entries on the other
    lists, its relationships, and who owns it or what it holds."""
    entries = []
    for member in sorted(resolution.members(entity_id)):
        profile = matcher.profiles.get(member)
        listings = matcher.listings.get(member, [])
        dataset = listings[0].dataset if listings else (profile.dataset if profile else "")
        info = DATASETS.get(dataset)
        entries.append(Entry(
            member, profile.entity.caption if profile else member, dataset,
            JURISDICTIONS.get(info.jurisdiction, "") if info else "",
            [("; ".join(x.programs), x.listing_date) for x in listings],
        ))  # fmt: skip
    entries.sort(key=lambda e: (e.jurisdiction, e.dataset, e.entity_id))
    context: dict[str, Any] = {"entries": entries, "related": [], "owners": None,
                               "holdings": None, "network_id": None}  # fmt: skip
    node = node_id(network, resolution, entity_id)
    number = network.number(node)
    if number is None:
        return context
    graph = q.neighbourhood(network, node, 1, limit=RELATED_ROWS + 1)
    nodes = {n.id: n for n in graph.nodes}
    context["related"] = [
        Related(edge, nodes[edge.target if edge.source == node else edge.source],
                edge.source == node)
        for edge in graph.edges if node in (edge.source, edge.target)
    ]  # fmt: skip
    context["more_related"] = graph.truncated
    context["network_id"] = node
    kinds = {int(network.kind[e]) for e in network.in_edges(number)}
    if OWNERSHIP in kinds:
        context["owners"] = q.owners(network, node)
    if OWNERSHIP in {int(network.kind[e]) for e in network.out_edges(number)}:
        context["holdings"] = q.holdings(network, node)
    return context
