"""EU Official Journal transcription CSV (Regulation 765/2006, Belarus): the consolidated annex
and two amending acts, checked against values read by hand from the raw files."""

from __future__ import annotations

from collections import Counter

import pytest
from followthemoney import EntityProxy

from belwatch.exc import SourceError
from belwatch.sources import eu_oj
from belwatch.sources.base import MAX_FIELD_CHARS, ParseResult, SourceFile, make_id
from belwatch.sources.datasets import BELARUS_PROGRAM

from conftest import SOURCES, source_file

FOLDER = "eu_oj_opensanctions"
CONSOLIDATED = f"{FOLDER}/32006R0765_latest.csv"
AMENDMENTS = {f"{FOLDER}/amendment_32026R1817.csv": 2, f"{FOLDER}/amendment_32026R1846.csv": 4}
PROGRAM = "Regulation (EC) No 765/2006 (Belarus)"
AMENDMENT_HEADER = ",".join(eu_oj.AMENDMENT)
CONSOLIDATED_HEADER = ",".join(eu_oj.CONSOLIDATED)


@pytest.fixture(scope="module")
def consolidated() -> ParseResult:
    return eu_oj.parse(source_file(CONSOLIDATED))


@pytest.fixture(scope="module")
def etk_amendment() -> ParseResult:
    return eu_oj.parse(source_file(f"{FOLDER}/amendment_32026R1817.csv"))


def targets(result: ParseResult) -> list[EntityProxy]:
    return [e for e in result.entities if e.schema.name != "Sanction"]


def by_name(result: ParseResult, name: str) -> EntityProxy:
    found = [e for e in targets(result) if name in e.get("name")]
    assert len(found) == 1, f"{len(found)} targets named {name!r}"
    return found[0]


def sanctions_of(result: ParseResult, entity: EntityProxy) -> list[EntityProxy]:
    return [
        e for e in result.entities if e.schema.name == "Sanction" and entity.id in e.get("entity")
    ]


def row(**values: str) -> str:
    """One amendment-file row: the required columns plus the given ones."""
    cells = {"amendedCelex": "32006R0765", "amendmentCelex": "32026R9999", "programKey": "EU-BLR"}
    cells |= {"annex": "I.A", "measure": "Asset freeze", "schema": "Person", "name": "Test NAME"}
    cells |= values
    return ",".join(_quote(cells.get(column, "")) for column in eu_oj.AMENDMENT)


def _quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\n') else value


def amendment(*rows: str) -> SourceFile:
    return SourceFile("amendment_test.csv", "\n".join([AMENDMENT_HEADER, *rows, ""]).encode())


# --- counts ----------------------------------------------------------------------------


def test_consolidated_counts(consolidated: ParseResult) -> None:
    # PROVENANCE: 408 rows; annexes I.A 312, I.B 60, V 26, IX 5, XV 4, XXXIV 1; schemas Person
    # 312, LegalEntity 95, Asset 1; 376 distinct (annex, recordId) counting the blank id once
    # per annex. Targets: 312 + 60 numbered entries and 32 distinct unnumbered names (four
    # banks are in both IX and XV) = 404.
    assert consolidated.records == 404
    assert len(targets(consolidated)) == 404
    assert consolidated.published is None  # the file carries no date of its own
    assert consolidated.declared is None
    assert consolidated.warnings == []
    sanctions = [e for e in consolidated.entities if e.schema.name == "Sanction"]
    assert len(sanctions) == 408
    annexes = Counter(s.first("summary") for s in sanctions)
    assert annexes == {
        f"Annex {annex} to Regulation (EC) No 765/2006": count
        for annex, count in {"I.A": 312, "I.B": 60, "V": 26, "IX": 5, "XV": 4, "XXXIV": 1}.items()
    }
    keys = {(s.first("summary"), s.first("authorityId")) for s in sanctions}
    assert len(keys) == 376
    schemata = Counter(e.schema.name for e in targets(consolidated))
    assert schemata == {"Person": 312, "LegalEntity": 91, "Asset": 1}


