"""OFAC legacy CSV: the five real sdn.csv snapshots, the consolidated cons_*.csv set, and
small hand-written files for the damaged cases. Each big file is parsed once per module."""

from __future__ import annotations

import pytest
from followthemoney import EntityProxy

from belwatch.exc import SourceError
from belwatch.sources import ofac_csv, ofac_programs, ofac_xml, us_csl
from belwatch.sources.base import ParseResult, SourceFile, make_id
from belwatch.sources.datasets import BELARUS_PROGRAM

from conftest import SOURCES, source_file

# file: (entries, Belarus-programme entries), as PROVENANCE.md counts them
SDN_FILES = {
    "ofac_sdn/sdn_2021-08-18.csv": (9083, 103),
    "ofac_sdn/sdn_2021-12-30.csv": (9008, 138),
    "ofac_sdn/sdn_2022-12-28.csv": (11430, 164),
    "ofac_sdn/sdn_2023-12-28.csv": (13821, 210),
    "ofac_sdn/sdn_2024-05-03.csv": (14965, 232),
}
LATEST = "ofac_sdn/sdn_2024-05-03.csv"
CONS = "ofac_cons/2025-12-19"
ROLES = ("add", "alt", "comments")


@pytest.fixture(scope="module")
def sdn() -> dict[str, ParseResult]:
    return {path: ofac_csv.parse(source_file(path)) for path in SDN_FILES}


def cons_file(roles: tuple[str, ...] = ROLES) -> SourceFile:
    prim = source_file(f"{CONS}/cons_prim.csv")
    prim.companions = {role: source_file(f"{CONS}/cons_{role}.csv").data for role in roles}
    return prim


@pytest.fixture(scope="module")
def cons() -> ParseResult:
    return ofac_csv.parse(cons_file())


def entry(result: ParseResult, ent_num: str) -> tuple[EntityProxy, EntityProxy]:
    """The target listed under an ent_num and its Sanction."""
    sanction = next(
        e
        for e in result.entities
        if e.schema.name == "Sanction" and ent_num in e.get("authorityId")
    )
    [target] = [e for e in result.entities if e.id == sanction.first("entity")]
    return target, sanction


def related(result: ParseResult, entity: EntityProxy) -> list[EntityProxy]:
    props = ("holder", "subject", "asset")
    return [e for e in result.entities if any(entity.id in e.get(p, quiet=True) for p in props)]


def belarus_targets(result: ParseResult) -> set[str]:
    return {
        str(e.first("entity"))
        for e in result.entities
        if e.schema.name == "Sanction" and any(BELARUS_PROGRAM.search(p) for p in e.get("program"))
    }


# --- the real files ---------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(SDN_FILES))
def test_sdn_snapshot_counts(sdn: dict[str, ParseResult], path: str) -> None:
    entries, belarus = SDN_FILES[path]
    result = sdn[path]
    assert result.dataset == "us_ofac_sdn"
    assert result.format == "ofac_csv"
    assert result.records == entries
    assert sum(1 for e in result.entities if e.schema.name == "Sanction") == entries
    assert len(belarus_targets(result)) == belarus
    assert result.warnings == []
    assert result.published is None and result.declared is None  # the CSV states neither


def test_lukashenka_under_belarus_with_his_birth_date(sdn: dict[str, ParseResult]) -> None:
    # 9760,"LUKASHENKA, Alyaksandr Ryhorovich","individual","BELARUS",...,"DOB 30 Aug 1954;
    # alt. DOB 31 Aug 1954; POB Kopys, Vitebsk oblast, Belarus; nationality Belarus; Gender Male."
    # (sdn.csv carries no "Lukashenko" spelling: OFAC lists those in alt.csv, not in Remarks.)
    person, sanction = entry(sdn[LATEST], "9760")
    assert person.schema.name == "Person"
    assert person.get("name") == ["Alyaksandr Ryhorovich LUKASHENKA"]
    assert person.get("lastName") == ["LUKASHENKA"]
    assert person.get("firstName") == ["Alyaksandr Ryhorovich"]
    assert person.get("birthDate") == ["1954-08-30", "1954-08-31"]
    assert person.get("birthPlace") == ["Kopys, Vitebsk oblast, Belarus"]
    assert person.get("nationality") == ["by"]
    assert person.get("gender") == ["male"]
    assert sanction.get("program") == ["BELARUS"]
    assert person.id == make_id("us_ofac_sdn", "9760")


