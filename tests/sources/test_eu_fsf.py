"""EU Financial Sanctions Files (XML v1.1): the real excerpt and a composed Belarus fixture."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from followthemoney import EntityProxy

from belwatch.exc import SourceError
from belwatch.sources import eu_fsf
from belwatch.sources.base import ParseResult, SourceFile
from belwatch.sources.datasets import BELARUS_PROGRAM

from conftest import SOURCES, source_file

EXCERPT = "eu_fsf/eu_fsf_excerpt_2026-08-05.xml"
FIXTURE = Path(__file__).parent / "fixtures" / "eu_fsf_belarus.xml"


@pytest.fixture(scope="module")
def excerpt() -> ParseResult:
    return eu_fsf.parse(source_file(EXCERPT))


@pytest.fixture(scope="module")
def belarus() -> ParseResult:
    return eu_fsf.parse(SourceFile(FIXTURE.name, FIXTURE.read_bytes()))


def listing(result: ParseResult, reference: str) -> tuple[EntityProxy, EntityProxy]:
    sanction = next(
        e
        for e in result.entities
        if e.schema.name == "Sanction" and reference in e.get("authorityId")
    )
    return next(e for e in result.entities if e.id == sanction.first("entity")), sanction


def linked(result: ParseResult, entity: EntityProxy, schema: str) -> list[EntityProxy]:
    ids = set(entity.get("addressEntity"))
    return [
        e
        for e in result.entities
        if e.schema.name == schema and (e.id in ids or entity.id in e.get("holder", quiet=True))
    ]


def test_excerpt_counts(excerpt: ParseResult) -> None:
    # PROVENANCE: 5 sanctionEntity (4 real, 1 synthetic), none under the Belarus regime.
    assert excerpt.records == 5
    assert excerpt.published == date(2026, 8, 5)
    sanctions = [e for e in excerpt.entities if e.schema.name == "Sanction"]
    assert len(sanctions) == 5
    assert [e.first("programId") for e in sanctions] == ["IRQ", "TERR", "TAQA", "TAQA", None]
    assert not any(BELARUS_PROGRAM.search(p) for e in sanctions for p in e.get("program"))


def test_excerpt_person(excerpt: ParseResult) -> None:
    person, sanction = listing(excerpt, "EU.27.28")
    assert person.get("name") == ["Saddam Hussein Al-Tikriti"]
    assert person.get("firstName") == ["Saddam"] and person.get("lastName") == [
        "Hussein Al-Tikriti"
    ]
    assert sorted(person.get("alias")) == ["Abou Ali", "Abu Ali"]
    assert person.get("gender") == ["male"]
    assert person.get("birthDate") == ["1937-04-28"]
    assert person.get("birthPlace") == ["al-Awja, near Tikrit, IRAQ"]
    assert person.get("citizenship") == ["iq"]
    assert person.get("notes") == ["UNSC RESOLUTION 1483"]
    assert sanction.get("program") == ["IRQ"]
    assert sanction.get("listingDate") == ["2003-07-08"]
    assert sanction.get("startDate") == ["2003-07-07"]
    assert sanction.get("provisions") == ["1210/2003 (OJ L169)"]


def test_excerpt_passport_and_name_choice(excerpt: ParseResult) -> None:
    person, sanction = listing(excerpt, "EU.3579.2")
    # The English alias split into first and last name is the name; the others are aliases.
    assert person.get("name") == ["Khalid Sheikh MOHAMMED"]
    assert len(person.get("alias")) == 6
    assert sorted(person.get("birthDate")) == ["1964-03-01", "1965-04-14"]
    assert person.get("birthCountry") == ["pk"]
    assert person.get("passportNumber") == ["488555"]
    (passport,) = linked(excerpt, person, "Passport")
    assert passport.get("number") == ["488555"] and passport.get("type") == ["National passport"]
    assert passport.get("country") == []  # "00", UNKNOWN
    # Only an amending act is named: no start date from it, the earliest act gives the listing.
    assert sanction.get("startDate") == []
    assert sanction.get("listingDate") == ["2005-11-30"]


def test_excerpt_organisation(excerpt: ParseResult) -> None:
    trust, sanction = listing(excerpt, "EU.522.39")
    assert trust.schema.name == "Organization"
    assert trust.get("name") == ["Al-Rasheed Trust"]
    assert "Организация за подпомагане на Ulema, Пакистан" in trust.get("alias")
    assert "Associated with Jaish-i-Mohammed." in trust.first(
        "notes"
    )  # a remark inside a nameAlias
    # Local numbers without an area code are no valid phone numbers: kept as notes.
    assert "Phone: 042-681 20 81" in trust.get("notes") and "Fax: 662 38 14" in trust.get("notes")
    assert len(linked(excerpt, trust, "Address")) == 11
    assert sanction.get("listingDate") == ["2001-10-06"]  # designationDate
    foundation, _ = listing(excerpt, "EU.589.30")
    (first, second) = linked(excerpt, foundation, "Address")
    assert {first.first("postalCode"), second.first("postalCode")} == {
        "PO Box 1406 - 60455",
        "60455",
    }


def test_excerpt_entity_without_name(excerpt: ParseResult) -> None:
    person, sanction = listing(excerpt, "EU.0.0")
    assert person.get("name") == ["EU.0.0"]
    assert sanction.get("authorityId") == ["EU.0.0"]
    assert excerpt.warnings == [
        f"{source_file(EXCERPT).name}: record EU.0.0: no nameAlias; named by its reference"
    ]


def test_belarus_person(belarus: ParseResult) -> None:
    assert belarus.records == 2
    assert belarus.published == date(2026, 9, 1)
    person, sanction = listing(belarus, "EU.9001.11")
    assert sanction.get("program") == ["Regulation (EC) No 765/2006 (Belarus)"]
    assert BELARUS_PROGRAM.search(sanction.first("program") or "")
    assert sanction.get("programId") == ["BLR"]
    assert sanction.get("listingDate") == ["2021-06-21"]
    assert sanction.get("modifiedAt") == ["2022-03-02"]
    assert person.get("name") == ["Ivan Piatrovich PRYKLADAU"]
    assert set(person.get("alias")) == {"Іван Пятровіч ПРЫКЛАДАЎ", "Иван Петрович ПРИКЛАДОВ"}
    assert person.get("weakAlias") == ["Vanya Prykladau"]
    assert set(person.get("lastName")) == {"PRYKLADAU", "ПРЫКЛАДАЎ", "ПРИКЛАДОВ"}
    assert person.get("position") == ["Head of the Department of Examples"]
    assert person.get("citizenship") == ["by"]
    assert sorted(person.get("birthDate")) == ["1970-01-15", "1971"]
    assert person.get("birthPlace") == ["Minsk, BELARUS"]
    assert person.get("passportNumber") == ["MP0000001"]
    assert person.get("idNumber") == ["3150170A000PB0"]
    passport = next(e for e in linked(belarus, person, "Passport"))
    assert passport.get("authority") == ["Ministry of Examples"]
    assert passport.get("country") == ["by"]


def test_belarus_company(belarus: ParseResult) -> None:
    company, sanction = listing(belarus, "EU.9002.22")
    assert company.schema.name == "Organization"
    assert set(company.get("alias")) == {
        "Адкрытае акцыянернае таварыства «Прыкладны завод»",
        "Открытое акционерное общество «Прикладной завод»",
    }
    assert company.get("registrationNumber") == ["100000001"]
    assert company.get("phone") == ["+375170000000"]
    assert company.get("email") == ["info@example.by"]
    assert company.get("website") == ["http://www.example.by/"]
    assert company.get("notes") == ["Owned by the (fictional) State Committee of Examples."]
    (address,) = linked(belarus, company, "Address")
    assert address.get("street") == ["vul. Prykladnaja 1"]
    assert address.get("postalCode") == ["220000"] and address.get("country") == ["by"]
    assert sanction.get("listingDate") == ["2021-12-02"]  # no designationDate: the act's date
    assert sanction.get("startDate") == ["2021-12-03"]


def test_ids_are_deterministic(excerpt: ParseResult) -> None:
    again = eu_fsf.parse(source_file(EXCERPT))
    assert [e.id for e in again.entities] == [e.id for e in excerpt.entities]


def test_sniff_accepts_exactly_the_fsf_files() -> None:
    files = sorted(p for p in SOURCES.rglob("*") if p.is_file())
    accepted = {str(p.relative_to(SOURCES)) for p in files if eu_fsf.sniff(p.read_bytes())}
    assert accepted == {EXCERPT}
    assert eu_fsf.sniff(FIXTURE.read_bytes())


# --- damaged input -------------------------------------------------------------------------

HEAD = '<?xml version="1.0" encoding="UTF-8"?>'


def document(*entities: str, head: str = "") -> bytes:
    body = "".join(entities)
    return (
        f'{HEAD}{head}<export xmlns="http://eu.europa.ec/fpi/fsd/export" '
        f'generationDate="2026-01-01T00:00:00">{body}</export>'
    ).encode()


def entity(key: str = "1", name: str = "Jane Doe", code: str = "person", remark: str = "") -> str:
    return (
        f'<sanctionEntity euReferenceNumber="EU.{key}" logicalId="{key}"><remark>{remark}</remark>'
        f'<regulation programme="BLR" publicationDate="2021-01-01"/><subjectType code="{code}"/>'
        f'<nameAlias wholeName="{name}" strong="true"/></sanctionEntity>'
    )


def parse_error(data: bytes) -> SourceError:
    with pytest.raises(SourceError) as caught:
        eu_fsf.parse(SourceFile("broken.xml", data))
    return caught.value


def test_truncated_file() -> None:
    error = parse_error(document(entity())[:-30])
    assert "broken.xml" in str(error) and error.record and error.record.startswith("line")


def test_wrong_encoding() -> None:
    error = parse_error(document(entity(name="Ja\u00efne")).replace("ï".encode(), b"\xef"))
    assert "broken.xml" in str(error) and "malformed XML" in str(error)


def test_missing_key() -> None:
    data = document(entity().replace(' logicalId="1"', ""))
    error = parse_error(data)
    assert (error.record, error.field) == ("EU.1", "logicalId")


def test_oversized_field() -> None:
    error = parse_error(document(entity("7", remark="x" * 1_100_000)))
    assert (error.file, error.record, error.field) == ("broken.xml", "EU.7", "remark")


def test_doctype_is_refused() -> None:
    error = parse_error(document(entity(), head='<!DOCTYPE export [<!ENTITY a "b">]>'))
    assert "DOCTYPE" in str(error)


def test_unknown_subject_type_is_kept() -> None:
    result = eu_fsf.parse(SourceFile("odd.xml", document(entity(code="vessel"))))
    assert [e.schema.name for e in result.entities] == ["LegalEntity", "Sanction"]
    assert "subjectType 'vessel'" in result.warnings[0]


def test_lenient_keeps_good_records() -> None:
    data = document(entity("1"), entity("2", remark="x" * 1_100_000), entity("3"))
    result = eu_fsf.parse(SourceFile("broken.xml", data), lenient=True)
    assert result.records == 2
    assert len(result.warnings) == 1 and "EU.2" in result.warnings[0]
    assert {e.first("authorityId") for e in result.entities if e.schema.name == "Sanction"} == {
        "EU.1",
        "EU.3",
    }