def test_every_target_is_belarus(consolidated: ParseResult) -> None:
    programs = {s.first("program") for s in consolidated.entities if s.schema.name == "Sanction"}
    assert programs == {PROGRAM}
    assert BELARUS_PROGRAM.search(PROGRAM)
    belarus = {
        s.first("entity")
        for s in consolidated.entities
        if s.schema.name == "Sanction" and BELARUS_PROGRAM.search(s.first("program") or "")
    }
    assert len(belarus) == 404  # PROVENANCE: Belarus records 408 = every row


@pytest.mark.parametrize(("relpath", "count"), AMENDMENTS.items())
def test_amendment_counts(relpath: str, count: int) -> None:
    result = eu_oj.parse(source_file(relpath))
    assert result.records == count  # PROVENANCE: 2 and 4 records, all Belarus
    assert result.published is None  # a CELEX number carries only the year
    assert len(targets(result)) == count
    for sanction in (e for e in result.entities if e.schema.name == "Sanction"):
        assert sanction.get("program") == [PROGRAM]


# --- hand-checked records ----------------------------------------------------------------


def test_navumau(consolidated: ParseResult) -> None:
    person = by_name(consolidated, "Uladzimir Uladzimiravich NAVUMAU")
    assert person.schema.name == "Person"
    assert person.id == make_id("eu_journal_sanctions", "32006R0765", "annex", "I.A", "1")
    assert set(person.get("alias")) == {
        "Vladimir Vladimirovich NAUMOV",
        "Уладзімір Уладзіміравіч НАВУМАЎ",
        "Владимир Владимирович НАУМОВ",
    }
    assert person.get("birthDate") == ["1956-02-07"]
    assert person.get("birthPlace") == ["Smolensk, former USSR (now Russian Federation)"]
    assert person.get("gender") == ["male"]
    assert set(person.get("position")) == {
        "former Minister of Internal Affairs",
        "former Head of the President’s Security Service",
    }
    [sanction] = sanctions_of(consolidated, person)
    assert sanction.get("program") == [PROGRAM]
    assert sanction.get("programId") == ["EU-BLR"]
    assert sanction.get("listingDate") == ["2004-09-24"]
    assert sanction.get("authorityId") == ["1"]
    assert sanction.get("provisions") == ["Asset freeze"]
    assert sanction.get("authority") == ["Council of the European Union"]
    assert sanction.first("reason").startswith("Failed to take action to investigate the case")


def test_annexes_number_their_entries_separately(consolidated: ParseResult) -> None:
    lukashenka = by_name(consolidated, "Aliaksandr Ryhoravich LUKASHENKA")
    planar = by_name(consolidated, "OJSC Planar")
    assert lukashenka.id != planar.id  # both are entry 45, of Annex I.A and I.B
    assert "Аляксандр Рыгоравіч ЛУКАШЭНКА" in lukashenka.get("alias")
    assert lukashenka.get("birthDate") == ["1954-08-30"]
    assert lukashenka.get("position") == ["President of the Republic of Belarus"]
    assert planar.schema.name == "LegalEntity"
    assert planar.get("registrationNumber") == ["100104937"]
    assert planar.get("incorporationDate") == ["1992-03-15"]
    assert set(planar.get("alias")) == {"ААТ ‘Планар’", "КБТЭМ ПЛАНАР"}
    [sanction] = sanctions_of(consolidated, planar)
    assert sanction.get("listingDate") == ["2025-03-27"]
    assert sanction.get("summary") == ["Annex I.B to Regulation (EC) No 765/2006"]


def test_free_form_cells(consolidated: ParseResult) -> None:
    skryba = by_name(consolidated, "Siarhei Ivanavich SKRYBA")  # "21.11.1964 / 1965"
    assert set(skryba.get("birthDate")) == {"1964-11-21", "1965"}
    assert skryba.get("email") == ["skriba_s@bseu.by"]
    shatrou = by_name(consolidated, "Aliaksandr Yauhenavich SHATROU")  # "Russian, Belarusian"
    assert set(shatrou.get("nationality")) == {"ru", "by"}
    assert shatrou.get("idNumber") == ["3091178A002VF5"]
    mandryk = by_name(consolidated, "Uladzislau Aliakseevich MANDRYK")
    assert mandryk.get("idNumber") == ["3040771A125PB2"]  # "...; Passport: MP3810311."
    assert mandryk.get("passportNumber") == ["MP3810311"]
    mukavozchyk = by_name(consolidated, "Andrei Mikalaevich MUKAVOZCHYK")
    assert set(mukavozchyk.get("passportNumber")) == {"MP 3413113", "MP 2387911"}
    # A quoted value with doubled quotes inside the multi-valued cell.
    assert mukavozchyk.get("position") == [
        'Political observer of "Belarus Today" ("Sovietskaia Belarus - Belarus Segodnya")'
    ]
    eismant = by_name(consolidated, "Natallia Mikalaeuna EISMANT")
    assert eismant.get("previousName") == [
        "Kirsanova (Russian spelling: Кирсанова) or Selyun (Russian spelling: Селюн)"
    ]


