"""Screening one entity against the register: candidates from the index, scored by an
algorithm, each hit with its explanation."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from followthemoney import EntityProxy, StatementEntity, model
from followthemoney.types import registry

from belwatch.exc import ConfigError
from belwatch.match.algorithms import Algorithm, MatchResult
from belwatch.match.features import ID_PROPS, name_keys_of, name_match_bound
from belwatch.match.filters import (
    ENTITY_FIELDS,
    FACETS,
    NO_FILTERS,
    PROFILE_FIELDS,
    FieldFilter,
    Filters,
)
from belwatch.match.index import INDEXED, Candidate, NameIndex
from belwatch.sources.datasets import BELARUS_PROGRAM, COLLECTIONS, DATASETS
from belwatch.store import Store
from belwatch.store.schema import statement_table
from belwatch.store.sql import NAME_PROPS

MAX_NAME_CHARS = 1_000
ID_CHUNK = 2_000  # entity ids per query when only some are loaded


@dataclass(slots=True)
class Profile:
    entity: EntityProxy  # only the properties the features compare
    dataset: str
    topics: frozenset[str] = frozenset()  # FtM topics: those stated, "sanction" when listed
    changed: str = ""  # the newest first sighting of any of its statements: its last change


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
SANCTIONED = "sanction"  # the FtM topic of a target some list names in a Sanction


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
    topics and last change, the name index over them, and where each target is listed."""

    def __init__(
        self, store: Store, ids: Collection[str] | None = None, version: int | None = None
    ) -> None:
        """The whole register, or only the entities ``ids``; as it is now, or as it stood
        once list version ``version`` was ingested."""
        self.store = store
        self.profiles, stated = _profiles(store, ids, version)
        self.index = NameIndex()
        for entity_id, profile in self.profiles.items():
            self.index.add(entity_id, profile.entity.schema.name,
                           profile.entity.get_type_values(registry.name))  # fmt: skip
        self.listings = _listings(store, version)
        if ids is not None:
            self.listings = {k: v for k, v in self.listings.items() if k in self.profiles}
        # Per entity, the token keys of its names as persons and as organisations compare
        # them: filled as candidates come up.
        self._person_keys: dict[str, frozenset[str]] = {}
        self._org_keys: dict[str, frozenset[str]] = {}
        shared: dict[frozenset[str], frozenset[str]] = {}
        for entity_id, profile in self.profiles.items():
            topics = set(stated.get(entity_id, ()))
            if entity_id in self.listings:
                topics.add(SANCTIONED)
            profile.topics = shared.setdefault(frozenset(topics), frozenset(topics))

    @classmethod
    def scoring_only(
        cls, profiles: dict[str, Profile], listings: dict[str, list[Listing]]
    ) -> Matcher:
        """A matcher that scores and describes hits but finds no candidates and loads
        nothing: what a batch engine ships to machines without the register."""
        matcher = cls.__new__(cls)
        matcher.store = cast(Store, None)
        matcher.profiles = profiles
        matcher.listings = listings
        matcher.index = NameIndex()
        matcher._person_keys = {}
        matcher._org_keys = {}
        return matcher

    def match(
        self,
        query: EntityProxy,
        algorithm: Algorithm,
        dataset: str = "default",
        limit: int = 5,
        threshold: float | None = None,
        weights: dict[str, float] | None = None,
        load: bool = True,
        filters: Filters = NO_FILTERS,
        cutoff: float | None = None,
        only_matches: bool = False,
        refill: bool = True,
        pool: int | None = None,
    ) -> list[Hit]:
        """The best-scored candidates, each with its whole entity from the store if ``load``
        (for showing it) or only what was compared (for batch screening). ``filters`` pick
        which candidates are scored at all; ``cutoff`` (yente's, never above the threshold)
        drops results scoring at or below it; ``only_matches`` skips, unscored, every
        candidate whose names could not bring it to the threshold; without ``refill`` the
        candidates the filters leave of the first pool are all that is scored; ``pool`` is
        how many candidates the index proposes (default: ten per result, at least 30)."""
        names = list(query.get_type_values(registry.name))
        gate = self.gate(dataset, filters)
        pool = pool or max(30, limit * 10)
        found = self.candidates(names, query.schema.name, pool, gate, refill)
        hits = self.score(query, [c.entity_id for c in found], algorithm, limit, threshold,
                          weights, cutoff, only_matches)  # fmt: skip
        if load:
            entities = {e.id: e for e in self.store.entities([hit.entity_id for hit in hits])}
            for hit in hits:
                hit.loaded = entities.get(hit.entity_id)
            hits = [hit for hit in hits if hit.loaded is not None]
        return hits

    def score(
        self,
        query: EntityProxy,
        entity_ids: Iterable[str],
        algorithm: Algorithm,
        limit: int = 5,
        threshold: float | None = None,
        weights: dict[str, float] | None = None,
        cutoff: float | None = None,
        only_matches: bool = False,
    ) -> list[Hit]:
        """Score a query against candidates, best first: the one scoring the /match API and
        every batch engine share. With ``only_matches``, a candidate whose names could not
        bring it to the threshold is skipped unscored."""
        threshold = algorithm.threshold if threshold is None else threshold
        floor = None if cutoff is None else min(cutoff, threshold)
        names = list(query.get_type_values(registry.name))
        organisation = not query.schema.is_a("Person")
        scored: list[Hit] = []
        for entity_id in entity_ids:
            profile = self.profiles.get(entity_id)
            if profile is None:
                continue
            if only_matches:
                keys = self._keys(profile, organisation)
                bound = algorithm.bound(query, name_match_bound(names, organisation, keys), weights)
                if bound < threshold:
                    continue
            result = algorithm.compare(query, profile.entity, weights)
            if floor is None or result.score > floor:
                scored.append(Hit(profile, result, result.score >= threshold))
        scored.sort(key=lambda hit: -hit.result.score)
        return scored[:limit]

    def gate(
        self, dataset: str, filters: Filters = NO_FILTERS, fields: Sequence[FieldFilter] = ()
    ) -> Callable[[str], bool] | None:
        """Which entities a dataset scope, filters and profile fields let through; None
        when every one."""
        scope = dataset_scope(dataset)
        belarus = dataset == "belarus"
        if scope is None and not belarus and not filters.active and not fields:
            return None

        def admits(entity_id: str) -> bool:
            profile = self.profiles.get(entity_id)
            if profile is None or (scope is not None and profile.dataset not in scope):
                return False
            if belarus and not self.belarus(entity_id):
                return False
            if not filters.admits(profile):
                return False
            return all(f.admits(self.field_values(f.field, profile)) for f in fields)

        return admits

    def candidates(
        self,
        names: Sequence[str],
        schema: str | None,
        pool: int,
        gate: Callable[[str], bool] | None,
        refill: bool = True,
        prefix: bool = False,
    ) -> list[Candidate]:
        """The ``pool`` best candidates the gate lets through. A gate that turns most away
        would leave the pool short, so the index is asked for a deeper list until the pool
        is full or the index has no more (unless not to ``refill``)."""
        depth = pool
        while True:
            found = self.index.candidates(names, schema=schema, limit=depth, prefix=prefix)
            if gate is None:
                return found
            kept = [candidate for candidate in found if gate(candidate.entity_id)]
            if len(kept) >= pool or len(found) < depth or not refill:
                return kept[:pool]
            depth *= 8

    def field_values(
        self, field: str, profile: Profile, entity: StatementEntity | None = None
    ) -> set[str] | frozenset[str]:
        """An entity's values of a yente filter or facet field; all but PROFILE_FIELDS
        need the whole entity."""
        if field == "topics":
            return profile.topics
        if field == "datasets":
            return {profile.dataset}
        if field == "schema":
            return {profile.entity.schema.name}
        if field == "target":
            return {"true" if profile.entity.id in self.listings else "false"}
        if entity is None:
            raise RuntimeError(f"the field {field} needs the whole entity")
        if field.startswith("properties."):
            return set(entity.get(field.removeprefix("properties."), quiet=True))
        return set(entity.get_type_values(ENTITY_FIELDS[field]))

    def _keys(self, profile: Profile, organisation: bool) -> frozenset[str]:
        cache = self._org_keys if organisation else self._person_keys
        keys = cache.get(str(profile.entity.id))
        if keys is None:
            keys = cache[str(profile.entity.id)] = name_keys_of(profile.entity, organisation)
        return keys

    def belarus(self, entity_id: str) -> bool:
        """Is it listed under a Belarus regime somewhere?"""
        return any(listing.belarus for listing in self.listings.get(entity_id, ()))


