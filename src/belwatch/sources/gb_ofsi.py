"""UK HM Treasury OFSI Consolidated List ("ConList"), as the xlsx or the CSV OFSI publishes.

Each row is one name of a target; rows sharing a Group ID are one target, repeated once per
name x regime x birth date x address. The Group ID is the Sanction's authority id. Entity and
ship details (type of entity, parent company, IMO number...) arrive packed into "Other
Information" as ``(Label):value`` facts, or as columns of their own in some exports.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from functools import partial
from typing import Any

from followthemoney import EntityProxy

from belwatch.sources.base import (
    Context,
    ParseResult,
    SourceFile,
    SourceFormat,
    decode,
    is_xlsx,
    name_key,
    read_csv,
    xlsx_first_row_text,
    xlsx_sheets,
)
from belwatch.sources.uk_common import (
    COMPANY,
    UN_REF,
    clean,
    countries,
    kinship,
    labelled_ids,
    mention,
    merge_duplicates,
    ownership,
    split_numbered,
    text,
    uk_date,
)

DATASET = "gb_hmt_sanctions"
SCHEMATA = {"individual": "Person", "entity": "Organization", "ship": "Vessel"}
NAME_PROPS = {"primary name": "name", "fka": "previousName", "formerly known as": "previousName"}
REQUIRED = ("Name 6", "Group ID", "Group Type", "Regime")
FACTS = (
    "UK Sanctions List Ref", "UK Statement of Reasons", "UN Ref", "Gender", "Phone number",
    "Email address", "Website", "Fax", "Type of entity", "Business Reg No", "Parent company",
    "Subsidiaries", "IMO number", "Current owners", "Flag of ship", "Previous flags",
    "Type of ship", "Tonnage of ship", "Length of ship", "Year built",
)  # fmt: skip
# Exports that give entity and ship details as columns name a few of them differently.
FACT_COLUMNS = {"business registration number": "business reg no", "tel": "phone number"}
FACT_KEYS = {f.lower() for f in FACTS}
FACT = re.compile(rf"\(({'|'.join(map(re.escape, FACTS))})\)\s*:", re.IGNORECASE)
UK_REF = re.compile(r"\b[A-Z]{3}\d{4}\b")
# "(UK Sanctions List Ref):BEL0047 and GHR0051. Listed under..." / "(UN Ref):QDi.300. ..."
LEADING_REFS = {
    "uk sanctions list ref": (UK_REF, "programId"),
    "un ref": (UN_REF, "unscId"),
}
# "Listed as asset of Korea Samjong Shipping (OFSI ID: 13635, ...)"
GROUP_MENTION = re.compile(r"OFSI ID\s*:\s*(\d+)")
MENTIONED = "mentioned in Other Information"  # the role of an UnknownLink to a cited target
Row = dict[str, Any]
NAME_COLUMNS = (
    "Name 1", "Name 2", "Name 3", "Name 4", "Name 5", "Name 6", "Alias Type", "Alias Quality",
    "Name Non-Latin Script", "Non-Latin Script Type", "Non-Latin Script Language",
)  # fmt: skip
HEADER_WITHIN = 10  # rows before the header: the "Last Updated" line, blank lines


def sniff(data: bytes) -> bool:
    if is_xlsx(data):
        text = xlsx_first_row_text(data)
        return "Name 6" in text and "Group ID" in text and "Alias Type" in text
    head = data[:8192].decode("utf-8", "replace").lstrip("\ufeff")
    return head.startswith(("Last Updated", "Name 6")) and "Group ID" in head and "Name 6" in head


def _sheet(file: SourceFile) -> Iterator[tuple[str, list[Any]]]:
    """The rows of the CSV, or of the workbook sheet that has the list's header row."""
    if not is_xlsx(file.data):
        for line, fields in read_csv(decode(file.data, file.name), file.name):
            yield f"line {line}", list(fields)
        return
    sheets = xlsx_sheets(file.data, file.name)
    for sheet, rows in sheets.items():
        if any("Group ID" in row and "Name 6" in row for row in rows[:HEADER_WITHIN]):
            for number, cells in enumerate(rows, start=1):
                yield f"{sheet} row {number}", list(cells)
            return


