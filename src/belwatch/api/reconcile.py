"""OpenRefine reconciliation (W3C Reconciliation Service API 0.2) at /reconcile/{dataset}, in
yente's shapes.

GET without ``queries`` is the manifest OpenRefine reads when the service is added; GET or a
form-encoded POST with ``queries`` (JSON) reconciles a batch of names with the screening
matcher; ``extend`` fills columns from reconciled entities. Scores are the matcher's, 0 to 1,
as yente gives them; ``match`` is the algorithm's verdict, which OpenRefine auto-matches on.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Path, Query, Request
from followthemoney import EntityProxy, StatementEntity, model
from followthemoney.property import Property
from followthemoney.schema import Schema
from followthemoney.types import registry
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from belwatch.api.match import MAX_QUERIES, get_matcher
from belwatch.api.models import ErrorResponse
from belwatch.exc import ConfigError
from belwatch.match.algorithms import DEFAULT, Algorithm, get_algorithm
from belwatch.match.index import INDEXED
from belwatch.match.service import Hit, Matcher, dataset_scope, make_query, search
from belwatch.sources.datasets import COLLECTIONS, DATASETS

router = APIRouter(tags=["Reconciliation"])
DatasetPath = Annotated[
    str, Path(description="A dataset or collection: default, sanctions, belarus, us_ofac_sdn…")
]
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "A request that cannot be answered"}
}
TYPES = [model.schemata[name] for name in sorted(INDEXED)]
DEFAULT_TYPE = "LegalEntity"  # persons and organisations alike, as yente's base schema
SCHEMA_SPACE = "https://followthemoney.tech/explorer/schemata/"
MAX_BODY_BYTES = 2_000_000
STATUS_OK = {"code": "/api/status/ok", "status": "200 OK"}
T = TypeVar("T")
# What OpenRefine asks for each added column (W3C data extension "property_settings").
EXTEND_SETTINGS = [
    {
        "name": "limit",
        "label": "Limit",
        "type": "number",
        "default": 0,
        "help_text": "Most values per row (0: all).",
    },
    {
        "name": "render",
        "label": "Values",
        "type": "select",
        "default": "caption",
        "choices": [
            {"id": "caption", "name": "Readable (Belarus)"},
            {"id": "raw", "name": "Codes (by)"},
        ],
    },
]


class PropertyValue(BaseModel):
    pid: str = Field(..., examples=["birthDate"])
    v: Any = Field(None, examples=["1954-08-30"])


class ReconQuery(BaseModel):
    query: str | None = Field(None, examples=["Лукашенко Александр Григорьевич"])
    type: str | list[str] | None = Field(None, examples=["Person"])
    limit: int = Field(5, ge=1, le=100)
    properties: list[PropertyValue] = []


class ExtendSettings(BaseModel):
    limit: Annotated[int, Field(ge=0)] = 0
    render: Literal["caption", "raw"] = "caption"


class ExtendProperty(BaseModel):
    id: str
    settings: ExtendSettings = ExtendSettings()


class ExtendQuery(BaseModel):
    ids: list[str]
    properties: list[ExtendProperty]


BATCH = TypeAdapter(dict[str, ReconQuery])
EXTEND = TypeAdapter(ExtendQuery)


@router.get("/reconcile/{dataset}", responses=ERRORS)
def reconcile(
    request: Request,
    matcher: Annotated[Matcher, Depends(get_matcher)],
    dataset: DatasetPath,
    queries: Annotated[str | None, Query(description="JSON: {key: {query, type, ...}}")] = None,
    extend: Annotated[str | None, Query(description="JSON: {ids, properties}")] = None,
    algorithm: Annotated[str, Query()] = DEFAULT,
) -> dict[str, Any]:
    """Without ``queries``: the service manifest to add in OpenRefine. With ``queries``
    (or ``extend``): their answers, as a POST gives them."""
    dataset_scope(dataset)
    if queries is None and extend is None:
        return manifest(str(request.base_url), dataset)
    return answer(matcher, dataset, queries, extend, algorithm)


async def form_fields(request: Request) -> dict[str, str]:
    """The fields of a form-encoded body as OpenRefine posts it, capped in size."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ("", "application/x-www-form-urlencoded"):
        raise ConfigError(f"post the form as application/x-www-form-urlencoded, not {kind}")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise ConfigError(f"the request body is larger than {MAX_BODY_BYTES:,} bytes")
    try:
        return dict(parse_qsl(body.decode(), keep_blank_values=True, max_num_fields=10))
    except UnicodeDecodeError:
        raise ConfigError("the request body is not UTF-8") from None
    except ValueError:
        raise ConfigError("too many form fields; send queries (or extend)") from None


