"""The network pages: an entity's relationships on its page, and an explorable graph of
them (Cytoscape.js, vendored), with the same graph as tables for readers without script."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from belwatch.api.gaps import get_resolution
from belwatch.api.match import get_matcher
from belwatch.api.network import get_network, node_id
from belwatch.exc import NotFound
from belwatch.graph import Network
from belwatch.graph import queries as q
from belwatch.match.service import Matcher, search
from belwatch.resolve import Resolution
from belwatch.sources.datasets import DATASETS, REGIMES
from belwatch.web.pages import templates

router = APIRouter(include_in_schema=False)
GRAPH_NODES = 300


@router.get("/entity/{entity_id}/network", response_class=HTMLResponse)
def network_page(
    request: Request,
    entity_id: str,
    network: Annotated[Network, Depends(get_network)],
    resolution: Annotated[Resolution, Depends(get_resolution)],
    matcher: Annotated[Matcher, Depends(get_matcher)],
    depth: Annotated[int, Query(ge=1, le=3)] = 1,
) -> Any:
    """The graph around an entity: to expand, colour by who lists whom, and download."""
    node = node_id(network, resolution, entity_id)
    try:
        graph = q.neighbourhood(network, node, depth, limit=GRAPH_NODES)
    except NotFound:
        profile = matcher.profiles.get(entity_id)
        if profile is None:
            raise
        context: dict[str, Any] = {
            "caption": profile.entity.caption, "entity_id": entity_id, "graph": None,
            "depth": depth,
        }  # fmt: skip
        return templates.TemplateResponse(request, "network.html", context)
    captions = {n.id: n.caption for n in graph.nodes}
    context = {
        "caption": graph.nodes[0].caption,
        "entity_id": entity_id,
        "root": node,
        "depth": depth,
        "graph": graph,
        "captions": captions,
        "data": asdict(graph),
        "limit": GRAPH_NODES,
        "listers": sorted({code for n in graph.nodes for code in n.listed}),
        "titles": {name: info.title for name, info in DATASETS.items()},
    }
    return templates.TemplateResponse(request, "network.html", context)


@router.get("/unlisted-near", response_class=HTMLResponse)
def unlisted_page(
    request: Request,
    network: Annotated[Network, Depends(get_network)],
    regime: Annotated[str, Query(max_length=40)] = "belarus",
    hops: Annotated[int, Query(ge=1, le=3)] = 2,
    limit: Annotated[int, Query(ge=1, le=1_000)] = 200,
) -> Any:
    """People and companies near the regime's targets that no list holds, most closely
    tied first: the unsanctioned part of the network."""
    error = None
    found: list[q.Unlisted] = []
    if regime not in REGIMES:
        error = f"Unknown regime {regime!r}; known: {', '.join(REGIMES)}."
    else:
        found = q.unlisted(network, None, hops, limit, regime)
    captions = {v: network.captions[network.index[v]] for u in found for v in u.via}
    entries = {v: network.entries.get(network.index[v], ()) for v in captions}
    context = {"found": found, "captions": captions, "entries": entries, "regime": regime,
               "hops": hops, "regimes": sorted(REGIMES), "error": error}  # fmt: skip
    return templates.TemplateResponse(request, "unlisted.html", context,
                                      status_code=400 if error else 200)  # fmt: skip


@router.get("/connection", response_class=HTMLResponse)
def connection_page(
    request: Request,
    network: Annotated[Network, Depends(get_network)],
    resolution: Annotated[Resolution, Depends(get_resolution)],
    matcher: Annotated[Matcher, Depends(get_matcher)],
    source: Annotated[str, Query(alias="from", max_length=255)] = "",
    target: Annotated[str, Query(alias="to", max_length=200)] = "",
) -> Any:
    """How one entity is connected to another, named by id or by name (the best match
    with relationships is taken)."""
    context: dict[str, Any] = {"source": source, "target": target, "edges": None,
                               "error": None, "ends": None}  # fmt: skip
    if source and target.strip():
        a = node_id(network, resolution, source)
        b = _find(network, resolution, matcher, target.strip())
        if a not in network.index:
            context["error"] = "The lists state no relationships of this entity."
        elif b is None:
            context["error"] = f"No entity with relationships is named like “{target}”."
        else:
            context["ends"] = (network.node(network.index[a]), network.node(network.index[b]))
            context["edges"] = q.shortest_path(network, a, b, max_depth=6) or []
            context["captions"] = {n: network.captions[network.index[n]] for e in
                                   context["edges"] for n in (e.source, e.target)}  # fmt: skip
    return templates.TemplateResponse(request, "connection.html", context)


def _find(network: Network, resolution: Resolution, matcher: Matcher, text: str) -> str | None:
    """A node by entity id, else the best search hit that has relationships."""
    node = node_id(network, resolution, text)
    if node in network.index:
        return node
    _, hits, _ = search(matcher, text, limit=50, facets=False)
    for hit in hits:
        node = node_id(network, resolution, str(hit.id))
        if node in network.index:
            return node
    return None
