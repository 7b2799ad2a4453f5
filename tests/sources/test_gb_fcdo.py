"""UK FCDO "UK Sanctions List" XML: the real 5-designation excerpt (4 real, 1 synthetic
without a UniqueID) and small hand-written documents."""

from __future__ import annotations

from datetime import date

import pytest
from followthemoney import EntityProxy

from belwatch.exc import SourceError
from belwatch.sources import gb_fcdo, gb_ofsi
from belwatch.sources.base import ParseResult, SourceFile, make_id
from belwatch.sources.datasets import BELARUS_PROGRAM

from conftest import SOURCES, source_file

EXCERPT = "uk_fcdo/uk_excerpt_2026-08-14.xml"
DATASET = "gb_fcdo_sanctions"
BELARUS_REGIME = "The Republic of Belarus (Sanctions) (EU Exit) Regulations 2019"


@pytest.fixture(scope="module")
def excerpt() -> ParseResult:
    return gb_fcdo.parse(source_file(EXCERPT), lenient=True)


def target(result: ParseResult, uid: str) -> EntityProxy:
    wanted = make_id(DATASET, uid)
    return next(e for e in result.entities if e.id == wanted)


def sanction(result: ParseResult, entity: EntityProxy) -> EntityProxy:
    [found] = [
        e for e in result.entities if e.schema.name == "Sanction" and entity.id in e.get("entity")
    ]
    return found


def document(*designations: str, root: str = "Designations") -> SourceFile:
    body = "\n".join(designations)
    xml = f"<{root}><DateGenerated>01/09/2026</DateGenerated>{body}</{root}>"
    return SourceFile("hand.xml", xml.encode())


def designation(uid: str, name: str, kind: str = "Individual", extra: str = "") -> str:
    return (
        f"<Designation><UniqueID>{uid}</UniqueID><Names><Name><Name6>{name}</Name6>"
        f"<NameType>Primary Name</NameType></Name></Names><RegimeName>{BELARUS_REGIME}"
        f"</RegimeName><IndividualEntityShip>{kind}</IndividualEntityShip>"
        f"<DateDesignated>21/06/2021</DateDesignated>{extra}</Designation>"
    )


# --- the real excerpt ------------------------------------------------------------------


def test_synthetic_record_without_unique_id_is_refused() -> None:
    with pytest.raises(SourceError) as caught:
        gb_fcdo.parse(source_file(EXCERPT))
    error = caught.value
    assert error.file is not None and error.file.endswith("uk_excerpt_2026-08-14.xml")
    assert (error.record, error.field) == ("Designation #5 (line 353)", "UniqueID")
    assert "without a UniqueID" in str(error)


def test_lenient_keeps_the_four_real_designations(excerpt: ParseResult) -> None:
    assert excerpt.records == 4  # 5 Designations, the synthetic 5th skipped
    assert len(excerpt.warnings) == 1 and "Designation #5" in excerpt.warnings[0]
    assert excerpt.published == date(2026, 8, 14)  # <DateGenerated>14/08/2026
    assert not any("No Unique Id" in e.get("name", quiet=True) for e in excerpt.entities)
    assert len({e.id for e in excerpt.entities}) == len(excerpt.entities)
    belarus = [
        e
        for e in excerpt.entities
        if e.schema.name == "Sanction" and any(BELARUS_PROGRAM.search(p) for p in e.get("program"))
    ]
    assert belarus == []  # PROVENANCE: no Belarus records in the excerpt


