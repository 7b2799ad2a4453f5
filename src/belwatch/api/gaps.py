"""GET /gaps: the gaps between the allies' sanctions on a regime, as JSON."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from sqlalchemy import func, select

from belwatch.api.deps import get_store
from belwatch.api.match import get_matcher
from belwatch.api.models import ErrorResponse
from belwatch.exc import ConfigError
from belwatch.match.service import Matcher
from belwatch.resolve import Resolution, export, load_resolution
from belwatch.resolve.gaps import GapReport, report
from belwatch.sources.datasets import REGIMES
from belwatch.store import Store
from belwatch.store.schema import decision_table

router = APIRouter(tags=["Loopholes"])


def get_resolution(
    request: Request,
    store: Annotated[Store, Depends(get_store)],
    matcher: Annotated[Matcher, Depends(get_matcher)],
) -> Resolution:
    """The grouping the stored judgements make, reloaded when a judgement was added."""
    with store.engine.connect() as conn:
        stamp = tuple(conn.execute(select(func.count(), func.max(decision_table.c.id))).one())
    cached = getattr(request.app.state, "resolution", None)
    if cached is None or cached[0] != stamp:
        cached = request.app.state.resolution = (stamp, load_resolution(store, matcher))
    resolution: Resolution = cached[1]
    return resolution


def gap_report(
    store: Store, matcher: Matcher, resolution: Resolution, regime: str, as_of: str | None
) -> GapReport:
    if regime not in REGIMES:
        raise ConfigError(f"unknown regime {regime!r}; known: {', '.join(REGIMES)}")
    if as_of is not None:
        try:
            as_of = date.fromisoformat(as_of).isoformat()
        except ValueError:
            raise ConfigError(f"as_of {as_of!r} is not a date (YYYY-MM-DD)") from None
    return report(store, matcher, resolution, regime, as_of)


@router.get("/gaps", responses={400: {"model": ErrorResponse}})
def gaps(
    store: Annotated[Store, Depends(get_store)],
    matcher: Annotated[Matcher, Depends(get_matcher)],
    resolution: Annotated[Resolution, Depends(get_resolution)],
    regime: Annotated[str, Query(description="The sanctions regime")] = "belarus",
    as_of: Annotated[str | None, Query(description="A day (YYYY-MM-DD); default today")] = None,
) -> dict[str, Any]:
    """Every canonical target of the regime × every jurisdiction: listed or not, since
    when, how many days after the first designation, which scripts and identifiers its
    entries there lack; totals per jurisdiction pair, median lags, and the related
    entities no list holds. Run `belwatch resolve` first to group the lists' entries."""
    return gap_report(store, matcher, resolution, regime, as_of).to_dict()


@router.get("/gaps.{suffix}", response_class=Response, responses={400: {"model": ErrorResponse}})
def gaps_file(
    store: Annotated[Store, Depends(get_store)],
    matcher: Annotated[Matcher, Depends(get_matcher)],
    resolution: Annotated[Resolution, Depends(get_resolution)],
    suffix: Annotated[str, Path(pattern="^(csv|xlsx)$", description="csv: the matrix; xlsx: all")],
    regime: Annotated[str, Query()] = "belarus",
    as_of: Annotated[str | None, Query()] = None,
) -> Response:
    """The report as a download: the target × jurisdiction matrix as CSV, or every table of
    it as an xlsx workbook."""
    found = gap_report(store, matcher, resolution, regime, as_of)
    if suffix == "csv":
        body, media_type = export.to_csv(found).encode(), "text/csv; charset=utf-8"
    else:
        body, media_type = export.to_xlsx(found), XLSX
    name = f"gaps-{found.regime}-{found.as_of}.{suffix}"
    return Response(body, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
