"""Name pairs for the screening benchmark, built from the real lists.

From the EU Regulation 765/2006 transcription (persons and organisations of the Belarus
annex): a person's Latin name against its own Cyrillic aliases, against its Latin aliases
(the annex gives the Belarusian-Latin name and, as an alias, the Russian-Latin one: Iury
Leanidavich SIVAKAU / Yuri Leonidovich SIVAKOV), surname first, without the patronymic; an
organisation's Latin name against its Cyrillic aliases and with its legal form spelled
another way. Hard negatives: two people of the annex who share a surname, and two
organisations that share a place or a generic word.

From a register (``--db``): the same person on two lists, found by a birth date that only
one Belarus-listed person has on each list; and two Belarus-listed people with the same
surname born years apart.
"""

from __future__ import annotations

import csv
import itertools
import random
import re
from collections import defaultdict
from pathlib import Path

from belwatch.match.features import LEGAL_FORMS as LEGAL
from belwatch.match.names import name_keys
from belwatch.match.service import Matcher

SOURCES = Path(__file__).resolve().parents[2] / "shared" / "data" / "sources"
EU_CSV = SOURCES / "eu_oj_opensanctions" / "32006R0765_latest.csv"
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# (schema, query name, listed name)
Pair = tuple[str, str, str]

LEGAL_FORMS = (
    ("OJSC", "Open Joint Stock Company", "OAO", "JSC"),
    ("CJSC", "Closed Joint Stock Company", "ZAO"),
    ("LLC", "Limited Liability Company", "OOO", "Ltd"),
    ("RUE", "Republican Unitary Enterprise", "RUP"),
    ("UE", "Unitary Enterprise", "UP"),
)
SHARED_WORDS = re.compile(
    r"\b(minsk|belarus|belarusian|grodno|hrodna|gomel|homiel|brest|vitebsk|viciebsk|mogilev|"
    r"mahiliou|plant|bank|group|holding|trading|company|national|state)\b",
    re.IGNORECASE,
)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def eu_pairs() -> dict[str, list[Pair]]:
    with EU_CSV.open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["name"]]
    pairs: dict[str, list[Pair]] = defaultdict(list)
    by_surname: dict[str, list[str]] = defaultdict(list)
    for row in (r for r in rows if r["schema"] == "Person"):
        name, aliases = row["name"], _split(row["alias"])
        for alias in aliases:
            kind = "cyrillic vs latin" if CYRILLIC.search(alias) else "belarusian vs russian latin"
            if alias.casefold() != name.casefold():
                pairs[kind].append(("Person", alias, name))
        parts = name.split()
        if len(parts) >= 2:
            pairs["surname first"].append(("Person", f"{parts[-1]}, {' '.join(parts[:-1])}", name))
        if len(parts) == 3:
            pairs["no patronymic"].append(("Person", f"{parts[0]} {parts[2]}", name))
        if keys := name_keys(name):
            by_surname[keys[-1]].append(name)
    for names in by_surname.values():
        for a, b in itertools.pairwise(sorted(set(names))):
            if name_keys(a)[:1] != name_keys(b)[:1]:  # different given names
                pairs["negative: same surname"].append(("Person", a, b))
    organisations = [r for r in rows if r["schema"] != "Person"]
    for row in organisations:
        for alias in _split(row["alias"]):
            if CYRILLIC.search(alias):
                pairs["company: cyrillic vs latin"].append(("Company", alias, row["name"]))
        pairs["company: legal form"].extend(
            ("Company", variant, row["name"]) for variant in legal_form_variants(row["name"])
        )
    random.seed(3)
    negatives = [
        ("Company", a["name"], b["name"])
        for a, b in itertools.combinations(organisations, 2)
        if {w.casefold() for w in SHARED_WORDS.findall(a["name"])}
        & {w.casefold() for w in SHARED_WORDS.findall(b["name"])}
        and _distinct(a["name"], b["name"])
    ]
    pairs["negative: company, shared word"] = random.sample(negatives, min(300, len(negatives)))
    return pairs


def _distinct(a: str, b: str) -> bool:
    """Not one body listed twice: the names differ beyond legal forms and punctuation."""
    return {k for k in name_keys(a) if k not in LEGAL} != {
        k for k in name_keys(b) if k not in LEGAL
    }


def legal_form_variants(name: str) -> list[str]:
    """The name with its legal form written the other ways, moved to the other end, and
    left out ("AGAT electromechanical Plant OJSC": "Open Joint Stock Company AGAT ...")."""
    for forms in LEGAL_FORMS:
        for form in forms:
            pattern = re.compile(rf"(^|\s){re.escape(form)}(\s|$)")
            if pattern.search(name):
                bare = pattern.sub(" ", name).strip()
                return [f"{other} {bare}" for other in forms if other != form] + [
                    f"{bare} {form}" if name.startswith(form) else f"{form} {bare}",
                    bare,
                ]
    return []


def register_pairs(matcher: Matcher) -> tuple[dict[str, list[Pair]], list[tuple[str, str]]]:
    """Cross-list pairs from a register, and for each positive pair the (query name, listed
    entity id) to look up through the whole matcher."""
    people: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    latin: dict[str, str] = {}
    born: dict[str, set[str]] = {}
    for entity_id, profile in matcher.profiles.items():
        entity = profile.entity
        if entity.schema.name != "Person" or not matcher.belarus(entity_id):
            continue
        names = [n for n in entity.get("name") if not CYRILLIC.search(n)]
        dates = {d for d in entity.get("birthDate") if len(d) == 10}
        if names and dates:
            latin[entity_id], born[entity_id] = names[0], dates
            for day in dates:
                people[day][profile.dataset].append(entity_id)
    pairs: dict[str, list[Pair]] = defaultdict(list)
    lookups: list[tuple[str, str]] = []
    for by_list in people.values():
        alone = sorted(ids[0] for ids in by_list.values() if len(ids) == 1)
        for a, b in itertools.combinations(alone, 2):
            if latin[a].casefold() != latin[b].casefold():
                pairs["across lists (same birth date)"].append(("Person", latin[a], latin[b]))
                lookups.append((latin[a], b))
    by_surname: dict[str, list[str]] = defaultdict(list)
    for entity_id, name in latin.items():
        if keys := name_keys(name):
            by_surname[keys[-1]].append(entity_id)
    for ids in by_surname.values():
        for a, b in itertools.combinations(sorted(ids), 2):
            years_a, years_b = ({int(d[:4]) for d in born[x]} for x in (a, b))
            apart = min(abs(x - y) for x in years_a for y in years_b) > 1
            if apart and name_keys(latin[a])[:1] != name_keys(latin[b])[:1]:
                pairs["negative: across lists, same surname"].append(("Person", latin[a], latin[b]))
    return pairs, lookups
