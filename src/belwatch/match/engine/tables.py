"""What the batch engines share: the register as tables of blocking keys, one input batch's
keys, the SQL that turns keys into candidates, and the scoring of candidates by the
matcher's own code.

Every engine runs the same steps, so they give the same hits for the same input:

1. each input row's blocking keys (its name tokens' skeleton keys, which meet across scripts
   and spellings, and its identifier) and how many of them a candidate needs are computed
   in Python (``query_keys``);
2. ``candidate_steps`` join them with the register's keys and keep, per row, the entities
   that could score a match (``Needs``);
3. the candidates are scored by ``Matcher.score``, the code that scores the /match API.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pyarrow as pa
from followthemoney import model
from followthemoney.types import registry

from belwatch.exc import ConfigError
from belwatch.match.algorithms import Algorithm
from belwatch.match.features import ID_PROPS, PATRONYMIC, name_forms
from belwatch.match.index import INDEXED, _compatible
from belwatch.match.service import MAX_NAME_CHARS, Hit, Matcher, make_query
from belwatch.resolve.resolver import Resolution
from belwatch.sources.datasets import DATASETS

# The input as every engine sees it, whatever file it came from. ``row`` says where the
# record is: its line in a CSV or JSON lines file (the header is line 1), its row in a
# worksheet, its number in a Parquet file (from 1); ``problem`` why it cannot be read.
INPUT_SCHEMA = pa.schema([
    ("row", pa.int64()), ("id", pa.string()), ("name", pa.string()),
    ("birth_date", pa.string()), ("country", pa.string()), ("schema", pa.string()),
    ("identifier", pa.string()), ("problem", pa.string()),
])  # fmt: skip
FIELDS = INPUT_SCHEMA.names[1:-1]  # what a column mapping can fill
KEYS_SCHEMA = pa.schema([("row", pa.int64()), ("schema", pa.string()), ("key", pa.string()),
                         ("need", pa.int32())])  # fmt: skip
CANDIDATE_SCHEMA = pa.schema([("row", pa.int64()), ("entity_id", pa.string()),
                              ("rank", pa.int32())])  # fmt: skip
OUTPUT_SCHEMA = pa.schema([
    ("row", pa.int64()), ("input_id", pa.string()), ("input_name", pa.string()),
    ("rank", pa.int32()), ("score", pa.float64()), ("match", pa.bool_()),
    ("entity_id", pa.string()), ("target_id", pa.string()), ("caption", pa.string()),
    ("schema", pa.string()), ("datasets", pa.string()), ("jurisdictions", pa.string()),
    ("listed_under", pa.string()), ("explanation", pa.string()),
])  # fmt: skip

ID_KEY = "#"  # identifier keys begin with it; name keys never do
_NOT_ID = re.compile(r"[^0-9A-Z]")


def id_key(value: str) -> str | None:
    """An identifier as a blocking key: letters and digits only, upper case; None for one
    too short to say anything (fewer than 4 characters)."""
    text = _NOT_ID.sub("", value.upper())
    return ID_KEY + text if len(text) >= 4 else None


@dataclass(frozen=True)
class Mapping:
    """Which input columns hold what; only ``name`` is required."""

    name: str = "name"
    id: str | None = None
    birth_date: str | None = None
    country: str | None = None
    schema: str | None = None  # a column naming the FtM schema of each row
    identifier: str | None = None  # passport, ID, registration or tax number
    default_schema: str = "LegalEntity"

    def columns(self) -> dict[str, str]:
        """Normalised column -> input column, for the columns that are mapped."""
        found = {"name": self.name}
        for field in FIELDS:
            column = getattr(self, field)
            if column and field != "name":
                found[field] = column
        return found

    def check(self, available: Iterable[str], label: str) -> None:
        missing = [c for c in self.columns().values() if c not in set(available)]
        if missing:
            raise ConfigError(
                f"{label}: no column {', '.join(repr(c) for c in missing)}; "
                f"it has {', '.join(repr(c) for c in available)}"
            )


@dataclass
class RegisterTables:
    """The register's blocking keys: postings (key, pos), how many entities each key has
    (key_stats), every key under its one-letter deletions (variants), and per position the
    entity's id, schema and size (tokens in its shortest name)."""

    postings: pa.Table
    key_stats: pa.Table
    variants: pa.Table
    entities: pa.Table
    compatible: pa.Table  # (query_schema, entity_schema) pairs a query may hit
    size: int  # entities


