"""The repression register's pages, showing what the one asking may see (a visitor without
an account: public records only): indicators month by month, the records, and for each
official the cases and a dossier in the form sanctions authorities take (identification,
statement of reasons, evidence, where the person is listed already)."""

from __future__ import annotations

import math
from collections import Counter
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse

from belwatch.api.match import get_matcher
from belwatch.api.repression import Asker, Repository, find
from belwatch.exc import NotFound
from belwatch.match.service import Matcher
from belwatch.register.figures import Figure, figures, series
from belwatch.register.indicators import Series, indicators
from belwatch.register.officials import Proposal, proposals
from belwatch.register.records import Actor, Repression
from belwatch.web.dossier import context as dossier_context
from belwatch.web.dossier import document as dossier_document
from belwatch.web.dossier import pdf as dossier_pdf
from belwatch.web.loopholes import COLOURS, DASHES, Chart, nice_step
from belwatch.web.loopholes import Series as ChartSeries
from belwatch.web.pages import templates

router = APIRouter(include_in_schema=False)
SHORT = {"held": "People held", "released": "Releases", "cases": "New cases",
         "liquidated": "Liquidations", "extremist": "“Extremist” labels"}  # fmt: skip
SCHEMATA = ("Person", "CourtCase", "Organization", "Sanction", "UserAccount", "Event")


@router.get("/repression", response_class=HTMLResponse)
def overview(
    request: Request,
    repository: Repository,
    actor: Asker,
    q: Annotated[str, Query(max_length=200)] = "",
    schema: Annotated[str, Query(max_length=40)] = "",
) -> Any:
    """Indicators, then the public records, searchable by name."""
    series = indicators(repository, actor)
    found = find(repository, actor, schema or None, q.strip() or None)
    charts = (
        [monthly_chart([s for s in series if s.name == "held"], stock=True),
         monthly_chart([s for s in series if s.name != "held"], stock=False)]
        if series else []
    )  # fmt: skip
    published = figures(repository.store)
    context = {"series": series, "records": found[:200], "total": len(found), "q": q,
               "schema": schema, "schemata": SCHEMATA, "actor": actor, "charts": charts,
               "published": published, "published_charts": figures_charts(published)}  # fmt: skip
    return templates.TemplateResponse(request, "repression.html", context)


@router.get("/repression/officials", response_class=HTMLResponse)
def officials_page(
    request: Request,
    repository: Repository,
    actor: Asker,
    matcher: Annotated[Matcher, Depends(get_matcher)],
) -> Any:
    """The officials the public cases name: listed nowhere first."""
    found = proposals(repository, actor, matcher)
    counts = Counter(p.status for p in found)
    return templates.TemplateResponse(request, "officials.html",
                                      {"proposals": found, "counts": counts})  # fmt: skip


@router.get("/repression/officials/{record_id}", response_class=HTMLResponse)
def dossier(
    request: Request,
    record_id: str,
    repository: Repository,
    actor: Asker,
    matcher: Annotated[Matcher, Depends(get_matcher)],
) -> Any:
    """A dossier for one official, fit to print and send to a sanctions authority."""
    proposal = _proposal(repository, actor, matcher, record_id)
    return templates.TemplateResponse(request, "dossier.html",
                                      dossier_context(proposal, actor.name))  # fmt: skip


@router.get("/repression/officials/{record_id}/dossier.{kind}")
def dossier_file(
    record_id: str,
    kind: Literal["pdf", "html"],
    repository: Repository,
    actor: Asker,
    matcher: Annotated[Matcher, Depends(get_matcher)],
) -> Response:
    """The dossier as a document to send: PDF, or HTML with its style inline."""
    proposal = _proposal(repository, actor, matcher, record_id)
    name = f"dossier-{record_id}.{kind}"
    if kind == "pdf":
        disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
        return Response(dossier_pdf(proposal, actor.name), media_type="application/pdf",
                        headers=disposition)  # fmt: skip
    # The document opens in the browser, to read or print; saved, it keeps its name.
    disposition = {"Content-Disposition": f'inline; filename="{name}"'}
    return HTMLResponse(dossier_document(proposal, actor.name), headers=disposition)


def _proposal(repository: Repression, actor: Actor, matcher: Matcher, record_id: str) -> Proposal:
    found = proposals(repository, actor, matcher, only=record_id)
    if not found:
        raise NotFound(f"no official {record_id!r} in the register")
    return found[0]


FIGURE_CHARTS = (
    ("Political prisoners", ("held", "recognised", "released")),
    ("People prosecuted and convicted since 2020", ("prosecuted", "convicted")),
    ("Organisations closed and “extremist” listings since 2020",
     ("liquidated", "extremist_formations", "extremist_materials")),
)  # fmt: skip
FIGURE_SHORT = {"held": "Held", "recognised": "Recognised", "released": "Released",
                "prosecuted": "Prosecuted", "convicted": "Convicted", "liquidated": "Closed",
                "extremist_formations": "“Extremist” groups",
                "extremist_materials": "“Extremist” materials"}  # fmt: skip