def _table(ctx: Context, file: SourceFile) -> tuple[date | None, list[tuple[str, Row]]]:
    published: date | None = None
    header: list[str] | None = None
    table: list[tuple[str, Row]] = []
    for seen, (label, row) in enumerate(_sheet(file)):
        cells = [clean(c) for c in row]
        if header is not None:
            if any(c is not None for c in cells):
                table.append((label, dict(zip(header, cells, strict=False))))
        elif cells and cells[0] == "Last Updated" and len(cells) > 1:
            found = uk_date(cells[1])
            published = date.fromisoformat(found) if found and len(found) == 10 else None
        elif "Group ID" in cells and "Name 6" in cells:
            header = [str(c) if c is not None else "" for c in cells]
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                raise ctx.error(f"header lacks {', '.join(missing)}", record=label)
        elif seen >= HEADER_WITHIN:
            break
    if header is None:
        raise ctx.error("no header row with 'Name 6' and 'Group ID' columns: not an OFSI list")
    return published, table


def parse(file: SourceFile, lenient: bool = False) -> ParseResult:
    ctx = Context(DATASET, file, FORMAT.name)
    published, table = _table(ctx, file)
    groups: dict[str, list[Row]] = {}
    for label, row in table:
        group = text(row.get("Group ID"))
        if group is None:
            problem = ctx.error("row without a Group ID", field="Group ID", record=label)
            if not lenient:
                raise problem
            ctx.warn(f"skipped: {problem}")
            continue
        groups.setdefault(group, []).append(row)
    index = _Index(groups)
    for group, rows in groups.items():
        with ctx.entry(f"Group ID {group}", lenient):
            _target(ctx, group, rows, index)
    merge_duplicates(ctx)
    return ctx.result(published=published)


def facts(row: Row) -> dict[str, list[str]]:
    """The ``(Label):value`` facts of Other Information, plus the columns that carry them;
    the unlabelled text is under ""."""
    found: dict[str, list[str]] = {}
    parts = FACT.split(text(row.get("Other Information")) or "")
    found[""] = [parts[0].strip()] if parts[0].strip() else []
    for label, value in zip(parts[1::2], parts[2::2], strict=True):
        if value.strip():
            found.setdefault(label.lower(), []).append(value.strip())
    for column, cell in row.items():
        key = FACT_COLUMNS.get(column.lower(), column.lower())
        if key in FACT_KEYS and (value := text(cell)):
            found.setdefault(key, []).append(value)
    return found


def schema_of(kind: str | None, details: dict[str, list[str]]) -> str | None:
    schema = SCHEMATA.get((kind or "").strip().lower())
    if schema == "Organization" and (
        any(COMPANY.search(t) for t in details.get("type of entity", []))
        or "business reg no" in details
        or "parent company" in details
    ):
        return "Company"  # only an Asset can be owned
    return schema


class _Index:
    """Other targets of the same list, by group, UN reference and name, to link to."""

    def __init__(self, groups: dict[str, list[Row]]) -> None:
        self.schema: dict[str, str] = {}
        self.un: dict[str, str] = {}
        self.names: dict[str, str] = {}
        for group, rows in groups.items():
            details = facts(rows[0])
            self.schema[group] = schema_of(text(rows[0].get("Group Type")), details) or ""
            for value in details.get("un ref", []):
                for ref in UN_REF.findall(value[:20]):
                    self.un[ref] = group
            for row in rows:
                name = " ".join(text(row.get(f"Name {i}")) or "" for i in (1, 2, 3, 4, 5, 6))
                self.names.setdefault(name_key(name), group)

    def by_name(self, name: str) -> str | None:
        return self.names.get(name_key(re.sub(r"\([^)]*\)", "", name))) or self.names.get(
            name_key(name)
        )


