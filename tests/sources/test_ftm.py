"""FollowTheMoney JSON lines: the two yente fixtures (OpenSanctions exports), checked against
values read by hand from the raw files, and broken lines."""

from __future__ import annotations

from collections import Counter

import orjson
import pytest
from followthemoney import EntityProxy

from belwatch.exc import SourceError
from belwatch.sources import ftm
from belwatch.sources.base import MAX_FIELD_CHARS, ParseResult, SourceFile

from conftest import SOURCES, source_file

T1 = "opensanctions/yente_fixture_t1_entities.ftm.json"
ZALA = "opensanctions/yente_fixture_zala_entities.ftm.json"


@pytest.fixture(scope="module")
def t1() -> ParseResult:
    return ftm.parse(source_file(T1))


@pytest.fixture(scope="module")
def zala() -> ParseResult:
    return ftm.parse(source_file(ZALA))


def get(result: ParseResult, entity_id: str) -> EntityProxy:
    [found] = [e for e in result.entities if e.id == entity_id]
    return found


def lines(*entities: object) -> SourceFile:
    text = b"\n".join(e if isinstance(e, bytes) else orjson.dumps(e) for e in entities)
    return SourceFile("import.json", text + b"\n")


PERSON = {"id": "p1", "schema": "Person", "properties": {"name": ["Ivan PETROV"]}}


def test_counts(t1: ParseResult, zala: ParseResult) -> None:
    assert t1.records == 7  # PROVENANCE: 7 (the last line has no newline)
    assert zala.records == 91  # PROVENANCE: 91
    assert t1.dataset == zala.dataset == "ftm_import"
    assert t1.published is None and t1.declared is None
    assert t1.warnings == [] and zala.warnings == []
    assert Counter(e.schema.name for e in t1.entities) == {
        "Person": 4,
        "Organization": 2,
        "Address": 1,
    }
    assert Counter(e.schema.name for e in zala.entities) == {
        "Sanction": 41,
        "Ownership": 14,
        "Company": 11,
        "Address": 11,
        "Person": 6,
        "Family": 4,
        "Directorship": 3,
        "Passport": 1,
    }


def test_belarus_targets(t1: ParseResult) -> None:
    # PROVENANCE: 3 Belarus records in t1 (Inter Tobacco, Pachodava, Soyko).
    belarus = {e.id for e in t1.entities if "by" in e.countries}
    assert belarus == {
        "NK-2GdmHtZTeNXjNVrBGEXZNj",
        "NK-2Mht2rqBeravCTdyQAWc4o",
        "NK-2Myxbs6wX9xFKGoQn3sLaY",
    }


def test_inter_tobacco(t1: ParseResult) -> None:
    tobacco = get(t1, "NK-2GdmHtZTeNXjNVrBGEXZNj")
    assert tobacco.schema.name == "Organization"
    assert len(tobacco.get("name")) == 12
    assert "Общество с ограниченной ответственностью “Интер Тобако”" in tobacco.get("name")
    assert "Таварыства з абмежаванай адказнасцю “Інтэр Табак”" in tobacco.get("name")
    assert tobacco.get("registrationNumber") == ["808000714"]
    assert tobacco.get("country") == ["by"]
    assert tobacco.get("addressEntity") == ["addr-125caec37c3486d3a71de8ae943eec47f420b38a"]
    assert tobacco.get("notes") == ["Belarus (Minsk Free Economic Zone)"]
    # The cross-list truth: ids of the same target on other official lists.
    assert "ofac-32733" in tobacco.context["referents"]
    assert len(tobacco.context["referents"]) == 9
    assert tobacco.context["datasets"] == ["eu_fsf"]


def test_person_and_links(t1: ParseResult, zala: ParseResult) -> None:
    soyko = get(t1, "NK-2Myxbs6wX9xFKGoQn3sLaY")
    assert "Віктар Уладзіміравіч СОЙКА" in soyko.get("name")
    assert soyko.get("birthDate") == ["1971-07-03"]
    assert soyko.get("title") == ["Colonel"]
    assert "gb-hmt-14688" in soyko.context["referents"]
    owned = get(zala, "NK-3NyeuT6JeJDLhGEyH3JD52")
    assert owned.schema.name == "Ownership"
    assert owned.get("owner") == ["NK-nR5AXM9AVPq4pQaSPSaVam"]
    assert owned.get("asset") == ["NK-abdzbEBkqyT29GyREbiURZ"]
    assert owned.get("role") == ["subsidiary of"]
    family = get(zala, "ofac-6d023267c742427bc92220ad97daca2e17b136ff")
    assert family.get("person") == ["NK-JseaPJctnK9o8wrmz8xmoT"]
    assert family.get("relative") == ["NK-aU5ybkbRFJucf8YMwsJvDw"]
    assert family.get("relationship") == ["Family member of"]


