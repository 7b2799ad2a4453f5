"""The fund's pages in Chromium: a caseworker signs in, sets up the authenticator from the
page, takes an application in and works the case; every page passes axe-core (WCAG 2.1 AA)
and none is kept in the browser's cache."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from belwatch.api import create_app
from belwatch.fund import cases, staff, totp
from belwatch.fund.core import Fund, Staff
from belwatch.fund.crypto import KeyRing
from belwatch.settings import Settings
from belwatch.store import Store

from conftest import REPO, Site, axe_problems, serving

PASSWORD = "a long staff password"
SHOTS = REPO / "artifacts" / "screenshots"
# A 1x1 PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d7"
    "63f8cfc000000301010018dd8db00000000049454e44ae426082"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("fund-site")
    fund = Fund(f"sqlite:///{folder / 'fund.db'}", KeyRing.from_text(KeyRing.generate()))
    register = Store(f"sqlite:///{folder / 'register.db'}")
    staff.add(fund, None, "worker", PASSWORD, "caseworker")
    cases.add_programme(fund, Staff("boss", "admin"), "legal", "Legal aid", "legal", "EUR",
                        5_000_000)  # fmt: skip
    app = create_app(Settings(db=register.url), store=register)
    app.state.fund = fund
    with serving(app) as url:
        yield Site(url)
    fund.close()
    register.close()


def checked(page: Page, step: str) -> None:
    problems = axe_problems(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"fund-{step}.png", full_page=True)
    assert not problems, f"axe-core on the fund's {step} page:\n" + "\n".join(problems)


def test_a_caseworker_in_the_browser(page: Page) -> None:
    served: list[str] = []
    page.on("response", lambda r: served.append(r.headers.get("cache-control", ""))
            if r.url.rstrip("/").split("/")[3:4] == ["fund"] else None)  # fmt: skip
    page.goto("/fund")
    checked(page, "sign-in")
    page.get_by_label("Name", exact=True).fill("worker")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Set up your second factor")).to_be_visible()
    page.get_by_role("button", name="Set up an authenticator app").click()
    expect(page.locator("figure.qr svg")).to_be_visible()
    checked(page, "enrol")
    secret = re.search(r"Key: ([A-Z2-7]+)", page.locator("figure.qr figcaption").inner_text())
    assert secret is not None
    page.get_by_label("Code from the app").fill(totp.code(secret[1], datetime.now(UTC)))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Cases")).to_be_visible()
    page.get_by_role("link", name="Take an application").click()
    checked(page, "new")
    page.get_by_label("Names (one per line").fill("Марыя Калеснікава\nMaria Kalesnikava")
    page.get_by_label("Country of residence").fill("DE")
    page.get_by_label("Needs").fill("legal aid for the appeal")
    page.get_by_role("button", name="Take the application in").click()
    expect(page.get_by_role("heading", name="Identity")).to_be_visible()
    expect(page.get_by_text("Марыя Калеснікава; Maria Kalesnikava")).to_be_visible()
    page.get_by_label("Note (encrypted)").fill("spoke to her lawyer")
    page.get_by_role("button", name="Add the note").click()
    expect(page.get_by_text("spoke to her lawyer")).to_be_visible()
    page.get_by_label("Document (PDF, JPEG or PNG").set_input_files(
        {"name": "ruling.png", "mimeType": "image/png", "buffer": PNG}
    )
    page.get_by_role("button", name="Attach").click()
    expect(page.get_by_role("link", name=re.compile(r"png, [0-9]+ bytes"))).to_be_visible()
    checked(page, "case")
    page.get_by_role("link", name="Cases").first.click()
    page.get_by_label("Case number or name").fill("Kalesnikava")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("link", name=re.compile(r"F-\d{6}"))).to_have_count(1)
    checked(page, "cases")
    assert served and all(value == "no-store" for value in served), served
