"""The gaps between the allies' sanctions on one regime, target by target.

For a regime (Belarus) and a day: every canonical target some list held under that regime
then, and per jurisdiction whether it was listed, since when, how many days after the first
designation anywhere, which names (by script) and identifiers its entries there lack that
other lists carry; totals per pair of jurisdictions; and the people and companies the lists
name as related to a target that no list holds.

A jurisdiction whose latest list version (on or before the day) is older than a target's
first designation anywhere cannot show it yet: that cell is "not known", never a gap, and
the report says which version each jurisdiction's column reflects.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from followthemoney import model
from followthemoney.types import registry

from belwatch.graph.reasons import named_in_reasons
from belwatch.match.algorithms import get_algorithm
from belwatch.match.features import ID_PROPS
from belwatch.match.service import Matcher
from belwatch.resolve.decisions import NOT_RELEVANT, RELEVANT, lead_judgements
from belwatch.resolve.resolver import SURE, Resolution
from belwatch.sources.datasets import DATASETS, JURISDICTIONS, REGIMES
from belwatch.store import Store
from belwatch.store.schema import statement_table
from belwatch.store.sql import Version

LISTED, NOT_LISTED, NOT_KNOWN = "listed", "not listed", "not known"
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# Relationships the lists state, each with its two ends.
LINKS = {
    name: (schema.edge_source, schema.edge_target)
    for name in ("Ownership", "Directorship", "Family", "Associate", "UnknownLink",
                 "Employment", "Membership", "Representation")
    if (schema := model.get(name)) is not None and schema.edge_source and schema.edge_target
}  # fmt: skip


@dataclass
class Cell:
    status: str  # listed, not listed, not known
    since: str | None = None  # earliest listing date there; "<=day": listed by that day
    lag_days: int | None = None  # days after the first designation anywhere
    entries: list[str] = field(default_factory=list)
    missing_scripts: list[str] = field(default_factory=list)  # Latin / Cyrillic
    missing_ids: list[str] = field(default_factory=list)


@dataclass
class Target:
    id: str  # the canonical id (or the entry's own, for a target on one list)
    caption: str
    schema: str
    first_listed: str | None
    cells: dict[str, Cell]


@dataclass
class Mention:
    """Someone a list names as related to a target, whom no list holds: an entity the list
    links to the target, or a name its reasons for listing quote (no entity_id then)."""

    entity_id: str
    caption: str
    schema: str
    relation: str
    target_id: str
    target_caption: str
    dataset: str
    context: str = ""  # the sentence of the reasons that names it
    judgement: str = ""  # a person's: relevant (or not_relevant, in GapReport.dismissed)


@dataclass
class GapReport:
    regime: str
    as_of: str
    jurisdictions: list[str]
    versions: dict[str, str]  # jurisdiction -> the list versions its column reflects
    targets: list[Target]
    listed_not_listed: dict[str, dict[str, int]]  # A -> B -> targets listed by A, not by B
    median_lag_days: dict[str, float | None]
    mentions: list[Mention]
    dismissed: list[Mention]  # leads a person judged not relevant

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _listings(
    store: Store, versions: list[Version], as_of: str
) -> dict[str, list[tuple[str, tuple[str, ...], str]]]:
    """Per target entry: (dataset, programmes, listing date) of each Sanction in force on the
    day. A Sanction without a listing date counts from the first version that carried it,
    marked "<=" when that was the first version ingested (it may be much older)."""
    earliest: dict[str, str] = {}
    for version in versions:
        if version.kind == "full":
            earliest[version.dataset] = min(
                earliest.get(version.dataset, "9"), version.version_date
            )
    t = statement_table
    wanted = (t.c.schema == "Sanction") & t.c.prop.in_(
        ("entity", "program", "listingDate", "startDate")
    )
    props: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    seen: dict[str, tuple[str, str]] = {}
    undated = _undated(versions, as_of)
    # A list version with no date of its own (counted from the day it was ingested) speaks
    # for the past through its listing dates: read it as it is now, kept by those dates.
    for day in (as_of, None) if undated else (as_of,):
        condition = wanted if day else wanted & t.c.dataset.in_(sorted(undated))
        earlier = set(props) if day is None else set()
        for sanction_id, prop, value, dataset, first_seen, _ in store.scan_values(
            ("entity_id", "prop", "value"), condition, day
        ):
            if sanction_id in earlier:
                continue
            props[sanction_id][prop].append(value)
            if prop == "entity":
                seen[sanction_id] = (dataset, first_seen)
    found: dict[str, list[tuple[str, tuple[str, ...], str]]] = defaultdict(list)
    for sanction_id, values in props.items():
        if sanction_id not in seen:
            continue
        dataset, first_seen = seen[sanction_id]
        dates = [d for d in (*values["listingDate"], *values["startDate"]) if len(d) >= 4]
        if dataset in undated and (not dates or min(dates) > as_of):
            continue
        if dates:
            since = min(dates)
        else:
            since = ("<=" if first_seen <= earliest.get(dataset, first_seen) else "") + first_seen
        for target in values["entity"]:
            found[target].append((dataset, tuple(values["program"]), since))
    return found


def _undated(versions: list[Version], as_of: str) -> set[str]:
    """Lists with no version of a date of their own on or before the day, whose versions
    are all dated by the day they were ingested, after it."""
    dated: set[str] = set()
    later: set[str] = set()
    for version in versions:
        if version.version_date <= as_of:
            dated.add(version.dataset)
        elif version.date_source == "ingest" and version.kind == "full":
            later.add(version.dataset)
    return later - dated


def _versions(versions: list[Version], as_of: str) -> dict[str, str]:
    """Per jurisdiction, the version date of each of its lists in force on the day."""
    latest: dict[str, str] = {}
    undated = _undated(versions, as_of)
    for version in versions:
        if version.dataset in undated:
            label = f"{version.version_date} (undated; read by its listing dates)"
        elif version.version_date <= as_of:
            label = version.version_date + ("" if version.kind == "full" else f" ({version.kind})")
        else:
            continue
        latest[version.dataset] = max(latest.get(version.dataset, ""), label)
    found: dict[str, list[str]] = defaultdict(list)
    for dataset, day in sorted(latest.items()):
        info = DATASETS.get(dataset)
        if info is not None and info.jurisdiction:
            found[info.jurisdiction].append(f"{dataset} {day}")
    return {code: ", ".join(items) for code, items in found.items()}


def _latest(versions: list[Version], as_of: str) -> dict[str, str]:
    """Per jurisdiction, the newest full version of any of its lists on the day ("" where
    only excerpts or amendments were ingested: they cannot show that a target is absent)."""
    found: dict[str, str] = {}
    undated = _undated(versions, as_of)
    for version in versions:
        info = DATASETS.get(version.dataset)
        if info is None or not info.jurisdiction:
            continue
        if version.dataset in undated:
            day = as_of  # read by its listing dates as of the day
        elif version.version_date > as_of:
            continue
        else:
            day = version.version_date if version.kind == "full" else ""
        found[info.jurisdiction] = max(found.get(info.jurisdiction, ""), day)
    return found


def _days(a: str, b: str) -> int | None:
    """Days from a to b; None where either is only an upper bound ("<=2024-05-03")."""
    if a.startswith("<=") or b.startswith("<="):
        return None
    try:
        return (date.fromisoformat(b[:10]) - date.fromisoformat(a[:10])).days
    except ValueError:
        return None


def report(
    store: Store,
    matcher: Matcher,
    resolution: Resolution,
    regime: str = "belarus",
    as_of: str | None = None,
) -> GapReport:
    """The gap report for a regime on a day (default: today)."""
    as_of = as_of or date.today().isoformat()
    program = REGIMES[regime]
    versions = store.versions()
    listings = _listings(store, versions, as_of)
    latest = _latest(versions, as_of)
    jurisdictions = sorted(latest, key=lambda code: (code != "eu", code))
    groups: dict[str, list[str]] = defaultdict(list)
    for entity_id in listings:
        groups[resolution.canonical(entity_id)].append(entity_id)
    documents = _documents(store, as_of)
    targets = []
    for canonical, members in groups.items():
        if not any(program.search(p) for m in members for _, ps, _ in listings[m] for p in ps):
            continue
        targets.append(_target(matcher, canonical, members, listings, jurisdictions, latest,
                               documents))  # fmt: skip
    targets.sort(key=lambda t: (t.first_listed or "9999", t.caption))
    listed = {m for t in targets for c in t.cells.values() for m in c.entries}
    judged = lead_judgements(store)
    mentions: dict[str, list[Mention]] = {RELEVANT: [], NOT_RELEVANT: []}
    for mention in _mentions(store, matcher, listed, as_of):
        mention.judgement = judged.get((mention.target_id, mention.caption), "")
        mentions[NOT_RELEVANT if mention.judgement == NOT_RELEVANT else RELEVANT].append(mention)
    return GapReport(
        regime=regime,
        as_of=as_of,
        jurisdictions=jurisdictions,
        versions=_versions(versions, as_of),
        targets=targets,
        listed_not_listed=_pairs(targets, jurisdictions),
        median_lag_days=_median_lags(targets, jurisdictions),
        mentions=mentions[RELEVANT],
        dismissed=mentions[NOT_RELEVANT],
    )


def _target(
    matcher: Matcher,
    canonical: str,
    members: list[str],
    listings: dict[str, list[tuple[str, tuple[str, ...], str]]],
    jurisdictions: list[str],
    latest: dict[str, str],
    documents: dict[str, set[str]],
) -> Target:
    by_jurisdiction: dict[str, list[str]] = defaultdict(list)
    since: dict[str, str] = {}
    for member in members:
        for dataset, _, day in listings[member]:
            code = DATASETS[dataset].jurisdiction if dataset in DATASETS else dataset
            if member not in by_jurisdiction[code]:
                by_jurisdiction[code].append(member)
            since[code] = min(since.get(code, day), day)
    known = [day for day in since.values() if not day.startswith("<=")]
    first = min(known) if known else (min(since.values()) if since else None)
    scripts = {code: _scripts(matcher, ids) for code, ids in by_jurisdiction.items()}
    ids = {code: _identifiers(matcher, entries, documents)
           for code, entries in by_jurisdiction.items()}  # fmt: skip
    every_script = set().union(*scripts.values()) if scripts else set()
    every_id = set().union(*ids.values()) if ids else set()
    cells = {}
    for code in jurisdictions:
        if code in by_jurisdiction:
            cells[code] = Cell(
                LISTED,
                since.get(code),
                _days(first, since[code]) if first and code in since else None,  # None: "<="
                sorted(by_jurisdiction[code]),
                sorted(every_script - scripts[code]),
                sorted(every_id - ids[code]),
            )
        elif not latest.get(code) or (first and latest[code] < first.removeprefix("<=")[:10]):
            cells[code] = Cell(NOT_KNOWN)  # no full list, or its newest predates the listing
        else:
            cells[code] = Cell(NOT_LISTED)
    profiles = [matcher.profiles[m] for m in members if m in matcher.profiles]
    caption = min((p.entity.caption for p in profiles), key=_latin_first, default=canonical)
    schema = profiles[0].entity.schema.name if profiles else ""
    return Target(canonical, caption, schema, first, cells)


def _latin_first(caption: str) -> tuple[bool, str]:
    return bool(CYRILLIC.search(caption)), caption


def _scripts(matcher: Matcher, entries: list[str]) -> set[str]:
    found = set()
    for entry in entries:
        profile = matcher.profiles.get(entry)
        for name in profile.entity.get_type_values(registry.name) if profile else ():
            found.add("Cyrillic" if CYRILLIC.search(name) else "Latin")
    return found


def _identifier_key(value: str) -> str | None:
    key = re.sub(r"[^0-9A-Z]", "", value.upper())
    return key if len(key) >= 5 else None


def _identifiers(matcher: Matcher, entries: list[str], documents: dict[str, set[str]]) -> set[str]:
    """The passport, registration and tax numbers the entries carry, as properties or as
    the documents (Passport, Identification) they hold."""
    found = set()
    for entry in entries:
        found |= documents.get(entry, set())
        profile = matcher.profiles.get(entry)
        for prop in ID_PROPS if profile else ():
            for value in profile.entity.get(prop, quiet=True) if profile else ():
                if key := _identifier_key(value):
                    found.add(key)
    return found


def _documents(store: Store, as_of: str) -> dict[str, set[str]]:
    """Per holder, the numbers of its Passport and Identification documents on the day."""
    t = statement_table
    wanted = t.c.schema.in_(("Passport", "Identification")) & t.c.prop.in_(("holder", "number"))
    props: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for document, prop, value, *_ in store.scan_values(
        ("entity_id", "prop", "value"), wanted, as_of
    ):
        props[document][prop].append(value)
    found: dict[str, set[str]] = defaultdict(set)
    for values in props.values():
        keys = {key for number in values["number"] if (key := _identifier_key(number))}
        for holder in values["holder"]:
            found[holder] |= keys
    return found


def _pairs(targets: list[Target], jurisdictions: list[str]) -> dict[str, dict[str, int]]:
    counts = {a: {b: 0 for b in jurisdictions if b != a} for a in jurisdictions}
    for target in targets:
        for a in jurisdictions:
            if target.cells[a].status != LISTED:
                continue
            for b in jurisdictions:
                if b != a and target.cells[b].status == NOT_LISTED:
                    counts[a][b] += 1
    return counts


def _median_lags(targets: list[Target], jurisdictions: list[str]) -> dict[str, float | None]:
    found: dict[str, float | None] = {}
    for code in jurisdictions:
        lags = [lag for t in targets if (lag := t.cells[code].lag_days) is not None]
        found[code] = statistics.median(lags) if lags else None
    return found


def _mentions(store: Store, matcher: Matcher, listed: set[str], as_of: str) -> list[Mention]:
    """Entities a list relates to one of the report's targets that no list holds, directly
    or under another entry the matcher finds with certainty."""
    t = statement_table
    ends = {prop for pair in LINKS.values() for prop in pair}
    links: dict[str, dict[str, str]] = defaultdict(dict)
    datasets: dict[str, str] = {}
    schemata: dict[str, str] = {}
    for link_id, schema, prop, value, dataset, *_ in store.scan_values(
        ("entity_id", "schema", "prop", "value"),
        t.c.schema.in_(sorted(LINKS)) & t.c.prop.in_(sorted(ends | {"relationship", "role"})),
        as_of,
    ):
        links[link_id][prop] = value
        datasets[link_id], schemata[link_id] = dataset, schema
    algorithm = get_algorithm(None)
    found: dict[tuple[str, str], Mention] = {}
    for link_id, props in links.items():
        source, target = LINKS[schemata[link_id]]
        a, b = props.get(source), props.get(target)
        for mine, other in ((a, b), (b, a)):
            if mine not in listed or other is None or other in matcher.listings:
                continue
            profile = matcher.profiles.get(other)
            if profile is None or (other, mine) in found:
                continue
            hits = matcher.match(profile.entity, algorithm, limit=1, load=False,
                                 only_matches=True)  # fmt: skip
            if any(h.result.score >= SURE and h.entity_id in matcher.listings for h in hits):
                continue
            relation = props.get("relationship") or props.get("role") or schemata[link_id]
            target_profile = matcher.profiles.get(mine)
            found[other, mine] = Mention(
                other, profile.entity.caption, profile.entity.schema.name, relation, mine,
                target_profile.entity.caption if target_profile else mine, datasets[link_id],
            )  # fmt: skip
    quoted = _named_in_reasons(store, matcher, listed, as_of)
    return sorted([*found.values(), *quoted], key=lambda m: (m.target_caption, m.caption))


def _named_in_reasons(
    store: Store, matcher: Matcher, listed: set[str], as_of: str
) -> list[Mention]:
    """Names the reasons for listing a target quote that the matcher finds on no list."""
    found = []
    for named in named_in_reasons(store, matcher, as_of, listed):
        if named.on_list:
            continue
        profile = matcher.profiles.get(named.target)
        caption = profile.entity.caption if profile else named.target
        found.append(Mention("", named.name, named.schema, named.relation, named.target,
                             caption, named.dataset, named.sentence))  # fmt: skip
    return found


def jurisdiction_name(code: str) -> str:
    return JURISDICTIONS.get(code, code)
