"""Cross-list resolution benchmark: how fast every listed target is grouped, and how well.

    python bench/resolve.py --db sqlite:////tmp/bench_resolve.db [--workers 2]

resolve() stores its judgements in the register it is given (replacing its last run's): run
this on a copy. Times the matcher build, resolve() and, where belwatch.resolve.gaps has
report(store, matcher, resolution), the gap report; the goal is under 30 s in all.

Quality is pairwise: two entries are predicted the same target when they share a group. A
truth source names targets and their entries; its pairs are the pairs of one target's entries
on different lists (the resolver never joins two entries of one list, so same-list pairs are
counted apart, not scored). A predicted pair is wrong when its two entries belong to different
targets of the source or are named not the same; pairs with an entry the source does not name
are not judged. Truth sources:

- bench/truth/belarus.json: hand-checked Belarus-regime targets and not-same pairs (README.md
  there says how they were checked);
- the OpenSanctions fixtures (../shared/data/sources/opensanctions/*.ftm.json): each entity's
  `referents` that name an entry of an official list in the register. Prefixes mapped:
  ofac, gb-hmt, gb-fcdo, ch-seco, eu-fsf, au-dfat (the lists' own keys), ca-sema (country,
  part and item) and ua-nsdc (by the slug of the name); OpenSanctions' hashed ids are not.
  An entity imported from a fixture that the register lists counts as one of its entries.

Also prints the size of the groups and how many mix entries of one list (should be none).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sized
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from normality import slugify

from belwatch.match.service import Matcher
from belwatch.resolve import Resolution, resolve
from belwatch.resolve.decisions import SAME, Decision, effective
from belwatch.sources.base import make_id
from belwatch.store import Store

TRUTH = Path(__file__).resolve().parent / "truth" / "belarus.json"
SOURCES = Path(__file__).resolve().parents[2] / "shared" / "data" / "sources"
FIXTURES = sorted((SOURCES / "opensanctions").glob("*.ftm.json"))
GOAL_SECONDS = 30.0
SHOWN = 20  # missed and wrong pairs listed per truth source

Pair = tuple[str, str]

# OpenSanctions' slugs of Canada's regulations, and the country the older ids abbreviate.
CA_COUNTRIES = {
    "belarus": "Belarus / Bélarus",
    "russia": "Russia / Russie",
    "ukraine": "Ukraine",
    "iran": "Iran",
    "moldova": "Moldova",
}
CA_CODES = {"by": "belarus", "ru": "russia", "ua": "ukraine", "ir": "iran", "md": "moldova"}
CA_NEW = re.compile(r"ca-sema-([a-z]+)-((?:\d+-)+)(\d+)")  # ca-sema-belarus-1-1-23
CA_OLD = re.compile(r"ca-sema-((?:\d+-)+)(\d+)-([a-z]{2})-")  # ca-sema-1-1-23-by-victor-...
SIMPLE = (  # label, referent pattern, datasets the captured key may belong to
    ("ofac", re.compile(r"ofac-(\d+)"), ("us_ofac_sdn", "us_ofac_cons")),
    ("gb-hmt", re.compile(r"gb-hmt-(\d+)"), ("gb_hmt_sanctions",)),
    ("gb-fcdo", re.compile(r"gb-fcdo-([a-z]{3}\d{4})"), ("gb_fcdo_sanctions",)),
    ("ch-seco", re.compile(r"ch-seco-(\d+)"), ("ch_seco_sanctions",)),
    ("eu-fsf", re.compile(r"eu-fsf-eu-(\d+)-\d+"), ("eu_fsf",)),
    ("au-dfat", re.compile(r"au-dfat-(\d+)(?:-.*)?"), ("au_dfat_sanctions",)),
)
UA_NSDC = re.compile(r"ua-nsdc-\d+-(.+)")


@dataclass
class Truth:
    """One truth source: targets (groups of entry ids) and pairs named not the same."""

    name: str
    groups: list[list[str]] = field(default_factory=list)
    not_same: set[Pair] = field(default_factory=set)
    absent: list[str] = field(default_factory=list)  # named entries the register lacks

    def target_of(self) -> dict[str, int]:
        """Entry id -> its target's number; an entry named only in a not-same pair is a target
        of its own."""
        found = {entity_id: n for n, ids in enumerate(self.groups) for entity_id in ids}
        for entity_id in sorted({e for pair in self.not_same for e in pair}):
            found.setdefault(entity_id, len(self.groups) + len(found))
        return found


def ordered(a: str, b: str) -> Pair:
    return (a, b) if a <= b else (b, a)


def belarus_truth(listed: set[str]) -> Truth:
    data = json.loads(TRUTH.read_text())
    truth = Truth("bench/truth/belarus.json")

    def entry(member: dict[str, object]) -> str | None:
        keys = member["key"]
        assert isinstance(keys, list)
        entity_id = make_id(str(member["dataset"]), *keys)
        if entity_id not in listed:
            truth.absent.append(f"{member['dataset']} {keys} {member['name']}")
            return None
        return entity_id

    for target in data["targets"]:
        ids = [e for m in target["members"] if (e := entry(m)) is not None]
        truth.groups.append(ids)
    for item in data["not_same"]:
        a, b = entry(item["a"]), entry(item["b"])
        if a is not None and b is not None:
            truth.not_same.add(ordered(a, b))
    return truth


class Referents:
    """Maps OpenSanctions referent ids to the register's entries."""

    def __init__(self, matcher: Matcher, listed: set[str]) -> None:
        self.listed = listed
        self.slugs: dict[str, list[str]] = defaultdict(list)
        for entity_id in listed:
            profile = matcher.profiles[entity_id]
            if profile.dataset == "ua_nsdc_sanctions":
                for name in profile.entity.get("name"):
                    if slug := slugify(name):
                        self.slugs[slug].append(entity_id)
        self.tally: Counter[tuple[str, str]] = Counter()  # (prefix, outcome)

    def candidates(self, referent: str) -> tuple[str, list[str]] | None:
        """The list a referent names and the entry ids it may stand for; None when it is not
        an id of a list we map."""
        for label, pattern, datasets in SIMPLE:
            if match := pattern.fullmatch(referent):
                key = match.group(1).upper() if label == "gb-fcdo" else match.group(1)
                return label, [make_id(dataset, key) for dataset in datasets]
        if match := CA_NEW.fullmatch(referent):
            slug, numbers, item = match.groups()
        elif match := CA_OLD.match(referent):
            numbers, item, code = match.groups()
            slug = CA_CODES.get(code, code)
        else:
            match = UA_NSDC.fullmatch(referent)
            if match is None:
                return None
            found = self.slugs.get(match.group(1), [])
            return "ua-nsdc", found if len(found) == 1 else []
        country = CA_COUNTRIES.get(slug)
        if country is None:
            return "ca-sema", []
        part = numbers.strip("-").replace("-", ".")
        schedules = (f"1, Part {part}", f"Part {part}", f"1,Part {part}")
        return "ca-sema", [make_id("ca_dfatd_sema_sanctions", country, s, item) for s in schedules]

    def map(self, referent: str) -> str | None:
        found = self.candidates(referent)
        if found is None:
            self.tally[(prefix_of(referent), "not mapped")] += 1
            return None
        label, ids = found
        present = [entity_id for entity_id in ids if entity_id in self.listed]
        self.tally[(label, "in the register" if present else "not in the register")] += 1
        return present[0] if present else None


