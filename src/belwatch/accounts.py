"""Accounts: who may sign in, and in which role (viewer, editor, admin). Passwords are
stored as scrypt hashes; a sign-in opens a session kept by the server (`sessions`), whose
account's role and state are read again on every request. Refused sign-ins count towards a
lock (`lockout`); sign-ins, refusals, locks and account changes go to the audit trail."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update

from belwatch import audit, lockout, sessions
from belwatch.exc import ConfigError
from belwatch.register.records import ROLES, Actor
from belwatch.store import Store
from belwatch.store.schema import account_table

MIN_PASSWORD = 12
SESSION_SECONDS = sessions.SESSION_SECONDS
# scrypt at n=2**14, r=8, p=1: about 16 MiB and a few tens of milliseconds a check.
N, R, P = 2**14, 8, 1
DUMMY = "scrypt$16384$8$1$" + "00" * 16 + "$" + "00" * 32  # checked when no account matches
# Who changes accounts from the command line: whoever can reach the register's database.
COMMAND_LINE = Actor("command line", "admin")


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    disabled: bool
    created_at: datetime


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=N, r=R, p=P, dklen=32)
    return f"scrypt${N}${R}${P}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    _, n, r, p, salt, digest = stored.split("$")
    found = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r),
                           p=int(p), dklen=len(digest) // 2)  # fmt: skip
    return hmac.compare_digest(found.hex(), digest)


def add(store: Store, name: str, password: str, role: str, by: Actor = COMMAND_LINE) -> None:
    if role not in ROLES:
        raise ConfigError(f"unknown role {role!r}; known: {', '.join(ROLES)}")
    if not name.strip() or len(name) > 255:
        raise ConfigError("an account needs a name of 1 to 255 characters")
    if len(password) < MIN_PASSWORD:
        raise ConfigError(f"a password needs {MIN_PASSWORD} characters or more")
    t = account_table
    with store.engine.begin() as conn:
        if conn.execute(select(t.c.name).where(t.c.name == name)).first() is not None:
            raise ConfigError(f"there is an account {name!r} already")
        conn.execute(insert(t).values(
            name=name, password=hash_password(password), role=role, disabled=False,
            created_at=audit.utcnow(),
        ))  # fmt: skip
    audit.record(store, by.name, by.role, "account-added", f"account {name!r} added as {role}")


def change(
    store: Store,
    name: str,
    role: str | None = None,
    disabled: bool | None = None,
    by: Actor = COMMAND_LINE,
) -> None:
    """Change an account's role or state. Disabling it ends its sessions at once."""
    if role is not None and role not in ROLES:
        raise ConfigError(f"unknown role {role!r}; known: {', '.join(ROLES)}")
    values = {k: v for k, v in (("role", role), ("disabled", disabled)) if v is not None}
    t = account_table
    with store.engine.begin() as conn:
        if conn.execute(select(t.c.name).where(t.c.name == name)).first() is None:
            raise ConfigError(f"there is no account {name!r}")
        if not values:
            return
        conn.execute(update(t).where(t.c.name == name).values(**values))
    said = [f"role {role}"] if role is not None else []
    said += ["disabled" if disabled else "enabled"] if disabled is not None else []
    audit.record(store, by.name, by.role, "account-changed",
                 f"account {name!r}: {', '.join(said)}")  # fmt: skip
    if disabled:
        sessions.end_all(store, name, f"account disabled by {by.name}")


def listing(store: Store) -> list[Account]:
    t = account_table
    query = select(t.c.name, t.c.role, t.c.disabled, t.c.created_at).order_by(t.c.name)
    with store.engine.connect() as conn:
        return [Account(r.name, r.role, r.disabled, r.created_at) for r in conn.execute(query)]


def actor(store: Store, name: str) -> Actor | None:
    """The account's actor, if it exists and is not disabled."""
    t = account_table
    with store.engine.connect() as conn:
        row = conn.execute(select(t.c.role, t.c.disabled).where(t.c.name == name)).first()
    return None if row is None or row.disabled else Actor(name, row.role)


def sign_in(
    store: Store, name: str, password: str, address: str = "", now: datetime | None = None
) -> Actor | None:
    """The actor for a name and password, or None alike for an unknown name, a wrong
    password, a disabled account and a locked name or address. The password is checked in
    every case, so that the time taken tells none of them apart. `address` is a keyed hash
    of the client's address ("" when unknown)."""
    now = now or audit.utcnow()
    t = account_table
    with store.engine.connect() as conn:
        row = conn.execute(select(t).where(t.c.name == name)).first()
    good = check_password(password, row.password if row is not None else DUMMY)
    if row is None:
        kept, who, role = lockout.unknown_name(name), audit.UNKNOWN_NAME, audit.NO_ROLE
    else:
        kept, who, role = row.name, row.name, row.role
    client = f"client {address[:12]}" if address else "client unknown"
    lock = lockout.lock(store, kept, address, now)
    if lock is not None:
        audit.record(store, who, role, "locked", f"refused: the {lock.what} is locked until "
                     f"{lock.until:%Y-%m-%d %H:%M} UTC; {client}", now)  # fmt: skip
        return None
    if row is None or not good or row.disabled:
        reason = ("no such account" if row is None else "wrong password" if not good
                  else "account disabled")  # fmt: skip
        lockout.fail(store, kept, address, now)
        audit.record(store, who, role, "sign-in-failed", f"{reason}; {client}", now)
        lock = lockout.lock(store, kept, address, now)
        if lock is not None:
            audit.record(store, who, role, "locked", f"the {lock.what} is locked until "
                         f"{lock.until:%Y-%m-%d %H:%M} UTC after repeated failures; {client}",
                         now)  # fmt: skip
        return None
    lockout.clear(store, kept)
    audit.record(store, who, role, "sign-in", client, now)
    return Actor(row.name, row.role)
