"""Canada's consolidated autonomous sanctions list (SEMA): the two real files in ca_sema/."""

from __future__ import annotations

import pytest
from followthemoney import EntityProxy

from belwatch.exc import SourceError
from belwatch.sources import ca_sema
from belwatch.sources.base import ParseResult, SourceFile
from belwatch.sources.datasets import BELARUS_PROGRAM

from conftest import SOURCES, source_file

OLD, NEW = "ca_sema/sema-lmes_2020-04-15.xml", "ca_sema/sema-lmes_2025-09-22.xml"
BELARUS = "Special Economic Measures (Belarus) Regulations"


@pytest.fixture(scope="module")
def results() -> dict[str, ParseResult]:
    return {path: ca_sema.parse(source_file(path)) for path in (OLD, NEW)}


def targets(result: ParseResult) -> list[EntityProxy]:
    return [e for e in result.entities if e.schema.name != "Sanction"]


def listing(result: ParseResult, name: str) -> tuple[EntityProxy, EntityProxy]:
    entity = next(e for e in targets(result) if name in e.get("name"))
    sanction = next(
        e for e in result.entities if e.schema.name == "Sanction" and entity.id in e.get("entity")
    )
    return entity, sanction


def belarus_targets(result: ParseResult) -> list[EntityProxy]:
    listed = {
        e.first("entity")
        for e in result.entities
        if e.schema.name == "Sanction" and any(BELARUS_PROGRAM.search(p) for p in e.get("program"))
    }
    return [e for e in targets(result) if e.id in listed]


def test_counts_2025(results: dict[str, ParseResult]) -> None:
    # PROVENANCE: 5,090 records, 320 Belarus (231 individuals, 89 entities).
    result = results[NEW]
    assert result.records == 5090
    assert len(targets(result)) == 5090
    schemata = [e.schema.name for e in targets(result)]
    assert (schemata.count("Person"), schemata.count("Organization"), schemata.count("Vessel")) == (
        3424,
        1356,
        310,
    )
    belarus = belarus_targets(result)
    assert len(belarus) == 320
    assert sum(e.schema.name == "Person" for e in belarus) == 231
    assert result.published is None  # the file carries no date of its own
    # Two birth dates the parser will not guess at ("Sep-99", "born in the early 1970s").
    assert len(result.warnings) == 2 and "Sep-99" in result.warnings[0]


def test_counts_2020(results: dict[str, ParseResult]) -> None:
    # PROVENANCE: 1,369 records, no Belarus regime yet.
    result = results[OLD]
    assert result.records == 1369
    schemata = [e.schema.name for e in targets(result)]
    assert (schemata.count("Person"), schemata.count("Organization")) == (985, 384)
    assert belarus_targets(result) == []
    assert result.warnings == []


def test_belarus_person(results: dict[str, ParseResult]) -> None:
    person, sanction = listing(results[NEW], "Aleksandr Grigoryevich Lukashenko")
    assert person.schema.name == "Person"
    assert person.get("firstName") == ["Aleksandr Grigoryevich"]
    assert person.get("lastName") == ["Lukashenko"]
    assert person.get("birthDate") == ["1954-08-30"]
    assert sanction.get("program") == [BELARUS]
    assert sanction.get("programId") == ["Belarus / Bélarus"]
    assert sanction.get("listingDate") == ["2020-09-28"]
    assert sanction.get("authorityId") == ["Schedule 1, Part 1, Item 8"]
    assert sanction.get("country") == ["ca"]


def test_cyrillic_aliases_kept_as_printed(results: dict[str, ParseResult]) -> None:
    person, _ = listing(results[NEW], "Ruslan Khikmetavich MASHADZIYEU")
    # The Belarusian spelling prints Latin "i" (U+0069) for "і": kept as printed.
    assert "Руслан Хiкметовiч МАШАДЗЕЎ" in person.get("alias")
    assert "Руслан Хикметович МАШАДИЕВ" in person.get("alias")
    assert "Ruslan Chikmetovič MAŠADZEV" in person.get("alias")
    assert not any(":" in alias for alias in person.get("alias"))  # language labels dropped


def test_organisation_and_vessel(results: dict[str, ParseResult]) -> None:
    company, sanction = listing(results[NEW], "Belaruskali OAO")
    assert company.schema.name == "Organization"
    assert sanction.get("program") == [BELARUS]
    assert sanction.get("provisions") == ["Schedule 1, Part 2, Item 15"]
    vessel, sanction = listing(results[NEW], "Balitiyskiy III")
    assert vessel.schema.name == "Vessel"
    assert vessel.get("imoNumber") == ["IMO7612448"]
    assert vessel.get("buildDate") == ["1980"]
    assert vessel.get("type") == ["General Cargo / Multi Purpose"]
    assert sanction.get("program") == ["Special Economic Measures (Russia) Regulations"]


