"""Swiss SECO sanctions list: the real 7-target excerpt and a composed fixture for the rest."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from followthemoney import EntityProxy

from belwatch.exc import SourceError
from belwatch.sources import ch_seco
from belwatch.sources.base import ParseResult, SourceFile, make_id
from belwatch.sources.datasets import BELARUS_PROGRAM

from conftest import SOURCES, source_file

EXCERPT = "ch_seco/ch_seco_excerpt_2026-08-15.xml"
FIXTURE = Path(__file__).parent / "fixtures" / "ch_seco_sample.xml"


@pytest.fixture(scope="module")
def excerpt() -> ParseResult:
    return ch_seco.parse(source_file(EXCERPT))


@pytest.fixture(scope="module")
def sample() -> ParseResult:
    return ch_seco.parse(SourceFile(FIXTURE.name, FIXTURE.read_bytes()))


def listing(result: ParseResult, ssid: str) -> tuple[EntityProxy, EntityProxy]:
    sanction = next(
        e for e in result.entities if e.schema.name == "Sanction" and ssid in e.get("authorityId")
    )
    return next(e for e in result.entities if e.id == sanction.first("entity")), sanction


def by_id(result: ParseResult, ids: list[str]) -> list[EntityProxy]:
    return [e for e in result.entities if e.id in ids]


def test_excerpt_counts(excerpt: ParseResult) -> None:
    # PROVENANCE: 7 targets, 5 in the Belarus set 4387.
    assert excerpt.records == 7
    assert excerpt.published == date(2026, 8, 15)
    sanctions = [e for e in excerpt.entities if e.schema.name == "Sanction"]
    assert len(sanctions) == 7
    belarus = [s for s in sanctions if any(BELARUS_PROGRAM.search(p) for p in s.get("program"))]
    assert sorted(s.first("authorityId") or "" for s in belarus) == [
        "44348",
        "5142",
        "5374",
        "5816",
        "85396",
    ]
    assert {s.first("programId") for s in belarus} == {"4387"}
    # The excerpt has no sanctions-program elements: only set 4387 gets a programme name.
    assert {s.first("program") for s in belarus} == {"Ordinance on measures against Belarus"}
    others = [s for s in sanctions if s not in belarus]
    assert [s.get("program") for s in others] == [[], []]
    assert sum("has no programme in the file" in w for w in excerpt.warnings) == 2


def test_lukashenka_spellings(excerpt: ParseResult) -> None:
    person, sanction = listing(excerpt, "5142")
    assert person.schema.name == "Person"
    assert person.get("name") == ["Lukashenka Dzmitry Aliaksandravich"]
    assert set(person.get("alias")) == {
        "Lukashenko Dmitri Aleksandrovich",
        "ЛУКАШЭНКА Дзмітрый Аляксандравіч",
        "ЛУКАШЕНКО Дмитрий Александрович",
    }
    assert set(person.get("lastName")) == {"Lukashenka", "Lukashenko", "ЛУКАШЭНКА", "ЛУКАШЕНКО"}
    assert "Aliaksandravich" in person.get("fatherName")
    assert person.get("birthDate") == ["1980-03-23"]
    (address,) = by_id(excerpt, person.get("addressEntity"))
    assert address.get("street") == ["ул. Старовиленская, 4"]
    assert address.get("postalCode") == ["220029"]
    assert "Chairman of the Presidential Sports Club" in (sanction.first("reason") or "")
    # Listed (the oldest listings carry no date), amended three times, de-listed in 2016.
    assert sanction.get("listingDate") == []
    assert sanction.get("endDate") == ["2016-03-01"]
    assert sanction.get("status") == ["de-listed"]
    assert sanction.get("modifiedAt") == ["2016-03-01"]


def test_de_listed_targets_are_kept(excerpt: ParseResult) -> None:
    ended = [
        e.first("authorityId")
        for e in excerpt.entities
        if e.get("status", quiet=True) == ["de-listed"]
    ]
    assert sorted(ended) == ["5142", "5374", "5816"]
    assert sum("de-listed" in w for w in excerpt.warnings) == 3
    _, sanction = listing(excerpt, "5816")
    assert sanction.get("endDate") == ["2013-12-20"]
    assert sanction.get("description") == ["De-listed with effect from 2013-12-20"]


def test_zamulevich_latin_i_kept(excerpt: ParseResult) -> None:
    person, sanction = listing(excerpt, "85396")
    # The Belarusian spelling prints a Latin I (U+0049), as in the EU Official Journal.
    assert "ЗАМУЛЕВ\u0049Ч" in person.get("lastName")
    assert "ЗАМУЛЕВ\u0049Ч Дзмітрьій Міхайлавіч" in person.get("alias")
    assert "ЗАМУЛЕВИЧ Дмитрий Михайлович" in person.get("alias")
    assert person.get("gender") == ["male"]
    assert person.get("birthDate") == ["1974-05-07"]
    assert person.get("nationality") == ["by"]
    assert person.get("passportNumber") == ["BM2229283"]
    assert person.get("idNumber") == ["3070574E057PB8"]
    passport = next(e for e in excerpt.entities if e.schema.name == "Passport")
    assert passport.get("holder") == [person.id] and passport.get("country") == ["by"]
    assert sanction.get("listingDate") == ["2024-12-23"]
    assert sanction.get("startDate") == ["2024-12-24"]
    assert sanction.get("status") == []


def test_mzkt_contacts_and_relation(excerpt: ParseResult) -> None:
    company, sanction = listing(excerpt, "44348")
    assert company.schema.name == "Organization"
    assert company.get("name") == ["MZKT"]
    assert set(company.get("alias")) == {"VOLAT", "МЗКТ - Минский завод колёсных тягачей"}
    assert company.get("registrationNumber") == ["100534485"]
    assert company.get("email") == ["link@mzkt.by"]
    assert company.get("website") == ["http://www.mzkt.by/"]
    assert company.get("phone") == ["+375173301709"]
    assert sanction.get("listingDate") == ["2021-03-22"]
    assert len(sanction.get("reason")[0].split("\n\n")) == 4
    # LLC Delovaya Set is "related-to" target 5300 (Peftiev), which the excerpt lacks.
    delovaya, _ = listing(excerpt, "5816")
    (link,) = [e for e in excerpt.entities if e.schema.name == "UnknownLink"]
    assert link.get("subject") == [delovaya.id] and link.get("role") == ["related-to"]
    assert link.get("object") == [make_id(ch_seco.DATASET, "5300")]
    assert any("5300 is not in this file" in w for w in excerpt.warnings)


def test_other_targets(excerpt: ParseResult) -> None:
    vessel, _ = listing(excerpt, "34461")
    assert vessel.schema.name == "Vessel"
    assert vessel.get("imoNumber") == ["IMO8405270"]
    assert vessel.get("alias") == ["Hwang Gum San 2"]
    daughter, _ = listing(excerpt, "52941")
    assert daughter.get("previousName") == ["Putina"]
    assert "ВОРОНЦОВА Мария Владимировна" in daughter.get("alias")
    assert daughter.get("gender") == ["female"]


def test_sample_programmes_places_documents(sample: ParseResult) -> None:
    assert sample.records == 3
    assert sample.published == date(2026, 9, 1)
    company, sanction = listing(sample, "900001")
    assert sanction.get("program") == [
        "Ordinance of 16 March 2022 on measures against Belarus (SR 946.231.116.9)"
    ]
    assert sanction.get("provisions") == ["annex 13"]
    assert sanction.get("listingDate") == ["2022-03-16"] and sanction.get("startDate") == [
        "2022-03-17"
    ]
    assert company.get("incorporationDate") == ["1996-04-02"]
    (address,) = by_id(sample, company.get("addressEntity"))
    assert address.get("city") == ["Minsk"] and address.get("country") == ["by"]
    assert address.get("postOfficeBox") == ["15"] and address.get("remarks") == ["Head office"]
    person, sanction = listing(sample, "900020")
    link = next(e for e in sample.entities if e.schema.name == "UnknownLink")
    assert (link.get("subject"), link.get("object")) == ([company.id], [person.id])
    assert person.get("birthPlace") == ["Barysau, Minsk Region, Belarus"]
    assert sorted(person.get("birthDate")) == ["1970-01-15", "1971"]
    assert "Prikladov Ivan" in person.get("alias")  # the second identity
    assert person.get("weakAlias") == ["Vanya"]
    assert person.get("position") == ["Head of the Department of Examples"]
    passport = next(e for e in sample.entities if e.schema.name == "Passport")
    assert passport.get("startDate") == ["2015-03-01"] and passport.get("endDate") == ["2025-03-01"]
    # De-listed in 2023 and listed again in 2024: sanctioned, listed first in 2020.
    assert sanction.get("status") == [] and sanction.get("endDate") == []
    assert sanction.get("listingDate") == ["2020-10-02"]
    vessel, sanction = listing(sample, "900040")
    assert vessel.get("imoNumber") == ["IMO9999993"]
    assert vessel.get("previousName") == ["Example Moon"]
    assert sanction.get("unscId") == ["KPe.900"]
    assert sample.warnings == []


def test_ids_are_deterministic(excerpt: ParseResult) -> None:
    again = ch_seco.parse(source_file(EXCERPT))
    assert [e.id for e in again.entities] == [e.id for e in excerpt.entities]


def test_sniff_accepts_exactly_the_seco_files() -> None:
    files = sorted(p for p in SOURCES.rglob("*") if p.is_file())
    accepted = {str(p.relative_to(SOURCES)) for p in files if ch_seco.sniff(p.read_bytes())}
    assert accepted == {EXCERPT}
    assert ch_seco.sniff(FIXTURE.read_bytes())


# --- damaged input -------------------------------------------------------------------------


def target(ssid: str = "1", name: str = "Doe", info: str = "", kind: str = "individual") -> str:
    part = f'<name-part order="1" name-part-type="family-name"><value>{name}</value></name-part>'
    return (
        f'<target ssid="{ssid}"><sanctions-set-id>4387</sanctions-set-id>'
        f'<{kind}><identity main="true"><name name-type="primary-name" quality="good">{part}'
        f"</name></identity>{info}</{kind}>"
        f'<modification modification-type="listed" publication-date="2022-01-01"/></target>'
    )


def document(*targets: str, head: str = "") -> bytes:
    body = "".join(targets)
    root = '<swiss-sanctions-list date="2026-01-01">'
    return f'<?xml version="1.0"?>{head}{root}{body}</swiss-sanctions-list>'.encode()


def parse_error(data: bytes) -> SourceError:
    with pytest.raises(SourceError) as caught:
        ch_seco.parse(SourceFile("broken.xml", data))
    return caught.value


def test_truncated_file() -> None:
    error = parse_error(document(target())[:-25])
    assert "broken.xml" in str(error) and error.record and error.record.startswith("line")


def test_wrong_encoding() -> None:
    error = parse_error(document(target(name="Müller")).replace("ü".encode(), b"\xfc"))
    assert "broken.xml" in str(error) and "malformed XML" in str(error)


def test_missing_name_and_key() -> None:
    error = parse_error(document(target(), target("2", name="")))
    assert (error.record, error.field) == ("2", "name")
    error = parse_error(document(target().replace(' ssid="1"', "")))
    assert error.field == "ssid" and "target #1" in str(error.record)


def test_unknown_object_type() -> None:
    error = parse_error(
        document(target(kind="object").replace("<object>", '<object object-type="train">'))
    )
    assert (error.record, error.field) == ("1", "object-type")


def test_oversized_field() -> None:
    info = f"<other-information>{'x' * 1_100_000}</other-information>"
    error = parse_error(document(target("9", info=info)))
    assert (error.file, error.record, error.field) == ("broken.xml", "9", "other-information")


def test_doctype_is_refused() -> None:
    error = parse_error(document(target(), head='<!DOCTYPE x [<!ENTITY a "b">]>'))
    assert "DOCTYPE" in str(error)


def test_lenient_keeps_good_records() -> None:
    data = document(target("1"), target("2", name=""), target("3"))
    result = ch_seco.parse(SourceFile("broken.xml", data), lenient=True)
    assert result.records == 2
    assert [w for w in result.warnings if w.startswith("skipped")] == [
        "skipped: broken.xml: record 2: field name: target without a primary name"
    ]
