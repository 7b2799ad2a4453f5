"""The register's tables: source versions, statements, and decisions on which entries of
different lists are one target."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

SCHEMA_VERSION = 1

metadata = MetaData()

meta_table = Table(
    "belwatch_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# One row per ingested file: a version of one dataset.
version_table = Table(
    "source_version",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dataset", String(64), nullable=False),
    Column("format", String(64), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("filename", Text, nullable=False),
    # The date the version speaks for: the list's own publication date where the file
    # carries one (date_source 'file'), else a date in the file's name ('filename'), else
    # the day it was ingested ('ingest').
    Column("version_date", String(10), nullable=False),
    Column("date_source", String(16), nullable=False),
    Column("published", String(10), nullable=True),
    Column("complete", Boolean, nullable=False, default=True),
    Column("ingested_at", DateTime, nullable=False),
    Column("records", Integer, nullable=False),
    Column("declared", Integer, nullable=True),
    Column("entities", Integer, nullable=False),
    Column("statements", Integer, nullable=False),
    Column("new_statements", Integer, nullable=False),
    Column("warnings", Text, nullable=False, default="[]"),
    UniqueConstraint("dataset", "sha256", name="uq_source_version_sha"),
    Index("ix_source_version_dataset_date", "dataset", "version_date"),
)

# One row per fact: entity, property, value, as said by one dataset; first and last seen
# across that dataset's versions.
statement_table = Table(
    "statement",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("entity_id", String(255), nullable=False),
    Column("schema", String(64), nullable=False),
    Column("prop", String(64), nullable=False),
    Column("value", Text, nullable=False),
    Column("dataset", String(64), nullable=False),
    Column("lang", String(16), nullable=True),
    Column("original_value", Text, nullable=True),
    # The value again where the property points at another entity, so links can be followed
    # backwards (which Sanctions name this Person?) through an index that fits any value.
    Column("ref", String(255), nullable=True),
    Column("first_seen", String(10), nullable=False),
    Column("last_seen", String(10), nullable=False),
    Column("first_version", Integer, ForeignKey("source_version.id"), nullable=False),
    Column("last_version", Integer, ForeignKey("source_version.id"), nullable=False),
    Index("ix_statement_entity", "entity_id"),
    Index(
        "ix_statement_ref",
        "ref",
        sqlite_where=text("ref IS NOT NULL"),
        postgresql_where=text("ref IS NOT NULL"),
    ),
)

# One row per judgement on whether two entries (of different lists) are the same target:
# 'same', 'not_same' or 'unsure'. The resolver's own ('auto', with its score) are replaced
# on each run; a person's ('user') are only ever added to, and the newest one wins over any
# automatic judgement.
decision_table = Table(
    "decision",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("left_id", String(255), nullable=False),
    Column("right_id", String(255), nullable=False),
    Column("judgement", String(16), nullable=False),
    Column("score", Float, nullable=True),
    Column("source", String(16), nullable=False),
    Column("author", String(255), nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("created_at", DateTime, nullable=False),
    Index("ix_decision_pair", "left_id", "right_id"),
    Index("ix_decision_source", "source"),
)

# One row per person's judgement on a lead of the gap report: a name the lists relate to a
# target that no list holds ('relevant' or 'not_relevant': a newspaper, an award, a
# product). Only ever added to; the newest per (target, name) is in force.
lead_table = Table(
    "lead_judgement",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("target_id", String(255), nullable=False),
    Column("name", Text, nullable=False),
    Column("judgement", String(16), nullable=False),
    Column("author", String(255), nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("created_at", DateTime, nullable=False),
    Index("ix_lead_target", "target_id"),
)

# The repression register: persecuted people and their cases, closed organisations,
# "extremist" designations and the officials who took part, as FtM entities kept apart from
# the sanctions lists' statements. Each entity's current properties sit in one row, every
# edit in a version row (who, when, from which source); a person's visibility decides who
# may see the record at all.
repression_entity_table = Table(
    "repression_entity",
    metadata,
    Column("id", String(255), primary_key=True),
    Column("schema", String(64), nullable=False),
    Column("caption", Text, nullable=False),
    Column("properties", Text, nullable=False),  # FtM properties as JSON
    Column("visibility", String(16), nullable=False),  # public, internal, restricted
    Column("consent", String(16), nullable=False),  # given, refused, unknown
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("updated_by", String(255), nullable=False),
    Index("ix_repression_entity_schema", "schema"),
)
repression_version_table = Table(
    "repression_version",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entity_id", String(255), nullable=False),
    Column("version", Integer, nullable=False),
    Column("properties", Text, nullable=False),
    Column("visibility", String(16), nullable=False),
    Column("consent", String(16), nullable=False),
    Column("sources", Text, nullable=False),  # JSON: [{"url", "document", "date"}]
    Column("author", String(255), nullable=False),
    Column("created_at", DateTime, nullable=False),
    UniqueConstraint("entity_id", "version", name="uq_repression_version"),
)
# Who read, exported or changed what, with their role: the register holds victims' names.
repression_audit_table = Table(
    "repression_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("actor", String(255), nullable=False),
    Column("role", String(16), nullable=False),
    Column("action", String(16), nullable=False),  # read, list, export, write
    Column("entity_id", String(255), nullable=True),
    Column("detail", Text, nullable=False, default=""),
    Index("ix_repression_audit_entity", "entity_id"),
)

# People who sign in, and the role each acts in (viewer, editor, admin). Passwords are kept
# as scrypt hashes only.
account_table = Table(
    "account",
    metadata,
    Column("name", String(255), primary_key=True),
    Column("password", Text, nullable=False),
    Column("role", String(16), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", DateTime, nullable=False),
)

# One row per sign-in. The browser holds a random token; only its SHA-256 is kept here, so a
# copy of the database signs nobody in. A session ends on sign-out, when an admin ends it or
# disables the account, after 8 hours, or after 30 minutes unused.
account_session_table = Table(
    "account_session",
    metadata,
    Column("id", String(64), primary_key=True),  # SHA-256 of the token, hex
    Column("account", String(255), ForeignKey("account.name"), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("last_seen_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("ended_at", DateTime, nullable=True),
    Column("ended_by", String(255), nullable=True),
    Column("user_agent", String(200), nullable=False, default=""),
    Index("ix_account_session_account", "account"),
)

# One row per refused sign-in, kept while it can still count towards a lock: the name tried
# (a name that is no account only as a hash: it is often a password typed in the wrong box)
# and a keyed hash of the client's address.
sign_in_failure_table = Table(
    "sign_in_failure",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(255), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("address", String(64), nullable=False),
    Index("ix_sign_in_failure_name", "name", "at"),
    Index("ix_sign_in_failure_address", "address", "at"),
)

# Figures published by others (a human-rights centre's count of political prisoners on a
# day), each with its source and the sentence that gives the number.
repression_figure_table = Table(
    "repression_figure",
    metadata,
    Column("indicator", String(32), primary_key=True),
    Column("date", String(10), primary_key=True),  # YYYY-MM-DD, or YYYY-MM
    Column("publisher", String(255), primary_key=True),
    Column("value", Integer, nullable=False),
    Column("qualifier", String(32), nullable=False),
    Column("title", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("quote", Text, nullable=False),
    Column("entered_by", String(255), nullable=False),
    Column("entered_at", DateTime, nullable=False),
)
