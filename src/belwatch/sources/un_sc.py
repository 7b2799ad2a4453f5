"""UN Security Council Consolidated List: ``consolidated.xml`` (schema ``sc-sanctions.xsd``).

Entries are keyed by REFERENCE_NUMBER ("QDi.001"), which national lists quote as the UN
reference: it is both the Sanction's authority id and its ``unscId``. The UN has no Belarus
regime; the list matters here as the baseline other lists copy from.
"""

from __future__ import annotations

import re
from datetime import date

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
    xml_values,
)

DATASET = "un_sc_sanctions"
NAME_TAGS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
# QUALITY of an alias: the UN marks unreliable ones "Low"; "f.k.a." are former names.
ALIAS_PROPS = {"low": "weakAlias", "f.k.a.": "previousName"}
# Comments cite other entries by reference number ("Jamil Mukulu (CDi.015)").
REFERENCE = re.compile(r"\b[A-Z]{2}[ie]\.\d{3}\b")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
YEAR_RANGE = re.compile(r"(\d{4})\s*-\s*(\d{4})")
MAX_YEAR_SPAN = 20


def sniff(data: bytes) -> bool:
    head = data[:65536]
    return xml_root_name(head) == "CONSOLIDATED_LIST" and (
        b"<INDIVIDUALS" in head or b"<ENTITIES" in head
    )


def _date(ctx: Context, value: str | None, field: str) -> str | None:
    """An xs:date, which may carry a time-zone offset ("2001-10-06-04:00")."""
    return ctx.valid_date(value[:10] if value and ISO_DATE.match(value) else value, field)


def _years(ctx: Context, start: str, end: str, field: str) -> list[str]:
    if not (start.isdigit() and end.isdigit()):
        raise ctx.error(f"not a year range: {start!r} to {end!r}", field=field)
    low, high = sorted((int(start), int(end)))
    years = range(low, high + 1) if high - low <= MAX_YEAR_SPAN else (low, high)
    return [str(year) for year in years]


def parse(file: SourceFile, lenient: bool = False) -> ParseResult:
    ctx = Context(DATASET, file, FORMAT.name)
    root = parse_xml(file.data, file.name)
    if root.tag != "CONSOLIDATED_LIST":
        raise ctx.error(f"root element is <{root.tag}>, not <CONSOLIDATED_LIST>")
    entries = [*root.iterfind("INDIVIDUALS/INDIVIDUAL"), *root.iterfind("ENTITIES/ENTITY")]
    known = {ref for entry in entries if (ref := xml_text(entry, "REFERENCE_NUMBER"))}
    for index, entry in enumerate(entries, start=1):
        label = (
            xml_text(entry, "REFERENCE_NUMBER") or f"{entry.tag} #{index} (line {entry.sourceline})"
        )
        with ctx.entry(label, lenient):
            _entry(ctx, entry, known)
    generated = parse_date(root.get("dateGenerated"))
    if generated is None:
        problem = ctx.error("missing or invalid dateGenerated", field="dateGenerated")
        if not lenient:
            raise problem
        ctx.warn(str(problem))
    return ctx.result(published=date.fromisoformat(generated) if generated else None)


def _entry(ctx: Context, entry: etree._Element, known: set[str]) -> None:
    ref = xml_text(entry, "REFERENCE_NUMBER")
    if ref is None:
        raise ctx.error("entry without a reference number", field="REFERENCE_NUMBER")
    is_person = entry.tag == "INDIVIDUAL"
    target = ctx.make("Person" if is_person else "Organization", ref)
    parts = [xml_text(entry, tag) for tag in NAME_TAGS]
    if not any(parts):
        raise ctx.error("entry without a name", field="FIRST_NAME")
    ctx.add(target, "name", " ".join(p for p in parts if p), field="FIRST_NAME")
    if is_person:
        # The UN gives names in positions, not as given/family names (Korean names put the
        # family name first), so they map to positional properties only.
        ctx.add(target, "firstName", parts[0])
        ctx.add(target, "secondName", parts[1])
        ctx.add(target, "middleName", parts[2:])
        ctx.add(target, "gender", xml_text(entry, "GENDER"))
        ctx.add(target, "title", xml_values(entry, "TITLE/VALUE"), field="TITLE")
        ctx.add(target, "position", xml_values(entry, "DESIGNATION/VALUE"), field="DESIGNATION")
        ctx.add(target, "nationality", xml_values(entry, "NATIONALITY/VALUE"), field="NATIONALITY")
    ctx.add(target, "alias", xml_text(entry, "NAME_ORIGINAL_SCRIPT"), field="NAME_ORIGINAL_SCRIPT")
    comments = (entry.findtext("COMMENTS1") or "").strip()
    ctx.add(target, "notes", comments, field="COMMENTS1")
    for alias in entry.iterfind(f"{entry.tag}_ALIAS"):
        _alias(ctx, target, alias)
    for address in entry.iterfind(f"{entry.tag}_ADDRESS"):
        _address(ctx, target, ref, address)
    for birth in entry.iterfind("INDIVIDUAL_DATE_OF_BIRTH"):
        _birth_date(ctx, target, birth)
    for place in entry.iterfind("INDIVIDUAL_PLACE_OF_BIRTH"):
        country = xml_text(place, "COUNTRY")
        ctx.add(
            target,
            "birthPlace",
            join_parts(
                *(xml_text(place, t) for t in ("STREET", "CITY", "STATE_PROVINCE")), country
            ),
        )
        ctx.add(target, "birthCountry", country)
    for document in entry.iterfind("INDIVIDUAL_DOCUMENT"):
        _document(ctx, target, ref, document)
    ctx.emit(target)

    sanction = ctx.sanction(
        target,
        program=xml_text(entry, "UN_LIST_TYPE"),
        listing_date=_date(ctx, xml_text(entry, "LISTED_ON"), "LISTED_ON"),
        authority_id=ref,
    )
    ctx.add(sanction, "unscId", ref)
    updated = sorted(
        filter(None, (parse_date(v) for v in xml_values(entry, "LAST_DAY_UPDATED/VALUE")))
    )
    ctx.add(sanction, "modifiedAt", updated[-1:])
    delisted = _date(ctx, xml_text(entry, "DELISTED_ON"), "DELISTED_ON")
    if delisted:
        ctx.add(sanction, "endDate", delisted)
        ctx.add(sanction, "status", "de-listed")
    ctx.emit(sanction)

    for other in sorted(set(REFERENCE.findall(comments)) & known - {ref}):
        link = ctx.make("UnknownLink", ref, "mentions", other)
        link.add("subject", target.id)
        link.add("object", ctx.make("LegalEntity", other).id)
        ctx.add(link, "role", "mentioned in the entry's comments")
        ctx.emit(link)


