"""Australia DFAT Consolidated List (``regulation8_consolidated.xlsx``).

One row per name: the target's primary name has a numeric Reference ("12"), its other names
the same number with a letter ("12a", "12b1"), not always in adjacent rows. The number is
the Sanction's authority id. Australia has no Belarus regime: Belarusians are listed under
"Autonomous (Russia)" and "Autonomous (Ukraine)".
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from followthemoney import EntityProxy

from belwatch.sources.base import (
    Context,
    ParseResult,
    SourceFile,
    SourceFormat,
    is_xlsx,
    make_id,
    name_key,
    parse_date,
    xlsx_first_row_text,
    xlsx_sheets,
)

DATASET = "au_dfat_sanctions"
SCHEMATA = {"individual": "Person", "entity": "Organization"}
NAME_PROPS = {
    "primary name": "name",
    "aka": "alias",
    "original script": "alias",
    "formerly known as": "previousName",
    "previously listed as": "previousName",
}
REQUIRED = ("Reference", "Name of Individual or Entity", "Name Type", "Type")
REFERENCE = re.compile(r"(\d+)\s*([a-z]{0,3}\d{0,3})", re.IGNORECASE)
EMPTY = {"na", "n/a", "-", "none", "unknown"}
# "a) Kabul b) Kandahar": lettered items of a multi-valued cell.
LETTERED = re.compile(r"(?:^|(?<=[\s.;,]))[a-zA-Z]{1,2}\)\s*")
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def _month(group: str) -> str:
    return rf"(?P<{group}>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"


DATES = re.compile(
    r"\b(?P<iso>\d{4}-\d{2}-\d{2})\b"
    r"|\b(?P<d1>\d{1,2})[/.](?P<m1>\d{1,2})[/.](?P<y1>\d{4})\b"
    rf"|\b(?P<d2>\d{{1,2}})\.?\s*{_month('m2')},?\s*(?P<y2>\d{{4}})\b"
    rf"|\b{_month('m3')}\s*(?P<y3>\d{{4}})\b"
    r"|\b(?P<y4>(?:18|19|20)\d{2})\b",
    re.IGNORECASE,
)
RELATIVE = re.compile(
    r"\b(son|daughter|wife|husband|spouse|brother|sister|father|mother|cousin|nephew|niece|"
    r"associate|business partner)\s+(?:of|to)\s+([^.;()]{3,120})",
    re.IGNORECASE,
)
HIJRI = re.compile(r"\s*\(Hijri", re.IGNORECASE)
LISTED_ON = re.compile(r"(?:listed|designated)\b[^.;]*?\bon:?\s+(.{0,40})", re.IGNORECASE)


def sniff(data: bytes) -> bool:
    if not is_xlsx(data):
        return False
    text = xlsx_first_row_text(data)
    return "Name of Individual or Entity" in text and "Control Date" in text


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).replace("_x000D_", " ").split())
    return None if text.lower() in EMPTY else text or None


def _items(value: Any) -> list[str]:
    return [p.strip(" .;,") for p in LETTERED.split(_text(value) or "") if p.strip(" .;,")]


def dates(value: Any) -> list[str]:
    """Every date in a free-text cell, as (partial) ISO dates: "a) 12 Jan. 1960 b) 1962",
    "Approximately 1955-1958"; dates of the Hijri calendar are left out."""
    if isinstance(value, datetime | date):
        return [value.strftime("%Y-%m-%d")]
    if isinstance(value, int):
        return [str(value)] if 1800 < value < 2100 else []
    found = []
    for match in DATES.finditer(_text(value) or ""):
        if HIJRI.match(match.string, match.end()):
            continue
        g = match.groupdict()
        if g["iso"]:
            found.append(parse_date(g["iso"]))
        elif g["y1"]:
            found.append(_ymd(g["y1"], int(g["m1"]), int(g["d1"])))
        elif g["y2"]:
            found.append(_ymd(g["y2"], MONTHS.index(g["m2"][:3].lower()) + 1, int(g["d2"])))
        elif g["y3"]:
            found.append(_ymd(g["y3"], MONTHS.index(g["m3"][:3].lower()) + 1, None))
        else:
            found.append(g["y4"])
    return [d for d in found if d]


def _ymd(year: str, month: int, day: int | None) -> str | None:
    if not 1 <= month <= 12:
        return year
    if day is None:
        return f"{year}-{month:02d}"
    try:
        return date(int(year), month, day).isoformat()
    except ValueError:  # "31/02/1960": keep what is certain
        return f"{year}-{month:02d}"


def parse(file: SourceFile, lenient: bool = False) -> ParseResult:
    ctx = Context(DATASET, file, FORMAT.name)
    groups: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for label, row in _rows(ctx, file):
        raw = _text(row.get("Reference"))
        match = REFERENCE.fullmatch(raw or "")
        if match is None:
            message = f"reference {raw!r} is not a number with an optional suffix"
            problem = ctx.error(message, field="Reference", record=label)
            if not lenient:
                raise problem
            ctx.warn(f"skipped: {problem}")
            continue
        groups.setdefault(match.group(1), []).append((label, row))
    people = {
        name_key(name): ref
        for ref, rows in groups.items()
        if (_text(rows[0][1].get("Type")) or "").lower() == "individual"
        for _, row in rows
        if (name := _text(row.get("Name of Individual or Entity")))
    }
    latest: date | None = None
    for reference, rows in groups.items():
        with ctx.entry(f"Reference {reference}", lenient):
            changed = _target(ctx, reference, rows, people)
            latest = max(filter(None, (latest, changed)), default=None)
    # The file states no publication date; its latest Control Date is when it last changed.
    return ctx.result(published=latest)


def _rows(ctx: Context, file: SourceFile) -> list[tuple[str, dict[str, Any]]]:
    for sheet, rows in xlsx_sheets(file.data, file.name).items():
        for number, cells in enumerate(rows[:10], start=1):
            header = [_text(c) or "" for c in cells]
            if "Reference" in header and "Name of Individual or Entity" in header:
                missing = [c for c in REQUIRED if c not in header]
                if missing:
                    raise ctx.error(
                        f"header lacks {', '.join(missing)}", record=f"{sheet} row {number}"
                    )
                return [
                    (f"{sheet} row {i}", dict(zip(header, row, strict=False)))
                    for i, row in enumerate(rows[number:], start=number + 1)
                    if any(_text(c) for c in row)
                ]
    raise ctx.error("no header row with 'Reference' and 'Name of Individual or Entity'")


def _listing_date(listing: Any) -> str | None:
    """A listing date typed as a date, or the one in "Listed on: 9 Aug. 2019 (relisted...)"."""
    if not isinstance(listing, str):
        return next(iter(dates(listing)), None)
    listed = LISTED_ON.search(listing)
    found = [d for d in dates(listed.group(1)) if len(d) == 10] if listed else []
    return found[0] if found else None


def _target(
    ctx: Context, reference: str, rows: list[tuple[str, dict[str, Any]]], people: dict[str, str]
) -> date | None:
    types = [_text(row.get("Name Type")) or "" for _, row in rows]
    primary = [
        row for (_, row), kind in zip(rows, types, strict=True) if kind.lower() == "primary name"
    ]
    if len(primary) != 1:
        raise ctx.error(f"{len(primary)} primary names for one reference", field="Name Type")
    schema = SCHEMATA.get((_text(primary[0].get("Type")) or "").lower())
    if schema is None:
        raise ctx.error(f"unknown type {primary[0].get('Type')!r}", field="Type")
    entity = ctx.make(schema, reference)
    subs: dict[str, EntityProxy] = {}
    sanctions: dict[str, EntityProxy] = {}
    changed = [
        c.date() if isinstance(c, datetime) else c
        for _, row in rows
        if isinstance(c := row.get("Control Date"), date)
    ]
    for (label, row), name_type in zip(rows, types, strict=True):
        prop = NAME_PROPS.get(name_type.lower())
        if prop is None:
            raise ctx.error(f"{label}: unknown name type {name_type!r}", field="Name Type")
        name = _text(row.get("Name of Individual or Entity"))
        if name is None:
            raise ctx.error(f"{label}: name missing", field="Name of Individual or Entity")
        ctx.add(entity, prop, name, field="Name of Individual or Entity")
        _details(ctx, entity, reference, row, subs)
        program = _text(row.get("Committees"))
        if program is None or program in sanctions:
            continue
        listing = row.get("Listing Information")
        sanctions[program] = sanction = ctx.sanction(
            entity,
            program,
            program=program,
            listing_date=_listing_date(listing),
            authority_id=reference,
        )
        ctx.add(sanction, "summary", _text(listing) if isinstance(listing, str) else None)
        ctx.add(sanction, "modifiedAt", max(changed, default=None))
    if not sanctions:
        raise ctx.error("no committee (regime) given", field="Committees")
    if schema == "Person":
        _relatives(ctx, entity, reference, rows, people, subs)
    for made in (entity, *sanctions.values(), *subs.values()):
        ctx.emit(made)
    return max(changed, default=None)


def _details(
    ctx: Context,
    entity: EntityProxy,
    reference: str,
    row: dict[str, Any],
    subs: dict[str, EntityProxy],
) -> None:
    is_person = entity.schema.is_a("Person")
    if is_person:
        ctx.add(entity, "birthDate", dates(row.get("Date of Birth")))
        ctx.add(entity, "birthPlace", _items(row.get("Place of Birth")), field="Place of Birth")
    nations = [
        re.sub(r"\([^)]*\)", "", n).strip()
        for item in _items(row.get("Citizenship"))
        for n in re.split(r",|;|\band\b", item)
    ]
    ctx.add(entity, "citizenship" if is_person else "country", [n for n in nations if n])
    for full in _items(row.get("Address")):
        address = ctx.make("Address", reference, "address", full)
        address = subs.setdefault(str(address.id), address)
        ctx.add(address, "full", full, field="Address")
        ctx.add(entity, "address", full, field="Address")
        entity.add("addressEntity", address.id)
    ctx.add(
        entity, "notes", _text(row.get("Additional Information")), field="Additional Information"
    )


def _relatives(
    ctx: Context,
    entity: EntityProxy,
    reference: str,
    rows: list[tuple[str, dict[str, Any]]],
    people: dict[str, str],
    subs: dict[str, EntityProxy],
) -> None:
    """ "Son of the President of Belarus, Alexander Ryhoravich LUKASHENKO": a Family link
    when the relative is a target of the same list."""
    notes = {_text(row.get("Additional Information")) or "" for _, row in rows}
    for match in (m for note in notes for m in RELATIVE.finditer(note)):
        phrase = match.group(2)
        candidates = [phrase, *re.split(r",|\band\b", phrase)]
        found = [people[k] for c in candidates if (k := name_key(c)) in people]
        if not found or found[0] == reference:
            continue
        kind = match.group(1).lower()
        if kind in ("associate", "business partner"):
            link = ctx.make("Associate", reference, "associate", found[0])
            link.add("associate", make_id(ctx.dataset, found[0]))
        else:
            link = ctx.make("Family", reference, "family", found[0])
            link.add("relative", make_id(ctx.dataset, found[0]))
        link.add("person", entity.id)
        ctx.add(link, "relationship", kind)
        subs[str(link.id)] = link


FORMAT = SourceFormat(
    name="au_dfat_xlsx",
    dataset=DATASET,
    title="Australia DFAT Consolidated Sanctions List (xlsx)",
    sniff=sniff,
    parse=parse,
)
