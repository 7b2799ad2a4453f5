"""Japan METI's Belarus end-user list (text of the PDF), checked against values read by hand
from the raw file."""

from __future__ import annotations

from datetime import date

import pytest
from followthemoney import EntityProxy

from belwatch.exc import SourceError
from belwatch.sources import jp_meti
from belwatch.sources.base import MAX_FIELD_CHARS, ParseResult, SourceFile, make_id
from belwatch.sources.datasets import BELARUS_PROGRAM

from conftest import SOURCES, source_file

RELPATH = "jp_meti/list_belarus_tokutei.pdf.txt"
PROGRAM = "Export ban: Belarus end-user list (MOFA Notice No. 104 of 2022)"


@pytest.fixture(scope="module")
def result() -> ParseResult:
    return jp_meti.parse(source_file(RELPATH))


@pytest.fixture(scope="module")
def text() -> str:
    return source_file(RELPATH).data.decode()


def entry(result: ParseResult, number: int) -> EntityProxy:
    wanted = make_id("jp_mof_sanctions", "entry", number)
    [found] = [e for e in result.entities if e.id == wanted]
    return found


def sanction_of(result: ParseResult, entity: EntityProxy) -> EntityProxy:
    [found] = [
        e for e in result.entities if e.schema.name == "Sanction" and entity.id in e.get("entity")
    ]
    return found


def parse_text(text: str, lenient: bool = False) -> ParseResult:
    return jp_meti.parse(SourceFile("meti.txt", text.encode()), lenient=lenient)


def test_counts(result: ParseResult) -> None:
    assert result.records == 27  # README: 27 entities
    assert result.published == date(2022, 7, 5)  # 最終更新日
    assert result.declared is None
    assert result.warnings == []
    assert [e.schema.name for e in result.entities].count("Organization") == 27
    sanctions = [e for e in result.entities if e.schema.name == "Sanction"]
    assert len(sanctions) == 27
    belarus = {s.first("entity") for s in sanctions if BELARUS_PROGRAM.search(s.first("program"))}
    assert len(belarus) == 27  # PROVENANCE: Belarus records: all
    assert {s.first("listingDate") for s in sanctions} == {"2022-03-08"}  # 指定日


def test_entry_with_aliases_in_both_scripts(result: ParseResult) -> None:
    integral = entry(result, 2)
    assert set(integral.get("name")) == {"株式会社インテグラル", "JSC Integral"}
    assert set(integral.get("alias")) == {
        "OAOインテグラル",
        "株式会社インテグラル＝ホールディング・マネージング",  # wraps onto the next line
        "OAO Integral",
        "Joint-Stock Company Integral-Holding Managing Company",
    }
    assert integral.get("address") == [
        "121A, Kazintsa I.P. Str., Minsk, 220108, Belarus",
        "12 Korzhenevskogo Str., Minsk, 220108, Belarus",
        "137 Brestskaya Str., Pinsk, Brest region, 225710, Belarus",
    ]
    assert integral.get("country") == ["by"]
    sanction = sanction_of(result, integral)
    assert sanction.get("program") == [PROGRAM]
    assert sanction.get("authorityId") == ["2"]
    assert sanction.get("listingDate") == ["2022-03-08"]
    assert sanction.get("country") == ["jp"]
    assert sanction.get("authority") == ["Ministry of Economy, Trade and Industry"]


def test_messy_pdf_text(result: ParseResult) -> None:
    # "...Minsk, 220114, Belarus７ 株式会社アガト電子機器工場": entry 7 starts mid-line.
    agat = entry(result, 7)
    assert set(agat.get("name")) == {
        "株式会社アガト電子機器工場",
        "AGAT-Electromechanical Plant OJSC",
    }
    assert set(agat.get("alias")) == {
        "JSC Agat Electromechanical Plant",
        "Agat-Elektromekhanicheski Zavod",
    }
    assert len(agat.get("address")) == 2
    assert entry(result, 6).get("address") == ["117/1 Nezavisimosti ave., Minsk, 220114, Belarus"]
    # "- KB Radar.所在地：64a Partizansky ave.": the address follows the last alias directly.
    radar = entry(result, 21)
    assert "JSC“KB Radar” – Managing Company of “Radar Systems” Holding" in radar.get("name")
    assert {"JSC KB Radar", "KB Radar", "KB レーダー"} <= set(radar.get("alias"))
    assert radar.get("address") == ["64a Partizansky ave., Minsk, 220026, Belarus"]
    # "株式会社第140 修理工場": a number inside a name does not start an entry.
    plant = entry(result, 3)
    assert set(plant.get("name")) == {"株式会社第140 修理工場", "140 Repair Plant JSC"}
    alpha = entry(result, 16)
    assert set(alpha.get("alias")) == {
        "ベラルーシ共和国国家保安委員会アルファ",
        "アルファ部隊",
        "部隊 A",
        "The State Security Committee Alpha",
        "Alpha Group",
        "Group A",
    }


