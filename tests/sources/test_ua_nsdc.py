"""Ukraine NSDC State Register of Sanctions: the real 2021-08-17 export and small workbooks
written here."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from typing import Any

import openpyxl
import pytest
from followthemoney import EntityProxy

from belwatch.exc import SourceError
from belwatch.sources import au_dfat, ua_nsdc
from belwatch.sources.base import ParseResult, SourceFile, make_id
from belwatch.sources.datasets import BELARUS_PROGRAM

from conftest import SOURCES, source_file

REAL = "ua_nsdc/nsdc_register_export_2021-08-17.xlsx"
DATASET = "ua_nsdc_sanctions"
PEOPLE, COMPANIES = "Фізичні особи", "Юридичні особи"
# No leading row index and another column order than the real export: found by header text.
PERSON_HEADER = [
    "Назва укр.", "Назва ориг.", "Назва альт.", "№ указу", "Дата указу", "п/н",
    "Тип обмеження", "Термін обмеження", "Дата закінчення обмеження", "Дата народження",
    "Громадянство", "Місце народження", "Зайнятість", "Місце проживання", "Додатково",
]  # fmt: skip
COMPANY_HEADER = [
    "№ указу", "Дата указу", "п/н", "Тип обмеження", "Термін обмеження",
    "Дата закінчення обмеження", "Назва укр.", "Назва ориг.", "Назва альт.", "ОКПО/ЄДРПОУ",
    "ІПН", "Місце діяльності", "Місце діяльності додатково", "Додатково",
]  # fmt: skip
MEASURES = "1) блокування активів; 2) запобігання виведенню капіталів за межі України"
IVAN = [
    "Іваноў Іван Петрович", "Иванов Иван Петрович", "IVANOU Ivan; IVANOV Ivan", "100-2021",
    datetime(2021, 6, 24), 7, MEASURES, "Три роки", datetime(2024, 6, 24),
    datetime(1960, 1, 2), "BY, RU", "м. Мінськ", "директор ТОВ", "Білорусь, м. Мінськ",
    "паспорт № MP1234567, ІПН 123456789012; альтернативна дата народження - 03.01.1960",
]  # fmt: skip
COMPANY = [
    "100-2021", datetime(2021, 6, 24), 8, MEASURES, "Три роки", datetime(2024, 6, 24),
    'ТОВ "Тест"', 'ООО "Тест"', None, "ЄДРПОУ12345678", None, "Україна, м. Київ", None,
    "КПП 771701001; директор: Іваноў Іван Петрович; дата реєстрації — 26.08.1992",
]  # fmt: skip


@pytest.fixture(scope="module")
def real() -> ParseResult:
    return ua_nsdc.parse(source_file(REAL))


def workbook(
    people: list[list[Any]], companies: list[list[Any]], person_header: list[str] = PERSON_HEADER
) -> SourceFile:
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for title, header, rows in (
        (PEOPLE, person_header, people),
        (COMPANIES, COMPANY_HEADER, companies),
    ):
        sheet = book.create_sheet(title)
        for row in (header, *rows):
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SourceFile("hand.xlsx", out.getvalue())


def listing(result: ParseResult, decree: str, position: int) -> tuple[EntityProxy, EntityProxy]:
    sanction = next(
        e
        for e in result.entities
        if e.schema.name == "Sanction" and e.get("authorityId") == [f"{decree}/{position}"]
    )
    return next(e for e in result.entities if e.id == sanction.first("entity")), sanction


# --- the real export -------------------------------------------------------------------


def test_real_counts(real: ParseResult) -> None:
    assert real.records == 5743  # 3969 individuals + 1774 legal entities, as PROVENANCE says
    people = [e for e in real.entities if e.schema.name == "Person"]
    companies = [e for e in real.entities if e.schema.name == "Company"]
    assert (len(people), len(companies)) == (3969, 1774)
    assert real.published is None  # the export carries no date of its own
    # One real row names no company, only its registration code: kept, with a warning.
    assert real.warnings == [f"{COMPANIES} row 175: listing without a name, kept by its identifier"]
    assert len({e.id for e in real.entities}) == len(real.entities)


def test_real_belarus(real: ParseResult) -> None:
    programs = {s.first("program") for s in real.entities if s.schema.name == "Sanction"}
    assert not any(BELARUS_PROGRAM.search(p) for p in programs)  # decrees, not regimes
    belarus = re.compile("білорус|беларус|belarus", re.IGNORECASE)
    mentioning = [
        e
        for e in real.entities
        if e.schema.name in ("Person", "Company")
        and (
            "by" in e.get("citizenship", quiet=True)
            or any(belarus.search(v) for values in e.properties.values() for v in values)
        )
    ]
    assert len(mentioning) == 24  # PROVENANCE: 24 rows mention Belarus


def test_real_person(real: ParseResult) -> None:
    person, sanction = listing(real, "176-2018", 1404)
    assert person.get("name") == ["Власенко Микола Володимирович"]
    assert person.get("alias") == ["Власенко Николай Владимирович"]
    assert (person.get("lastName"), person.get("fatherName")) == (["Власенко"], ["Володимирович"])
    assert person.get("birthDate") == ["1963-05-07"]
    assert person.get("citizenship") == ["ru"]
    assert person.get("birthPlace") == ["c.Янтарний Калінінградської області РРФСР"]
    assert sanction.get("program") == ["Указ Президента України № 176-2018"]
    assert sanction.get("programId") == ["176-2018"]
    assert sanction.get("listingDate") == ["2018-06-21"]
    assert sanction.get("endDate") == []  # "Безстроково"
    assert sanction.get("description") == ["Термін обмеження: Безстроково"]
    assert len(sanction.get("provisions")) == 4
    assert person.id == make_id(
        DATASET, "Person", "176-2018", "1404", "Власенко Микола Володимирович"
    )


def test_real_identifiers(real: ParseResult) -> None:
    person, _ = listing(real, "266-2021", 312)  # "ідентифікаційний номер – 2798602512, ..."
    assert person.get("name") == ["Теміргалієв Рустам Ільмірович"]
    assert person.get("taxNumber") == ["2798602512"]
    assert person.get("passportNumber") == ["ЕС № 387672"]
    bank, sanction = listing(real, "107-2021", 2)
    assert bank.get("alias") == ['ПАТ "Промінвестбанк"']
    assert bank.get("registrationNumber") == ["00039002"]  # "ЄДРПОУ00039002"
    assert bank.get("incorporationDate") == ["1992-08-26"]
    assert bank.get("address") == ["Україна, 01001, м. Київ, вул. Малопідвальна, буд. 8"]
    assert sanction.get("endDate") == ["2024-03-11"]
    unnamed = next(
        e for e in real.entities if e.get("registrationNumber", quiet=True) == ["44126040"]
    )
    assert unnamed.get("name") == []


def test_real_director(real: ParseResult) -> None:
    channel, sanction = listing(real, "176-2018", 722)
    assert channel.get("name") == ['Акціонерне товариство "Перший канал"']
    assert channel.get("ogrnCode") == ["1027700222330"]
    assert channel.get("innCode") == ["7717039300"]
    assert channel.get("kppCode") == ["771701001"]
    assert channel.get("okpoCode") == ["40119053"]
    assert sanction.get("status") == ["внесено зміни"]
    [directorship] = [
        e
        for e in real.entities
        if e.schema.name == "Directorship" and channel.id in e.get("organization")
    ]
    director = next(e for e in real.entities if e.id == directorship.first("director"))
    assert director.get("name") == ["Ернст Костянтин Львович"]
    assert director.get("birthDate") == ["1961-02-06"]


def test_sniff_accepts_exactly_its_files() -> None:
    accepted = {
        str(path.relative_to(SOURCES))
        for path in sorted(SOURCES.rglob("*"))
        if path.is_file() and ua_nsdc.sniff(path.read_bytes())
    }
    assert accepted == {REAL}
    assert not au_dfat.sniff(source_file(REAL).data)


# --- small workbooks ------------------------------------------------------------------


def test_columns_found_by_header_text() -> None:
    result = ua_nsdc.parse(workbook([IVAN], [COMPANY]))
    assert result.records == 2 and result.warnings == []
    person, sanction = listing(result, "100-2021", 7)
    assert person.get("name") == ["Іваноў Іван Петрович"]
    assert set(person.get("alias")) == {"Иванов Иван Петрович", "IVANOU Ivan", "IVANOV Ivan"}
    assert set(person.get("citizenship")) == {"by", "ru"}
    assert set(person.get("birthDate")) == {"1960-01-02", "1960-01-03"}
    assert person.get("passportNumber") == ["MP1234567"]
    assert person.get("taxNumber") == ["123456789012"]  # not a valid Russian INN
    assert sanction.get("provisions") == [
        "блокування активів",
        "запобігання виведенню капіталів за межі України",
    ]
    assert sanction.get("endDate") == ["2024-06-24"]
    company, _ = listing(result, "100-2021", 8)
    assert company.get("registrationNumber") == ["12345678"]
    assert company.get("kppCode") == ["771701001"]
    [directorship] = [e for e in result.entities if e.schema.name == "Directorship"]
    assert directorship.get("director") == [person.id]
    assert directorship.get("organization") == [company.id]


def test_ids_are_deterministic() -> None:
    file = workbook([IVAN], [COMPANY])
    first, second = ua_nsdc.parse(file), ua_nsdc.parse(file)
    assert [e.id for e in first.entities] == [e.id for e in second.entities]


def test_truncated_workbook() -> None:
    with pytest.raises(SourceError, match="not a readable xlsx workbook") as caught:
        ua_nsdc.parse(SourceFile("cut.xlsx", source_file(REAL).data[:100_000]))
    assert caught.value.file == "cut.xlsx"


def test_missing_column() -> None:
    header = [h if h != "№ указу" else "Указ" for h in PERSON_HEADER]
    with pytest.raises(SourceError, match="header lacks № указу") as caught:
        ua_nsdc.parse(workbook([IVAN], [COMPANY], person_header=header))
    assert caught.value.record == f"{PEOPLE} row 1"


def test_bad_date_and_nameless_row() -> None:
    bad_date = [*IVAN[:4], "вчора", *IVAN[5:]]
    nameless = [*COMPANY[:6], None, None, None, None, None, *COMPANY[11:]]
    file = workbook([bad_date, IVAN], [nameless, COMPANY])
    with pytest.raises(SourceError, match="not a date: 'вчора'") as caught:
        ua_nsdc.parse(file)
    assert (caught.value.record, caught.value.field) == (f"{PEOPLE} row 2", "Дата указу")
    result = ua_nsdc.parse(file, lenient=True)
    assert result.records == 2
    assert len(result.warnings) == 2
    assert "listing without a name or an identifier" in result.warnings[1]
    assert f"{COMPANIES} row 2" in result.warnings[1]


def test_oversized_field() -> None:
    # openpyxl writes at most 32,767 characters a cell; a hostile file need not.
    file = workbook([[*IVAN[:14], "PLACEHOLDER"]], [])
    remarks = "".join(f"{i:07d}" for i in range(160_000)).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(file.data)) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            new.writestr(info, old.read(info).replace(b"PLACEHOLDER", remarks))
    with pytest.raises(SourceError, match="exceeds the limit") as caught:
        ua_nsdc.parse(SourceFile("big.xlsx", out.getvalue()))
    assert (caught.value.record, caught.value.field) == (f"{PEOPLE} row 2", "Додатково")
