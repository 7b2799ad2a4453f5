"""OFAC sdn.xml layout (``sdnList`` / ``sdnEntry``), in which OFAC publishes both the SDN
list and the consolidated non-SDN list; which one a file holds follows from its entries
(``ofac_programs``). The idList carries the same labelled facts as the legacy CSV's Remarks,
so both go through ``ofac_remarks``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime

from followthemoney import EntityProxy
from lxml import etree

from belwatch.exc import SourceError
from belwatch.sources.base import (
    Context,
    ParseResult,
    SourceFile,
    SourceFormat,
    make_id,
    parse_xml,
    strip_namespaces,
    xml_root_name,
)
from belwatch.sources.ofac_programs import SDN, decide_dataset, is_non_sdn
from belwatch.sources.ofac_remarks import Target, entity_schema

TYPES = ("individual", "entity", "vessel", "aircraft")


def sniff(data: bytes) -> bool:
    return xml_root_name(data) == "sdnList"


def _text(element: etree._Element, path: str) -> str | None:
    found = element.find(path)
    text = found.text.strip() if found is not None and found.text else ""
    return text or None


def _texts(element: etree._Element, path: str) -> list[str]:
    return [e.text.strip() for e in element.findall(path) if e.text and e.text.strip()]


def _printed_name(entry: etree._Element) -> str:
    """The name as the CSV and "Linked To" remarks print it: ``LAST, First``."""
    first, last = _text(entry, "firstName"), _text(entry, "lastName") or ""
    return f"{last}, {first}" if first else last


def parse(file: SourceFile, lenient: bool = False) -> ParseResult:
    root = strip_namespaces(parse_xml(file.data, file.name))
    if root.tag != "sdnList":
        raise SourceError(f"root element is <{root.tag}>, not <sdnList>", file=file.name)
    entries = root.findall("sdnEntry")
    dataset = decide_dataset(
        is_non_sdn(
            _texts(entry, "programList/program"),
            " ".join([_text(entry, "remarks") or "", *_texts(entry, "idList/id/idType")]),
        )
        for entry in entries
    )
    ctx = Context(dataset, file, FORMAT.name)
    published, declared = _publication(ctx, root, lenient)
    names: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        names[_printed_name(entry)].add(_text(entry, "uid") or "")

    def lookup(name: str) -> str | None:
        found = names.get(name) or names.get(f"{name}.") or set()
        return make_id(dataset, *found) if len(found) == 1 and "" not in found else None

    seen: set[str] = set()
    for index, entry in enumerate(entries, start=1):
        uid = _text(entry, "uid")
        label = f"uid {uid}" if uid else f"sdnEntry #{index} (line {entry.sourceline})"
        with ctx.entry(label, lenient, skipped="{error}; skipped"):
            for entity in _entry(ctx, entry, lookup, seen):
                ctx.emit(entity)
    if declared is not None and declared != ctx.records:
        ctx.warn(f"{file.name}: Record_Count says {declared} entries, the file has {ctx.records}")
    return ctx.result(published=published, declared=declared)


def _publication(
    ctx: Context, root: etree._Element, lenient: bool
) -> tuple[date | None, int | None]:
    ctx.record = "publshInformation"
    published: date | None = None
    declared: int | None = None
    text = _text(root, "publshInformation/Publish_Date")
    count = _text(root, "publshInformation/Record_Count")
    try:
        published = datetime.strptime(text, "%m/%d/%Y").date() if text else None
    except ValueError:
        error = ctx.error(f"Publish_Date {text!r} is not MM/DD/YYYY", field="Publish_Date")
        if not lenient:
            raise error from None
        ctx.warn(str(error))
    if count is not None:
        if not count.isdigit():
            error = ctx.error(f"Record_Count {count!r} is not a number", field="Record_Count")
            if not lenient:
                raise error
            ctx.warn(str(error))
        else:
            declared = int(count)
    return published, declared


def _entry(
    ctx: Context,
    entry: etree._Element,
    lookup: Callable[[str], str | None],
    seen: set[str],
) -> list[EntityProxy]:
    uid, kind = _text(entry, "uid"), (_text(entry, "sdnType") or "").lower()
    if uid is None or not uid.isdigit():
        raise ctx.error(f"uid {uid!r} is not a number", field="uid")
    if uid in seen:
        raise ctx.error("uid appears twice", field="uid")
    if not _text(entry, "lastName"):
        raise ctx.error("entry without a name", field="lastName")
    if kind not in TYPES:
        raise ctx.error(f"unknown sdnType {kind!r}", field="sdnType")
    programs = _texts(entry, "programList/program")
    if not programs:
        raise ctx.error("entry without a programme", field="programList")
    seen.add(uid)
    entity = ctx.make(entity_schema(kind, " ".join(_texts(entry, "idList/id/idType"))), uid)
    sanction = ctx.sanction(entity, program=programs, authority_id=uid)
    target = Target(ctx, entity, sanction, uid, lookup)
    _names(target, entry, "name")
    title = _text(entry, "title")
    target.put("position", title, f"Title: {title}")
    target.remarks(_text(entry, "remarks"))
    for item in entry.findall("idList/id"):
        _identifier(target, item)
    for aka in entry.findall("akaList/aka"):
        weak = (_text(aka, "category") or "").lower() == "weak"
        kind_of = (_text(aka, "type") or "").lower()
        _names(
            target, aka, "previousName" if kind_of == "f.k.a." else "weakAlias" if weak else "alias"
        )
    for address in entry.findall("addressList/address"):
        _address(ctx, target, address)
    for country in _texts(entry, "nationalityList/nationality/country"):
        target.put("nationality" if kind == "individual" else "country", country)
    for country in _texts(entry, "citizenshipList/citizenship/country"):
        target.put("citizenship", country, f"citizen {country}")
    for dob in _texts(entry, "dateOfBirthList/dateOfBirthItem/dateOfBirth"):
        target.date("birthDate", dob, f"DOB {dob}")
    for pob in _texts(entry, "placeOfBirthList/placeOfBirthItem/placeOfBirth"):
        target.put("birthPlace", pob, f"POB {pob}")
    _vessel(target, entry)
    return target.entities()


def _names(target: Target, element: etree._Element, prop: str) -> None:
    first, last = _text(element, "firstName"), _text(element, "lastName")
    if first and last and target.entity.schema.is_a("Person"):
        target.put(prop, f"{first} {last}")
        if prop == "name":
            target.put("firstName", first)
            target.put("lastName", last)
    else:  # weak aliases print a whole "LAST, First" as lastName
        target.name(", ".join(part for part in (last, first) if part), prop)


def _identifier(target: Target, item: etree._Element) -> None:
    """An idList item, read as the Remarks item the CSV prints for it."""
    label, number = _text(item, "idType") or "", _text(item, "idNumber") or ""
    country, issued, expires = (
        _text(item, tag) for tag in ("idCountry", "issueDate", "expirationDate")
    )
    text = f"{label} {number}".strip()
    text += f" ({country})" if country else ""
    text += f" issued {issued}" if issued else ""
    text += f" expires {expires}" if expires else ""
    if text:
        target.item(text)


def _address(ctx: Context, target: Target, element: etree._Element) -> None:
    street = ", ".join(
        _texts(element, "address1") + _texts(element, "address2") + _texts(element, "address3")
    )
    city, region, postal, country = (
        _text(element, tag) for tag in ("city", "stateOrProvince", "postalCode", "country")
    )
    full = ", ".join(part for part in (street, city, region, postal, country) if part)
    if not full:
        return
    address = ctx.make("Address", target.key, "address", _text(element, "uid") or full)
    ctx.add(address, "full", full)
    ctx.add(address, "street", street)
    ctx.add(address, "city", city)
    ctx.add(address, "region", region)
    ctx.add(address, "postalCode", postal)
    ctx.add(address, "country", country)
    target.address(address, full, country)


def _vessel(target: Target, entry: etree._Element) -> None:
    info = entry.find("vesselInfo")
    if info is None:
        return
    for tag, prop in (
        ("callSign", "callSign"),
        ("vesselType", "type"),
        ("vesselFlag", "flag"),
        ("tonnage", "tonnage"),
        ("grossRegisteredTonnage", "grossRegisteredTonnage"),
    ):
        value = _text(info, tag)
        target.put(prop, value, f"{tag}: {value}")
    owner = _text(info, "vesselOwner")
    if owner:
        target.link(owner, "Vessel owner")


FORMAT = SourceFormat(
    name="ofac_xml",
    dataset=SDN,
    title="OFAC sdn.xml (SDN or consolidated non-SDN list)",
    sniff=sniff,
    parse=parse,
)
