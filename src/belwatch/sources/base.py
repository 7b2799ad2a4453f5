"""What every list parser shares: the parse contract, deterministic ids, and safe readers.

A parser module defines ``FORMAT = SourceFormat(...)`` with two pure functions:

- ``sniff(data) -> bool``: does this file's *content* look like this format?
- ``parse(file, lenient=False) -> ParseResult``: the file's entities, or a ``SourceError``
  naming file, record and field. ``lenient=True`` keeps the good records of a damaged file
  and lists what was skipped in ``ParseResult.warnings``.

No HTTP and no database inside a parser: bytes in, FtM entities out.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from followthemoney import EntityProxy, model
from followthemoney.util import sanitize_text
from lxml import etree

from belwatch.exc import SourceError
from belwatch.sources.datasets import get_dataset

# Limits that stop hostile files early. No official list comes near them.
MAX_FILE_BYTES = 1024 * 1024 * 1024
MAX_FIELD_CHARS = 1024 * 1024
MAX_XLSX_UNPACKED = 1024 * 1024 * 1024
MAX_XLSX_RATIO = 200  # unpacked/packed size: real workbooks stay far below


@dataclass
class SourceFile:
    """One file to parse. ``companions`` carries the side files of multi-file formats
    (OFAC's add/alt/comments CSVs), keyed by role."""

    name: str
    data: bytes
    companions: Mapping[str, bytes] = field(default_factory=dict)


@dataclass
class ParseResult:
    dataset: str
    format: str
    entities: list[EntityProxy]
    records: int  # list entries (targets) read
    published: date | None = None  # the list's own publication date, where it carries one
    declared: int | None = None  # the number of entries the file says it has, where it says
    warnings: list[str] = field(default_factory=list)
    # False for files that carry only changes (an amending act): entries missing from them
    # are not delisted.
    complete: bool = True


@dataclass(frozen=True)
class SourceFormat:
    name: str
    dataset: str  # default dataset; a parser may decide another from content
    title: str
    sniff: Callable[[bytes], bool]
    parse: Callable[..., ParseResult]
    companion_of: str | None = None  # for side files: the primary format they belong to
    role: str | None = None  # for side files: their key in SourceFile.companions


def make_id(dataset: str, *keys: str | int | None) -> str:
    """A deterministic id from the dataset and the list's own key for the record."""
    key = "\x1f".join(str(k) for k in keys if k is not None and str(k) != "")
    if not key:
        raise ValueError("an entity id needs at least one key")
    digest = hashlib.sha1(f"{dataset}\x1e{key}".encode()).hexdigest()[:24]
    return f"{dataset.replace('_', '-')}-{digest}"


# Value types whose cleaning depends on the value alone (not on the entity): cleaned once per
# file and remembered. Country and URL cleaning dominate parse time otherwise.
_PURE_TYPES = frozenset({"country", "url", "date", "email", "gender", "topic", "language"})


class Context:
    """Collects a parser's entities and makes its errors point at file, record and field."""

    def __init__(self, dataset: str, file: SourceFile | str, fmt: str = "") -> None:
        self.info = get_dataset(dataset)
        self.dataset = dataset
        self.filename = file.name if isinstance(file, SourceFile) else file
        self.format = fmt
        self.entities: list[EntityProxy] = []
        self.records = 0
        self.warnings: list[str] = []
        self.record: str | None = None  # the entry being read, for error messages
        self._cleaned: dict[tuple[str, str | None, str], str | None] = {}

    def error(
        self, message: str, field: str | None = None, record: str | None = None
    ) -> SourceError:
        return SourceError(message, file=self.filename, record=record or self.record, field=field)

    def make(self, schema: str, *keys: str | int | None) -> EntityProxy:
        entity = model.make_entity(schema)
        entity.id = make_id(self.dataset, *keys)
        return entity

    def add(self, entity: EntityProxy, prop: str, value: Any, field: str | None = None) -> None:
        """Add values (a string, a date, or a list of them), skipping empties; refuse
        oversized fields with an error that names them."""
        if value is None:
            return
        prop_ = entity.schema.properties.get(prop)
        if prop_ is None or prop_.stub:
            return
        pure = prop_.type.name in _PURE_TYPES
        for item in value if isinstance(value, (list, tuple, set)) else (value,):
            if item is None:
                continue
            if isinstance(item, str):
                text = item.strip()
            elif isinstance(item, (date, datetime)):
                text = item.isoformat()
            else:
                text = str(item).strip()
            if not text:
                continue
            if len(text) > MAX_FIELD_CHARS:
                raise self.error(
                    f"value of {len(text):,} characters exceeds the limit of {MAX_FIELD_CHARS:,}",
                    field=field or prop,
                )
            if not pure:
                entity.unsafe_add(prop_, sanitize_text(text))
                continue
            key = (prop_.type.name, prop_.format, text)
            if key not in self._cleaned:
                self._cleaned[key] = prop_.type.clean_text(text, format=prop_.format)
            cleaned = self._cleaned[key]
            if cleaned is not None:
                entity.unsafe_add(prop_, cleaned, cleaned=True)

    def valid_date(
        self, value: Any, field: str, formats: tuple[str, ...] | None = None
    ) -> str | None:
        """``parse_date`` for a field that must hold a date where it holds anything: an
        error naming the field otherwise."""
        found = parse_date(value, formats or _DATE_FORMATS)
        if found is None and value is not None and str(value).strip():
            raise self.error(f"not a date: {value!r}", field=field)
        return found

    def emit(self, entity: EntityProxy) -> None:
        if entity.id is None:
            raise self.error("entity without id")
        self.entities.append(entity)

    def emit_address(self, target: EntityProxy, address: EntityProxy, full: str | None) -> None:
        """Emit an Address made for ``target``, and give the target its text and a link to it."""
        self.add(target, "address", full)
        target.add("addressEntity", address.id)
        self.emit(address)

    def sanction(
        self,
        entity: EntityProxy,
        *keys: str | int | None,
        program: Any = None,
        listing_date: Any = None,
        reason: Any = None,
        authority_id: Any = None,
    ) -> EntityProxy:
        """Make the Sanction that lists ``entity`` on this dataset's list."""
        sanction = self.make("Sanction", "sanction", entity.id, *keys)
        sanction.add("entity", entity.id)
        self.add(sanction, "authority", self.info.authority)
        self.add(
            sanction, "country", self.info.jurisdiction if self.info.jurisdiction != "un" else None
        )
        self.add(sanction, "program", program)
        self.add(sanction, "listingDate", listing_date)
        self.add(sanction, "reason", reason)
        self.add(sanction, "authorityId", authority_id)
        self.add(sanction, "sourceUrl", self.info.url)
        return sanction

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    @contextmanager
    def entry(
        self, record: str, lenient: bool, skipped: str = "skipped: {error}"
    ) -> Iterator[None]:
        """Read one entry of the list: errors name ``record``, and an entry read through is
        counted. When ``lenient``, an entry that fails with a SourceError leaves no entities
        behind and the warning ``skipped`` (with the error) stands in for it; otherwise the
        error propagates."""
        self.record = record
        mark = len(self.entities)
        try:
            yield
        except SourceError as error:
            if not lenient:
                raise
            del self.entities[mark:]
            self.warn(skipped.format(error=error))
        else:
            self.records += 1
        finally:
            self.record = None

    def result(self, published: date | None = None, declared: int | None = None) -> ParseResult:
        return ParseResult(
            dataset=self.dataset,
            format=self.format,
            entities=self.entities,
            records=self.records,
            published=published,
            declared=declared,
            warnings=self.warnings,
        )


# --- text ------------------------------------------------------------------------------


def join_parts(*parts: str | None) -> str | None:
    """The non-empty parts joined by ", " (an address, a place of birth), or None."""
    return ", ".join(p for p in parts if p) or None


def name_key(name: str) -> str:
    """A name reduced to its words in capitals, to find an entry cited by name."""
    return " ".join(re.sub(r"[^\w]+", " ", name.upper()).split())


def decode(data: bytes, filename: str, encodings: tuple[str, ...] = ("utf-8-sig",)) -> str:
    """Decode with the first encoding that fits; name the byte offset when none does."""
    error: UnicodeDecodeError | None = None
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            error = error or exc
    assert error is not None
    line = data[: error.start].count(b"\n") + 1
    raise SourceError(
        f"not valid {'/'.join(encodings)} text (byte {error.start}, {error.reason})",
        file=filename,
        record=f"line {line}",
    )


def read_csv(text: str, filename: str, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """Rows with their line numbers; errors name the line."""
    csv.field_size_limit(MAX_FIELD_CHARS)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise SourceError(
                f"broken CSV: {exc}", file=filename, record=f"line {reader.line_num}"
            ) from None
        yield line, row
        line = reader.line_num + 1


_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


def refuse_xml_declarations(data: bytes, filename: str) -> None:
    """No official list declares a DTD or entities; files that do are XML bombs or external
    entity attacks until proven otherwise."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<") and (_DOCTYPE.search(head) or b"<!ENTITY" in data):
        raise SourceError(
            "XML with a DOCTYPE or entity declarations is refused "
            "(possible XML bomb or external entity)",
            file=filename,
        )


def parse_xml(data: bytes, filename: str) -> etree._Element:
    """Parse XML safely: no DTDs or entity declarations (XML bombs, external entities), no
    network, no huge text nodes."""
    if len(data) > MAX_FILE_BYTES:
        raise SourceError(f"file of {len(data):,} bytes is larger than the limit", file=filename)
    refuse_xml_declarations(data, filename)
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        return etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise SourceError(
            f"malformed XML: {exc.msg}", file=filename, record=f"line {line}" if line else None
        ) from None


def xml_text(element: etree._Element | None, path: str | None = None) -> str | None:
    """Whitespace-collapsed text of an element (or of the first match of ``path``)."""
    if element is not None and path is not None:
        element = element.find(path)
    if element is None or element.text is None:
        return None
    return " ".join(element.text.split()) or None


def xml_values(element: etree._Element, path: str) -> list[str]:
    """The non-empty texts of all matches of ``path``."""
    return [text for node in element.iterfind(path) if (text := xml_text(node))]


def strip_namespaces(root: etree._Element) -> etree._Element:
    """Drop namespaces so parsers can use plain tag names."""
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith("{"):
            element.tag = etree.QName(element.tag).localname
    etree.cleanup_namespaces(root)
    return root


def xml_root_name(data: bytes) -> str | None:
    """The root element's local name, read from the file's start without parsing it."""
    match = re.search(
        rb"<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)[\s>/]", _skip_prolog(data[:65536])
    )
    return match.group(2).decode() if match else None


def _skip_prolog(head: bytes) -> bytes:
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    while head.startswith((b"<?", b"<!--", b"<!")):
        end = {b"<?": b"?>", b"<!--": b"-->", b"<!": b">"}[
            b"<?" if head.startswith(b"<?") else b"<!--" if head.startswith(b"<!--") else b"<!"
        ]
        cut = head.find(end)
        if cut < 0:
            return b""
        head = head[cut + len(end) :].lstrip(b" \t\r\n")
    return head


# --- spreadsheets ----------------------------------------------------------------------


def is_xlsx(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04" and b"xl/" in data[:65536]


def refuse_zip_bomb(data: bytes, filename: str) -> None:
    """Refuse a zip archive (xlsx) that unpacks to far more than it weighs, or whose parts
    declare XML entities."""
    if data[:4] != b"PK\x03\x04":
        return
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > MAX_XLSX_UNPACKED or unpacked > MAX_XLSX_RATIO * max(len(data), 1):
                raise SourceError(
                    f"workbook unpacks to {unpacked:,} bytes from {len(data):,}: "
                    "refused as a possible zip bomb",
                    file=filename,
                )
            for info in archive.infolist():
                if not info.filename.endswith(".xml"):
                    continue
                with archive.open(info) as part:
                    if b"<!ENTITY" in part.read(65536):
                        raise SourceError(
                            "workbook part declares XML entities: refused",
                            file=filename,
                            record=info.filename,
                        )
    except zipfile.BadZipFile as exc:
        raise SourceError(f"not a readable xlsx workbook: {exc}", file=filename) from None


def xlsx_sheets(data: bytes, filename: str) -> dict[str, list[tuple[Any, ...]]]:
    """All rows of every sheet, after checking the archive is not a zip bomb. Cells come as
    openpyxl would give them: None for empty, int for whole numbers, datetime for dates."""
    from python_calamine import CalamineError, CalamineWorkbook

    refuse_zip_bomb(data, filename)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return {
            name: [
                tuple(_cell(v) for v in row)
                for row in book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            ]
            for name in book.sheet_names
        }
    except (CalamineError, ValueError, OSError) as exc:
        raise SourceError(f"not a readable xlsx workbook: {exc}", file=filename) from None


def _cell(value: Any) -> Any:
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


def xlsx_first_row_text(data: bytes) -> str:
    """Shared strings of the workbook (first 256 KiB), for sniffing column headers."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.read("xl/sharedStrings.xml")[:262144].decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError):
        return ""


# --- dates -----------------------------------------------------------------------------

_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d", "%d-%m-%Y", "%d %b %Y", "%d %B %Y")


def parse_date(value: Any, formats: tuple[str, ...] = _DATE_FORMATS) -> str | None:
    """An ISO date (or year / year-month where only that is given), or None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    if not text:
        return None
    if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text):
        return text
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ].*", text):
        return text[:10]
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return None
