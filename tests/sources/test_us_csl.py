"""US Trade Consolidated Screening List CSV: the real (truncated) 2023-11-30 file and small
hand-written files for the damaged cases."""

from __future__ import annotations

from collections import Counter

import pytest
from followthemoney import EntityProxy

from belwatch.exc import SourceError
from belwatch.sources import ofac_csv, ofac_xml, us_csl
from belwatch.sources.base import ParseResult, SourceFile, make_id
from belwatch.sources.datasets import BELARUS_PROGRAM

from conftest import SOURCES, source_file

CSL = "us_csl/csl_2023-11-30.csv"
SDN = "Specially Designated Nationals (SDN) - Treasury Department"
ENTITY_LIST = "Entity List (EL) - Bureau of Industry and Security"


@pytest.fixture(scope="module")
def csl() -> ParseResult:
    return us_csl.parse(source_file(CSL), lenient=True)


def sanctions(result: ParseResult) -> list[EntityProxy]:
    return [e for e in result.entities if e.schema.name == "Sanction"]


def listing(result: ParseResult, key: str, source: str = SDN) -> tuple[EntityProxy, EntityProxy]:
    """The entity listed under an _id and its Sanction on one sub-list."""
    entity = next(e for e in result.entities if e.id == make_id("us_trade_csl", key))
    sanction = next(
        e
        for e in sanctions(result)
        if e.first("entity") == entity.id and source in e.get("program")
    )
    return entity, sanction


def test_truncated_file_is_refused_by_default() -> None:
    with pytest.raises(SourceError) as caught:
        us_csl.parse(source_file(CSL))
    error = caught.value
    assert error.file is not None and error.file.endswith(CSL)
    assert "file is truncated" in error.message and "incomplete" in error.message
    # the last record starts on line 4233: "11476", BERMUDEZ SUAZA, cut inside its addresses
    assert error.record == "line 4233 (_id 11476, BERMUDEZ SUAZA, Pedro Antonio)"


def test_lenient_keeps_the_complete_records(csl: ParseResult) -> None:
    assert csl.dataset == "us_trade_csl"
    # 4,229 CSV rows: the header, the header again on line 2, 4,226 complete listings and
    # the cut-off 11476 (PROVENANCE counts 4,227 records with it).
    assert csl.records == 4226
    assert len(sanctions(csl)) == 4226
    assert csl.warnings[0].endswith("line 2: the header row is repeated; skipped")
    [dropped] = csl.warnings[1:]
    assert "line 4233 (_id 11476, BERMUDEZ SUAZA, Pedro Antonio)" in dropped
    assert "truncated" in dropped and "dropped" in dropped
    per_list = Counter(s.get("program")[0] for s in sanctions(csl))
    assert per_list[SDN] == 1737  # 1,738 in the file less the cut-off record
    assert per_list[ENTITY_LIST] == 919
    assert per_list["Denied Persons List (DPL) - Bureau of Industry and Security"] == 577
    assert per_list["Capta List (CAP) - Treasury Department"] == 1
    assert len(per_list) == 13


def test_belarus_programme_targets(csl: ParseResult) -> None:
    # 21 SDN rows carry BELARUS / BELARUS-EO14038 in `programs`; PROVENANCE's 28 also
    # counts rows that only have an address in Belarus (e.g. BIS Entity List entries).
    belarus = {
        s.first("entity")
        for s in sanctions(csl)
        if any(BELARUS_PROGRAM.search(p) for p in s.get("program"))
    }
    assert len(belarus) == 21


def test_lukashenka(csl: ParseResult) -> None:
    # "9760",SDN,...,"LUKASHENKA, Alyaksandr Ryhorovich",...,"LUKASHENKO, Aleksandr
    # Grigorevich; ...","","1954-08-30; 1954-08-31","BY","Kopys, Vitebsk oblast, Belarus",...
    person, sanction = listing(csl, "9760")
    assert person.schema.name == "Person"
    assert person.get("name") == ["Alyaksandr Ryhorovich LUKASHENKA"]
    assert "Aleksandr Grigorevich LUKASHENKO" in person.get("alias")
    assert person.get("birthDate") == ["1954-08-30", "1954-08-31"]
    assert person.get("nationality") == ["by"]
    assert person.get("gender") == ["male"]
    assert "38 Karl Marx St., Minsk, BY" in person.get("address")
    assert sanction.get("program") == [SDN, "BELARUS"]
    assert sanction.get("authorityId") == ["9760"]


