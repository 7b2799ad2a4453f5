"""The loophole pages on five real lists, resolved: the gap report a policy analyst prints
(totals as a heat map, a chart, target by target) and the review queue where a person judges
the pairs the resolver was unsure of."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from belwatch.api import create_app
from belwatch.match.service import Matcher
from belwatch.resolve import Resolution, resolve
from belwatch.resolve.decisions import AUTO, NOT_SAME, UNSURE, USER, effective
from belwatch.resolve.gaps import jurisdiction_name
from belwatch.resolve.review import ReviewItem, queue
from belwatch.settings import Settings
from belwatch.sources.base import make_id
from belwatch.store import Store

LUKASHENKA = make_id("us_ofac_sdn", "9760")
ALLIES = ("eu", "us", "gb", "ca")


@pytest.fixture(scope="module")
def register(real_store_copy: Store) -> Store:
    return real_store_copy  # these tests write judgements


@pytest.fixture(scope="module")
def matcher(register: Store) -> Matcher:
    return Matcher(register)


@pytest.fixture(scope="module")
def resolution(register: Store, matcher: Matcher) -> Resolution:
    return resolve(register, matcher, workers=2)[0]


REVIEWER = "Alesia Reviewer"


@pytest.fixture(scope="module")
def app(register: Store, matcher: Matcher, resolution: Resolution) -> Any:
    from belwatch import accounts

    app = create_app(Settings(db=register.url), store=register)
    app.state.matcher = matcher  # the one the resolver used: building another takes a while
    accounts.add(register, REVIEWER, "a reviewer's password", "editor")
    return app


@pytest.fixture(scope="module")
def client(app: Any) -> Iterator[TestClient]:
    """Signed in as an editor: judgements are recorded with the account."""
    with TestClient(app) as client:
        signed = client.post("/login", data={"name": REVIEWER, "password": "a reviewer's password"})
        assert signed.status_code == 200
        yield client


@pytest.fixture(scope="module")
def visitor(app: Any) -> Iterator[TestClient]:
    """Nobody signed in."""
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="module")
def report_page(client: TestClient) -> httpx.Response:
    """The whole report, every target on one page."""
    return client.get("/gaps-report", params={"regime": "belarus", "limit": 5000})


@dataclass
class Cell:
    tag: str
    text: str = ""
    attrs: dict[str, str] = field(default_factory=dict)
    links: list[str] = field(default_factory=list)


@dataclass
class Table:
    attrs: dict[str, str]
    caption: str = ""
    rows: list[list[Cell]] = field(default_factory=list)


class Tables(HTMLParser):
    """Every table of a page, each row as the text, attributes and links of its cells."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[Table] = []
        self.cell: Cell | None = None
        self.in_caption = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "table":
            self.tables.append(Table(found))
        elif tag == "tr" and self.tables:
            self.tables[-1].rows.append([])
        elif tag in ("td", "th") and self.tables and self.tables[-1].rows:
            self.cell = Cell(tag, attrs=found)
            self.tables[-1].rows[-1].append(self.cell)
        elif tag == "a" and self.cell is not None:
            self.cell.links.append(found.get("href", ""))
        elif tag == "caption":
            self.in_caption = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self.cell = None
        elif tag == "caption":
            self.in_caption = False

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.text += data
        elif self.in_caption and self.tables:
            self.tables[-1].caption += data


def tables(response: httpx.Response, css_class: str) -> list[Table]:
    parser = Tables()
    parser.feed(response.text)
    return [t for t in parser.tables if css_class in t.attrs.get("class", "").split()]


def table(response: httpx.Response, css_class: str) -> Table:
    found = tables(response, css_class)
    assert len(found) == 1, f"expected one table.{css_class}"
    return found[0]


def words(cell: Cell) -> str:
    return " ".join(cell.text.split())


