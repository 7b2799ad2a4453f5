"""The fund's tables, in a database of their own (BELWATCH_FUND_DB), apart from the
sanctions register. Identity fields (names, contacts, addresses, documents, payees, notes)
are stored only as AES-GCM ciphertext (see crypto.py); blind indexes let duplicates be found
without decrypting."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

from belwatch.store.schema import (
    account_session_table,
    account_table,
    meta_table,
    repression_audit_table,
    sign_in_failure_table,
)

metadata = MetaData()
# Staff sign in as register accounts do: the same tables, in the fund's database.
for _shared in (meta_table, account_table, account_session_table, sign_in_failure_table,
                repression_audit_table):  # fmt: skip
    _shared.to_metadata(metadata)

# A staff member's role in the fund; the account (name, password) is in `account`.
staff_table = Table(
    "fund_staff",
    metadata,
    Column("name", String(255), primary_key=True),
    Column("role", String(16), nullable=False),  # admin, caseworker, reviewer, finance, director
    Column("created_at", DateTime, nullable=False),
)

# Second factors: TOTP (secret encrypted) or a WebAuthn credential (public key).
factor_table = Table(
    "fund_factor",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("staff", String(255), nullable=False),
    Column("kind", String(16), nullable=False),  # totp, webauthn
    Column("label", String(255), nullable=False, default=""),
    Column("secret", Text, nullable=True),  # TOTP: encrypted secret
    Column("credential_id", Text, nullable=True),  # WebAuthn: base64url
    Column("public_key", LargeBinary, nullable=True),
    Column("sign_count", Integer, nullable=False, default=0),
    Column("last_step", Integer, nullable=False, default=0),  # TOTP: refuses a code twice
    Column("created_at", DateTime, nullable=False),
    Index("ix_fund_factor_staff", "staff"),
)

# What a passkey has beyond its row in fund_factor, in a table of its own so that fund
# databases made before it keep working: the user handle its authenticator was given (and
# returns when signing), and when it last proved a session.
passkey_table = Table(
    "fund_passkey",
    metadata,
    Column("factor", String(64), primary_key=True),  # fund_factor.id
    Column("user_handle", LargeBinary, nullable=False),
    Column("last_used_at", DateTime, nullable=True),
)

# WebAuthn challenges handed out and not yet answered, here rather than in a server process
# so that any process of the fund may take the answer: one per session and ceremony,
# deleted when taken (right or wrong) and refused once expired.
passkey_challenge_table = Table(
    "fund_passkey_challenge",
    metadata,
    Column("session", String(64), primary_key=True),  # account_session.id
    Column("ceremony", String(16), primary_key=True),  # register, authenticate
    Column("challenge", LargeBinary, nullable=False),
    Column("user_handle", LargeBinary, nullable=True),  # register: the handle offered
    Column("expires_at", DateTime, nullable=False),
    Index("ix_fund_passkey_challenge_expires_at", "expires_at"),
)

programme_table = Table(
    "fund_programme",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("kind", String(32), nullable=False),  # victims, legal, relocation, civil, academic...
    Column("currency", String(3), nullable=False),
    Column("budget", Integer, nullable=False),  # minor units (cents)
    Column("created_at", DateTime, nullable=False),
)

round_table = Table(
    "fund_round",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("programme", String(64), ForeignKey("fund_programme.id"), nullable=False),
    Column("name", String(255), nullable=False),
    Column("opens", Date, nullable=False),
    Column("closes", Date, nullable=False),
    Column("form", Text, nullable=False),  # JSON: the questions, each marked identity or not
)

applicant_table = Table(
    "fund_applicant",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("kind", String(8), nullable=False),  # person, group
    Column("country", String(2), nullable=False, default=""),  # of residence: for aggregates
    Column("identity", Text, nullable=False),  # encrypted JSON: names, contacts, address, documents
    Column("created_at", DateTime, nullable=False),
)

# Keyed hashes of an applicant's name keys (the same in every script): duplicate
# applications are found by shared keys, without reading a name.
applicant_index_table = Table(
    "fund_applicant_index",
    metadata,
    Column("applicant", String(32), ForeignKey("fund_applicant.id"), primary_key=True),
    Column("token", String(64), primary_key=True),
    Index("ix_fund_applicant_index_token", "token"),
)

case_table = Table(
    "fund_case",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("number", Integer, nullable=False, unique=True),  # shown to staff: F-000123
    Column("programme", String(64), ForeignKey("fund_programme.id"), nullable=False),
    Column("round", String(64), nullable=True),
    Column("applicant", String(32), ForeignKey("fund_applicant.id"), nullable=True),
    Column("state", String(24), nullable=False),
    Column("step", String(24), nullable=False, default=""),  # relocation: its own step
    Column("assignee", String(255), nullable=True),
    Column("deadline", Date, nullable=True),
    Column("requested", Integer, nullable=False, default=0),  # minor units
    Column("currency", String(3), nullable=False),
    Column("answers", Text, nullable=False, default="{}"),  # JSON, no identity fields
    Column("private", Text, nullable=False, default=""),  # encrypted JSON: identity answers, notes
    Column("repression_record", String(255), nullable=True),  # a case in the register
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("closed_at", DateTime, nullable=True),
    Index("ix_fund_case_state", "state"),
    Index("ix_fund_case_assignee", "assignee"),
    Index("ix_fund_case_programme", "programme"),
)

case_event_table = Table(
    "fund_case_event",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case", String(32), ForeignKey("fund_case.id"), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("actor", String(255), nullable=False),
    Column("action", String(24), nullable=False),  # transition, assign, note, step, review
    Column("from_state", String(24), nullable=True),
    Column("to_state", String(24), nullable=True),
    Column("note", Text, nullable=False, default=""),  # encrypted
    Index("ix_fund_case_event_case", "case"),
)

review_table = Table(
    "fund_review",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case", String(32), ForeignKey("fund_case.id"), nullable=False),
    Column("reviewer", String(255), nullable=False),
    Column("score", Integer, nullable=False),  # 1..5
    Column("recommendation", String(16), nullable=False),  # approve, decline, more
    Column("comment", Text, nullable=False, default=""),
    Column("at", DateTime, nullable=False),
    Index("ix_fund_review_case", "case"),
)

screening_table = Table(
    "fund_screening",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case", String(32), ForeignKey("fund_case.id"), nullable=False),
    Column("subject", String(16), nullable=False),  # applicant, payee
    Column("at", DateTime, nullable=False),
    Column("actor", String(255), nullable=False),
    Column("result", String(16), nullable=False),  # clear, possible, match
    Column("sanctions", Integer, nullable=False),  # hits on the sanctions lists
    Column("officials", Integer, nullable=False),  # hits among the register's officials
    Column("detail", Text, nullable=False),  # JSON: ids and scores, no names
    Index("ix_fund_screening_case", "case"),
)

disbursement_table = Table(
    "fund_disbursement",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("case", String(32), ForeignKey("fund_case.id"), nullable=False),
    Column("amount", Integer, nullable=False),  # minor units
    Column("currency", String(3), nullable=False),
    Column("purpose", String(255), nullable=False),
    Column("payee", Text, nullable=False),  # encrypted JSON: name, account
    Column("state", String(16), nullable=False),  # proposed, approved, rejected, paid
    Column("proposed_by", String(255), nullable=False),
    Column("proposed_at", DateTime, nullable=False),
    Column("decided_by", String(255), nullable=True),
    Column("decided_at", DateTime, nullable=True),
    Column("paid_at", DateTime, nullable=True),
    Index("ix_fund_disbursement_case", "case"),
)

upload_table = Table(
    "fund_upload",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("case", String(32), ForeignKey("fund_case.id"), nullable=False),
    Column("content_type", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("data", Text, nullable=False),  # encrypted, metadata stripped
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(255), nullable=False),
)

# What is kept of a purged case: counts and sums, no person.
aggregate_table = Table(
    "fund_aggregate",
    metadata,
    Column("programme", String(64), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("country", String(2), primary_key=True),
    Column("state", String(24), primary_key=True),
    Column("cases", Integer, nullable=False),
    Column("paid", Integer, nullable=False),  # minor units
    Column("currency", String(3), primary_key=True),
)

# The audit log: append-only, each entry chained to the one before by its hash; an entry
# altered, removed or inserted breaks the chain. It names records, never their values.
ledger_table = Table(
    "fund_ledger",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", DateTime, nullable=False),
    Column("actor", String(255), nullable=False),
    Column("role", String(16), nullable=False),
    Column("action", String(32), nullable=False),
    Column("object", String(64), nullable=False, default=""),  # e.g. case:ab12..., field names
    Column("detail", Text, nullable=False, default=""),
    Column("prev", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

# What a staff session has proven beyond the password: the second factor, and when the
# person last proved both again (asked before changing factors or exporting).
session_proof_table = Table(
    "fund_session_proof",
    metadata,
    Column("session", String(64), primary_key=True),  # account_session.id
    Column("mfa_at", DateTime, nullable=True),
    Column("factor", String(16), nullable=False, default=""),  # totp, webauthn: which proved it
    Column("reauth_at", DateTime, nullable=True),
)
