"""HTML pages: the register's overview, a name search, screening one name or an uploaded
file of names, and one page per entity."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterable
from itertools import islice
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from followthemoney import Statement, StatementEntity

from belwatch.api.deps import get_store
from belwatch.api.gaps import get_resolution
from belwatch.api.match import get_matcher
from belwatch.api.network import get_network
from belwatch.exc import BelwatchError, ConfigError
from belwatch.graph import Network
from belwatch.match.algorithms import DEFAULT, get_algorithm
from belwatch.match.batch import Columns, parse_rows, screen_rows, write_rows, xlsx_bytes
from belwatch.match.service import MAX_NAME_CHARS, Hit, Matcher, make_query, search
from belwatch.resolve import Resolution
from belwatch.sources.datasets import DATASETS, JURISDICTIONS
from belwatch.stats import register_stats
from belwatch.store import Store
from belwatch.store.sql import in_force
from belwatch.views import entity_view
from belwatch.web.relations import entity_relations, href

HERE = Path(__file__).parent
# A web request should finish in well under a minute (about 500 rows/s); bigger files go
# through the CLI, which shows progress.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UPLOAD_ROWS = 10_000
UPLOAD_DEFAULTS = {
    "name_column": "name",
    "id_column": "",
    "birth_date_column": "",
    "country_column": "",
    "default_schema": "LegalEntity",
    "output": "html",
}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(include_in_schema=False)


def mount_static(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")


BELARUSIAN, UKRAINIAN = set("Ўў"), set("ЇїЄєҐґ")


def name_lang(name: str, datasets: Iterable[str] = ()) -> str:
    """The language a name is written in, for screen readers to speak it right: Belarusian
    by its ў, Ukrainian by its ї, є or ґ, or on Ukraine's list (which writes Ukrainian);
    і otherwise Belarusian; other Cyrillic is taken as Russian. "" for Latin names (the
    page's English reads them)."""
    letters = set(name)
    if not any("\u0400" <= c <= "\u04ff" for c in letters):
        return ""
    if letters & BELARUSIAN:
        return "be"
    if letters & UKRAINIAN or "ua_nsdc_sanctions" in datasets:
        return "uk"
    return "be" if letters & set("Іі") else "ru"


def _jurisdiction(dataset: str) -> str:
    info = DATASETS.get(dataset)
    return JURISDICTIONS.get(info.jurisdiction, "") if info else ""


templates.env.globals["jurisdiction"] = _jurisdiction
templates.env.globals["name_lang"] = name_lang
templates.env.globals["node_href"] = href
templates.env.globals["jurisdictions"] = JURISDICTIONS
templates.env.globals["dataset_title"] = lambda name: (
    DATASETS[name].title if name in DATASETS else name
)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, store: Annotated[Store, Depends(get_store)]) -> Any:
    return templates.TemplateResponse(request, "index.html", {"stats": register_stats(store)})


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    matcher: Annotated[Matcher, Depends(get_matcher)],
    q: Annotated[str, Query(max_length=200)] = "",
) -> Any:
    text = q.strip()
    # A search box answers as one types: the last word may be unfinished, unless a space
    # after it says it is whole.
    prefix = not q.endswith(" ")
    results = []
    if len(text) >= 2:
        results = search(matcher, text, limit=50, facets=False, prefix=prefix)[1]
    return templates.TemplateResponse(request, "search.html", {"q": q, "results": results})


@router.get("/screen", response_class=HTMLResponse)
def screen_page(
    request: Request,
    matcher: Annotated[Matcher, Depends(get_matcher)],
    name: Annotated[str, Query(max_length=MAX_NAME_CHARS)] = "",
    schema: Annotated[
        str, Query(pattern="^(Person|Organization|Company|LegalEntity|Vessel)$")
    ] = "Person",
    birth_date: Annotated[str, Query(max_length=10)] = "",
    country: Annotated[str, Query(max_length=40)] = "",
) -> Any:
    """Screen one name (with optional date of birth and country) against every list."""
    hits: list[Hit] = []
    error = None
    if name.strip():
        properties: dict[str, list[str]] = {"name": [name]}
        if birth_date.strip() and schema == "Person":
            properties["birthDate"] = [birth_date.strip()]
        if country.strip():
            properties["country"] = [country.strip()]
        try:
            query = make_query({"schema": schema, "properties": properties})
            hits = matcher.match(query, get_algorithm(DEFAULT), limit=10)
        except ConfigError as exc:
            error = str(exc)
    listings = {str(h.entity.id): matcher.listings.get(str(h.entity.id), []) for h in hits}
    form = {"name": name, "schema": schema, "birth_date": birth_date, "country": country}
    context = {**form, "hits": hits, "listings": listings, "error": error}
    return _screen_template(request, context)


