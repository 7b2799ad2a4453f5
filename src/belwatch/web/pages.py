"""HTML pages: the register's overview, a name search, and one page per entity."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from followthemoney import StatementEntity

from belwatch.api.deps import get_store
from belwatch.api.match import get_matcher
from belwatch.exc import ConfigError
from belwatch.match.algorithms import DEFAULT, get_algorithm
from belwatch.match.service import MAX_NAME_CHARS, Hit, Matcher, make_query, search
from belwatch.sources.datasets import DATASETS, JURISDICTIONS
from belwatch.stats import register_stats
from belwatch.store import Store
from belwatch.store.sql import in_force
from belwatch.views import entity_view

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(include_in_schema=False)


def mount_static(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")


def _jurisdiction(dataset: str) -> str:
    info = DATASETS.get(dataset)
    return JURISDICTIONS.get(info.jurisdiction, "") if info else ""


templates.env.globals["jurisdiction"] = _jurisdiction
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
    results = search(matcher, q.strip(), limit=50)[1] if len(q.strip()) >= 2 else []
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
    threshold = get_algorithm(DEFAULT).threshold
    context = {**form, "hits": hits, "listings": listings, "error": error, "threshold": threshold}
    return templates.TemplateResponse(request, "screen.html", context)


@router.get("/entity/{entity_id}", response_class=HTMLResponse)
def entity_page(
    request: Request, entity_id: str, store: Annotated[Store, Depends(get_store)]
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
        },
    )


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
