"""HTML pages on the loopholes between the lists: the gap report for a regime on a day, fit to
print and hand on, and the queue of pairs the resolver was unsure of, for a person to judge."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from followthemoney import model

from belwatch.api.deps import current_actor, get_store
from belwatch.api.gaps import gap_report, get_resolution
from belwatch.api.match import get_matcher
from belwatch.exc import ConfigError
from belwatch.match.service import Matcher
from belwatch.register.records import WRITERS, Actor
from belwatch.resolve import Resolution
from belwatch.resolve.decisions import NOT_RELEVANT, lead_stamp, record, record_lead
from belwatch.resolve.gaps import LISTED, NOT_LISTED, GapReport, Target, jurisdiction_name
from belwatch.resolve.review import queue
from belwatch.sources.datasets import REGIMES
from belwatch.store import Store
from belwatch.web.pages import templates

router = APIRouter(include_in_schema=False)
MATRIX_ROWS = 200
MAX_MATRIX_ROWS = 5_000
REVIEW_ROWS = 20
# Okabe-Ito colours and dash patterns: the lines stay apart for colour-blind readers and
# on a black-and-white print.
COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#999")
DASHES = ("", "8 4", "2 3", "10 3 2 3", "4 4", "1 2", "12 2", "6 2 2 2 2 2")
# Names nearly always differ in spelling between two lists: the review marks other facts.
NAME_LABELS = {model.schemata["Thing"].properties[p].label for p in ("name", "alias")}

templates.env.globals["jurisdiction_name"] = jurisdiction_name


@router.get("/gaps-report", response_class=HTMLResponse)
def gaps_page(
    request: Request,
    store: Annotated[Store, Depends(get_store)],
    matcher: Annotated[Matcher, Depends(get_matcher)],
    resolution: Annotated[Resolution, Depends(get_resolution)],
    regime: Annotated[str, Query(max_length=40)] = "belarus",
    as_of: Annotated[str, Query(max_length=40)] = "",
    gaps_only: bool = False,
    limit: Annotated[int, Query(ge=1, le=MAX_MATRIX_ROWS)] = MATRIX_ROWS,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Any:
    """The gap report as a page: totals, lags, a chart, then target by target."""
    form = {"regime": regime, "as_of": as_of, "gaps_only": gaps_only, "limit": limit}
    return _gaps(request, store, matcher, resolution, form, offset)


def _gaps(
    request: Request,
    store: Store,
    matcher: Matcher,
    resolution: Resolution,
    form: dict[str, Any],
    offset: int,
    lead_error: str | None = None,
    error_status: int = 400,
) -> Any:
    context: dict[str, Any] = {"form": form, "regimes": sorted(REGIMES), "error": None}
    regime, as_of, gaps_only, limit = (form[k] for k in ("regime", "as_of", "gaps_only", "limit"))
    try:
        report = _report(request, store, matcher, resolution, regime, as_of.strip() or None)
    except ConfigError as exc:
        context["error"] = str(exc)
        return templates.TemplateResponse(request, "gaps.html", context, status_code=400)
    targets = [t for t in report.targets if not gaps_only or _has_gap(t)]
    query = {"regime": report.regime, "as_of": report.as_of}
    paging = {**query, "gaps_only": "true"} if gaps_only else query
    counts = [n for row in report.listed_not_listed.values() for n in row.values()]
    context |= {
        "report": report,
        "resolved": bool(resolution.groups),
        "empty": not report.versions,
        "counts": _counts(report),
        "heat": max(counts, default=0),
        "chart": chart(report),
        "rows": [(t, _entry(t)) for t in targets[offset : offset + limit]],
        "total": len(targets),
        "offset": offset,
        "page": _pages(len(targets), offset, limit, paging),
        "json_href": "/gaps?" + urlencode(query),
        "back": "/gaps-report?" + urlencode({**paging, "limit": limit, "offset": offset}),
        "lead_error": lead_error,
    }
    status_code = error_status if lead_error else 200
    return templates.TemplateResponse(request, "gaps.html", context, status_code=status_code)


@router.post("/gaps-report/leads", response_class=HTMLResponse)
def judge_leads(
    request: Request,
    store: Annotated[Store, Depends(get_store)],
    matcher: Annotated[Matcher, Depends(get_matcher)],
    resolution: Annotated[Resolution, Depends(get_resolution)],
    actor: Annotated[Actor, Depends(current_actor)],
    lead: Annotated[list[str] | None, Form(max_length=2_000)] = None,
    judgement: Annotated[str, Form(max_length=20)] = NOT_RELEVANT,
    reason: Annotated[str, Form(max_length=2_000)] = "",
    back: Annotated[str, Form(max_length=2_000)] = "/gaps-report",
) -> Any:
    """Record a signed-in editor's judgement on the ticked leads, then back to the report."""
    path, _, query = back.partition("?")
    if path != "/gaps-report":  # never redirect off the report
        back, query = "/gaps-report", ""
    params = parse_qs(query)

    def param(name: str, default: str) -> str:
        return params.get(name, [default])[0]

    try:
        _may_judge(actor)
        if not lead:
            raise ConfigError("Tick at least one lead.")
        leads = [tuple(item.split("\t", 1)) for item in lead]
        if any(len(item) != 2 for item in leads):
            raise ConfigError("A ticked lead must be a target id and a name.")
        found = {str(e.id) for e in store.entities([t for t, _ in leads], current=False)}
        for target_id, name in leads:
            if target_id not in found:
                raise ConfigError(f"There is no entry {target_id!r} in the register.")
            record_lead(store, target_id, name, judgement, actor.name, reason.strip())
    except ConfigError as exc:
        form = {
            "regime": param("regime", "belarus"),
            "as_of": param("as_of", ""),
            "gaps_only": param("gaps_only", "") == "true",
            "limit": _int(param("limit", ""), MATRIX_ROWS, MAX_MATRIX_ROWS),
        }
        offset = _int(param("offset", ""), 0, 10**9)
        status = 403 if actor.role not in WRITERS else 400
        return _gaps(request, store, matcher, resolution, form, offset, str(exc), status)
    return RedirectResponse(f"{back}#mentions-title", status_code=303)


