"""Field encryption for the fund. Identity fields are AES-256-GCM ciphertext under keys kept
outside the database, each bound to its table, column and row (a ciphertext copied elsewhere
does not open); keyed blind indexes find duplicates without decrypting; old keys are retired
by re-encrypting (``rotate``); backups are encrypted whole.

The key text, in a file only its owner may read (BELWATCH_FUND_KEY_FILE) or in
BELWATCH_FUND_KEYS::

    {"current": "k2", "keys": {"k1": "<base64, 32 bytes>", "k2": "..."},
     "index": "<base64, 32 bytes>"}

New data is encrypted under ``current``; the other keys only decrypt. ``index`` keys the
blind indexes and nothing else; replacing it (``rotated(index=True)``) means recomputing every
blind index under the new one (``rotate(..., reindex=True)``). Key bytes never appear in a
repr or an error message.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import json
import os
import re
import shlex
import stat
import tempfile
import zlib
from collections import defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, CipherContext, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import (
    Connection,
    Date,
    DateTime,
    LargeBinary,
    Table,
    delete,
    func,
    insert,
    select,
    update,
)

from belwatch.exc import ConfigError, CryptoError, StoreError
from belwatch.fund.schema import metadata
from belwatch.store import Store

ENV_KEY_FILE = "BELWATCH_FUND_KEY_FILE"
ENV_KEYS = "BELWATCH_FUND_KEYS"
MAKE_KEYS = "belwatch fund-keys -o fund-keys.json"
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
TOKEN_VERSION = "v1"
KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
MAX_KEY_TEXT = 64 * 1024

# Every encrypted column: ``rotate`` re-encrypts exactly these, ``context`` refuses others so
# no ciphertext is written where rotation would miss it.
ENCRYPTED: tuple[tuple[str, str], ...] = (
    ("fund_applicant", "identity"),
    ("fund_case", "private"),
    ("fund_case_event", "note"),
    ("fund_disbursement", "payee"),
    ("fund_upload", "data"),
    ("fund_factor", "secret"),
)

BACKUP_FORMAT = "belwatch-fund-backup"
BACKUP_VERSION = 1
CHUNK = 1 << 16
BATCH = 500
BATCH_BYTES = 8 << 20


def context(table: str, column: str, key: str | int) -> str:
    """The associated data of one field's ciphertext: it opens only in the row and column it
    was written for."""
    if (table, column) not in ENCRYPTED:
        raise ValueError(f"{table}.{column} is not an encrypted column (see crypto.ENCRYPTED)")
    return f"{table}.{column}:{key}"


class KeyRing:
    """AES-256-GCM keys by id, new data under ``current``, and a separate blind-index key."""

    __slots__ = ("_aead", "_current", "_index", "_keys")

    def __init__(
        self,
        keys: Mapping[str, bytes],
        current: str,
        index: bytes,
        source: str = "the fund key ring",
    ) -> None:
        for key_id, key in keys.items():
            if not KEY_ID.fullmatch(key_id):
                raise ConfigError(f"{source}: key id {key_id!r} must be 1-32 of A-Z a-z 0-9 _ -")
            _check_length(source, f"key {key_id!r}", key)
        if current not in keys:
            known = ", ".join(sorted(keys)) or "none"
            raise ConfigError(f"{source}: current key {current!r} is not among the keys ({known})")
        _check_length(source, "the index key", index)
        if any(hmac.compare_digest(index, key) for key in keys.values()):
            raise ConfigError(f"{source}: the index key must differ from every encryption key")
        self._keys = dict(keys)
        self._aead = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self._current = current
        self._index = bytes(index)

    @property
    def current(self) -> str:
        return self._current

    @property
    def key_ids(self) -> tuple[str, ...]:
        return tuple(sorted(self._keys))

    def __repr__(self) -> str:
        return f"KeyRing(current={self._current!r}, keys={list(self.key_ids)!r})"

    # --- loading -------------------------------------------------------------------------

    @classmethod
    def from_text(cls, text: str, source: str = ENV_KEYS) -> KeyRing:
        """Keys from key text. Errors name the source and the key id, never key bytes."""
        data: Any = None
        with suppress(ValueError):
            data = json.loads(text)
        if not isinstance(data, dict):
            raise ConfigError(
                f"{source}: not fund key text (a JSON object); make some with: {MAKE_KEYS}"
            )
        keys, current, index = data.get("keys"), data.get("current"), data.get("index")
        if not isinstance(keys, dict) or not keys:
            raise ConfigError(f'{source}: no encryption keys ("keys": {{"k1": "<base64>"}})')
        if not isinstance(current, str):
            raise ConfigError(f'{source}: no current key ("current": "<key id>")')
        if index is None:
            raise ConfigError(f'{source}: no blind-index key ("index": "<base64>")')
        decoded = {
            key_id: _decode_key(source, f"key {key_id!r}", value) for key_id, value in keys.items()
        }
        return cls(decoded, current, _decode_key(source, "the index key", index), source)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> KeyRing:
        """Keys from a key file, refused if anyone but its owner may read or change it."""
        where = Path(path).expanduser()
        raw = b""
        problem = ""
        try:
            with open(where, "rb") as handle:
                info = os.fstat(handle.fileno())
                if not stat.S_ISREG(info.st_mode):
                    problem = f"key file {where} is not a regular file"
                elif info.st_mode & 0o077:
                    problem = (
                        f"key file {where} is open to group or others "
                        f"(mode {stat.S_IMODE(info.st_mode):03o}): "
                        f"run chmod 600 {shlex.quote(str(where))}"
                    )
                else:
                    raw = handle.read(MAX_KEY_TEXT + 1)
        except OSError as exc:
            problem = f"cannot read key file {where}: {exc.strerror or type(exc).__name__}"
        if problem:
            raise ConfigError(problem)
        if len(raw) > MAX_KEY_TEXT:
            raise ConfigError(f"key file {where} is too large to be fund key text")
        text: str | None = None
        with suppress(UnicodeDecodeError):
            text = raw.decode("utf-8")
        if text is None:
            raise ConfigError(f"key file {where} is not UTF-8 text")
        return cls.from_text(text, f"key file {where}")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> KeyRing:
        """Keys from BELWATCH_FUND_KEY_FILE (a path) or BELWATCH_FUND_KEYS (the text)."""
        env = os.environ if env is None else env
        path = env.get(ENV_KEY_FILE, "").strip()
        text = env.get(ENV_KEYS, "")
        if path and text.strip():
            raise ConfigError(f"both {ENV_KEY_FILE} and {ENV_KEYS} are set: keep one")
        if path:
            return cls.from_file(path)
        if text.strip():
            return cls.from_text(text, ENV_KEYS)
        raise ConfigError(
            f"no fund keys: set {ENV_KEY_FILE} to a key file (mode 600) or "
            f"{ENV_KEYS} to the key text; make new keys with: {MAKE_KEYS}"
        )

    @staticmethod
    def generate() -> str:
        """Key text with one new encryption key and a new index key."""
        return _key_text("k1", {"k1": os.urandom(KEY_BYTES)}, os.urandom(KEY_BYTES))

    def rotated(self, index: bool = False) -> str:
        """This ring's key text with a new current key; the old keys stay to decrypt until
        ``rotate`` has re-encrypted everything under the new one. With ``index``, a new
        blind-index key in place of the old one (a leaked index key lets whoever holds the
        database test guessed names against its tokens). The old one is not kept:
        ``rotate(..., reindex=True)`` remakes every token from the names, and passkeys have
        their user handles kept first (``passkeys.keep_user_handles``)."""
        numbers = [int(key_id[1:]) for key_id in self._keys if re.fullmatch(r"k\d{1,9}", key_id)]
        new_id = f"k{max(numbers, default=0) + 1}"
        keys = {**self._keys, new_id: os.urandom(KEY_BYTES)}
        return _key_text(new_id, keys, os.urandom(KEY_BYTES) if index else self._index)

    # --- fields --------------------------------------------------------------------------

    def encrypt(self, data: str | bytes, context: str) -> str:
        """``v1.<key id>.<base64url(nonce + ciphertext + tag)>``, opening only with ``context``."""
        plain = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead[self._current].encrypt(nonce, plain, context.encode("utf-8"))
        return f"{TOKEN_VERSION}.{self._current}.{_b64url(nonce + sealed)}"

    def decrypt(self, token: str, context: str) -> bytes:
        key_id, body = _parse_token(token)
        aead = self._aead.get(key_id)
        if aead is None:
            raise CryptoError(
                f"a field is encrypted under key {key_id!r}, which the fund key ring does not hold"
            )
        plain: bytes | None = None
        with suppress(InvalidTag):
            plain = aead.decrypt(body[:NONCE_BYTES], body[NONCE_BYTES:], context.encode("utf-8"))
        if plain is None:
            raise CryptoError(
                "a field failed authentication: altered, moved from another "
                "record, or encrypted under another key"
            )
        return plain

    def encrypt_json(self, value: Any, context: str) -> str:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return self.encrypt(text, context)

    def decrypt_json(self, token: str, context: str) -> Any:
        plain = self.decrypt(token, context)
        value: Any = _NOT_JSON
        with suppress(ValueError):
            value = json.loads(plain)
        if value is _NOT_JSON:
            raise CryptoError("a decrypted field is not JSON")
        return value

    def blind(self, kind: str, value: str) -> str:
        """A keyed hash of ``value`` (32 hex characters): equal values give equal tokens,
        and without the index key a token cannot be checked against a guessed name."""
        if ":" in kind:
            raise ValueError("a blind-index kind cannot contain ':'")
        mac = hmac.new(self._index, f"{kind}:{value}".encode(), hashlib.sha256)
        return mac.hexdigest()[:32]

    def _backup_key(self, key_id: str, salt: bytes) -> bytes:
        info = f"belwatch fund backup v{BACKUP_VERSION}:{key_id}".encode()
        hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=info)
        return hkdf.derive(self._keys[key_id])


_NOT_JSON = object()


def key_id(token: str) -> str:
    """The id of the key a field is encrypted under."""
    return _parse_token(token)[0]


def _parse_token(token: str) -> tuple[str, bytes]:
    parts = token.split(".") if isinstance(token, str) else []
    body: bytes | None = None
    if len(parts) == 3 and parts[0] == TOKEN_VERSION and KEY_ID.fullmatch(parts[1]):
        with suppress(ValueError):
            body = _unb64url(parts[2])
    if body is None or len(body) < NONCE_BYTES + TAG_BYTES:
        raise CryptoError("not an encrypted field (expected v1.<key id>.<data>)")
    return parts[1], body


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    """Strict: any character outside the base64url alphabet is an error, not skipped."""
    if not BASE64URL.fullmatch(text):
        raise ValueError("not base64url")
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)


def _decode_key(source: str, what: str, value: object) -> bytes:
    key: bytes | None = None
    if isinstance(value, str):
        with suppress(ValueError):
            key = base64.b64decode(value, validate=True)
    if key is None:
        raise ConfigError(f"{source}: {what} is not base64 text")
    _check_length(source, what, key)
    return key


def _check_length(source: str, what: str, key: bytes) -> None:
    if len(key) != KEY_BYTES:
        raise ConfigError(
            f"{source}: {what} is {len(key)} bytes; AES-256 needs {KEY_BYTES}. "
            f"Make new keys with: {MAKE_KEYS}"
        )


def _key_text(current: str, keys: Mapping[str, bytes], index: bytes) -> str:
    text = {
        "current": current,
        "keys": {key_id: base64.b64encode(key).decode("ascii") for key_id, key in keys.items()},
        "index": base64.b64encode(index).decode("ascii"),
    }
    return json.dumps(text, indent=2) + "\n"


# --- rotation ----------------------------------------------------------------------------


def rotate(store: Store, ring: KeyRing, reindex: bool = False) -> dict[str, int]:
    """Re-encrypt every encrypted field not yet under the ring's current key, one transaction
    per table; the rows rewritten per table. Once it reports only zeros, the old keys can be
    taken out of the key text. Empty fields (no value) stay empty.

    With ``reindex`` (after ``rotated(index=True)``), every blind index is then recomputed
    under the ring's index key from the names it stands for, in one transaction: until it
    commits duplicates are found by the old tokens, from then on by the new ones, never by
    a mix. Safe to run again. Passkeys made before their user handle was kept must have it
    kept first, under the index key in use until now (``passkeys.keep_user_handles``)."""
    if reindex:
        _check_user_handles(store)
    columns_of: dict[str, list[str]] = defaultdict(list)
    for table_name, column in ENCRYPTED:
        columns_of[table_name].append(column)
    counts: dict[str, int] = {}
    for table_name, columns in columns_of.items():
        with store.engine.begin() as conn:
            counts[table_name] = _rotate_table(conn, ring, metadata.tables[table_name], columns)
    if reindex:
        with store.engine.begin() as conn:
            counts["fund_applicant_index"] = _reindex(conn, ring)
    return counts


def _check_user_handles(store: Store) -> None:
    """A passkey whose user handle is not kept has one derived from the index key (made
    before handles were kept): under a new index key it would no longer sign in."""
    factors, passkeys = metadata.tables["fund_factor"], metadata.tables["fund_passkey"]
    query = (select(func.count()).select_from(factors)
             .where(factors.c.kind == "webauthn",
                    factors.c.id.not_in(select(passkeys.c.factor))))  # fmt: skip
    with store.engine.connect() as conn:
        missing = conn.execute(query).scalar_one()
    if missing:
        raise ConfigError(
            f"{missing} passkey(s) have no user handle kept: keep them under the index key "
            "in use now (passkeys.keep_user_handles) before replacing it; "
            "belwatch fund-rotate-keys --index does"
        )


def _reindex(conn: Connection, ring: KeyRing) -> int:
    """Every applicant's blind tokens, recomputed from the names its identity holds, in place
    of the old ones whatever key made them; the tokens written."""
    from belwatch.fund.cases import name_tokens

    applicants = metadata.tables["fund_applicant"]
    index = metadata.tables["fund_applicant_index"]
    _write_lock(conn)
    if conn.dialect.name == "postgresql":
        # New applicants' tokens wait for the new index; readers see the old one until then.
        conn.exec_driver_sql("LOCK TABLE fund_applicant_index IN SHARE ROW EXCLUSIVE MODE")
    conn.execute(delete(index))
    written = 0
    last: Any = None
    while True:
        query = select(applicants.c.id, applicants.c.identity).order_by(applicants.c.id)
        if last is not None:
            query = query.where(applicants.c.id > last)
        rows = conn.execute(query.limit(BATCH)).all()
        if not rows:
            return written
        last = rows[-1].id
        tokens: list[dict[str, str]] = []
        for row in rows:
            if not row.identity:
                continue
            where = context("fund_applicant", "identity", row.id)
            try:
                identity = ring.decrypt_json(row.identity, where)
            except CryptoError as exc:
                raise CryptoError(f"fund_applicant of row {row.id}: {exc}") from None
            names = identity.get("names", []) if isinstance(identity, dict) else []
            found = name_tokens(ring, [str(name) for name in names])
            tokens.extend({"applicant": row.id, "token": token} for token in sorted(found))
        if tokens:
            conn.execute(insert(index), tokens)
            written += len(tokens)


def _rotate_table(conn: Connection, ring: KeyRing, table: Table, columns: list[str]) -> int:
    _write_lock(conn)
    (pk,) = table.primary_key.columns
    rewritten = 0
    last: Any = None
    while True:
        query = select(pk, *(table.c[name] for name in columns)).order_by(pk).limit(BATCH)
        if last is not None:
            query = query.where(pk > last)
        if conn.dialect.name == "postgresql":
            query = query.with_for_update()
        rows = conn.execute(query).all()
        if not rows:
            return rewritten
        last = rows[-1][0]
        for row in rows:
            values: dict[str, str] = {}
            for name, token in zip(columns, row[1:], strict=True):
                if not token:
                    continue
                where = context(table.name, name, row[0])
                try:
                    if key_id(token) != ring.current:
                        values[name] = ring.encrypt(ring.decrypt(token, where), where)
                except CryptoError as exc:
                    raise CryptoError(f"{where.split(':')[0]} of row {row[0]}: {exc}") from None
            if values:
                conn.execute(update(table).where(pk == row[0]).values(values))
                rewritten += 1


def _write_lock(conn: Connection) -> None:
    """On SQLite, take the write lock now (BEGIN IMMEDIATE), so what is read next cannot be
    changed by another writer before this transaction writes. PostgreSQL locks rows instead."""
    if conn.dialect.name != "sqlite":
        return
    raw = conn.connection.dbapi_connection
    if not getattr(raw, "in_transaction", True):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


# --- backups -----------------------------------------------------------------------------


def fund_tables() -> list[Table]:
    """What a backup holds, parents before children: the fund's own tables, and the staff
    accounts (names, scrypt hashes, roles), so that a restored fund can be signed in to.
    Sessions, failed sign-ins and the passkey challenges of sessions are not kept."""
    return [metadata.tables["account"]] + [
        table
        for table in metadata.sorted_tables
        if table.name.startswith("fund_") and table.name != "fund_passkey_challenge"
    ]


def backup(store: Store, ring: KeyRing, path: str | os.PathLike[str]) -> dict[str, int]:
    """Write every fund_* table, from one consistent snapshot, to an encrypted file: a JSON
    header (format, key id, salt, nonce), then gzipped JSON lines under AES-256-GCM with a key
    derived from the current key (HKDF-SHA256), the header as associated data. Written beside
    ``path`` and renamed over it, so a crash leaves the old backup whole. Rows per table."""
    target = Path(path)
    salt, nonce = os.urandom(16), os.urandom(NONCE_BYTES)
    header = _line(
        {
            "format": BACKUP_FORMAT,
            "version": BACKUP_VERSION,
            "key": ring.current,
            "salt": _b64url(salt),
            "nonce": _b64url(nonce),
        }
    )
    cipher = Cipher(algorithms.AES(ring._backup_key(ring.current, salt)), modes.GCM(nonce))
    encryptor = cipher.encryptor()
    encryptor.authenticate_additional_data(header)
    tables = fund_tables()
    counts = {table.name: 0 for table in tables}
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as raw:
            raw.write(header)
            zipped = gzip.GzipFile(fileobj=_Sealing(raw, encryptor), mode="wb", mtime=0)
            with zipped, _snapshot(store) as conn:
                layout = {table.name: [column.name for column in table.columns] for table in tables}
                zipped.write(_line({"tables": layout}))
                for table in tables:
                    query = select(table).order_by(*table.primary_key.columns)
                    for row in conn.execution_options(yield_per=BATCH).execute(query):
                        zipped.write(_line({"t": table.name, "r": _dump_row(row._asdict())}))
                        counts[table.name] += 1
                zipped.write(_line({"end": counts}))
            raw.write(encryptor.finalize() + encryptor.tag)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(temp, target)
    except BaseException:
        with suppress(OSError):
            os.unlink(temp)
        raise
    _fsync_dir(target.parent)
    return counts


def restore(store: Store, ring: KeyRing, path: str | os.PathLike[str]) -> dict[str, int]:
    """Load a backup into an empty fund database, in one transaction. The whole file is
    authenticated before any of it is read, and again before the transaction commits.
    Rows per table."""
    source = Path(path)
    if not source.is_file():
        raise ConfigError(f"no backup file at {source}")
    with open(source, "rb") as handle:
        sealed = _open_backup(handle, ring, source)
        for _ in sealed.chunks():
            pass
        with store.engine.begin() as conn:
            _write_lock(conn)
            for table in fund_tables():
                if conn.execute(select(func.count()).select_from(table)).scalar_one():
                    raise StoreError(
                        f"restore needs an empty fund database, but {table.name} "
                        f"has rows in {store.safe_url}: restore into a new one"
                    )
            counts = _load(conn, _records(sealed.chunks(), source), source)
            _reset_sequences(conn)
    return counts


class _Sealing:
    """A write-only file that encrypts what is written to it."""

    def __init__(self, raw: IO[bytes], encryptor: CipherContext) -> None:
        self.raw = raw
        self.encryptor = encryptor

    def write(self, data: bytes) -> int:
        self.raw.write(self.encryptor.update(data))
        return len(data)

    def flush(self) -> None:
        self.raw.flush()


class _Sealed:
    """An opened backup: its header checked, its body decrypted on demand."""

    def __init__(
        self,
        handle: IO[bytes],
        key: bytes,
        nonce: bytes,
        header: bytes,
        start: int,
        end: int,
        tag: bytes,
        name: Path,
    ) -> None:
        self.handle, self.key, self.nonce, self.header = handle, key, nonce, header
        self.start, self.end, self.tag, self.name = start, end, tag, name

    def chunks(self) -> Iterator[bytes]:
        """The plaintext, chunk by chunk; the last step checks the tag over all of it."""
        decryptor = Cipher(algorithms.AES(self.key), modes.GCM(self.nonce, self.tag)).decryptor()
        decryptor.authenticate_additional_data(self.header)
        self.handle.seek(self.start)
        left = self.end - self.start
        while left > 0:
            chunk = self.handle.read(min(CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            yield decryptor.update(chunk)
        ok = False
        with suppress(InvalidTag):
            decryptor.finalize()
            ok = left == 0
        if not ok:
            raise CryptoError(
                f"backup {self.name} failed authentication: altered, truncated, "
                "or made with other keys"
            )


def _open_backup(handle: IO[bytes], ring: KeyRing, name: Path) -> _Sealed:
    first = handle.readline(1024)
    header: Any = None
    if first.endswith(b"\n"):
        with suppress(ValueError):
            header = json.loads(first)
    if not isinstance(header, dict) or header.get("format") != BACKUP_FORMAT:
        raise CryptoError(f"{name} is not a belwatch fund backup (or its header was altered)")
    if header.get("version") != BACKUP_VERSION:
        raise CryptoError(
            f"{name} is a version {header.get('version')!r} fund backup; this "
            f"belwatch reads version {BACKUP_VERSION}"
        )
    key = header.get("key")
    if not isinstance(key, str) or key not in ring.key_ids:
        shown = repr(key) if isinstance(key, str) and KEY_ID.fullmatch(key) else "(unreadable)"
        raise CryptoError(
            f"backup {name} is under key {shown}, which the fund key ring does not hold"
        )
    salt, nonce = _unb64(header.get("salt")), _unb64(header.get("nonce"))
    if salt is None or nonce is None or len(nonce) != NONCE_BYTES:
        raise CryptoError(f"{name} is not a belwatch fund backup (or its header was altered)")
    size = os.fstat(handle.fileno()).st_size
    if size < len(first) + TAG_BYTES:
        raise CryptoError(f"backup {name} is truncated")
    handle.seek(size - TAG_BYTES)
    tag = handle.read(TAG_BYTES)
    return _Sealed(
        handle, ring._backup_key(key, salt), nonce, first, len(first), size - TAG_BYTES, tag, name
    )


def _unb64(value: object) -> bytes | None:
    if not isinstance(value, str):
        return None
    decoded: bytes | None = None
    with suppress(ValueError):
        decoded = _unb64url(value)
    return decoded


def _records(chunks: Iterator[bytes], name: Path) -> Iterator[dict[str, Any]]:
    """The backup's JSON lines, ungzipped as they are decrypted."""
    inflate = zlib.decompressobj(wbits=31)
    partial: list[bytes] = []
    for chunk in chunks:
        *ends, rest = inflate.decompress(chunk).split(b"\n")
        for end in ends:
            partial.append(end)
            yield json.loads(b"".join(partial))
            partial = []
        if rest:
            partial.append(rest)
    if not inflate.eof or inflate.unused_data or inflate.flush() or partial:
        raise StoreError(f"backup {name} does not end where it should")


