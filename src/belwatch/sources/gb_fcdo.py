"""UK FCDO "UK Sanctions List" XML (``Designations``, SanctionsListSchema 4.x).

One ``Designation`` per target, keyed by its UniqueID (the UK Sanctions List reference, e.g.
"BEL0047"): the Sanction's authority id. OFSIGroupID, where given, is the same target's key
on the OFSI Consolidated List (dataset ``gb_hmt_sanctions``) and is kept as ``recordId``.
"""

from __future__ import annotations

from datetime import date

from followthemoney import EntityProxy
from lxml import etree

from belwatch.sources.base import (
    Context,
    ParseResult,
    SourceFile,
    SourceFormat,
    name_key,
    parse_date,
    parse_xml,
    strip_namespaces,
    xml_root_name,
    xml_text,
    xml_values,
)
from belwatch.sources.uk_common import (
    COMPANY,
    UN_REF,
    countries,
    kinship,
    labelled_ids,
    mention,
    merge_duplicates,
    ownership,
    uk_date,
)

DATASET = "gb_fcdo_sanctions"
SCHEMATA = {"individual": "Person", "entity": "Organization", "ship": "Vessel"}
NAME_PROPS = {"primary name": "name", "previous name": "previousName", "fka": "previousName"}
ADDRESS_LINES = tuple(f"AddressLine{i}" for i in range(1, 7))
MENTIONED = "mentioned in OtherInformation"  # the role of an UnknownLink to a cited target


def sniff(data: bytes) -> bool:
    head = data[:65536]
    return xml_root_name(head) == "Designations" and b"<Designation" in head


def _schema(designation: etree._Element) -> str | None:
    schema = SCHEMATA.get((xml_text(designation, "IndividualEntityShip") or "").lower())
    kinds = xml_values(designation, "EntityDetails/Entity/TypeOfEntities/TypeOfEntity")
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
            uid = xml_text(designation, "UniqueID")
            if uid is None:
                continue
            self.schema[uid] = _schema(designation) or ""
            if ref := xml_text(designation, "UNReferenceNumber"):
                self.un[ref] = uid
            for name in designation.iterfind("Names/Name"):
                full = " ".join(t for i in range(1, 7) if (t := xml_text(name, f"Name{i}")))
                self.names.setdefault(name_key(full), uid)


def parse(file: SourceFile, lenient: bool = False) -> ParseResult:
    ctx = Context(DATASET, file, FORMAT.name)
    root = strip_namespaces(parse_xml(file.data, file.name))
    if root.tag != "Designations":
        raise ctx.error(f"root element is <{root.tag}>, not <Designations>")
    designations = root.findall("Designation")
    index = _Index(designations)
    for number, designation in enumerate(designations, start=1):
        uid = xml_text(designation, "UniqueID")
        with ctx.entry(uid or f"Designation #{number} (line {designation.sourceline})", lenient):
            if uid is None:
                raise ctx.error("designation without a UniqueID", field="UniqueID")
            _designation(ctx, uid, designation, index)
    merge_duplicates(ctx)
    generated = uk_date(xml_text(root, "DateGenerated")) or parse_date(root.get("dateGenerated"))
    published = date.fromisoformat(generated) if generated and len(generated) == 10 else None
    return ctx.result(published=published)


def _designation(ctx: Context, uid: str, designation: etree._Element, index: _Index) -> None:
    schema = _schema(designation)
    if schema is None:
        kind = xml_text(designation, "IndividualEntityShip")
        raise ctx.error(f"unknown designation type {kind!r}", field="IndividualEntityShip")
    entity = ctx.make(schema, uid)
    for name in designation.iterfind("Names/Name"):
        _name(ctx, entity, name)
    ctx.add(
        entity, "alias", xml_values(designation, "NonLatinNames/NonLatinName/NameNonLatinScript")
    )
    if not entity.has("name"):
        ctx.add(entity, "name", entity.get("alias")[:1])
    if not entity.has("name"):
        raise ctx.error("designation without a name", field="Names")
    if xml_text(designation, "RegimeName") is None:
        raise ctx.error("designation without a regime", field="RegimeName")
    notes = [xml_text(designation, "OtherInformation")]
    if entity.schema.is_a("Person"):
        ctx.add(entity, "title", xml_values(designation, "Titles/Title"))
    if entity.schema.is_a("LegalEntity"):
        ctx.add(entity, "phone", xml_values(designation, "PhoneNumbers/PhoneNumber"))
        ctx.add(entity, "email", xml_values(designation, "EmailAddresses/EmailAddress"))
        ctx.add(entity, "website", xml_values(designation, "Websites/Website"))
    for address in designation.iterfind("Addresses/Address"):
        _address(ctx, entity, uid, address)
    for individual in designation.iterfind("IndividualDetails/Individual"):
        _individual(ctx, entity, uid, individual)
    for details in designation.iterfind("EntityDetails/Entity"):
        ctx.add(entity, "legalForm", xml_values(details, "TypeOfEntities/TypeOfEntity"))
        for reg in xml_values(details, "BusinessRegistrationNumbers/BusinessRegistrationNumber"):
            labelled_ids(ctx, entity, reg)
        for path, owns, role in (
            ("ParentCompanies/ParentCompany", False, "parent company"),
            ("Subsidiaries/Subsidiary", True, "subsidiary"),
        ):
            notes += _owners(ctx, uid, xml_values(details, path), owns, role, index)
    for ship in designation.iterfind("ShipDetails/Ship"):
        ctx.add(entity, "imoNumber", xml_values(ship, "IMONumbers/IMONumber"))
        ctx.add(entity, "flag", countries(xml_values(ship, ".//CurrentBelievedFlagOfShip")))
        ctx.add(entity, "pastFlags", countries(xml_values(ship, "PreviousFlags/PreviousFlag")))
        ctx.add(entity, "type", xml_values(ship, "TypeOfShipDetails/TypeOfShip"))
        ctx.add(entity, "tonnage", xml_values(ship, "TonnageOfShipDetails/TonnageOfShip"))
        ctx.add(entity, "buildDate", xml_values(ship, "YearsBuilt/YearBuilt"))
        notes += [f"Length of ship: {v}" for v in xml_values(ship, ".//LengthOfShip")]
        notes += [
            f"Previous owner/operator: {v}" for v in xml_values(ship, ".//PreviousOwnerOperator")
        ]
        owners = xml_values(ship, "CurrentOwnerOperators/CurrentOwnerOperator")
        notes += _owners(ctx, uid, owners, False, "current owner/operator", index)
    ctx.add(entity, "notes", "\n".join(n for n in notes if n), field="OtherInformation")
    ctx.emit(entity)

    sanction = ctx.sanction(
        entity,
        program=xml_text(designation, "RegimeName"),
        listing_date=uk_date(xml_text(designation, "DateDesignated")),
        reason=xml_text(designation, "UKStatementofReasons"),
        authority_id=uid,
    )
    ctx.add(sanction, "unscId", xml_text(designation, "UNReferenceNumber"))
    ctx.add(sanction, "recordId", xml_text(designation, "OFSIGroupID"))
    ctx.add(sanction, "modifiedAt", uk_date(xml_text(designation, "LastUpdated")))
    imposed = xml_text(designation, "SanctionsImposed") or ""
    ctx.add(sanction, "provisions", [p.strip() for p in imposed.split("|")])
    source = xml_text(designation, "DesignationSource")
    ctx.add(sanction, "description", source and f"Designation source: {source}")
    ctx.emit(sanction)
    _mentions(ctx, entity, uid, xml_text(designation, "OtherInformation") or "", index)


