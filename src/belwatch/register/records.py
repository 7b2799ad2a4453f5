"""The repression register's records: FtM entities with a visibility, a consent, the source
of every version and who entered it. Who asks decides what exists: a record a role may not
see is not there for it (not listed, not found, not exported, not counted), and a link to
such a record is hidden with it.

Roles: a viewer sees public records; an editor sees internal ones too and may write; an
admin sees everything, restricted records included (a victim whose family does not want
the name published)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from followthemoney import EntityProxy, model
from sqlalchemy import Connection, Table, func, insert, select, update

from belwatch.exc import ConfigError, Conflict, NotFound
from belwatch.store import Store
from belwatch.store.schema import (
    repression_audit_table,
    repression_entity_table,
    repression_version_table,
)

PUBLIC, INTERNAL, RESTRICTED = "public", "internal", "restricted"
VISIBILITIES = (PUBLIC, INTERNAL, RESTRICTED)
CONSENTS = ("given", "refused", "unknown")
ROLES: dict[str, frozenset[str]] = {
    "viewer": frozenset({PUBLIC}),
    "editor": frozenset({PUBLIC, INTERNAL}),
    "admin": frozenset(VISIBILITIES),
}
WRITERS = frozenset({"editor", "admin"})
BATCH = 5_000


@dataclass(frozen=True)
class Actor:
    """Who asks, and in which role."""

    name: str
    role: str

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ConfigError(f"unknown role {self.role!r}; known: {', '.join(ROLES)}")
        if not self.name.strip():
            raise ConfigError("say who you are: every read and write is recorded with a name")

    @property
    def sees(self) -> frozenset[str]:
        return ROLES[self.role]


@dataclass(frozen=True)
class Source:
    url: str = ""
    document: str = ""
    date: str = ""


@dataclass
class Record:
    id: str
    schema: str
    caption: str
    properties: dict[str, list[str]]
    visibility: str
    consent: str
    version: int
    updated_at: datetime | None = None
    updated_by: str = ""

    def entity(self) -> EntityProxy:
        return model.get_proxy({"id": self.id, "schema": self.schema,
                                "properties": self.properties})  # fmt: skip


@dataclass
class Change:
    """One entity to write, with how visible it is and where it comes from."""

    entity: EntityProxy
    visibility: str = INTERNAL
    consent: str = "unknown"
    sources: list[Source] = field(default_factory=list)
    # Add to what the register holds (an official named in many cases, each spelling the
    # name its own way) rather than replace it (a person's record, corrected by a newer file).
    merge: bool = False
    # The version the writer read (an edit form): a record changed since is not overwritten.
    expected_version: int | None = None


def _check(change: Change) -> None:
    if change.visibility not in VISIBILITIES:
        raise ConfigError(f"visibility is one of {', '.join(VISIBILITIES)}, "
                          f"not {change.visibility!r}")  # fmt: skip
    if change.consent not in CONSENTS:
        raise ConfigError(f"consent is one of {', '.join(CONSENTS)}, not {change.consent!r}")


def _properties(entity: EntityProxy) -> dict[str, list[str]]:
    return {prop: sorted(values) for prop, values in sorted(entity.to_dict()["properties"].items())}


class Repression:
    """The repression register in a store (SQLite or PostgreSQL)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # --- writing --------------------------------------------------------------------------

    def write(self, actor: Actor, changes: Iterable[Change]) -> dict[str, int]:
        """Create or update entities in one transaction: an entity whose properties,
        visibility and consent are unchanged gets no new version. Returns counts of
        created, updated and unchanged entities."""
        if actor.role not in WRITERS:
            raise ConfigError(f"a {actor.role} may not write to the register")
        merged: dict[str, Change] = {}
        cited: dict[str, set[Source]] = {}
        for change in changes:
            _check(change)
            if not change.entity.id:
                raise ConfigError(f"a {change.entity.schema.name} without an id")
            earlier = merged.get(change.entity.id)
            if earlier is not None:  # the same entity twice in one import: one record
                earlier.entity.merge(change.entity)
                known = cited[change.entity.id]
                for source in change.sources:
                    if source not in known:
                        known.add(source)
                        earlier.sources.append(source)
                continue
            merged[change.entity.id] = change
            cited[change.entity.id] = set(change.sources)
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        now = datetime.now(UTC).replace(tzinfo=None)
        t, v = repression_entity_table, repression_version_table
        ids = list(merged)
        with self.store.engine.begin() as conn:
            current: dict[str, tuple[int, str, str, str]] = {}
            schemata: dict[str, str] = {}
            for start in range(0, len(ids), BATCH):
                chunk = ids[start : start + BATCH]
                query = select(t.c.id, t.c.schema, t.c.version, t.c.properties,
                               t.c.visibility, t.c.consent).where(t.c.id.in_(chunk))  # fmt: skip
                for found_row in conn.execute(query):
                    schemata[found_row.id] = found_row.schema
                    current[found_row.id] = (found_row.version, found_row.properties,
                                             found_row.visibility, found_row.consent)  # fmt: skip
            created: list[dict[str, Any]] = []
            updated: list[dict[str, Any]] = []
            versions: list[dict[str, Any]] = []
            for entity_id, change in merged.items():
                found = current.get(entity_id)
                if change.expected_version is not None and (
                    found is None or found[0] != change.expected_version
                ):
                    raise Conflict(f"{change.entity.caption} was changed by someone else "
                                   f"since version {change.expected_version}: nothing was "
                                   "written; open it again to see the new version")  # fmt: skip
                if found is not None and change.merge:
                    stored = model.get_proxy({"id": entity_id, "schema": schemata[entity_id],
                                              "properties": json.loads(found[1])})  # fmt: skip
                    stored.merge(change.entity)
                    change.entity = stored
                properties = orjson.dumps(_properties(change.entity)).decode()
                row: dict[str, Any] = {"id": entity_id, "schema": change.entity.schema.name,
                       "caption": change.entity.caption, "properties": properties,
                       "visibility": change.visibility, "consent": change.consent,
                       "updated_at": now, "updated_by": actor.name}  # fmt: skip
                if found is None:
                    row["version"] = 1
                    created.append(row)
                elif found[1:] == (properties, change.visibility, change.consent):
                    counts["unchanged"] += 1
                    continue
                else:
                    row["version"] = found[0] + 1
                    updated.append(row)
                versions.append({
                    "entity_id": entity_id, "version": row["version"], "properties": properties,
                    "visibility": change.visibility, "consent": change.consent,
                    "sources": orjson.dumps([s.__dict__ for s in change.sources]).decode(),
                    "author": actor.name, "created_at": now,
                })  # fmt: skip
            _insert(conn, t, created)
            for row in updated:
                conn.execute(update(t).where(t.c.id == row["id"]).values(**row))
            _insert(conn, v, versions)
            counts["created"], counts["updated"] = len(created), len(updated)
            conn.execute(insert(repression_audit_table).values(
                at=now, actor=actor.name, role=actor.role, action="write", entity_id=None,
                detail=json.dumps(counts),
            ))  # fmt: skip
        return counts

    # --- reading --------------------------------------------------------------------------

    def _rows(self, schema: str | None = None) -> Iterator[Record]:
        t = repression_entity_table
        query = select(t)
        if schema is not None:
            query = query.where(t.c.schema == schema)
        with self.store.engine.connect() as conn:
            for row in conn.execute(query.order_by(t.c.id)):
                yield Record(row.id, row.schema, row.caption, json.loads(row.properties),
                             row.visibility, row.consent, row.version, row.updated_at,
                             row.updated_by)  # fmt: skip

    def stamp(self) -> tuple[int, str]:
        """Changes whenever the register does: the number of records and the last write."""
        t = repression_entity_table
        with self.store.engine.connect() as conn:
            count, last = conn.execute(select(func.count(), func.max(t.c.updated_at))).one()
        return count, str(last)

    def _hidden(self, actor: Actor) -> set[str]:
        """The ids this actor may not see."""
        t = repression_entity_table
        query = select(t.c.id).where(t.c.visibility.not_in(sorted(actor.sees)))
        with self.store.engine.connect() as conn:
            return {row.id for row in conn.execute(query)}

    def records(self, actor: Actor, schema: str | None = None) -> list[Record]:
        """Every record the actor may see (a link to a record it may not see is hidden
        too, and so is every property naming one)."""
        hidden = self._hidden(actor)
        found = []
        for record in self._rows(schema):
            if record.id in hidden or _points_at(record, hidden):
                continue
            found.append(record)
        self.audit_read(actor, "list", None, schema or "")
        return found

    def get(self, actor: Actor, entity_id: str) -> Record:
        """One record; NotFound alike for one that does not exist and one the actor may not
        see, so that a record's existence does not leak."""
        t = repression_entity_table
        with self.store.engine.connect() as conn:
            row = conn.execute(select(t).where(t.c.id == entity_id)).first()
        hidden = self._hidden(actor) if row is not None else set()
        if row is None or row.visibility not in actor.sees:
            raise NotFound(f"no record {entity_id!r}")
        record = Record(row.id, row.schema, row.caption, json.loads(row.properties),
                        row.visibility, row.consent, row.version, row.updated_at,
                        row.updated_by)  # fmt: skip
        if _points_at(record, hidden):
            raise NotFound(f"no record {entity_id!r}")
        self.audit_read(actor, "read", entity_id)
        return record

    def history(self, actor: Actor, entity_id: str) -> list[dict[str, Any]]:
        """Every version of a record the actor may see, oldest first."""
        self.get(actor, entity_id)
        v = repression_version_table
        query = select(v).where(v.c.entity_id == entity_id).order_by(v.c.version)
        with self.store.engine.connect() as conn:
            return [
                {"version": row.version, "properties": json.loads(row.properties),
                 "visibility": row.visibility, "consent": row.consent,
                 "sources": json.loads(row.sources), "author": row.author,
                 "created_at": row.created_at.isoformat()}
                for row in conn.execute(query)
            ]  # fmt: skip

    def export(self, actor: Actor) -> Iterator[dict[str, Any]]:
        """The records the actor may see, as FtM entities (JSON-ready dicts)."""
        records = self.records(actor)
        self.audit(actor, "export", None, f"{len(records)} records")
        for record in records:
            yield record.entity().to_dict()

    def audit_read(
        self, actor: Actor, action: str, entity_id: str | None, detail: str = ""
    ) -> None:
        """Reads by a role that sees more than the public records; what anyone may read is
        not worth a row per page view."""
        if actor.sees != ROLES["viewer"]:
            self.audit(actor, action, entity_id, detail)

    def audit(self, actor: Actor, action: str, entity_id: str | None, detail: str = "") -> None:
        with self.store.engine.begin() as conn:
            conn.execute(insert(repression_audit_table).values(
                at=datetime.now(UTC).replace(tzinfo=None), actor=actor.name, role=actor.role,
                action=action, entity_id=entity_id, detail=detail,
            ))  # fmt: skip


def _insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Many rows straight to the driver: an import writes hundreds of thousands."""
    if not rows:
        return
    columns = list(rows[0])
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) "
           f"VALUES ({', '.join(mark for _ in columns)})")  # fmt: skip
    for start in range(0, len(rows), BATCH):
        conn.exec_driver_sql(sql, [tuple(row[c] for c in columns)
                                   for row in rows[start : start + BATCH]])  # fmt: skip


def _points_at(record: Record, hidden: set[str]) -> bool:
    """Does a record name a hidden one (a court case party whose party is restricted)?"""
    if not hidden:
        return False
    schema = model.get(record.schema)
    if schema is None:
        return False
    for prop, values in record.properties.items():
        found = schema.properties.get(prop)
        if found is not None and found.type.name == "entity" and hidden.intersection(values):
            return True
    return False
