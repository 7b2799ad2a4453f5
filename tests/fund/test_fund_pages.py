"""The fund's web pages as a browser uses them (forms, cookies, redirects): signing in,
setting up the authenticator, taking an application in, and each role's view of a case."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from belwatch.api import create_app
from belwatch.fund import cases, staff, totp
from belwatch.fund.core import Fund, Staff
from belwatch.fund.crypto import KeyRing
from belwatch.settings import Settings
from belwatch.store import Store

from conftest import Clock

ORIGIN = {"origin": "http://testserver"}
PASSWORD = "a long staff password"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[TestClient, Fund, Clock]]:
    clock = Clock(datetime(2026, 5, 4, 10, 0))
    fund = Fund(f"sqlite:///{tmp_path / 'fund.db'}", KeyRing.from_text(KeyRing.generate()),
                clock=clock)  # fmt: skip
    register = Store(f"sqlite:///{tmp_path / 'register.db'}")
    app = create_app(Settings(db=register.url), store=register)
    app.state.fund = fund
    for name, role in (("worker", "caseworker"), ("judge", "reviewer")):
        staff.add(fund, None, name, PASSWORD, role)
    boss = Staff("boss", "admin")
    cases.add_programme(fund, boss, "legal", "Legal aid", "legal", "EUR", 5_000_000)
    with TestClient(app) as client:
        client.headers.update(ORIGIN)
        yield client, fund, clock
    fund.close()
    register.close()


def sign_in(client: TestClient, clock: Clock, name: str) -> None:
    """Sign in the first time: set up the authenticator from the page's key."""
    page = client.post("/fund/sign-in", data={"name": name, "password": PASSWORD})
    assert page.status_code == 200 and "Set up your second factor" in page.text
    shown = client.post("/fund/enrol")
    assert "<svg" in shown.text  # the QR code
    secret = re.search(r"Key: <code>([A-Z2-7]+)</code>", shown.text)
    assert secret is not None
    clock.tick()  # every code a fresh step
    done = client.post("/fund/enrol/confirm", data={"code": totp.code(secret[1], clock.now)})
    assert done.status_code == 200 and "Cases" in done.text


def test_from_sign_in_to_a_case(site: tuple[TestClient, Fund, Clock]) -> None:
    client, _, clock = site
    first = client.get("/fund")
    assert "Sign in" in first.text and first.headers["cache-control"] == "no-store"
    wrong = client.post("/fund/sign-in", data={"name": "worker", "password": "nope nope nope"})
    assert wrong.status_code == 401 and staff.REFUSED in wrong.text
    assert client.get("/fund/cases", follow_redirects=False).status_code == 303
    sign_in(client, clock, "worker")
    made = client.post("/fund/new", data={
        "programme": "legal", "names": "Ігар Лосік\nIhar Losik", "contacts": "+375 29 5",
        "country": "LT", "requested": "150000", "needs": "lawyer for the appeal",
    })  # fmt: skip
    assert made.status_code == 200 and "Ігар Лосік" in made.text
    assert made.headers["cache-control"] == "no-store"
    case = str(made.url).rsplit("/", 1)[1]
    listed = client.get("/fund/cases", params={"q": "Losik"})
    assert case in listed.text and "Ігар Лосік" not in listed.text  # the list shows no names
    for to in ("eligibility", "assessment", "review"):
        moved = client.post(f"/fund/cases/{case}", data={"action": "transition", "to": to})
        assert moved.status_code == 200 and f"· {to}" in moved.text
    noted = client.post(f"/fund/cases/{case}", data={"action": "note", "text": "called her"})
    assert "called her" in noted.text
    forged = client.post(f"/fund/cases/{case}", data={"action": "note", "text": "x"},
                         headers={"origin": "https://evil.example"})  # fmt: skip
    assert forged.status_code == 403
    client.post("/fund/sign-out")
    assert "Sign in" in client.get("/fund").text

    sign_in(client, clock, "judge")
    seen = client.get(f"/fund/cases/{case}")
    assert seen.status_code == 200 and "Ігар Лосік" not in seen.text
    assert "lawyer for the appeal" not in seen.text and "called her" not in seen.text
    review = {"action": "review", "score": "4", "recommendation": "approve", "comment": "ok"}
    reviewed = client.post(f"/fund/cases/{case}", data=review)
    assert reviewed.status_code == 200 and "judge · review" in reviewed.text
    refused = client.post(f"/fund/cases/{case}", data={"action": "note", "text": "mine"})
    assert refused.status_code == 403
    assert client.get("/fund/new").status_code == 200
    taken = client.post("/fund/new", data={"programme": "legal", "names": "Someone"})
    assert taken.status_code == 403 and "may not" in taken.text


def test_a_browser_gets_pages_for_errors(site: tuple[TestClient, Fund, Clock]) -> None:
    client, _, clock = site
    sign_in(client, clock, "worker")
    html = client.get("/fund/cases/nonexistent", headers={"accept": "text/html"})
    assert html.status_code == 404 and "<h1>Not found</h1>" in html.text
    assert client.get("/fund/cases/nonexistent").json() == {"detail": "no case 'nonexistent'"}


def test_cases_past_their_deadline_are_pointed_out(site: tuple[TestClient, Fund, Clock]) -> None:
    """The reminders: the cases list says how many of one's cases are overdue and shows
    them; nobody else's count includes them."""
    client, fund, clock = site
    worker = Staff("worker", "caseworker")
    case = cases.intake(fund, worker, "legal", {"names": ["Ihar Losik"]})
    number = cases.get(fund, worker, case)["number"]
    clock.tick(60 * 24 * 3600)  # two months on, the intake deadline has passed
    staff.add(fund, None, "other", PASSWORD, "caseworker")
    sign_in(client, clock, "other")
    assert "past" not in client.get("/fund/cases").text
    client.post("/fund/sign-out")
    sign_in(client, clock, "worker")
    late = client.get("/fund/cases")
    assert "1 case is past its deadline among yours" in late.text
    shown = client.get("/fund/cases", params={"overdue": "true"})
    assert number in shown.text and "Show all cases" in shown.text