def _alias(ctx: Context, target: EntityProxy, alias: etree._Element) -> None:
    name = xml_text(alias, "ALIAS_NAME")
    if name is None:
        return
    quality = (xml_text(alias, "QUALITY") or "").lower()
    ctx.add(target, ALIAS_PROPS.get(quality, "alias"), name, field="ALIAS_NAME")
    if target.schema.is_a("Person"):
        # A free-text field: a date, a year, "1958 - 1964", or the word "null".
        birth = xml_text(alias, "DATE_OF_BIRTH")
        if birth and (span := YEAR_RANGE.fullmatch(birth)):
            ctx.add(target, "birthDate", _years(ctx, span[1], span[2], field="DATE_OF_BIRTH"))
        elif birth and birth != "null":
            ctx.add(target, "birthDate", _date(ctx, birth, "DATE_OF_BIRTH"))
        ctx.add(
            target,
            "birthPlace",
            join_parts(xml_text(alias, "CITY_OF_BIRTH"), xml_text(alias, "COUNTRY_OF_BIRTH")),
        )
        ctx.add(target, "birthCountry", xml_text(alias, "COUNTRY_OF_BIRTH"))
    note = xml_text(alias, "NOTE")
    if note:
        ctx.add(target, "notes", f"{name}: {note}", field="NOTE")


def _address(ctx: Context, target: EntityProxy, ref: str, node: etree._Element) -> None:
    street, city, region, postal, country, note = (
        xml_text(node, t)
        for t in ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY", "NOTE")
    )
    ctx.add(target, "country", country)
    full = join_parts(street, city, region, postal, country)
    if not (street or city or region or postal):
        return  # only a country: already on the target
    address = ctx.make("Address", ref, "address", full)
    ctx.add(address, "full", full, field="ADDRESS")
    ctx.add(address, "street", street, field="STREET")
    ctx.add(address, "city", city, field="CITY")
    ctx.add(address, "region", region, field="STATE_PROVINCE")
    ctx.add(address, "postalCode", postal, field="ZIP_CODE")
    ctx.add(address, "country", country)
    ctx.add(address, "remarks", note, field="NOTE")
    ctx.emit_address(target, address, full)


def _birth_date(ctx: Context, target: EntityProxy, node: etree._Element) -> None:
    ctx.add(target, "birthDate", _date(ctx, xml_text(node, "DATE"), "DATE"))
    ctx.add(target, "birthDate", _date(ctx, xml_text(node, "YEAR"), "YEAR"))
    start, end = xml_text(node, "FROM_YEAR"), xml_text(node, "TO_YEAR")
    if start and end:
        ctx.add(target, "birthDate", _years(ctx, start, end, field="FROM_YEAR"))
    note = xml_text(node, "NOTE")
    if note:
        ctx.add(target, "notes", f"Date of birth: {note}", field="NOTE")


def _document(ctx: Context, target: EntityProxy, ref: str, node: etree._Element) -> None:
    number = xml_text(node, "NUMBER")
    kind = join_parts(xml_text(node, "TYPE_OF_DOCUMENT"), xml_text(node, "TYPE_OF_DOCUMENT2"))
    note = join_parts(xml_text(node, "NOTE"), xml_text(node, "CITY_OF_ISSUE"))
    if number is None:
        if kind or note:
            ctx.add(
                target, "notes", f"Document: {join_parts(kind, note)}", field="INDIVIDUAL_DOCUMENT"
            )
        return
    is_passport = kind is not None and "pas" in kind.lower()  # passport, passeport, pasaporte
    document = ctx.make(
        "Passport" if is_passport else "Identification", ref, "document", kind, number
    )
    document.add("holder", target.id)
    ctx.add(document, "number", number, field="NUMBER")
    ctx.add(document, "type", kind, field="TYPE_OF_DOCUMENT")
    ctx.add(
        document, "country", [xml_text(node, "ISSUING_COUNTRY"), xml_text(node, "COUNTRY_OF_ISSUE")]
    )
    ctx.add(document, "startDate", parse_date(xml_text(node, "DATE_OF_ISSUE")))
    ctx.add(document, "summary", note, field="NOTE")
    ctx.add(target, "passportNumber" if is_passport else "idNumber", number, field="NUMBER")
    ctx.emit(document)


FORMAT = SourceFormat(
    name="un_sc_xml",
    dataset=DATASET,
    title="UN Security Council Consolidated List (XML)",
    sniff=sniff,
    parse=parse,
)
