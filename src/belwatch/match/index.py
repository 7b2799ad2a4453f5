"""The candidate index: which listed entities share name keys with a query.

Built in-process from the register's name statements (no search server). Each matchable
listed entity is indexed under the skeleton keys of all its names in every script; a query's
candidates are ranked by the share of its keys' weight they cover, keys weighted by rarity
(a surname shared by three targets says more than "company"). Scoring a candidate properly is
the matcher's job; the index only has to not miss it.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from followthemoney import model

from belwatch.match.names import name_key
from belwatch.match.names.keys import name_tokens
from belwatch.store import Store
from belwatch.store.schema import statement_table
from belwatch.store.sql import NAME_PROPS

# Schemata a screening query can be about: people, organisations, vessels, aircraft.
INDEXED = frozenset(
    name for name, schema in model.schemata.items()
    if schema.is_a("LegalEntity") or name in ("Vessel", "Airplane")
)  # fmt: skip


COMMON = 300  # entities sharing a key that make it common (see NameIndex.candidates)
PREFIX_KEYS = 2_000  # the most keys a typed word's beginning stands for
MIN_PREFIX = 3  # letters of a word's key before it is completed


@lru_cache(maxsize=500_000)
def token_key(token: str) -> str:
    return name_key(token)


def keys_of(names: Iterable[str]) -> set[str]:
    return {
        key for name in names for token in name_tokens(name) if len(key := token_key(token)) > 1
    }


@dataclass(frozen=True)
class Candidate:
    entity_id: str
    schema: str
    score: float  # share of the query's key weight this entity covers, 0..1
    keys: tuple[str, ...]  # the query keys it shares


class NameIndex:
    def __init__(self) -> None:
        self.ids: list[str] = []
        self.schemata: list[str] = []
        self.sizes: list[int] = []  # keys in the entity's shortest name: ranks ties
        self.keysets: list[frozenset[str]] = []  # every key of the entity's names
        self.postings: dict[str, list[int]] = defaultdict(list)
        self._position: dict[str, int] = {}
        self._sorted_keys: list[str] | None = None  # for completing a word being typed

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, entity_id: str, schema: str, names: Iterable[str]) -> None:
        position = self._position.get(entity_id)
        if position is None:
            position = self._position[entity_id] = len(self.ids)
            self.ids.append(entity_id)
            self.schemata.append(schema)
            self.sizes.append(1_000)
            self.keysets.append(frozenset())
        per_name = [keys_of([name]) for name in names]
        self.sizes[position] = min([self.sizes[position], *(len(k) for k in per_name if k)])
        keys = set().union(*per_name)
        self.keysets[position] = self.keysets[position] | keys
        self._sorted_keys = None
        for key in keys:
            postings = self.postings[key]
            if not postings or postings[-1] != position:
                postings.append(position)

    def weight(self, key: str) -> float:
        """Rarer keys weigh more (inverse document frequency)."""
        found = len(self.postings.get(key, ()))
        return math.log(1 + len(self.ids) / (1 + found))

    def completions(self, word: str) -> list[str]:
        """The keys a word being typed may become: those its key begins (Лукаш, Lukash ->
        lukashanka), shortest first; none for a word shorter than MIN_PREFIX letters."""
        key = token_key(word)
        if len(key) < MIN_PREFIX:
            return []
        if self._sorted_keys is None:
            self._sorted_keys = sorted(self.postings)
        keys = self._sorted_keys
        found: list[str] = []
        for position in range(bisect.bisect_left(keys, key), len(keys)):
            if not keys[position].startswith(key) or len(found) >= PREFIX_KEYS:
                break
            found.append(keys[position])
        return sorted(found, key=len)

    def candidates(
        self,
        names: Sequence[str],
        schema: str | None = None,
        limit: int = 20,
        prefix: bool = False,
    ) -> list[Candidate]:
        """The entities sharing most of the query names' key weight, best first. With
        ``prefix``, the last word is taken as still being typed: it matches every key it
        begins (an entity counts the best of them once)."""
        query = keys_of(names)
        completed: list[str] = []
        if prefix and names and (words := name_tokens(names[-1])):
            completed = self.completions(words[-1])
            if completed:
                query.discard(token_key(words[-1]))
        if not query and not completed:
            return []
        wanted = model.get(schema) if schema else None
        total = sum(self.weight(key) for key in query)
        scores: dict[int, float] = {}
        if completed:
            # The typed word weighs as its rarest completion, for every entity that has one;
            # the completions more entities share come first (Lukash: Lukashenka's family
            # before a single Lukashevich).
            top = max(self.weight(key) for key in completed)
            most = max(len(self.postings.get(key, ())) for key in completed)
            typed = token_key(name_tokens(names[-1])[-1])
            best: dict[int, float] = {}
            for key in completed:
                postings = self.postings.get(key, ())
                # A word typed whole first, then the completions more entities share.
                weight = top * (1 + (0.02 if key == typed else 0.01 * len(postings) / most))
                for position in postings:
                    if weight > best.get(position, 0.0):
                        best[position] = weight
            total += top
            scores = best
        # Rarest keys first. A key common to thousands of entities (Aliaksandr, Company)
        # only adds to entities a rarer key of the query found, unless every key is common:
        # an entity sharing nothing but a common given name is no candidate.
        ordered = sorted(query, key=lambda key: len(self.postings.get(key, ())))
        for number, key in enumerate(ordered):
            weight = self.weight(key)
            postings = self.postings.get(key, ())
            if (number or completed) and len(postings) > COMMON and scores:
                for position in postings:
                    if position in scores:
                        scores[position] += weight
                continue
            for position in postings:
                scores[position] = scores.get(position, 0.0) + weight
        found = []
        # Equal cover: the entity with the shortest name first (Barzan Ibrahim Hassan
        # AL-TIKRITI before his children, whose names hold his).
        sizes = self.sizes
        ranked = [(-score, sizes[position], position) for position, score in scores.items()]
        if len(ranked) > 4 * limit:
            ranked = heapq.nsmallest(4 * limit, ranked)  # what the schema check may spare
        else:
            ranked.sort()
        for negative, _, position in ranked:
            score = -negative
            entity_schema = model.get(self.schemata[position])
            if (
                wanted is not None
                and entity_schema is not None
                and not _compatible(wanted.name, entity_schema.name)
            ):
                continue
            shared = (query | set(completed)) & self.keysets[position]
            found.append(Candidate(self.ids[position], self.schemata[position],
                                   min(score / total, 1.0), tuple(sorted(shared))))  # fmt: skip
            if len(found) >= limit:
                break
        return found

    @classmethod
    def from_store(cls, store: Store, as_of: str | None = None) -> NameIndex:
        """Every listed person, organisation, vessel and aircraft with all its names."""
        t = statement_table
        names: dict[str, list[str]] = defaultdict(list)
        schemata: dict[str, str] = {}
        for stmt in store.scan(t.c.prop.in_(NAME_PROPS) & t.c.schema.in_(sorted(INDEXED)), as_of):
            names[stmt.entity_id].append(stmt.value)
            schemata[stmt.entity_id] = stmt.schema
        index = cls()
        for entity_id, values in names.items():
            index.add(entity_id, schemata[entity_id], values)
        return index


def _compatible(query: str, found: str) -> bool:
    """A Person query can hit a Person or a LegalEntity, not a Vessel or a Company."""
    a, b = model.get(query), model.get(found)
    if a is None or b is None:
        return True
    return a.is_a(b.name) or b.is_a(a.name)
