"""The review queue: pairs the resolver was unsure of, side by side with their evidence."""

from __future__ import annotations

from dataclasses import dataclass

from followthemoney import StatementEntity
from followthemoney.types import registry

from belwatch.resolve.decisions import UNSURE, Decision, effective
from belwatch.store import Store

# What a reviewer compares, in this order.
EVIDENCE = ("name", "alias", "birthDate", "birthPlace", "gender", "nationality", "country",
            "passportNumber", "idNumber", "registrationNumber", "innCode", "taxNumber",
            "position")  # fmt: skip


@dataclass
class Side:
    entity_id: str
    dataset: str
    caption: str
    facts: dict[str, list[str]]


@dataclass
class ReviewItem:
    decision: Decision
    left: Side
    right: Side


def side(entity: StatementEntity) -> Side:
    facts: dict[str, list[str]] = {}
    for name in EVIDENCE:
        prop = entity.schema.properties.get(name)
        if prop is not None and (values := entity.get(prop)):
            facts[prop.label] = sorted(
                prop.type.caption(v) or v if prop.type == registry.country else v for v in values
            )
    dataset = sorted(entity.datasets)[0] if entity.datasets else ""
    return Side(str(entity.id), dataset, entity.caption, facts)


def queue(store: Store, limit: int = 50, offset: int = 0) -> tuple[int, list[ReviewItem]]:
    """The pairs whose judgement in force is 'unsure', most likely first: their number and
    one page of them with both entries' evidence."""
    unsure = sorted(
        (d for d in effective(store).values() if d.judgement == UNSURE),
        key=lambda d: (-(d.score or 0.0), d.pair),
    )
    page = unsure[offset : offset + limit]
    ids = [entity_id for d in page for entity_id in d.pair]
    entities = {str(e.id): e for e in store.entities(ids, current=False)}
    items = [
        ReviewItem(d, side(entities[d.left_id]), side(entities[d.right_id]))
        for d in page
        if d.left_id in entities and d.right_id in entities
    ]
    return len(unsure), items
