"""UK FCDO "UK Sanctions List" XML (``Designations``, SanctionsListSchema 4.x).

One ``Designation`` per target, keyed by its UniqueID (the UK Sanctions List reference, e.g.
"BEL0047"): the Sanction's authority id. OFSIGroupID, where given, is the same target's key
on the OFSI Consolidated List (dataset ``gb_hmt_sanctions``) and is kept as ``recordId``.
"""

from __future__ import annotations

from datetime import date

from followthemoney import EntityProxy
from lxml import etree

from belwatch.exc import SourceError
from belwatch.sources.base import (
    Context,
    ParseResult,
    SourceFile,
    SourceFormat,
    make_id,
    parse_date,
    parse_xml,
    strip_namespaces,
    xml_root_name,
)
from belwatch.sources.gb_ofsi import (
    COMPANY,
    KINSHIP,
    UN_REF,
    countries,
    labelled_ids,
    merge_duplicates,
    name_key,
    uk_date,
)

DATASET = "gb_fcdo_sanctions"
SCHEMATA = {"individual": "Person", "entity": "Organization", "ship": "Vessel"}
NAME_PROPS = {"primary name": "name", "previous name": "previousName", "fka": "previousName"}
ADDRESS_LINES = tuple(f"AddressLine{i}" for i in range(1, 7))


def sniff(data: bytes) -> bool:
    head = data[:65536]
    return xml_root_name(head) == "Designations" and b"<Designation" in head


def _text(element: etree._Element | None, path: str | None = None) -> str | None:
    if element is not None and path is not None:
        element = element.find(path)
    if element is None or element.text is None:
        return None
    return " ".join(element.text.split()) or None


def _values(element: etree._Element, path: str) -> list[str]:
    return [text for node in element.iterfind(path) if (text := _text(node))]


def _schema(designation: etree._Element) -> str | None:
    schema = SCHEMATA.get((_text(designation, "IndividualEntityShip") or "").lower())
    kinds = _values(designation, "EntityDetails/Entity/TypeOfEntities/TypeOfEntity")
    if schema == "Organization" and (
        any(COMPANY.search(kind) for kind in kinds)
        or designation.find("EntityDetails/Entity/ParentCompanies/ParentCompany") is not None
        or designation.find(".//BusinessRegistrationNumber") is not None
    ):
        return "Company"  # only an Asset can be owned
    return schema


class _Index:
    """The file's designations by UniqueID, UN reference and name, to link to."""

    def __init__(self, designations: list[etree._Element]) -> None:
        self.schema: dict[str, str] = {}
        self.un: dict[str, str] = {}
        self.names: dict[str, str] = {}
        for designation in designations:
            uid = _text(designation, "UniqueID")
            if uid is None:
                continue
            self.schema[uid] = _schema(designation) or ""
            if ref := _text(designation, "UNReferenceNumber"):
                self.un[ref] = uid
            for name in designation.iterfind("Names/Name"):
                full = " ".join(t for i in range(1, 7) if (t := _text(name, f"Name{i}")))
                self.names.setdefault(name_key(full), uid)


def parse(file: SourceFile, lenient: bool = False) -> ParseResult:
    ctx = Context(DATASET, file, FORMAT.name)
    root = strip_namespaces(parse_xml(file.data, file.name))
    if root.tag != "Designations":
        raise ctx.error(f"root element is <{root.tag}>, not <Designations>")
    designations = root.findall("Designation")
    index = _Index(designations)
    for number, designation in enumerate(designations, start=1):
        uid = _text(designation, "UniqueID")
        ctx.record = uid or f"Designation #{number} (line {designation.sourceline})"
        mark = len(ctx.entities)
        try:
            if uid is None:
                raise ctx.error("designation without a UniqueID", field="UniqueID")
            _designation(ctx, uid, designation, index)
        except SourceError as error:
            if not lenient:
                raise
            del ctx.entities[mark:]
            ctx.warn(f"skipped: {error}")
            continue
        ctx.records += 1
    ctx.record = None
    merge_duplicates(ctx)
    generated = uk_date(_text(root, "DateGenerated")) or parse_date(root.get("dateGenerated"))
    published = date.fromisoformat(generated) if generated and len(generated) == 10 else None
    return ctx.result(published=published)


