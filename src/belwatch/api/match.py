"""Screening in yente's shapes: POST /match/{dataset} and GET /algorithms."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from followthemoney import model
from pydantic import BaseModel, Field

from belwatch.api.deps import get_store
from belwatch.api.models import ErrorResponse
from belwatch.exc import ConfigError
from belwatch.match.algorithms import ALGORITHMS, BEST, DEFAULT, get_algorithm
from belwatch.match.service import Matcher, make_query, search
from belwatch.store import Store
from belwatch.views import entity_dict

router = APIRouter(tags=["Matching"])
MAX_QUERIES = 100


class EntityExample(BaseModel):
    id: str | None = None
    schema_: str = Field(..., alias="schema", examples=["Person"])
    properties: dict[str, Any] = Field(..., examples=[{"name": ["Siarhei Zhukau"]}])


class MatchQuery(BaseModel):
    queries: dict[str, EntityExample]
    weights: dict[str, float] = {}
    config: dict[str, Any] = {}


def get_matcher(request: Request, store: Annotated[Store, Depends(get_store)]) -> Matcher:
    matcher: Matcher | None = getattr(request.app.state, "matcher", None)
    if matcher is None:
        matcher = request.app.state.matcher = Matcher(store)
    return matcher


@router.post(
    "/match/{dataset}",
    responses={400: {"model": ErrorResponse, "description": "A query that cannot be screened"}},
)
def match(
    body: MatchQuery,
    matcher: Annotated[Matcher, Depends(get_matcher)],
    dataset: Annotated[
        str, Path(description="A dataset or collection: default, sanctions, belarus, us_ofac_sdn…")
    ],
    limit: Annotated[int, Query(ge=1, le=500)] = 5,
    threshold: Annotated[float | None, Query(ge=0.0, le=1.0)] = None,
    algorithm: Annotated[str, Query()] = DEFAULT,
    exclude_entity_ids: Annotated[list[str] | None, Query()] = None,
) -> dict[str, Any]:
    """Screen each query entity; every result carries its score, match flag and the features
    that made the score, with a readable explanation of each."""
    if len(body.queries) > MAX_QUERIES:
        raise ConfigError(f"{len(body.queries)} queries in one request; the limit is {MAX_QUERIES}")
    chosen = get_algorithm(algorithm)
    responses = {}
    for key, example in body.queries.items():
        query = make_query(example.model_dump(by_alias=True))
        hits = matcher.match(
            query,
            chosen,
            dataset=dataset,
            limit=limit,
            threshold=threshold,
            exclude_ids=frozenset(exclude_entity_ids or ()),
            weights=body.weights,
        )
        results = []
        for hit in hits:
            data = entity_dict(hit.entity)
            data.update(score=hit.result.score, match=hit.match, features=hit.result.features,
                        explanations=hit.result.explanations)  # fmt: skip
            results.append(data)
        responses[key] = {
            "status": 200,
            "results": results,
            "total": {"value": len(results), "relation": "eq"},
            "query": {"id": query.id, "schema": query.schema.name, "properties": query.properties},
        }
    return {"responses": responses, "matcher": chosen.docs(), "limit": limit}


@router.get("/algorithms")
def algorithms() -> dict[str, Any]:
    """The scoring algorithms, each with its features and weights."""
    return {
        "algorithms": [
            {"name": a.name, "description": a.description, "features": a.docs()}
            for a in ALGORITHMS.values()
        ],
        "default": DEFAULT,
        "best": BEST,
    }


@router.get("/search/{dataset}")
def search_entities(
    matcher: Annotated[Matcher, Depends(get_matcher)],
    dataset: Annotated[str, Path(description="A dataset or collection")],
    q: Annotated[str, Query(description="A name in any script or spelling")] = "",
    schema: Annotated[str | None, Query()] = None,
    countries: Annotated[list[str] | None, Query()] = None,
    limit: Annotated[int, Query(ge=0, le=500)] = 10,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> dict[str, Any]:
    """Listed entities by name, with facets (countries, datasets, schema), as yente answers."""
    if schema is not None and model.get(schema) is None:
        raise ConfigError(f"unknown schema {schema!r}")
    total, page, facets = search(
        matcher, q, dataset, schema, frozenset(c.lower() for c in countries or ()), limit, offset
    )
    labels = {"countries": "Countries", "datasets": "Data sources", "schema": "Types"}
    return {
        "limit": limit,
        "offset": offset,
        "total": {"value": total, "relation": "eq"},
        "results": [entity_dict(e) for e in page],
        "facets": {
            name: {
                "label": labels[name],
                "values": [
                    {"name": key, "label": key, "count": count}
                    for key, count in sorted(values.items(), key=lambda kv: -kv[1])
                ],
            }
            for name, values in facets.items()
        },
    }
