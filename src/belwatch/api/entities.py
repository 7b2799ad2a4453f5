"""Entities by id, in yente's shape with adjacent entities nested."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from belwatch.api.deps import get_store
from belwatch.api.models import EntityResponse, ErrorResponse
from belwatch.store import Store
from belwatch.views import entity_view

router = APIRouter(tags=["Data access"])


@router.get(
    "/entities/{entity_id}",
    response_model=EntityResponse,
    responses={404: {"model": ErrorResponse, "description": "No such entity"}},
)
def fetch_entity(
    store: Annotated[Store, Depends(get_store)],
    entity_id: Annotated[str, Path(description="The entity id")],
    nested: Annotated[
        bool, Query(description="Nest adjacent entities (sanctions, addresses, links)")
    ] = True,
    as_of: Annotated[
        str | None,
        Query(description="What the lists said on this day", pattern=r"^\d{4}-\d{2}-\d{2}$"),
    ] = None,
) -> Any:
    """One entity, with its sanctions, addresses, identifiers and relationships nested."""
    view = entity_view(store, entity_id, as_of=as_of)
    if not nested:
        view.adjacent = {}
    return view.to_dict()