def _load(conn: Connection, records: Iterator[dict[str, Any]], name: Path) -> dict[str, int]:
    tables = {table.name: table for table in fund_tables()}
    first = next(records, {})
    layout = first.get("tables")
    if not isinstance(layout, dict):
        raise StoreError(f"backup {name} does not start with its list of tables")
    for table_name, columns in layout.items():
        table = tables.get(table_name)
        unknown = [c for c in columns if table is None or c not in table.c]
        if table is None or unknown:
            raise StoreError(
                f"backup {name} has {table_name}({', '.join(unknown or columns)}), "
                "which this fund database does not: restore with the belwatch "
                "version that made it"
            )
    counts = {table_name: 0 for table_name in tables}
    batch: list[dict[str, Any]] = []
    size = 0
    current: Table | None = None
    end: Any = None
    for record in records:
        if end is not None:
            raise StoreError(f"backup {name} has records after its end")
        if "end" in record:
            end = record["end"]
            continue
        table = tables[record["t"]]
        if batch and (table is not current or len(batch) >= BATCH or size >= BATCH_BYTES):
            assert current is not None
            conn.execute(insert(current), batch)
            batch, size = [], 0
        current = table
        batch.append(_load_row(table, record["r"]))
        size += sum(len(v) for v in record["r"].values() if isinstance(v, str))
        counts[table.name] += 1
    if batch and current is not None:
        conn.execute(insert(current), batch)
    if end != {k: v for k, v in counts.items() if k in layout}:
        raise StoreError(f"backup {name} ends early or its counts do not match its rows")
    return counts


