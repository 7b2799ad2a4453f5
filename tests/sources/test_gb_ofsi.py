"""UK OFSI Consolidated List (ConList): the real 2025-04 xlsx and a CSV fixture in the same
layout (tests/sources/fixtures/gb_ofsi_conlist.csv, written for these tests)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from followthemoney import EntityProxy

from belwatch.exc import SourceError
from belwatch.sources import gb_fcdo, gb_ofsi, uk_common
from belwatch.sources.base import ParseResult, SourceFile, make_id
from belwatch.sources.datasets import BELARUS_PROGRAM

from conftest import SOURCES, source_file

XLSX = "uk/UK_Sanctions_List_2025-04.xlsx"
CSV = Path(__file__).parent / "fixtures" / "gb_ofsi_conlist.csv"
DATASET = "gb_hmt_sanctions"


@pytest.fixture(scope="module")
def real() -> ParseResult:
    return gb_ofsi.parse(source_file(XLSX))


@pytest.fixture(scope="module")
def sample() -> ParseResult:
    return gb_ofsi.parse(SourceFile(CSV.name, CSV.read_bytes()))


def target(result: ParseResult, group: str) -> EntityProxy:
    wanted = make_id(DATASET, group)
    return next(e for e in result.entities if e.id == wanted)


def sanctions(result: ParseResult, entity: EntityProxy) -> dict[str, EntityProxy]:
    return {
        s.first("program"): s
        for s in result.entities
        if s.schema.name == "Sanction" and entity.id in s.get("entity")
    }


def links(result: ParseResult, schema: str) -> list[EntityProxy]:
    return [e for e in result.entities if e.schema.name == schema]


def mutated(change: Callable[[list[list[str]]], None]) -> bytes:
    """The CSV fixture with its rows changed."""
    rows = list(csv.reader(io.StringIO(CSV.read_text(encoding="utf-8"), newline="")))
    change(rows)
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


# --- the real list ---------------------------------------------------------------------


def test_real_counts(real: ParseResult) -> None:
    assert real.records == 4686  # distinct Group IDs; PROVENANCE: 4686 (18,796 name rows)
    assert real.published == date(2025, 4, 10)  # "Last Updated,10/04/2025"
    assert real.declared is None
    assert real.warnings == []
    assert len({e.id for e in real.entities}) == len(real.entities)


def test_real_belarus_targets(real: ParseResult) -> None:
    belarus = {
        s.first("entity")
        for s in real.entities
        if s.schema.name == "Sanction" and any(BELARUS_PROGRAM.search(p) for p in s.get("program"))
    }
    assert len(belarus) == 167  # PROVENANCE: 167 (135 individuals, 32 entities)


def test_real_viktor_lukashenko(real: ParseResult) -> None:
    person = target(real, "13919")  # 24 rows: 12 names x 2 regimes
    assert person.schema.name == "Person"
    assert person.get("name") == ["Viktor Aliaksandravich LUKASHENKO"]
    assert person.get("lastName") == ["LUKASHENKO"]
    assert {"ЛУКАШЭНКА, Віктар Аляксандравіч", "ЛУКАШЕНКО, Виктор Александрович"} <= set(
        person.get("alias")
    )
    assert "Viktar Aleksandrovich LUKASHENKA" in person.get("alias")
    assert person.get("birthDate") == ["1975-11-28"]
    assert person.get("birthPlace") == ["Mohilev/Mogilev/Mahiliou"]
    assert person.get("nationality") == ["by"]
    assert person.get("gender") == ["male"]
    assert "former National Security Advisor to the President" in person.get("position")
    assert "Son of the President." in person.first("notes")
    listed = sanctions(real, person)
    assert set(listed) == {"Belarus", "Global Human Rights"}
    assert listed["Belarus"].get("listingDate") == ["2020-11-06"]
    assert listed["Global Human Rights"].get("listingDate") == ["2020-09-29"]
    assert listed["Belarus"].get("authorityId") == ["13919"]
    assert set(listed["Belarus"].get("programId")) == {"BEL0047", "GHR0051"}
    assert listed["Belarus"].first("reason").startswith("Viktor Lukashenko is the former")


def test_real_passports_and_address(real: ParseResult) -> None:
    person = target(real, "14161")  # GUSACHENKA: every name a "Primary name variation"
    assert person.get("name") == ["Sergey Alexandrovich GUSACHENKO"]
    assert {"Сергей Александрович ГУСАЧЕНКО", "Сяргей Аляксандравiч ГУСАЧЭНКА"} <= set(
        person.get("alias")
    )
    assert person.get("birthDate") == ["1983-11-05"]
    assert set(person.get("passportNumber")) == {"SP0017927", "MP2486634", "MP2972008"}
    passport = next(e for e in links(real, "Passport") if e.get("number") == ["SP0017927"])
    assert passport.get("holder") == [person.id]
    assert passport.get("description") == ["Expiry: 19 Jul 2022"]
    assert person.get("address") == ["Belteleradio, 9 Makayonka St, Minsk, 220807, Belarus"]
    address = next(e for e in real.entities if e.id == person.first("addressEntity"))
    assert address.get("postalCode") == ["220807"]
    assert address.get("country") == ["by"]


def test_real_entity(real: ParseResult) -> None:
    plant = target(real, "14042")  # 140 REPAIR PLANT
    assert plant.get("name") == ["140 REPAIR PLANT"]
    assert plant.get("legalForm") == ["State-Owned Enterprise"]
    assert plant.get("address") == ["19 L. Chalovskoy Street, Borisov, Belarus"]
    assert plant.get("email") == ["info@140zavod.org"]
    assert len(plant.get("phone")) == 3
    [sanction] = sanctions(real, plant).values()
    assert sanction.get("program") == ["Belarus"]
    assert sanction.get("listingDate") == ["2020-12-18"]
    assert sanction.get("programId") == ["BEL0060"]


def test_real_relationships(real: ParseResult) -> None:
    # SAM JONG 2 (13651): "Listed as asset of Korea Samjong Shipping (OFSI ID: 13635...)"
    vessel = target(real, "13651")
    assert vessel.schema.name == "Vessel"
    assert vessel.get("imoNumber") == ["IMO7408873"]
    assert vessel.get("flag") == ["kp"]
    assert vessel.get("buildDate") == ["1975"]
    owned = next(e for e in links(real, "Ownership") if vessel.id in e.get("asset"))
    assert owned.get("owner") == [make_id(DATASET, "13635")]
    # "Brother of Yassin Chouka (QDi.301)" cites the UN reference of another target.
    monir = next(e for e in real.entities if e.get("name", quiet=True) == ["MONIR CHOUKA"])
    family = next(e for e in links(real, "Family") if monir.id in e.get("person"))
    relative = next(e for e in real.entities if e.id == family.first("relative"))
    assert relative.get("name") == ["YASSIN CHOUKA"]
    assert family.get("relationship") == ["brother"]
    for link in links(real, "Ownership"):  # every end is a target of the list
        assert {*link.get("owner"), *link.get("asset")} <= {e.id for e in real.entities}


def test_real_ids_are_the_group_ids(real: ParseResult) -> None:
    assert target(real, "13919").id == make_id(DATASET, "13919")


# --- the CSV layout ---------------------------------------------------------------------


def test_csv(sample: ParseResult) -> None:
    assert sample.records == 4
    assert sample.published == date(2025, 4, 10)
    person = target(sample, "90001")
    assert person.get("name") == ["Ivan Piatrovich IVANOU"]
    assert person.get("firstName") == ["Ivan"]
    assert set(person.get("alias")) == {
        "Ivan Petrovich IVANOV",
        "ІВАНОЎ Іван Пятровіч",
        "ИВАНОВ Иван Петрович",
    }
    assert person.get("weakAlias") == ["VANYA"]  # "Low quality"
    assert person.get("birthDate") == ["1954"]  # "00/00/1954"
    assert person.get("title") == ["Mr"]
    assert set(person.get("position")) == {"Director of Beltestprom", "Deputy Minister"}
    assert person.get("idNumber") == ["3010154A000PB1"]
    listed = sanctions(sample, person)
    assert {p: s.first("listingDate") for p, s in listed.items()} == {
        "Belarus": "2021-06-21",
        "Global Human Rights": "2020-09-29",
    }
    company = target(sample, "90002")
    assert company.schema.name == "Company"
    assert company.get("innCode") == ["7704123450"]  # "(1) INN - 7704123450"
    assert company.get("registrationNumber") == ["190000000"]
    assert company.get("alias") == ["ААТ «Белтэстпрам»", "BELTESTPROM"]


def test_csv_ownership_stated_from_both_sides(sample: ParseResult) -> None:
    holding, company, vessel = (target(sample, g) for g in ("90003", "90002", "90004"))
    owners = {(o.first("owner"), o.first("asset")): o for o in links(sample, "Ownership")}
    assert set(owners) == {(holding.id, company.id), (holding.id, vessel.id)}
    assert set(owners[holding.id, company.id].get("role")) == {"parent company", "subsidiary"}
    assert vessel.get("previousName") == ["OLD TEST VESSEL"]  # "FKA"
    assert vessel.get("imoNumber") == ["IMO9000003"]


def test_partial_dates() -> None:
    assert uk_common.uk_date("00/00/1954") == "1954"
    assert uk_common.uk_date("dd/mm/1968") == "1968"
    assert uk_common.uk_date("00/05/1954") == "1954-05"
    assert uk_common.uk_date("dd/09/1958") == "1958-09"
    assert uk_common.uk_date("09/1962") == "1962-09"
    assert uk_common.uk_date("12/11/1967") == "1967-11-12"
    assert uk_common.uk_date("31/02/1967") is None


def test_ids_are_deterministic(sample: ParseResult) -> None:
    again = gb_ofsi.parse(SourceFile(CSV.name, CSV.read_bytes()))
    assert [e.id for e in again.entities] == [e.id for e in sample.entities]


def test_sniff_accepts_exactly_its_files() -> None:
    accepted = {
        str(path.relative_to(SOURCES))
        for path in sorted(SOURCES.rglob("*"))
        if path.is_file() and gb_ofsi.sniff(path.read_bytes())
    }
    assert accepted == {XLSX}
    assert gb_ofsi.sniff(CSV.read_bytes())
    assert not gb_fcdo.sniff(CSV.read_bytes())


# --- damaged input ----------------------------------------------------------------------


def test_truncated_workbook() -> None:
    data = source_file(XLSX).data[:300_000]
    with pytest.raises(SourceError, match="not a readable xlsx workbook") as caught:
        gb_ofsi.parse(SourceFile("cut.xlsx", data))
    assert "cut.xlsx" in str(caught.value)


def test_wrong_encoding() -> None:
    data = CSV.read_bytes().replace(b"IVANOU", "IVANO\xdc".encode("latin-1"), 1)
    with pytest.raises(SourceError, match="not valid utf-8") as caught:
        gb_ofsi.parse(SourceFile("latin.csv", data))
    assert caught.value.file == "latin.csv"
    assert caught.value.record == "line 3"


def test_row_without_group_id() -> None:
    def blank(rows: list[list[str]]) -> None:
        rows[4][-1] = ""  # line 5: the "VANYA" alias of group 90001

    data = mutated(blank)
    with pytest.raises(SourceError) as caught:
        gb_ofsi.parse(SourceFile("gap.csv", data))
    assert str(caught.value) == "gap.csv: record line 5: field Group ID: row without a Group ID"
    result = gb_ofsi.parse(SourceFile("gap.csv", data), lenient=True)
    assert result.records == 4
    assert len(result.warnings) == 1 and "line 5" in result.warnings[0]


def test_unknown_group_type_is_skipped_when_lenient() -> None:
    def retype(rows: list[list[str]]) -> None:
        for row in rows[2:]:
            if row[-1] == "90004":
                row[rows[1].index("Group Type")] = "Aircraft"

    data = mutated(retype)
    with pytest.raises(SourceError, match="unknown group type 'Aircraft'") as caught:
        gb_ofsi.parse(SourceFile("plane.csv", data))
    assert (caught.value.record, caught.value.field) == ("Group ID 90004", "Group Type")
    result = gb_ofsi.parse(SourceFile("plane.csv", data), lenient=True)
    assert result.records == 3
    assert not any(e.id == make_id(DATASET, "90004") for e in result.entities)


def test_missing_column() -> None:
    def drop_regime(rows: list[list[str]]) -> None:
        rows[1][rows[1].index("Regime")] = "Programme"

    with pytest.raises(SourceError, match="header lacks Regime") as caught:
        gb_ofsi.parse(SourceFile("cols.csv", mutated(drop_regime)))
    assert caught.value.record == "line 2"


def test_no_header() -> None:
    with pytest.raises(SourceError, match="no header row"):
        gb_ofsi.parse(SourceFile("x.csv", b"Last Updated,10/04/2025\nName,Group\n"))


def test_oversized_field() -> None:
    def inflate(rows: list[list[str]]) -> None:
        rows[2][rows[1].index("Other Information")] = "x" * (1024 * 1024 + 1)

    with pytest.raises(SourceError, match="field larger than field limit") as caught:
        gb_ofsi.parse(SourceFile("big.csv", mutated(inflate)))
    assert (caught.value.file, caught.value.record) == ("big.csv", "line 3")