def test_ids_stay_the_same_across_snapshots(sdn: dict[str, ParseResult]) -> None:
    ids = {entry(result, "9760")[0].id for result in sdn.values()}
    assert ids == {make_id("us_ofac_sdn", "9760")}


def test_2021_08_keeps_the_truncated_programme_code(sdn: dict[str, ParseResult]) -> None:
    # 31731,"SHAPETSKA, Yauhen Andreevich","individual","BELARUS-EO",...
    person, sanction = entry(sdn["ofac_sdn/sdn_2021-08-18.csv"], "31731")
    assert sanction.get("program") == ["BELARUS-EO"]
    assert BELARUS_PROGRAM.search("BELARUS-EO")
    assert person.get("idNumber") == ["3300389A054PB9"]
    assert person.get("taxNumber") == ["AC1400707"]
    programs = {
        p for e in sdn["ofac_sdn/sdn_2021-08-18.csv"].entities for p in e.get("program", quiet=True)
    }
    assert "BELARUS-EO14038" not in programs


def test_belarus_person_with_passport_and_foreign_id(sdn: dict[str, ParseResult]) -> None:
    # 32741,"HAIDUKEVICH, Aleh Siarheevich","individual","BELARUS-EO14038",...,"DOB 26 Mar 1977;
    # POB Minsk, Belarus; nationality Belarus; Gender Male; Passport MP2663333 (Belarus);
    # National Foreign ID Number 3260377A081PB9 (Belarus)."
    result = sdn[LATEST]
    person, sanction = entry(result, "32741")
    assert sanction.get("program") == ["BELARUS-EO14038"]
    assert person.get("birthDate") == ["1977-03-26"]
    assert person.get("passportNumber") == ["MP2663333"]
    assert person.get("idNumber") == ["3260377A081PB9"]
    docs = {e.schema.name: e for e in related(result, person)}
    assert docs["Passport"].get("number") == ["MP2663333"]
    assert docs["Passport"].get("country") == ["by"]
    assert docs["Identification"].get("type") == ["National Foreign ID Number"]


def test_linked_to_points_at_the_other_entry(sdn: dict[str, ParseResult]) -> None:
    # 33373,"EW-001PH","aircraft","BELARUS-EO14038",...,"Aircraft Manufacture Date 2018;
    # Aircraft Model Agusta-Westland AW-139; Aircraft Manufacturer's Serial Number (MSN) 31835;
    # Linked To: FOREIGN LIMITED LIABILITY COMPANY SLAVKALI."  (SLAVKALI is ent_num 33371)
    result = sdn[LATEST]
    plane, _ = entry(result, "33373")
    assert plane.schema.name == "Airplane"
    assert plane.get("registrationNumber") == ["EW-001PH"]
    assert plane.get("model") == ["Agusta-Westland AW-139"]
    assert plane.get("serialNumber") == ["31835"]
    assert plane.get("buildDate") == ["2018"]
    [link] = related(result, plane)
    owner, _ = entry(result, "33371")
    assert link.schema.name == "UnknownLink"
    assert link.get("object") == [owner.id]
    assert owner.get("name") == ["FOREIGN LIMITED LIABILITY COMPANY SLAVKALI"]
    assert owner.get("registrationNumber") == ["191689538"]
    assert owner.get("incorporationDate") == ["2011-10-25"]


