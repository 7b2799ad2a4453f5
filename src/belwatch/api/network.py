"""The relationship graph over HTTP: neighbours, owners, holdings, paths, the unlisted."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from belwatch.api.deps import get_store, settle
from belwatch.api.gaps import get_resolution
from belwatch.api.match import get_matcher
from belwatch.api.models import ErrorResponse
from belwatch.exc import ConfigError
from belwatch.graph import Network, build
from belwatch.graph import queries as q
from belwatch.graph.export import to_ftm, to_graphml
from belwatch.graph.network import KINDS
from belwatch.match.service import Matcher
from belwatch.resolve import Resolution
from belwatch.resolve.decisions import lead_stamp
from belwatch.sources.datasets import REGIMES
from belwatch.store import Store

router = APIRouter(tags=["Network"])
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorResponse, "description": "No relationships known"}
}
MAX_NODES = 2_000


def get_network(
    request: Request,
    store: Annotated[Store, Depends(get_store)],
    matcher: Annotated[Matcher, Depends(get_matcher)],
    resolution: Annotated[Resolution, Depends(get_resolution)],
) -> Network:
    """The graph of the register's links, rebuilt when the grouping or a lead changed."""
    key = (lead_stamp(store), len(store.versions()))
    cached = getattr(request.app.state, "network", None)
    if cached is None or cached[0] is not resolution or cached[1] != key:
        built = build(store, matcher, resolution)
        cached = request.app.state.network = (resolution, key, built)
        settle()
    network: Network = cached[2]
    return network


def node_id(network: Network, resolution: Resolution, entity_id: str) -> str:
    """The node of an entity: its target's, where the lists' entries were grouped."""
    canonical = resolution.canonical(entity_id)
    return canonical if canonical in network.index else entity_id


def kinds_of(kinds: list[str] | None) -> set[str] | None:
    unknown = sorted(set(kinds or ()) - set(KINDS))
    if unknown:
        raise ConfigError(f"unknown link kind {unknown[0]!r}; known: {', '.join(KINDS)}")
    return set(kinds) if kinds else None


Network_ = Annotated[Network, Depends(get_network)]
Resolution_ = Annotated[Resolution, Depends(get_resolution)]
EntityId = Annotated[str, Path(description="An entity id (any list's entry, or a target's)")]
MaxDepth = Annotated[int, Query(ge=1, le=20, description="Links of ownership followed")]
AsOf = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$", description="The day")]
Kinds = Annotated[list[str] | None, Query(description=f"Link kinds to follow: {', '.join(KINDS)}")]


@router.get("/network/{entity_id}", responses=NOT_FOUND)
def neighbours(
    network: Network_,
    resolution: Resolution_,
    entity_id: EntityId,
    depth: Annotated[int, Query(ge=1, le=4, description="Links away")] = 1,
    kind: Kinds = None,
    limit: Annotated[int, Query(ge=1, le=MAX_NODES)] = 500,
) -> dict[str, Any]:
    """Everything within ``depth`` links of an entity, with the links between them; each
    node says which jurisdictions list it."""
    graph = q.neighbourhood(network, node_id(network, resolution, entity_id), depth,
                            kinds_of(kind), limit)  # fmt: skip
    return asdict(graph)


@router.get("/network/{entity_id}/export", response_class=Response, responses=NOT_FOUND)
def export(
    store: Annotated[Store, Depends(get_store)],
    network: Network_,
    resolution: Resolution_,
    entity_id: EntityId,
    format: Annotated[str, Query(pattern="^(graphml|ftm)$")] = "graphml",
    depth: Annotated[int, Query(ge=1, le=4)] = 1,
    kind: Kinds = None,
    limit: Annotated[int, Query(ge=1, le=MAX_NODES)] = 500,
) -> Response:
    """The same neighbourhood as a GraphML file or as FtM entities (JSON lines)."""
    root = node_id(network, resolution, entity_id)
    graph = q.neighbourhood(network, root, depth, kinds_of(kind), limit)
    if format == "graphml":
        body, media_type, suffix = to_graphml(graph), "application/graphml+xml", "graphml"
    else:
        body, media_type, suffix = to_ftm(graph, store), "application/x-ndjson", "ftm.json"
    name = f"network-{root}-{depth}.{suffix}"
    return Response(body, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


@router.get("/network/{entity_id}/owners", responses=NOT_FOUND)
def owners(
    network: Network_,
    resolution: Resolution_,
    entity_id: EntityId,
    max_depth: MaxDepth = 10,
    as_of: AsOf = None,
) -> dict[str, Any]:
    """Who owns a company, through chains of companies, with effective percentages; whether
    the OFAC 50% rule or the EU's ownership-or-control test reaches it."""
    return asdict(q.owners(network, node_id(network, resolution, entity_id), max_depth, as_of))


@router.get("/network/{entity_id}/holdings", responses=NOT_FOUND)
def holdings(
    network: Network_,
    resolution: Resolution_,
    entity_id: EntityId,
    max_depth: MaxDepth = 10,
    as_of: AsOf = None,
) -> dict[str, Any]:
    """Every company a person or company holds, directly or through chains, and which of
    them it controls; the companies it directs."""
    found = q.holdings(network, node_id(network, resolution, entity_id), max_depth, as_of)
    return asdict(found)


@router.get("/path", responses=NOT_FOUND)
def path(
    network: Network_,
    resolution: Resolution_,
    source: Annotated[str, Query(description="An entity id")],
    target: Annotated[str, Query(description="Another entity id")],
    max_depth: Annotated[int, Query(ge=1, le=10)] = 6,
    kind: Kinds = None,
) -> dict[str, Any]:
    """The fewest links between two entities, in either direction (empty if none within
    ``max_depth``)."""
    a, b = node_id(network, resolution, source), node_id(network, resolution, target)
    edges = q.shortest_path(network, a, b, max_depth, kinds_of(kind))
    return {"source": a, "target": b, "found": edges is not None,
            "edges": [asdict(e) for e in edges or []]}  # fmt: skip


@router.get("/unlisted", responses={400: {"model": ErrorResponse}, **NOT_FOUND})
def unlisted(
    network: Network_,
    resolution: Resolution_,
    around: Annotated[str | None, Query(description="An entity id; default: every target")] = None,
    regime: Annotated[str | None, Query(description="Only near targets of this regime")] = None,
    hops: Annotated[int, Query(ge=1, le=3)] = 2,
    limit: Annotated[int, Query(ge=1, le=1_000)] = 100,
) -> dict[str, Any]:
    """People and companies within ``hops`` links of a listed target that no jurisdiction
    lists, most closely tied first."""
    if regime is not None and regime not in REGIMES:
        raise ConfigError(f"unknown regime {regime!r}; known: {', '.join(REGIMES)}")
    start = node_id(network, resolution, around) if around else None
    found = q.unlisted(network, start, hops, limit, regime)
    return {"around": start, "regime": regime, "hops": hops,
            "results": [asdict(u) for u in found]}  # fmt: skip