def test_described_entry(result: ParseResult) -> None:
    ministry = entry(result, 1)
    assert set(ministry.get("name")) == {
        "国防省",
        "The Ministry of Defence of the Republic of Belarus",
    }
    assert ministry.get("address") == ["All addresses located in Belarus"]
    assert any(
        note.startswith("The Ministry of Defence of the Republic of Belarus, including")
        for note in ministry.get("notes")
    )


def test_ids_are_deterministic(result: ParseResult) -> None:
    again = jp_meti.parse(source_file(RELPATH))
    assert [e.id for e in again.entities] == [e.id for e in result.entities]
    assert len({e.id for e in result.entities}) == 54


def test_sniff_accepts_exactly_its_file() -> None:
    accepted = {
        str(path.relative_to(SOURCES))
        for path in SOURCES.rglob("*")
        if path.is_file() and jp_meti.sniff(path.read_bytes())
    }
    assert accepted == {RELPATH}
    assert not jp_meti.sniff("ベラルーシ 指定日".encode())


# --- broken input ------------------------------------------------------------------------


def test_truncated_file(text: str) -> None:
    cut = text[: text.index("所在地：11 per. Kalinina")]
    with pytest.raises(SourceError, match="no 所在地") as caught:
        parse_text(cut)
    assert (caught.value.file, caught.value.record, caught.value.field) == (
        "meti.txt",
        "entry 27",
        "所在地",
    )
    lenient = parse_text(cut, lenient=True)
    assert lenient.records == 26
    assert len(lenient.warnings) == 1
    assert "meti.txt: record entry 27" in lenient.warnings[0]


def test_wrong_encoding(text: str) -> None:
    with pytest.raises(SourceError, match="not valid utf-8") as caught:
        jp_meti.parse(SourceFile("sjis.txt", text.encode("shift_jis", "replace")))
    assert caught.value.file == "sjis.txt"
    assert caught.value.record == "line 1"


def test_missing_header_date(text: str) -> None:
    with pytest.raises(SourceError, match="no 指定日") as caught:
        parse_text(text.replace("指定日：", "日付："))
    assert (caught.value.record, caught.value.field) == ("header", "指定日")


def test_missing_entry(text: str) -> None:
    start, end = text.index("５ 株式会社第2566"), text.index("６ 株式会社アガト管")
    with pytest.raises(SourceError, match="entry 5 missing") as caught:
        parse_text(text[:start] + text[end:])
    assert caught.value.record == "entry 6"
    assert parse_text(text[:start] + text[end:], lenient=True).records == 26


def test_alias_count_mismatch(text: str) -> None:
    broken = text.replace("- JSC 140 Repair Plant.\n", "")
    with pytest.raises(SourceError, match="announces 2 aliases but lists 1") as caught:
        parse_text(broken)
    assert (caught.value.record, caught.value.field) == ("entry 3", "a.k.a.")


def test_entry_without_english_name(text: str) -> None:
    broken = text.replace("Peleng JSC\n", "")
    with pytest.raises(SourceError, match="no English name") as caught:
        parse_text(broken)
    assert caught.value.record == "entry 22"


def test_oversized_field(text: str) -> None:
    broken = text.replace("Peleng JSC", "Peleng " + "J" * MAX_FIELD_CHARS)
    with pytest.raises(SourceError, match="exceeds the limit") as caught:
        parse_text(broken)
    assert (caught.value.record, caught.value.field) == ("entry 22", "name")
