"""People and companies the reasons for listing name: "a shareholder of ‘Bremino Group’",
"his son Viktar Lukashenka". Each name is looked up on every list; found there, it ties the
target to that entry; found nowhere, it is a lead (media, awards and products among them,
for a person to judge)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from followthemoney import EntityProxy
from followthemoney.types import registry

from belwatch.match.algorithms import get_algorithm
from belwatch.match.features import name_forms, name_keys_of
from belwatch.match.service import Matcher, make_query
from belwatch.store import Store
from belwatch.store.schema import statement_table

# Quoted names, and relatives named after "his"/"her"; awards and phrases in quotes are left
# out by the capitals rule below.
QUOTED = re.compile(r"[‘“«\"]([^’”»\"]{2,80})[’”»\"]")
RELATIVE = re.compile(
    r"\b(?:his|her)\s+(son|daughter|wife|husband|brother|sister|father|mother|spouse)s?,?\s+"
    r"([A-Z][^\s,.;()]+(?:\s+[A-Z][^\s,.;()]+){1,3})"
)
NOT_A_NAME = re.compile(r"^(for|the|in|an?|to|on|of)\b", re.IGNORECASE)
NAMED = "named in the reasons for listing"
LINKED = 0.9  # the score at which a quoted name is taken to be that entry of a list


@dataclass
class Named:
    """A name one sanction's reasons give for its target."""

    sanction_id: str
    dataset: str
    target: str  # the target's entry
    name: str
    relation: str  # son, wife, ... or NAMED
    sentence: str
    on_list: bool  # the matcher finds it on some list
    entry: str | None  # that entry, where the match is sure enough to link to it

    @property
    def schema(self) -> str:
        return "LegalEntity" if self.relation == NAMED else "Person"


def candidate_names(reason: str) -> Iterator[tuple[str, str, str]]:
    """(name, relation, sentence) for each name a reason quotes or gives as a relative."""
    for sentence in re.split(r"(?<=[.;])\s+", reason):
        for match in QUOTED.finditer(sentence):
            name = match.group(1).strip(" ,")
            words = name.split()
            capitalised = sum(word[:1].isupper() or word[:1].isdigit() for word in words)
            if 0 < len(words) <= 6 and capitalised * 2 > len(words) and not NOT_A_NAME.match(name):
                yield name, NAMED, sentence.strip()
        for match in RELATIVE.finditer(sentence):
            yield match.group(2), match.group(1), sentence.strip()


def names_itself(name: str, entity: EntityProxy) -> bool:
    """Does a quoted name only repeat the target's own (KAZAKOV, BMC)?"""
    organisation = not entity.schema.is_a("Person")
    own = name_keys_of(entity, organisation)
    keys = {key for _, tokens in name_forms([name], organisation) for key, _ in tokens}
    letters = re.sub(r"\W", "", name).casefold()
    initials = {
        "".join(word[0] for word in re.findall(r"\w+", caption.casefold()))
        for caption in entity.get_type_values(registry.name)
    }
    return (bool(keys) and keys <= own) or (
        len(letters) >= 2 and any(letters in found for found in initials)
    )


def named_in_reasons(
    store: Store, matcher: Matcher, as_of: str | None = None, targets: set[str] | None = None
) -> list[Named]:
    """Every name the reasons for listing give (of these targets' sanctions, or all), once
    per target, with what the matcher finds of it."""
    t = statement_table
    wanted = (t.c.schema == "Sanction") & t.c.prop.in_(("entity", "reason"))
    props: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    datasets: dict[str, str] = {}
    for sanction_id, prop, value, dataset, *_ in store.scan_values(
        ("entity_id", "prop", "value"), wanted, as_of
    ):
        props[sanction_id][prop].append(value)
        datasets[sanction_id] = dataset
    algorithm = get_algorithm(None)
    verdicts: dict[str, tuple[bool, str | None]] = {}
    found: dict[tuple[str, str], Named] = {}
    for sanction_id, values in sorted(props.items()):
        entities = [e for e in values["entity"] if targets is None or e in targets]
        if not entities or not values["reason"]:
            continue
        target = entities[0]
        profile = matcher.profiles.get(target)
        for reason in values["reason"]:
            for name, relation, sentence in candidate_names(reason):
                if (name, target) in found:
                    continue
                if profile is not None and names_itself(name, profile.entity):
                    continue
                if name not in verdicts:
                    query = make_query({"schema": "LegalEntity", "properties": {"name": [name]}})
                    hits = matcher.match(query, algorithm, limit=1, load=False,
                                         only_matches=True)  # fmt: skip
                    sure = [h.entity_id for h in hits if h.result.score >= LINKED]
                    verdicts[name] = (any(h.match for h in hits), sure[0] if sure else None)
                on_list, entry = verdicts[name]
                if entry == target:
                    continue
                found[name, target] = Named(sanction_id, datasets[sanction_id], target, name,
                                            relation, sentence[:400], on_list, entry)  # fmt: skip
    return list(found.values())