def test_ids_are_kept(t1: ParseResult) -> None:
    again = ftm.parse(source_file(T1))
    assert [e.id for e in again.entities] == [e.id for e in t1.entities]
    raw = [orjson.loads(line)["id"] for line in source_file(T1).data.splitlines() if line.strip()]
    assert [e.id for e in t1.entities] == raw


def test_sniff_accepts_exactly_its_files() -> None:
    accepted = {
        str(path.relative_to(SOURCES))
        for path in SOURCES.rglob("*")
        if path.is_file() and ftm.sniff(path.read_bytes())
    }
    assert accepted == {T1, ZALA}


# --- broken lines -------------------------------------------------------------------------


def test_bad_json_names_the_line() -> None:
    file = lines(PERSON, b'{"id": "p2", "schema": "Person", "properties": {', PERSON)
    with pytest.raises(SourceError, match="not a FtM entity") as caught:
        ftm.parse(file)
    assert caught.value.file == "import.json"
    assert caught.value.record == "line 2"


def test_unknown_schema_names_the_line() -> None:
    file = lines(PERSON, {"id": "x", "schema": "Wizard", "properties": {}})
    with pytest.raises(SourceError, match="unknown FtM schema 'Wizard'") as caught:
        ftm.parse(file)
    assert (caught.value.record, caught.value.field) == ("line 2", "schema")


def test_missing_id() -> None:
    with pytest.raises(SourceError, match="entity without id") as caught:
        ftm.parse(lines({"schema": "Person", "properties": {}}))
    assert (caught.value.record, caught.value.field) == ("line 1", "id")


def test_lenient_skips_broken_lines() -> None:
    file = lines(
        PERSON,
        b"{not json",
        {"id": "x", "schema": "Wizard", "properties": {}},
        {"schema": "Person"},
        {"id": "y", "schema": "Person", "properties": ["name"]},
        {"id": "p3", "schema": "Person", "properties": {"name": ["Anna"]}},
    )
    result = ftm.parse(file, lenient=True)
    assert [e.id for e in result.entities] == ["p1", "p3"]
    assert result.records == 2
    assert [w.split(": ")[1] for w in result.warnings] == [
        "record line 2",
        "record line 3",
        "record line 4",
        "record line 5",
    ]


def test_wrong_encoding() -> None:
    file = lines(PERSON, {"id": "p2", "schema": "Person", "properties": {"name": ["Łukasz"]}})
    with pytest.raises(SourceError, match="not valid utf-8") as caught:
        ftm.parse(SourceFile("cp.json", file.data.replace("Ł".encode(), b"\xa3")))
    assert caught.value.record == "line 2"


def test_oversized_value() -> None:
    huge = {"id": "p2", "schema": "Person", "properties": {"notes": ["x" * (MAX_FIELD_CHARS + 1)]}}
    with pytest.raises(SourceError, match="exceeds the limit") as caught:
        ftm.parse(lines(PERSON, huge))
    assert (caught.value.record, caught.value.field) == ("line 2", "properties.notes")


def test_unknown_property_is_skipped_with_a_warning() -> None:
    result = ftm.parse(lines({"id": "p", "schema": "Person", "properties": {"imoNumber": ["1"]}}))
    assert result.records == 1
    assert result.warnings == ["line 1: Person has no property 'imoNumber'; skipped"]


def test_values_as_json_writes_them() -> None:
    # A bare string is one value; U+2028 inside a string does not end the line.
    person = {"id": "p", "schema": "Person", "properties": {"name": "Dee", "notes": ["a\u2028b"]}}
    [entity] = ftm.parse(lines(person)).entities
    assert entity.get("name") == ["Dee"]
    assert entity.get("notes") == ["a b"]  # FtM's cleaning makes it a space
