"""Staff accounts against someone who wants in: sessions the server ends (sign-out, admins,
disabling, time), no session fixation, locks on guessing that say nothing about which names
exist, and the admin pages that only an admin may see or use."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from belwatch import accounts, audit, sessions
from belwatch.api import create_app
from belwatch.settings import Settings
from belwatch.store import Store
from belwatch.store.schema import metadata
from belwatch.web.signin import COOKIE

PASSWORDS = {
    "A. Admin": "an admin's long password",
    "E. Editor": "an editor's long password",
    "V. Viewer": "a viewer's long password",
}
ROLES = {"A. Admin": "admin", "E. Editor": "editor", "V. Viewer": "viewer"}
KEY = "k" * 48


class Clock:
    """The time the app judges sessions and locks by, moved by the test."""

    def __init__(self) -> None:
        self.now = datetime(2025, 3, 1, 9, 0)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(f"sqlite:///{tmp_path / 'r.db'}") as opened:
        for name, password in PASSWORDS.items():
            accounts.add(opened, name, password, ROLES[name])
        yield opened


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(store: Store, clock: Clock) -> FastAPI:
    app = create_app(Settings(db=store.url, secret_key=KEY), store=store)
    app.state.clock = clock
    return app


def browser(app: FastAPI, address: str = "203.0.113.1") -> TestClient:
    return TestClient(app, client=(address, 50000))


def sign_in(client: TestClient, name: str, password: str | None = None) -> httpx.Response:
    form = {"name": name, "password": password or PASSWORDS[name], "next": "/login"}
    return client.post("/login", data=form, follow_redirects=False)


def who(client: TestClient) -> str:
    """Whom the pages take the browser for, as the navigation shows it."""
    found = re.search(r"<span>([^<]*) \((\w+)\)</span> <button", client.get("/login").text)
    return found.group(1) if found else "visitor"


def cookie(client: TestClient) -> str:
    value = client.cookies.get(COOKIE)
    assert value
    return value


def plant(client: TestClient, value: str) -> None:
    """Put a cookie in the browser as the site would have set it."""
    client.cookies.set(COOKIE, value, domain="testserver.local")


def replay(app: FastAPI, value: str) -> str:
    """Whom a fresh browser holding this cookie is taken for."""
    other = browser(app, "198.51.100.7")
    plant(other, value)
    return who(other)


def test_a_session_planted_before_sign_in_is_not_carried_on(app: FastAPI) -> None:
    # Someone signs in, then leaves their cookie in the victim's browser.
    planter = browser(app)
    assert sign_in(planter, "V. Viewer").status_code == 303
    planted = cookie(planter)
    victim = browser(app)
    plant(victim, planted)
    assert who(victim) == "V. Viewer"
    signed = sign_in(victim, "E. Editor")
    assert signed.status_code == 303
    fresh = cookie(victim)
    assert fresh != planted and who(victim) == "E. Editor"
    # The planted token is over for good: it neither follows the victim nor works alone.
    assert replay(app, planted) == "visitor"
    # A made-up token is not taken up either: sign-in always issues a new one.
    victim.cookies.clear()
    made_up = sessions.cookie(KEY.encode(), "chosen-by-the-attacker")
    plant(victim, made_up)
    sign_in(victim, "E. Editor")
    assert cookie(victim) != made_up and replay(app, made_up) == "visitor"


def test_signing_out_ends_the_session_on_the_server(app: FastAPI) -> None:
    client = browser(app)
    sign_in(client, "E. Editor")
    kept = cookie(client)
    assert replay(app, kept) == "E. Editor"
    client.post("/logout")
    assert who(client) == "visitor"
    assert replay(app, kept) == "visitor"


def test_disabling_an_account_ends_its_live_session(app: FastAPI, store: Store) -> None:
    editor, admin = browser(app), browser(app)
    sign_in(editor, "E. Editor")
    sign_in(admin, "A. Admin")
    assert who(editor) == "E. Editor"
    done = admin.post("/admin/accounts/change", data={"name": "E. Editor", "state": "disable"},
                      follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    assert who(editor) == "visitor"
    admin.post("/admin/accounts/change", data={"name": "E. Editor", "state": "enable"})
    assert who(editor) == "visitor"  # enabling again revives no session
    # From the command line's library the same.
    sign_in(editor, "E. Editor")
    accounts.change(store, "E. Editor", disabled=True)
    assert who(editor) == "visitor"


def test_an_admin_ends_a_session_or_all_of_them(app: FastAPI, store: Store) -> None:
    phone, laptop, admin = browser(app), browser(app), browser(app)
    sign_in(phone, "E. Editor")
    sign_in(laptop, "E. Editor")
    sign_in(admin, "A. Admin")
    page = admin.get("/admin/accounts")
    assert page.status_code == 200 and "(this session)" in page.text
    phone_id = sessions.token_id(str(sessions.cookie_token(KEY.encode(), cookie(phone))))
    assert f'value="{phone_id}"' in page.text
    ended = admin.post("/admin/sessions/end", data={"session": phone_id}, follow_redirects=False)
    assert ended.status_code == 303 and ended.headers["location"].endswith("done=ended")
    assert who(phone) == "visitor" and who(laptop) == "E. Editor"
    again = admin.post("/admin/sessions/end", data={"session": phone_id})
    assert again.status_code == 400 and "ended already" in again.text
    sign_in(phone, "E. Editor")
    admin.post("/admin/sessions/end-all", data={"name": "E. Editor"})
    assert who(phone) == "visitor" and who(laptop) == "visitor" and who(admin) == "A. Admin"
    entries = audit.trail(store, actor="E. Editor", action="session-ended")
    assert len(entries) == 3 and all("ended by A. Admin" in e.detail for e in entries)


def test_sessions_end_when_idle_and_after_eight_hours(app: FastAPI, clock: Clock) -> None:
    client = browser(app)
    sign_in(client, "E. Editor")
    clock.now += timedelta(minutes=29)
    assert who(client) == "E. Editor"
    clock.now += timedelta(minutes=30)
    assert who(client) == "visitor"
    sign_in(client, "E. Editor")
    for _ in range(23):  # in use every 20 minutes: still 8 hours at most
        clock.now += timedelta(minutes=20)
        assert who(client) == "E. Editor"
    clock.now += timedelta(minutes=20)
    assert who(client) == "visitor"


def test_five_failures_lock_the_name_even_for_the_right_password(
    app: FastAPI, clock: Clock, store: Store
) -> None:
    client = browser(app)
    for _ in range(5):
        assert sign_in(client, "E. Editor", "a guess at the password").status_code == 401
        clock.now += timedelta(seconds=30)
    refused = sign_in(client, "E. Editor")
    assert refused.status_code == 401 and "Wrong name or password." in refused.text
    assert who(client) == "visitor"
    # Another name from the same browser is not locked.
    assert sign_in(browser(app), "V. Viewer").status_code == 303
    clock.now += timedelta(minutes=15)
    assert sign_in(client, "E. Editor").status_code == 303
    actions = [e.action for e in audit.trail(store, actor="E. Editor")]
    assert actions[:3] == ["sign-in", "locked", "locked"]


def test_every_refusal_reads_and_takes_the_same(app: FastAPI, store: Store) -> None:
    accounts.add(store, "L. Locked", "a locked account's pass", "editor")
    accounts.add(store, "D. Disabled", "a disabled account's pw", "editor")
    accounts.change(store, "D. Disabled", disabled=True)
    for _ in range(5):
        sign_in(browser(app, "192.0.2.1"), "L. Locked", "wrong, wrong, wrong")
    cases = {
        "unknown name": ("N. Nobody", "any password at all"),
        "wrong password": ("E. Editor", "not the editor's password"),
        "locked": ("L. Locked", "a locked account's pass"),
        "disabled": ("D. Disabled", "a disabled account's pw"),
    }
    answers, times = {}, {}
    for case, (name, password) in cases.items():
        client = browser(app, "192.0.2.2")
        took = []
        for _ in range(3):
            start = time.perf_counter()
            response = sign_in(client, name, password)
            took.append(time.perf_counter() - start)
        dropped = re.sub(r"expires=[^;]*; ", "", response.headers["set-cookie"])
        answers[case] = (response.status_code, response.text, dropped)
        times[case] = min(took)
    assert len(set(answers.values())) == 1, answers
    assert answers["locked"][0] == 401
    # The password is checked in every case (scrypt, tens of milliseconds): none is quick.
    assert max(times.values()) < 3 * min(times.values()), times


def test_one_address_is_limited_across_names(app: FastAPI) -> None:
    guesser = browser(app, "192.0.2.66")
    for number in range(20):
        assert sign_in(guesser, f"Name {number}", "password 123456").status_code == 401
    assert sign_in(guesser, "E. Editor").status_code == 401
    assert sign_in(browser(app, "192.0.2.67"), "E. Editor").status_code == 303


@pytest.mark.parametrize("name", [None, "V. Viewer", "E. Editor"])
def test_the_admin_pages_are_for_admins_only(app: FastAPI, store: Store, name: str | None) -> None:
    client = browser(app)
    if name:
        sign_in(client, name)
    for path in ("/admin/accounts", "/admin/audit"):
        page = client.get(path)
        assert page.status_code == 403 and "Sign in as an admin" in page.text
        assert "E. Editor" not in page.text.split("<main>")[1]
    posts = {
        "/admin/accounts/add": {"name": "M. Mole", "password": "a mole's long password",
                                "role": "admin"},
        "/admin/accounts/change": {"name": "V. Viewer", "role": "admin"},
        "/admin/sessions/end-all": {"name": "A. Admin"},
    }  # fmt: skip
    for path, form in posts.items():
        refused = client.post(path, data=form)
        assert refused.status_code == 403 and "Sign in as an admin" in refused.text
    assert "M. Mole" not in {a.name for a in accounts.listing(store)}
    viewer = accounts.actor(store, "V. Viewer")
    assert viewer is not None and viewer.role == "viewer"
    assert 'href="/admin/accounts"' not in client.get("/login").text


def test_an_admin_manages_accounts(app: FastAPI, store: Store) -> None:
    admin = browser(app)
    sign_in(admin, "A. Admin")
    assert 'href="/admin/accounts">Admin</a>' in admin.get("/login").text
    page = admin.get("/admin/accounts")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    for name in PASSWORDS:
        assert f'<th scope="row">{name}</th>' in page.text
    added = admin.post("/admin/accounts/add", data={"name": "N. Newcomer", "role": "editor",
                       "password": "a newcomer's password"}, follow_redirects=False)  # fmt: skip
    assert added.status_code == 303
    assert "The account was added." in admin.get(added.headers["location"]).text
    assert sign_in(browser(app), "N. Newcomer", "a newcomer's password").status_code == 303
    short = admin.post("/admin/accounts/add", data={"name": "S. Short", "password": "short"})
    assert short.status_code == 400 and "12 characters" in short.text
    twice = admin.post("/admin/accounts/add", data={"name": "N. Newcomer",
                       "password": "a newcomer's password"})  # fmt: skip
    assert twice.status_code == 400 and "already" in twice.text
    admin.post("/admin/accounts/change", data={"name": "N. Newcomer", "role": "admin"})
    newcomer = accounts.actor(store, "N. Newcomer")
    assert newcomer is not None and newcomer.role == "admin"
    own = admin.post("/admin/accounts/change", data={"name": "A. Admin", "state": "disable"})
    assert own.status_code == 400 and "your own account" in own.text
    assert who(admin) == "A. Admin"
    nobody = admin.post("/admin/accounts/change", data={"name": "Nobody", "role": "editor"})
    assert nobody.status_code == 400 and "There is no account" in nobody.text


def test_an_admin_reads_the_audit_trail(app: FastAPI, store: Store, clock: Clock) -> None:
    admin = browser(app)
    for number in range(60):
        audit.record(store, "R. Reader", "viewer", "read", f"entry {number}")
    sign_in(browser(app), "E. Editor", "not the editor's password")
    sign_in(admin, "A. Admin")
    first = admin.get("/admin/audit")
    assert first.status_code == 200
    rows = re.findall(r"<tr><td class=\"d\">.*?</tr>", first.text)
    assert len(rows) == audit.PAGE and "sign-in" in rows[0] and "A. Admin" in rows[0]
    older = re.search(r'href="(/admin/audit\?before=\d+)" rel="next"', first.text)
    assert older is not None
    second = admin.get(older.group(1))
    assert "entry 0" in second.text and "entry 59" not in second.text
    assert "Newest entries" in second.text
    failed = admin.get("/admin/audit", params={"action": "sign-in-failed"}).text
    assert "E. Editor" in failed and "wrong password" in failed and "R. Reader" not in failed
    mine = admin.get("/admin/audit", params={"actor": "R. Reader"}).text
    assert "entry 59" in mine and "A. Admin" not in mine.split("<tbody>")[1]


def test_forms_from_another_site_are_refused(app: FastAPI, store: Store) -> None:
    admin = browser(app)
    sign_in(admin, "A. Admin")
    elsewhere = {"Origin": "https://attacker.example"}
    forms = {
        "/admin/accounts/add": {"name": "M. Mole", "password": "a mole's long password",
                                "role": "admin"},
        "/admin/accounts/change": {"name": "E. Editor", "role": "admin"},
        "/admin/sessions/end-all": {"name": "A. Admin"},
        "/logout": {},
    }  # fmt: skip
    for path, form in forms.items():
        refused = admin.post(path, data=form, headers=elsewhere)
        assert refused.status_code == 403 and "attacker.example" in refused.text
    assert "M. Mole" not in {a.name for a in accounts.listing(store)}
    editor = accounts.actor(store, "E. Editor")
    assert editor is not None and editor.role == "editor"
    assert who(admin) == "A. Admin"


def test_no_password_or_token_is_written_or_logged(
    app: FastAPI, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    admin, editor = browser(app), browser(app)
    sign_in(admin, "A. Admin")
    sign_in(editor, "E. Editor", "almost the editor's password")
    sign_in(editor, "E. Editor")
    tokens = [str(sessions.cookie_token(KEY.encode(), cookie(c))) for c in (admin, editor)]
    admin.post("/admin/accounts/add", data={"name": "N. Newcomer", "role": "viewer",
               "password": "a newcomer's password"})  # fmt: skip
    admin.get("/admin/audit")
    editor.post("/logout")
    secrets = [*PASSWORDS.values(), "almost the editor's password", "a newcomer's password"]
    secrets += tokens
    with store.engine.connect() as conn:
        written = "\n".join(str(tuple(row)) for table in metadata.sorted_tables
                            for row in conn.execute(select(table)))  # fmt: skip
    assert "sign-in-failed" in written and "session-ended" in written
    for secret in secrets:
        assert secret not in written
        assert secret not in caplog.text
