"""UN Security Council consolidated list: the four real versions in ../shared/data/sources/un."""

from __future__ import annotations

from datetime import date

import pytest
from followthemoney import EntityProxy

from belwatch.exc import SourceError
from belwatch.sources import un_sc
from belwatch.sources.base import ParseResult, SourceFile
from belwatch.sources.datasets import BELARUS_PROGRAM

from conftest import SOURCES, source_file

# Entries counted with `grep -c '<INDIVIDUAL>'` and `grep -c '<ENTITY>'` on each file; they
# match PROVENANCE.md (records / individuals / entities).
COUNTS = {
    "un/consolidated_2024-11-30.xml": (686, 193, date(2024, 11, 30)),
    "un/consolidated_2025-10-09.xml": (727, 273, date(2025, 10, 9)),
    "un/consolidated_2025-11-18.xml": (727, 273, date(2025, 11, 18)),
    "un/consolidated_2026-02-27.xml": (730, 273, date(2026, 2, 27)),
}
LATEST = "un/consolidated_2026-02-27.xml"


@pytest.fixture(scope="module")
def results() -> dict[str, ParseResult]:
    return {path: un_sc.parse(source_file(path)) for path in COUNTS}


def target(result: ParseResult, ref: str) -> tuple[EntityProxy, EntityProxy]:
    """The listed entity and its Sanction, found by UN reference number."""
    sanction = next(
        e for e in result.entities if e.schema.name == "Sanction" and e.first("authorityId") == ref
    )
    entity = next(e for e in result.entities if e.id == sanction.first("entity"))
    return entity, sanction


@pytest.mark.parametrize("path", sorted(COUNTS))
def test_counts(results: dict[str, ParseResult], path: str) -> None:
    individuals, entities, published = COUNTS[path]
    result = results[path]
    assert result.records == individuals + entities
    schemata = [e.schema.name for e in result.entities]
    assert schemata.count("Person") == individuals
    assert schemata.count("Organization") == entities
    assert schemata.count("Sanction") == individuals + entities
    assert result.published == published
    assert result.dataset == "un_sc_sanctions"
    assert result.warnings == []
    # The UN has no Belarus regime.
    programs = {p for e in result.entities if e.schema.name == "Sanction" for p in e.get("program")}
    assert not any(BELARUS_PROGRAM.search(p) for p in programs)


def test_person_with_original_script(results: dict[str, ParseResult]) -> None:
    person, sanction = target(results[LATEST], "IQi.001")
    assert person.schema.name == "Person"
    assert person.get("name") == ["SADDAM HUSSEIN AL-TIKRITI"]
    assert person.get("firstName") == ["SADDAM"]
    assert "صدام حسين التكريتي" in person.get("alias")
    assert person.get("weakAlias") == ["Abu Ali"]  # QUALITY Low
    assert person.get("birthDate") == ["1937-04-28"]
    assert person.get("birthPlace") == ["al-Awja, near Tikrit, Iraq"]
    assert person.get("nationality") == ["iq"]
    assert sanction.get("program") == ["Iraq"]
    assert sanction.get("listingDate") == ["2003-06-27"]
    assert sanction.get("unscId") == ["IQi.001"]


def test_documents_and_dates(results: dict[str, ParseResult]) -> None:
    result = results[LATEST]
    person, sanction = target(result, "CFi.001")
    assert person.get("name") == ["FRANÇOIS YANGOUVONDA BOZIZÉ"]
    assert sorted(person.get("birthDate")) == ["1946-10-14", "1948-12-16"]
    assert person.get("passportNumber") == ["D00002264"]
    assert person.get("idNumber") == ["M4800002143743"]
    assert set(person.get("nationality")) == {"cf", "ss"}
    assert person.get("title") == ["Former Head of State Central African Republic", "Professor"]
    assert sanction.get("modifiedAt") == ["2020-07-28"]  # the last LAST_DAY_UPDATED
    passport = next(
        e for e in result.entities if e.schema.name == "Passport" and person.id in e.get("holder")
    )
    assert passport.get("number") == ["D00002264"]
    assert passport.get("startDate") == ["2013-06-11"]
    # An alias's own date of birth belongs to the person too.
    jang, _ = target(result, "KPi.016")
    assert sorted(jang.get("birthDate")) == ["1957-04-15", "1958-02-22"]
    # BETWEEN 1973 and 1974.
    ntaganda, _ = target(result, "CDi.030")
    assert sorted(ntaganda.get("birthDate")) == ["1973", "1974"]


def test_entity_aliases_and_mentions(results: dict[str, ParseResult]) -> None:
    result = results[LATEST]
    adf, sanction = target(result, "CDe.001")
    assert adf.schema.name == "Organization"
    assert adf.get("name") == ["ADF"]
    assert adf.get("alias") == ["Allied Democratic Forces"]  # a.k.a.
    assert "NALU" in adf.get("previousName")  # f.k.a.
    assert sanction.get("listingDate") == ["2014-06-30"]
    assert sanction.get("program") == ["DRC"]
    # "Jamil Mukulu (CDi.015)" and "Seka Baluku (CDi.036)" in the comments become links.
    mukulu, _ = target(result, "CDi.015")
    baluku, _ = target(result, "CDi.036")
    links = [
        e for e in result.entities if e.schema.name == "UnknownLink" and adf.id in e.get("subject")
    ]
    assert {link.first("object") for link in links} == {mukulu.id, baluku.id}


