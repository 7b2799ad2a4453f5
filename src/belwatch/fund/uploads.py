"""Documents attached to a case (a court ruling, a passport page, a receipt): only PDF, JPEG
and PNG, told by their content and not their name; at most 10 MiB; stripped of what they
carry besides their content (EXIF and GPS in photographs, authors and XMP in PDFs); refused
when they carry scripts, attachments or a decompression bomb; stored encrypted; every
upload and every download written to the ledger."""

from __future__ import annotations

import io
import warnings
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Response, UploadFile
from sqlalchemy import insert, select

from belwatch.exc import ConfigError, NotFound
from belwatch.fund import policy
from belwatch.fund.api import FundDep, Signed, same_site
from belwatch.fund.cases import _scope, _visible
from belwatch.fund.core import Fund, Staff, new_id
from belwatch.fund.crypto import context
from belwatch.fund.schema import upload_table

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
KINDS = {b"%PDF-": "application/pdf", b"\xff\xd8\xff": "image/jpeg",
         b"\x89PNG\r\n\x1a\n": "image/png"}  # fmt: skip
# What a PDF may not carry: it would run, or bring other files along.
PDF_ACTIVE = ("/JavaScript", "/JS", "/Launch", "/EmbeddedFile", "/OpenAction", "/AA",
              "/RichMedia", "/XFA")  # fmt: skip

router = APIRouter(prefix="/fund/api", tags=["Democracy fund"])


def kind_of(data: bytes) -> str:
    for magic, kind in KINDS.items():
        if data.startswith(magic):
            return kind
    raise ConfigError("only PDF, JPEG and PNG documents are taken")


def clean(data: bytes) -> tuple[str, bytes]:
    """The document's type and its content without metadata, or ConfigError."""
    if len(data) > MAX_BYTES:
        raise ConfigError(f"a document is {MAX_BYTES // (1024 * 1024)} MiB at most")
    kind = kind_of(data)
    if kind == "application/pdf":
        return kind, _clean_pdf(data)
    return kind, _clean_image(data, "JPEG" if kind == "image/jpeg" else "PNG")


def _clean_image(data: bytes, form: str) -> bytes:
    """Decoded and encoded again: only the pixels survive (no EXIF, GPS, comments, text
    chunks), turned upright as the camera said."""
    from PIL import Image, ImageOps

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != form:
                    raise ConfigError("the document's content is not what its header says")
                upright = ImageOps.exif_transpose(image)
                pixels = Image.frombytes(upright.mode, upright.size, upright.tobytes())
                if pixels.mode not in ("RGB", "L", "RGBA", "P"):
                    pixels = pixels.convert("RGB")
                if form == "JPEG" and pixels.mode in ("RGBA", "P"):
                    pixels = pixels.convert("RGB")
                out = io.BytesIO()
                pixels.save(out, form, quality=90) if form == "JPEG" else pixels.save(out, form)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ConfigError("the image is too large to open safely") from None
    except (OSError, ValueError, SyntaxError):
        raise ConfigError("the image cannot be read") from None
    return out.getvalue()


def _clean_pdf(data: bytes) -> bytes:
    """Rewritten page by page, without the document information, XMP metadata, scripts,
    actions or attachments; an encrypted or active PDF is refused."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ConfigError("an encrypted PDF cannot be checked: send it unencrypted")
        if len(reader.pages) > 500:
            raise ConfigError("a PDF of more than 500 pages is not taken")
        raw = data.replace(b" ", b"")
        if any(name.encode() in raw for name in PDF_ACTIVE):
            raise ConfigError("the PDF carries scripts, actions or attachments: print it to "
                              "a new PDF and send that")  # fmt: skip
        writer = PdfWriter()  # a new catalogue: no names tree, open action or form
        for page in reader.pages:
            added = writer.add_page(page)
            for key in ("/AA", "/Annots"):  # page actions; links and widgets that may run
                if key in added:
                    del added[key]
        writer.add_metadata({"/Producer": ""})
        if "/Metadata" in writer._root_object:
            del writer._root_object["/Metadata"]
        out = io.BytesIO()
        writer.write(out)
    except ConfigError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, RecursionError):
        raise ConfigError("the PDF cannot be read") from None
    return out.getvalue()


def add(fund: Fund, who: Staff, case_id: str, data: bytes) -> str:
    kind, cleaned = clean(data)
    upload_id = new_id()
    with fund.store.engine.begin() as conn:
        row = _visible(fund, conn, who, case_id)
        policy.check(who, "case.note", _scope(row))
        conn.execute(insert(upload_table).values(
            id=upload_id, case=case_id, content_type=kind, size=len(cleaned),
            data=fund.ring.encrypt(cleaned, context("fund_upload", "data", upload_id)),
            created_at=fund.clock(), created_by=who.name,
        ))  # fmt: skip
        fund.log(conn, who, "upload.add", f"upload:{upload_id}", f"case:{case_id} {kind}")
    return upload_id


def listing(fund: Fund, who: Staff, case_id: str) -> list[dict[str, Any]]:
    t = upload_table
    with fund.store.engine.connect() as conn:
        row = _visible(fund, conn, who, case_id)
        policy.check(who, "case.note", _scope(row))
        rows = conn.execute(select(t.c.id, t.c.content_type, t.c.size, t.c.created_at,
                                   t.c.created_by).where(t.c.case == case_id)).all()  # fmt: skip
    return [{"id": r.id, "content_type": r.content_type, "size": r.size,
             "created_at": r.created_at.isoformat(timespec="seconds"), "by": r.created_by}
            for r in rows]  # fmt: skip


def read(fund: Fund, who: Staff, case_id: str, upload_id: str) -> tuple[str, bytes]:
    t = upload_table
    with fund.store.engine.begin() as conn:
        row = _visible(fund, conn, who, case_id)
        policy.check(who, "case.note", _scope(row))
        found = conn.execute(select(t).where(t.c.id == upload_id, t.c.case == case_id)).first()
        if found is None:
            raise NotFound(f"no document {upload_id!r} in this case")
        data = fund.ring.decrypt(found.data, context("fund_upload", "data", upload_id))
        fund.log(conn, who, "upload.read", f"upload:{upload_id}", f"case:{case_id}")
    return found.content_type, data


@router.post("/cases/{case_id}/uploads", dependencies=[Depends(same_site)])
async def upload(
    case_id: str, who: Signed, fund: FundDep, document: Annotated[UploadFile, File()]
) -> dict[str, str]:
    """Attach a document to one's own case (PDF, JPEG or PNG, 10 MiB at most)."""
    data = await document.read(MAX_BYTES + 1)
    return {"id": add(fund, who.staff, case_id, data)}


@router.get("/cases/{case_id}/uploads")
def uploads(case_id: str, who: Signed, fund: FundDep) -> list[dict[str, Any]]:
    return listing(fund, who.staff, case_id)


@router.get("/cases/{case_id}/uploads/{upload_id}")
def download(case_id: str, upload_id: str, who: Signed, fund: FundDep) -> Response:
    kind, data = read(fund, who.staff, case_id, upload_id)
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[kind]
    return Response(data, media_type=kind, headers={
        "Content-Disposition": f'attachment; filename="document-{upload_id}.{extension}"',
        "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store",
    })  # fmt: skip