def _reset_sequences(conn: Connection) -> None:
    """PostgreSQL: move each serial column's sequence past the restored ids."""
    if conn.dialect.name != "postgresql":
        return
    quote = conn.dialect.identifier_preparer.quote
    for table in fund_tables():
        column = table.autoincrement_column
        if column is None:
            continue
        conn.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
            f"COALESCE(MAX({quote(column.name)}), 1), MAX({quote(column.name)}) IS NOT NULL) "
            f"FROM {quote(table.name)}"
        )


@contextmanager
def _snapshot(store: Store) -> Iterator[Connection]:
    """A connection that sees every table as of one moment."""
    with store.engine.connect() as conn:
        if store.dialect == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            with conn.begin():
                yield conn
        else:
            with conn.begin():
                conn.exec_driver_sql("BEGIN")
                yield conn


def _line(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def _dump_row(row: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in row.items():
        if isinstance(value, date | datetime):
            value = value.isoformat()
        elif isinstance(value, bytes | memoryview):
            value = base64.b64encode(bytes(value)).decode("ascii")
        out[name] = value
    return out


def _load_row(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in row.items():
        kind = table.c[name].type
        if value is not None and isinstance(kind, DateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(kind, Date):
            value = date.fromisoformat(value)
        elif value is not None and isinstance(kind, LargeBinary):
            value = base64.b64decode(value)
        out[name] = value
    return out


def _fsync_dir(folder: Path) -> None:
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