def figures_charts(found: list[Figure]) -> list[tuple[str, Chart]]:
    """Published figures as lines over time, a mark at each figure, in charts of like
    counts."""
    grouped = series(found)
    charts = []
    for title, indicators_shown in FIGURE_CHARTS:
        part = {key: points for key, points in grouped.items() if key[0] in indicators_shown}
        if part:
            charts.append((title, dated_chart(part)))
    return charts


def dated_chart(grouped: dict[tuple[str, str], list[Figure]], width: int = 900,
                height: int = 320) -> Chart:  # fmt: skip
    """Lines through dated points (a square at each), months along the x axis."""
    left, top, right, bottom = 70, 16, width - 370, height - 48
    months = sorted({f.date[:7] for points in grouped.values() for f in points})
    first, last = _month_number(months[0]), _month_number(months[-1])
    span = max(last - first, 1)
    peak = max(f.value for points in grouped.values() for f in points)
    y_step = nice_step(peak)
    y_max = max(math.ceil(peak / y_step) * y_step, y_step)

    def x(month: str) -> float:
        return round(left + (right - left) * (_month_number(month) - first) / span, 1)

    def y(value: int) -> float:
        return round(bottom - (bottom - top) * value / y_max, 1)

    lines = []
    for number, ((indicator, publisher), points) in enumerate(sorted(grouped.items())):
        path = " ".join(f"{'M' if i == 0 else 'L'}{x(f.date[:7])} {y(f.value)}"
                        for i, f in enumerate(points))  # fmt: skip
        marks = " ".join(f"M{x(f.date[:7]) - 3} {y(f.value) - 3}h6v6h-6z" for f in points)
        name = f"{FIGURE_SHORT[indicator]} ({publisher.split(',')[0]})"
        # Solid lines, told apart by colour and legend: a dash would break the marks.
        lines.append(ChartSeries(name, COLOURS[number % len(COLOURS)], "",
                                 f"{path} {marks}", points[-1].value))  # fmt: skip
    years = range(int(months[0][:4]), int(months[-1][:4]) + 1)
    x_ticks = [(x(f"{year}-01"), str(year)) for year in years if f"{year}-01" >= months[0]]
    y_ticks = [(y(n), f"{n:,}") for n in range(0, y_max + 1, y_step)]
    return Chart(width, height, left, top, right, bottom, lines, x_ticks, y_ticks)


def _month_number(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def monthly_chart(series: list[Series], stock: bool, width: int = 760, height: int = 300) -> Chart:
    """Lines over the months; the legend gives the last value of a stock (people held) and
    the sum of a flow (cases, releases...)."""
    left, top, right, bottom = 56, 16, width - 230, height - 48
    months = [p.month for p in series[0].points]
    peak = max((p.value for s in series for p in s.points), default=0)
    y_step = nice_step(peak)
    y_max = max(math.ceil(peak / y_step) * y_step, y_step)
    span = max(len(months) - 1, 1)

    def x(index: int) -> float:
        return round(left + (right - left) * index / span, 1)

    def y(value: int) -> float:
        return round(bottom - (bottom - top) * value / y_max, 1)

    lines = []
    for number, found in enumerate(series):
        path = " ".join(f"{'M' if i == 0 else 'L'}{x(i)} {y(p.value)}"
                        for i, p in enumerate(found.points))  # fmt: skip
        total = found.points[-1].value if stock else sum(p.value for p in found.points)
        lines.append(ChartSeries(SHORT.get(found.name, found.label), COLOURS[number % len(COLOURS)],
                                 DASHES[number % len(DASHES)], path, total))  # fmt: skip
    years = sorted({m[:4] for m in months})
    year_step = next((s for s in (1, 2, 5, 10) if len(years) / s <= 12), 20)
    x_ticks = [(x(months.index(f"{year}-01")) if f"{year}-01" in months else x(0), year)
               for year in years[::year_step]]  # fmt: skip
    y_ticks = [(y(n), f"{n:,}") for n in range(0, y_max + 1, y_step)]
    return Chart(width, height, left, top, right, bottom, lines, x_ticks, y_ticks)


@router.get("/repression/record/{record_id}", response_class=HTMLResponse)
def record_page(request: Request, record_id: str, repository: Repository, actor: Asker) -> Any:
    """One public record: its properties and every version, each with its sources."""
    record = repository.get(actor, record_id)
    history = repository.history(actor, record_id)
    return templates.TemplateResponse(request, "record.html",
                                      {"record": record, "history": history})  # fmt: skip