def _name(ctx: Context, entity: EntityProxy, name: etree._Element) -> None:
    parts = [xml_text(name, f"Name{i}") for i in range(1, 6)]
    last = xml_text(name, "Name6")
    full = " ".join(p for p in [*parts, last] if p)
    kind = (xml_text(name, "NameType") or "").lower()
    prop = NAME_PROPS.get(kind, "alias")
    if prop == "alias" and (xml_text(name, "AliasStrength") or "").lower().startswith("low"):
        prop = "weakAlias"
    ctx.add(entity, prop, full, field="Names/Name")
    if prop == "name" and entity.schema.is_a("Person"):
        ctx.add(entity, "firstName", parts[0])
        ctx.add(entity, "middleName", parts[1:])
        ctx.add(entity, "lastName", last)


def _address(ctx: Context, entity: EntityProxy, uid: str, node: etree._Element) -> None:
    lines = [xml_text(node, tag) for tag in ADDRESS_LINES]
    postcode, country = xml_text(node, "AddressPostalCode"), xml_text(node, "AddressCountry")
    ctx.add(entity, "country", countries(country))
    if not any(lines) and not postcode:
        return  # only a country: already on the target
    full = ", ".join(p for p in [*lines, postcode, country] if p)
    address = ctx.make("Address", uid, "address", full)
    ctx.add(address, "full", full, field="Addresses/Address")
    ctx.add(address, "street", lines[0], field="AddressLine1")
    ctx.add(address, "postalCode", postcode, field="AddressPostalCode")
    ctx.add(address, "country", countries(country))
    ctx.emit_address(entity, address, full)


def _individual(ctx: Context, entity: EntityProxy, uid: str, node: etree._Element) -> None:
    for dob in xml_values(node, "DOBs/DOB"):
        birth = uk_date(dob)
        ctx.add(entity, "birthDate" if birth else "notes", birth or f"DOB: {dob}")
    ctx.add(entity, "gender", [g.lower() for g in xml_values(node, "Genders/Gender")])
    ctx.add(entity, "nationality", countries(xml_values(node, "Nationalities/Nationality")))
    ctx.add(entity, "position", xml_values(node, "Positions/Position"))
    for location in node.iterfind("BirthDetails/Location"):
        town, country = xml_text(location, "TownOfBirth"), xml_text(location, "CountryOfBirth")
        ctx.add(entity, "birthPlace", ", ".join(p for p in (town, country) if p))
        ctx.add(entity, "birthCountry", countries(country))
    for schema, path, prop in (
        ("Passport", "PassportDetails/Passport", "passportNumber"),
        ("Identification", "NationalIdentifierDetails/NationalIdentifier", "idNumber"),
    ):
        tag = "Passport" if schema == "Passport" else "NationalIdentifier"
        for document in node.iterfind(path):
            number = xml_text(document, f"{tag}Number")
            about = xml_text(document, f"{tag}AdditionalInformation")
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
        ctx.emit(ownership(ctx, ctx.make, index.schema, owner, asset, role))
    return notes


def _mentions(ctx: Context, entity: EntityProxy, uid: str, remarks: str, index: _Index) -> None:
    """Designations the remarks cite by UN reference: "cousin of ... (QDi.277)"."""
    for match in UN_REF.finditer(remarks):
        other = index.un.get(match.group(0))
        if other is None or other == uid:
            continue
        kin = kinship(remarks, match.start())
        ctx.emit(
            mention(ctx, ctx.make, entity, uid, other, index.schema.get(other), kin, MENTIONED)
        )


FORMAT = SourceFormat(
    name="gb_fcdo_xml",
    dataset=DATASET,
    title="UK FCDO Sanctions List (XML)",
    sniff=sniff,
    parse=parse,
)