def test_address_entity(results: dict[str, ParseResult]) -> None:
    result = results[LATEST]
    airline, _ = target(result, "CDe.003")
    address = next(e for e in result.entities if e.id in airline.get("addressEntity"))
    assert address.get("street") == ["Avenue Président Mobutu"]
    assert address.get("city") == ["Goma"]
    assert address.get("country") == ["cd"]
    assert "Avenue Président Mobutu, Goma, Democratic Republic of the Congo" in airline.get(
        "address"
    )
    assert "Gisenyi, Rwanda" in airline.get("address")


def test_listing_date_with_time_zone(results: dict[str, ParseResult]) -> None:
    # Ten entries print LISTED_ON with an offset ("2001-10-06-04:00"); none is lost.
    sanctions = [e for e in results[LATEST].entities if e.schema.name == "Sanction"]
    assert all(e.get("listingDate") for e in sanctions)


def test_ids_are_deterministic(results: dict[str, ParseResult]) -> None:
    again = un_sc.parse(source_file(LATEST))
    assert [e.id for e in again.entities] == [e.id for e in results[LATEST].entities]
    # The same entry keeps its id across versions of the list.
    old, _ = target(results["un/consolidated_2024-11-30.xml"], "IQi.001")
    new, _ = target(results[LATEST], "IQi.001")
    assert old.id == new.id


def test_sniff_accepts_exactly_the_un_files() -> None:
    files = sorted(p for p in SOURCES.rglob("*") if p.is_file())
    accepted = {str(p.relative_to(SOURCES)) for p in files if un_sc.sniff(p.read_bytes())}
    assert accepted == set(COUNTS)


# --- damaged input -------------------------------------------------------------------------

ENTRY = """<INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>JOHN</FIRST_NAME><SECOND_NAME>DOE</SECOND_NAME>
<UN_LIST_TYPE>Test</UN_LIST_TYPE><REFERENCE_NUMBER>{ref}</REFERENCE_NUMBER>
<LISTED_ON>{listed}</LISTED_ON><COMMENTS1>{comments}</COMMENTS1></INDIVIDUAL>"""


def document(*entries: str, head: str = "") -> bytes:
    body = "".join(entries)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{head}'
        f'<CONSOLIDATED_LIST dateGenerated="2026-01-01T00:00:00Z">'
        f"<INDIVIDUALS>{body}</INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>"
    ).encode()


def entry(ref: str = "TSi.001", listed: str = "2020-01-01", comments: str = "") -> str:
    return ENTRY.format(ref=ref, listed=listed, comments=comments)


def parse_error(data: bytes, lenient: bool = False) -> SourceError:
    with pytest.raises(SourceError) as caught:
        un_sc.parse(SourceFile("broken.xml", data), lenient=lenient)
    return caught.value


def test_small_file_parses() -> None:
    result = un_sc.parse(
        SourceFile("small.xml", document(entry(), entry("TSi.002", comments="See TSi.001.")))
    )
    assert result.records == 2
    assert result.published == date(2026, 1, 1)
    assert [e.schema.name for e in result.entities].count("UnknownLink") == 1


def test_truncated_file() -> None:
    error = parse_error(document(entry())[:-40])
    assert "broken.xml" in str(error) and "malformed XML" in str(error)
    assert error.record and error.record.startswith("line")


def test_wrong_encoding() -> None:
    data = document(entry()).replace(b"JOHN", "JÖHN".encode("latin-1"))
    error = parse_error(data)
    assert "broken.xml" in str(error) and error.record == "line 1"


def test_missing_reference_number() -> None:
    error = parse_error(document(entry(ref="")))
    assert error.field == "REFERENCE_NUMBER"
    assert "broken.xml" in str(error) and "INDIVIDUAL #1" in str(error)


def test_bad_listing_date_names_record_and_field() -> None:
    error = parse_error(document(entry(), entry("TSi.002", listed="soon")))
    assert (error.file, error.record, error.field) == ("broken.xml", "TSi.002", "LISTED_ON")


def test_oversized_field() -> None:
    error = parse_error(document(entry(comments="x" * 1_100_000)))
    assert (error.record, error.field) == ("TSi.001", "COMMENTS1")


def test_doctype_is_refused() -> None:
    head = '<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY x "y">]>'
    error = parse_error(document(entry(), head=head))
    assert "DOCTYPE" in str(error) and "broken.xml" in str(error)


def test_lenient_keeps_good_records() -> None:
    data = document(entry(), entry("TSi.002", listed="soon"), entry("TSi.003"))
    result = un_sc.parse(SourceFile("broken.xml", data), lenient=True)
    assert result.records == 2
    assert len(result.warnings) == 1 and "TSi.002" in result.warnings[0]
    assert {e.first("authorityId") for e in result.entities if e.schema.name == "Sanction"} == {
        "TSi.001",
        "TSi.003",
    }