def prefix_of(referent: str) -> str:
    """The source part of an OpenSanctions id: its leading short words (ru-inn, usgsa)."""
    words: list[str] = []
    for word in referent.split("-")[:2]:
        if not word.isalpha() or len(word) > 8:
            break
        words.append(word)
    return "-".join(words) or referent


def fixture_truth(matcher: Matcher, listed: set[str]) -> tuple[Truth, Referents]:
    truth = Truth("OpenSanctions fixtures (referents)")
    referents = Referents(matcher, listed)
    for path in FIXTURES:
        for line in path.read_text().splitlines():
            entity = json.loads(line)
            if not entity.get("referents") or entity.get("schema") in ("Address", "Sanction"):
                continue
            ids = [e for r in entity["referents"] if (e := referents.map(r)) is not None]
            if entity["id"] in listed:
                ids.append(entity["id"])
            ids = sorted(set(ids))
            if ids:
                truth.groups.append(ids)
    return truth, referents


@dataclass
class Score:
    positives: set[Pair]
    same_list: int
    predicted: set[Pair]
    wrong: set[Pair]

    @property
    def found(self) -> set[Pair]:
        return self.positives & self.predicted

    @property
    def precision(self) -> str:
        judged = len(self.found) + len(self.wrong)
        return f"{len(self.found) / judged:.3f}" if judged else "-"

    @property
    def recall(self) -> str:
        return f"{len(self.found) / len(self.positives):.3f}" if self.positives else "-"


