"""Hostile and broken files are refused with a clear error, and the register stays as it was."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from belwatch.cli import cli

from conftest import SOURCES
from store.test_store import V2021, write

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<CONSOLIDATED_LIST dateGenerated="2026-01-01T00:00:00"><INDIVIDUALS><INDIVIDUAL>
<FIRST_NAME>&lol4;</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<sdnList><publshInformation><Publish_Date>01/01/2026</Publish_Date></publshInformation>
<sdnEntry><uid>1</uid><lastName>&xxe;</lastName><sdnType>Individual</sdnType></sdnEntry></sdnList>
"""


# An OFAC legacy CSV whose second entry carries a remark of 100 MB.
HUGE_FIELD = (
    b'36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
    b'173,"ANGLO-CARIBBEAN CO., LTD.",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"'
    + b"a.k.a. X; " * 10_000_000
    + b'"\r\n'
)

# The UN list, said to be UTF-8, with one Latin-1 byte in a name.
NOT_UTF8 = (
    (SOURCES / "un" / "consolidated_2026-02-27.xml")
    .read_bytes()
    .replace(b"<FIRST_NAME>", b"<FIRST_NAME>\xe9", 1)
)


def ingest_cli(db: Path, *paths: Path, extra: tuple[str, ...] = ()) -> tuple[int, str]:
    args = ["update", "--db", str(db), *extra]
    for path in paths:
        args += ["--from", str(path)]
    result = CliRunner().invoke(cli, args, obj={}, env={})
    return result.exit_code, result.output


@pytest.fixture
def register(tmp_path: Path) -> Path:
    db = tmp_path / "r.db"
    code, output = ingest_cli(db, write(tmp_path, "good_2021-03-01.json", V2021))
    assert code == 0, output
    return db


def snapshot(db: Path) -> str:
    result = CliRunner().invoke(cli, ["export", "--all-versions", "--db", str(db)], obj={}, env={})
    sources = CliRunner().invoke(cli, ["sources", "--json", "--db", str(db)], obj={}, env={})
    return result.output + sources.output


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "xl/workbook.xml", '<workbook><sheets><sheet name="Sheet1"/></sheets></workbook>'
        )
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * 300_000_000 + b"/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("bomb.xml", BILLION_LAUGHS, "DOCTYPE or entity declarations is refused"),
        ("xxe.xml", EXTERNAL_ENTITY, "DOCTYPE or entity declarations is refused"),
        ("bomb.xlsx", zip_bomb(), "refused as a possible zip bomb"),
        ("huge.csv", HUGE_FIELD, "record line 2"),
        ("latin1.xml", NOT_UTF8, "Invalid bytes in character encoding"),
        (
            "truncated.xml",
            (SOURCES / "un" / "consolidated_2026-02-27.xml").read_bytes()[:50_000],
            "line",
        ),
    ],
)
def test_hostile_file_is_refused_and_register_unchanged(
    register: Path, tmp_path: Path, name: str, content: bytes, expected: str
) -> None:
    before = snapshot(register)
    path = tmp_path / name
    path.write_bytes(content)
    code, output = ingest_cli(register, path)
    assert code == 1
    assert name in output and expected in output
    assert "Traceback" not in output
    assert snapshot(register) == before
