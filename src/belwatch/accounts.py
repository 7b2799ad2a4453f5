"""Accounts: who may sign in, and in which role (viewer, editor, admin). Passwords are
stored as scrypt hashes; a sign-in is a cookie signed with the server's key that names the
account, whose role and state are read again on every request (disabling an account takes
effect at once)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from datetime import UTC, datetime

from sqlalchemy import insert, select, update

from belwatch.exc import ConfigError
from belwatch.register.records import ROLES, Actor
from belwatch.store import Store
from belwatch.store.schema import account_table

MIN_PASSWORD = 12
SESSION_SECONDS = 8 * 3600
# scrypt at n=2**14, r=8, p=1: about 16 MiB and a few tens of milliseconds a check.
N, R, P = 2**14, 8, 1
DUMMY = "scrypt$16384$8$1$" + "00" * 16 + "$" + "00" * 32  # checked when no account matches


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=N, r=R, p=P, dklen=32)
    return f"scrypt${N}${R}${P}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    _, n, r, p, salt, digest = stored.split("$")
    found = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r),
                           p=int(p), dklen=len(digest) // 2)  # fmt: skip
    return hmac.compare_digest(found.hex(), digest)


def add(store: Store, name: str, password: str, role: str) -> None:
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
            created_at=datetime.now(UTC).replace(tzinfo=None),
        ))  # fmt: skip


def change(store: Store, name: str, role: str | None = None, disabled: bool | None = None) -> None:
    if role is not None and role not in ROLES:
        raise ConfigError(f"unknown role {role!r}; known: {', '.join(ROLES)}")
    values = {k: v for k, v in (("role", role), ("disabled", disabled)) if v is not None}
    with store.engine.begin() as conn:
        done = conn.execute(update(account_table).where(account_table.c.name == name)
                            .values(**values))  # fmt: skip
    if done.rowcount == 0:
        raise ConfigError(f"there is no account {name!r}")


def actor(store: Store, name: str) -> Actor | None:
    """The account's actor, if it exists and is not disabled."""
    t = account_table
    with store.engine.connect() as conn:
        row = conn.execute(select(t.c.role, t.c.disabled).where(t.c.name == name)).first()
    return None if row is None or row.disabled else Actor(name, row.role)


def sign_in(store: Store, name: str, password: str) -> Actor | None:
    """The actor for a name and password, or None; as slow for an unknown name as a known
    one, so that names cannot be told by timing."""
    t = account_table
    with store.engine.connect() as conn:
        row = conn.execute(select(t).where(t.c.name == name)).first()
    good = check_password(password, row.password if row is not None else DUMMY)
    if row is None or not good or row.disabled:
        return None
    return Actor(row.name, row.role)


def session_cookie(key: bytes, name: str, now: float | None = None) -> str:
    body = base64.urlsafe_b64encode(json.dumps(
        {"name": name, "exp": int((now or time.time()) + SESSION_SECONDS)}
    ).encode()).decode()  # fmt: skip
    signature = hmac.new(key, body.encode(), hashlib.sha256).hexdigest()
    return f"{body}.{signature}"


def session_name(key: bytes, cookie: str, now: float | None = None) -> str | None:
    """The account a cookie names, if its signature is good and it has not expired."""
    body, _, signature = cookie.partition(".")
    expected = hmac.new(key, body.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(body.encode()))
    except (ValueError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("exp", 0) < (now or time.time()):
        return None
    name = data.get("name")
    return name if isinstance(name, str) else None
