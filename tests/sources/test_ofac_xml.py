"""OFAC sdn.xml layout: the real consolidated non-SDN list (2025-06-30), the abridged SDN
excerpt, and small hand-written files for the damaged cases."""

from __future__ import annotations

from datetime import date

import pytest
from followthemoney import EntityProxy

from belwatch.exc import SourceError
from belwatch.sources import ofac_csv, ofac_xml, us_csl
from belwatch.sources.base import ParseResult, SourceFile, make_id
from belwatch.sources.datasets import BELARUS_PROGRAM

from conftest import SOURCES, source_file

CONS = "ofac_cons/consolidated_sdnxmlformat_2025-06-30.xml"
EXCERPT = "ofac_xml/us_excerpt_2026-08-07.xml"
CONS_CSV = "ofac_cons/2025-12-19"


@pytest.fixture(scope="module")
def cons() -> ParseResult:
    return ofac_xml.parse(source_file(CONS))


@pytest.fixture(scope="module")
def excerpt() -> ParseResult:
    return ofac_xml.parse(source_file(EXCERPT))


def entry(result: ParseResult, uid: str) -> tuple[EntityProxy, EntityProxy]:
    sanction = next(
        e for e in result.entities if e.schema.name == "Sanction" and uid in e.get("authorityId")
    )
    [target] = [e for e in result.entities if e.id == sanction.first("entity")]
    return target, sanction


def linked(result: ParseResult, entity: EntityProxy, prop: str) -> list[EntityProxy]:
    return [e for e in result.entities if entity.id in e.get(prop, quiet=True)]


# --- the real files ---------------------------------------------------------------------


def test_consolidated_list_counts(cons: ParseResult) -> None:
    assert cons.dataset == "us_ofac_cons"  # decided from the entries, not the file name
    assert cons.format == "ofac_xml"
    assert cons.published == date(2025, 6, 30)
    assert cons.declared == 443
    assert cons.records == 443  # every entry Record_Count announces is there
    assert sum(1 for e in cons.entities if e.schema.name == "Sanction") == 443
    assert cons.warnings == []
    belarus = [
        e
        for e in cons.entities
        if e.schema.name == "Sanction" and any(BELARUS_PROGRAM.search(p) for p in e.get("program"))
    ]
    assert belarus == []  # PROVENANCE: no Belarus programme on the non-SDN list


def test_consolidated_entry_details(cons: ParseResult) -> None:
    # uid 17014: JOINT STOCK COMPANY RUSSIAN AGRICULTURAL BANK, UKRAINE-EO13662 and
    # RUSSIA-EO14024, aka 'RUSAG' (weak), Registration ID 1027700342890, SWIFT/BIC RUAGRUMM,
    # Listing Date (EO 14024 Directive 3): 24 Feb 2022
    bank, sanction = entry(cons, "17014")
    assert bank.id == make_id("us_ofac_cons", "17014")
    assert bank.get("name") == ["JOINT STOCK COMPANY RUSSIAN AGRICULTURAL BANK"]
    assert bank.get("weakAlias") == ["RUSAG"]
    assert "ROSSELKHOZBANK" in bank.get("alias")
    assert bank.get("registrationNumber") == ["1027700342890"]
    assert bank.get("ogrnCode") == ["1027700342890"]
    assert bank.get("swiftBic") == ["RUAGRUMM"]
    assert sorted(sanction.get("program")) == ["RUSSIA-EO14024", "UKRAINE-EO13662"]
    assert sanction.get("listingDate") == ["2022-02-24"]
    assert sanction.get("startDate") == ["2022-03-26"]
    address = next(e for e in cons.entities if e.id in bank.get("addressEntity"))
    assert address.get("city") == ["Moscow"]
    assert address.get("postalCode") == ["119034"]
    assert address.get("country") == ["ru"]


def test_linked_to_in_remarks_points_at_the_other_entry(cons: ParseResult) -> None:
    # uid 19468 GAZPROM DOBYCHA YAMBURG, OOO: remarks "...; (Linked To: PUBLIC JOINT STOCK
    # COMPANY GAZPROM)", which is uid 17250 of the same file
    subsidiary, _ = entry(cons, "19468")
    [link] = linked(cons, subsidiary, "subject")
    assert link.schema.name == "UnknownLink"
    assert link.get("object") == [make_id("us_ofac_cons", "17250")]
    assert link.get("role") == ["Linked To"]


