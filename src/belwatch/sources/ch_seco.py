"""Swiss SECO sanctions list: ``swiss-sanctions-list`` XML.

Each ``target`` (keyed by its ``ssid``) names a ``sanctions-set-id``; the ``sanctions-program``
elements say which ordinance each set belongs to. Names come in parts, each with spelling
variants per language and script (BEL/RUS Cyrillic, RUS Latin); a full name is assembled per
variant in name-part order. A target's ``modification`` elements are its history: listed,
amended, de-listed. De-listed targets stay in the file, and here: their Sanction gets an end
date and the status "de-listed".
"""

from __future__ import annotations

import re
from datetime import date
from itertools import product

from followthemoney import EntityProxy
from lxml import etree

from belwatch.sources.base import (
    Context,
    ParseResult,
    SourceFile,
    SourceFormat,
    join_parts,
    parse_date,
    parse_xml,
    xml_root_name,
    xml_text,
)

DATASET = "ch_seco_sanctions"
# For files without sanctions-program elements (excerpts): the one set we know for sure.
KNOWN_SETS = {"4387": "Ordinance on measures against Belarus"}
KINDS = {"individual": "Person", "entity": "Organization"}
OBJECTS = {"vessel": "Vessel", "aircraft": "Airplane"}
NAME_PROPS = {"primary-name": "name", "alias": "alias", "formerly-known-as": "previousName"}
PART_PROPS = {
    "given-name": "firstName",
    "further-given-name": "secondName",
    "family-name": "lastName",
    "father-name": "fatherName",
    "grand-father-name": "fatherName",
    "suffix": "nameSuffix",
    "title": "title",
}
PASSPORTS = {"passport", "diplomatic-passport"}
PROGRAM_NAMES = ("program-name[@lang='eng']", "program-key[@lang='eng']", "program-name")
# Which of a modification's dates to read first: when it was published, took effect, or enacted.
PUBLISHED = ("publication-date", "effective-date", "enactment-date")
EFFECTIVE = ("effective-date", "publication-date", "enactment-date")
# Structured facts that SECO prints as "Label: value" in other-information.
OTHER_INFO = [
    (re.compile(r"(?:Phone|Tel\.?|Telephone)(?: number)?\s*:\s*(.+)", re.I), "phone"),
    (re.compile(r"E-?mail(?: address)?\s*:\s*(\S+@\S+)", re.I), "email"),
    (re.compile(r"Website\s*:\s*(\S+)", re.I), "website"),
    (
        re.compile(r"(?:State |Business )?Registration number\s*:\s*(\S+)", re.I),
        "registrationNumber",
    ),
    (re.compile(r"Taxpayer identification number\s*:\s*(\d+)\.?", re.I), "innCode"),
    (re.compile(r"Tax registration number\s*:\s*(\S+)", re.I), "taxNumber"),
    (re.compile(r"IMO(?: Number)?\s*:\s*(\d{7})", re.I), "imoNumber"),
    (re.compile(r"Function\s*:\s*(.+)", re.I), "position"),
]
Places = dict[str, dict[str, str]]


def sniff(data: bytes) -> bool:
    return xml_root_name(data[:8192]) == "swiss-sanctions-list"


def parse(file: SourceFile, lenient: bool = False) -> ParseResult:
    ctx = Context(DATASET, file, FORMAT.name)
    root = parse_xml(file.data, file.name)
    if root.tag != "swiss-sanctions-list":
        raise ctx.error(f"root element is <{root.tag}>, not <swiss-sanctions-list>")
    programs = _programs(root)
    places = {p.get("ssid", ""): _place(p) for p in root.iterfind("place")}
    targets = root.findall("target")
    known = {t.get("ssid") for t in targets}
    for index, target in enumerate(targets, start=1):
        label = target.get("ssid") or f"target #{index} (line {target.sourceline})"
        with ctx.entry(label, lenient):
            _target(ctx, target, programs, places, known)
    published = parse_date(root.get("date"))
    return ctx.result(published=date.fromisoformat(published) if published else None)


def _programs(root: etree._Element) -> dict[str, tuple[str, str | None]]:
    """Sanctions-set id -> (programme name, the set's own label, e.g. "annex 13")."""
    programs: dict[str, tuple[str, str | None]] = {}
    for program in root.iterfind("sanctions-program"):
        names = [xml_text(program, path) for path in PROGRAM_NAMES]
        name = next(filter(None, names), None)
        for sanctions_set in program.iterfind("sanctions-set"):
            if name and sanctions_set.get("ssid") and sanctions_set.get("lang", "eng") == "eng":
                programs[sanctions_set.get("ssid", "")] = (name, xml_text(sanctions_set))
    return programs


def _place(node: etree._Element) -> dict[str, str]:
    country = node.find("country")
    values = {"location": xml_text(node, "location"), "area": xml_text(node, "area")}
    values["country"] = xml_text(country)
    values["code"] = country.get("iso-code") if country is not None else None
    return {k: v for k, v in values.items() if v}