@router.post("/screen", response_class=HTMLResponse)
def screen_file_page(
    request: Request,
    matcher: Annotated[Matcher, Depends(get_matcher)],
    file: Annotated[UploadFile | None, File()] = None,
    name_column: Annotated[str, Form(max_length=200)] = "name",
    id_column: Annotated[str, Form(max_length=200)] = "",
    birth_date_column: Annotated[str, Form(max_length=200)] = "",
    country_column: Annotated[str, Form(max_length=200)] = "",
    default_schema: Annotated[
        str, Form(pattern="^(Person|Organization|Company|LegalEntity)$")
    ] = "LegalEntity",
    output: Annotated[str, Form(pattern="^(html|csv|xlsx)$")] = "html",
) -> Any:
    """Screen every row of an uploaded CSV, JSON lines or xlsx file: hits as a table on the
    page, or as a CSV or xlsx download."""
    upload = {
        "name_column": name_column.strip() or "name",
        "id_column": id_column.strip(),
        "birth_date_column": birth_date_column.strip(),
        "country_column": country_column.strip(),
        "default_schema": default_schema,
        "output": output,
    }
    label = Path(file.filename or "upload").name if file is not None else "upload"
    try:
        rows, columns = _upload_rows(file, label, upload)
        hits, summary = screen_rows(matcher, get_algorithm(DEFAULT), iter(rows), columns)
    except BelwatchError as exc:
        context = {"upload": upload, "upload_error": str(exc)}
        return _screen_template(request, context, status_code=400)
    if output != "html":
        return _download(hits, summary.problems, label, output)
    context = {"upload": upload, "batch": {"file": label, "hits": hits, "summary": summary}}
    return _screen_template(request, context)


def _screen_template(request: Request, context: dict[str, Any], status_code: int = 200) -> Any:
    defaults: dict[str, Any] = {
        "name": "",
        "schema": "Person",
        "birth_date": "",
        "country": "",
        "hits": [],
        "listings": {},
        "error": None,
        "upload": UPLOAD_DEFAULTS,
        "upload_error": None,
        "batch": None,
        "threshold": get_algorithm(DEFAULT).threshold,
        "max_rows": MAX_UPLOAD_ROWS,
        "max_mib": MAX_UPLOAD_BYTES // 2**20,
    }
    return templates.TemplateResponse(
        request, "screen.html", {**defaults, **context}, status_code=status_code
    )


def _upload_rows(
    file: UploadFile | None, label: str, form: dict[str, str]
) -> tuple[list[tuple[int, dict[str, Any]]], Columns]:
    """The uploaded file's rows and the columns to screen them by; ConfigError or SourceError
    for a file that cannot be screened, naming what to do instead."""
    if file is None or not file.filename:
        raise ConfigError("Choose a CSV, JSON lines or xlsx file to upload.")
    data = file.file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ConfigError(
            f"{label} is larger than {MAX_UPLOAD_BYTES // 2**20} MiB, the limit for the web "
            "page; screen it with the command line: belwatch screen FILE -o hits.csv"
        )
    if not data.strip():
        raise ConfigError(f"{label} is empty.")
    try:
        rows = list(islice(parse_rows(data, label), MAX_UPLOAD_ROWS + 1))
    except csv.Error as exc:
        raise ConfigError(f"{label}: broken CSV: {exc}") from None
    except BelwatchError as exc:
        raise ConfigError(
            f"{exc}. Upload a CSV file (UTF-8, with a header row), JSON lines or an xlsx workbook."
        ) from None
    if len(rows) > MAX_UPLOAD_ROWS:
        raise ConfigError(
            f"{label} has more than {MAX_UPLOAD_ROWS:,} rows, the limit for the web page; "
            "screen it with the command line: belwatch screen FILE -o hits.csv"
        )
    if not rows:
        raise ConfigError(f"{label} has no rows to screen below its header.")
    seen = _column_names(row for _, row in rows)
    if not seen:  # every line broken: screen_rows reports each with its line number
        return rows, Columns(name=form["name_column"], default_schema=form["default_schema"])
    optional = {
        role: _pick(form[f"{role}_column"], role.replace("_", " "), seen, label)
        if form[f"{role}_column"]
        else None
        for role in ("id", "birth_date", "country")
    }
    name = _pick(form["name_column"], "name", seen, label)
    return rows, Columns(name=name, default_schema=form["default_schema"], **optional)