def score(truth: Truth, resolution: Resolution, datasets: dict[str, str]) -> Score:
    positives: set[Pair] = set()
    same_list = 0
    for ids in truth.groups:
        for a, b in combinations(sorted(ids), 2):
            if datasets[a] == datasets[b]:
                same_list += 1
            else:
                positives.add((a, b))
    target = truth.target_of()
    predicted: set[Pair] = set()
    for members in resolution.groups.values():
        named = sorted(m for m in members if m in target)
        predicted.update(combinations(named, 2))
    wrong = {p for p in predicted if target[p[0]] != target[p[1]] or p in truth.not_same}
    return Score(positives, same_list, predicted, wrong)


def timed(label: str, seconds: float, note: str = "") -> None:
    print(f"{label:<28} {seconds:>9.2f}  {note}")


def run_gaps(store: Store, matcher: Matcher, resolution: Resolution) -> float | None:
    try:
        gaps = importlib.import_module("belwatch.resolve.gaps")
    except ImportError:
        print(f"{'gaps.report()':<28} {'-':>9}  skipped: belwatch.resolve.gaps does not exist yet")
        return None
    report = getattr(gaps, "report", None)
    if report is None:
        print(f"{'gaps.report()':<28} {'-':>9}  skipped: belwatch.resolve.gaps has no report()")
        return None
    started = time.perf_counter()
    result = report(store, matcher, resolution)
    seconds = time.perf_counter() - started
    targets = getattr(result, "targets", None)
    if isinstance(result, Sized):
        size = f"{len(result):,} items"
    elif isinstance(targets, Sized):
        size = f"a {type(result).__name__} of {len(targets):,} targets"
    else:
        size = type(result).__name__
    timed("gaps.report()", seconds, f"returned {size}")
    return seconds


def group_shape(resolution: Resolution, datasets: dict[str, str]) -> None:
    sizes = Counter(len(members) for members in resolution.groups.values())
    mixed = [m for m in resolution.groups.values() if len({datasets[e] for e in m}) < len(m)]
    print(f"\nGroups: {len(resolution.groups):,}, holding "
          f"{sum(len(m) for m in resolution.groups.values()):,} entries")  # fmt: skip
    print(f"{'size':>6} {'groups':>7}")
    for size, count in sorted(sizes.items()):
        print(f"{size:>6} {count:>7,}")
    print(f"groups with two entries of one list (a list holding one target twice): {len(mixed)}")


def caption(matcher: Matcher, entity_id: str) -> str:
    profile = matcher.profiles.get(entity_id)
    if profile is None:
        return f"[?] {entity_id}"
    return f"[{profile.dataset}] {profile.entity.caption}"


def why(
    pair: Pair, decisions: dict[Pair, Decision], resolution: Resolution, datasets: dict[str, str]
) -> str:
    """What the resolver made of a pair: its judgement, and why the groups did not follow."""
    a, b = pair
    ga, gb = resolution.members(a), resolution.members(b)
    decision = decisions.get(pair)
    said = "no judgement on this pair"
    if decision is not None:
        score_ = f" {decision.score:.2f}" if decision.score is not None else ""
        said = f"{decision.source} {decision.judgement}{score_}"
    if resolution.canonical(a) == resolution.canonical(b):
        return said if decision is not None else f"joined through their group of {len(ga)}"
    shared = sorted({datasets[e] for e in ga} & {datasets[e] for e in gb})
    if decision is not None and decision.judgement == SAME and shared:
        return f"{said}, not followed: both groups hold a {shared[0]} entry"
    return f"{said}; groups of {len(ga)} and {len(gb)}"