def test_individual(excerpt: ParseResult) -> None:
    person = target(excerpt, "AFG0011")
    assert person.schema.name == "Person"
    assert person.get("name") == ["ABDUL LATIF MANSUR"]
    assert person.get("lastName") == ["MANSUR"]
    assert set(person.get("alias")) == {"Abdul Latif MANSOOR", "Wali MOHAMMAD", "عبد اللطيف منصور"}
    assert person.get("title") == ["Maulavi"]
    assert sorted(person.get("birthDate")) == ["1967-11-12", "1968"]  # "dd/mm/1968" is a year
    assert person.get("passportNumber") == ["D0009720", "D0010442"]  # " D0009720" trimmed
    assert person.get("nationality") == ["af"]
    assert "Zurmat District, Paktia Province, Afghanistan" in person.get("birthPlace")
    assert person.get("address") == ["Darul Aman, Kabul, Afghanistan"]
    passport = next(e for e in excerpt.entities if e.get("number", quiet=True) == ["D0010442"])
    assert passport.schema.name == "Passport" and passport.get("holder") == [person.id]
    assert "issued on 13 Nov. 2024" in passport.first("description")
    listed = sanction(excerpt, person)
    assert listed.get("program") == ["The Afghanistan (Sanctions) (EU Exit) Regulations 2020"]
    assert listed.get("listingDate") == ["2001-01-31"]
    assert listed.get("authorityId") == ["AFG0011"]
    assert listed.get("unscId") == ["TAi.007"]
    assert listed.get("recordId") == ["7270"]  # the OFSI Group ID
    assert listed.get("provisions") == ["Asset freeze", "Travel Ban"]
    assert listed.get("modifiedAt") == ["2026-04-29"]


def test_aliases_and_national_id(excerpt: ParseResult) -> None:
    person = target(excerpt, "AQD0128")
    assert person.get("name") == ["AKRAM TURKI HISHAN AL-MAZIDIH"]  # NameType "Primary name"
    assert set(person.get("weakAlias")) == {"Abu Akram", "Abu Jarrah"}  # "Low quality a.k.a"
    assert person.get("idNumber") == ["0075258"]  # leading zero kept
    # PROVENANCE: "dd/09/1958" and "1985" are probably hand-added to the excerpt.
    assert set(person.get("birthDate")) == {"1974", "1975", "1979", "1958-09", "1985"}
    assert set(person.get("country")) == {"iq", "sy"}
    identification = next(e for e in excerpt.entities if e.schema.name == "Identification")
    assert identification.get("description") == ["Ration card no."]


def test_entity_and_ship(excerpt: ParseResult) -> None:
    group = target(excerpt, "AQD0377")
    assert group.schema.name == "Organization"
    assert "Катиба ат-Таухид валь-Джихад" in group.get("alias")
    assert group.get("legalForm") == ["Terrorist Group"]
    ship = target(excerpt, "DPR0075")
    assert ship.schema.name == "Vessel"
    assert ship.get("name") == ["Petrel 8"]
    assert ship.get("imoNumber") == ["IMO9562233"]
    assert ship.get("flag") == ["km"] and ship.get("pastFlags") == ["in"]
    assert ship.get("buildDate") == ["2011"]
    assert "Current owner/operator: Global United Shipping India" in ship.first("notes")
    listed = sanction(excerpt, ship)
    assert listed.get("unscId") == [] and listed.get("recordId") == []
    assert listed.get("provisions") == ["Prohibition of port entry"]


def test_ids_are_deterministic(excerpt: ParseResult) -> None:
    again = gb_fcdo.parse(source_file(EXCERPT), lenient=True)
    assert [e.id for e in again.entities] == [e.id for e in excerpt.entities]
    assert target(excerpt, "AFG0011").id == make_id(DATASET, "AFG0011")


def test_sniff_accepts_exactly_its_files() -> None:
    accepted = {
        str(path.relative_to(SOURCES))
        for path in sorted(SOURCES.rglob("*"))
        if path.is_file() and gb_fcdo.sniff(path.read_bytes())
    }
    assert accepted == {EXCERPT}
    assert not gb_ofsi.sniff(source_file(EXCERPT).data)


# --- relationships, Belarus ----------------------------------------------------------


