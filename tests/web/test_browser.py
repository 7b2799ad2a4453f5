"""The web pages in a real browser (Chromium, driven by Playwright) against a live server on
five real lists, resolved: what a reader sees and can do with a mouse, a keyboard, with script
or without, and what axe-core finds against WCAG 2.1 A and AA."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from playwright.sync_api import Browser, Download, Page, expect

from belwatch.api import create_app
from belwatch.match.service import Matcher
from belwatch.register import figures, importer
from belwatch.register.records import Actor, Repression
from belwatch.register.rows import official_id
from belwatch.resolve import Resolution, resolve
from belwatch.settings import Settings
from belwatch.sources.base import make_id
from belwatch.store import Store

from conftest import REPO, axe_problems, serving
from conftest import Site as BaseSite

CASES = REPO / "tests" / "register" / "fixtures" / "cases_ru.csv"
VENDOR = REPO / "src" / "belwatch" / "web" / "static" / "vendor"
SHOTS = REPO / "artifacts" / "screenshots"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"

LUKASHENKA = make_id("us_ofac_sdn", "9760")
# The network tests need a target with links in the five-list register, and Lukashenka has
# none there (his family's links come from Australia's list, which it does not hold). Artsiom
# Dunka, a Belarusian financial investigator, is one target on the EU's, the UK's and OFAC's
# lists, named in Belarusian and Russian too; OFAC links him to the Department of Financial
# Investigations, which is linked to three more officials: expanding it visibly grows the graph.
DUNKA = make_id("us_ofac_sdn", "33404")
SCREENED = "Лукашэнка Аляксандр"


@dataclass
class Site(BaseSite):
    resolution: Resolution


@pytest.fixture(scope="module")
def site(real_store_copy: Store) -> Iterator[Site]:
    """The app on a loopback port, serving the resolved register."""
    if not (VENDOR / "cytoscape.min.js").exists():
        pytest.fail(f"{VENDOR} lacks the browser libraries: run scripts/vendor-js (./test does)")
    matcher = Matcher(real_store_copy)
    resolution = resolve(real_store_copy, matcher, workers=2)[0]
    # Case records of invented people naming real and invented officials, for the
    # repression register's pages.
    documenter = Actor("A. Documenter", "editor")
    Repression(real_store_copy).write(documenter, importer.read(CASES, documenter.name).changes)
    figures.save(Repression(real_store_copy), documenter, figures.read(figures.SEED))
    app = create_app(Settings(db=real_store_copy.url), store=real_store_copy)
    app.state.matcher = matcher  # the one the resolver used: building another takes a while
    with serving(app) as url:
        yield Site(url, resolution)


def snap(page: Page, request: pytest.FixtureRequest, step: str = "", full: bool = True) -> None:
    """A screenshot to look at when a test fails, or to review the pages by eye."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "-", request.node.name).strip("-") + (f"-{step}" if step else "")
    page.screenshot(path=SHOTS / f"{name}.png", full_page=full)


def graph_drawn(page: Page) -> int:
    """Waits for Cytoscape to draw the graph; the number of entities it shows."""
    graph = page.locator("#graph")
    expect(graph).to_have_attribute("data-ready", "true")
    return int(graph.get_attribute("data-nodes") or 0)


def saved(download: Download) -> bytes:
    return Path(download.path()).read_bytes()


