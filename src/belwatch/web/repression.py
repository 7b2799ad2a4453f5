"""The repression register's pages, showing what the one asking may see (a visitor without
an account: public records only): indicators month by month, the records, and for each
official the cases and a dossier in the form sanctions authorities take (identification,
statement of reasons, evidence, where the person is listed already)."""

from __future__ import annotations

import math
from collections import Counter
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from belwatch.api.match import get_matcher
from belwatch.api.repression import Asker, Repository, find
from belwatch.exc import ConfigError, NotFound, SourceError
from belwatch.match.service import Matcher
from belwatch.register.cases import case_row
from belwatch.register.indicators import Series, indicators
from belwatch.register.officials import Proposal, proposals
from belwatch.register.records import INTERNAL, VISIBILITIES, WRITERS, Actor
from belwatch.register.rows import UNSAFE, URL, Row
from belwatch.sources.datasets import JURISDICTIONS
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
    context = {"series": series, "records": found[:200], "total": len(found), "q": q,
               "schema": schema, "schemata": SCHEMATA, "actor": actor,
               "charts": charts}  # fmt: skip
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
    found = proposals(repository, actor, matcher, only=record_id)
    if not found:
        raise NotFound(f"no official {record_id!r} in the register")
    proposal = found[0]
    context = {"p": proposal, "reasons": statement(proposal), "jurisdictions": JURISDICTIONS}
    return templates.TemplateResponse(request, "dossier.html", context)


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


def statement(proposal: Proposal) -> str:
    """A statement of reasons drawn from the evidence alone."""
    name = proposal.official.caption
    evidence = proposal.evidence
    courts = sorted({e.court for e in evidence if e.court})
    articles = sorted({a for e in evidence for a in e.articles})
    dates = sorted(e.date for e in evidence if e.date)
    roles = " and ".join(proposal.roles)
    cases = f"{len(evidence)} criminal case{'s' if len(evidence) != 1 else ''}"
    text = f"{name} took part, as {roles}, in {cases} recorded in the repression register"
    if courts:
        text += f", at {'; '.join(courts)}"
    if dates:
        span = f"between {dates[0]} and {dates[-1]}" if dates[0] != dates[-1] else f"on {dates[0]}"
        text += f", {span}"
    if articles:
        text += f", under {', '.join(articles)} of the Criminal Code of the Republic of Belarus"
    sentences = [e.sentence for e in evidence if e.sentence]
    if sentences:
        text += f". The sentences passed include: {'; '.join(sentences[:5])}"
    return text + "."


@router.get("/repression/record/{record_id}", response_class=HTMLResponse)
def record_page(request: Request, record_id: str, repository: Repository, actor: Asker) -> Any:
    """One public record: its properties and every version, each with its sources."""
    record = repository.get(actor, record_id)
    history = repository.history(actor, record_id)
    return templates.TemplateResponse(request, "record.html",
                                      {"record": record, "history": history})  # fmt: skip


CASE_FIELDS = (
    ("name", "Full name", True), ("birth_date", "Date of birth", False),
    ("gender", "Gender (m/f)", False), ("detained", "Date of detention", False),
    ("articles", "Criminal code articles", False), ("court", "Court", False),
    ("judge", "Judge", False), ("prosecutor", "Prosecutor", False),
    ("investigator", "Investigator", False), ("sentence", "Sentence", False),
    ("regime", "Regime", False), ("prison", "Prison", False),
    ("status", "Status (current / former)", False), ("released", "Date of release", False),
    ("recognised", "Recognition statement", False), ("sources", "Sources (URLs)", True),
)  # fmt: skip


@router.get("/repression/new", response_class=HTMLResponse)
def new_case_page(request: Request, actor: Asker) -> Any:
    """A form for one case, as a row of a case file."""
    return _case_form(request, actor, {}, None)


@router.post("/repression/new", response_class=HTMLResponse)
async def new_case(request: Request, repository: Repository, actor: Asker) -> Any:
    """Record one case entered by a signed-in editor; its sources are required."""
    form = await request.form()
    values = {name: UNSAFE.sub("", str(form.get(name) or ""))[:2_000].strip()
              for name, _, _ in CASE_FIELDS}  # fmt: skip
    values["visibility"] = str(form.get("visibility") or INTERNAL)
    values["consent"] = str(form.get("consent") or "unknown")
    try:
        if actor.role not in WRITERS:
            raise ConfigError("Sign in as an editor to enter cases.")
        if not URL.findall(values["sources"]):
            raise ConfigError("Give at least one source (a URL) for the case.")
        row = Row(values, 1, f"form by {actor.name}", INTERNAL, date.today().isoformat())
        changes = list(case_row(row))
        repository.write(actor, changes)
    except (ConfigError, SourceError) as exc:
        status = 403 if actor.role not in WRITERS else 400
        return _case_form(request, actor, values, str(exc), status)
    return RedirectResponse(f"/repression/record/{changes[0].entity.id}", status_code=303)


def _case_form(
    request: Request, actor: Actor, values: dict[str, str], error: str | None, status: int = 200
) -> Any:
    context = {"fields": CASE_FIELDS, "values": values, "error": error, "actor": actor,
               "visibilities": VISIBILITIES}  # fmt: skip
    return templates.TemplateResponse(request, "case_form.html", context, status_code=status)
