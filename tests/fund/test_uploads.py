"""Documents attached to cases: the type told by content, the size capped, metadata (EXIF
and GPS, PDF authors and XMP) gone, active PDFs and decompression bombs refused, stored
encrypted, and only the case's caseworker downloads them."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image, PngImagePlugin
from pypdf import PdfReader, PdfWriter

from belwatch.api import create_app
from belwatch.exc import ConfigError
from belwatch.fund import cases, staff, totp, uploads
from belwatch.fund.core import Fund, Staff
from belwatch.fund.crypto import KeyRing
from belwatch.fund.schema import upload_table
from belwatch.settings import Settings
from belwatch.store import Store

PASSWORD = "a long staff password"


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"  # Make
    exif[0x8825] = {1: "N", 2: (53.0, 54.0, 0.0), 3: "E", 4: (27.0, 33.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Hanna Secret")
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def pdf(author: str = "Hanna Secret", script: bool = False) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Author": author, "/Title": "Ruling"})
    if script:
        from pypdf.generic import DictionaryObject, NameObject, TextStringObject

        script_text = TextStringObject("app.alert(1)")
        action = DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): script_text}
        )
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_metadata_is_stripped_and_content_kept() -> None:
    kind, cleaned = uploads.clean(jpeg_with_gps())
    assert kind == "image/jpeg"
    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.size == (64, 48) and not image.getexif()
        assert abs(image.getpixel((10, 10))[0] - 200) < 10  # type: ignore[index]
    kind, cleaned = uploads.clean(png_with_text())
    assert kind == "image/png" and b"Hanna Secret" not in cleaned
    kind, cleaned = uploads.clean(pdf())
    reader = PdfReader(io.BytesIO(cleaned))
    assert kind == "application/pdf" and len(reader.pages) == 1
    assert b"Hanna Secret" not in cleaned and not (reader.metadata or {}).get("/Author")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"MZ\x90\x00" + b"\x00" * 100, "only PDF, JPEG and PNG"),
        (pdf(script=True), "scripts, actions or attachments"),
        (b"%PDF-1.7\nnot really a pdf", "cannot be read"),
        (b"\xff\xd8\xff" + b"\x00" * 50, "cannot be read"),
        (b"%PDF-" + b"x" * uploads.MAX_BYTES, "10 MiB at most"),
    ],
)
def test_refused(data: bytes, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        uploads.clean(data)


def test_a_decompression_bomb_is_refused() -> None:
    out = io.BytesIO()
    Image.new("1", (9_000, 9_000)).save(out, "PNG")  # 81 megapixels in a few kilobytes
    assert len(out.getvalue()) < 100_000
    with pytest.raises(ConfigError, match="too large to open safely"):
        uploads.clean(out.getvalue())


@pytest.fixture
def fund(tmp_path: Path) -> Iterator[tuple[Fund, TestClient, list[datetime]]]:
    now = [datetime(2026, 6, 1, 9, 0)]
    fund = Fund(f"sqlite:///{tmp_path / 'fund.db'}", KeyRing.from_text(KeyRing.generate()),
                clock=lambda: now[0])  # fmt: skip
    register = Store(f"sqlite:///{tmp_path / 'register.db'}")
    app = create_app(Settings(db=register.url), store=register)
    app.state.fund = fund
    with TestClient(app) as client:
        yield fund, client, now
    fund.close()
    register.close()


def signed_client(fund: Fund, client: TestClient, now: list[datetime], name: str) -> TestClient:
    session = TestClient(client.app)
    session.headers.update({"origin": "http://testserver"})
    session.post("/fund/login", json={"name": name, "password": PASSWORD})
    secret = session.post("/fund/mfa/totp/start").json()["secret"]
    now[0] += timedelta(seconds=31)
    assert session.post("/fund/mfa/totp/confirm",
                        json={"code": totp.code(secret, now[0])}).status_code == 200  # fmt: skip
    return session


def test_upload_and_download_through_the_api(
    fund: tuple[Fund, TestClient, list[datetime]],
) -> None:
    found, client, now = fund
    staff.add(found, None, "worker", PASSWORD, "caseworker")
    staff.add(found, None, "other", PASSWORD, "caseworker")
    cases.add_programme(found, Staff("boss", "admin"), "legal", "Legal", "legal", "EUR", 100)
    case = cases.intake(found, Staff("worker", "caseworker"), "legal", {"names": ["A B"]})
    worker = signed_client(found, client, now, "worker")
    document = {"document": ("photo.pdf", jpeg_with_gps(), "application/pdf")}
    sent = worker.post(f"/fund/api/cases/{case}/uploads", files=document)
    assert sent.status_code == 200, sent.text
    upload_id = sent.json()["id"]
    listed = worker.get(f"/fund/api/cases/{case}/uploads").json()
    assert [u["content_type"] for u in listed] == ["image/jpeg"]  # by content, not by name
    got = worker.get(f"/fund/api/cases/{case}/uploads/{upload_id}")
    assert got.headers["content-type"] == "image/jpeg"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert "attachment" in got.headers["content-disposition"]
    with Image.open(io.BytesIO(got.content)) as image:
        assert not image.getexif()
    with found.store.engine.connect() as conn:
        stored = conn.execute(upload_table.select()).one()
    assert stored.data.startswith("v1.") and b"JFIF" not in stored.data.encode()
    other = signed_client(found, client, now, "other")
    assert other.get(f"/fund/api/cases/{case}/uploads/{upload_id}").status_code == 404
    program = {"document": ("x.pdf", b"MZ" + b"\0" * 10, "application/pdf")}
    bad = worker.post(f"/fund/api/cases/{case}/uploads", files=program)
    assert bad.status_code == 400 and "only PDF, JPEG and PNG" in bad.text