def _target(ctx: Context, group: str, rows: list[Row], index: _Index) -> None:
    details = facts(rows[0])
    schema = schema_of(text(rows[0].get("Group Type")), details)
    if schema is None:
        raise ctx.error(f"unknown group type {rows[0].get('Group Type')!r}", field="Group Type")
    entity = ctx.make(schema, group)
    subs: dict[str, EntityProxy] = {}
    sanctions: dict[str, EntityProxy] = {}
    seen: set[tuple[Any, ...]] = set()
    for row in rows:
        # A row repeats every detail once per name and regime: read each variant once.
        names = tuple(row.get(c) for c in NAME_COLUMNS)
        rest = tuple(v for c, v in row.items() if c not in NAME_COLUMNS and c != "Regime")
        if names not in seen:
            _names(ctx, entity, row)
            seen.add(names)
        if rest not in seen:
            _details(ctx, entity, group, row, subs)
            seen.add(rest)
        regime = text(row.get("Regime"))
        if regime is None:
            raise ctx.error("row without a regime", field="Regime")
        if regime not in sanctions:
            sanction = ctx.sanction(
                entity,
                regime,
                program=regime,
                listing_date=uk_date(text(row.get("Listed On"))),
                authority_id=group,
            )
            ctx.add(
                sanction, "startDate", uk_date(text(row.get("UK Sanctions List Date Designated")))
            )
            ctx.add(sanction, "modifiedAt", uk_date(text(row.get("Last Updated"))))
            sanctions[regime] = sanction
    if not entity.has("name"):
        # Two targets list only aliases: promote the first so the target has a caption.
        ctx.add(entity, "name", (entity.get("alias") or entity.get("weakAlias"))[:1])
    if not entity.has("name"):
        raise ctx.error("target without a name", field="Name 6")
    notes = _facts(ctx, entity, group, details, sanctions, index, subs)
    ctx.add(entity, "notes", "\n".join(notes), field="Other Information")
    ctx.emit(entity)
    for sub in [*sanctions.values(), *subs.values()]:
        ctx.emit(sub)


def _names(ctx: Context, entity: EntityProxy, row: Row) -> None:
    parts = [text(row.get(f"Name {i}")) for i in (1, 2, 3, 4, 5)]
    last = text(row.get("Name 6"))
    full = " ".join(p for p in [*parts, last] if p)
    kind = (text(row.get("Alias Type")) or "").lower()
    prop = NAME_PROPS.get(kind, "alias")
    if prop == "alias" and (text(row.get("Alias Quality")) or "").lower().startswith("low"):
        prop = "weakAlias"
    ctx.add(entity, prop, full, field="Name 6")
    if prop == "name" and entity.schema.is_a("Person"):
        ctx.add(entity, "firstName", parts[0])
        ctx.add(entity, "middleName", parts[1:])
        ctx.add(entity, "lastName", last)
    ctx.add(entity, "alias", text(row.get("Name Non-Latin Script")), field="Name Non-Latin Script")


def _sub(ctx: Context, subs: dict[str, EntityProxy], schema: str, *keys: str | None) -> EntityProxy:
    made = ctx.make(schema, *keys)
    assert made.id is not None
    return subs.setdefault(made.id, made)


def _details(
    ctx: Context, entity: EntityProxy, group: str, row: Row, subs: dict[str, EntityProxy]
) -> None:
    if entity.schema.is_a("Person"):
        ctx.add(entity, "title", split_numbered(row.get("Title")), field="Title")
        dob = text(row.get("DOB"))
        if dob and (birth := uk_date(dob)):
            ctx.add(entity, "birthDate", birth)
        elif dob:
            ctx.add(entity, "notes", f"DOB: {dob}", field="DOB")
        ctx.add(
            entity, "birthPlace", split_numbered(row.get("Town of Birth")), field="Town of Birth"
        )
        ctx.add(entity, "birthCountry", countries(row.get("Country of Birth")))
        ctx.add(entity, "nationality", countries(row.get("Nationality")))
        ctx.add(entity, "position", split_numbered(row.get("Position")), field="Position")
        for schema, number_col, details_col, prop in (
            ("Passport", "Passport Number", "Passport Details", "passportNumber"),
            ("Identification", "National Identification Number",
             "National Identification Details", "idNumber"),
        ):  # fmt: skip
            numbers = split_numbered(row.get(number_col))
            about = split_numbered(row.get(details_col))
            for i, number in enumerate(numbers):
                ctx.add(entity, prop, number, field=number_col)
                document = _sub(ctx, subs, schema, group, schema, number)
                document.add("holder", entity.id)
                ctx.add(document, "number", number, field=number_col)
                ctx.add(document, "type", number_col.removesuffix(" Number"))
                if len(about) == len(numbers):
                    ctx.add(document, "description", about[i], field=details_col)
    lines = [text(row.get(f"Address {i}")) for i in (1, 2, 3, 4, 5, 6)]
    postcode, country = text(row.get("Post/Zip Code")), countries(row.get("Country"))
    ctx.add(entity, "country", country)
    full = ", ".join(p for p in [*lines, postcode, text(row.get("Country"))] if p)
    if any(lines) or postcode:
        address = _sub(ctx, subs, "Address", group, "address", full)
        ctx.add(address, "full", full, field="Address 1")
        ctx.add(address, "street", lines[0], field="Address 1")
        ctx.add(address, "postalCode", split_numbered(postcode), field="Post/Zip Code")
        ctx.add(address, "country", country)
        ctx.add(entity, "address", full, field="Address 1")
        entity.add("addressEntity", address.id)