def _designation(ctx: Context, uid: str, designation: etree._Element, index: _Index) -> None:
    schema = _schema(designation)
    if schema is None:
        kind = _text(designation, "IndividualEntityShip")
        raise ctx.error(f"unknown designation type {kind!r}", field="IndividualEntityShip")
    entity = ctx.make(schema, uid)
    for name in designation.iterfind("Names/Name"):
        _name(ctx, entity, name)
    ctx.add(entity, "alias", _values(designation, "NonLatinNames/NonLatinName/NameNonLatinScript"))
    if not entity.has("name"):
        ctx.add(entity, "name", entity.get("alias")[:1])
    if not entity.has("name"):
        raise ctx.error("designation without a name", field="Names")
    if _text(designation, "RegimeName") is None:
        raise ctx.error("designation without a regime", field="RegimeName")
    notes = [_text(designation, "OtherInformation")]
    if entity.schema.is_a("Person"):
        ctx.add(entity, "title", _values(designation, "Titles/Title"))
    if entity.schema.is_a("LegalEntity"):
        ctx.add(entity, "phone", _values(designation, "PhoneNumbers/PhoneNumber"))
        ctx.add(entity, "email", _values(designation, "EmailAddresses/EmailAddress"))
        ctx.add(entity, "website", _values(designation, "Websites/Website"))
    for address in designation.iterfind("Addresses/Address"):
        _address(ctx, entity, uid, address)
    for individual in designation.iterfind("IndividualDetails/Individual"):
        _individual(ctx, entity, uid, individual)
    for details in designation.iterfind("EntityDetails/Entity"):
        ctx.add(entity, "legalForm", _values(details, "TypeOfEntities/TypeOfEntity"))
        for reg in _values(details, "BusinessRegistrationNumbers/BusinessRegistrationNumber"):
            labelled_ids(ctx, entity, reg)
        for path, owns, role in (
            ("ParentCompanies/ParentCompany", False, "parent company"),
            ("Subsidiaries/Subsidiary", True, "subsidiary"),
        ):
            notes += _owners(ctx, uid, _values(details, path), owns, role, index)
    for ship in designation.iterfind("ShipDetails/Ship"):
        ctx.add(entity, "imoNumber", _values(ship, "IMONumbers/IMONumber"))
        ctx.add(entity, "flag", countries(_values(ship, ".//CurrentBelievedFlagOfShip")))
        ctx.add(entity, "pastFlags", countries(_values(ship, "PreviousFlags/PreviousFlag")))
        ctx.add(entity, "type", _values(ship, "TypeOfShipDetails/TypeOfShip"))
        ctx.add(entity, "tonnage", _values(ship, "TonnageOfShipDetails/TonnageOfShip"))
        ctx.add(entity, "buildDate", _values(ship, "YearsBuilt/YearBuilt"))
        notes += [f"Length of ship: {v}" for v in _values(ship, ".//LengthOfShip")]
        notes += [
            f"Previous owner/operator: {v}" for v in _values(ship, ".//PreviousOwnerOperator")
        ]
        owners = _values(ship, "CurrentOwnerOperators/CurrentOwnerOperator")
        notes += _owners(ctx, uid, owners, False, "current owner/operator", index)
    ctx.add(entity, "notes", "\n".join(n for n in notes if n), field="OtherInformation")
    ctx.emit(entity)

    sanction = ctx.sanction(
        entity,
        program=_text(designation, "RegimeName"),
        listing_date=uk_date(_text(designation, "DateDesignated")),
        reason=_text(designation, "UKStatementofReasons"),
        authority_id=uid,
    )
    ctx.add(sanction, "unscId", _text(designation, "UNReferenceNumber"))
    ctx.add(sanction, "recordId", _text(designation, "OFSIGroupID"))
    ctx.add(sanction, "modifiedAt", uk_date(_text(designation, "LastUpdated")))
    imposed = _text(designation, "SanctionsImposed") or ""
    ctx.add(sanction, "provisions", [p.strip() for p in imposed.split("|")])
    source = _text(designation, "DesignationSource")
    ctx.add(sanction, "description", source and f"Designation source: {source}")
    ctx.emit(sanction)
    _mentions(ctx, entity, uid, _text(designation, "OtherInformation") or "", index)


def _name(ctx: Context, entity: EntityProxy, name: etree._Element) -> None:
    parts = [_text(name, f"Name{i}") for i in range(1, 6)]
    last = _text(name, "Name6")
    full = " ".join(p for p in [*parts, last] if p)
    kind = (_text(name, "NameType") or "").lower()
    prop = NAME_PROPS.get(kind, "alias")
    if prop == "alias" and (_text(name, "AliasStrength") or "").lower().startswith("low"):
        prop = "weakAlias"
    ctx.add(entity, prop, full, field="Names/Name")
    if prop == "name" and entity.schema.is_a("Person"):
        ctx.add(entity, "firstName", parts[0])
        ctx.add(entity, "middleName", parts[1:])
        ctx.add(entity, "lastName", last)


