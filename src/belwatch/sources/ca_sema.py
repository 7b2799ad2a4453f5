"""Canada's Consolidated Autonomous Sanctions List (SEMA and JVCFOR), ``sema-lmes.xml``.

A flat ``data-set`` of ``record`` elements. A record has no id of its own: it is keyed by
the regulation it sits under (``Country``, e.g. "Belarus / Bélarus") and its Schedule and
Item numbers there. Two layouts exist: up to 2020 ``Entity``/``DateOfBirth``/``Title``,
since then ``EntityOrShip``/``DateOfBirthOrShipBuildDate``/``TitleOrShip``/``ShipIMONumber``.
"""

from __future__ import annotations

import re

from followthemoney import EntityProxy
from lxml import etree

from belwatch.sources.base import (
    Context,
    ParseResult,
    SourceFile,
    SourceFormat,
    parse_date,
    parse_xml,
    xml_root_name,
)

DATASET = "ca_dfatd_sema_sanctions"
# Regulations whose title does not follow "Special Economic Measures (<Country>) Regulations".
REGULATION_NAMES = {"Myanmar (Burma)": "Burma", "China": "People's Republic of China"}
# Aliases are free text: "A, B; C", with language labels ("Belarusian: ...").
ALIAS_SPLIT = re.compile(r"[;,\n]")
ALIAS_LABEL = re.compile(r"^\s*(Belarus+ian|Russian|Arabic|Ukrainian|Hebrew)\s*:\s*", re.IGNORECASE)
# A legal form after a comma belongs to the name before it ("NGO "Izhbs", LLC").
LEGAL_FORM = re.compile(
    r"(LLC|JSC|OJSC|PJSC|CJSC|Ltd\.?|Limited|Inc\.?|АО|ООО|ОАО|ПАО|ЗАО)", re.IGNORECASE
)
DATE_OR = re.compile(r"\s+or\s+", re.IGNORECASE)
YEAR_RANGE = re.compile(r"(\d{4})-(\d{4})")


def sniff(data: bytes) -> bool:
    head = data[:8192]
    return xml_root_name(head) == "data-set" and b"<record>" in head and b"<Country>" in head


def _text(record: etree._Element, *tags: str) -> str | None:
    """The first non-empty of ``tags``, whitespace collapsed (the list pads with NBSPs)."""
    for tag in tags:
        value = " ".join((record.findtext(tag) or "").split())
        if value:
            return value
    return None


def program_name(country: str) -> str:
    """The regulation a record is listed under, from its (bilingual) Country field."""
    english = country.split(" / ")[0].strip()
    if "Regulations" in english:
        return english  # JVCFOR names its regulation itself
    return f"Special Economic Measures ({REGULATION_NAMES.get(english, english)}) Regulations"


def split_aliases(text: str) -> list[str]:
    aliases: list[str] = []
    for part in ALIAS_SPLIT.split(text):
        part = " ".join(ALIAS_LABEL.sub("", part).split())
        if not part:
            continue
        if aliases and LEGAL_FORM.fullmatch(part):
            aliases[-1] = f"{aliases[-1]}, {part}"
        else:
            aliases.append(part)
    return aliases


def parse(file: SourceFile, lenient: bool = False) -> ParseResult:
    ctx = Context(DATASET, file, FORMAT.name)
    root = parse_xml(file.data, file.name)
    if root.tag != "data-set":
        raise ctx.error(f"root element is <{root.tag}>, not <data-set>")
    seen: set[tuple[str | None, ...]] = set()
    for index, record in enumerate(root.iterfind("record"), start=1):
        key = (_text(record, "Country"), _text(record, "Schedule"), _text(record, "Item"))
        label = f"#{index} ({' / '.join(k or '-' for k in key)}, line {record.sourceline})"
        with ctx.entry(label, lenient):
            if key in seen:
                raise ctx.error(
                    "a second record with the same Country, Schedule and Item", field="Item"
                )
            seen.add(key)
            _record(ctx, record, key)
    return ctx.result()


def _record(ctx: Context, record: etree._Element, key: tuple[str | None, ...]) -> None:
    country, schedule, item = key
    if country is None:
        raise ctx.error("record without a Country (regulation)", field="Country")
    if item is None:
        raise ctx.error("record without an Item number", field="Item")
    organisation = _text(record, "EntityOrShip", "Entity")
    given, family = _text(record, "GivenName"), _text(record, "LastName")
    imo = _text(record, "ShipIMONumber")
    kind = _text(record, "TitleOrShip", "Title")
    if imo:
        target = ctx.make("Vessel", *key)
        ctx.add(target, "name", organisation, field="EntityOrShip")
        ctx.add(target, "imoNumber", imo, field="ShipIMONumber")
        ctx.add(target, "type", kind, field="TitleOrShip")
    elif organisation:
        target = ctx.make("Organization", *key)
        ctx.add(target, "name", organisation, field="EntityOrShip")
    elif given or family:
        target = ctx.make("Person", *key)
        ctx.add(target, "name", " ".join(n for n in (given, family) if n), field="LastName")
        ctx.add(target, "firstName", given, field="GivenName")
        ctx.add(target, "lastName", family, field="LastName")
        ctx.add(target, "title", kind, field="TitleOrShip")
    else:
        raise ctx.error("record without a name", field="LastName")
    aliases = _text(record, "Aliases")
    if aliases:
        ctx.add(target, "alias", split_aliases(aliases), field="Aliases")
    _dates(ctx, target, _text(record, "DateOfBirthOrShipBuildDate", "DateOfBirth"))
    ctx.emit(target)

    listing_date = ctx.valid_date(_text(record, "DateOfListing"), "DateOfListing")
    reference = f"Schedule {schedule}, Item {item}" if schedule else f"Item {item}"
    sanction = ctx.sanction(
        target,
        program=program_name(country),
        listing_date=listing_date,
        authority_id=reference,
    )
    ctx.add(sanction, "programId", country)  # the list's own regime label, as printed
    ctx.add(sanction, "provisions", reference)
    ctx.emit(sanction)


def _dates(ctx: Context, target: EntityProxy, text: str | None) -> None:
    """Birth dates (or a vessel's build year): "1972", "1972-08-10 or 1972-08-11", "1963-1964"."""
    if text is None:
        return
    prop = "buildDate" if target.schema.is_a("Vessel") else "birthDate"
    if target.schema.name == "Organization":
        prop = "incorporationDate"
    dates: list[str] = []
    for part in DATE_OR.split(text):
        if span := YEAR_RANGE.fullmatch(part):
            dates.extend(span.groups())
        elif parsed := parse_date(part):
            dates.append(parsed)
        else:
            dates.clear()
            break
    if dates:
        ctx.add(target, prop, dates, field="DateOfBirthOrShipBuildDate")
    else:
        # "born in the early 1970s", "Sep-99": kept for a reader, not guessed at.
        ctx.add(
            target, "notes", f"Date of birth as listed: {text}", field="DateOfBirthOrShipBuildDate"
        )
        ctx.warn(f"{ctx.filename}: record {ctx.record}: date {text!r} is not a date; kept in notes")


FORMAT = SourceFormat(
    name="ca_sema_xml",
    dataset=DATASET,
    title="Canada Consolidated Autonomous Sanctions List (SEMA XML)",
    sniff=sniff,
    parse=parse,
)
