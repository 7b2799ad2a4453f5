"""yente's result filters (include/exclude dataset, exclude_schema, topics, changed_since)
and field filters (``filter=field:value``), checked against in-memory profiles."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from followthemoney import model
from followthemoney.types import registry

from belwatch.exc import ConfigError
from belwatch.sources.datasets import DATASETS

if TYPE_CHECKING:
    from belwatch.match.service import Profile


@dataclass(frozen=True)
class Filters:
    """yente's result filters, checked against each candidate's profile before it is scored
    or loaded. Datasets are the lists an entity is on; schemata compare by exact name, as
    yente's do; ``topics`` keeps an entity with any of them; ``changed_since`` is a day."""

    include_datasets: frozenset[str] = frozenset()
    exclude_datasets: frozenset[str] = frozenset()
    exclude_schemata: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()
    changed_since: str | None = None
    exclude_ids: frozenset[str] = frozenset()

    @classmethod
    def make(
        cls,
        include_dataset: Iterable[str] = (),
        exclude_dataset: Iterable[str] = (),
        exclude_schema: Iterable[str] = (),
        topics: Iterable[str] = (),
        changed_since: str | None = None,
        exclude_ids: Iterable[str] = (),
    ) -> Filters:
        """Filters from request values: a list or schema belwatch does not know, or a
        ``changed_since`` that is not a date, is a ConfigError."""
        exclude_schema = frozenset(exclude_schema)
        for name in sorted(exclude_schema):
            if model.get(name) is None:
                raise ConfigError(f"unknown schema {name!r} in exclude_schema")
        return cls(
            known_datasets(include_dataset, "include_dataset"),
            known_datasets(exclude_dataset, "exclude_dataset"),
            exclude_schema,
            frozenset(topics),
            None if changed_since is None else _day(changed_since, "changed_since"),
            frozenset(exclude_ids),
        )

    @property
    def active(self) -> bool:
        return self != NO_FILTERS

    def admits(self, profile: Profile) -> bool:
        if self.include_datasets and profile.dataset not in self.include_datasets:
            return False
        if profile.dataset in self.exclude_datasets:
            return False
        if profile.entity.schema.name in self.exclude_schemata:
            return False
        if self.topics and self.topics.isdisjoint(profile.topics):
            return False
        if self.changed_since is not None and profile.changed < self.changed_since:
            return False
        return profile.entity.id not in self.exclude_ids


NO_FILTERS = Filters()

# The fields /search filters and counts facets on, as yente names them (and, for filters,
# "properties.<name>"). The first four are known from the profile, so they are checked
# before an entity is loaded; the rest need the whole entity.
PROFILE_FIELDS = ("topics", "datasets", "schema", "target")
ENTITY_FIELDS = {
    "countries": registry.country,
    "identifiers": registry.identifier,
    "genders": registry.gender,
}
FACETS = ("countries", "datasets", "schema", "topics", "identifiers", "genders")


@dataclass(frozen=True)
class FieldFilter:
    """One of yente's field filters: the entity's values of ``field`` include any of
    ``values`` (or, with ``every``, all of them)."""

    field: str
    values: frozenset[str]
    every: bool = False

    def admits(self, found: set[str] | frozenset[str]) -> bool:
        return self.values <= found if self.every else not self.values.isdisjoint(found)


def field_filters(pairs: Iterable[tuple[str, str]], every: bool = False) -> list[FieldFilter]:
    """One filter per field from (field, value) pairs such as ("countries", "by") or
    ("properties.birthDate", "1954-08-30"); a field or value that cannot match is a
    ConfigError."""
    grouped: dict[str, set[str]] = defaultdict(set)
    for name, value in pairs:
        grouped[name].add(_field_value(name, value))
    return [FieldFilter(name, frozenset(values), every) for name, values in grouped.items()]


def _field_value(name: str, value: str) -> str:
    if name.startswith("properties."):
        prop = name.removeprefix("properties.")
        if not any(prop in schema.properties for schema in model.schemata.values()):
            raise ConfigError(f"cannot filter on {name!r}: no schema has a property {prop!r}")
        return value
    if name == "countries":
        return value.lower()
    if name == "datasets":
        known_datasets([value], "datasets")
    if name == "schema" and model.get(value) is None:
        raise ConfigError(f"unknown schema {value!r} in filter")
    if name == "target" and value not in ("true", "false"):
        raise ConfigError(f"target is true or false, not {value!r}")
    if name not in (*PROFILE_FIELDS, *ENTITY_FIELDS):
        fields = ", ".join([*PROFILE_FIELDS, *ENTITY_FIELDS, "properties.<name>"])
        raise ConfigError(f"cannot filter on {name!r}; fields: {fields}")
    return value


def known_datasets(names: Iterable[str], parameter: str) -> frozenset[str]:
    found = frozenset(names)
    for name in sorted(found):
        if name not in DATASETS:
            known = ", ".join(DATASETS)
            raise ConfigError(f"unknown dataset {name!r} in {parameter}; lists: {known}")
    return found


def _day(value: str, parameter: str) -> str:
    """The day of a yente timestamp (2025-01-31 or 2025-01-31T12:00): the register records
    when it saw a statement to the day."""
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        raise ConfigError(f"{parameter} {value!r} is not a date (YYYY-MM-DD)") from None
