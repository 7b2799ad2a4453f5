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
from belwatch.match.service import Matcher
from belwatch.resolve import Resolution
from belwatch.sources.datasets import DATASETS
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
