"""Screening a file of names: rows in (CSV, JSON lines, xlsx), hits out (CSV, JSON lines,
xlsx), each hit with its score, explanation and where the target is listed. A row that
cannot be screened is reported with its line number; the rest are screened."""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from belwatch.exc import ConfigError
from belwatch.match.algorithms import Algorithm
from belwatch.match.service import Hit, Matcher, make_query
from belwatch.sources.base import decode, xlsx_sheets

OUTPUT_COLUMNS = ["row", "input_id", "input_name", "score", "match", "entity_id", "caption",
                  "schema", "datasets", "listed_under", "explanation"]  # fmt: skip


@dataclass
class Columns:
    """Which input columns hold what."""

    name: str = "name"
    id: str | None = None
    birth_date: str | None = None
    country: str | None = None
    schema: str | None = None  # a column naming the FtM schema per row
    default_schema: str = "LegalEntity"


@dataclass
class Summary:
    rows: int = 0
    screened: int = 0
    matched_rows: int = 0
    hits: int = 0
    problems: list[str] = field(default_factory=list)


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line or row number, row) from a CSV, JSON lines or xlsx file."""
    return parse_rows(path.read_bytes(), str(path))


def parse_rows(data: bytes, label: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line or row number, row) from the bytes of a CSV, JSON lines or xlsx file; ``label``
    names the file in errors."""
    if data[:4] == b"PK\x03\x04":
        rows = next(iter(xlsx_sheets(data, label).values()), [])
        header = [str(cell or "").strip() for cell in (rows[0] if rows else ())]
        for number, row in enumerate(rows[1:], start=2):
            yield number, {h: _cell(v) for h, v in zip(header, row, strict=False) if h}
        return
    text = decode(data, label)
    if text.lstrip().startswith("{"):
        for number, line in enumerate(text.split("\n"), start=1):
            if line.strip():
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield number, {"__error__": f"not JSON: {exc.msg}"}
                    continue
                yield number, row if isinstance(row, dict) else {"__error__": "not a JSON object"}
        return
    reader = csv.DictReader(io.StringIO(text, newline=""))
    for record in reader:
        yield reader.line_num, dict(record)


def screen_rows(
    matcher: Matcher,
    algorithm: Algorithm,
    rows: Iterator[tuple[int, dict[str, Any]]],
    columns: Columns,
    limit: int = 3,
    threshold: float | None = None,
    only_matches: bool = True,
    progress: Callable[[int], None] | None = None,
    workers: int = 1,
) -> tuple[list[dict[str, Any]], Summary]:
    """Screen every row; hits in row order and a summary. With ``workers`` > 1 the rows are
    screened in that many forked processes sharing the loaded register."""
    job = _Job(matcher, algorithm, columns, limit, threshold, only_matches)
    chunks = _chunks(rows, CHUNK)
    out: list[dict[str, Any]] = []
    summary = Summary()
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        results: Iterator[tuple[list[dict[str, Any]], Summary]] = map(job.screen, chunks)
        _merge(results, out, summary, progress)
        return out, summary
    global _JOB
    _JOB = job
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            _merge(pool.imap(_screen_in_worker, chunks), out, summary, progress)
    finally:
        _JOB = None
    return out, summary


CHUNK = 250


@dataclass
class _Job:
    matcher: Matcher
    algorithm: Algorithm
    columns: Columns
    limit: int
    threshold: float | None
    only_matches: bool

    def screen(
        self, rows: list[tuple[int, dict[str, Any]]]
    ) -> tuple[list[dict[str, Any]], Summary]:
        summary = Summary()
        out: list[dict[str, Any]] = []
        for number, row in rows:
            summary.rows += 1
            try:
                query = _query(row, self.columns)
            except ConfigError as exc:
                summary.problems.append(f"line {number}: {exc}")
                continue
            summary.screened += 1
            hits = self.matcher.match(query, self.algorithm, limit=self.limit,
                                      threshold=self.threshold, load=False,
                                      only_matches=self.only_matches)  # fmt: skip
            summary.matched_rows += any(h.match for h in hits)
            summary.hits += sum(h.match for h in hits)
            for hit in hits:
                if hit.match or not self.only_matches:
                    out.append(self._output(number, row, hit))
        return out, summary

    def _output(self, number: int, row: dict[str, Any], hit: Hit) -> dict[str, Any]:
        listings = self.matcher.listings.get(hit.entity_id, ())
        listed = sorted({program for item in listings for program in item.programs})
        return {
            "row": number,
            "input_id": row.get(self.columns.id) if self.columns.id else "",
            "input_name": row.get(self.columns.name),
            "score": hit.result.score,
            "match": hit.match,
            "entity_id": hit.entity_id,
            "caption": hit.caption,
            "schema": hit.profile.entity.schema.name,
            "datasets": hit.profile.dataset,
            "listed_under": "; ".join(listed),
            "explanation": " | ".join(hit.result.explanations),
        }


