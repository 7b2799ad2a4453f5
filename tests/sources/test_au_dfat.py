"""Australia DFAT Consolidated List: the real 2024-12 workbook and small workbooks written
here."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from typing import Any

import openpyxl
import pytest
from followthemoney import EntityProxy

from belwatch.exc import SourceError
from belwatch.sources import au_dfat, ua_nsdc
from belwatch.sources.base import ParseResult, SourceFile, make_id
from belwatch.sources.datasets import BELARUS_PROGRAM

from conftest import SOURCES, source_file

REAL = "au_dfat/regulation8_consolidated_2024-12.xlsx"
DATASET = "au_dfat_sanctions"
HEADER = [
    "Reference", "Name of Individual or Entity", "Type", "Name Type", "Date of Birth",
    "Place of Birth", "Citizenship", "Address", "Additional Information",
    "Listing Information", "Committees", "Control Date",
]  # fmt: skip
IVAN = [
    1, "Ivan IVANOU", "Individual", "Primary Name", datetime(1954, 8, 30), "Minsk, Belarus",
    "Belarusian", "a) 1 Test Street, Minsk, Belarus b) Moscow, Russia",
    "Son of the Minister, Piotr IVANOU", "Listed on: 21 Jun. 2021", "Autonomous (Russia)",
    datetime(2022, 3, 25),
]  # fmt: skip
IVAN_CYRILLIC = ["1a", "Иван ИВАНОВ", "Individual", "Original Script", *IVAN[4:]]
PIOTR = [
    2, "Piotr IVANOU", "individual ", "Primary name ", 1930, None, None, None, "Minister",
    datetime(2021, 6, 21), "Autonomous (Russia)", datetime(2024, 11, 11),
]  # fmt: skip


@pytest.fixture(scope="module")
def real() -> ParseResult:
    return au_dfat.parse(source_file(REAL))


def workbook(*rows: list[Any], header: list[str] = HEADER) -> SourceFile:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Sheet1"
    for row in (header, *rows):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SourceFile("hand.xlsx", out.getvalue())


def with_text(file: SourceFile, placeholder: str, text: str) -> SourceFile:
    """The workbook with a cell's text replaced inside its XML parts."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(file.data)) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            new.writestr(info, old.read(info).replace(placeholder.encode(), text.encode()))
    return SourceFile(file.name, out.getvalue())


def target(result: ParseResult, reference: str) -> EntityProxy:
    wanted = make_id(DATASET, reference)
    return next(e for e in result.entities if e.id == wanted)


def sanction(result: ParseResult, entity: EntityProxy) -> EntityProxy:
    [found] = [
        e for e in result.entities if e.schema.name == "Sanction" and entity.id in e.get("entity")
    ]
    return found


# --- the real list ---------------------------------------------------------------------


def test_real_counts(real: ParseResult) -> None:
    # 3062 distinct references, each with exactly one primary-name row. PROVENANCE's 2925
    # counts only rows spelt "Primary Name": 137 more are "Primary Name ", "Primary name"...
    assert real.records == 3062
    assert real.published == date(2024, 11, 11)  # the latest Control Date
    assert real.warnings == []
    assert len({e.id for e in real.entities}) == len(real.entities)


def texts(entity: EntityProxy) -> list[str]:
    return [v for p in ("birthPlace", "address", "notes") for v in entity.get(p, quiet=True)]


def test_real_belarus(real: ParseResult) -> None:
    programs = {s.first("program") for s in real.entities if s.schema.name == "Sanction"}
    assert not any(BELARUS_PROGRAM.search(p) for p in programs)  # no Belarus regime in AU
    belarus = re.compile("belarus|belorus|byelorus", re.IGNORECASE)
    summaries = {
        s.first("entity"): " ".join(s.get("summary"))
        for s in real.entities
        if s.schema.name == "Sanction"
    }
    mentioning = [
        e
        for e in real.entities
        if e.schema.name in ("Person", "Organization")
        and (
            "by" in e.get("citizenship", quiet=True) + e.get("country")
            or any(belarus.search(v) for v in texts(e))
            or belarus.search(summaries[e.id])
        )
    ]
    # PROVENANCE: 49 primary-name rows mention Belarus, counting exact "Primary Name" rows only.
    assert len(mentioning) == 52


def test_real_viktor_lukashenko(real: ParseResult) -> None:
    person = target(real, "6825")
    assert person.get("name") == ["Viktor Aliaksandravich LUKASHENKO"]
    assert person.get("birthDate") == ["1975-11-28"]
    assert person.get("birthPlace") == ["Mogilev, Belarusian SSR (Belarus)"]
    listed = sanction(real, person)
    assert listed.get("program") == ["Autonomous (Russia)"]
    assert listed.get("authorityId") == ["6825"]
    assert listed.get("modifiedAt") == ["2022-03-25"]
    [family] = [
        e for e in real.entities if e.schema.name == "Family" and person.id in e.get("person")
    ]
    assert family.get("relative") == [make_id(DATASET, "6824")]  # "Son of ..., Alexander ..."
    assert family.get("relationship") == ["son"]


def test_real_aliases_and_dates(real: ParseResult) -> None:
    akhund = target(real, "2")
    assert akhund.get("alias") == ["محمد حسن أخوند"]  # "2a", Original Script
    assert set(akhund.get("birthDate")) == {"1955", "1958", "1945", "1950"}
    assert akhund.first("notes").startswith("Title: a) Mullah b) Haji.")
    listed = sanction(real, akhund)
    assert listed.get("program") == ["1988 (Taliban)"]
    assert listed.get("listingDate") == ["2001-01-25"]  # "Listed by UN 1267 Committee on ..."
    umarov = target(real, "1241")
    assert "Умаров Доку Хаматович" in umarov.get("alias")
    assert "Lom-ali Butayev (Butaev)" in umarov.get("alias")
    assert set(umarov.get("birthDate")) == {"1964-04-13", "1965-04-13", "1964-05-12", "1955"}
    assert "ru" in umarov.get("citizenship")
    assert sanction(real, umarov).get("listingDate") == ["2011-03-10"]
    # "2940j" stands 177 rows away from the rest of 2940's names.
    assert "Chernomorneftegaz CJSC" in target(real, "2940").get("alias")


