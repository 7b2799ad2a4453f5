"""The relationship graph of the register: every FtM link the lists (and imported FtM data)
state, between targets merged across lists as the resolver grouped them."""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict

from followthemoney.types import registry

from belwatch.graph.network import ENDS, KINDS, LABEL_PROPS, Network, parse_share
from belwatch.graph.reasons import NAMED, named_in_reasons
from belwatch.match.service import Matcher
from belwatch.resolve.decisions import NOT_RELEVANT, lead_judgements
from belwatch.resolve.resolver import Resolution
from belwatch.sources.datasets import DATASETS, REGIMES
from belwatch.store import Store
from belwatch.store.schema import statement_table

WANTED = {prop for pair in ENDS.values() for prop in pair} | {
    *LABEL_PROPS, "percentage", "startDate", "endDate",
}  # fmt: skip


def regimes_of(matcher: Matcher, entries: list[str]) -> tuple[str, ...]:
    """The regimes (belarus) any of these entries is listed under."""
    programs = {p for e in entries for found in matcher.listings.get(e, ()) for p in found.programs}
    return tuple(name for name, rx in REGIMES.items() if any(rx.search(p) for p in programs))


def jurisdictions_of(matcher: Matcher, entries: list[str]) -> tuple[str, ...]:
    """The jurisdictions whose lists hold any of these entries."""
    found = {
        DATASETS[listing.dataset].jurisdiction
        for entry in entries
        for listing in matcher.listings.get(entry, ())
        if listing.dataset in DATASETS
    }
    return tuple(sorted(found))


def build(
    store: Store,
    matcher: Matcher,
    resolution: Resolution,
    as_of: str | None = None,
    reasons: bool = True,
) -> Network:
    """The register's links in force on the day (default: now), and with ``reasons`` the
    people and companies the reasons for listing name."""
    t = statement_table
    links: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    schemata: dict[str, str] = {}
    datasets: dict[str, set[str]] = defaultdict(set)
    for link_id, schema, prop, value, dataset, *_ in store.scan_values(
        ("entity_id", "schema", "prop", "value"),
        t.c.schema.in_(KINDS) & t.c.prop.in_(sorted(WANTED)),
        as_of,
    ):
        links[link_id][prop].append(value)
        schemata[link_id] = schema
        datasets[link_id].add(dataset)
    network = Network()
    endpoints: set[str] = set()
    for link_id, props in links.items():
        source_prop, target_prop = ENDS[schemata[link_id]]
        for source in props.get(source_prop, ()):
            for target in props.get(target_prop, ()):
                endpoints.update((source, target))
    _add_nodes(network, store, matcher, resolution, endpoints)
    for link_id, props in sorted(links.items()):
        kind = schemata[link_id]
        source_prop, target_prop = ENDS[kind]
        label = next((props[p][0] for p in LABEL_PROPS if props.get(p)), "")
        share = parse_share(props.get("percentage", [])) if kind == "Ownership" else math.nan
        for source in props.get(source_prop, ()):
            for target in props.get(target_prop, ()):
                a, b = resolution.canonical(source), resolution.canonical(target)
                if a == b:  # two entries of one target linked to each other
                    continue
                network.add_edge(
                    link_id, kind, a, b, label, share, tuple(sorted(datasets[link_id])),
                    min(props.get("startDate", [""])), max(props.get("endDate", [""])),
                )  # fmt: skip
    if reasons:
        _add_named(network, store, matcher, resolution, as_of)
    network.freeze()
    return network


def lead_id(name: str) -> str:
    """The node of a name no list holds: one per spelling, whichever target it is named by."""
    return "lead-" + hashlib.sha1(" ".join(name.casefold().split()).encode()).hexdigest()[:20]


def _add_named(
    network: Network, store: Store, matcher: Matcher, resolution: Resolution, as_of: str | None
) -> None:
    """Ties the reasons for listing state: a relative or a quoted name found surely on a list
    links to that target; one found on no list becomes a lead of its own, unless a person
    judged it not relevant."""
    found = named_in_reasons(store, matcher, as_of)
    judged = lead_judgements(store)
    entries = {n.target for n in found} | {n.entry for n in found if n.entry}
    _add_nodes(network, store, matcher, resolution, entries)
    for named in found:
        if named.entry is not None:
            other = resolution.canonical(named.entry)
        elif not named.on_list and judged.get((named.target, named.name)) != NOT_RELEVANT:
            other = network.ids[network.add_node(lead_id(named.name), named.name, named.schema)]
        else:
            continue  # found on a list, but not surely enough to say which entry
        source = resolution.canonical(named.target)
        if source == other:
            continue
        kind = "UnknownLink" if named.relation == NAMED else "Family"
        edge_id = "reason-" + hashlib.sha1(f"{named.sanction_id}|{named.name}".encode()).hexdigest()
        network.add_edge(edge_id[:31], kind, source, other, named.relation,
                         datasets=(named.dataset,))  # fmt: skip


def _add_nodes(
    network: Network, store: Store, matcher: Matcher, resolution: Resolution, entries: set[str]
) -> None:
    """A node per target (its entries merged) with its caption and where it is listed."""
    unknown = sorted(e for e in entries if e not in matcher.profiles)
    known = {str(e.id): e for e in store.entities(unknown, current=False)} if unknown else {}
    for entry in sorted(entries):
        members = sorted(resolution.members(entry))
        profiles = [matcher.profiles[m] for m in members if m in matcher.profiles]
        if profiles:
            entity = min(
                (p.entity for p in profiles), key=lambda e: (not e.caption.isascii(), e.caption)
            )
            caption, schema = entity.caption, entity.schema.name
        elif entry in known:
            found = known[entry]
            caption, schema = found.caption, found.schema.name
            if not found.get_type_values(registry.name):
                caption = entry
        else:
            caption, schema = entry, "Thing"
        network.add_node(resolution.canonical(entry), caption, schema,
                         jurisdictions_of(matcher, members), tuple(members),
                         regimes_of(matcher, members))  # fmt: skip