# The job a forked worker inherits from its parent (set only while a pool runs).
_JOB: _Job | None = None


def _screen_in_worker(
    rows: list[tuple[int, dict[str, Any]]],
) -> tuple[list[dict[str, Any]], Summary]:
    assert _JOB is not None
    return _JOB.screen(rows)


def _chunks(
    rows: Iterator[tuple[int, dict[str, Any]]], size: int
) -> Iterator[list[tuple[int, dict[str, Any]]]]:
    chunk: list[tuple[int, dict[str, Any]]] = []
    for item in rows:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _merge(
    results: Iterator[tuple[list[dict[str, Any]], Summary]],
    out: list[dict[str, Any]],
    summary: Summary,
    progress: Callable[[int], None] | None,
) -> None:
    for hits, part in results:
        out.extend(hits)
        summary.rows += part.rows
        summary.screened += part.screened
        summary.matched_rows += part.matched_rows
        summary.hits += part.hits
        summary.problems.extend(part.problems)
        if progress is not None:
            progress(part.rows)


def _query(row: dict[str, Any], columns: Columns) -> Any:
    if "__error__" in row:
        raise ConfigError(row["__error__"])
    name = str(row.get(columns.name) or "").strip()
    if not name:
        raise ConfigError(f"no name in column {columns.name!r}")
    schema = str(row.get(columns.schema) or "").strip() if columns.schema else ""
    properties: dict[str, list[str]] = {"name": [name]}
    for column, prop in ((columns.birth_date, "birthDate"), (columns.country, "country")):
        value = str(row.get(column) or "").strip() if column else ""
        if value:
            properties[prop] = [value]
    chosen = schema or columns.default_schema
    if chosen != "Person":
        properties.pop("birthDate", None)
    return make_query({"schema": chosen, "properties": properties})


def write_rows(
    rows: list[dict[str, Any]], path: Path | None, out: Any, problems: list[str] | None = None
) -> None:
    """CSV, JSON lines or xlsx by the output file's extension; CSV to a stream. Text that a
    spreadsheet would run as a formula (=, +, -, @) is written as text."""
    suffix = path.suffix.lower() if path is not None else ".csv"
    if suffix == ".xlsx":
        if path is None:
            raise ConfigError("xlsx output needs a file name")
        path.write_bytes(xlsx_bytes(rows, problems or []))
        return
    if suffix in (".jsonl", ".json", ".ndjson"):
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    writer = csv.DictWriter(out, fieldnames=OUTPUT_COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _inert(value) for key, value in row.items()})


def xlsx_bytes(
    rows: list[dict[str, Any]], problems: list[str], columns: list[str] = OUTPUT_COLUMNS
) -> bytes:
    """The hits as a workbook, every text cell a string (never a formula), and a second sheet
    of the rows that were not screened."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, WriteOnlyCell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    def cell(sheet: WriteOnlyWorksheet, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        made = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", value))
        made.data_type = "s"
        return made

    book = Workbook(write_only=True)
    for title, header, values in (
        ("hits", columns, [[row[c] for c in columns] for row in rows]),
        ("not screened", ["problem"], [[problem] for problem in problems]),
    ):
        sheet = book.create_sheet(title)
        sheet.append(header)
        for line in values:
            sheet.append([cell(sheet, value) for value in line])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _inert(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    """An xlsx date cell as the date it shows (1954-08-30, not 1954-08-30 00:00:00)."""
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date().isoformat()
    return value


__all__ = ["Columns", "Summary", "parse_rows", "read_rows", "screen_rows", "write_rows",
           "xlsx_bytes"]  # fmt: skip