def _column_names(rows: Iterable[dict[str, Any]]) -> list[str]:
    names: dict[str, None] = {}
    for row in rows:
        for key in row:
            if isinstance(key, str) and key != "__error__":
                names.setdefault(key, None)
    return list(names)


def _pick(column: str, role: str, seen: list[str], label: str) -> str:
    """The file's column of that name, matched without regard to case."""
    if column in seen:
        return column
    folded = {name.strip().casefold(): name for name in seen}
    if column.casefold() in folded:
        return folded[column.casefold()]
    shown = ", ".join(repr(name[:60]) for name in seen[:30]) + (" ..." if len(seen) > 30 else "")
    raise ConfigError(f"{label} has no {role} column {column!r}; its columns are: {shown}")


def _download(hits: list[dict[str, Any]], problems: list[str], label: str, output: str) -> Any:
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", Path(label).stem).strip("_") or "upload"
    if output == "xlsx":
        body, media_type = xlsx_bytes(hits, problems), XLSX_TYPE
    else:
        text = io.StringIO()
        write_rows(hits, None, text)
        # The byte order mark makes Excel read the file as UTF-8, so Cyrillic names survive.
        body, media_type = ("\ufeff" + text.getvalue()).encode(), "text/csv; charset=utf-8"
    disposition = f'attachment; filename="{stem}-hits.{output}"'
    return Response(body, media_type=media_type, headers={"Content-Disposition": disposition})


@router.get("/entity/{entity_id}", response_class=HTMLResponse)
def entity_page(
    request: Request,
    entity_id: str,
    store: Annotated[Store, Depends(get_store)],
    matcher: Annotated[Matcher, Depends(get_matcher)],
    resolution: Annotated[Resolution, Depends(get_resolution)],
    network: Annotated[Network, Depends(get_network)],
) -> Any:
    view = entity_view(store, entity_id)
    statements = store.statements([entity_id])
    cutoffs = store.cutoffs()
    history = sorted(
        (
            {
                "prop": s.prop,
                "value": s.value,
                "dataset": s.dataset,
                "first_seen": s.first_seen,
                "last_seen": s.last_seen,
                "current": in_force(s, cutoffs, None),
            }
            for s in statements
            if s.prop != "id"
        ),
        key=lambda h: (h["prop"], h["first_seen"] or "", h["value"]),
    )
    sanctions = view.adjacent.get("sanctions", [])
    links = {p: es for p, es in view.adjacent.items() if p != "sanctions"}
    return templates.TemplateResponse(
        request,
        "entity.html",
        {
            "view": view,
            "entity": view.entity,
            "names": _names(view.entity),
            "facts": _facts(view.entity),
            "sanctions": sanctions,
            "links": links,
            "history": history,
            "sources": _sources(store, statements),
            **entity_relations(network, resolution, matcher, entity_id),
        },
    )


def _sources(store: Store, statements: list[Statement]) -> list[dict[str, Any]]:
    """Where the entity's facts come from: per list, its publisher's page and the versions
    of it in the register that carried the entity."""
    seen: dict[str, list[str]] = defaultdict(list)
    for statement in statements:
        seen[statement.dataset].extend((statement.first_seen or "", statement.last_seen or ""))
    found = []
    for dataset, days in sorted(seen.items()):
        first, last = min(d for d in days if d), max(days)
        versions = [v for v in store.versions(dataset) if first <= v.version_date <= last]
        info = DATASETS.get(dataset)
        found.append({
            "dataset": dataset,
            "title": info.title if info else dataset,
            "url": info.url if info else None,
            "versions": [(v.version_date, Path(v.filename).name, v.sha256[:12]) for v in versions],
        })  # fmt: skip
    return found


def _names(entity: StatementEntity) -> dict[str, list[str]]:
    """Every name, grouped by property (name, alias, ...)."""
    names: dict[str, list[str]] = defaultdict(list)
    for prop in (
        "name",
        "alias",
        "weakAlias",
        "previousName",
        "firstName",
        "lastName",
        "fatherName",
    ):
        if prop in entity.schema.properties:
            names[entity.schema.properties[prop].label].extend(sorted(entity.get(prop, quiet=True)))
    return {k: v for k, v in names.items() if v}


def _facts(entity: StatementEntity) -> list[tuple[str, list[str]]]:
    skip = {"name", "alias", "weakAlias", "previousName", "firstName", "lastName", "fatherName"}
    facts = []
    for prop in entity.iterprops():
        if prop.name in skip or prop.type.name == "entity" or prop.hidden:
            continue
        values = entity.get(prop)
        if values:
            facts.append((prop.label, [prop.type.caption(v) or v for v in values]))
    return facts
