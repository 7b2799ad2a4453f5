"""OFAC legacy CSV: ``sdn.csv`` and the consolidated non-SDN ``cons_prim.csv``.

No header; twelve columns; latin-1; ``-0-`` for an empty field; a 0x1A byte ends the file.
The consolidated set comes with side files, passed as companions: ``add`` (addresses),
``alt`` (aliases) and ``comments`` (the rest of Remarks cut at 1,000 characters). Which list
a file is follows from its entries (``ofac_programs``); facts in Remarks are read by
``ofac_remarks``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable

from followthemoney import EntityProxy

from belwatch.exc import SourceError
from belwatch.sources.base import (
    Context,
    ParseResult,
    SourceFile,
    SourceFormat,
    decode,
    make_id,
    read_csv,
)
from belwatch.sources.ofac_programs import SDN, decide_dataset, is_non_sdn, split_programs
from belwatch.sources.ofac_remarks import Target, entity_schema

FORMAT_NAME = "ofac_csv"
COLUMNS = {
    FORMAT_NAME: (
        "ent_num", "SDN_Name", "SDN_Type", "Program", "Title", "Call_Sign", "Vess_type",
        "Tonnage", "GRT", "Vess_flag", "Vess_owner", "Remarks",
    ),
    "add": ("ent_num", "add_num", "address", "city_state_postal", "country", "remarks"),
    "alt": ("ent_num", "alt_num", "alt_type", "alt_name", "remarks"),
    "comments": ("ent_num", "remarks"),
}  # fmt: skip
ROLES = ("add", "alt", "comments")
TYPES = (None, "individual", "vessel", "aircraft")
Row = tuple[int, dict[str, str | None]]

_FIELD = rb'(?:-0- ?|"(?:[^"\r\n]|"")*")'
_SNIFF = {
    FORMAT_NAME: re.compile(rb'^\d+,"[^"\r\n]+",(?:-0- ?|"[a-z]+"),"[^"\r\n]+",'),
    "add": re.compile(rb"^\d+,\d+(?:," + _FIELD + rb"){4}\r?$"),
    "alt": re.compile(rb'^\d+,\d+,"[afn]ka","[^"\r\n]+",' + _FIELD + rb"\r?$"),
    "comments": re.compile(rb'^\d+,"(?:[^"\r\n]|"")*"\r?$'),
}
_TAIL_NUMBER = re.compile(r"[A-Z0-9]{1,3}-[A-Z0-9]{2,6}|N\d{1,5}[A-Z]{0,2}")


def _sniffer(role: str) -> Callable[[bytes], bool]:
    def sniff(data: bytes) -> bool:
        head = data[:8192].lstrip(b"\xef\xbb\xbf")
        return _SNIFF[role].match(head.split(b"\n", 1)[0]) is not None

    return sniff


def _clean(value: str) -> str | None:
    value = value.strip()
    return None if value in ("", "-0-") else value


def _table(data: bytes, filename: str, role: str, lenient: bool, warnings: list[str]) -> list[Row]:
    """The rows of one file as dicts, with their line numbers. A file that ends inside a
    quoted field or with a short row was cut off: an error, or a warning when lenient."""
    if b"\x00" in data[:65536]:
        raise SourceError("contains NUL bytes: not an OFAC CSV (UTF-16 or binary?)", file=filename)
    # OFAC's files are ASCII in practice; UTF-8 first reads a re-encoded mirror right too.
    text = decode(data, filename, ("utf-8-sig", "latin-1")).rstrip("\x1a\r\n")
    columns = COLUMNS[role]
    rows = [(line, row) for line, row in read_csv(text, filename) if row]
    truncated = text.count('"') % 2 == 1 or bool(rows and len(rows[-1][1]) < len(columns))
    result: list[Row] = []
    for index, (line, row) in enumerate(rows):
        record = f"line {line}" + (f" (ent_num {row[0]})" if row[0].strip().isdigit() else "")
        problem = None
        if truncated and index == len(rows) - 1:
            problem = "file is truncated: its last record is incomplete"
        elif len(row) != len(columns):
            problem = f"{len(row)} columns where {len(columns)} are expected"
        elif not row[0].strip().isdigit():
            problem = f"ent_num {row[0]!r} is not a number"
        if problem is None:
            result.append(
                (line, {col: _clean(value) for col, value in zip(columns, row, strict=True)})
            )
        elif lenient:
            warnings.append(f"{filename}: {record}: {problem}; skipped")
        else:
            raise SourceError(problem, file=filename, record=record)
    return result


def _grouped(rows: list[Row]) -> dict[str, list[dict[str, str | None]]]:
    grouped: dict[str, list[dict[str, str | None]]] = defaultdict(list)
    for _, row in rows:
        grouped[str(row["ent_num"])].append(row)
    return grouped


def parse(file: SourceFile, lenient: bool = False) -> ParseResult:
    warnings: list[str] = []
    rows = _table(file.data, file.name, FORMAT_NAME, lenient, warnings)
    sides = {
        role: _grouped(_table(data, f"{file.name} [{role}]", role, lenient, warnings))
        for role, data in file.companions.items()
        if role in ROLES
    }
    dataset = decide_dataset(
        is_non_sdn(split_programs(row["Program"]), row["Remarks"] or "") for _, row in rows
    )
    ctx = Context(dataset, file, FORMAT_NAME)
    ctx.warnings.extend(warnings)
    for role in sorted(set(file.companions) - set(ROLES)):
        ctx.warn(f"companion {role!r} is not an OFAC side file ({', '.join(ROLES)}); ignored")
    names: dict[str, set[str]] = defaultdict(set)
    for _, row in rows:
        names[row["SDN_Name"] or ""].add(str(row["ent_num"]))

    def lookup(name: str) -> str | None:
        found = names.get(name) or names.get(f"{name}.") or set()
        return make_id(dataset, *found) if len(found) == 1 else None

    seen: set[str] = set()
    for line, row in rows:
        label = f"line {line} (ent_num {row['ent_num']})"
        with ctx.entry(label, lenient, skipped="{error}; skipped"):
            for entity in _entry(ctx, row, sides, lookup, seen):
                ctx.emit(entity)
    for role, side in sides.items():
        orphans = sorted(set(side) - seen, key=int)
        if orphans:
            ctx.warn(f"{role} rows for ent_num {', '.join(orphans[:10])} match no entry; ignored")
    return ctx.result()


def _entry(
    ctx: Context,
    row: dict[str, str | None],
    sides: dict[str, dict[str, list[dict[str, str | None]]]],
    lookup: Callable[[str], str | None],
    seen: set[str],
) -> list[EntityProxy]:
    key = str(row["ent_num"])
    if key in seen:
        raise ctx.error("ent_num appears twice", field="ent_num")
    name, kind = row["SDN_Name"], row["SDN_Type"]
    if not name:
        raise ctx.error("entry without a name", field="SDN_Name")
    if kind not in TYPES:
        raise ctx.error(f"unknown SDN_Type {kind!r}", field="SDN_Type")
    programs = split_programs(row["Program"])
    if not programs:
        raise ctx.error("entry without a programme", field="Program")
    seen.add(key)
    comments = "".join(c["remarks"] or "" for c in sides.get("comments", {}).get(key, []))
    remarks = (row["Remarks"] or "") + comments
    entity = ctx.make(entity_schema(kind or "", remarks), key)
    sanction = ctx.sanction(entity, program=programs, authority_id=key)
    target = Target(ctx, entity, sanction, key, lookup)
    target.name(name)
    if kind == "aircraft" and _TAIL_NUMBER.fullmatch(name):
        target.put("registrationNumber", name)
    if row["Title"]:
        target.put("position", row["Title"], f"Title: {row['Title']}")
        target.skip.add(row["Title"])
    for column, prop in (("Call_Sign", "callSign"), ("Vess_type", "type"), ("Vess_flag", "flag")):
        target.put(prop, row[column], f"{column}: {row[column]}")
    for column, prop in (("Tonnage", "tonnage"), ("GRT", "grossRegisteredTonnage")):
        value = (row[column] or "").replace(",", "")
        target.put(prop, value, f"{column}: {value}")
    if row["Vess_owner"]:
        target.link(row["Vess_owner"], "Vessel owner")
    target.remarks(remarks)
    for alt in sides.get("alt", {}).get(key, []):
        if alt["alt_name"]:
            target.name(alt["alt_name"], "previousName" if alt["alt_type"] == "fka" else "alias")
    for add in sides.get("add", {}).get(key, []):
        _address(ctx, target, add)
    return target.entities()


def _address(ctx: Context, target: Target, add: dict[str, str | None]) -> None:
    parts = [add["address"], add["city_state_postal"], add["country"]]
    full = ", ".join(part for part in parts if part)
    if not full:
        return
    address = ctx.make("Address", target.key, "address", add["add_num"])
    ctx.add(address, "full", full)
    ctx.add(address, "street", add["address"])
    # "Moscow 117420", "Mumbai, Maharashtra 40051": the city, then the postal code if any
    place = re.fullmatch(
        r"(?P<city>.*?)[\s,]+(?P<postal>\d[\d\- ]{2,}\d)", add["city_state_postal"] or ""
    )
    ctx.add(address, "city", place.group("city") if place else add["city_state_postal"])
    ctx.add(address, "postalCode", place.group("postal") if place else None)
    ctx.add(address, "country", add["country"])
    ctx.add(address, "remarks", add["remarks"])
    target.address(address, full, add["country"])


def _side_parse(role: str) -> Callable[..., ParseResult]:
    def parse_side(file: SourceFile, lenient: bool = False) -> ParseResult:
        raise SourceError(
            f"an OFAC {role}.csv side file: parse its cons_prim.csv with this file as the "
            f"{role!r} companion",
            file=file.name,
        )

    return parse_side


FORMATS = [
    SourceFormat(
        name=FORMAT_NAME,
        dataset=SDN,
        title="OFAC legacy CSV (sdn.csv / cons_prim.csv)",
        sniff=_sniffer(FORMAT_NAME),
        parse=parse,
    ),
    *(
        SourceFormat(
            name=f"{FORMAT_NAME}_{role}",
            dataset=SDN,
            title=f"OFAC legacy CSV side file ({role}.csv)",
            sniff=_sniffer(role),
            parse=_side_parse(role),
            companion_of=FORMAT_NAME,
            role=role,
        )
        for role in ROLES
    ),
]