def test_odd_dates(results: dict[str, ParseResult]) -> None:
    person, sanction = listing(results[NEW], "Mansour Othman ABAHUSSAIN")
    assert person.get("birthDate") == ["1972-08-10", "1972-08-11"]
    assert sanction.get("program") == [
        "Justice for Victims of Corrupt Foreign Officials Regulations (JVCFOR)"
    ]
    assert sanction.get("authorityId") == ["Item 54"]  # JVCFOR records have no Schedule
    person, _ = listing(results[NEW], "Habib Shahsavari")
    assert person.get("birthDate") == ["1963", "1964"]
    assert person.get("alias") == ["حبیب شاهسواری"]


def test_older_layout(results: dict[str, ParseResult]) -> None:
    company, _ = listing(results[OLD], "Air Bagan")
    assert company.get("alias") == ["Air Bagan Holdings Pte. Ltd.", "Air Bagan Limited"]
    officer, sanction = listing(results[OLD], "Ali Barakat")
    assert officer.get("title") == ["Brigadier"]
    assert sanction.get("program") == ["Special Economic Measures (Syria) Regulations"]
    assert sanction.get("listingDate") == []  # the 2020 layout has no DateOfListing


def test_split_aliases() -> None:
    text = 'NGO "Izhbs", LLC; НПО "Ижбс", ООО;  Belarussian: Аляксандр, Russian : Александр'
    assert ca_sema.split_aliases(text) == [
        'NGO "Izhbs", LLC',
        'НПО "Ижбс", ООО',
        "Аляксандр",
        "Александр",
    ]


def test_ids_are_deterministic(results: dict[str, ParseResult]) -> None:
    again = ca_sema.parse(source_file(NEW))
    assert [e.id for e in again.entities] == [e.id for e in results[NEW].entities]
    assert len({e.id for e in again.entities}) == len(again.entities)


def test_sniff_accepts_exactly_the_sema_files() -> None:
    files = sorted(p for p in SOURCES.rglob("*") if p.is_file())
    accepted = {str(p.relative_to(SOURCES)) for p in files if ca_sema.sniff(p.read_bytes())}
    assert accepted == {OLD, NEW}


# --- damaged input -------------------------------------------------------------------------


def record(item: str = "1", name: str = "<LastName>Doe</LastName>", extra: str = "") -> str:
    return (
        f"<record><Country>Belarus / Bélarus</Country>{name}"
        f"<Schedule>1, Part 1</Schedule><Item>{item}</Item>{extra}</record>"
    )


def document(*records: str, head: str = "") -> bytes:
    body = "".join(records)
    return f'<?xml version="1.0" encoding="UTF-8"?>{head}<data-set>{body}</data-set>'.encode()


def parse_error(data: bytes) -> SourceError:
    with pytest.raises(SourceError) as caught:
        ca_sema.parse(SourceFile("broken.xml", data))
    return caught.value


def test_truncated_file() -> None:
    error = parse_error(document(record())[:-20])
    assert "broken.xml" in str(error) and error.record and error.record.startswith("line")


def test_wrong_encoding() -> None:
    error = parse_error(document(record()).replace("Bélarus".encode(), "Bélarus".encode("cp1252")))
    assert "broken.xml" in str(error) and "malformed XML" in str(error)


def test_missing_item_and_name() -> None:
    error = parse_error(document(record(), record(item="")))
    assert error.field == "Item" and "#2" in str(error.record)
    error = parse_error(document(record(name="")))
    assert error.field == "LastName" and "broken.xml" in str(error)


def test_duplicate_key() -> None:
    error = parse_error(document(record(), record()))
    assert error.field == "Item" and "#2" in str(error.record) and "1, Part 1" in str(error.record)


def test_bad_listing_date() -> None:
    error = parse_error(document(record(extra="<DateOfListing>tomorrow</DateOfListing>")))
    assert error.field == "DateOfListing" and "tomorrow" in str(error)


def test_oversized_field() -> None:
    error = parse_error(document(record(extra=f"<Aliases>{'x' * 1_100_000}</Aliases>")))
    assert error.field == "Aliases" and "#1" in str(error.record)


def test_doctype_is_refused() -> None:
    error = parse_error(document(record(), head='<!DOCTYPE data-set [<!ENTITY a "b">]>'))
    assert "DOCTYPE" in str(error)


def test_lenient_keeps_good_records() -> None:
    data = document(record("1"), record("2", name=""), record("3"))
    result = ca_sema.parse(SourceFile("broken.xml", data), lenient=True)
    assert result.records == 2
    assert len(result.warnings) == 1 and "#2" in result.warnings[0]
