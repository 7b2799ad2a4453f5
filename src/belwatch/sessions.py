"""Sessions kept by the server: the browser holds a random token, the register only its
SHA-256. Every request looks the session up, so signing out, an admin ending it or
disabling the account takes effect at once; a session lasts 8 hours at most, and ends
after 30 minutes unused."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, insert, select, update

from belwatch import audit
from belwatch.register.records import Actor
from belwatch.store import Store
from belwatch.store.schema import account_session_table, account_table

SESSION_SECONDS = 8 * 3600
LIFETIME = timedelta(seconds=SESSION_SECONDS)
IDLE = timedelta(minutes=30)
# Recording each request's time would write on every page; once a minute is close enough
# for a 30-minute idle limit.
TOUCH = timedelta(minutes=1)
USER_AGENT_CHARS = 200


@dataclass(frozen=True)
class Session:
    id: str
    account: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    user_agent: str


def token_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def cookie(key: bytes, token: str) -> str:
    """The token with the server's signature: a made-up cookie is refused unread."""
    return f"{token}.{hmac.new(key, token.encode(), hashlib.sha256).hexdigest()}"


def cookie_token(key: bytes, value: str) -> str | None:
    token, _, signature = value.partition(".")
    expected = hmac.new(key, token.encode(), hashlib.sha256).hexdigest()
    return token if token and hmac.compare_digest(expected, signature) else None


def start(store: Store, actor: Actor, user_agent: str = "", now: datetime | None = None) -> str:
    """A new session for a signed-in account; the token is returned once and kept nowhere."""
    now = now or audit.utcnow()
    token = secrets.token_urlsafe(32)
    with store.engine.begin() as conn:
        conn.execute(insert(account_session_table).values(
            id=token_id(token), account=actor.name, created_at=now, last_seen_at=now,
            expires_at=now + LIFETIME, user_agent=user_agent[:USER_AGENT_CHARS],
        ))  # fmt: skip
    return token


def find(store: Store, token: str, now: datetime | None = None) -> Actor | None:
    """The actor of a live session, or None; a session found past its time is ended."""
    now = now or audit.utcnow()
    s, a = account_session_table, account_table
    query = (select(s.c.id, s.c.account, s.c.last_seen_at, s.c.expires_at, s.c.ended_at,
                    a.c.role, a.c.disabled)
             .join(a, a.c.name == s.c.account).where(s.c.id == token_id(token)))  # fmt: skip
    with store.engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None or row.ended_at is not None:
        return None
    if row.disabled:
        return None
    if now >= row.expires_at or now - row.last_seen_at >= IDLE:
        why = "8 hours passed" if now >= row.expires_at else "30 minutes unused"
        _end(store, s.c.id == row.id, why, now)
        return None
    if now - row.last_seen_at >= TOUCH:
        with store.engine.begin() as conn:
            conn.execute(update(s).where(s.c.id == row.id).values(last_seen_at=now))
    return Actor(row.account, row.role)


def end_token(store: Store, token: str, by: str, now: datetime | None = None) -> bool:
    """End the session a token opened (signing out, or signing in over it)."""
    return _end(store, account_session_table.c.id == token_id(token), by, now) > 0


def end(store: Store, session_id: str, by: str, now: datetime | None = None) -> bool:
    """End one session by its id (as the admin page lists it)."""
    return _end(store, account_session_table.c.id == session_id, by, now) > 0


def end_all(store: Store, account: str, by: str, now: datetime | None = None) -> int:
    """End every session of an account not ended yet; returns how many."""
    return _end(store, account_session_table.c.account == account, by, now)


def open_sessions(
    store: Store, account: str | None = None, now: datetime | None = None
) -> list[Session]:
    """The sessions that would still let their holder in, newest first."""
    s = account_session_table
    query = select(s).where(_live(now or audit.utcnow())).order_by(s.c.created_at.desc(), s.c.id)
    if account is not None:
        query = query.where(s.c.account == account)
    with store.engine.connect() as conn:
        return [_session(row) for row in conn.execute(query)]


def _live(now: datetime) -> ColumnElement[bool]:
    s = account_session_table
    return and_(s.c.ended_at.is_(None), s.c.expires_at > now, s.c.last_seen_at > now - IDLE)


def _session(row: Row[Any]) -> Session:
    return Session(row.id, row.account, row.created_at, row.last_seen_at, row.expires_at,
                   row.user_agent)  # fmt: skip


def _end(store: Store, which: ColumnElement[bool], by: str, now: datetime | None) -> int:
    """End the sessions `which` selects that have not ended yet, each with an audit entry
    naming who ended it."""
    now = now or audit.utcnow()
    s, a = account_session_table, account_table
    with store.engine.begin() as conn:
        query = select(s).where(which, s.c.ended_at.is_(None))
        rows = [_session(row) for row in conn.execute(query)]
        if not rows:
            return 0
        conn.execute(update(s).where(s.c.id.in_([r.id for r in rows]))
                     .values(ended_at=now, ended_by=by[:255]))  # fmt: skip
        names = {r.account for r in rows}
        roles = {
            r.name: r.role
            for r in conn.execute(select(a.c.name, a.c.role).where(a.c.name.in_(names)))
        }
    for row in rows:
        detail = f"session {row.id[:12]} started {row.created_at:%Y-%m-%d %H:%M}; ended: {by}"
        audit.record(store, row.account, roles.get(row.account, audit.NO_ROLE), "session-ended",
                     detail, now)  # fmt: skip
    return len(rows)
