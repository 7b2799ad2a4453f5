"""Data entry for signed-in editors: a case, a closed organisation or an "extremist"
designation as one row of a documenter's file, and edits to any record. Every write names
its sources and its author and makes a new version; an edit made on an old version (someone
else saved meanwhile) is refused rather than lost."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from followthemoney import model
from starlette.datastructures import FormData

from belwatch.api.repression import Asker, Repository
from belwatch.exc import ConfigError, Conflict, SourceError
from belwatch.register.importer import LAYOUTS
from belwatch.register.records import (
    CONSENTS,
    INTERNAL,
    VISIBILITIES,
    WRITERS,
    Actor,
    Change,
    Source,
)
from belwatch.register.rows import UNSAFE, URL, Row
from belwatch.web.pages import templates

router = APIRouter(include_in_schema=False)
MAX_VALUE = 2_000


@dataclass(frozen=True)
class Form:
    title: str
    button: str
    fields: tuple[tuple[str, str, bool], ...]  # name, label, required


FORMS = {
    "cases": Form("Enter a case", "Record the case", (
        ("name", "Full name", True), ("birth_date", "Date of birth", False),
        ("gender", "Gender (m/f)", False), ("detained", "Date of detention", False),
        ("articles", "Criminal code articles", False), ("court", "Court", False),
        ("judge", "Judge", False), ("prosecutor", "Prosecutor", False),
        ("investigator", "Investigator", False), ("sentence", "Sentence", False),
        ("regime", "Regime", False), ("prison", "Prison", False),
        ("status", "Status (current / former)", False), ("released", "Date of release", False),
        ("recognised", "Recognition statement", False), ("sources", "Sources (URLs)", True),
    )),
    "organisations": Form("Enter a closed organisation", "Record the closure", (
        ("name", "Organisation", True), ("type", "Kind (NGO, medium, party, trade union)", False),
        ("registration", "Registration number", False), ("liquidated", "Date closed", False),
        ("authority", "Authority that closed it", False), ("ground", "Ground given", False),
        ("city", "City", False), ("sources", "Sources (URLs)", True),
    )),
    "extremist": Form("Enter an “extremist” designation", "Record the designation", (
        ("name", "What was designated (channel, chat, medium, symbol)", True),
        ("kind", "Kind (Telegram channel, chat, website...)", False),
        ("designated", "Date of designation", False), ("court", "Court or authority", False),
        ("entry", "Entry in the list", False), ("link", "Link to it", False),
        ("sources", "Sources (URLs)", True),
    )),
}  # fmt: skip
ROWS = {layout.name: layout.entities for layout in LAYOUTS}


def _clean(value: object) -> str:
    return UNSAFE.sub("", str(value or ""))[:MAX_VALUE].strip()


@router.get("/repression/new", response_class=HTMLResponse)
def new_page(
    request: Request, actor: Asker, kind: Annotated[str, Query(max_length=20)] = "cases"
) -> Any:
    """A form for one case, closed organisation or designation, as a row of a file."""
    return _entry_form(request, actor, kind if kind in FORMS else "cases", {}, None)


@router.post("/repression/new", response_class=HTMLResponse)
async def new_record(
    request: Request,
    repository: Repository,
    actor: Asker,
    kind: Annotated[str, Query(max_length=20)] = "cases",
) -> Any:
    """Record one row entered by a signed-in editor; its sources are required."""
    kind = kind if kind in FORMS else "cases"
    form = await request.form()
    values = {name: _clean(form.get(name)) for name, _, _ in FORMS[kind].fields}
    values["visibility"] = _clean(form.get("visibility")) or INTERNAL
    values["consent"] = _clean(form.get("consent")) or "unknown"
    try:
        _may_write(actor)
        if not URL.findall(values["sources"]):
            raise ConfigError("Give at least one source (a URL).")
        row = Row(values, 1, f"form by {actor.name}", INTERNAL, date.today().isoformat())
        changes = list(ROWS[kind](row))
        repository.write(actor, changes)
    except (ConfigError, SourceError) as exc:
        status = 403 if actor.role not in WRITERS else 400
        return _entry_form(request, actor, kind, values, str(exc), status)
    return RedirectResponse(f"/repression/record/{changes[0].entity.id}", status_code=303)


def _entry_form(
    request: Request,
    actor: Actor,
    kind: str,
    values: dict[str, str],
    error: str | None,
    status: int = 200,
) -> Any:
    context = {"kind": kind, "form": FORMS[kind], "forms": FORMS, "values": values,
               "error": error, "actor": actor, "visibilities": VISIBILITIES}  # fmt: skip
    return templates.TemplateResponse(request, "entry_form.html", context, status_code=status)


def _may_write(actor: Actor) -> None:
    if actor.role not in WRITERS:
        raise ConfigError("Sign in as an editor to enter or change records.")


def editable(schema_name: str) -> list[tuple[str, str]]:
    """The properties a person edits as text (links to other records are kept as they are)."""
    schema = model.get(schema_name)
    if schema is None:
        return []
    return [(name, prop.label) for name, prop in sorted(schema.properties.items())
            if not prop.stub and prop.type.name != "entity" and not prop.hidden]  # fmt: skip


@router.get("/repression/record/{record_id}/edit", response_class=HTMLResponse)
def edit_page(request: Request, record_id: str, repository: Repository, actor: Asker) -> Any:
    """A record's properties as text, one value per line, to correct or complete."""
    record = repository.get(actor, record_id)
    values = {name: "\n".join(record.properties.get(name, [])) for name, _ in
              editable(record.schema)}  # fmt: skip
    values |= {"visibility": record.visibility, "consent": record.consent,
               "version": str(record.version)}  # fmt: skip
    return _edit_form(request, actor, record_id, record.caption, record.schema, values, None)


