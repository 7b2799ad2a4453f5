"""US Trade Consolidated Screening List (CSL) CSV: one row per listing on one of eleven
export-screening sub-lists (OFAC SDN and non-SDN lists, BIS Entity / Denied Persons /
Unverified / MEU lists, State ISN and DTC lists), named in the ``source`` column.

The same target can have a row on two sub-lists under one ``_id`` (an OFAC ent_num): it
becomes one entity with one Sanction per sub-list. Fields holding several values separate
them with ``; ``; ids are ``Type, Number, Country, Issued, Expires`` in OFAC's vocabulary.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from followthemoney import EntityProxy, model
from followthemoney.exc import InvalidData

from belwatch.sources.base import (
    Context,
    ParseResult,
    SourceFile,
    SourceFormat,
    decode,
    make_id,
    read_csv,
)
from belwatch.sources.ofac_remarks import Target, entity_schema, ofac_dates

DATASET = "us_trade_csl"
HEADER = b"_id,source,entity_number,type,programs,name"
REQUIRED = ("_id", "source", "name")
TYPES = ("", "individual", "entity", "vessel", "aircraft")  # "" on the BIS and State lists
Row = dict[str, str | None]


def sniff(data: bytes) -> bool:
    return data[:4096].lstrip(b"\xef\xbb\xbf").startswith(HEADER)


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(";") if part.strip()]


def parse(file: SourceFile, lenient: bool = False) -> ParseResult:
    ctx = Context(DATASET, file, FORMAT.name)
    text = decode(file.data, file.name)
    rows = list(read_csv(text, file.name))
    if not rows:
        raise ctx.error("empty file")
    header = [column.strip() for column in rows[0][1]]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise ctx.error(f"header lacks the column(s) {', '.join(missing)}", record="line 1")
    # A file cut inside a quoted field leaves an odd number of quotes and a short last row.
    truncated = text.count('"') % 2 == 1 or len(rows[-1][1]) < len(header)
    listings: list[tuple[str, Row]] = []
    for index, (line, values) in enumerate(rows[1:], start=2):
        if [value.strip() for value in values] == header:
            ctx.warn(f"{file.name}: line {line}: the header row is repeated; skipped")
            continue
        if not any(value.strip() for value in values):
            continue
        row: Row = {
            col: (value.strip() or None) for col, value in zip(header, values, strict=False)
        }
        record = f"line {line} (_id {row.get('_id')}, {row.get('name')})"
        if len(values) != len(header):
            if truncated and index == len(rows):
                problem = (
                    f"file is truncated: the last record is incomplete ({len(values)} of "
                    f"{len(header)} columns)"
                )
            else:
                problem = f"{len(values)} columns where the header has {len(header)}"
            error = ctx.error(problem, record=record)
            if not lenient:
                raise error
            ctx.warn(f"{error}; record dropped")
            continue
        listings.append((record, row))

    names: dict[str, set[str]] = {}
    schemas: dict[str, str | None] = {}
    for _, row in listings:
        key = row["_id"] or ""
        names.setdefault(row["name"] or "", set()).add(key)
        schemas[key] = _common(schemas.get(key, ""), _schema(row))

    def lookup(name: str) -> str | None:
        found = names.get(name, set())
        return make_id(DATASET, *found) if len(found) == 1 and "" not in found else None

    entities: dict[str, EntityProxy] = {}
    for record, row in listings:
        with ctx.entry(record, lenient, skipped="{error}; record dropped"):
            for entity in _listing(ctx, row, schemas.get(row["_id"] or ""), lookup):
                if entity.id in entities:
                    entities[entity.id].merge(entity)
                else:
                    entities[str(entity.id)] = entity
    for entity in entities.values():
        ctx.emit(entity)
    return ctx.result()


def _schema(row: Row) -> str:
    kind = (row.get("type") or "").lower()
    return entity_schema(kind, row.get("ids") or "") if kind else "LegalEntity"


def _common(known: str | None, schema: str) -> str | None:
    """The schema all listings of one _id fit in; None when they do not fit one entity."""
    if known == "":
        return schema
    if known is None:
        return None
    try:
        return model.common_schema(known, schema).name
    except InvalidData:
        return None


def _listing(
    ctx: Context, row: Row, schema: str | None, lookup: Callable[[str], str | None]
) -> list[EntityProxy]:
    key, source, name = row["_id"], row["source"], row["name"]
    for column, value in (("_id", key), ("source", source), ("name", name)):
        if not value:
            raise ctx.error("required value is empty", field=column)
    kind = (row.get("type") or "").lower()
    if kind not in TYPES:
        raise ctx.error(f"unknown type {row.get('type')!r}", field="type")
    # Listings of one _id whose types cannot be one entity stay apart, one per sub-list.
    entity = ctx.make(schema, key) if schema else ctx.make(_schema(row), key, source)
    programs = _split(row.get("programs"))
    sanction = ctx.sanction(
        entity,
        source,
        program=[source, *programs],
        listing_date=ofac_dates(row.get("start_date") or ""),
        authority_id=row.get("entity_number") or key,
    )
    ctx.add(sanction, "endDate", ofac_dates(row.get("end_date") or ""))
    ctx.add(sanction, "summary", row.get("federal_register_notice"))
    ctx.add(sanction, "provisions", [row.get("license_requirement"), row.get("license_policy")])
    ctx.add(sanction, "sourceUrl", [row.get("source_list_url"), row.get("source_information_url")])
    target = Target(ctx, entity, sanction, str(key), lookup)
    target.name(str(name))
    for alias in _split(row.get("alt_names")):
        target.name(alias, "alias")
    title = row.get("title")
    target.put("position", title, f"Title: {title}")
    for value in _split(row.get("dates_of_birth")):
        target.date("birthDate", value, f"DOB {value}")
    for place in _split(row.get("places_of_birth")):
        target.put("birthPlace", place, f"POB {place}")
    for country in _split(row.get("nationalities")):
        target.put("nationality", country, f"nationality {country}")
    for country in _split(row.get("citizenships")):
        target.put("citizenship", country, f"citizen {country}")
    for item in _split(row.get("ids")):
        target.item(_id_item(item))
    for column, prop in (
        ("call_sign", "callSign"),
        ("vessel_type", "type"),
        ("gross_tonnage", "tonnage"),
        ("gross_registered_tonnage", "grossRegisteredTonnage"),
        ("vessel_flag", "flag"),
    ):
        target.put(prop, row.get(column), f"{column}: {row.get(column)}")
    if row.get("vessel_owner"):
        target.link(str(row["vessel_owner"]), "Vessel owner")
    for address in _split(row.get("addresses")):
        _address(ctx, target, address)
    target.remarks(row.get("remarks"))
    return target.entities()


def _id_item(text: str) -> str:
    """``Passport, G 649385, DE, 08 Sep 2006, 17 Jul 2011`` as OFAC's remarks print it:
    ``Passport G 649385 (DE) issued 08 Sep 2006 expires 17 Jul 2011``."""
    label, _, rest = text.partition(", ")
    parts = rest.split(", ")
    number, country, dates = [parts[0]], None, list[str]()
    for part in parts[1:]:
        if country is None and not dates and re.fullmatch(r"[A-Z]{2}", part):
            country = part
        elif ofac_dates(part):
            dates.append(part)
        elif country is None and not dates:
            number.append(part)
    item = f"{label} {', '.join(number)}".strip()
    item += f" ({country})" if country else ""
    item += f" issued {dates[0]}" if dates else ""
    item += f" expires {dates[1]}" if len(dates) > 1 else ""
    return item


def _address(ctx: Context, target: Target, full: str) -> None:
    """``street, city, postal code, CC``: only the trailing country code is certain."""
    address = ctx.make("Address", target.key, "address", full)
    ctx.add(address, "full", full)
    code = full.rsplit(", ", 1)[-1]
    country = code if re.fullmatch(r"[A-Z]{2}", code) else None
    ctx.add(address, "country", country)
    target.address(address, full, country)


FORMAT = SourceFormat(
    name="us_csl",
    dataset=DATASET,
    title="US Trade Consolidated Screening List (CSV)",
    sniff=sniff,
    parse=parse,
)