def _facts(
    ctx: Context,
    entity: EntityProxy,
    group: str,
    details: dict[str, list[str]],
    sanctions: dict[str, EntityProxy],
    index: _Index,
    subs: dict[str, EntityProxy],
) -> list[str]:
    """Apply the Other Information facts; return the text to keep as notes."""
    notes = list(details.get("", []))
    get = details.get
    for key, (pattern, prop) in LEADING_REFS.items():
        for value in get(key, []):
            # The references lead the value; remarks may follow them.
            refs = re.match(rf"(?:\s*{pattern.pattern}(?:\s*(?:,|and|&))?)*\.?", value)
            assert refs is not None  # the pattern matches the empty string
            for sanction in sanctions.values():
                ctx.add(sanction, prop, pattern.findall(refs.group(0)))
            notes.append(value[refs.end() :].strip())
    for sanction in sanctions.values():
        ctx.add(sanction, "reason", get("uk statement of reasons"), field="UK Statement of Reasons")
    props = {
        "gender": "gender", "phone number": "phone", "fax": "phone", "email address": "email",
        "website": "website", "type of entity": "legalForm", "imo number": "imoNumber",
        "flag of ship": "flag", "type of ship": "type", "tonnage of ship": "tonnage",
    }  # fmt: skip
    for key, prop in props.items():
        values = get(key, [])
        if prop in ("phone", "email", "website"):  # several in one: "0037517... 0037529..."
            values = [p for v in values for p in re.split(r"[;,]\s*|\.\s+", v) if p.strip()]
            values = [re.sub(r"^\s*00(?=\d)", "+", v) for v in values]  # 00375... is +375...
        if entity.schema.get(prop) is not None:
            ctx.add(entity, prop, [v.lower() if prop == "gender" else v for v in values])
    if entity.schema.is_a("Vessel"):
        ctx.add(
            entity,
            "pastFlags",
            [f for v in get("previous flags", []) for f in re.split(r"[.,;]\s", v)],
        )
        ctx.add(entity, "buildDate", get("year built"))
        notes.extend(f"Length of ship: {v}" for v in get("length of ship", []))
    for value in get("business reg no", []):
        if entity.schema.is_a("LegalEntity"):
            labelled_ids(ctx, entity, value)
    links = (
        ("parent company", False, "parent company"),
        ("subsidiaries", True, "subsidiary"),
        ("current owners", False, "current owner"),
    )
    for key, owns, role in links:
        for value in get(key, []):
            others = [index.by_name(n) for n in re.split(r"\.\s|;\s|\(\d+\)", value) if n.strip()]
            resolved = [o for o in others if o and o != group]
            for other in resolved:
                owner, asset = (group, other) if owns else (other, group)
                ownership(ctx, partial(_sub, ctx, subs), index.schema, owner, asset, role)
            if len(resolved) < len(others):
                notes.append(f"{key.capitalize()}: {value}")
    _mentions(ctx, entity, group, details, index, subs)
    return [n for n in notes if n.strip(" .")]


def _mentions(
    ctx: Context,
    entity: EntityProxy,
    group: str,
    details: dict[str, list[str]],
    index: _Index,
    subs: dict[str, EntityProxy],
) -> None:
    """Other targets the remarks cite by OFSI group id or UN reference."""
    remarks = " ".join(
        v for k in ("", "uk sanctions list ref", "un ref") for v in details.get(k, [])
    )
    cited = [(m.start(), m.group(1)) for m in GROUP_MENTION.finditer(remarks)]
    cited += [(m.start(), index.un.get(m.group(0))) for m in UN_REF.finditer(remarks)]
    make = partial(_sub, ctx, subs)
    for start, other in cited:
        if other is None or other == group or other not in index.schema:
            continue
        if "asset of" in remarks[max(0, start - 80) : start]:
            ownership(ctx, make, index.schema, other, group, "listed as asset of")
        else:
            kin = kinship(remarks, start)
            mention(ctx, make, entity, group, other, index.schema[other], kin, MENTIONED)


FORMAT = SourceFormat(
    name="gb_ofsi",
    dataset=DATASET,
    title="UK HM Treasury OFSI Consolidated List (ConList xlsx/CSV)",
    sniff=sniff,
    parse=parse,
)