def show(
    title: str, pairs: set[Pair], matcher: Matcher, reason: dict[Pair, str], truth: Truth
) -> None:
    """Up to SHOWN pairs, taking one of each target in turn so that many targets show."""
    if not pairs:
        return
    target = truth.target_of()
    rank: Counter[int] = Counter()
    keyed = []
    for a, b in sorted(pairs, key=lambda p: (caption(matcher, p[0]), caption(matcher, p[1]))):
        rank[target[a]] += 1
        keyed.append(((rank[target[a]], target[a]), (a, b)))
    listed = [p for _, p in sorted(keyed)]
    more = f", first {SHOWN}" if len(listed) > SHOWN else ""
    print(f"  {title} ({len(listed)}{more}):")
    for a, b in listed[:SHOWN]:
        print(f"    {caption(matcher, a)}  <>  {caption(matcher, b)}   ({reason[(a, b)]})")


def quality(store: Store, matcher: Matcher, resolution: Resolution) -> None:
    listed = set(matcher.listings) & set(matcher.profiles)
    datasets = {entity_id: matcher.profiles[entity_id].dataset for entity_id in listed}
    group_shape(resolution, datasets)
    sources = [belarus_truth(listed)]
    fixtures, referents = fixture_truth(matcher, listed)
    sources.append(fixtures)
    decisions = effective(store)
    scores = [(truth, score(truth, resolution, datasets)) for truth in sources]

    print("\nQuality (pairs of entries of one target on different lists)")
    head = ("targets", "pairs", "found", "wrong", "precision", "recall", "same-list")
    print(f"{'truth source':<36} " + " ".join(f"{h:>9}" for h in head))
    for truth, s in scores:
        cells = (len(truth.groups), len(s.positives), len(s.found), len(s.wrong))
        print(f"{truth.name:<36} " + " ".join(f"{c:>9,}" for c in cells)
              + f" {s.precision:>9} {s.recall:>9} {s.same_list:>9,}")  # fmt: skip
    print("(wrong: predicted pairs of two different targets; same-list: pairs of one target's "
          "entries on one list, not scored)")  # fmt: skip

    for truth, s in scores:
        print(f"\n{truth.name}:")
        if truth.absent:
            print(f"  entries named but not in the register ({len(truth.absent)}): "
                  + "; ".join(truth.absent[:SHOWN]))  # fmt: skip
        reason = {p: why(p, decisions, resolution, datasets) for p in s.positives | s.wrong}
        show("missed", s.positives - s.predicted, matcher, reason, truth)
        show("wrong", s.wrong, matcher, reason, truth)

    print("\nOpenSanctions referents (on fixture entities that name an official list entry)")
    print(f"{'prefix':<24} {'outcome':<22} {'referents':>9}")
    for (prefix, outcome), count in sorted(referents.tally.items()):
        print(f"{prefix:<24} {outcome:<22} {count:>9,}")
    total = sum(referents.tally.values())
    mapped = sum(n for (_, outcome), n in referents.tally.items() if outcome != "not mapped")
    present = sum(n for (_, outcome), n in referents.tally.items() if outcome == "in the register")
    entries = sum(len(ids) for ids in fixtures.groups)
    print(f"referents: {total:,}; of lists we map: {mapped:,}; mapped to an entry in the "
          f"register: {present:,}")  # fmt: skip
    print(f"fixture entities with an entry in the register: {len(fixtures.groups)}, holding "
          f"{entries} entries (fixture entities the register lists count as entries)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", required=True, help="the register (SQLAlchemy URL): a copy")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    print(f"note: resolve() replaces the automatic judgements stored in {args.db}; "
          "run this on a copy of the register", file=sys.stderr)  # fmt: skip
    store = Store(args.db)
    print(f"Resolution on {store.safe_url}, {args.workers} worker(s)")
    print(f"{'step':<28} {'seconds':>9}")
    started = time.perf_counter()
    matcher = Matcher(store)
    build = time.perf_counter() - started
    timed("Matcher build", build, f"{len(matcher.profiles):,} entities")
    started = time.perf_counter()
    resolution, counts = resolve(store, matcher, workers=args.workers)
    judged = time.perf_counter() - started
    timed("resolve()", judged, ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    gaps = run_gaps(store, matcher, resolution)
    total = build + judged + (gaps or 0.0)
    goal = "met" if total < GOAL_SECONDS else "missed"
    timed("total", total, f"goal < {GOAL_SECONDS:.0f} s: {goal}")
    quality(store, matcher, resolution)
    store.close()


if __name__ == "__main__":
    main()
