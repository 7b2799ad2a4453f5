"""Screening one entity against the register: candidates from the index, scored by an
algorithm, each hit with its explanation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from followthemoney import EntityProxy, StatementEntity, model
from followthemoney.types import registry

from belwatch.exc import ConfigError
from belwatch.match.algorithms import Algorithm, MatchResult
from belwatch.match.index import NameIndex
from belwatch.sources.datasets import BELARUS_PROGRAM, COLLECTIONS, DATASETS
from belwatch.store import Store

MAX_NAME_CHARS = 1_000


@dataclass
class Hit:
    entity: StatementEntity
    result: MatchResult
    match: bool


def make_query(data: dict[str, Any]) -> EntityProxy:
    """A query entity from yente's example shape: {"schema": ..., "properties": {...}}."""
    schema = model.get(str(data.get("schema") or ""))
    if schema is None:
        raise ConfigError(f"unknown schema {data.get('schema')!r}")
    if not schema.matchable:
        raise ConfigError(f"schema {schema.name} cannot be screened")
    query = model.make_entity(schema.name)
    query.id = str(data.get("id") or "query")
    for prop, values in (data.get("properties") or {}).items():
        if prop not in schema.properties:
            raise ConfigError(f"{schema.name} has no property {prop!r}")
        for value in values if isinstance(values, list) else [values]:
            text = str(value)
            if len(text) > MAX_NAME_CHARS:
                raise ConfigError(f"{prop} is longer than {MAX_NAME_CHARS:,} characters")
            query.add(prop, text, quiet=True)
    if not query.get_type_values(registry.name):
        raise ConfigError("the query has no name")
    return query


class Matcher:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.index = NameIndex.from_store(store)

    def match(
        self,
        query: EntityProxy,
        algorithm: Algorithm,
        dataset: str = "default",
        limit: int = 5,
        threshold: float | None = None,
        exclude_ids: frozenset[str] = frozenset(),
        weights: dict[str, float] | None = None,
    ) -> list[Hit]:
        scope = _scope(dataset)
        threshold = algorithm.threshold if threshold is None else threshold
        names = list(query.get_type_values(registry.name))
        candidates = self.index.candidates(
            names, schema=query.schema.name, limit=max(50, limit * 10)
        )
        ids = [c.entity_id for c in candidates if c.entity_id not in exclude_ids]
        hits = []
        for entity in self.store.entities(ids):
            if scope is not None and not entity.datasets & scope:
                continue
            result = algorithm.compare(query, entity, weights)
            hits.append(Hit(entity, result, result.score >= threshold))
        if dataset == "belarus":
            hits = [h for h in hits if self.belarus(h.entity)]
        hits.sort(key=lambda h: -h.result.score)
        return hits[:limit]

    def belarus(self, entity: StatementEntity) -> bool:
        """Is it listed under a Belarus regime somewhere?"""
        return any(
            BELARUS_PROGRAM.search(program)
            for other in self.store.referencing(str(entity.id))
            if other.schema.is_a("Sanction")
            for program in other.get("program")
        )


def _scope(dataset: str) -> set[str] | None:
    if dataset in ("default", "sanctions", "belarus"):
        return None
    if dataset in COLLECTIONS or dataset in DATASETS:
        return {dataset}
    known = ", ".join([*COLLECTIONS, *DATASETS])
    raise ConfigError(f"unknown dataset {dataset!r}; known: default, {known}")


def search(
    matcher: Matcher,
    text: str,
    dataset: str = "default",
    schema: str | None = None,
    countries: frozenset[str] = frozenset(),
    limit: int = 10,
    offset: int = 0,
) -> tuple[int, list[StatementEntity], dict[str, dict[str, int]]]:
    """Listed entities whose names share keys with ``text``, best first: the total, one page,
    and facet counts (countries, datasets, schemata) over all that were found."""
    if len(text) > MAX_NAME_CHARS:
        raise ConfigError(f"q is longer than {MAX_NAME_CHARS:,} characters")
    scope = _scope(dataset)
    candidates = matcher.index.candidates([text], schema=schema, limit=500)
    entities = {e.id: e for e in matcher.store.entities([c.entity_id for c in candidates])}
    found = []
    for candidate in candidates:
        entity = entities.get(candidate.entity_id)
        if entity is None or (scope is not None and not entity.datasets & scope):
            continue
        if countries and not countries & set(entity.get_type_values(registry.country)):
            continue
        found.append(entity)
    if dataset == "belarus":
        found = [e for e in found if matcher.belarus(e)]
    facets: dict[str, dict[str, int]] = {"countries": {}, "datasets": {}, "schema": {}}
    for entity in found:
        for code in set(entity.get_type_values(registry.country)):
            facets["countries"][code] = facets["countries"].get(code, 0) + 1
        for name in entity.datasets:
            facets["datasets"][name] = facets["datasets"].get(name, 0) + 1
        facets["schema"][entity.schema.name] = facets["schema"].get(entity.schema.name, 0) + 1
    return len(found), found[offset : offset + limit], facets