def _address(ctx: Context, entity: EntityProxy, uid: str, node: etree._Element) -> None:
    lines = [_text(node, tag) for tag in ADDRESS_LINES]
    postcode, country = _text(node, "AddressPostalCode"), _text(node, "AddressCountry")
    ctx.add(entity, "country", countries(country))
    if not any(lines) and not postcode:
        return  # only a country: already on the target
    full = ", ".join(p for p in [*lines, postcode, country] if p)
    address = ctx.make("Address", uid, "address", full)
    ctx.add(address, "full", full, field="Addresses/Address")
    ctx.add(address, "street", lines[0], field="AddressLine1")
    ctx.add(address, "postalCode", postcode, field="AddressPostalCode")
    ctx.add(address, "country", countries(country))
    ctx.add(entity, "address", full)
    entity.add("addressEntity", address.id)
    ctx.emit(address)


def _individual(ctx: Context, entity: EntityProxy, uid: str, node: etree._Element) -> None:
    for dob in _values(node, "DOBs/DOB"):
        birth = uk_date(dob)
        ctx.add(entity, "birthDate" if birth else "notes", birth or f"DOB: {dob}")
    ctx.add(entity, "gender", [g.lower() for g in _values(node, "Genders/Gender")])
    ctx.add(entity, "nationality", countries(_values(node, "Nationalities/Nationality")))
    ctx.add(entity, "position", _values(node, "Positions/Position"))
    for location in node.iterfind("BirthDetails/Location"):
        town, country = _text(location, "TownOfBirth"), _text(location, "CountryOfBirth")
        ctx.add(entity, "birthPlace", ", ".join(p for p in (town, country) if p))
        ctx.add(entity, "birthCountry", countries(country))
    for schema, path, prop in (
        ("Passport", "PassportDetails/Passport", "passportNumber"),
        ("Identification", "NationalIdentifierDetails/NationalIdentifier", "idNumber"),
    ):
        tag = "Passport" if schema == "Passport" else "NationalIdentifier"
        for document in node.iterfind(path):
            number = _text(document, f"{tag}Number")
            about = _text(document, f"{tag}AdditionalInformation")
            if number is None:
                ctx.add(entity, "notes", about)
                continue
            ctx.add(entity, prop, number, field=f"{tag}Number")
            made = ctx.make(schema, uid, schema, number)
            made.add("holder", entity.id)
            ctx.add(made, "number", number, field=f"{tag}Number")
            ctx.add(made, "type", "Passport" if schema == "Passport" else "National identifier")
            ctx.add(made, "description", about, field=f"{tag}AdditionalInformation")
            ctx.emit(made)


def _owners(
    ctx: Context, uid: str, names: list[str], owns: bool, role: str, index: _Index
) -> list[str]:
    """Link to the parties that are designations in the same file; return the others as notes."""
    notes = []
    for name in names:
        other = index.names.get(name_key(name))
        if other is None or other == uid:
            notes.append(f"{role.capitalize()}: {name}")
            continue
        owner, asset = (uid, other) if owns else (other, uid)
        if index.schema.get(asset) in ("Company", "Vessel") and index.schema[owner] != "Vessel":
            link = ctx.make("Ownership", "owns", owner, asset)
            link.add("owner", make_id(ctx.dataset, owner))
            link.add("asset", make_id(ctx.dataset, asset))
        else:
            link = ctx.make("UnknownLink", "owns", owner, asset)
            link.add("subject", make_id(ctx.dataset, owner))
            link.add("object", make_id(ctx.dataset, asset))
        ctx.add(link, "role", role)
        ctx.emit(link)
    return notes


def _mentions(ctx: Context, entity: EntityProxy, uid: str, remarks: str, index: _Index) -> None:
    """Designations the remarks cite by UN reference: "cousin of ... (QDi.277)"."""
    for match in UN_REF.finditer(remarks):
        other = index.un.get(match.group(0))
        if other is None or other == uid:
            continue
        before = remarks[max(0, match.start() - 120) : match.start()].rstrip(" (")
        kin = KINSHIP.search(before.rsplit(".", 1)[-1])
        if kin and entity.schema.is_a("Person") and index.schema.get(other) == "Person":
            link = ctx.make("Family", uid, "family", other)
            link.add("person", entity.id)
            link.add("relative", make_id(ctx.dataset, other))
            ctx.add(link, "relationship", kin.group(1).lower())
        else:
            link = ctx.make("UnknownLink", uid, "mentions", other)
            link.add("subject", entity.id)
            link.add("object", make_id(ctx.dataset, other))
            ctx.add(link, "role", "mentioned in OtherInformation")
        ctx.emit(link)


FORMAT = SourceFormat(
    name="gb_fcdo_xml",
    dataset=DATASET,
    title="UK FCDO Sanctions List (XML)",
    sniff=sniff,
    parse=parse,
)