def test_ambiguous_link_is_kept_as_a_note(sdn: dict[str, ParseResult]) -> None:
    # Two entries are named "MINISTRY OF STATE SECURITY" (20129 and 25437): no guess.
    result = sdn[LATEST]
    linked = [
        e
        for e in result.entities
        if "Linked To: MINISTRY OF STATE SECURITY" in " ".join(e.get("notes", quiet=True))
    ]
    assert linked
    assert not any(e.schema.name == "UnknownLink" for e in related(result, linked[0]))


def test_vessel_and_company_identifiers(sdn: dict[str, ParseResult]) -> None:
    result = sdn[LATEST]
    # 31944,"MURMAN","vessel","PEESA-EO14039",-0- ,"UBAN4","Salvage Ship",-0- ,-0- ,"Russia",
    # -0- ,"Vessel Registration Identification IMO 9682423; Linked To: FEDERAL STATE ..."
    vessel, _ = entry(result, "31944")
    assert vessel.schema.name == "Vessel"
    assert vessel.get("callSign") == ["UBAN4"]
    assert vessel.get("type") == ["Salvage Ship"]
    assert vessel.get("flag") == ["ru"]
    assert vessel.get("imoNumber") == ["IMO9682423"]
    # 17013 VTB BANK: SWIFT/BIC VTBRRUMM; BIK (RU) ...; Registration ID 1027739609391 (Russia);
    # Tax ID No. 7702070139 (Russia); Government Gazette Number 00032520 (Russia); ...
    bank, sanction = entry(result, "17013")
    assert bank.schema.name == "Company"  # BIK: a company-only fact
    assert bank.get("swiftBic") == ["VTBRRUMM"]
    assert bank.get("innCode") == ["7702070139"]
    assert bank.get("ogrnCode") == ["1027739609391"]
    assert bank.get("okpoCode") == ["00032520"]
    assert "044030707" in bank.get("bikCode")
    assert sanction.get("program") == ["UKRAINE-EO13662", "RUSSIA-EO14024"]
    assert "Executive Order 13662 Directive Determination - Subject to Directive 1" in sanction.get(
        "provisions"
    )


def test_consolidated_set_with_its_side_files(cons: ParseResult) -> None:
    assert cons.dataset == "us_ofac_cons"
    assert cons.records == 442
    assert len(belarus_targets(cons)) == 0
    assert cons.warnings == []
    bank, sanction = entry(cons, "17014")
    assert bank.id == make_id("us_ofac_cons", "17014")
    # cons_prim's Remarks stop at 1,000 characters mid-word ("Registration Numbe");
    # cons_comments.csv continues them ("r 1027700342890 (Russia); ...").
    assert bank.get("registrationNumber") == ["1027700342890"]
    assert sanction.get("listingDate") == ["2022-02-24"]
    assert "ROSSELKHOZBANK" in bank.get("alias")  # cons_alt.csv
    addresses = [e for e in cons.entities if e.id in bank.get("addressEntity")]
    assert {a.first("full") for a in addresses} == {
        "3, Gagarinsky Pereulok, Moscow 119034, Russia",
        "3 Gagarinsky per., Moscow 119034, Russia",
    }
    assert {a.first("postalCode") for a in addresses} == {"119034"}
    assert {a.first("city") for a in addresses} == {"Moscow"}
    # 9647 ZAHHAR is on NS-PLC and SDGT; his alias from Remarks is flipped to natural order
    person, sanction = entry(cons, "9647")
    assert sanction.get("program") == ["SDGT", "NS-PLC"]
    assert "Mahmoud AL-ZAHAR" in person.get("alias")


def test_consolidated_without_side_files_still_reads_every_entry() -> None:
    result = ofac_csv.parse(cons_file(roles=()))
    assert (result.dataset, result.records) == ("us_ofac_cons", 442)
    bank, _ = entry(result, "17014")
    assert "ROSSELKHOZBANK" not in bank.get("alias")
    assert bank.get("registrationNumber") == []  # the cut-off "Registration Numbe"