def _profiles(
    store: Store, ids: Collection[str] | None = None, version: int | None = None
) -> tuple[dict[str, Profile], dict[str, set[str]]]:
    """Per indexed entity (of ``ids``), what the features compare and its last change;
    besides, the topics stated for it."""
    t = statement_table
    found: dict[str, Profile] = {}
    changed: dict[str, str] = {}
    days: dict[str, str] = {}  # one string per day, shared by every entity changed on it
    topics: dict[str, set[str]] = defaultdict(set)
    compared = frozenset(COMPARED)
    columns = ("entity_id", "schema", "prop", "value")
    indexed = t.c.schema.in_(sorted(INDEXED))
    if ids is None:
        rows = store.scan_values(columns, indexed, version=version)
    else:
        wanted = sorted(ids)
        rows = (row for start in range(0, len(wanted), ID_CHUNK)
                for row in store.scan_values(
                    columns, indexed & t.c.entity_id.in_(wanted[start : start + ID_CHUNK]),
                    version=version))  # fmt: skip
    for entity_id, schema, prop, value, dataset, seen, _ in rows:
        if seen > changed.get(entity_id, ""):
            changed[entity_id] = days.setdefault(seen, seen)
        if prop == "topics":
            topics[entity_id].add(value)
        if prop not in compared:
            continue
        profile = found.get(entity_id)
        if profile is None:
            entity = model.make_entity(schema)
            entity.id = entity_id
            profile = found[entity_id] = Profile(entity, dataset)
        entity_prop = profile.entity.schema.properties.get(prop)
        if entity_prop is not None:
            profile.entity.unsafe_add(entity_prop, value, cleaned=True)
    for entity_id, profile in found.items():
        profile.changed = changed.get(entity_id, "")
    return found, dict(topics)