PERSON, ORGANISATION = "p:", "o:"  # a key as person names are compared, or organisations'
NEAR = 5  # the shortest key a typo is forgiven in (features._similar)


def mode(schema: str) -> str:
    return PERSON if model.schemata[schema].is_a("Person") else ORGANISATION


def deletions(key: str) -> set[str]:
    """A name key and, when long enough for a typo to be forgiven, every key one letter
    shorter: two keys a letter apart (dropped, added, replaced, or two swapped) share one."""
    prefix, body = key[:2], key[2:]
    found = {key}
    if len(body) >= NEAR:
        found.update(prefix + body[:i] + body[i + 1 :] for i in range(len(body)))
    return found


def register_tables(matcher: Matcher) -> RegisterTables:
    """Every listed entity's name token keys as name_match compares them (as a person's and
    as an organisation's), and its identifiers, as Arrow tables."""
    index = matcher.index
    keys: list[str] = []
    positions: list[int] = []
    sizes: list[int] = []
    for position, entity_id in enumerate(index.ids):
        profile = matcher.profiles.get(entity_id)
        found: set[str] = set()
        size = 0
        if profile is not None:
            names = profile.entity.get_type_values(registry.name)
            for prefix, organisation in ((PERSON, False), (ORGANISATION, True)):
                forms = name_forms(names, organisation)
                found.update(prefix + key for _, tokens in forms for key, _ in tokens)
                if organisation == (mode(profile.entity.schema.name) == ORGANISATION):
                    size = min((len(tokens) for _, tokens in forms), default=0)
            found.update(k for prop in ID_PROPS for v in profile.entity.get(prop, quiet=True)
                         if (k := id_key(v)))  # fmt: skip
        keys.extend(found)
        positions.extend([position] * len(found))
        sizes.append(size)
    counts: dict[str, int] = defaultdict(int)
    for key in keys:
        counts[key] += 1
    variant_of: list[tuple[str, str]] = [
        (variant, key) for key in counts if not key.startswith(ID_KEY)
        for variant in deletions(key)
    ]  # fmt: skip
    variant_of.extend((key, key) for key in counts if key.startswith(ID_KEY))
    schemata = sorted(set(index.schemata))
    queries = sorted(name for name in INDEXED if model.schemata[name].matchable)
    pairs = [(q, e) for q in queries for e in schemata if _compatible(q, e)]
    return RegisterTables(
        postings=pa.table({"key": keys, "pos": pa.array(positions, pa.int32())}),
        key_stats=pa.table({"key": list(counts), "df": pa.array(list(counts.values()),
                                                                 pa.int32())}),
        variants=pa.table({"variant": [v for v, _ in variant_of],
                           "key": [k for _, k in variant_of]}),
        entities=pa.table({
            "pos": pa.array(range(len(index.ids)), pa.int32()),
            "entity_id": index.ids, "schema": index.schemata,
            "size": pa.array(sizes, pa.int32()),
        }),
        compatible=pa.table({"query_schema": [p[0] for p in pairs],
                             "entity_schema": [p[1] for p in pairs]}),
        size=len(index.ids),
    )  # fmt: skip


# How each SQL dialect numbers the letters of a key: one row per deletion position.
POSITIONS = {
    "duckdb": "unnest(range(length(key) - 2))",
    "spark": "explode(sequence(0, length(key) - 3))",
}