def _target(
    ctx: Context,
    target: etree._Element,
    programs: dict[str, tuple[str, str | None]],
    places: Places,
    known: set[str | None],
) -> None:
    ssid = target.get("ssid")
    if not ssid:
        raise ctx.error("target without an ssid", field="ssid")
    node = next((child for child in target if child.tag in (*KINDS, "object")), None)
    if node is None:
        raise ctx.error("target without an individual, entity or object", field="target")
    schema = KINDS.get(node.tag) or OBJECTS.get(node.get("object-type", ""), "")
    if not schema:
        raise ctx.error(f"unknown object-type {node.get('object-type')!r}", field="object-type")
    entity = ctx.make(schema, ssid)
    ctx.add(entity, "gender", node.get("sex"))
    identities = sorted(node.iterfind("identity"), key=lambda i: i.get("main") != "true")
    for number, identity in enumerate(identities):
        _identity(ctx, entity, ssid, identity, places, main=number == 0)
    if not entity.has("name"):
        raise ctx.error("target without a primary name", field="name")
    for info in node.iterfind("other-information"):
        _other_information(ctx, entity, xml_text(info))
    ctx.emit(entity)

    set_id = xml_text(target, "sanctions-set-id")
    program, provisions = programs.get(set_id or "") or (KNOWN_SETS.get(set_id or ""), None)
    if program is None:
        ctx.warn(
            f"{ctx.filename}: record {ssid}: sanctions set {set_id} has no programme in the file"
        )
    sanction = ctx.sanction(
        entity,
        program=program,
        reason="\n\n".join(filter(None, (xml_text(j) for j in node.iterfind("justification")))),
        authority_id=ssid,
    )
    ctx.add(sanction, "programId", set_id)
    ctx.add(sanction, "provisions", provisions)
    ctx.add(sanction, "unscId", xml_text(target, "foreign-identifier"))
    _history(ctx, sanction, target.findall("modification"))
    ctx.emit(sanction)

    for relation in node.iterfind("relation"):
        other = relation.get("target-id")
        if not other:
            continue
        if other not in known:
            ctx.warn(f"{ctx.filename}: record {ssid}: related target {other} is not in this file")
        link = ctx.make("UnknownLink", ssid, "relation", relation.get("ssid"), other)
        link.add("subject", entity.id)
        link.add("object", ctx.make("LegalEntity", other).id)
        ctx.add(link, "role", relation.get("relation-type"))
        ctx.emit(link)


def _history(ctx: Context, sanction: EntityProxy, modifications: list[etree._Element]) -> None:
    def when(mod: etree._Element, attrs: tuple[str, ...]) -> str | None:
        return next(filter(None, (parse_date(mod.get(a)) for a in attrs)), None)

    # The oldest listings carry no dates; they sort first, as they happened first.
    history = sorted(modifications, key=lambda m: when(m, EFFECTIVE) or "")
    listed = next((m for m in history if m.get("modification-type") == "listed"), None)
    if listed is not None:
        ctx.add(sanction, "listingDate", when(listed, PUBLISHED))
        ctx.add(sanction, "startDate", when(listed, ("effective-date",)))
    ctx.add(
        sanction,
        "modifiedAt",
        max(filter(None, (when(m, PUBLISHED) for m in history)), default=None),
    )
    if history and history[-1].get("modification-type") == "de-listed":
        ended = when(history[-1], EFFECTIVE)
        ctx.add(sanction, "endDate", ended)
        ctx.add(sanction, "status", "de-listed")
        ctx.add(
            sanction, "description", f"De-listed with effect from {ended or 'an unstated date'}"
        )
        ctx.warn(f"{ctx.filename}: record {ctx.record}: de-listed ({ended}); Sanction ended")


def _identity(
    ctx: Context,
    entity: EntityProxy,
    ssid: str,
    identity: etree._Element,
    places: Places,
    main: bool,
) -> None:
    for name in identity.iterfind("name"):
        _name(ctx, entity, name, main)
    dated = "birthDate" if entity.schema.is_a("Person") else "incorporationDate"
    if entity.schema.is_a("Vehicle"):
        dated = "buildDate"
    for day in identity.iterfind("day-month-year"):
        parts = [p.zfill(2) for p in (day.get("year"), day.get("month"), day.get("day")) if p]
        if parts and all(p.isdigit() for p in parts):
            ctx.add(entity, dated, "-".join(parts), field="day-month-year")
    for nationality in identity.iterfind("nationality/country"):
        ctx.add(entity, "nationality", nationality.get("iso-code") or xml_text(nationality))
    for birth in identity.iterfind("place-of-birth"):
        place = {**places.get(birth.get("place-id", ""), {}), **_place(birth)}
        ctx.add(
            entity,
            "birthPlace",
            join_parts(place.get("location"), place.get("area"), place.get("country")),
        )
        ctx.add(entity, "birthCountry", place.get("code") or place.get("country"))
    for address in identity.iterfind("address"):
        _address(ctx, entity, ssid, address, places)
    for document in identity.iterfind("identification-document"):
        _document(ctx, entity, ssid, document)