@router.post("/repression/record/{record_id}/edit", response_class=HTMLResponse)
async def edit(request: Request, record_id: str, repository: Repository, actor: Asker) -> Any:
    """Save an edit as a new version, with the source that backs it."""
    record = repository.get(actor, record_id)
    form = await request.form()
    fields = editable(record.schema)
    values = {name: _lines(form, name) for name, _ in fields}
    for key in ("visibility", "consent", "version", "source", "document"):
        values[key] = _clean(form.get(key))
    try:
        _may_write(actor)
        if values["visibility"] not in VISIBILITIES or values["consent"] not in CONSENTS:
            raise ConfigError("Choose a visibility and a consent from the lists.")
        if not URL.fullmatch(values["source"]):
            raise ConfigError("Give the source (a URL) that backs the change.")
        if not values["version"].isdigit():
            raise ConfigError("The form is incomplete: open the record again.")
        entity = model.make_entity(record.schema)
        entity.id = record.id
        shown = {name for name, _ in fields}
        for prop, kept in record.properties.items():  # links and other hidden properties
            if prop not in shown:
                entity.add(prop, kept, cleaned=True)
        for name in shown:
            entity.add(name, [v for v in values[name].splitlines() if v.strip()])
        if not entity.caption or entity.caption == entity.schema.label:
            raise ConfigError("A record needs a name.")
        document = values["document"] or f"edit by {actor.name}"
        source = Source(url=values["source"], document=document, date=date.today().isoformat())
        visibility = values["visibility"]
        if values["consent"] == "refused" and visibility == "public":
            visibility = "restricted"  # a refusal to be named outweighs the choice
        repository.write(actor, [Change(entity, visibility, values["consent"], [source],
                                        expected_version=int(values["version"]))])  # fmt: skip
    except Conflict as exc:
        return _edit_form(request, actor, record_id, record.caption, record.schema, values,
                          str(exc), 409)  # fmt: skip
    except (ConfigError, SourceError) as exc:
        status = 403 if actor.role not in WRITERS else 400
        return _edit_form(request, actor, record_id, record.caption, record.schema, values,
                          str(exc), status)  # fmt: skip
    return RedirectResponse(f"/repression/record/{record_id}", status_code=303)


def _lines(form: FormData, name: str) -> str:
    text = UNSAFE.sub("", str(form.get(name) or ""))
    return "\n".join(line.strip()[:MAX_VALUE] for line in text.splitlines()[:50])


def _edit_form(
    request: Request,
    actor: Actor,
    record_id: str,
    caption: str,
    schema: str,
    values: dict[str, str],
    error: str | None,
    status: int = 200,
) -> Any:
    context = {"record_id": record_id, "caption": caption, "schema": schema,
               "fields": editable(schema), "values": values, "error": error, "actor": actor,
               "visibilities": VISIBILITIES}  # fmt: skip
    return templates.TemplateResponse(request, "edit_form.html", context, status_code=status)
