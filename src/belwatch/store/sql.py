"""The register in SQL: SQLite by default, PostgreSQL by URL. Dialect differences live here."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from followthemoney import Statement, StatementEntity
from followthemoney.dataset import Dataset
from followthemoney.statement.util import BASE_ID
from sqlalchemy import Engine, MetaData, create_engine, event, func, or_, select
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError, SQLAlchemyError

from belwatch.exc import ConfigError, NotFound, StoreError
from belwatch.sources.base import ParseResult
from belwatch.store.schema import (
    SCHEMA_VERSION,
    meta_table,
    metadata,
    statement_table,
    version_table,
)

REGISTER = Dataset.make({"name": "belwatch", "title": "belwatch sanctions register"})
BATCH = 20_000
EXCERPT = re.compile(r"excerpt|sample", re.IGNORECASE)


@dataclass
class Version:
    id: int
    dataset: str
    format: str
    sha256: str
    filename: str
    version_date: str
    date_source: str
    published: str | None
    complete: bool
    ingested_at: datetime
    records: int
    declared: int | None
    entities: int
    statements: int
    new_statements: int
    warnings: list[str]

    # "full"; "partial" for change-only files; "excerpt" for a complete-looking file with
    # under half the entries of the dataset's largest version (a sample, or a broken export)
    # or one whose name says it is an excerpt or a sample.
    kind: str = "full"

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["ingested_at"] = self.ingested_at.isoformat(timespec="seconds")
        return data


class Store:
    """A register database. Every write is one transaction: it lands whole or not at all."""

    def __init__(self, url: str, tables: MetaData | None = None) -> None:
        """Open (and create the missing tables of) the database at ``url``; ``tables`` is
        another set of tables to keep there (the fund's), the register's by default."""
        self.url = url
        try:
            backend = make_url(url).get_backend_name()
        except ArgumentError:
            raise ConfigError(f"not a database URL or SQLite path: {url!r}") from None
        if backend not in ("sqlite", "postgresql"):
            raise ConfigError(f"unsupported database {backend!r}: use SQLite or PostgreSQL")
        try:
            self.engine: Engine = create_engine(url, future=True)
        except (SQLAlchemyError, ImportError, ValueError) as exc:
            raise ConfigError(f"cannot use database {url!r}: {exc}") from None
        self.dialect = self.engine.dialect.name
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        elif self.dialect != "postgresql":
            raise ConfigError(f"unsupported database {self.dialect!r}: use SQLite or PostgreSQL")
        try:
            with self.engine.begin() as conn:
                (tables or metadata).create_all(conn)
                self._check_schema(conn)
        except (OperationalError, ProgrammingError) as exc:
            raise StoreError(f"cannot open the register at {self.safe_url}: {exc.orig}") from None

    @property
    def safe_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _check_schema(self, conn: Connection) -> None:
        row = conn.execute(
            select(meta_table.c.value).where(meta_table.c.key == "schema_version")
        ).first()
        if row is None:
            conn.execute(
                meta_table.insert().values(key="schema_version", value=str(SCHEMA_VERSION))
            )
        elif int(row[0]) != SCHEMA_VERSION:
            raise StoreError(
                f"the register at {self.safe_url} has schema version {row[0]}, "
                f"this belwatch expects {SCHEMA_VERSION}"
            )

    # --- writing -----------------------------------------------------------------------

    def find_version(self, sha256: str) -> Version | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(version_table).where(version_table.c.sha256 == sha256).limit(1)
            ).first()
        return _version(row) if row else None

    def add_version(
        self,
        result: ParseResult,
        *,
        sha256: str,
        filename: str,
        version_date: str,
        date_source: str,
    ) -> Version:
        """Store one parsed file as a version of its dataset, updating each statement's
        first and last sighting. All of it in one transaction."""
        rows = _statement_rows(result, version_date)
        if not rows and result.records:
            raise StoreError(f"{filename}: {result.records} entries but no statements to store")
        try:
            with self.engine.begin() as conn:
                before = conn.execute(
                    select(func.count()).select_from(statement_table)
                ).scalar_one()
                inserted = conn.execute(
                    version_table.insert().values(
                        dataset=result.dataset,
                        format=result.format,
                        sha256=sha256,
                        filename=filename,
                        version_date=version_date,
                        date_source=date_source,
                        published=result.published.isoformat() if result.published else None,
                        complete=result.complete,
                        ingested_at=datetime.now(UTC).replace(tzinfo=None),
                        records=result.records,
                        declared=result.declared,
                        entities=len(result.entities),
                        statements=len(rows),
                        new_statements=0,
                        warnings=json.dumps(result.warnings, ensure_ascii=False),
                    )
                ).inserted_primary_key
                assert inserted is not None
                version_id = inserted[0]
                for start in range(0, len(rows), BATCH):
                    batch = [(*row, version_id, version_id) for row in rows[start : start + BATCH]]
                    self._write_statements(conn, batch)
                after = conn.execute(select(func.count()).select_from(statement_table)).scalar_one()
                conn.execute(
                    version_table.update()
                    .where(version_table.c.id == version_id)
                    .values(new_statements=after - before)
                )
                stored = conn.execute(
                    select(version_table).where(version_table.c.id == version_id)
                ).one()
        except (SQLAlchemyError, self.engine.dialect.loaded_dbapi.Error) as exc:
            raise StoreError(f"could not store {filename}: {getattr(exc, 'orig', exc)}") from None
        return _version(stored)

    def _write_statements(self, conn: Connection, rows: list[tuple[Any, ...]]) -> None:
        """Insert new statements and widen the first/last sighting of known ones. Straight
        to the driver: this is the hot path of every ingest."""
        columns = ", ".join(STATEMENT_COLUMNS)
        if self.dialect == "postgresql":
            raw: Any = conn.connection.dbapi_connection  # psycopg 3, for COPY
            with raw.cursor() as cursor:
                cursor.execute(
                    "CREATE TEMP TABLE IF NOT EXISTS incoming "
                    "(LIKE statement INCLUDING DEFAULTS) ON COMMIT DROP"
                )
                with cursor.copy(f"COPY incoming ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                cursor.execute(
                    f"INSERT INTO statement ({columns}) SELECT {columns} FROM incoming "
                    f"{_ON_CONFLICT.format(least='LEAST', greatest='GREATEST')}"
                )
                cursor.execute("TRUNCATE incoming")
        else:
            marks = ", ".join("?" for _ in STATEMENT_COLUMNS)
            conn.exec_driver_sql(
                f"INSERT INTO statement ({columns}) VALUES ({marks}) "
                f"{_ON_CONFLICT.format(least='min', greatest='max')}",
                rows,
            )

    # --- reading -----------------------------------------------------------------------

    def versions(self, dataset: str | None = None) -> list[Version]:
        """Every ingested version (of one dataset), oldest first, each with its kind."""
        query = select(version_table).order_by(
            version_table.c.dataset, version_table.c.version_date, version_table.c.id
        )
        with self.engine.connect() as conn:
            found = [_version(row) for row in conn.execute(query)]
        largest: dict[str, int] = {}
        for version in found:
            if version.complete:
                largest[version.dataset] = max(largest.get(version.dataset, 0), version.records)
        for version in found:
            if not version.complete:
                version.kind = "partial"
            elif version.records * 2 < largest[version.dataset] or EXCERPT.search(
                Path(version.filename).name
            ):
                version.kind = "excerpt"
        return [v for v in found if dataset is None or v.dataset == dataset]

    def cutoffs(self, as_of: str | None = None, version: int | None = None) -> dict[str, str]:
        """Per dataset, the date of the latest full version (on or before ``as_of``, among
        the versions ingested up to the one numbered ``version``): a statement last seen
        before it was no longer on the list. Partial versions (amending acts) and excerpts
        (a version with under half the entries of the dataset's largest) add to a list but
        never delist."""
        latest_complete: dict[str, str] = {}
        earliest: dict[str, str] = {}
        for found in self.versions():
            if as_of is not None and found.version_date > as_of:
                continue
            if version is not None and found.id > version:
                continue
            day = found.version_date
            earliest[found.dataset] = min(earliest.get(found.dataset, day), day)
            if found.kind == "full":
                latest_complete[found.dataset] = max(latest_complete.get(found.dataset, day), day)
        return {ds: latest_complete.get(ds, first) for ds, first in earliest.items()}

    def statements(self, entity_ids: Iterable[str]) -> list[Statement]:
        ids = list(entity_ids)
        found: list[Statement] = []
        with self.engine.connect() as conn:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                query = select(statement_table).where(statement_table.c.entity_id.in_(chunk))
                found.extend(row_statement(row) for row in conn.execute(query))
        return found

    def entity(
        self, entity_id: str, as_of: str | None = None, current: bool = True
    ) -> StatementEntity:
        """One entity; ``current`` limits it to what is on the lists (as of a date)."""
        entities = self.entities([entity_id], as_of=as_of, current=current)
        if not entities:
            raise NotFound(f"no entity {entity_id!r} in the register")
        return entities[0]

    def entities(
        self, entity_ids: Iterable[str], as_of: str | None = None, current: bool = True
    ) -> list[StatementEntity]:
        statements = self.statements(entity_ids)
        if current:
            statements = self.filter_in_force(statements, as_of)
        return _assemble(statements)

    def iter_entities(
        self,
        dataset: str | None = None,
        as_of: str | None = None,
        current: bool = True,
    ) -> Iterator[StatementEntity]:
        """Every entity, one at a time, in id order (streamed, not loaded whole)."""
        cutoffs = self.cutoffs(as_of) if current else {}
        query = select(statement_table).order_by(statement_table.c.entity_id)
        if dataset is not None:
            query = query.where(statement_table.c.dataset == dataset)
        with self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(query)
            batch: list[Statement] = []
            for row in result:
                stmt = row_statement(row)
                if batch and stmt.entity_id != batch[0].entity_id:
                    yield from _assemble(batch)
                    batch = []
                if not current or in_force(stmt, cutoffs, as_of):
                    batch.append(stmt)
            if batch:
                yield from _assemble(batch)

    def scan(self, condition: Any, as_of: str | None = None) -> Iterator[Statement]:
        """The statements matching an SQL condition that are on the lists (as of a day),
        streamed: for building in-memory indexes over the whole register."""
        cutoffs = self.cutoffs(as_of)
        query = select(statement_table).where(condition)
        with self.engine.connect() as conn:
            rows = conn.execution_options(stream_results=True, yield_per=BATCH).execute(query)
            for row in rows:
                stmt = row_statement(row)
                if in_force(stmt, cutoffs, as_of):
                    yield stmt

    def scan_values(
        self,
        columns: Sequence[str],
        condition: Any,
        as_of: str | None = None,
        version: int | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        """Like ``scan``, but tuples of the named statement columns followed by dataset,
        first_seen and last_seen (not to be named again): for building in-memory indexes
        quickly. With ``version``, the register as it stood once that version was ingested
        (its statements and those of the versions before it)."""
        cutoffs = self.cutoffs(as_of, version)
        t = statement_table
        if version is not None:
            condition = condition & (t.c.first_version <= version)
        wanted = [t.c[name] for name in columns]
        query = select(*wanted, t.c.dataset, t.c.first_seen, t.c.last_seen).where(condition)
        width = len(wanted)
        with self.engine.connect() as conn:
            rows = conn.execution_options(stream_results=True, yield_per=BATCH).execute(query)
            for row in rows:
                dataset, first_seen, last_seen = row[width:]
                if _current(dataset, first_seen, last_seen, cutoffs, as_of):
                    yield tuple(row)

    def changed_since(self, version: int) -> set[str]:
        """The entities whose statements on the lists differ between the register as it
        stood once ``version`` was ingested and now: a value added, or one a newer full
        version of its list no longer carries (a delisting, a dropped alias)."""
        if not any(v.id == version for v in self.versions()):
            raise NotFound(f"no list version {version}; `belwatch sources` lists them")
        before, now = self.cutoffs(version=version), self.cutoffs()
        t = statement_table
        conditions = [t.c.first_version > version]
        for dataset, cutoff in now.items():
            old = before.get(dataset)
            if old is not None and old < cutoff:
                conditions.append((t.c.dataset == dataset) & (t.c.last_seen < cutoff)
                                  & (t.c.last_seen >= old))  # fmt: skip
        query = select(t.c.entity_id).where(or_(*conditions)).distinct()
        with self.engine.connect() as conn:
            return {row[0] for row in conn.execute(query)}

    def referencing(
        self, entity_id: str, as_of: str | None = None, current: bool = True
    ) -> list[StatementEntity]:
        """Entities that point at this one (its Sanctions, links, addresses...)."""
        query = (
            select(statement_table.c.entity_id).where(statement_table.c.ref == entity_id).distinct()
        )
        with self.engine.connect() as conn:
            ids = [row[0] for row in conn.execute(query)]
        return self.entities(ids, as_of=as_of, current=current)

    def filter_in_force(
        self, statements: Sequence[Statement], as_of: str | None
    ) -> list[Statement]:
        cutoffs = self.cutoffs(as_of)
        return [s for s in statements if in_force(s, cutoffs, as_of)]


def in_force(stmt: Statement, cutoffs: dict[str, str], as_of: str | None) -> bool:
    return _current(stmt.dataset, stmt.first_seen, stmt.last_seen, cutoffs, as_of)


def _current(
    dataset: str,
    first_seen: str | None,
    last_seen: str | None,
    cutoffs: dict[str, str],
    as_of: str | None,
) -> bool:
    """On the list (as of a day): seen in the dataset's latest full version by then."""
    cutoff = cutoffs.get(dataset)
    if cutoff is None:
        return False
    if as_of is not None and first_seen is not None and first_seen > as_of:
        return False
    return last_seen is not None and last_seen >= cutoff


def _assemble(statements: Sequence[Statement]) -> list[StatementEntity]:
    by_entity: dict[str, list[Statement]] = defaultdict(list)
    for stmt in statements:
        by_entity[stmt.entity_id].append(stmt)
    entities = []
    for stmts in by_entity.values():
        if not any(s.prop == BASE_ID for s in stmts):
            continue
        entities.append(StatementEntity.from_statements(REGISTER, stmts))
    return entities


STATEMENT_COLUMNS = (
    "id", "entity_id", "schema", "prop", "value", "dataset", "lang", "original_value", "ref",
    "first_seen", "last_seen", "first_version", "last_version",
)  # fmt: skip

# A statement seen again: its first sighting is the earliest, its last the latest, and the
# schema and original value follow the latest version, whatever order versions arrive in.
_ON_CONFLICT = """ON CONFLICT (id) DO UPDATE SET
    first_version = CASE WHEN excluded.first_seen < statement.first_seen
        THEN excluded.first_version ELSE statement.first_version END,
    first_seen = {least}(statement.first_seen, excluded.first_seen),
    last_version = CASE WHEN excluded.last_seen >= statement.last_seen
        THEN excluded.last_version ELSE statement.last_version END,
    schema = CASE WHEN excluded.last_seen >= statement.last_seen
        THEN excluded.schema ELSE statement.schema END,
    original_value = CASE WHEN excluded.last_seen >= statement.last_seen
        THEN excluded.original_value ELSE statement.original_value END,
    last_seen = {greatest}(statement.last_seen, excluded.last_seen)"""


def _statement_rows(result: ParseResult, seen: str) -> list[tuple[Any, ...]]:
    """One row per distinct statement, in STATEMENT_COLUMNS order without the version ids."""
    rows: dict[str, tuple[Any, ...]] = {}
    for entity in result.entities:
        if entity.id is None:
            continue
        schema = entity.schema.name
        values: list[tuple[str, str]] = [(BASE_ID, entity.id)]
        values.extend((prop.name, value) for prop, value in entity.itervalues())
        for prop, value in values:
            key = Statement.make_key(result.dataset, entity.id, prop, value, False)
            if key is None or key in rows:
                continue
            is_ref = prop != BASE_ID and entity.schema.properties[prop].type.name == "entity"
            ref = value if is_ref else None
            rows[key] = (key, entity.id, schema, prop, value, result.dataset, None, None, ref,
                         seen, seen)  # fmt: skip
    return list(rows.values())


def row_statement(row: Any) -> Statement:
    return Statement(
        id=row.id,
        entity_id=row.entity_id,
        prop=row.prop,
        schema=row.schema,
        value=row.value,
        dataset=row.dataset,
        lang=row.lang,
        original_value=row.original_value,
        first_seen=row.first_seen,
        last_seen=row.last_seen,
    )


def _version(row: Any) -> Version:
    return Version(
        id=row.id,
        dataset=row.dataset,
        format=row.format,
        sha256=row.sha256,
        filename=row.filename,
        version_date=row.version_date,
        date_source=row.date_source,
        published=row.published,
        complete=bool(row.complete),
        ingested_at=row.ingested_at,
        records=row.records,
        declared=row.declared,
        entities=row.entities,
        statements=row.statements,
        new_statements=row.new_statements,
        warnings=json.loads(row.warnings or "[]"),
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Up to 128 MiB of page cache: the statement indexes of a full register stay in memory.
    cursor.execute("PRAGMA cache_size=-131072")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


NAME_PROPS = ("name", "alias", "weakAlias", "previousName")