def test_xml_and_csv_of_one_list_give_the_same_ids(cons: ParseResult) -> None:
    csv = ofac_csv.parse(source_file(f"{CONS_CSV}/cons_prim.csv"))
    targets = {e.id for e in csv.entities if e.schema.name not in ("Sanction", "UnknownLink")}
    xml_targets = {e.id for e in cons.entities}
    assert csv.dataset == cons.dataset
    assert len(targets - xml_targets) == 0  # 442 CSV entries of Dec 2025 are all in June's XML


def test_excerpt(excerpt: ParseResult) -> None:
    assert excerpt.dataset == "us_ofac_sdn"
    assert (excerpt.records, excerpt.declared) == (5, 5)
    assert excerpt.published == date(2026, 8, 7)
    # uid 9758 IBRAHIM, Dawood: passport M-110522 (India) issued 13 Nov 1978; nationality
    # India; citizenship India, Pakistan, UAE; DOB 26 Dec 1955; address Karachi
    person, sanction = entry(excerpt, "9758")
    assert person.get("name") == ["Dawood IBRAHIM"]
    assert person.get("alias") == ["Dawood EBRAHIM"]
    assert person.get("birthDate") == ["1955-12-26"]
    assert person.get("birthPlace") == ["Ratnagiri, Maharashtra, India"]
    assert person.get("nationality") == ["in"]
    assert sorted(person.get("citizenship")) == ["ae", "in", "pk"]
    assert person.get("passportNumber") == ["M-110522"]
    assert sanction.get("program") == ["SDNTK", "SDGT"]
    [passport] = linked(excerpt, person, "holder")
    assert passport.schema.name == "Passport"
    assert passport.get("country") == ["in"]
    assert passport.get("startDate") == ["1978-11-13"]
    address = next(e for e in excerpt.entities if e.id in person.get("addressEntity"))
    assert address.get("street") == ["617 CP Berar Society, Block 7-8"]
    assert address.get("city") == ["Karachi"]
    # uid 4238 MAR AZUL: vessel, CL2192, Tug, Cuba
    vessel, _ = entry(excerpt, "4238")
    assert vessel.schema.name == "Vessel"
    assert (vessel.get("callSign"), vessel.get("type"), vessel.get("flag")) == (
        ["CL2192"],
        ["Tug"],
        ["cu"],
    )
    # uid 2674 ABBAS, Abu: title, and the idList "Secondary sanctions risk:" as a provision
    abbas, sanction = entry(excerpt, "2674")
    assert abbas.get("position") == ["Director of PALESTINE LIBERATION FRONT - ABU ABBAS FACTION"]
    assert sanction.get("provisions") == [
        "Secondary sanctions risk: section 1(b) of Executive Order 13224"
    ]
    airline, _ = entry(excerpt, "36")
    assert airline.schema.name == "Organization"
    assert airline.get("alias") == ["AERO-CARIBBEAN"]


def test_parsing_twice_gives_the_same_ids(excerpt: ParseResult) -> None:
    again = ofac_xml.parse(source_file(EXCERPT))
    assert [e.id for e in again.entities] == [e.id for e in excerpt.entities]
    assert len({e.id for e in excerpt.entities}) == len(excerpt.entities)


def test_sniffer_accepts_exactly_its_own_files() -> None:
    own = {CONS, EXCERPT}
    for path in sorted(p for p in SOURCES.rglob("*") if p.is_file()):
        data, rel = path.read_bytes(), str(path.relative_to(SOURCES))
        assert ofac_xml.sniff(data) == (rel in own), rel
        if rel in own:
            assert not any(f.sniff(data) for f in [*ofac_csv.FORMATS, us_csl.FORMAT]), rel


# --- small hand-written files -----------------------------------------------------------

ENTRY = """<sdnEntry><uid>{uid}</uid><firstName>Viktar</firstName><lastName>{last}</lastName>
<sdnType>{kind}</sdnType><programList><program>BELARUS</program></programList>
<dateOfBirthList><dateOfBirthItem><uid>1</uid><dateOfBirth>circa 1952</dateOfBirth>
<mainEntry>true</mainEntry></dateOfBirthItem></dateOfBirthList></sdnEntry>"""