def candidate_steps(pool: int, dialect: str) -> list[tuple[str, str]]:
    """Per input row, at most ``pool`` entities that could score a match, best first, as SQL
    steps each making the named table from those before it: the same text on DuckDB and
    Spark SQL (but for POSITIONS), over ``query_keys`` (row, schema, key, need) and the
    RegisterTables; the last step, ``candidates``, is (row, entity_id, rank). Each step is
    its own statement so that every engine plans the small steps one at a time.

    A query token is found in an entity whose keys include its key or one a letter away
    (``deletions``), as name_match forgives a typo. A row's ``need`` is the fewest of its
    tokens an entity must have for its score to be able to reach the threshold
    (``Needs``); by the pigeonhole principle such an entity has one of the row's
    (found - need + 1) rarest found tokens, so only those tokens' entities are looked at and
    a common given name costs nothing. An identifier found makes a candidate on its own.
    Candidates with more tokens found come first, then those with more found as they are
    (not a letter away), then those with the shortest name, then the earlier indexed."""
    if dialect not in POSITIONS:
        raise ValueError(f"no SQL dialect {dialect!r}")
    return [
        (
            "qk",
            """
  SELECT DISTINCT row, schema, key, need FROM query_keys
""",
        ),
        (
            "qv",
            f"""
  SELECT row, key AS qkey, key AS variant FROM qk
  UNION ALL
  SELECT row, qkey, substr(qkey, 1, 2 + i) || substr(qkey, 4 + i) AS variant
  FROM (SELECT row, key AS qkey, {POSITIONS[dialect]} AS i FROM qk
        WHERE length(key) >= {NEAR + 2} AND substr(key, 1, 1) <> '{ID_KEY}') d
""",
        ),
        (
            "ms",
            """
  SELECT DISTINCT qv.row, qv.qkey, v.key AS rkey
  FROM qv JOIN variants v ON v.variant = qv.variant
""",
        ),
        (
            "qdf",
            f"""
  SELECT ms.row, ms.qkey, SUM(s.df) AS df
  FROM ms JOIN key_stats s ON s.key = ms.rkey
  WHERE substr(ms.qkey, 1, 1) <> '{ID_KEY}'
  GROUP BY ms.row, ms.qkey
""",
        ),
        (
            "need",
            """
  SELECT row, MAX(schema) AS schema, MAX(need) AS need FROM qk GROUP BY row
""",
        ),
        (
            "drivers",
            """
  SELECT d.row, d.qkey FROM (
    SELECT row, qkey, ROW_NUMBER() OVER (PARTITION BY row ORDER BY df, qkey) AS nth,
           COUNT(*) OVER (PARTITION BY row) AS found
    FROM qdf) d
  JOIN need n ON n.row = d.row
  WHERE d.nth <= d.found - n.need + 1
""",
        ),
        (
            "others",
            """
  SELECT ms.row, ms.qkey, ms.rkey
  FROM ms JOIN qdf ON qdf.row = ms.row AND qdf.qkey = ms.qkey
  WHERE NOT EXISTS (SELECT 1 FROM drivers d WHERE d.row = ms.row AND d.qkey = ms.qkey)
""",
        ),
        (
            "driven",
            """
  SELECT d.row, p.pos, COUNT(DISTINCT d.qkey) AS tokens,
         COUNT(DISTINCT CASE WHEN ms.rkey = d.qkey THEN d.qkey END) AS exact
  FROM drivers d
  JOIN ms ON ms.row = d.row AND ms.qkey = d.qkey
  JOIN postings p ON p.key = ms.rkey
  GROUP BY d.row, p.pos
""",
        ),
        (
            "found",
            f"""
  SELECT v.row, v.pos, v.tokens + COALESCE(MAX(o.tokens), 0) AS tokens,
         v.exact + COALESCE(MAX(o.exact), 0) AS exact, 0 AS by_id
  FROM driven v
  LEFT JOIN (
    SELECT v.row, v.pos, COUNT(DISTINCT o.qkey) AS tokens,
           COUNT(DISTINCT CASE WHEN o.rkey = o.qkey THEN o.qkey END) AS exact
    FROM driven v JOIN others o ON o.row = v.row
    WHERE EXISTS (SELECT 1 FROM postings p WHERE p.key = o.rkey AND p.pos = v.pos)
    GROUP BY v.row, v.pos
  ) o ON o.row = v.row AND o.pos = v.pos
  GROUP BY v.row, v.pos, v.tokens, v.exact
  UNION ALL
  SELECT DISTINCT ms.row, p.pos, 0 AS tokens, 0 AS exact, 1 AS by_id
  FROM ms JOIN postings p ON p.key = ms.rkey
  WHERE substr(ms.qkey, 1, 1) = '{ID_KEY}'
""",
        ),
        (
            "ranked",
            """
  SELECT f.row, e.entity_id,
         ROW_NUMBER() OVER (PARTITION BY f.row
                            ORDER BY MAX(f.by_id) DESC, MAX(f.tokens) DESC,
                                     MAX(f.exact) DESC, e.size, f.pos)
           AS rank
  FROM found f
  JOIN need n ON n.row = f.row
  JOIN entities e ON e.pos = f.pos
  JOIN compatible m ON m.query_schema = n.schema AND m.entity_schema = e.schema
  GROUP BY f.row, f.pos, e.entity_id, e.size, n.need
  HAVING MAX(f.tokens) >= n.need OR MAX(f.by_id) = 1
""",
        ),
        (
            "candidates",
            f"""
  SELECT row, entity_id, CAST(rank AS INT) AS rank FROM ranked WHERE rank <= {pool}
""",
        ),
    ]


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def row_schema(row: dict[str, Any], default: str) -> str:
    schema = _text(row.get("schema")) or default
    found = model.get(schema)
    if found is None or not found.matchable:
        raise ConfigError(f"schema {schema!r} cannot be screened")
    return found.name