def _int(text: str, default: int, most: int) -> int:
    return min(int(text), most) if text.isdigit() else default


def _report(
    request: Request,
    store: Store,
    matcher: Matcher,
    resolution: Resolution,
    regime: str,
    as_of: str | None,
) -> GapReport:
    """The report, kept for the next page of the same report: making it takes seconds."""
    key = (regime, as_of or date.today().isoformat(), len(store.versions()), lead_stamp(store))
    cached = getattr(request.app.state, "gap_report_page", None)
    if cached is not None and cached[0] is resolution and cached[1] == key:
        kept: GapReport = cached[2]
        return kept
    report = gap_report(store, matcher, resolution, regime, as_of)
    request.app.state.gap_report_page = (resolution, key, report)
    return report


def _has_gap(target: Target) -> bool:
    return any(cell.status == NOT_LISTED for cell in target.cells.values())


def _entry(target: Target) -> str | None:
    """The entry to link a target to: the first designation's."""
    listed = [c for c in target.cells.values() if c.status == LISTED and c.entries]
    first = [c for c in listed if c.since == target.first_listed] or listed
    return first[0].entries[0] if first else None


def _counts(report: GapReport) -> dict[str, Counter[str]]:
    """Per jurisdiction, its targets by status (listed, not listed, not known)."""
    found: dict[str, Counter[str]] = {code: Counter() for code in report.jurisdictions}
    for target in report.targets:
        for code, cell in target.cells.items():
            found[code][cell.status] += 1
    return found


def _pages(total: int, offset: int, limit: int, query: dict[str, Any]) -> dict[str, str | None]:
    """Links to the previous and next page, and to every row on one page (for printing)."""

    def href(start: int, size: int = limit) -> str:
        return "?" + urlencode({**query, "limit": size, "offset": start})

    return {
        "previous": href(max(offset - limit, 0)) if offset > 0 else None,
        "next": href(offset + limit) if offset + limit < total else None,
        "all": href(0, MAX_MATRIX_ROWS) if limit < total <= MAX_MATRIX_ROWS else None,
    }


@dataclass
class Series:
    name: str
    colour: str
    dash: str
    path: str
    total: int


@dataclass
class Chart:
    """A step chart of cumulative designations, in SVG user units."""

    width: int
    height: int
    left: int
    top: int
    right: int
    bottom: int
    series: list[Series]
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]