def _name(ctx: Context, entity: EntityProxy, name: etree._Element, main: bool) -> None:
    prop = NAME_PROPS.get(name.get("name-type", ""), "alias")
    if prop == "name" and not main:
        prop = "alias"
    if name.get("quality") == "low":
        prop = "weakAlias"
    base: dict[int, list[str]] = {}
    variants: dict[tuple[str, str], dict[int, list[str]]] = {}
    for part in name.iterfind("name-part"):
        order = int(part.get("order", "0")) if part.get("order", "").isdigit() else len(base) + 1
        value = xml_text(part, "value")
        if value is None:
            continue
        base.setdefault(order, []).append(value)
        spellings = [(s, t) for s in part.iterfind("spelling-variant") if (t := xml_text(s))]
        for spelling, text in spellings:
            culture = (spelling.get("lang", ""), spelling.get("script", ""))
            variants.setdefault(culture, {}).setdefault(order, []).append(text)
        part_prop = PART_PROPS.get(part.get("name-part-type", ""))
        if part_prop and entity.schema.is_a("Person") and prop in ("name", "alias"):
            ctx.add(entity, part_prop, [value, *(t for _, t in spellings)], field="name-part")
    if not base:
        return
    orders = sorted(base)
    for whole in product(*(base[o] for o in orders)):
        ctx.add(entity, prop, " ".join(whole), field="name")
    for parts in variants.values():
        if set(parts) != set(orders):
            continue  # a variant of only some parts is no full name in that spelling
        for whole in product(*(parts[o] for o in orders)):
            ctx.add(
                entity,
                "alias" if prop == "name" else prop,
                " ".join(whole),
                field="spelling-variant",
            )


def _address(
    ctx: Context, entity: EntityProxy, ssid: str, node: etree._Element, places: Places
) -> None:
    place = {**places.get(node.get("place-id", ""), {}), **_place(node)}
    details, box, postal, care_of = (
        xml_text(node, t) for t in ("address-details", "p-o-box", "zip-code", "c-o")
    )
    city, region, country = place.get("location"), place.get("area"), place.get("country")
    full = join_parts(
        care_of,
        details,
        box and f"P.O. Box {box}",
        " ".join(filter(None, (postal, city))),
        region,
        country,
    )
    ctx.add(entity, "country", place.get("code") or country)
    if full is None or full == country:
        return
    address = ctx.make("Address", ssid, "address", node.get("ssid"), full)
    ctx.add(address, "full", full, field="address")
    ctx.add(address, "summary", care_of, field="c-o")
    ctx.add(address, "street", details, field="address-details")
    ctx.add(address, "postOfficeBox", box, field="p-o-box")
    ctx.add(address, "postalCode", postal, field="zip-code")
    ctx.add(address, "city", city, field="location")
    ctx.add(address, "region", region, field="area")
    ctx.add(address, "country", place.get("code") or country)
    ctx.add(address, "remarks", xml_text(node, "remarks"), field="remarks")
    ctx.emit_address(entity, address, full)


def _document(ctx: Context, entity: EntityProxy, ssid: str, node: etree._Element) -> None:
    number = xml_text(node, "number")
    if number is None:
        return
    kind = node.get("document-type") or None
    is_passport = kind in PASSPORTS
    issuer = node.find("issuer")
    country = (issuer.get("code") or xml_text(issuer)) if issuer is not None else None
    document = ctx.make(
        "Passport" if is_passport else "Identification", ssid, "document", node.get("ssid"), number
    )
    document.add("holder", entity.id)
    ctx.add(document, "number", number, field="number")
    ctx.add(document, "type", kind, field="document-type")
    ctx.add(document, "country", country)
    ctx.add(document, "startDate", parse_date(xml_text(node, "date-of-issue")))
    ctx.add(document, "endDate", parse_date(xml_text(node, "expiry-date")))
    ctx.add(document, "summary", xml_text(node, "remark"), field="remark")
    if entity.schema.is_a("Person"):
        ctx.add(entity, "passportNumber" if is_passport else "idNumber", number, field="number")
    elif entity.schema.is_a("LegalEntity"):
        ctx.add(entity, "idNumber", number, field="number")
    ctx.emit(document)


def _other_information(ctx: Context, entity: EntityProxy, text: str | None) -> None:
    if text is None:
        return
    for pattern, name in OTHER_INFO:
        match, prop = pattern.fullmatch(text), entity.schema.get(name)
        # Values FtM cannot read (a phone number without area code) stay in the notes.
        if match and prop is not None and prop.type.clean(match[1], proxy=entity) is not None:
            ctx.add(entity, name, match[1], field="other-information")
            return
    ctx.add(entity, "notes", text, field="other-information")


FORMAT = SourceFormat(
    name="ch_seco_xml",
    dataset=DATASET,
    title="Swiss SECO sanctions list (XML)",
    sniff=sniff,
    parse=parse,
)
