"""Cross-list resolution: which entries of different lists are one real target.

Every listed target is screened against the targets of the other lists with the matching
engine; each pair it finds gets an automatic judgement (``judge``). Entries are then grouped
by the judgements in force, a person's over the resolver's (``group``): the groups are the
canonical targets, each known by the ids of its entries (FtM ``referents``), the way
OpenSanctions merges. A re-run replaces the resolver's judgements and never a person's.
"""

from __future__ import annotations

import hashlib
import itertools
import multiprocessing
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from belwatch.match.algorithms import Algorithm, MatchResult, get_algorithm
from belwatch.match.features import best_names, name_forms
from belwatch.match.filters import Filters
from belwatch.match.service import Matcher, Profile
from belwatch.resolve.decisions import (
    NOT_SAME,
    SAME,
    UNSURE,
    USER,
    Decision,
    effective,
    pair,
    replace_automatic,
)
from belwatch.store import Store

RESOLVER = "belwatch-resolver-v1"
SURE = 0.9  # at or above: the same target (names and a date of birth or an identifier agree)
CONFLICTS = ("dob_conflict", "country_conflict", "gender_conflict")
CHUNK = 500
# Candidates per target: one target's entries on the other lists share its rarest name keys
# and come first; at most nine lists carry one target.
POOL = 12


def judge(result: MatchResult, query: Profile, other: Profile, threshold: float) -> str | None:
    """The resolver's judgement on a pair the matcher scored:

    * same: a score of SURE or more, or names that agree in full with no conflicting date,
      country or gender, where the agreeing name is a person's in three parts or more (a
      patronymic makes namesakes rare) or an organisation's in two words or more (one short
      word, an acronym like LAT, says too little);
    * unsure (for review): such names with a conflict, and any other score at the matcher's
      threshold;
    * none below it.
    """
    if result.score >= SURE:
        return SAME
    names_agree = result.features.get("name_match", 0.0) >= 0.849
    conflict = any(name in result.features for name in CONFLICTS)
    if names_agree:
        _, name, _, size = best_names(query.entity, other.entity)
        person = query.entity.schema.is_a("Person")
        if size >= (3 if person else 2) or (not person and len(name) >= 8):
            # Full names that agree despite a conflict (born 1975 here, 1976 there) are for
            # a person to judge.
            return UNSURE if conflict else SAME
    return UNSURE if result.score >= threshold else None


@dataclass
class Resolution:
    """Canonical targets: each group of entries judged to be one target."""

    groups: dict[str, list[str]] = field(default_factory=dict)  # canonical id -> entry ids
    canonical_of: dict[str, str] = field(default_factory=dict)  # entry id -> canonical id

    def canonical(self, entity_id: str) -> str:
        return self.canonical_of.get(entity_id, entity_id)

    def members(self, entity_id: str) -> list[str]:
        return self.groups.get(self.canonical(entity_id), [entity_id])


def canonical_id(members: Iterable[str]) -> str:
    """A group's id: stable while its first entry stays in it."""
    return "bw-" + hashlib.sha1(min(members).encode()).hexdigest()[:24]


def group(entries: dict[str, str], decisions: dict[tuple[str, str], Decision]) -> Resolution:
    """Group entries (id -> dataset) by the 'same' judgements in force. A person's judgements
    are applied first, then one list's duplicates; an automatic 'same' is not followed where
    it would put two entries of one list (not judged duplicates), or two entries a person
    judged not the same, into one group."""
    parent = {entity_id: entity_id for entity_id in entries}
    datasets = {entity_id: {dataset} for entity_id, dataset in entries.items()}
    apart: dict[str, set[str]] = {entity_id: set() for entity_id in entries}
    for (a, b), decision in decisions.items():
        if decision.judgement == NOT_SAME and a in apart and b in apart:
            apart[a].add(b)
            apart[b].add(a)
    members = {entity_id: {entity_id} for entity_id in entries}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def ordered(item: tuple[tuple[str, str], Decision]) -> tuple[int, float]:
        (a, b), decision = item
        if decision.source == USER:
            return (0, 0.0)
        twice = a in entries and b in entries and entries[a] == entries[b]
        return (1 if twice else 2, -(decision.score or 0.0))

    for (a, b), decision in sorted(decisions.items(), key=ordered):
        if decision.judgement != SAME or a not in parent or b not in parent:
            continue
        ra, rb = root(a), root(b)
        if ra == rb:
            continue
        if apart[ra] & members[rb]:
            continue
        twice = entries[a] == entries[b]  # one list's duplicates, judged as such
        if decision.source != USER and not twice and datasets[ra] & datasets[rb]:
            continue
        parent[rb] = ra
        members[ra] |= members.pop(rb)
        datasets[ra] |= datasets.pop(rb)
        apart[ra] |= apart.pop(rb)
    resolution = Resolution()
    for ids in members.values():
        if len(ids) > 1:
            key = canonical_id(ids)
            resolution.groups[key] = sorted(ids)
            for entity_id in ids:
                resolution.canonical_of[entity_id] = key
    return resolution


