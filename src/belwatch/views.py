"""Entities as the API and the web pages show them: yente's shape, with adjacent entities
(sanctions, addresses, links) nested one level deep."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from followthemoney import StatementEntity

from belwatch.exc import NotFound
from belwatch.store import Store


@dataclass
class EntityView:
    entity: StatementEntity
    adjacent: dict[str, list[StatementEntity]]  # property name -> entities (forward and reverse)
    target: bool
    listed: bool  # False when every list that had it has dropped it

    def to_dict(self) -> dict[str, Any]:
        data = entity_dict(self.entity, target=self.target)
        props: dict[str, list[Any]] = dict(data["properties"])
        for prop, others in self.adjacent.items():
            props[prop] = [_nested(other, self.entity.id) for other in others]
        data["properties"] = props
        return data


def entity_dict(entity: StatementEntity, target: bool = False) -> dict[str, Any]:
    data = entity.to_dict()
    data["target"] = target
    data["referents"] = sorted(r for r in data.get("referents", []) if r)
    data["datasets"] = sorted(data.get("datasets", []))
    return data


def _nested(entity: StatementEntity, parent_id: str | None) -> dict[str, Any]:
    data = entity_dict(entity)
    props = {}
    for name, values in data["properties"].items():
        prop = entity.schema.properties.get(name)
        if prop is not None and prop.type.name == "entity":
            values = [v for v in values if v != parent_id]
            if not values:
                continue
        props[name] = values
    data["properties"] = props
    return data


def entity_view(store: Store, entity_id: str, as_of: str | None = None) -> EntityView:
    """An entity with the entities it points at and those that point at it."""
    try:
        entity, listed = store.entity(entity_id, as_of=as_of), True
    except NotFound:
        entity, listed = store.entity(entity_id, current=False), False
    adjacent: dict[str, list[StatementEntity]] = {}
    forward: dict[str, str] = {}
    for prop, value in entity.itervalues():
        if prop.type.name == "entity":
            forward[value] = prop.name
    if forward:
        for other in store.entities(forward, as_of=as_of, current=listed):
            if other.id is not None:
                adjacent.setdefault(forward[other.id], []).append(other)
    target = False
    for other in store.referencing(entity_id, as_of=as_of, current=listed):
        for prop, value in other.itervalues():
            if prop.type.name == "entity" and value == entity_id and prop.reverse is not None:
                adjacent.setdefault(prop.reverse.name, []).append(other)
                target = target or other.schema.is_a("Sanction")
    return EntityView(entity, adjacent, target, listed)
