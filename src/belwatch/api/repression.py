"""The repression register over HTTP, as the one asking may see it: a visitor without an
account sees public records only, never a restricted or internal one nor any link to one;
a signed-in editor sees internal records too, an admin restricted ones as well."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from belwatch.api.deps import current_actor, get_store
from belwatch.api.match import get_matcher
from belwatch.api.models import ErrorResponse
from belwatch.match.service import Matcher
from belwatch.register.figures import figures
from belwatch.register.indicators import indicators
from belwatch.register.officials import proposals
from belwatch.register.records import Actor, Record, Repression
from belwatch.store import Store

router = APIRouter(tags=["Repression register"])
Asker = Annotated[Actor, Depends(current_actor)]


def get_repression(store: Annotated[Store, Depends(get_store)]) -> Repression:
    return Repression(store)


Repository = Annotated[Repression, Depends(get_repression)]


def record_dict(record: Record) -> dict[str, Any]:
    return {"id": record.id, "schema": record.schema, "caption": record.caption,
            "properties": record.properties, "version": record.version}  # fmt: skip


def find(repository: Repression, actor: Actor, schema: str | None, q: str | None) -> list[Record]:
    """The records the actor may see, of a schema, whose names contain ``q`` (any case)."""
    found = repository.records(actor, schema)
    if q:
        text = q.casefold()
        found = [r for r in found if any(text in n.casefold() for n in
                                         r.properties.get("name", [r.caption]))]  # fmt: skip
    return found


@router.get("/repression/records")
def records(
    repository: Repository,
    actor: Asker,
    schema: Annotated[str | None, Query(description="An FtM schema: Person, CourtCase...")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Part of a name")] = None,
    limit: Annotated[int, Query(ge=1, le=1_000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """The records of the repression register the one asking may see."""
    found = find(repository, actor, schema, q)
    return {"total": len(found), "limit": limit, "offset": offset,
            "results": [record_dict(r) for r in found[offset : offset + limit]]}  # fmt: skip


@router.get(
    "/repression/records/{record_id}",
    responses={404: {"model": ErrorResponse, "description": "No such public record"}},
)
def record(
    repository: Repository, actor: Asker, record_id: Annotated[str, Path(max_length=255)]
) -> dict[str, Any]:
    """One record, with every version of it and their sources."""
    found = repository.get(actor, record_id)
    return {**record_dict(found), "history": repository.history(actor, record_id)}


@router.get("/repression/proposals")
def designation_proposals(
    repository: Repository, actor: Asker, matcher: Annotated[Matcher, Depends(get_matcher)]
) -> list[dict[str, Any]]:
    """Officials the cases name, with the cases as evidence and where each is listed:
    those listed nowhere first."""
    return [
        {**asdict(p), "official": record_dict(p.official), "status": p.status}
        for p in proposals(repository, actor, matcher)
    ]


@router.get("/repression/indicators")
def monthly_indicators(repository: Repository, actor: Asker) -> list[dict[str, Any]]:
    """Month by month: people held, releases, new cases, liquidations, "extremist"
    designations; each point names its records."""
    return [asdict(series) for series in indicators(repository, actor)]


@router.get("/repression/figures")
def published_figures(store: Annotated[Store, Depends(get_store)]) -> list[dict[str, Any]]:
    """Figures others publish (political prisoners held, people convicted, organisations
    closed...), each with its publisher, source and the sentence that gives the number."""
    return [{**asdict(f), "label": f.label} for f in figures(store)]