def test_relationships_within_the_file() -> None:
    son = designation(
        "BEL9001",
        "Ivan IVANOU",
        extra="<UNReferenceNumber>XXi.001</UNReferenceNumber>"
        "<OtherInformation>Son of Piotr IVANOU (XXi.002).</OtherInformation>",
    )
    father = designation(
        "BEL9002", "Piotr IVANOU", extra="<UNReferenceNumber>XXi.002</UNReferenceNumber>"
    )
    parent = designation("BEL9003", "TEST HOLDING", "Entity")
    company = designation(
        "BEL9004",
        "BELTESTPROM",
        "Entity",
        extra="<EntityDetails><Entity><ParentCompanies><ParentCompany>Test Holding"
        "</ParentCompany><ParentCompany>Unlisted Parent LLC</ParentCompany></ParentCompanies>"
        "</Entity></EntityDetails>",
    )
    result = gb_fcdo.parse(document(son, father, parent, company))
    assert result.records == 4
    assert result.published == date(2026, 9, 1)
    [family] = [e for e in result.entities if e.schema.name == "Family"]
    assert family.get("person") == [make_id(DATASET, "BEL9001")]
    assert family.get("relative") == [make_id(DATASET, "BEL9002")]
    assert family.get("relationship") == ["son"]
    [owns] = [e for e in result.entities if e.schema.name == "Ownership"]
    assert owns.get("owner") == [make_id(DATASET, "BEL9003")]
    assert owns.get("asset") == [make_id(DATASET, "BEL9004")]
    assert target(result, "BEL9004").schema.name == "Company"  # an asset: it has a parent
    assert "Parent company: Unlisted Parent LLC" in target(result, "BEL9004").get("notes")
    programs = [e.first("program") for e in result.entities if e.schema.name == "Sanction"]
    assert programs == [BELARUS_REGIME] * 4
    assert all(BELARUS_PROGRAM.search(p) for p in programs)


# --- damaged input ----------------------------------------------------------------------


def test_doctype_and_entities_are_refused() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><Designations>&a;</Designations>'
    with pytest.raises(SourceError, match="DOCTYPE or entity") as caught:
        gb_fcdo.parse(SourceFile("bomb.xml", bomb))
    assert caught.value.file == "bomb.xml"


def test_truncated_file() -> None:
    data = source_file(EXCERPT).data[:9000]
    with pytest.raises(SourceError, match="malformed XML") as caught:
        gb_fcdo.parse(SourceFile("cut.xml", data))
    assert caught.value.file == "cut.xml" and caught.value.record is not None


def test_wrong_root() -> None:
    with pytest.raises(SourceError, match="not <Designations>"):
        gb_fcdo.parse(document(designation("BEL9001", "X"), root="Other"))


def test_unknown_type_and_missing_name() -> None:
    plane = designation("BEL9005", "TEST PLANE", "Aircraft")
    nameless = (
        "<Designation><UniqueID>BEL9006</UniqueID>"
        "<IndividualEntityShip>Entity</IndividualEntityShip></Designation>"
    )
    with pytest.raises(SourceError) as caught:
        gb_fcdo.parse(document(plane))
    assert (caught.value.record, caught.value.field) == ("BEL9005", "IndividualEntityShip")
    with pytest.raises(SourceError, match="without a name") as caught:
        gb_fcdo.parse(document(nameless))
    assert caught.value.record == "BEL9006"
    result = gb_fcdo.parse(document(plane, nameless, designation("BEL9001", "X")), lenient=True)
    assert result.records == 1 and len(result.warnings) == 2


def test_oversized_field() -> None:
    big = designation(
        "BEL9007", "X", extra=f"<OtherInformation>{'x' * (1024 * 1024 + 1)}</OtherInformation>"
    )
    with pytest.raises(SourceError, match="exceeds the limit") as caught:
        gb_fcdo.parse(document(big))
    assert (caught.value.file, caught.value.record) == ("hand.xml", "BEL9007")
    assert caught.value.field == "OtherInformation"


def test_missing_regime() -> None:
    regimeless = designation("BEL9008", "X").replace(
        f"<RegimeName>{BELARUS_REGIME}</RegimeName>", ""
    )
    with pytest.raises(SourceError, match="without a regime") as caught:
        gb_fcdo.parse(document(regimeless))
    assert (caught.value.record, caught.value.field) == ("BEL9008", "RegimeName")
