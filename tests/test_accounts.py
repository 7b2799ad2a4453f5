"""Accounts and sessions: scrypt-hashed passwords, roles read again on every request,
sessions the server keeps and ends, and locks on guessing passwords."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from belwatch import accounts, audit, sessions
from belwatch.cli import cli
from belwatch.exc import ConfigError
from belwatch.register.records import Actor
from belwatch.store import Store
from belwatch.store.schema import account_session_table, metadata

KEY = b"k" * 48
T0 = datetime(2025, 3, 1, 9, 0)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'r.db'}")


def test_passwords_are_hashed_and_checked(store: Store) -> None:
    accounts.add(store, "A. Documenter", "correct horse battery", "editor")
    from sqlalchemy import select

    from belwatch.store.schema import account_table

    with store.engine.connect() as conn:
        stored = conn.execute(select(account_table.c.password)).scalar_one()
    assert stored.startswith("scrypt$") and "correct horse" not in stored
    actor = accounts.sign_in(store, "A. Documenter", "correct horse battery")
    assert actor is not None and actor.role == "editor"
    assert accounts.sign_in(store, "A. Documenter", "wrong password!!") is None
    assert accounts.sign_in(store, "Nobody", "correct horse battery") is None
    accounts.change(store, "A. Documenter", disabled=True)
    assert accounts.sign_in(store, "A. Documenter", "correct horse battery") is None
    assert accounts.actor(store, "A. Documenter") is None


@pytest.mark.parametrize(
    ("name", "password", "role", "message"),
    [
        ("x", "short", "editor", "12 characters"),
        ("x", "long enough password", "owner", "unknown role"),
        ("", "long enough password", "viewer", "a name"),
    ],
)
def test_bad_accounts_are_refused(
    store: Store, name: str, password: str, role: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        accounts.add(store, name, password, role)


def test_cookies_cannot_be_forged_or_altered() -> None:
    value = sessions.cookie(KEY, "a-token")
    assert sessions.cookie_token(KEY, value) == "a-token"
    assert sessions.cookie_token(b"x" * 48, value) is None  # another key
    token, signature = value.split(".")
    assert sessions.cookie_token(KEY, sessions.cookie(b"x" * 48, "a-token")) is None
    assert sessions.cookie_token(KEY, token + "." + "0" * len(signature)) is None
    assert sessions.cookie_token(KEY, "other-token." + signature) is None
    assert sessions.cookie_token(KEY, "garbage") is None


def test_only_the_tokens_hash_is_kept(store: Store) -> None:
    accounts.add(store, "A. Admin", "a long enough password", "admin")
    actor = accounts.sign_in(store, "A. Admin", "a long enough password")
    assert actor is not None
    token = sessions.start(store, actor, "Firefox " + "x" * 500, now=T0)
    with store.engine.connect() as conn:
        [row] = conn.execute(select(account_session_table)).all()
    assert row.id == sessions.token_id(token) and token not in str(tuple(row))
    assert len(row.user_agent) == 200
    assert sessions.find(store, token, T0) == actor
    assert sessions.find(store, "a guessed token", T0) is None


def test_sessions_expire_when_idle_or_old(store: Store) -> None:
    accounts.add(store, "E. Editor", "a long enough password", "editor")
    editor = Actor("E. Editor", "editor")
    idle = sessions.start(store, editor, now=T0)
    assert sessions.find(store, idle, T0 + timedelta(minutes=29)) == editor
    assert sessions.find(store, idle, T0 + timedelta(minutes=29, seconds=30)) == editor
    # Last seen at 00:29: 30 minutes unused from there ends it.
    assert sessions.find(store, idle, T0 + timedelta(minutes=59)) is None
    assert sessions.find(store, idle, T0 + timedelta(minutes=30)) is None  # ended for good
    busy = sessions.start(store, editor, now=T0)
    moment = T0
    while moment < T0 + timedelta(hours=8) - timedelta(minutes=20):
        moment += timedelta(minutes=20)
        assert sessions.find(store, busy, moment) == editor
    assert sessions.find(store, busy, T0 + timedelta(hours=8)) is None
    trail = audit.trail(store, action="session-ended")
    assert [e.detail.split("ended: ")[1] for e in trail] == ["8 hours passed", "30 minutes unused"]


def test_disabling_ends_every_session(store: Store) -> None:
    accounts.add(store, "E. Editor", "a long enough password", "editor")
    editor = Actor("E. Editor", "editor")
    tokens = [sessions.start(store, editor) for _ in range(3)]
    assert len(sessions.open_sessions(store, "E. Editor")) == 3
    accounts.change(store, "E. Editor", disabled=True)
    assert sessions.open_sessions(store) == []
    accounts.change(store, "E. Editor", disabled=False)
    assert all(sessions.find(store, token) is None for token in tokens)  # enabling revives none


def test_five_failures_lock_the_name(store: Store) -> None:
    accounts.add(store, "A. Admin", "a long enough password", "admin")
    for minute in range(5):
        at = T0 + timedelta(minutes=minute)
        assert accounts.sign_in(store, "A. Admin", f"guess number {minute}", now=at) is None
    # Locked: the right password is refused too, for 15 minutes from the fifth failure.
    for minute in (5, 10, 18):
        at = T0 + timedelta(minutes=minute)
        assert accounts.sign_in(store, "A. Admin", "a long enough password", now=at) is None
    actor = accounts.sign_in(store, "A. Admin", "a long enough password",
                             now=T0 + timedelta(minutes=19, seconds=1))  # fmt: skip
    assert actor is not None
    # A sign-in clears the failures: four more do not lock.
    for minute in range(20, 24):
        at = T0 + timedelta(minutes=minute)
        assert accounts.sign_in(store, "A. Admin", "another guess", now=at) is None
    at = T0 + timedelta(minutes=24)
    assert accounts.sign_in(store, "A. Admin", "a long enough password", now=at) is not None
    actions = [e.action for e in reversed(audit.trail(store, actor="A. Admin"))]
    assert actions[:10] == ["sign-in-failed"] * 5 + ["locked"] * 4 + ["sign-in"]


def test_failures_spread_out_do_not_lock(store: Store) -> None:
    accounts.add(store, "A. Admin", "a long enough password", "admin")
    for step in range(8):
        at = T0 + timedelta(minutes=4 * step)
        assert accounts.sign_in(store, "A. Admin", "not the password", now=at) is None
    at = T0 + timedelta(minutes=29)
    assert accounts.sign_in(store, "A. Admin", "a long enough password", now=at) is not None


def test_one_address_is_limited_across_names(store: Store) -> None:
    accounts.add(store, "A. Admin", "a long enough password", "admin")
    for number in range(20):
        at = T0 + timedelta(seconds=number)
        assert accounts.sign_in(store, f"Name {number}", "a password", "addr1", now=at) is None
    at = T0 + timedelta(minutes=1)
    assert accounts.sign_in(store, "A. Admin", "a long enough password", "addr1", now=at) is None
    assert accounts.sign_in(store, "A. Admin", "a long enough password", "addr2", now=at)
    stored = str(audit.trail(store))
    assert "Name 1" not in stored and audit.UNKNOWN_NAME in stored


def test_no_password_or_name_typed_in_error_is_kept(store: Store) -> None:
    accounts.add(store, "A. Admin", "a long enough password", "admin")
    accounts.sign_in(store, "a long enough password", "A. Admin")  # the two boxes swapped
    accounts.sign_in(store, "A. Admin", "almost the password")
    token = sessions.start(store, Actor("A. Admin", "admin"))
    with store.engine.connect() as conn:
        dump = "\n".join(str(tuple(row)) for table in metadata.sorted_tables
                         for row in conn.execute(select(table)))  # fmt: skip
    for secret in ("a long enough password", "almost the password", token):
        assert secret not in dump


def test_cli(tmp_path: Path) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'r.db'}"]
    runner = CliRunner()
    added = runner.invoke(cli, ["account-add", "A. Admin", "--role", "admin", "--password-stdin",
                                *db], input="a long enough password\n", obj={}, env={})  # fmt: skip
    assert added.exit_code == 0, added.output
    again = runner.invoke(cli, ["account-add", "A. Admin", "--role", "admin", "--password-stdin",
                                *db], input="a long enough password\n", obj={}, env={})  # fmt: skip
    assert again.exit_code == 1 and "already" in again.output
    changed = runner.invoke(cli, ["account-change", "A. Admin", "--role", "viewer", *db],
                            obj={}, env={})  # fmt: skip
    assert changed.exit_code == 0
    with Store(db[1]) as store:
        actor = accounts.actor(store, "A. Admin")
        assert actor is not None and actor.role == "viewer"
        token = sessions.start(store, actor, "Firefox on a seized phone")
        sessions.start(store, actor, "Chromium at the office")
    listed = runner.invoke(cli, ["account-sessions", "A. Admin", *db], obj={}, env={})
    assert listed.exit_code == 0 and "seized phone" in listed.output and "office" in listed.output
    assert token not in listed.output and sessions.token_id(token) not in listed.output
    ended = runner.invoke(cli, ["account-end-sessions", "A. Admin", *db], obj={}, env={})
    assert ended.exit_code == 0 and "2 session(s)" in ended.output
    empty = runner.invoke(cli, ["account-sessions", "--json", *db], obj={}, env={})
    assert empty.exit_code == 0 and empty.output.strip() == "[]"
    with Store(db[1]) as store:
        assert sessions.find(store, token) is None
        entries = audit.trail(store)
    assert {e.action for e in entries} >= {"account-added", "account-changed", "session-ended"}
    assert entries[0].detail.endswith("ended: ended by command line")


def test_cli_errors_say_what_is_wrong(tmp_path: Path) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'r.db'}"]
    runner = CliRunner()
    nobody = runner.invoke(cli, ["account-change", "Nobody", "--disable", *db], obj={}, env={})
    assert nobody.exit_code == 1 and "there is no account 'Nobody'" in nobody.output
    ending = runner.invoke(cli, ["account-end-sessions", "Nobody", *db], obj={}, env={})
    assert ending.exit_code == 1 and "there is no account 'Nobody'" in ending.output
    short = runner.invoke(cli, ["account-add", "A", "--role", "editor", "--password-stdin", *db],
                          input="short\n", obj={}, env={})  # fmt: skip
    assert short.exit_code == 1 and "12 characters" in short.output
    empty = runner.invoke(cli, ["indicators", "--by", "me", *db], obj={}, env={})
    assert empty.exit_code == 0 and "holds no dated records" in empty.output
