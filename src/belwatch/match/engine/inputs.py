"""Reading a file to screen, streamed in batches: CSV, Parquet, JSON lines or xlsx, each
row brought to INPUT_SCHEMA by a column mapping. Values are read as text (an identifier
"001234" keeps its zeros); errors name the file and, where the reader says, the line."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from belwatch.exc import ConfigError
from belwatch.match.engine.tables import FIELDS, INPUT_SCHEMA, Mapping

BATCH_ROWS = 50_000
MAX_CELL = 1 << 20  # bytes a CSV block may need to hold one record


def input_format(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("csv", "txt", "tsv"):
        return "csv"
    if suffix in ("parquet", "pq"):
        return "parquet"
    if suffix in ("jsonl", "ndjson", "json"):
        return "jsonl"
    if suffix == "xlsx":
        return "xlsx"
    raise ConfigError(f"{path}: unknown input format {path.suffix!r}; use .csv, .parquet, "
                      ".jsonl or .xlsx")  # fmt: skip


def read_input(path: Path, mapping: Mapping, batch_rows: int = BATCH_ROWS) -> Iterator[pa.Table]:
    """The file's rows in INPUT_SCHEMA batches, in file order."""
    if not path.is_file():
        raise ConfigError(f"{path}: no such file")
    kind = input_format(path)
    source = {"csv": _csv, "parquet": _parquet, "jsonl": _jsonl, "xlsx": _xlsx}[kind]
    first = 2 if kind == "csv" else 1  # a CSV's first record is on line 2
    try:
        for batch, rows, problems in source(path, mapping, batch_rows):
            if batch.num_rows == 0:
                continue
            numbers = rows or list(range(first, first + batch.num_rows))
            yield normalise(batch, mapping, numbers, problems, str(path))
            first = numbers[-1] + 1
    except pa.ArrowInvalid as exc:
        raise ConfigError(f"{path}: {exc}") from None


Batch = tuple[pa.Table | pa.RecordBatch, list[int] | None, list[str | None] | None]


def normalise(
    batch: pa.Table | pa.RecordBatch,
    mapping: Mapping,
    rows: list[int],
    problems: list[str | None] | None,
    label: str,
) -> pa.Table:
    """A batch of input rows as INPUT_SCHEMA: mapped columns as trimmed text, empty as null."""
    mapping.check(batch.schema.names, label)
    columns = mapping.columns()
    arrays: list[Any] = [pa.array(rows, pa.int64())]
    for field in FIELDS:
        column = columns.get(field)
        if column is None:
            arrays.append(pa.nulls(batch.num_rows, pa.string()))
            continue
        values = batch.column(column)
        if pa.types.is_nested(values.type):
            raise ConfigError(f"{label}: column {column!r} holds lists or objects, not text")
        text = pc.utf8_trim_whitespace(pc.cast(values, pa.string()))
        arrays.append(pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text))
    arrays.append(pa.array(problems or [None] * batch.num_rows, pa.string()))
    return pa.Table.from_arrays(arrays, schema=INPUT_SCHEMA)


def _csv(path: Path, mapping: Mapping, batch_rows: int) -> Iterator[Batch]:
    from pyarrow import csv as pacsv

    with path.open("rb") as handle:
        line = handle.read(MAX_CELL).split(b"\n", 1)[0]
    try:
        first = line.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: line 1 is not UTF-8 text ({exc.reason})") from None
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    header = next(csv.reader(io.StringIO(first), delimiter=delimiter), [])
    mapping.check(header, str(path))
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(block_size=4 << 20),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in header},
            include_columns=list(dict.fromkeys(mapping.columns().values())),
            strings_can_be_null=False,
        ),
    )
    pending: list[pa.RecordBatch] = []
    count = 0
    for batch in reader:
        pending.append(batch)
        count += batch.num_rows
        if count >= batch_rows:
            yield pa.Table.from_batches(pending), None, None
            pending, count = [], 0
    if pending:
        yield pa.Table.from_batches(pending), None, None


def _parquet(path: Path, mapping: Mapping, batch_rows: int) -> Iterator[Batch]:
    import pyarrow.parquet as pq

    try:
        handle = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise ConfigError(f"{path}: not a Parquet file ({exc})") from None
    mapping.check(handle.schema_arrow.names, str(path))
    wanted = list(dict.fromkeys(mapping.columns().values()))
    for batch in handle.iter_batches(batch_size=batch_rows, columns=wanted):
        yield batch, None, None


def _jsonl(path: Path, mapping: Mapping, batch_rows: int) -> Iterator[Batch]:
    """One JSON object per line, numbers and text alike read as text; a line that is not
    an object is a row that cannot be screened."""
    import orjson

    columns = list(dict.fromkeys(mapping.columns().values()))
    records: list[dict[str, Any]] = []
    rows: list[int] = []
    problems: list[str | None] = []
    seen: set[str] = set()

    def flush() -> Batch:
        if seen:
            mapping.check(seen, str(path))
        batch = pa.Table.from_pylist(records, schema=_strings(columns))
        return batch, rows, problems

    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            values: dict[str, Any] = {}
            problem = None
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                record, problem = {}, f"not JSON: {str(exc).split(':')[0]}"
            if not isinstance(record, dict):
                record, problem = {}, "not a JSON object"
            seen.update(record)
            for column in columns:
                value = record.get(column)
                if isinstance(value, (dict, list)):
                    problem = problem or f"{column!r} is not text"
                    value = None
                values[column] = None if value is None else str(value)
            records.append(values)
            rows.append(number)
            problems.append(problem)
            if len(records) >= batch_rows:
                yield flush()
                records, rows, problems = [], [], []
    if records:
        yield flush()


def _xlsx(path: Path, mapping: Mapping, batch_rows: int) -> Iterator[Batch]:
    from belwatch.match.batch import read_rows

    columns = list(dict.fromkeys(mapping.columns().values()))
    records: list[dict[str, Any]] = []
    rows: list[int] = []
    for number, row in read_rows(path):
        if not records:
            mapping.check(row.keys(), str(path))
        records.append({c: None if row.get(c) is None else str(row.get(c)) for c in columns})
        rows.append(number)
        if len(records) >= batch_rows:
            yield pa.Table.from_pylist(records, schema=_strings(columns)), rows, None
            records, rows = [], []
    if records:
        yield pa.Table.from_pylist(records, schema=_strings(columns)), rows, None


def _strings(columns: list[str]) -> pa.Schema:
    return pa.schema([(c, pa.string()) for c in columns])