def test_unnumbered_rows_merge(consolidated: ParseResult) -> None:
    bank = by_name(consolidated, "Belagroprombank")  # in Annex IX and Annex XV
    sanctions = sanctions_of(consolidated, bank)
    assert {s.first("summary") for s in sanctions} == {
        "Annex IX to Regulation (EC) No 765/2006",
        "Annex XV to Regulation (EC) No 765/2006",
    }
    assert {s.first("listingDate") for s in sanctions} == {None, "2022-03-20"}
    assert {s.first("provisions") for s in sanctions} == {"Financial restrictions"}
    assert all(s.get("authorityId") == [] for s in sanctions)
    rouble = by_name(consolidated, "Belarusian Digital rouble")
    assert rouble.schema.name == "Asset"
    [sanction] = sanctions_of(consolidated, rouble)
    assert sanction.get("listingDate") == ["2026-05-24"]


def test_amendment_record(etk_amendment: ParseResult) -> None:
    etk = by_name(etk_amendment, "European Trading Company LLC")
    assert etk.schema.name == "Company"
    assert etk.id == make_id("eu_journal_sanctions", "32006R0765", "annex", "I.B", "62")
    assert etk.get("alias") == ["OOO Европейская Трейдинговая Компания (ETK)"]
    assert etk.get("innCode") == ["6732050064"]
    assert etk.get("ogrnCode") == ["1126733000063"]
    assert etk.get("kppCode") == ["673201001"]
    assert etk.get("incorporationDate") == ["2012-10-09"]
    assert etk.get("legalForm") == ["Limited Liability Company"]
    # The quoted first address holds a ";" of its own.
    assert len(etk.get("address")) == 2
    assert etk.get("address")[0].startswith("Room 1, 2")
    [sanction] = sanctions_of(etk_amendment, etk)
    assert sanction.get("listingDate") == ["2026-07-23"]
    assert sanction.get("authorityId") == ["62"]
    assert "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32026R1817" in sanction.get(
        "sourceUrl"
    )
    assert sanction.first("reason").startswith("European Trading Company (ETK) is a subsidiary")


# --- ids ---------------------------------------------------------------------------------


def test_ids_are_deterministic(consolidated: ParseResult) -> None:
    again = eu_oj.parse(source_file(CONSOLIDATED))
    assert [e.id for e in again.entities] == [e.id for e in consolidated.entities]
    assert len({e.id for e in consolidated.entities}) == len(consolidated.entities)


def test_amendment_updates_the_consolidated_target(consolidated: ParseResult) -> None:
    lukashenka = by_name(consolidated, "Aliaksandr Ryhoravich LUKASHENKA")
    [listed] = sanctions_of(consolidated, lukashenka)
    amended = eu_oj.parse(
        amendment(
            row(recordId="45", name="Aliaksandr Ryhoravich LUKASHENKA", startDate="6.11.2020")
        )
    )
    assert [e.id for e in amended.entities] == [lukashenka.id, listed.id]


def test_unnumbered_ids_agree_between_file_kinds() -> None:
    published = eu_oj.parse(source_file(f"{FOLDER}/amendment_32026R1846.csv"))
    chip = by_name(published, "CHIP AND DIP LLC")
    line = "32006R0765,,EU-BLR,V,Export control,,,LegalEntity,CHIP AND DIP LLC" + "," * 36
    snapshot = eu_oj.parse(
        SourceFile("32006R0765.csv", f"{CONSOLIDATED_HEADER}\n{line}\n".encode())
    )
    assert [e.id for e in targets(snapshot)] == [chip.id]


