"""Designation proposals: for each official the repression register names (judges,
prosecutors, investigators), the cases that are the evidence, and whether each jurisdiction
already lists the person, found by the matching engine in every script and spelling."""

from __future__ import annotations

import weakref
from collections import defaultdict
from dataclasses import dataclass, field

from belwatch.match.algorithms import get_algorithm
from belwatch.match.service import Matcher
from belwatch.register.cases import ROLES
from belwatch.register.records import Actor, Record, Repression
from belwatch.sources.datasets import DATASETS
from belwatch.store import Store

NOWHERE, SOME, ALL = "listed nowhere", "listed only by some", "listed by all"


@dataclass
class Evidence:
    case_id: str
    case: str
    role: str
    date: str
    court: str
    articles: list[str]
    sentence: str
    sources: list[str]


@dataclass
class Hit:
    entity_id: str
    caption: str
    score: float
    jurisdiction: str
    dataset: str


@dataclass
class Proposal:
    official: Record
    roles: list[str]
    evidence: list[Evidence]
    listed_by: list[str]  # jurisdictions listing the person
    not_listed_by: list[str]  # jurisdictions with a list in the register that do not
    hits: list[Hit] = field(default_factory=list)

    @property
    def status(self) -> str:
        if not self.listed_by:
            return NOWHERE
        return SOME if self.not_listed_by else ALL


def jurisdictions(store: Store) -> list[str]:
    """The jurisdictions whose lists the register holds (the UN has no Belarus regime, and
    lists of trade restrictions name no persons to freeze)."""
    found = {
        DATASETS[v.dataset].jurisdiction
        for v in store.versions()
        if v.dataset in DATASETS and v.kind == "full"
    }
    return sorted(found - {"un"})


# The last answers, by matcher, what the role sees and the register's state: screening
# every official takes seconds, and the answer holds until the register or the lists change.
_Key = tuple[frozenset[str], tuple[int, str]]
_CACHE: weakref.WeakKeyDictionary[Matcher, dict[_Key, list[Proposal]]] = weakref.WeakKeyDictionary()
_CACHED = 4


def proposals(
    repository: Repression, actor: Actor, matcher: Matcher, only: str | None = None
) -> list[Proposal]:
    """Every official (or ``only`` that one) with the cases the actor may see, and where
    each is listed; those listed nowhere first, then those listed only by some, most cases
    first."""
    if only is not None:
        return _proposals(repository, actor, matcher, only)
    cache = _CACHE.setdefault(matcher, {})
    key = (actor.sees, repository.stamp())
    found = cache.get(key)
    if found is None:
        found = _proposals(repository, actor, matcher, None)
        while len(cache) >= _CACHED:
            del cache[next(iter(cache))]
        cache[key] = found
    else:
        repository.audit_read(actor, "list", None, "officials")
    return list(found)


def _proposals(
    repository: Repression, actor: Actor, matcher: Matcher, only: str | None
) -> list[Proposal]:
    records = repository.records(actor)
    by_id = {r.id: r for r in records}
    parts: dict[str, list[tuple[str, Record]]] = defaultdict(list)
    for record in records:
        if record.schema != "CourtCaseParty":
            continue
        role = (record.properties.get("role") or [""])[0]
        if role not in ROLES:
            continue
        for party in record.properties.get("party", []):
            for case in record.properties.get("case", []):
                if case in by_id:
                    parts[party].append((role, by_id[case]))
    known = jurisdictions(matcher.store)
    algorithm = get_algorithm(None)
    found = []
    for official_id, cases in parts.items():
        if only is not None and official_id != only:
            continue
        official = by_id.get(official_id)
        if official is None:
            continue
        evidence = [
            Evidence(case.id, case.caption, role,
                     (case.properties.get("fileDate") or [""])[0],
                     (case.properties.get("court") or [""])[0],
                     case.properties.get("category", []),
                     (case.properties.get("status") or [""])[0],
                     case.properties.get("sourceUrl", []))
            for role, case in cases
        ]  # fmt: skip
        evidence.sort(key=lambda e: (e.date, e.case))
        hits = []
        for hit in matcher.match(official.entity(), algorithm, limit=5, load=False):
            if not hit.match:
                continue
            for listing in matcher.listings.get(hit.entity_id, []):
                info = DATASETS.get(listing.dataset)
                if info is not None:
                    hits.append(Hit(hit.entity_id, hit.profile.entity.caption,
                                    round(hit.result.score, 3), info.jurisdiction,
                                    listing.dataset))  # fmt: skip
        listed = sorted({h.jurisdiction for h in hits} & set(known))
        found.append(Proposal(official, sorted({role for role, _ in cases}), evidence, listed,
                              [code for code in known if code not in listed], hits))  # fmt: skip
    order = {NOWHERE: 0, SOME: 1, ALL: 2}
    found.sort(key=lambda p: (order[p.status], -len(p.evidence), p.official.caption))
    return found
