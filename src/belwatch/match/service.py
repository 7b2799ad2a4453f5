"""Screening one entity against the register: candidates from the index, scored by an
algorithm, each hit with its explanation."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from followthemoney import EntityProxy, StatementEntity, model
from followthemoney.types import registry

from belwatch.exc import ConfigError
from belwatch.match.algorithms import Algorithm, MatchResult
from belwatch.match.features import ID_PROPS
from belwatch.match.index import INDEXED, NameIndex
from belwatch.sources.datasets import BELARUS_PROGRAM, COLLECTIONS, DATASETS
from belwatch.store import Store
from belwatch.store.schema import statement_table
from belwatch.store.sql import NAME_PROPS

MAX_NAME_CHARS = 1_000


@dataclass
class Profile:
    entity: EntityProxy  # only the properties the features compare
    dataset: str


@dataclass
class Hit:
    profile: Profile  # what was compared: names, dates, countries, identifiers
    result: MatchResult
    match: bool
    loaded: StatementEntity | None = None

    @property
    def entity_id(self) -> str:
        return str(self.profile.entity.id)

    @property
    def caption(self) -> str:
        return self.profile.entity.caption

    @property
    def entity(self) -> StatementEntity:
        """The whole entity; present when the match was asked to load it."""
        if self.loaded is None:
            raise RuntimeError(f"hit {self.entity_id} was not loaded")
        return self.loaded


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


# What the features read; kept in memory for every indexed entity so that scoring a query
# touches no database.
COMPARED = (*NAME_PROPS, "birthDate", "gender", "nationality", "citizenship", "country",
            "jurisdiction", "mainCountry", "flag", *ID_PROPS)  # fmt: skip


@dataclass(frozen=True)
class Listing:
    dataset: str
    programs: tuple[str, ...]
    listing_date: str

    @property
    def belarus(self) -> bool:
        return any(BELARUS_PROGRAM.search(program) for program in self.programs)


class Matcher:
    """Everything screening reads, in memory: each listed entity's comparable properties,
    the name index over them, and where each target is listed."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.profiles = _profiles(store)
        self.index = NameIndex()
        for entity_id, profile in self.profiles.items():
            self.index.add(entity_id, profile.entity.schema.name,
                           profile.entity.get_type_values(registry.name))  # fmt: skip
        self.listings = _listings(store)

    def match(
        self,
        query: EntityProxy,
        algorithm: Algorithm,
        dataset: str = "default",
        limit: int = 5,
        threshold: float | None = None,
        exclude_ids: frozenset[str] = frozenset(),
        weights: dict[str, float] | None = None,
        load: bool = True,
    ) -> list[Hit]:
        """The best-scored candidates, each with its whole entity from the store if ``load``
        (for showing it) or only what was compared (for batch screening)."""
        scope = dataset_scope(dataset)
        threshold = algorithm.threshold if threshold is None else threshold
        names = list(query.get_type_values(registry.name))
        candidates = self.index.candidates(
            names, schema=query.schema.name, limit=max(30, limit * 10)
        )
        scored: list[Hit] = []
        for candidate in candidates:
            profile = self.profiles.get(candidate.entity_id)
            if profile is None or candidate.entity_id in exclude_ids:
                continue
            if scope is not None and profile.dataset not in scope:
                continue
            if dataset == "belarus" and not self.belarus(candidate.entity_id):
                continue
            result = algorithm.compare(query, profile.entity, weights)
            scored.append(Hit(profile, result, result.score >= threshold))
        scored.sort(key=lambda hit: -hit.result.score)
        hits = scored[:limit]
        if load:
            entities = {e.id: e for e in self.store.entities([hit.entity_id for hit in hits])}
            for hit in hits:
                hit.loaded = entities.get(hit.entity_id)
            hits = [hit for hit in hits if hit.loaded is not None]
        return hits

    def belarus(self, entity_id: str) -> bool:
        """Is it listed under a Belarus regime somewhere?"""
        return any(listing.belarus for listing in self.listings.get(entity_id, ()))


def _profiles(store: Store) -> dict[str, Profile]:
    t = statement_table
    found: dict[str, Profile] = {}
    for stmt in store.scan(t.c.schema.in_(sorted(INDEXED)) & t.c.prop.in_(COMPARED)):
        profile = found.get(stmt.entity_id)
        if profile is None:
            entity = model.make_entity(stmt.schema)
            entity.id = stmt.entity_id
            profile = found[stmt.entity_id] = Profile(entity, stmt.dataset)
        prop = profile.entity.schema.properties.get(stmt.prop)
        if prop is not None:
            profile.entity.unsafe_add(prop, stmt.value, cleaned=True)
    return found


def _listings(store: Store) -> dict[str, list[Listing]]:
    """Per target, its sanctions: list, programme, listing date."""
    t = statement_table
    wanted = (t.c.schema == "Sanction") & t.c.prop.in_(("entity", "program", "listingDate"))
    sanctions: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    datasets: dict[str, str] = {}
    for stmt in store.scan(wanted):
        sanctions[stmt.entity_id][stmt.prop].append(stmt.value)
        datasets[stmt.entity_id] = stmt.dataset
    found: dict[str, list[Listing]] = defaultdict(list)
    for sanction_id, props in sanctions.items():
        listing = Listing(datasets[sanction_id], tuple(sorted(props["program"])),
                          ", ".join(sorted(props["listingDate"])))  # fmt: skip
        for target in props["entity"]:
            found[target].append(listing)
    return dict(found)


def dataset_scope(dataset: str) -> set[str] | None:
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
    scope = dataset_scope(dataset)
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
        found = [e for e in found if matcher.belarus(str(e.id))]
    facets: dict[str, dict[str, int]] = {"countries": {}, "datasets": {}, "schema": {}}
    for entity in found:
        for code in set(entity.get_type_values(registry.country)):
            facets["countries"][code] = facets["countries"].get(code, 0) + 1
        for name in entity.datasets:
            facets["datasets"][name] = facets["datasets"].get(name, 0) + 1
        facets["schema"][entity.schema.name] = facets["schema"].get(entity.schema.name, 0) + 1
    return len(found), found[offset : offset + limit], facets