def test_entity_list_and_denied_persons(csl: ParseResult) -> None:
    # Belmicrosystems: Entity List, start_date 2010-06-28, "75 FR 36516, 77 FR 58006", Minsk
    entity = next(
        e
        for e in csl.entities
        if "Belmicrosystems Research and Design Center" in e.get("name", quiet=True)
    )
    assert entity.schema.name == "LegalEntity"  # BIS lists give no type
    assert entity.get("country") == ["by"]
    [sanction] = [s for s in sanctions(csl) if s.first("entity") == entity.id]
    assert sanction.get("program") == [ENTITY_LIST]
    assert sanction.get("listingDate") == ["2010-06-28"]
    assert sanction.get("summary") == ["75 FR 36516, 77 FR 58006"]
    assert "Presumption of denial" in sanction.get("provisions")
    # AARON ABRAHAM VILLA: DPL from 2022-08-24 until 2026-01-14
    villa = next(e for e in csl.entities if "AARON ABRAHAM VILLA" in e.get("name", quiet=True))
    [sanction] = [s for s in sanctions(csl) if s.first("entity") == villa.id]
    assert (sanction.get("listingDate"), sanction.get("endDate")) == (
        ["2022-08-24"],
        ["2026-01-14"],
    )


def test_one_target_on_two_sub_lists(csl: ParseResult) -> None:
    # _id 17014 has a row on NS-MBS and one on SSI: one entity, two Sanctions
    bank, _ = listing(
        csl, "17014", "Sectoral Sanctions Identifications List (SSI) - Treasury Department"
    )
    own = [s for s in sanctions(csl) if s.first("entity") == bank.id]
    assert len(own) == 2
    assert sum(1 for e in csl.entities if e.id == bank.id) == 1
    assert bank.get("registrationNumber") == ["1027700342890"]
    assert bank.get("swiftBic") == ["RUAGRUMM"]


def test_passport_with_dates_and_vessel(csl: ParseResult) -> None:
    # "6944" AL-SHARIF: "Passport, G 649385, 08 Sep 2006, 17 Jul 2011; Passport, B 960789"
    person, _ = listing(csl, "6944")
    assert sorted(person.get("passportNumber")) == ["B 960789", "G 649385"]
    passport = next(
        e
        for e in csl.entities
        if e.schema.name == "Passport"
        and "G 649385" in e.get("number")
        and person.id in e.get("holder")
    )
    assert (passport.get("startDate"), passport.get("endDate")) == (["2006-09-08"], ["2011-07-17"])
    # "4238" MAR AZUL: call sign CL2192, Tug, GRT 212, Cuba; owner not itself listed
    vessel, _ = listing(csl, "4238")
    assert vessel.schema.name == "Vessel"
    assert vessel.get("callSign") == ["CL2192"]
    assert vessel.get("grossRegisteredTonnage") == ["212"]
    assert vessel.get("flag") == ["cu"]
    assert vessel.get("notes") == ["Vessel owner: Samir de Navegacion S.A."]


def test_sniffer_accepts_exactly_its_own_file() -> None:
    for path in sorted(p for p in SOURCES.rglob("*") if p.is_file()):
        data, rel = path.read_bytes(), str(path.relative_to(SOURCES))
        assert us_csl.sniff(data) == (rel == CSL), rel
    data = (SOURCES / CSL).read_bytes()
    assert not any(f.sniff(data) for f in [*ofac_csv.FORMATS, ofac_xml.FORMAT])


# --- small hand-written files -----------------------------------------------------------

