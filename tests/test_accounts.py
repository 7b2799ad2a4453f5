"""Accounts and sign-in cookies: scrypt-hashed passwords, roles read again on every request,
cookies that cannot be forged, altered or kept past their time."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from belwatch import accounts
from belwatch.cli import cli
from belwatch.exc import ConfigError
from belwatch.store import Store

KEY = b"k" * 48


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


def test_cookies_cannot_be_forged_altered_or_kept(store: Store) -> None:
    cookie = accounts.session_cookie(KEY, "A. Admin", now=1_000)
    assert accounts.session_name(KEY, cookie, now=1_000) == "A. Admin"
    assert accounts.session_name(b"x" * 48, cookie, now=1_000) is None  # another key
    body, signature = cookie.split(".")
    forged = accounts.session_cookie(b"x" * 48, "A. Admin", now=1_000)
    assert accounts.session_name(KEY, forged, now=1_000) is None
    assert accounts.session_name(KEY, body + "." + "0" * len(signature), now=1_000) is None
    assert accounts.session_name(KEY, cookie, now=1_000 + accounts.SESSION_SECONDS + 1) is None
    assert accounts.session_name(KEY, "garbage", now=1_000) is None


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


def test_cli_errors_say_what_is_wrong(tmp_path: Path) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'r.db'}"]
    runner = CliRunner()
    nobody = runner.invoke(cli, ["account-change", "Nobody", "--disable", *db], obj={}, env={})
    assert nobody.exit_code == 1 and "there is no account 'Nobody'" in nobody.output
    short = runner.invoke(cli, ["account-add", "A", "--role", "editor", "--password-stdin", *db],
                          input="short\n", obj={}, env={})  # fmt: skip
    assert short.exit_code == 1 and "12 characters" in short.output
    empty = runner.invoke(cli, ["indicators", "--by", "me", *db], obj={}, env={})
    assert empty.exit_code == 0 and "holds no dated records" in empty.output