@router.post("/reconcile/{dataset}", responses=ERRORS)
def reconcile_post(
    matcher: Annotated[Matcher, Depends(get_matcher)],
    dataset: DatasetPath,
    form: Annotated[dict[str, str], Depends(form_fields)],
    algorithm: Annotated[str, Query()] = DEFAULT,
) -> dict[str, Any]:
    """Reconcile ``queries`` or extend with ``extend``: JSON in a form field, as OpenRefine
    posts it. Each result carries the score, the match verdict and the features behind it."""
    dataset_scope(dataset)
    return answer(matcher, dataset, form.get("queries"), form.get("extend"), algorithm)


def answer(
    matcher: Matcher, dataset: str, queries: str | None, extend: str | None, algorithm: str
) -> dict[str, Any]:
    if extend is not None and extend.strip():
        return extend_rows(matcher, _parse(extend, "extend", EXTEND))
    if queries is None:
        raise ConfigError("send the form field queries (JSON), as OpenRefine does, or extend")
    chosen = get_algorithm(algorithm)
    return reconcile_batch(matcher, dataset, _parse(queries, "queries", BATCH), chosen)


def _parse(text: str, field: str, shape: TypeAdapter[T]) -> T:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"{field} is not valid JSON: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{field} is nested too deeply") from None
    try:
        return shape.validate_python(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])[:200]
        raise ConfigError(f"{field}: {where or 'the whole value'}: {error['msg']}") from None


def manifest(base: str, dataset: str) -> dict[str, Any]:
    service = f"{base}reconcile/{dataset}"
    title = DATASETS[dataset].title if dataset in DATASETS else COLLECTIONS.get(dataset)
    return {
        "versions": ["0.2"],
        "name": f"belwatch: {title or 'every list in the register'}",
        "identifierSpace": f"{base}entity/",
        "schemaSpace": SCHEMA_SPACE,
        "documentation": f"{base}docs",
        "view": {"url": f"{base}entity/{{{{id}}}}"},
        "preview": {"url": f"{base}entity/{{{{id}}}}", "width": 430, "height": 600},
        "suggest": {
            kind: {"service_url": service, "service_path": f"/suggest/{kind}"}
            for kind in ("entity", "type", "property")
        },
        "extend": {
            "propose_properties": {"service_url": service, "service_path": "/extend/property"},
            "property_settings": EXTEND_SETTINGS,
        },
        "defaultTypes": [type_dict(schema) for schema in TYPES],
    }


def reconcile_batch(
    matcher: Matcher, dataset: str, batch: dict[str, ReconQuery], algorithm: Algorithm
) -> dict[str, Any]:
    if len(batch) > MAX_QUERIES:
        raise ConfigError(f"{len(batch)} queries in one request; the limit is {MAX_QUERIES}")
    answers = {}
    for key, query in batch.items():
        hits = matcher.match(query_entity(query), algorithm, dataset=dataset, limit=query.limit)
        answers[key] = {"result": [scored_dict(hit) for hit in hits]}
    return answers


def query_entity(query: ReconQuery) -> EntityProxy:
    """The screening query for one row: its name and the properties mapped from columns."""
    schema = query_schema(query.type)
    properties: dict[str, list[str]] = defaultdict(list)
    if query.query is not None:
        properties["name"].append(query.query)
    for value in query.properties:
        properties[query_property(schema, value.pid)].extend(_texts(value.v))
    return make_query({"schema": schema.name, "properties": properties})


def query_schema(type_: str | list[str] | None) -> Schema:
    name = (type_[0] if type_ else None) if isinstance(type_, list) else type_
    schema = model.get(name or DEFAULT_TYPE)
    known = ", ".join(s.name for s in TYPES)
    if schema is None:
        raise ConfigError(f"unknown type {name!r}; the types are {known}")
    if schema.name not in INDEXED:
        raise ConfigError(f"type {schema.name} cannot be reconciled; the types are {known}")
    return schema


def query_property(schema: Schema, pid: str) -> str:
    """A property id as /suggest/property gives it (Person:birthDate) or bare (birthDate)."""
    prefix, _, name = pid.rpartition(":")
    prop = schema.get(name) if not prefix or model.get(prefix) is not None else None
    if prop is None:
        raise ConfigError(f"{schema.name} has no property {pid!r}; see /suggest/property")
    return prop.name


def _texts(value: Any) -> list[str]:
    """A cell as OpenRefine sends it: text, a number, a reconciled {"id", "name"} or a list."""
    values = value if isinstance(value, list) else [value]
    texts = []
    for item in values:
        if isinstance(item, dict):
            item = item.get("name") or item.get("id")
        if isinstance(item, str | int | float) and str(item).strip():
            texts.append(str(item).strip())
    return texts


def type_dict(schema: Schema) -> dict[str, Any]:
    return {"id": schema.name, "name": schema.plural,
            "description": (schema.description or schema.label).strip()}  # fmt: skip


def entity_dict(entity: StatementEntity) -> dict[str, Any]:
    births = entity.get("birthDate", quiet=True)
    described = [entity.schema.label, *(f"born {b}" for b in sorted(births)[:2]),
                 ", ".join(sorted(entity.datasets))]  # fmt: skip
    return {"id": entity.id, "name": entity.caption, "description": "; ".join(described),
            "type": [type_dict(entity.schema)]}  # fmt: skip