def test_sniffers_accept_exactly_their_own_files() -> None:
    owners = {
        "ofac_csv": {f"{CONS}/cons_prim.csv", *SDN_FILES},
        **{f"ofac_csv_{role}": {f"{CONS}/cons_{role}.csv"} for role in ROLES},
    }
    formats = {f.name: f for f in ofac_csv.FORMATS}
    assert {f.role for f in ofac_csv.FORMATS} == {None, *ROLES}
    assert all(f.companion_of == "ofac_csv" for f in ofac_csv.FORMATS if f.role)
    others = [ofac_xml.FORMAT, us_csl.FORMAT]
    for path in sorted(p for p in SOURCES.rglob("*") if p.is_file()):
        data, rel = path.read_bytes(), str(path.relative_to(SOURCES))
        accepted = {name for name, fmt in formats.items() if fmt.sniff(data)}
        assert accepted == {name for name, files in owners.items() if rel in files}, rel
        if accepted:
            assert not any(fmt.sniff(data) for fmt in others), rel


def test_side_file_alone_is_refused() -> None:
    side = next(f for f in ofac_csv.FORMATS if f.role == "alt")
    with pytest.raises(SourceError, match="companion"):
        side.parse(source_file(f"{CONS}/cons_alt.csv"))


def test_dataset_rule() -> None:
    split = ofac_programs.split_programs
    assert split("BELARUS] [BELARUS-EO14038") == ["BELARUS", "BELARUS-EO14038"]
    assert split("SDGT") == ["SDGT"]
    assert ofac_programs.is_non_sdn(["NS-PLC"], "")
    assert ofac_programs.is_non_sdn(["CMIC-EO13959"], "")
    assert not ofac_programs.is_non_sdn(["SDGT", "NS-PLC"], "")  # on both lists
    assert ofac_programs.is_non_sdn(["UKRAINE-EO13662"], "Subject to Directive 1")  # SSI
    assert ofac_programs.decide_dataset([True, True, False]) == "us_ofac_cons"
    assert ofac_programs.decide_dataset([True, False]) == "us_ofac_sdn"
    assert ofac_programs.decide_dataset([]) == "us_ofac_sdn"


# --- small hand-written files -----------------------------------------------------------

ROW_A = (
    '36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    "\"a.k.a. 'AERO-CARIBBEAN'.\""
)
ROW_B = (
    '9760,"LUKASHENKA, Alyaksandr Ryhorovich","individual","BELARUS",-0- ,-0- ,-0- ,-0- ,-0- ,'
    '-0- ,-0- ,"DOB 30 Aug 1954; POB Kopys, Vitebsk oblast, Belarus; nationality Belarus."'
)
ROW_C = (
    '9761,"HALAVANAU, Viktar","individual","BELARUS",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 1952."'
)


def csv_file(*rows: str, end: bytes = b"\r\n\x1a") -> SourceFile:
    return SourceFile(name="sample_sdn.csv", data="\r\n".join(rows).encode("latin-1") + end)


def test_small_file_parses_with_the_same_ids_twice() -> None:
    first = ofac_csv.parse(csv_file(ROW_A, ROW_B, ROW_C))
    second = ofac_csv.parse(csv_file(ROW_A, ROW_B, ROW_C))
    assert first.records == 3
    assert [e.id for e in first.entities] == [e.id for e in second.entities]
    assert len({e.id for e in first.entities}) == len(first.entities)
    airline, _ = entry(first, "36")
    assert airline.schema.name == "Organization"
    assert airline.get("alias") == ["AERO-CARIBBEAN"]


def test_latin1_text_is_read() -> None:
    row = ROW_C.replace("Viktar", "Víktar")
    result = ofac_csv.parse(csv_file(ROW_A, row))
    person, _ = entry(result, "9761")
    assert person.get("firstName") == ["Víktar"]