def test_dates() -> None:
    assert au_dfat.dates("a) Approximately 1955- 1958 b) Approximately 1945-1950") == [
        "1955", "1958", "1945", "1950",
    ]  # fmt: skip
    assert au_dfat.dates("a) 12 Jan. 1960 b) 3/4/1961; alt DOB: Sept 1962") == [
        "1960-01-12", "1961-04-03", "1962-09",
    ]  # fmt: skip
    assert au_dfat.dates("05/06/1380 (Hijri Calendar) 1960-02-29") == ["1960-02-29"]
    assert au_dfat.dates(datetime(1954, 8, 30)) == ["1954-08-30"]
    assert au_dfat.dates(1954) == ["1954"]
    assert au_dfat.dates("na") == []


def test_ids_are_deterministic(real: ParseResult) -> None:
    assert target(real, "6825").id == make_id(DATASET, "6825")
    file = workbook(IVAN, IVAN_CYRILLIC, PIOTR)
    first, second = au_dfat.parse(file), au_dfat.parse(file)
    assert [e.id for e in first.entities] == [e.id for e in second.entities]


def test_sniff_accepts_exactly_its_files() -> None:
    accepted = {
        str(path.relative_to(SOURCES))
        for path in sorted(SOURCES.rglob("*"))
        if path.is_file() and au_dfat.sniff(path.read_bytes())
    }
    assert accepted == {REAL}
    assert not ua_nsdc.sniff(source_file(REAL).data)


# --- small workbooks ------------------------------------------------------------------


def test_workbook() -> None:
    result = au_dfat.parse(workbook(IVAN, PIOTR, IVAN_CYRILLIC))  # 1a after 2: grouped by 1
    assert result.records == 2
    assert result.published == date(2024, 11, 11)
    ivan, piotr = target(result, "1"), target(result, "2")
    assert ivan.get("name") == ["Ivan IVANOU"] and ivan.get("alias") == ["Иван ИВАНОВ"]
    assert ivan.get("citizenship") == ["by"]
    assert len(ivan.get("addressEntity")) == 2
    assert sanction(result, ivan).get("listingDate") == ["2021-06-21"]
    assert sanction(result, piotr).get("listingDate") == ["2021-06-21"]  # typed as a date
    assert piotr.get("birthDate") == ["1930"]
    [family] = [e for e in result.entities if e.schema.name == "Family"]
    assert (family.get("person"), family.get("relative")) == ([ivan.id], [piotr.id])


def test_truncated_workbook() -> None:
    with pytest.raises(SourceError, match="not a readable xlsx workbook") as caught:
        au_dfat.parse(SourceFile("cut.xlsx", source_file(REAL).data[:200_000]))
    assert caught.value.file == "cut.xlsx"


def test_not_a_workbook() -> None:
    with pytest.raises(SourceError, match="not a readable xlsx workbook"):
        au_dfat.parse(SourceFile("list.csv", b"Reference,Name\n1,x\n"))


def test_missing_column() -> None:
    header = [h for h in HEADER if h != "Name Type"]
    with pytest.raises(SourceError, match="header lacks Name Type") as caught:
        au_dfat.parse(workbook(header=header))
    assert caught.value.record == "Sheet1 row 1"
    with pytest.raises(SourceError, match="no header row"):
        au_dfat.parse(workbook(header=["Ref", "Name"]))


def test_bad_reference() -> None:
    file = workbook(IVAN, ["x1", *IVAN[1:]], PIOTR)
    with pytest.raises(SourceError) as caught:
        au_dfat.parse(file)
    assert (caught.value.record, caught.value.field) == ("Sheet1 row 3", "Reference")
    result = au_dfat.parse(file, lenient=True)
    assert result.records == 2 and len(result.warnings) == 1


def test_alias_without_primary_name() -> None:
    file = workbook(IVAN, ["3a", "Orphan Alias", "Individual", "aka", *IVAN[4:]])
    with pytest.raises(SourceError, match="0 primary names") as caught:
        au_dfat.parse(file)
    assert (caught.value.record, caught.value.field) == ("Reference 3", "Name Type")
    result = au_dfat.parse(file, lenient=True)
    assert result.records == 1
    assert not any(e.id == make_id(DATASET, "3") for e in result.entities)


def test_unknown_name_type() -> None:
    with pytest.raises(SourceError, match="unknown name type 'nickname'") as caught:
        au_dfat.parse(workbook(IVAN, ["1b", "Vanya", "Individual", "nickname", *IVAN[4:]]))
    assert caught.value.record == "Reference 1" and "Sheet1 row 3" in str(caught.value)


def test_oversized_field() -> None:
    # openpyxl cuts what it writes at Excel's 32,767 characters a cell; a hostile file need
    # not, so the long value goes into the sheet's XML directly. Digits, not one repeated
    # letter, so that the workbook does not look like a zip bomb.
    notes = "".join(f"{i:07d}" for i in range(160_000))
    file = with_text(workbook([*IVAN[:8], "PLACEHOLDER", *IVAN[9:]]), "PLACEHOLDER", notes)
    with pytest.raises(SourceError, match="exceeds the limit") as caught:
        au_dfat.parse(file)
    assert (caught.value.record, caught.value.field) == ("Reference 1", "Additional Information")