def scored_dict(hit: Hit) -> dict[str, Any]:
    features = [{"id": name, "value": value} for name, value in hit.result.features.items()]
    return {**entity_dict(hit.entity), "score": hit.result.score, "match": hit.match,
            "features": features}  # fmt: skip


def extend_rows(matcher: Matcher, query: ExtendQuery) -> dict[str, Any]:
    """Column values for reconciled entities, in the W3C data extension shape."""
    if len(query.ids) > MAX_QUERIES:
        raise ConfigError(f"{len(query.ids)} ids in one request; the limit is {MAX_QUERIES}")
    props = [(extend_property(p.id), p) for p in query.properties]
    entities = {e.id: e for e in matcher.store.entities(query.ids)}
    rows: dict[str, dict[str, list[dict[str, str]]]] = {}
    for entity_id in query.ids:
        entity = entities.get(entity_id)
        rows[entity_id] = {} if entity is None else {p.id: _cells(entity, prop, p.settings)
                                                     for prop, p in props}  # fmt: skip
    return {"meta": [{"id": p.id, "name": prop.label} for prop, p in props], "rows": rows}


def extend_property(pid: str) -> Property:
    name = pid.rpartition(":")[2]
    for schema in TYPES:
        prop = schema.get(name)
        if prop is not None and not prop.hidden:
            return prop
    raise ConfigError(f"unknown property {pid!r}; see /extend/property")


def _cells(
    entity: StatementEntity, prop: Property, settings: ExtendSettings
) -> list[dict[str, str]]:
    own = entity.schema.get(prop.name)
    values = entity.get(own, quiet=True) if own is not None else []
    if settings.limit:
        values = values[: settings.limit]
    if settings.render == "caption":
        values = [prop.type.caption(v) or v for v in values]
    return [{"str": v} for v in values]


@router.get("/reconcile/{dataset}/extend/property", responses=ERRORS)
def propose_properties(
    dataset: DatasetPath,
    type: Annotated[str, Query(description="A type from defaultTypes")] = DEFAULT_TYPE,
    limit: Annotated[int, Query(ge=0, le=500)] = 0,
) -> dict[str, Any]:
    """The properties OpenRefine can add as columns for a type: featured ones first."""
    dataset_scope(dataset)
    schema = query_schema(type)
    order = {name: rank for rank, name in enumerate(schema.featured)}
    props = sorted(_readable(schema), key=lambda p: order.get(p.name, len(order)))
    found = [{"id": p.name, "name": p.label} for p in props]
    return {"type": schema.name, "limit": limit, "properties": found[:limit] if limit else found}


def _readable(schema: Schema) -> list[Property]:
    """Properties a spreadsheet cell can hold: not hidden, not links to other entities."""
    return [p for p in schema.properties.values() if not p.hidden and p.type != registry.entity]


def _prefixed(prefix: str, *labels: str | None) -> bool:
    """Autocomplete: does any label start with the prefix? An empty prefix lists all."""
    prefix = prefix.strip().lower()
    return any(label is not None and label.lower().startswith(prefix) for label in labels)


@router.get("/reconcile/{dataset}/suggest/entity", responses=ERRORS)
def suggest_entity(
    matcher: Annotated[Matcher, Depends(get_matcher)],
    dataset: DatasetPath,
    prefix: Annotated[str, Query(description="A name, or whole words of it, in any script")] = "",
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> dict[str, Any]:
    """Listed entities for a name typed in OpenRefine's search box."""
    _, found, _ = search(matcher, prefix, dataset, limit=limit)
    return {**STATUS_OK, "prefix": prefix, "result": [entity_dict(e) for e in found]}


@router.get("/reconcile/{dataset}/suggest/type", responses=ERRORS)
def suggest_type(dataset: DatasetPath, prefix: str = "") -> dict[str, Any]:
    """The types (FtM schemata) whose name starts with the prefix."""
    dataset_scope(dataset)
    found = [type_dict(s) for s in TYPES if _prefixed(prefix, s.name, s.label, s.plural)]
    return {**STATUS_OK, "prefix": prefix, "result": found}


@router.get("/reconcile/{dataset}/suggest/property", responses=ERRORS)
def suggest_property(
    dataset: DatasetPath,
    prefix: str = "",
    type: Annotated[str | None, Query(description="Only this type's properties")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
) -> dict[str, Any]:
    """Properties to match columns on, as qualified names (Person:birthDate)."""
    dataset_scope(dataset)
    schemata = [query_schema(type)] if type else TYPES
    found: dict[str, dict[str, Any]] = {}
    for prop in (p for schema in schemata for p in _readable(schema)):
        if prop.qname not in found and _prefixed(prefix, prop.name, prop.label):
            found[prop.qname] = {"id": prop.qname, "name": prop.label,
                                 "description": prop.description}  # fmt: skip
    return {**STATUS_OK, "prefix": prefix, "result": list(found.values())[:limit]}