class Needs:
    """How many of a query's name tokens a candidate must have for its score to be able to
    reach the threshold, by the same reckoning as the matcher's bound
    (features.name_match_bound, Algorithm.bound): the algorithm's other features at full
    weight, generic words found, a patronymic forgiven. Never more than the bound needs, so
    that a candidate the bound would score is never left out."""

    def __init__(self, algorithm: Algorithm, threshold: float | None, only_matches: bool):
        self.algorithm = algorithm
        self.threshold = algorithm.threshold if threshold is None else threshold
        self.only_matches = only_matches
        self._share: dict[tuple[str, frozenset[str]], float] = {}

    def share(self, schema: str, given: frozenset[str]) -> float:
        """The least name agreement (0..1) that can reach the threshold for a query of this
        schema with these properties besides its name."""
        key = (schema, given)
        if key not in self._share:
            query = model.make_entity(schema)
            query.add("name", "x")
            for prop in given:
                query.add(prop, "1970-01-01" if prop == "birthDate" else "x", quiet=True)
            low = self.algorithm.bound(query, 0.0)
            high = self.algorithm.bound(query, 1.0)
            self._share[key] = (self.threshold - low) / (high - low) if high > low else 0.0
        return self._share[key]

    def tokens(self, forms: Any, schema: str, given: frozenset[str]) -> int:
        if not self.only_matches:
            return 1
        share = self.share(schema, given)
        person = mode(schema) == PERSON
        fewest: int | None = None
        for _, tokens in forms:
            plain = [key for key, generic in tokens if not generic]
            generic = len(tokens) - len(plain)
            total = len(plain) + 0.5 * generic
            if person and len(tokens) >= 3 and any(PATRONYMIC.search(k) for k in plain):
                total -= 1.0  # an unfound patronymic may cost nothing
            needed = max(0, math.ceil(share * total - 0.5 * generic - 1e-9))
            needed -= len(plain) - len(set(plain))  # the SQL counts a repeated word once
            fewest = needed if fewest is None else min(fewest, needed)
        return max(1, fewest or 0)


def query_keys(
    batch: pa.Table, scoring: Scoring, name_column: str = "name"
) -> tuple[pa.Table, list[tuple[int, str]]]:
    """The blocking keys of every row of a normalised input batch (its name tokens' keys as
    name_match compares them, and its identifier), how many of them a candidate needs, and
    the rows that cannot be screened (row, why)."""
    rows: list[int] = []
    schemata: list[str] = []
    keys: list[str] = []
    need: list[int] = []
    problems: list[tuple[int, str]] = []
    for record in batch.to_pylist():
        number = record["row"]
        if record.get("problem"):
            problems.append((number, record["problem"]))
            continue
        name = _text(record.get("name"))
        if not name:
            problems.append((number, f"no name in column {name_column!r}"))
            continue
        if len(name) > MAX_NAME_CHARS:
            problems.append((number, f"name longer than {MAX_NAME_CHARS:,} characters"))
            continue
        try:
            schema = row_schema(record, scoring.default_schema)
        except ConfigError as exc:
            problems.append((number, str(exc)))
            continue
        prefix = mode(schema)
        forms = name_forms([name], prefix == ORGANISATION)
        found = {prefix + key for _, tokens in forms for key, generic in tokens if not generic}
        identifier = id_key(_text(record.get("identifier")))
        if identifier:
            found.add(identifier)
        given = frozenset(prop for prop, column in (("birthDate", "birth_date"),
                                                    ("country", "country"),
                                                    ("idNumber", "identifier"))
                          if record.get(column))  # fmt: skip
        count = scoring.needs.tokens(forms, schema, given)
        for key in found:
            rows.append(number)
            schemata.append(schema)
            keys.append(key)
            need.append(count)
    table = pa.table({"row": pa.array(rows, pa.int64()), "schema": schemata, "key": keys,
                      "need": pa.array(need, pa.int32())}, schema=KEYS_SCHEMA)  # fmt: skip
    return table, problems