def targets(matcher: Matcher) -> dict[str, str]:
    """The listed targets the resolver groups: entry id -> its list."""
    return {
        entity_id: profile.dataset
        for entity_id, profile in matcher.profiles.items()
        if entity_id in matcher.listings
    }


# The matcher a forked worker inherits from its parent (set only while a pool runs).
_MATCHER: Matcher | None = None


def _judge_chunk(ids: list[str]) -> list[Decision]:
    assert _MATCHER is not None
    return list(_candidates(_MATCHER, ids, get_algorithm(None)))


def _candidates(matcher: Matcher, ids: list[str], algorithm: Algorithm) -> Iterator[Decision]:
    for entity_id in ids:
        profile = matcher.profiles[entity_id]
        filters = Filters(exclude_datasets=frozenset({profile.dataset}))
        hits = matcher.match(profile.entity, algorithm, limit=5, load=False,
                             filters=filters, only_matches=True, refill=False,
                             pool=POOL)  # fmt: skip
        for hit in hits:
            if hit.entity_id not in matcher.listings:
                continue
            judgement = judge(hit.result, profile, hit.profile, algorithm.threshold)
            if judgement is not None:
                left, right = pair(entity_id, hit.entity_id)
                reason = " | ".join(hit.result.explanations)
                yield Decision(left, right, judgement, hit.result.score, "auto", RESOLVER,
                               reason)  # fmt: skip


def resolve(
    store: Store,
    matcher: Matcher | None = None,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> tuple[Resolution, dict[str, int]]:
    """Judge every pair of listed targets on different lists the matcher finds, store the
    judgements (replacing the last run's automatic ones) and group the targets. Returns the
    grouping and counts of what was decided; ``progress`` is told of each chunk of
    CHUNK targets judged."""
    matcher = matcher or Matcher(store)
    entries = targets(matcher)
    ids = sorted(entries)
    chunks = [ids[start : start + CHUNK] for start in range(0, len(ids), CHUNK)]
    found: dict[tuple[str, str], Decision] = {}
    for decisions in _run(matcher, chunks, workers):
        for decision in decisions:
            current = found.get(decision.pair)
            if current is None or (decision.score or 0) > (current.score or 0):
                found[decision.pair] = decision
        if progress is not None:
            progress(1)
    for decision in _duplicates(matcher, entries, get_algorithm(None)):
        found[decision.pair] = decision
    replace_automatic(store, found.values())
    resolution = group(entries, effective(store))
    counts = {
        "targets": len(entries),
        "same": sum(d.judgement == SAME for d in found.values()),
        "unsure": sum(d.judgement == UNSURE for d in found.values()),
        "groups": len(resolution.groups),
        "grouped entries": sum(len(m) for m in resolution.groups.values()),
    }
    return resolution, counts


def _duplicates(
    matcher: Matcher, entries: dict[str, str], algorithm: Algorithm
) -> Iterator[Decision]:
    """Targets one list holds twice (the EU's asset-freeze and export annexes, Canada's two
    Belarus schedules): entries of one list whose names, legal forms aside, are the same
    words, judged the same when nothing conflicts and, for people, a date of birth or an
    identifier agrees too."""
    buckets: dict[tuple[str, tuple[str, ...]], list[str]] = defaultdict(list)
    for entity_id, dataset in entries.items():
        entity = matcher.profiles[entity_id].entity
        names = entity.get("name")[:1]  # the entry's own name, not the aliases it shares
        forms = name_forms(names, not entity.schema.is_a("Person"))
        keys = tuple(sorted(key for _, tokens in forms[:1] for key, _ in tokens))
        if len(keys) >= 2 or sum(map(len, keys)) >= 8:
            buckets[dataset, keys].append(entity_id)
    seen: set[tuple[str, str]] = set()
    for ids in buckets.values():
        if not 2 <= len(ids) <= 4:  # a common name many entries share is no duplicate
            continue
        for a, b in itertools.combinations(sorted(set(ids)), 2):
            if (a, b) in seen:
                continue
            seen.add((a, b))
            query, other = matcher.profiles[a], matcher.profiles[b]
            result = algorithm.compare(query.entity, other.entity)
            conflict = any(name in result.features for name in CONFLICTS)
            person = query.entity.schema.is_a("Person")
            if conflict or (person and result.score < SURE):
                continue
            reason = " | ".join(["listed twice by one list", *result.explanations])
            yield Decision(a, b, SAME, result.score, "auto", RESOLVER, reason)


def _run(matcher: Matcher, chunks: list[list[str]], workers: int) -> Iterator[list[Decision]]:
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        algorithm = get_algorithm(None)
        for chunk in chunks:
            yield list(_candidates(matcher, chunk, algorithm))
        return
    global _MATCHER
    _MATCHER = matcher
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield from pool.imap(_judge_chunk, chunks)
    finally:
        _MATCHER = None


def load_resolution(store: Store, matcher: Matcher) -> Resolution:
    """The grouping the stored judgements make, without judging anything anew."""
    return group(targets(matcher), effective(store))