def platform_fonts(page: Page, selector: str) -> list[dict[str, Any]]:
    """The fonts Chromium actually drew an element's text with, and how many glyphs each."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        assert node, f"no element {selector}"
        fonts: list[dict[str, Any]] = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})[
            "fonts"
        ]
        return fonts
    finally:
        cdp.detach()


def test_entity_page_names_the_target_in_latin_and_cyrillic_on_every_list(
    page: Page, request: pytest.FixtureRequest
) -> None:
    page.goto(f"/entity/{LUKASHENKA}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("LUKASHENKA")
    target = page.locator("table.entries")
    expect(target).to_be_visible()
    jurisdictions = {t.strip() for t in target.locator("tbody tr td:first-child").all_inner_texts()}
    assert {"Canada", "European Union", "United Kingdom", "United States"} <= jurisdictions
    snap(page, request, "ofac")

    # The EU's entry carries his names in Belarusian and Russian.
    target.locator("tr", has_text="European Union").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/entity/eu-journal-sanctions-"))
    names = page.locator("section[aria-labelledby=names]")
    expect(names.locator("dd", has_text=re.compile(r"\bLUKASHENKA\b"))).to_be_visible()
    belarusian = names.locator("dd[lang=be]", has_text="ЛУКАШЭНКА")
    expect(belarusian).to_be_visible()
    expect(names.locator("dd", has_text="ЛУКАШЕНКО")).to_be_visible()
    # document.fonts.check() answers true for fonts the system lacks; Chromium's own account
    # of the fonts it drew the text with shows whether Cyrillic fell back to boxes.
    fonts = platform_fonts(page, "section[aria-labelledby=names] dd[lang=be]")
    assert fonts, "Chromium drew the Belarusian name with no font"
    assert {f["familyName"] for f in fonts} <= {"DejaVu Sans", "Noto Sans"}, fonts
    text = belarusian.first.inner_text()
    assert sum(f["glyphCount"] for f in fonts) >= len(text.replace(" ", ""))
    # Boxes for missing glyphs are all one width; the real letters are not.
    widths = page.evaluate(
        """() => {
            const c = document.createElement("canvas").getContext("2d");
            c.font = getComputedStyle(document.querySelector("dd[lang=be]")).font;
            return ["ш", "і", "\\u{10FFFD}"].map((s) => c.measureText(s).width);
        }"""
    )
    assert len(set(widths)) == 3, f"Cyrillic letters as wide as a missing glyph: {widths}"
    snap(page, request, "eu")


def test_network_expands_by_keyboard_recolours_and_leads_to_entity_pages(
    page: Page, request: pytest.FixtureRequest
) -> None:
    page.goto(f"/entity/{DUNKA}")
    page.get_by_role("link", name=re.compile(r"^Explore the network around")).click()
    expect(page).to_have_url(re.compile(rf"/entity/{DUNKA}/network$"))
    before = graph_drawn(page)
    assert before >= 2

    neighbour = page.locator("table.nodes tbody tr").filter(has_not_text="(centre)").first
    name = neighbour.get_by_role("link")
    caption, href = name.inner_text().strip(), name.get_attribute("href")
    button = neighbour.locator("button.expand")
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        """(n) => {
            const graph = document.getElementById("graph");
            return graph.dataset.ready === "true" && Number(graph.dataset.nodes) > n;
        }""",
        arg=before,
    )
    after = int(page.locator("#graph").get_attribute("data-nodes") or 0)
    assert after > before
    expect(button).to_be_focused()  # the reader's place in the table is kept
    # The tables and the count follow the graph, for keyboards and screen readers.
    expect(page.locator("table.nodes tbody tr")).to_have_count(after)
    expect(page.locator("#graph-count")).to_contain_text(f"{after} entities")
    assert page.locator("table.edges tbody tr").count() >= after - 1

    legend = page.locator("#legend")
    plain = legend.inner_text()
    choice = page.locator("#colour-by option").nth(1).inner_text()
    page.select_option("#colour-by", label=choice)
    expect(legend).not_to_have_text(plain)
    expect(legend).to_contain_text(choice)

    info = page.locator("#node-info")
    expect(info.get_by_role("heading")).to_have_text(caption)
    snap(page, request, "expanded")
    info.get_by_role("link", name="Open the entity page").click()
    expect(page).to_have_url(re.compile(re.escape(href or "?") + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(caption)
    snap(page, request, "neighbour")


def test_downloads_png_graphml_and_the_gap_report_csv(
    page: Page, site: Site, request: pytest.FixtureRequest
) -> None:
    page.goto(f"/entity/{DUNKA}/network")
    graph_drawn(page)
    with page.expect_download() as png:
        page.get_by_role("button", name="PNG image").click()
    assert png.value.suggested_filename.endswith(".png")
    assert saved(png.value).startswith(PNG_SIGNATURE)

    with page.expect_download() as graphml:
        page.get_by_role("link", name="GraphML").click()
    root = ElementTree.fromstring(saved(graphml.value))
    assert root.tag == f"{GRAPHML}graphml"
    captions = [d.text for d in root.iter(f"{GRAPHML}data") if d.get("key") == "node_caption"]
    assert len(list(root.iter(f"{GRAPHML}node"))) >= 2
    assert "Arciom Kanstantinavich DUNKA" in captions
    snap(page, request, "network")

    page.goto("/gaps-report?limit=20")
    with page.expect_download() as report:
        page.locator("p.downloads").get_by_role("link", name="CSV").click()
    assert report.value.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(saved(report.value).decode("utf-8-sig"))))
    assert rows, "the CSV has no rows"
    assert {"target_id", "caption", "eu_status", "gb_status", "us_status"} <= set(rows[0])
    target = site.resolution.canonical(LUKASHENKA)
    (row,) = [r for r in rows if r["target_id"] == target]
    assert "Lukashenk" in row["caption"]
    assert {row[f"{code}_status"] for code in ("eu", "gb", "us", "ca")} == {"listed"}
    snap(page, request, "gaps", full=False)


def test_search_as_you_type_and_without_script(
    page: Page, browser: Browser, site: Site, request: pytest.FixtureRequest
) -> None:
    page.goto("/search")
    searches: list[str] = []
    page.on("request", lambda r: searches.append(r.url) if r.headers.get("hx-request") else None)
    page.evaluate("window.stillHere = true")
    page.locator("#search-q").focus()
    # Half a surname, in Belarusian Cyrillic: the unfinished word is completed.
    page.keyboard.type("Лукаш", delay=30)
    results = page.locator("#results ul.results li")
    expect(results.first).to_be_visible()
    expect(page.locator("#results")).to_contain_text("Alyaksandr Ryhorovich LUKASHENKA")
    expect(page).to_have_url(re.compile(r"/search\?q=(%D0%9B|Л)"))
    assert page.evaluate("window.stillHere === true"), "typing reloaded the page"
    assert searches, "no request from htmx: the page was not updated in place"
    snap(page, request, "typed")

    context = browser.new_context(base_url=site.url, java_script_enabled=False)
    try:
        still = context.new_page()
        still.goto("/search")
        still.fill("#search-q", "Лукашэнка")
        still.get_by_role("main").get_by_role("button", name="Search").click()
        expect(still).to_have_url(re.compile(r"/search\?q="))
        expect(still.locator("#results ul.results li").first).to_be_visible()
        expect(still.locator("#results")).to_contain_text("LUKASHENKA")
        snap(still, request, "no-script-search")

        still.goto(f"/entity/{DUNKA}/network")
        expect(still.locator("table.nodes")).to_be_visible()
        expect(still.locator("table.nodes tbody tr")).to_have_count(2)
        expect(still.locator("table.edges tbody tr").first).to_be_visible()
        expect(still.locator("table.edges")).to_contain_text("Linked To")
        # Controls that need script stay out of the way.
        expect(still.locator("#graph")).to_be_hidden()
        expect(still.locator("#export-png")).to_be_hidden()
        expect(still.locator("button.expand").first).to_be_hidden()
        expect(still.get_by_role("link", name="GraphML")).to_be_visible()
        snap(still, request, "no-script-network")
    finally:
        context.close()


def test_screening_a_name_in_belarusian_finds_lukashenka_first(
    page: Page, site: Site, request: pytest.FixtureRequest
) -> None:
    page.goto("/screen")
    page.get_by_label("Name (any script or spelling)").fill(SCREENED)
    page.get_by_role("button", name="Screen", exact=True).click()
    expect(page).to_have_url(re.compile(r"/screen\?name="))
    first = page.locator("ol.hits > li").first
    expect(first).to_have_class("match")
    link = first.get_by_role("link").first
    expect(link).to_contain_text(re.compile("LUKASHENK", re.IGNORECASE))
    entry = (link.get_attribute("href") or "").removeprefix("/entity/")
    assert entry in site.resolution.members(LUKASHENKA)
    listed = first.locator("ul.listed li")
    expect(listed.first).to_be_visible()
    text = " ".join(listed.all_inner_texts())
    assert re.search(r"(United States|European Union|United Kingdom|Canada): \w", text), text
    snap(page, request)


PAGES = {
    "home": "/",
    "search": "/search?q=Lukashenka",
    "entity": f"/entity/{LUKASHENKA}",
    "network": f"/entity/{DUNKA}/network",
    "network-expanded": f"/entity/{DUNKA}/network",
    "screen": f"/screen?name={SCREENED}",
    "gaps": "/gaps-report?limit=20",
    "review": "/review",
    "unlisted": "/unlisted-near?regime=belarus",
    "connection": f"/connection?from={DUNKA}&to=Marshalov",
    "repression": "/repression",
    "officials": "/repression/officials",
    "dossier": f"/repression/officials/{official_id('Вересковский Ефим Прокопович')}",
    "dossier-document": (
        f"/repression/officials/{official_id('Вересковский Ефим Прокопович')}/dossier.html"
    ),
    "entry": "/repression/new?kind=extremist",
}


@pytest.mark.parametrize("name", PAGES)
def test_no_accessibility_violations(page: Page, name: str, request: pytest.FixtureRequest) -> None:
    page.goto(PAGES[name])
    if name.startswith("network"):
        graph_drawn(page)
    if name == "network-expanded":
        page.locator("button.expand").last.click()
        expect(page.locator("#node-info").get_by_role("button", name="Expand")).to_be_visible()
        graph_drawn(page)
    if name == "screen":
        expect(page.locator("ol.hits > li").first).to_be_visible()
    problems = axe_problems(page)
    snap(page, request)
    assert not problems, f"axe-core on {PAGES[name]}:\n" + "\n".join(problems)


def contrast(one: str, two: str) -> float:
    """WCAG contrast ratio of two CSS rgb() colours."""

    def luminance(colour: str) -> float:
        channels = [int(c) / 255 for c in re.findall(r"\d+", colour)[:3]]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(one), luminance(two)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_tab_reaches_the_header_search_box_with_a_visible_focus_ring(
    page: Page, request: pytest.FixtureRequest
) -> None:
    page.goto("/")
    box = page.locator("header #q")
    for _ in range(3):
        page.keyboard.press("Tab")
        if box.evaluate("(e) => e === document.activeElement"):
            break
    expect(box).to_be_focused()
    style = box.evaluate(
        """(e) => {
            const s = getComputedStyle(e);
            return {style: s.outlineStyle, width: parseFloat(s.outlineWidth),
                    colour: s.outlineColor, shadow: s.boxShadow,
                    behind: getComputedStyle(e.closest("header")).backgroundColor};
        }"""
    )
    ring = style["style"] != "none" and style["width"] > 0
    assert ring or style["shadow"] != "none", f"no focus indicator: {style}"
    if ring:  # WCAG 1.4.11: a focus indicator needs 3:1 against what surrounds it
        assert contrast(style["colour"], style["behind"]) >= 3, style
    snap(page, request, full=False)