# --- sniffing ----------------------------------------------------------------------------


def test_sniff_accepts_exactly_its_files() -> None:
    accepted = {
        str(path.relative_to(SOURCES))
        for path in SOURCES.rglob("*")
        if path.is_file() and eu_oj.sniff(path.read_bytes())
    }
    assert accepted == {CONSOLIDATED, *AMENDMENTS}


# --- broken input ------------------------------------------------------------------------


def test_wrong_header() -> None:
    with pytest.raises(SourceError, match="not an EU Official Journal") as caught:
        eu_oj.parse(SourceFile("x.csv", b"celex,recordId,name\n32006R0765,1,A\n"))
    assert caught.value.file == "x.csv"
    assert caught.value.record == "line 1"


def test_truncated_file() -> None:
    data = source_file(CONSOLIDATED).data[:3000]  # ends inside the second row
    with pytest.raises(SourceError, match="broken row") as caught:
        eu_oj.parse(SourceFile("cut.csv", data))
    assert caught.value.record == "line 3"
    lenient = eu_oj.parse(SourceFile("cut.csv", data), lenient=True)
    assert lenient.records == 1
    assert len(lenient.warnings) == 1
    assert "cut.csv: record line 3" in lenient.warnings[0]


def test_wrong_encoding() -> None:
    data = amendment(row(name="Aliaksandr ŁUKASZENKA")).data.replace("Ł".encode(), b"\xa3")
    with pytest.raises(SourceError, match="not valid utf-8") as caught:
        eu_oj.parse(SourceFile("cp1250.csv", data))
    assert caught.value.file == "cp1250.csv"
    assert caught.value.record == "line 2"


def test_missing_required_field() -> None:
    with pytest.raises(SourceError, match="required value is empty") as caught:
        eu_oj.parse(amendment(row(recordId="7", name="")))
    assert caught.value.field == "name"
    assert caught.value.record == "line 2 (Annex I.A entry 7)"


def test_bad_values_name_record_and_field() -> None:
    with pytest.raises(SourceError) as caught:
        eu_oj.parse(amendment(row(recordId="7", startDate="someday")))
    assert (caught.value.record, caught.value.field) == ("line 2 (Annex I.A entry 7)", "startDate")
    with pytest.raises(SourceError, match="Person has no property 'imoNumber'") as caught:
        eu_oj.parse(amendment(row(recordId="8", imoNumber="9123456")))
    assert caught.value.field == "imoNumber"
    with pytest.raises(SourceError, match="schema 'Human'") as caught:
        eu_oj.parse(amendment(row(schema="Human")))
    assert caught.value.field == "schema"
    with pytest.raises(SourceError, match="CELEX") as caught:
        eu_oj.parse(amendment(row(amendedCelex="CELEX:32006R0765")))
    assert caught.value.field == "amendedCelex"


def test_oversized_field() -> None:
    huge = "x" * (MAX_FIELD_CHARS + 1)
    with pytest.raises(SourceError, match="larger than field limit") as caught:
        eu_oj.parse(amendment(row(recordId="8"), row(recordId="9", reason=huge)))
    assert caught.value.file == "amendment_test.csv"
    assert caught.value.record == "line 3"


def test_same_entry_with_incompatible_schemata() -> None:
    with pytest.raises(SourceError, match="same entry") as caught:
        eu_oj.parse(amendment(row(recordId="3"), row(recordId="3", schema="Vessel", measure="X")))
    assert caught.value.record == "line 3 (Annex I.A entry 3)"


def test_lenient_keeps_good_rows() -> None:
    file = amendment(row(recordId="1", name="Good ONE"), row(recordId="2", startDate="never"))
    result = eu_oj.parse(file, lenient=True)
    assert result.records == 1
    assert [e.first("name") for e in targets(result)] == ["Good ONE"]
    [warning] = result.warnings
    assert "record line 3 (Annex I.A entry 2): field startDate" in warning


def test_amendments_are_partial_versions() -> None:
    assert eu_oj.parse(source_file("eu_oj_opensanctions/32006R0765_latest.csv")).complete
    assert not eu_oj.parse(source_file("eu_oj_opensanctions/amendment_32026R1817.csv")).complete
