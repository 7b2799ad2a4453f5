"""Passkeys in Chromium with its virtual authenticator (the DevTools WebAuthn domain): an
admin signs in with the password, adds a passkey from the page, next time proves it, then
renames it; the browser's own WebAuthn code makes and signs with the key, the server checks
it. The page passes axe-core (WCAG 2.1 AA). http://localhost is a secure context, so the
relying party is "localhost"."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from belwatch.api import create_app
from belwatch.fund import ledger, staff
from belwatch.fund.core import Fund
from belwatch.fund.crypto import KeyRing
from belwatch.settings import Settings
from belwatch.store import Store

from conftest import REPO, Site, axe_problems, serving

PASSWORD = "a long staff password"
SHOTS = REPO / "artifacts" / "screenshots"


@pytest.fixture(scope="module")
def fund(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fund]:
    folder = tmp_path_factory.mktemp("passkey-site")
    opened = Fund(f"sqlite:///{folder / 'fund.db'}", KeyRing.from_text(KeyRing.generate()))
    staff.add(opened, None, "chief", PASSWORD, "admin")
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def site(fund: Fund, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    register = Store(f"sqlite:///{tmp_path_factory.mktemp('passkey-register') / 'r.db'}")
    app = create_app(Settings(db=register.url), store=register)
    app.state.fund = fund
    with serving(app, host="localhost") as url:
        yield Site(url)
    register.close()


def authenticator(page: Page) -> tuple[Any, str]:
    """A platform authenticator in the browser that verifies its user without asking."""
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    added = devtools.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True,
        "automaticPresenceSimulation": True,
    }})  # fmt: skip
    return devtools, added["authenticatorId"]


def sign_in(page: Page) -> None:
    page.goto("/fund")
    page.get_by_label("Name", exact=True).fill("chief")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def checked(page: Page, step: str) -> None:
    problems = axe_problems(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"fund-passkey-{step}.png", full_page=True)
    assert not problems, f"axe-core on the passkey page ({step}):\n" + "\n".join(problems)


def test_an_admin_adds_and_uses_a_passkey_in_chromium(page: Page, site: Site, fund: Fund) -> None:
    assert site.url.startswith("http://localhost:")
    devtools, authenticator_id = authenticator(page)
    sign_in(page)
    page.goto("/fund/passkey")
    expect(page.get_by_role("heading", name="Your passkey")).to_be_visible()
    assert page.evaluate("window.isSecureContext")
    checked(page, "first")
    page.get_by_label("Name for it").fill("this laptop")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_text("This session has proven its second factor")).to_be_visible()
    assert page.request.get("/fund/api/staff").status == 200
    made = devtools.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    assert len(made["credentials"]) == 1 and made["credentials"][0]["rpId"] == "localhost"
    # Next time: the password opens only the passkey page, and the passkey the rest.
    page.get_by_role("button", name="Sign out of the fund").click()
    sign_in(page)
    assert page.request.get("/fund/api/staff").status == 403
    page.goto("/fund/passkey")
    expect(page.get_by_role("cell", name="this laptop")).to_be_visible()
    checked(page, "use")
    page.get_by_role("button", name="Use your passkey").click()
    expect(page.get_by_text("This session has proven its second factor")).to_be_visible()
    checked(page, "proven")
    assert page.request.get("/fund/api/staff").status == 200
    used = devtools.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    assert used["credentials"][0]["signCount"] >= 1
    actions = [e.action for e in ledger.entries(fund.store, actor="chief")]
    assert actions.count("mfa.passkey.add") == 1 and actions.count("mfa.webauthn") == 2
    assert "mfa.passkey.refused" not in actions
    # Just proven: the passkey may be renamed (removing the admin's only one is refused, as
    # test_passkeys shows; here a refusal would be an error in the browser's console).
    page.get_by_label("New name for this laptop").fill("work laptop")
    page.get_by_role("button", name="Rename this laptop").click()
    expect(page.get_by_role("cell", name="work laptop", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Remove work laptop")).to_be_visible()
    checked(page, "renamed")
    assert [e.action for e in ledger.entries(fund.store, action="mfa.passkey.rename")] == [
        "mfa.passkey.rename"
    ]