def xml_file(
    *entries: str,
    published: str = "12/30/2021",
    count: str = "1",
    namespace: str = "http://tempuri.org/sdnList.xsd",
    head: str = "",
) -> SourceFile:
    body = "".join(entries) or ENTRY.format(uid=9761, last="HALAVANAU", kind="Individual")
    text = (
        f'<?xml version="1.0" standalone="yes"?>{head}<sdnList xmlns="{namespace}">'
        f"<publshInformation><Publish_Date>{published}</Publish_Date>"
        f"<Record_Count>{count}</Record_Count></publshInformation>{body}</sdnList>"
    )
    return SourceFile(name="sample_sdn.xml", data=text.encode())


def test_older_namespace_is_read() -> None:
    sample = xml_file()
    assert ofac_xml.sniff(sample.data)
    result = ofac_xml.parse(sample)
    assert (result.dataset, result.records, result.published) == (
        "us_ofac_sdn",
        1,
        date(2021, 12, 30),
    )
    person, sanction = entry(result, "9761")
    assert person.get("name") == ["Viktar HALAVANAU"]
    assert person.get("birthDate") == ["1952"]
    assert sanction.get("program") == ["BELARUS"]


def test_doctype_and_entities_are_refused() -> None:
    bomb = '<!DOCTYPE sdnList [<!ENTITY a "aaaaaaaaaa">]>'
    with pytest.raises(SourceError, match="DOCTYPE or entity") as caught:
        ofac_xml.parse(xml_file(head=bomb))
    assert caught.value.file == "sample_sdn.xml"


def test_truncated_xml_names_the_line() -> None:
    sample = xml_file()
    cut = SourceFile(sample.name, sample.data[: len(sample.data) // 2])
    with pytest.raises(SourceError, match="malformed XML") as caught:
        ofac_xml.parse(cut)
    assert caught.value.file == "sample_sdn.xml"
    assert caught.value.record is not None and caught.value.record.startswith("line ")


@pytest.mark.parametrize(
    ("body", "record", "field"),
    [
        (ENTRY.format(uid="", last="HALAVANAU", kind="Individual"), "sdnEntry #2", "uid"),
        (ENTRY.format(uid=9761, last="", kind="Individual"), "uid 9761", "lastName"),
        (ENTRY.format(uid=9761, last="HALAVANAU", kind="Spaceship"), "uid 9761", "sdnType"),
        (ENTRY.format(uid=9761, last="H" * (1024 * 1024 + 1), kind="Entity"), "uid 9761", "name"),
    ],
)
def test_bad_entry_names_record_and_field(body: str, record: str, field: str) -> None:
    good = ENTRY.format(uid=36, last="AEROCARIBBEAN AIRLINES", kind="Entity")
    with pytest.raises(SourceError) as caught:
        ofac_xml.parse(xml_file(good, body, count="2"))
    assert caught.value.file == "sample_sdn.xml"
    assert caught.value.record is not None and caught.value.record.startswith(record)
    assert caught.value.field == field
    lenient = ofac_xml.parse(xml_file(good, body, count="2"), lenient=True)
    assert lenient.records == 1
    assert any(field in w for w in lenient.warnings)
    assert any("Record_Count says 2 entries, the file has 1" in w for w in lenient.warnings)


def test_bad_publication_fields() -> None:
    with pytest.raises(SourceError, match="MM/DD/YYYY") as caught:
        ofac_xml.parse(xml_file(published="2021-12-30"))
    assert caught.value.field == "Publish_Date"
    with pytest.raises(SourceError, match="not a number") as caught:
        ofac_xml.parse(xml_file(count="many"))
    assert caught.value.field == "Record_Count"
    lenient = ofac_xml.parse(xml_file(published="2021-12-30", count="many"), lenient=True)
    assert lenient.records == 1 and lenient.published is None and lenient.declared is None
    assert len(lenient.warnings) == 2


def test_other_root_is_refused() -> None:
    data = b'<?xml version="1.0"?><Sanctions xmlns="x"><a/></Sanctions>'
    assert not ofac_xml.sniff(data)
    with pytest.raises(SourceError, match="not <sdnList>"):
        ofac_xml.parse(SourceFile("other.xml", data))