def chart(report: GapReport, width: int = 760, height: int = 340) -> Chart:
    """Per jurisdiction, how many of the report's targets it had listed by each day."""
    left, top, right, bottom = 56, 16, width - 190, height - 48
    days = {
        code: sorted(d for t in report.targets if (d := _day(t.cells[code].since)) is not None)
        for code in report.jurisdictions
    }
    end = _day(report.as_of) or date.today()
    start = min((d[0] for d in days.values() if d), default=end)
    start = date(start.year, 1, 1)
    span = max((end - start).days, 1)
    peak = max((len(d) for d in days.values()), default=0)
    y_step = nice_step(peak)
    y_max = max(math.ceil(peak / y_step) * y_step, y_step)

    def x(day: date) -> float:
        return round(left + (right - left) * (min(day, end) - start).days / span, 1)

    def y(count: int) -> float:
        return round(bottom - (bottom - top) * count / y_max, 1)

    series = []
    for i, code in enumerate(report.jurisdictions):
        steps = [f"M{x(start)} {y(0)}"]
        for day, count in _cumulative(days[code]):
            steps.append(f"H{x(day)} V{y(count)}")
        steps.append(f"H{x(end)}")
        colour, dash = COLOURS[i % len(COLOURS)], DASHES[i % len(DASHES)]
        series.append(
            Series(jurisdiction_name(code), colour, dash, " ".join(steps), len(days[code]))
        )
    years = end.year - start.year + 1
    year_step = next((s for s in (1, 2, 5, 10, 20, 50) if years / s <= 12), 100)
    x_ticks = [
        (x(date(year, 1, 1)), str(year))
        for year in range(start.year, end.year + 1)
        if year % year_step == 0
    ]
    y_ticks = [(y(n), f"{n:,}") for n in range(0, y_max + 1, y_step)]
    return Chart(width, height, left, top, right, bottom, series, x_ticks, y_ticks)


def _day(text: str | None) -> date | None:
    """A listing date, which a list may give as a day, a month or a year only ("<=day":
    listed by that day, counted from it)."""
    text = (text or "").removeprefix("<=")[:10]
    text += {4: "-01-01", 7: "-01"}.get(len(text), "")
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _cumulative(days: list[date]) -> list[tuple[date, int]]:
    found: dict[date, int] = {}
    for count, day in enumerate(days, start=1):
        found[day] = count
    return list(found.items())


def nice_step(peak: int, ticks: int = 6) -> int:
    """A round step (1, 2 or 5 times a power of ten) giving at most that many ticks."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            if peak <= factor * magnitude * ticks:
                return factor * magnitude
        magnitude *= 10


@router.get("/review", response_class=HTMLResponse)
def review_page(
    request: Request,
    store: Annotated[Store, Depends(get_store)],
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = REVIEW_ROWS,
) -> Any:
    """The pairs the resolver was unsure of, most likely first, each with a form to judge it."""
    return _review(request, store, offset, limit)


@router.post("/review/decide", response_class=HTMLResponse)
def decide(
    request: Request,
    store: Annotated[Store, Depends(get_store)],
    actor: Annotated[Actor, Depends(current_actor)],
    left: Annotated[str, Form(max_length=200)] = "",
    right: Annotated[str, Form(max_length=200)] = "",
    judgement: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=2_000)] = "",
    offset: Annotated[int, Form(ge=0)] = 0,
) -> Any:
    """Record a signed-in editor's judgement on a pair, then back to the queue where they
    were."""
    try:
        _may_judge(actor)
        found = {str(e.id) for e in store.entities([left, right], current=False)}
        for entity_id in (left, right):
            if entity_id not in found:
                raise ConfigError(f"There is no entry {entity_id!r} in the register.")
        record(store, left, right, judgement, actor.name, reason.strip())
    except ConfigError as exc:
        status = 403 if actor.role not in WRITERS else 400
        return _review(request, store, offset, REVIEW_ROWS, str(exc), status_code=status)
    return RedirectResponse(f"/review?{urlencode({'offset': offset})}", status_code=303)


def _may_judge(actor: Actor) -> None:
    if actor.role not in WRITERS:
        raise ConfigError("Sign in as an editor to record a judgement: every judgement is "
                          "recorded with the account that made it.")  # fmt: skip


def _review(
    request: Request,
    store: Store,
    offset: int,
    limit: int,
    error: str | None = None,
    status_code: int = 200,
) -> Any:
    total, items = queue(store, limit, offset)
    pairs = [(item, _rows(item.left.facts, item.right.facts)) for item in items]
    context = {
        "total": total,
        "pairs": pairs,
        "offset": offset,
        "error": error,
        "page": _pages(total, offset, limit, {}),
    }
    return templates.TemplateResponse(request, "review.html", context, status_code=status_code)


def _rows(
    left: dict[str, list[str]], right: dict[str, list[str]]
) -> list[tuple[str, list[str], list[str], bool]]:
    """Each fact either side holds, in the order of the evidence: the label, both sides'
    values, and whether both sides state it and disagree (names nearly always differ in
    spelling: the matcher's reason says how close they are)."""
    labels = [*left, *(label for label in right if label not in left)]
    rows = []
    for label in labels:
        a, b = left.get(label, []), right.get(label, [])
        folded_a, folded_b = {v.casefold() for v in a}, {v.casefold() for v in b}
        differs = bool(a and b and not folded_a & folded_b) and label not in NAME_LABELS
        rows.append((label, a, b, differs))
    return rows