def _listings(store: Store, version: int | None = None) -> dict[str, list[Listing]]:
    """Per target, its sanctions: list, programme, listing date."""
    t = statement_table
    wanted = (t.c.schema == "Sanction") & t.c.prop.in_(("entity", "program", "listingDate"))
    sanctions: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    datasets: dict[str, str] = {}
    for entity_id, prop, value, dataset, *_ in store.scan_values(
        ("entity_id", "prop", "value"), wanted, version=version
    ):
        sanctions[entity_id][prop].append(value)
        datasets[entity_id] = dataset
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


SEARCH_POOL = 500  # the most entities a search finds, counts facets over and pages through


def search(
    matcher: Matcher,
    text: str,
    dataset: str = "default",
    schema: str | None = None,
    countries: frozenset[str] = frozenset(),
    limit: int = 10,
    offset: int = 0,
    filters: Filters = NO_FILTERS,
    fields: Sequence[FieldFilter] = (),
    facets: bool = True,
    prefix: bool = False,
) -> tuple[int, list[StatementEntity], dict[str, dict[str, int]]]:
    """Listed entities whose names share keys with ``text``, best first: the total, one page,
    and (with ``facets``) facet counts (FACETS) over all that were found. With ``prefix``,
    the last word may be unfinished (a search box as one types)."""
    if len(text) > MAX_NAME_CHARS:
        raise ConfigError(f"q is longer than {MAX_NAME_CHARS:,} characters")
    if countries:
        fields = [*fields, FieldFilter("countries", countries)]
    early = [f for f in fields if f.field in PROFILE_FIELDS]
    late = [f for f in fields if f.field not in PROFILE_FIELDS]
    gate = matcher.gate(dataset, filters, early)
    # Fields that need the whole entity are checked once it is loaded: a deeper pool makes
    # up for the candidates they turn away.
    pool = SEARCH_POOL * (4 if late else 1)
    candidates = matcher.candidates([text], schema, pool, gate, prefix=prefix)
    if not facets and not late:  # only the page's entities need loading
        ids = [c.entity_id for c in candidates if c.entity_id in matcher.profiles][:SEARCH_POOL]
        page = ids[offset : offset + limit]
        loaded = {e.id: e for e in matcher.store.entities(page)}
        return len(ids), [loaded[i] for i in page if i in loaded], {}
    found: list[tuple[Profile, StatementEntity]] = []
    for start in range(0, len(candidates), SEARCH_POOL):
        chunk = [c.entity_id for c in candidates[start : start + SEARCH_POOL]]
        entities = {e.id: e for e in matcher.store.entities(chunk)}
        for entity_id in chunk:
            entity = entities.get(entity_id)
            profile = matcher.profiles.get(entity_id)
            if entity is None or profile is None:
                continue
            if all(f.admits(matcher.field_values(f.field, profile, entity)) for f in late):
                found.append((profile, entity))
        if len(found) >= SEARCH_POOL:
            break
    found = found[:SEARCH_POOL]
    counted: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    for profile, entity in found:
        for name, counts in counted.items():
            for value in matcher.field_values(name, profile, entity):
                counts[value] = counts.get(value, 0) + 1
    return len(found), [entity for _, entity in found[offset : offset + limit]], counted