def text_of(response: httpx.Response) -> str:
    """The page's text as a reader sees it: tags dropped, entities unescaped, spaces folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.text)).split())


def test_report_names_the_jurisdictions_and_the_versions_they_reflect(
    report_page: httpx.Response,
) -> None:
    assert report_page.status_code == 200
    text = text_of(report_page)
    assert "Belarus sanctions: where the allies’ lists differ, as of" in text
    for code in ALLIES:
        assert jurisdiction_name(code) in text
    assert "us_ofac_sdn 2024-05-03" in text and "gb_hmt_sanctions 2025-04-10" in text
    assert "run belwatch resolve" not in text  # the register is resolved
    assert 'href="/gaps?regime=belarus&amp;as_of=' in report_page.text  # the JSON download


def test_heat_map_counts_what_the_json_report_counts(
    client: TestClient, report_page: httpx.Response
) -> None:
    as_of = re.search(r"as of (\d{4}-\d\d-\d\d)", text_of(report_page))
    assert as_of is not None
    data = client.get("/gaps", params={"regime": "belarus", "as_of": as_of[1]}).json()
    heat = table(report_page, "heatmap")
    header, *rows = heat.rows
    columns = [words(c).removeprefix("not by ") for c in header[1:]]
    assert columns == [jurisdiction_name(code) for code in data["jurisdictions"]]
    assert all(c.tag == "th" and c.attrs["scope"] == "col" for c in header[1:])
    shown = 0
    for code, row in zip(data["jurisdictions"], rows, strict=True):
        assert row[0].tag == "th" and row[0].attrs["scope"] == "row"
        assert words(row[0]) == f"Listed by {jurisdiction_name(code)}"
        for other, cell in zip(data["jurisdictions"], row[1:], strict=True):
            if other == code:
                continue
            count = data["listed_not_listed"][code][other]
            assert words(cell) == f"{count:,}"
            assert "background-color: rgba(" in cell.attrs["style"]
            shown += count
    assert shown > 100  # the allies' lists differ by hundreds of targets
    lags = table(report_page, "jurisdictions")
    assert [words(r[0]) for r in lags.rows[1:]] == columns


def test_chart_is_inline_svg_with_a_line_and_a_legend_entry_per_jurisdiction(
    report_page: httpx.Response,
) -> None:
    svg = re.search(r"<svg.*?</svg>", report_page.text, re.S)
    assert svg is not None
    assert 'role="img"' in svg[0] and "<title" in svg[0] and "<desc" in svg[0]
    lines = re.findall(r'<path d="M[^"]+"', svg[0])
    legend = re.findall(r"<text[^>]*>([^<]+) \(([\d,]+)\)</text>", svg[0])
    assert len(lines) == len(legend) >= 4
    totals = {name: int(count.replace(",", "")) for name, count in legend}
    assert all(totals[jurisdiction_name(code)] > 100 for code in ("eu", "gb", "ca"))
    assert "Targets listed (cumulative)" in svg[0] and "Date of designation" in svg[0]
    assert "<script" not in report_page.text


def test_lukashenka_is_one_row_ticked_by_the_four_allies(
    report_page: httpx.Response, resolution: Resolution
) -> None:
    members = {f"/entity/{m}" for m in resolution.members(LUKASHENKA)}
    matrix = table(report_page, "matrix")
    header = [words(c) for c in matrix.rows[0]]
    rows = [r for r in matrix.rows[1:] if set(r[0].links) & members]
    assert len(rows) == 1
    cells = dict(zip(header, rows[0], strict=True))
    assert "Lukashenk" in words(cells["Target"])
    for code in ALLIES:
        assert words(cells[jurisdiction_name(code)]).startswith("✓")
    assert re.search(r"\d{4}-\d\d-\d\d \+\d+ days?", words(cells["European Union"]))
    # Every kind of cell shows up somewhere: listed, not listed and not known, explained.
    statuses = {c.attrs.get("class") for r in matrix.rows[1:] for c in r[2:]}
    assert statuses == {"listed", "gap", "unknown"}
    unknown = next(c for r in matrix.rows[1:] for c in r[2:] if c.attrs.get("class") == "unknown")
    assert words(unknown).startswith("?") and unknown.attrs["title"].startswith("Not known")
    gap = next(c for r in matrix.rows[1:] for c in r[2:] if c.attrs.get("class") == "gap")
    assert words(gap).startswith("—") and "not listed" in words(gap)


def test_matrix_pages(client: TestClient) -> None:
    response = client.get("/gaps-report", params={"limit": 10, "offset": 10})
    assert response.status_code == 200
    assert len(table(response, "matrix").rows) == 11
    text = text_of(response)
    assert re.search(r"Targets 11–20 of [\d,]+", text)
    assert 'rel="next"' in response.text and "offset=20" in response.text
    assert 'rel="prev"' in response.text and "offset=0" in response.text
    narrowed = client.get("/gaps-report", params={"gaps_only": "true", "limit": 5000})
    for row in table(narrowed, "matrix").rows[1:]:
        assert any(c.attrs.get("class") == "gap" for c in row)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"regime": "narnia"}, "unknown regime 'narnia'; known: belarus"),
        ({"as_of": "2025-13-45"}, "as_of '2025-13-45' is not a date (YYYY-MM-DD)"),
    ],
)
def test_report_answers_a_bad_request_with_a_page_that_says_why(
    client: TestClient, params: dict[str, str], message: str
) -> None:
    response = client.get("/gaps-report", params=params)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert message in text_of(response)
    assert '<form action="/gaps-report"' in response.text  # to try again


def test_an_empty_register_still_renders_with_a_note(tmp_path: Path) -> None:
    with Store(f"sqlite:///{tmp_path / 'empty.db'}") as store:
        app = create_app(Settings(db=store.url), store=store)
        with TestClient(app) as client:
            response = client.get("/gaps-report")
            review = client.get("/review")
    assert response.status_code == 200
    assert "The register holds no lists yet: run belwatch update" in text_of(response)
    assert "<svg" in response.text
    assert review.status_code == 200 and "Nothing to review." in text_of(review)


def test_lists_not_yet_resolved_render_with_a_note(real_store: Store, matcher: Matcher) -> None:
    app = create_app(Settings(db=real_store.url), store=real_store)
    app.state.matcher = matcher  # built on a copy of the same lists
    with TestClient(app) as client:
        response = client.get("/gaps-report", params={"limit": 1})
    assert response.status_code == 200
    assert "run belwatch resolve to group the lists’ entries" in text_of(response)


def test_nobody_signed_in_records_no_judgement(visitor: TestClient, register: Store) -> None:
    from belwatch.resolve.decisions import lead_judgements

    item = first_pairs(register)[2]
    data = {"left": item.left.entity_id, "right": item.right.entity_id, "judgement": "same"}
    refused = visitor.post("/review/decide", data=data)
    assert refused.status_code == 403 and "Sign in as an editor" in text_of(refused)
    assert effective(register)[item.decision.pair].source == AUTO
    before = lead_judgements(register)
    lead = visitor.post("/gaps-report/leads", data={"lead": [f"{LUKASHENKA}\tVoldarka"]})
    assert lead.status_code == 403 and lead_judgements(register) == before
    assert "Sign in as an editor" in visitor.get("/review").text


def first_pairs(register: Store) -> list[ReviewItem]:
    return queue(register, 20, 0)[1]


def test_review_shows_each_pair_side_by_side_with_a_form(
    client: TestClient, register: Store
) -> None:
    response = client.get("/review")
    assert response.status_code == 200
    text = text_of(response)
    assert f"Your judgements are recorded as {REVIEWER}" in text
    total, items = queue(register, 20, 0)
    assert f"{total:,} pairs" in text and len(items) == 20
    pairs = tables(response, "sides")
    assert len(pairs) == len(items)
    for item, sides in zip(items, pairs, strict=True):
        head, *facts = sides.rows
        assert [c.links for c in head[1:]] == [
            [f"/entity/{item.left.entity_id}"],
            [f"/entity/{item.right.entity_id}"],
        ]
        assert item.left.caption in words(head[1]) and item.right.caption in words(head[2])
        assert words(facts[0][0]).startswith("Name")
        assert all(words(r[1]) or words(r[2]) for r in facts)
        assert f'value="{item.left.entity_id}"' in response.text
        assert f'value="{item.right.entity_id}"' in response.text
    first = items[0]
    assert first.decision.reason.split(" | ")[0] in text
    assert re.search(r"Pair 1: score 0\.\d\d", text)
    assert response.text.count('<label for="reason-') == 20
    for judgement in ("same", "not_same", "unsure"):
        assert response.text.count(f'name="judgement" value="{judgement}"') == 20


def decide(client: TestClient, item: ReviewItem, **form: Any) -> httpx.Response:
    data = {"left": item.left.entity_id, "right": item.right.entity_id, "offset": 20, **form}
    return client.post("/review/decide", data=data, follow_redirects=False)


def test_a_decision_is_recorded_with_its_author_and_leads_back_to_the_queue(
    client: TestClient, register: Store
) -> None:
    total = queue(register, 1, 0)[0]
    item = first_pairs(register)[-1]
    response = decide(client, item, judgement="not_same", reason="born apart")
    assert response.status_code == 303
    assert response.headers["location"] == "/review?offset=20"
    decision = effective(register)[item.decision.pair]
    assert (decision.judgement, decision.source) == (NOT_SAME, USER)
    assert (decision.author, decision.reason) == ("Alesia Reviewer", "born apart")
    assert queue(register, 1, 0)[0] == total - 1
    back = client.get(response.headers["location"])
    assert back.status_code == 200 and REVIEWER in back.text


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"judgement": "probably"}, "a judgement is one of"),
        ({"judgement": "same", "left": "nobody"}, "no entry 'nobody'"),
    ],
)
def test_a_decision_that_cannot_be_recorded_is_a_400_page_that_says_why(
    client: TestClient, register: Store, form: dict[str, str], message: str
) -> None:
    item = first_pairs(register)[0]
    response = decide(client, item, **form)
    assert response.status_code == 400
    assert message in text_of(response)
    assert "Review queue" in text_of(response)  # the queue again, to try again
    decision = effective(register)[item.decision.pair]
    assert (decision.judgement, decision.source) == (UNSURE, AUTO)


def test_a_form_sent_from_another_site_is_refused(client: TestClient, register: Store) -> None:
    item = first_pairs(register)[1]
    elsewhere = {"Origin": "https://attacker.example"}
    data = {"left": item.left.entity_id, "right": item.right.entity_id, "judgement": "same"}
    refused = client.post("/review/decide", data=data, headers=elsewhere, follow_redirects=False)
    assert refused.status_code == 403
    assert "attacker.example" in refused.json()["detail"]
    assert effective(register)[item.decision.pair].source == AUTO
    # A referrer from another site is refused as well; the site's own pages are not.
    other = {"Referer": "https://attacker.example/page"}
    assert client.post("/review/decide", data=data, headers=other).status_code == 403
    own = {"Origin": "http://testserver"}
    data["judgement"] = "unsure"
    accepted = client.post("/review/decide", data=data, headers=own, follow_redirects=False)
    assert accepted.status_code == 303
    # JSON APIs are not forms: a page elsewhere cannot send them without asking first.
    query = {"queries": {"q": {"schema": "Person", "properties": {"name": ["Sheiman"]}}}}
    assert client.post("/match/default", json=query, headers=elsewhere).status_code == 200


def lead_rows(page: httpx.Response) -> dict[str, list[str]]:
    """The leads the report's table shows: name -> the values of its tick boxes (one per
    target whose entry names it)."""
    found = re.findall(r'<input type="checkbox" name="lead" value="([^"]*)" id="lead-m', page.text)
    leads: dict[str, list[str]] = {}
    for value in map(html.unescape, found):
        leads.setdefault(value.split("\t", 1)[1], []).append(value)
    return leads


def test_a_lead_judged_not_relevant_leaves_the_list_and_can_be_restored(
    client: TestClient,
) -> None:
    page = client.get("/gaps-report")
    leads = lead_rows(page)
    assert "Voldarka" in leads
    back = "/gaps-report?regime=belarus&limit=200&offset=0"
    form = {"lead": leads["Voldarka"], "judgement": "not_relevant", "reason": "checked",
            "back": back}  # fmt: skip
    response = client.post("/gaps-report/leads", data=form, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == back + "#mentions-title"
    page = client.get(back)
    assert "Voldarka" not in lead_rows(page)
    dismissed = len(leads["Voldarka"])
    assert f"{dismissed} lead{'s' if dismissed > 1 else ''} judged not relevant" in text_of(page)
    report = client.get("/gaps").json()
    assert {m["caption"] for m in report["dismissed"]} == {"Voldarka"}
    assert report["dismissed"][0]["judgement"] == "not_relevant"
    assert "Voldarka" not in {m["caption"] for m in report["mentions"]}
    # Nor is it a node of the network any more: near the Belarus targets, on no list.
    near = client.get("/unlisted", params={"regime": "belarus", "limit": 1000}).json()
    assert "Voldarka" not in {r["node"]["caption"] for r in near["results"]}
    # Restored: back in the list, marked as judged relevant.
    form["judgement"] = "relevant"
    assert client.post("/gaps-report/leads", data=form).status_code == 200
    report = client.get("/gaps").json()
    restored = {m["caption"]: m for m in report["mentions"]}["Voldarka"]
    assert restored["judgement"] == "relevant" and report["dismissed"] == []
    near = client.get("/unlisted", params={"regime": "belarus", "limit": 1000}).json()
    assert "Voldarka" in {r["node"]["caption"] for r in near["results"]}


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({}, "Tick at least one lead"),
        ({"lead": ["x\tVoldarka"]}, "no entry 'x'"),
        ({"lead": [f"{LUKASHENKA}\tVoldarka"], "judgement": "maybe"}, "a lead is"),
    ],
)
def test_a_lead_judgement_that_cannot_be_recorded_is_a_400_page_that_says_why(
    client: TestClient, register: Store, form: dict[str, Any], message: str
) -> None:
    from belwatch.resolve.decisions import lead_judgements

    before = lead_judgements(register)
    response = client.post("/gaps-report/leads", data={"back": "https://elsewhere/", **form})
    assert response.status_code == 400
    assert message in text_of(response)
    assert "Related to a target, on no list" in text_of(response)
    assert lead_judgements(register) == before