HEADER = (SOURCES / CSL).read_bytes().split(b"\n", 1)[0].decode().strip()
COLUMNS = HEADER.split(",")


def row(**values: str) -> str:
    return ",".join(f'"{values.get(column, "")}"' for column in COLUMNS)


GOOD = row(
    _id="9761", source=SDN, entity_number="9761", type="Individual", programs="BELARUS",
    name="HALAVANAU, Viktar Hryhoryavich", dates_of_birth="1952", ids="Gender, Male",
)  # fmt: skip
OTHER = row(
    _id="abc", source=ENTITY_LIST, name="Belmicrosystems", addresses="12, Minsk, 220108, BY"
)


def csl_file(*rows: str, data: bytes | None = None) -> SourceFile:
    return SourceFile(
        "sample_csl.csv", data if data is not None else "\n".join([HEADER, *rows, ""]).encode()
    )


def test_small_file_parses_with_the_same_ids_twice() -> None:
    first = us_csl.parse(csl_file(GOOD, OTHER))
    second = us_csl.parse(csl_file(GOOD, OTHER))
    assert first.records == 2 and first.warnings == []
    assert [e.id for e in first.entities] == [e.id for e in second.entities]
    person, sanction = listing(first, "9761")
    assert person.get("birthDate") == ["1952"]
    assert person.get("gender") == ["male"]
    assert sanction.get("program") == [SDN, "BELARUS"]


def test_cut_inside_a_quoted_field() -> None:
    data = "\n".join([HEADER, GOOD, OTHER]).encode()
    cut = csl_file(data=data[:-20])
    with pytest.raises(SourceError, match="truncated") as caught:
        us_csl.parse(cut)
    assert caught.value.record == "line 3 (_id abc, Belmicrosystems)"
    lenient = us_csl.parse(cut, lenient=True)
    assert lenient.records == 1
    assert any("_id abc" in w and "dropped" in w for w in lenient.warnings)


def test_short_row_in_the_middle() -> None:
    short = GOOD.rsplit('","', 3)[0] + '"'  # the last three columns missing
    with pytest.raises(SourceError, match="26 columns where the header has 29") as caught:
        us_csl.parse(csl_file(short, OTHER))
    assert caught.value.record == "line 2 (_id 9761, HALAVANAU, Viktar Hryhoryavich)"


@pytest.mark.parametrize("column", ["_id", "source", "name"])
def test_missing_required_value(column: str) -> None:
    broken = row(**{"_id": "x1", "source": ENTITY_LIST, "name": "Somebody", column: ""})
    with pytest.raises(SourceError, match="required value is empty") as caught:
        us_csl.parse(csl_file(GOOD, broken))
    assert caught.value.file == "sample_csl.csv"
    assert caught.value.record is not None and caught.value.record.startswith("line 3")
    assert caught.value.field == column
    assert us_csl.parse(csl_file(GOOD, broken), lenient=True).records == 1


def test_missing_column_in_header() -> None:
    header = HEADER.replace(",name,", ",label,")
    with pytest.raises(SourceError, match="lacks the column") as caught:
        us_csl.parse(SourceFile("sample_csl.csv", f"{header}\n{GOOD}\n".encode()))
    assert caught.value.record == "line 1"


def test_wrong_encoding_names_the_line() -> None:
    data = "\n".join([HEADER, GOOD, OTHER.replace("Belmicrosystems", "Белмікрасістэмы")]).encode(
        "cp1251"
    )
    with pytest.raises(SourceError, match="not valid utf-8") as caught:
        us_csl.parse(csl_file(data=data))
    assert caught.value.file == "sample_csl.csv"
    assert caught.value.record == "line 3"


def test_oversized_field() -> None:
    huge = row(_id="x1", source=ENTITY_LIST, name="Somebody", remarks="x" * (1024 * 1024 + 1))
    with pytest.raises(SourceError) as caught:
        us_csl.parse(csl_file(GOOD, huge))
    assert caught.value.file == "sample_csl.csv"
    assert caught.value.record is not None and "line 3" in caught.value.record