def test_truncated_file_names_the_last_record() -> None:
    cut = csv_file(ROW_A, ROW_B, ROW_C[:40], end=b"")
    with pytest.raises(SourceError) as caught:
        ofac_csv.parse(cut)
    message = str(caught.value)
    assert "sample_sdn.csv" in message and "truncated" in message
    assert caught.value.record == "line 3 (ent_num 9761)"
    lenient = ofac_csv.parse(cut, lenient=True)
    assert lenient.records == 2
    assert any("line 3 (ent_num 9761)" in w and "truncated" in w for w in lenient.warnings)


def test_utf16_file_is_refused() -> None:
    data = "\r\n".join([ROW_A, ROW_B]).encode("utf-16")
    with pytest.raises(SourceError, match="NUL bytes") as caught:
        ofac_csv.parse(SourceFile("sample_sdn.csv", data))
    assert caught.value.file == "sample_sdn.csv"


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        (ROW_C.replace('"HALAVANAU, Viktar"', '""'), "SDN_Name", "without a name"),
        (ROW_C.replace('"individual"', '"spaceship"'), "SDN_Type", "unknown SDN_Type"),
        (ROW_C.replace('"BELARUS"', "-0- "), "Program", "without a programme"),
    ],
)
def test_missing_or_bad_field_is_named(row: str, field: str, message: str) -> None:
    with pytest.raises(SourceError, match=message) as caught:
        ofac_csv.parse(csv_file(ROW_A, row))
    assert caught.value.file == "sample_sdn.csv"
    assert caught.value.record == "line 2 (ent_num 9761)"
    assert caught.value.field == field
    lenient = ofac_csv.parse(csv_file(ROW_A, row), lenient=True)
    assert lenient.records == 1 and len(lenient.warnings) == 1


def test_short_row_and_bad_ent_num() -> None:
    with pytest.raises(SourceError, match="11 columns where 12") as caught:
        ofac_csv.parse(csv_file(ROW_B.replace("-0- ,", "", 1), ROW_A))
    assert caught.value.record == "line 1 (ent_num 9760)"
    with pytest.raises(SourceError, match="not a number") as caught:
        ofac_csv.parse(csv_file(ROW_A, "X" + ROW_C))
    assert caught.value.record == "line 2"


def test_duplicate_ent_num_is_refused() -> None:
    with pytest.raises(SourceError, match="twice") as caught:
        ofac_csv.parse(csv_file(ROW_C, ROW_C))
    assert caught.value.field == "ent_num"


def test_oversized_field_is_refused() -> None:
    huge = ROW_C.replace("DOB 1952.", "x" * (1024 * 1024 + 10))
    with pytest.raises(SourceError) as caught:
        ofac_csv.parse(csv_file(ROW_A, huge))
    assert caught.value.file == "sample_sdn.csv"
    assert caught.value.record is not None and "line 2" in caught.value.record


def test_side_file_problems_name_the_side_file() -> None:
    add = b'9761,1,"Ul. Lenina 1","Minsk 220030","Belarus",-0- \r\n9761,2,"cut\r\n'
    sample = csv_file(ROW_A, ROW_C)
    sample.companions = {"add": add}
    with pytest.raises(SourceError, match="truncated") as caught:
        ofac_csv.parse(sample)
    assert caught.value.file == "sample_sdn.csv [add]"
    assert caught.value.record == "line 2 (ent_num 9761)"
    sample.companions = {"add": add, "alt": b'4242,7,"aka","NOBODY",-0- \r\n', "extra": b""}
    result = ofac_csv.parse(sample, lenient=True)
    person, _ = entry(result, "9761")
    assert person.get("address") == ["Ul. Lenina 1, Minsk 220030, Belarus"]
    assert len(result.warnings) == 3  # the cut add row, the unknown role, the orphan alt row
    assert any("alt rows for ent_num 4242 match no entry" in w for w in result.warnings)