def make_row_query(record: dict[str, Any], default_schema: str) -> Any:
    """The query entity of a normalised input row."""
    schema = row_schema(record, default_schema)
    properties: dict[str, list[str]] = {"name": [_text(record.get("name"))]}
    birth = _text(record.get("birth_date"))
    if birth and model.schemata[schema].is_a("Person"):
        properties["birthDate"] = [birth]
    country = _text(record.get("country"))
    if country:
        properties["country"] = [country]
    identifier = _text(record.get("identifier"))
    if identifier:
        prop = "idNumber" if model.schemata[schema].is_a("Person") else "registrationNumber"
        properties[prop] = [identifier]
    return make_query({"schema": schema, "properties": properties})


@dataclass(frozen=True)
class Scoring:
    """How candidates become hits. With a ``resolution`` (cross-list resolution's groups),
    the entries of one target on several lists make one hit, the best-scored, listed where
    any of them is."""

    algorithm: Algorithm
    limit: int = 3
    threshold: float | None = None
    only_matches: bool = True
    default_schema: str = "LegalEntity"
    resolution: Resolution | None = None

    @cached_property
    def needs(self) -> Needs:
        return Needs(self.algorithm, self.threshold, self.only_matches)

    @property
    def pool(self) -> int:
        """Candidates scored per row: as many as the /match API scores."""
        return max(30, self.limit * 10)


def score_rows(
    matcher: Matcher, scoring: Scoring, inputs: pa.Table, candidates: pa.Table
) -> tuple[pa.Table, int, int]:
    """The hits of the input rows that have candidates, in row order, and how many rows had
    a match and how many hits there were."""
    wanted: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for number, entity_id, rank in zip(
        candidates.column("row").to_pylist(),
        candidates.column("entity_id").to_pylist(),
        candidates.column("rank").to_pylist(),
        strict=True,
    ):
        wanted[number].append((rank, entity_id))
    out: list[dict[str, Any]] = []
    matched = hits = 0
    for record in inputs.to_pylist():
        number = record["row"]
        if number not in wanted:
            continue
        ids = [entity_id for _, entity_id in sorted(wanted[number])]
        try:
            query = make_row_query(record, scoring.default_schema)
        except ConfigError:
            continue  # counted as a problem when its keys were made
        found = matcher.score(query, ids, scoring.algorithm, len(ids), scoring.threshold,
                              only_matches=scoring.only_matches)  # fmt: skip
        kept = _per_target(found, scoring)[: scoring.limit]
        kept = [hit for hit in kept if hit.match or not scoring.only_matches]
        matched += any(hit.match for hit in kept)
        hits += sum(hit.match for hit in kept)
        out.extend(output_row(matcher, scoring, record, rank, hit)
                   for rank, hit in enumerate(kept, 1))  # fmt: skip
    out.sort(key=lambda item: (item["row"], item["rank"]))
    return pa.Table.from_pylist(out, schema=OUTPUT_SCHEMA), matched, hits


def _per_target(hits: list[Hit], scoring: Scoring) -> list[Hit]:
    """The best hit of each target, best first (hits come best first)."""
    if scoring.resolution is None:
        return hits
    seen: set[str] = set()
    kept = []
    for hit in hits:
        target = scoring.resolution.canonical(hit.entity_id)
        if target not in seen:
            seen.add(target)
            kept.append(hit)
    return kept


def output_row(
    matcher: Matcher, scoring: Scoring, record: dict[str, Any], rank: int, hit: Hit
) -> dict[str, Any]:
    """One hit as an output row: the target, every list that names it and why it matched."""
    resolution = scoring.resolution
    members = resolution.members(hit.entity_id) if resolution else [hit.entity_id]
    listings = [item for member in members for item in matcher.listings.get(member, ())]
    listed = sorted({program for item in listings for program in item.programs})
    where = sorted({DATASETS[item.dataset].jurisdiction for item in listings
                    if item.dataset in DATASETS})  # fmt: skip
    datasets = sorted({hit.profile.dataset, *(item.dataset for item in listings)})
    return {
        "row": record["row"],
        "input_id": record.get("id"),
        "input_name": record.get("name"),
        "rank": rank,
        "score": round(hit.result.score, 6),
        "match": hit.match,
        "entity_id": hit.entity_id,
        "target_id": resolution.canonical(hit.entity_id) if resolution else hit.entity_id,
        "caption": hit.caption,
        "schema": hit.profile.entity.schema.name,
        "datasets": "; ".join(datasets),
        "jurisdictions": "; ".join(where),
        "listed_under": "; ".join(listed),
        "explanation": " | ".join(hit.result.explanations),
    }
