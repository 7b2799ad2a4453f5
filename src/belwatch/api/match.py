"""Screening in yente's shapes: POST /match/{dataset}, GET /search/{dataset} and
GET /algorithms, with yente's query parameters."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from followthemoney import model
from followthemoney.types import registry
from pydantic import BaseModel, Field

from belwatch.api.deps import get_store, settle
from belwatch.api.models import ErrorResponse
from belwatch.exc import ConfigError
from belwatch.match.algorithms import ALGORITHMS, BEST, DEFAULT, get_algorithm
from belwatch.match.filters import Filters, field_filters
from belwatch.match.service import Matcher, make_query, search
from belwatch.store import Store
from belwatch.views import entity_dict

router = APIRouter(tags=["Matching"])
MAX_QUERIES = 100
# yente's timestamps: a day, optionally with an hour, minutes and seconds.
TS_PATTERN = r"^\d{4}-\d{2}-\d{2}(T\d{2}(:\d{2}(:\d{2})?)?)?$"

# The filters /match and /search share, named, typed and described as yente's.
IncludeDataset = Annotated[
    list[str] | None,
    Query(
        title="Only include the given datasets in results",
        description="Lists within the scope of the path's dataset, e.g. us_ofac_sdn; an "
        "entity on any of them is kept.",
    ),
]
ExcludeDataset = Annotated[list[str] | None, Query(title="Remove the given datasets from results")]
ExcludeSchema = Annotated[
    list[str] | None,
    Query(title="Remove the given types of entities from results", examples=["Vessel"]),
]
ChangedSince = Annotated[
    str | None,
    Query(
        pattern=TS_PATTERN,
        title="Only entities that were updated since the given date",
        description="An entity changed on a day when one of its statements was first seen "
        "then; the register records sightings to the day, so the day given is included.",
    ),
]


class Operator(StrEnum):
    AND = "AND"
    OR = "OR"


class Facet(StrEnum):
    COUNTRIES = "countries"
    DATASETS = "datasets"
    SCHEMA = "schema"
    TOPICS = "topics"
    IDENTIFIERS = "identifiers"
    GENDERS = "genders"


DEFAULT_FACETS = (Facet.COUNTRIES, Facet.TOPICS, Facet.DATASETS, Facet.SCHEMA)
FACET_LABELS = {"countries": "Countries", "datasets": "Data sources", "schema": "Types",
                "topics": "Topics", "identifiers": "Identifiers", "genders": "Genders"}  # fmt: skip


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
        settle()
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
    threshold: Annotated[
        float | None,
        Query(ge=0.0, le=1.0, title="Score threshold for results to be considered matches"),
    ] = None,
    cutoff: Annotated[
        float | None,
        Query(
            ge=0.0,
            le=1.0,
            deprecated=True,
            title="Deprecated, use `threshold` instead. Lower bound of score for results to "
            "be returned at all",
            description="Results scoring at or below it are left out; never above the "
            "threshold. Unset, the best candidates are returned whatever their score.",
        ),
    ] = None,
    algorithm: Annotated[str, Query()] = DEFAULT,
    include_dataset: IncludeDataset = None,
    exclude_schema: ExcludeSchema = None,
    exclude_dataset: ExcludeDataset = None,
    topics: Annotated[
        list[str] | None,
        Query(
            title="Only return results that match any of the given topics",
            description="FtM topics, e.g. sanction (every target a list names in a "
            "Sanction carries it).",
        ),
    ] = None,
    changed_since: ChangedSince = None,
    exclude_entity_ids: Annotated[
        list[str] | None, Query(title="A list of entity IDs to exclude from matching")
    ] = None,
) -> dict[str, Any]:
    """Screen each query entity; every result carries its score, match flag and the features
    that made the score, with a readable explanation of each."""
    if len(body.queries) > MAX_QUERIES:
        raise ConfigError(f"{len(body.queries)} queries in one request; the limit is {MAX_QUERIES}")
    chosen = get_algorithm(algorithm)
    filters = Filters.make(include_dataset or (), exclude_dataset or (), exclude_schema or (),
                           topics or (), changed_since, exclude_entity_ids or ())  # fmt: skip
    responses = {}
    for key, example in body.queries.items():
        query = make_query(example.model_dump(by_alias=True))
        hits = matcher.match(
            query,
            chosen,
            dataset=dataset,
            limit=limit,
            threshold=threshold,
            weights=body.weights,
            filters=filters,
            cutoff=cutoff,
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


@router.get(
    "/search/{dataset}",
    responses={400: {"model": ErrorResponse, "description": "A filter that cannot be applied"}},
)
def search_entities(
    matcher: Annotated[Matcher, Depends(get_matcher)],
    dataset: Annotated[str, Path(description="A dataset or collection")],
    q: Annotated[str, Query(description="A name in any script or spelling")] = "",
    schema: Annotated[str | None, Query()] = None,
    include_dataset: IncludeDataset = None,
    exclude_dataset: ExcludeDataset = None,
    exclude_schema: ExcludeSchema = None,
    changed_since: ChangedSince = None,
    countries: Annotated[list[str] | None, Query(title="Filter by country codes")] = None,
    topics: Annotated[
        list[str] | None, Query(title="Filter by entity topics (e.g. sanction, role.pep)")
    ] = None,
    datasets: Annotated[list[str] | None, Query(title="Filter by data sources")] = None,
    filters: Annotated[
        list[str] | None,
        Query(
            alias="filter",
            title="Filter by entity properties (e.g. birthDate)",
            description="field:value, the field properties.<name> (an exact value of that "
            "property) or one of countries, topics, datasets, schema, identifiers, genders.",
            examples=["properties.birthDate:1954-08-30"],
        ),
    ] = None,
    filter_op: Annotated[
        Operator,
        Query(title="How several filters on one field combine: any (OR) or all (AND)"),
    ] = Operator.OR,
    target: Annotated[
        bool | None, Query(title="Include only targeted entities", deprecated=True)
    ] = None,
    facets: Annotated[
        list[Facet] | None,
        Query(
            title="Facet counts to include in response (default: countries, topics, "
            "datasets, schema)"
        ),
    ] = None,
    limit: Annotated[int, Query(ge=0, le=500)] = 10,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> dict[str, Any]:
    """Listed entities by name, with facets (countries, topics, datasets, schema), as yente
    answers."""
    if schema is not None and model.get(schema) is None:
        raise ConfigError(f"unknown schema {schema!r}")
    pairs = [("countries", code) for code in countries or ()]
    pairs += [("topics", topic) for topic in topics or ()]
    pairs += [("datasets", name) for name in datasets or ()]
    for spec in filters or ():
        field, colon, value = spec.partition(":")
        if not colon or not field or not value:
            raise ConfigError(f"invalid filter {spec!r}: use field:value")
        pairs.append((field, value))
    if target is not None:
        pairs.append(("target", str(target).lower()))
    scope_filters = Filters.make(
        include_dataset or (), exclude_dataset or (), exclude_schema or (), (), changed_since
    )
    fields = field_filters(pairs, every=filter_op == Operator.AND)
    total, page, counts = search(matcher, q, dataset, schema, limit=limit, offset=offset,
                                 filters=scope_filters, fields=fields)  # fmt: skip
    return {
        "limit": limit,
        "offset": offset,
        "total": {"value": total, "relation": "eq"},
        "results": [entity_dict(e) for e in page],
        "facets": {
            name: {
                "label": FACET_LABELS[name],
                "values": [
                    {"name": key, "label": _facet_label(name, key), "count": count}
                    for key, count in sorted(counts[name].items(), key=lambda kv: -kv[1])
                ],
            }
            for name in facets or DEFAULT_FACETS
        },
    }


FACET_TYPES = {"countries": registry.country, "topics": registry.topic, "genders": registry.gender}


def _facet_label(facet: str, value: str) -> str:
    """A country's, topic's or gender's name, as yente labels them; other values as they are."""
    kind = FACET_TYPES.get(facet)
    return (kind.caption(value) or value) if kind is not None else value
