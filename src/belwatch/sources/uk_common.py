"""What the two UK lists share: OFSI's Consolidated List (``gb_ofsi``) and the FCDO's UK
Sanctions List (``gb_fcdo``) print dates, countries, registration numbers and the ties
between their targets the same way."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from followthemoney import EntityProxy

from belwatch.sources.base import Context, make_id, parse_date

NUMBERED = re.compile(r"\(\d+\)(?:\s*(?:-|to)\s*\(\d+\))?|\(\d+-\d+\)")
UN_REF = re.compile(r"\b[A-Z]{2}[ie]\.\d{3}\b")
KINSHIP = re.compile(
    r"\b(son|daughter|wife|husband|spouse|brother|sister|father|mother|cousin|nephew|niece|"
    r"uncle|aunt|brother-in-law|son-in-law)\s+(?:of|to)\b[^.;()]{0,80}$",
    re.IGNORECASE,
)
COMPANY = re.compile(
    r"compan|enterprise|\b(?:L?LC|L?LP|[OCP]?JSC|PJSC|plc|ltd|limited|GmbH|bank|corporation|"
    r"partnership|holding|firm)\b",
    re.IGNORECASE,
)
LABELLED_IDS = (
    (re.compile(r"\bINN\b[^\d]{0,6}(\d{10,12})"), "innCode"),
    (re.compile(r"\bOGRN\b[^\d]{0,6}(\d{13,15})"), "ogrnCode"),
    (re.compile(r"\bOKPO\b[^\d]{0,6}(\d{8,10})"), "okpoCode"),
    (re.compile(r"\b(?:TIN|Tax ID No\.?)[^\d]{0,6}(\d{8,12})"), "taxNumber"),
)
# Makes an entity from a schema and id keys: Context.make, or one that reuses what it made.
Make = Callable[..., EntityProxy]


def clean(value: Any) -> Any:
    """Cell text stripped, empty cells as None; dates and numbers kept as they are."""
    if isinstance(value, str):
        value = value.replace("_x000D_", "").strip()
        return value or None
    return value


def text(value: Any) -> str | None:
    value = clean(value)
    return None if value is None else str(value)


def split_numbered(value: Any) -> list[str]:
    """ "(1) Mullah (2) Maulavi" -> ["Mullah", "Maulavi"]; un-numbered text stays whole."""
    parts = (p.strip(" .;,") for p in NUMBERED.split(text(value) or ""))
    return [p for p in parts if p and p not in ("-", "to")]


def countries(value: Any) -> list[str]:
    """Country names without remarks: "Russian Federation (as at November 2010)" -> "Russian
    Federation", "Former USSR Currently Belarus" -> "Belarus"."""
    found = []
    for part in split_numbered(value):
        part = re.sub(r"\([^)]*\)", "", part).split("Currently")[-1].strip(" .")
        if part:
            found.append(part)
    return found


def uk_date(value: Any) -> str | None:
    """dd/mm/yyyy where "00" or "dd"/"mm" stand for an unknown day or month: a partial date."""
    if value is None or not isinstance(value, str):
        return parse_date(value)
    match = re.fullmatch(r"(?:(\d{2}|dd)/)?(?:(\d{2}|mm)/)?(\d{4})", value.strip())
    if match is None:
        return parse_date(value)
    day, month, year = match.groups()
    if match.group(1) and not match.group(2):  # "09/1962": month/year
        day, month = None, day
    if not month or not month.isdigit() or month == "00":
        return year
    if not day or not day.isdigit() or day == "00":
        return f"{year}-{month}"
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def labelled_ids(ctx: Context, entity: EntityProxy, value: str) -> None:
    """Registration numbers, with the codes the text labels (INN, OGRN...) where they belong."""
    for item in split_numbered(value):
        rest = item
        for pattern, prop in LABELLED_IDS:
            for number in pattern.findall(item):
                if entity.schema.get(prop) is not None:
                    ctx.add(entity, prop, number)
            rest = pattern.sub("", rest)
        if re.search(r"\d", rest):  # an unlabelled number is left
            ctx.add(entity, "registrationNumber", item, field="Business Reg No")


def kinship(remarks: str, start: int) -> str | None:
    """The family tie the remarks state just before the citation at ``start``: "son of"."""
    before = remarks[max(0, start - 120) : start].rstrip(" (")
    kin = KINSHIP.search(before.rsplit(".", 1)[-1])
    return kin.group(1).lower() if kin else None


def ownership(
    ctx: Context, make: Make, schemas: Mapping[str, str], owner: str, asset: str, role: str
) -> EntityProxy:
    """The link from ``owner`` to ``asset`` (keys of targets of the list, whose schemata are
    in ``schemas``): an Ownership where FtM allows one, else an UnknownLink."""
    if schemas.get(asset) in ("Company", "Vessel") and schemas.get(owner) != "Vessel":
        link = make("Ownership", "owns", owner, asset)
        link.add("owner", make_id(ctx.dataset, owner))
        link.add("asset", make_id(ctx.dataset, asset))
    else:
        link = make("UnknownLink", "owns", owner, asset)
        link.add("subject", make_id(ctx.dataset, owner))
        link.add("object", make_id(ctx.dataset, asset))
    ctx.add(link, "role", role)
    return link


def mention(
    ctx: Context,
    make: Make,
    entity: EntityProxy,
    key: str,
    other: str,
    other_schema: str | None,
    kin: str | None,
    role: str,
) -> EntityProxy:
    """The link from ``entity`` (the target keyed ``key``) to the target ``other`` its
    remarks cite: a Family link where they name a family tie between two persons, else an
    UnknownLink with ``role``."""
    if kin and entity.schema.is_a("Person") and other_schema == "Person":
        link = make("Family", key, "family", other)
        link.add("person", entity.id)
        link.add("relative", make_id(ctx.dataset, other))
        ctx.add(link, "relationship", kin)
    else:
        link = make("UnknownLink", key, "mentions", other)
        link.add("subject", entity.id)
        link.add("object", make_id(ctx.dataset, other))
        ctx.add(link, "role", role)
    return link


def merge_duplicates(ctx: Context) -> None:
    """Ownerships stated from both sides (a parent's "Subsidiaries", the child's "Parent
    company") share an id, as do repeated mentions: keep one entity per id."""
    unique: dict[str | None, EntityProxy] = {}
    for entity in ctx.entities:
        if entity.id in unique:
            unique[entity.id].merge(entity)
        else:
            unique[entity.id] = entity
    ctx.entities[:] = unique.values()
