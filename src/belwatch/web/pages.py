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
def search(
    request: Request,
    store: Annotated[Store, Depends(get_store)],
    q: Annotated[str, Query(max_length=200)] = "",
) -> Any:
    results = store.search_names(q.strip()) if len(q.strip()) >= 2 else []
    return templates.TemplateResponse(request, "search.html", {"q": q, "results": results})


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
