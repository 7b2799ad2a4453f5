"""EU Official Journal transcription CSV (OpenSanctions' ``eu/journal_sanctions`` data): the
annexes of a framework act, as a consolidated snapshot or as one amending act's additions,
one row per designated entity per legal context (programme, annex, measure).

Targets. A row with a printed ``recordId`` is the entry (framework act, annex, recordId):
each annex numbers its entries on its own (entry 45 of Annex I.A is Aliaksandr Lukashenka,
entry 45 of Annex I.B is OJSC Planar), so the annex belongs to the key. Rows without a
number (Annex V export controls, IX/XV/XXXIV financial restrictions) are keyed on the
framework act, the printed name and the first birth/incorporation date or registration
number. Rows of one target merge into one entity with one Sanction per (programme, annex,
measure). Amendment rows use the same keys, so an amendment updates the target and the
Sanction of the consolidated file.

The file states no publication date (the consolidation date lives in OpenSanctions' dataset
metadata; a CELEX number carries only the year), so ``published`` stays None. The CSV has no
relationship columns: FORMAT.md drops "Associated entities" lines on purpose.
"""

from __future__ import annotations

import re

from followthemoney import EntityProxy
from followthemoney.exc import InvalidData
from followthemoney.types import registry

from belwatch.sources.base import (
    Context,
    ParseResult,
    SourceFile,
    SourceFormat,
    decode,
    parse_date,
    read_csv,
)

DATASET = "eu_journal_sanctions"
# The columns exactly as FORMAT.md prints them; amendment files lead with two CELEX columns.
COLUMNS = (
    "recordId,programKey,annex,measure,startDate,reason,schema,name,alias,weakAlias,"
    "previousName,country,nationality,jurisdiction,birthDate,birthPlace,position,passportNumber,"
    "gender,appearance,ethnicity,fatherName,motherName,incorporationDate,legalForm,sector,"
    "registrationNumber,taxNumber,idNumber,innCode,ogrnCode,kppCode,okpoCode,leiCode,swiftBic,"
    "ticker,imoNumber,mmsi,flag,address,phone,email,website,notes"
)
META = COLUMNS.split(",")[:8]
ENTITY = COLUMNS.split(",")[8:]  # FtM property names
CONSOLIDATED = ["celex", *META, *ENTITY]
AMENDMENT = ["amendedCelex", "amendmentCelex", *META, *ENTITY]
SCHEMATA = ("Asset", "Company", "LegalEntity", "Organization", "Person", "Vessel")
REGIMES = {"EU-BLR": "Belarus"}  # programKey -> the regime named after the act
COUNTRIES = {"country", "nationality", "jurisdiction", "flag"}
IDENTIFIERS = {"registrationNumber", "taxNumber", "idNumber", "innCode", "ogrnCode", "okpoCode"}
DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%d %b. %Y")

# One value of a multi-valued cell: CSV-quoted (quotes doubled) or bare up to the next ";".
_VALUE = re.compile(r'\s*(?:"((?:[^"]|"")*)"|([^;]*))\s*(;|$)')
# Dates inside free-form cells: "1979, 1980 or 1981", "21.11.1964 / 1965", "28.01 1966".
_DATE_IN_TEXT = re.compile(r"\b(\d{1,2})\.(\d{1,2})[.\s]\s*(\d{4})\b|\b(1[89]\d\d|20\d\d)\b")
_PASSPORT_LABEL = re.compile(r"passport(?: no\.?| number)?:\s*(.+?)\.?$", re.IGNORECASE)
_AND = re.compile(r",\s*|\s+and\s+")
_COUNTRY_SPELLINGS = {"belarussian": "Belarus", "byelorussian": "Belarus", "belorussian": "Belarus"}
_CELEX = re.compile(r"3(\d{4})([RD])(\d{4})")


def sniff(data: bytes) -> bool:
    head = data[:512].lstrip(b"\xef\xbb\xbf")
    return head.startswith(
        (b"celex,recordId,programKey,", b"amendedCelex,amendmentCelex,recordId,")
    )


def parse(file: SourceFile, lenient: bool = False) -> ParseResult:
    ctx = Context(DATASET, file, FORMAT.name)
    rows = read_csv(decode(file.data, file.name), file.name)
    header = next((row for _, row in rows), None)
    if header not in (CONSOLIDATED, AMENDMENT):
        raise ctx.error(
            f"not an EU Official Journal transcription header: {header!r}", record="line 1"
        )
    entities: dict[str, EntityProxy] = {}
    targets: set[str] = set()
    for line, cells in rows:
        if not any(cells):
            continue
        with ctx.entry(f"line {line}", lenient, skipped="{error}; row skipped"):
            if len(cells) != len(header):
                raise ctx.error(f"{len(cells)} cells, the header has {len(header)}: broken row")
            target, sanction = _row(ctx, dict(zip(header, cells, strict=True)))
            for entity in (target, sanction):
                _merge(ctx, entities, entity)
            targets.add(str(target.id))
    ctx.records = len(targets)  # rows of one target count once
    for entity in entities.values():
        ctx.emit(entity)
    result = ctx.result()
    # An amending act lists what it adds or changes; the annex keeps everything else.
    result.complete = header == CONSOLIDATED
    return result


def _row(ctx: Context, row: dict[str, str]) -> tuple[EntityProxy, EntityProxy]:
    annex, number = row["annex"].strip(), row["recordId"].strip()
    if number:
        ctx.record = f"{ctx.record} (Annex {annex} entry {number})"
    celex_column = "celex" if "celex" in row else "amendedCelex"
    celex = row[celex_column]
    for column in ("programKey", "measure", "schema", "name"):
        if not row[column].strip():
            raise ctx.error("required value is empty", field=column)
    if not _CELEX.fullmatch(celex):
        raise ctx.error(f"not the CELEX number of an act: {celex!r}", field=celex_column)
    if row["schema"] not in SCHEMATA:
        raise ctx.error(
            f"schema {row['schema']!r} is not one of {', '.join(SCHEMATA)}", field="schema"
        )
    if number:
        target = ctx.make(row["schema"], celex, "annex", annex, number)
    else:
        name = " ".join(row["name"].split()).casefold()
        target = ctx.make(row["schema"], celex, "name", name, _distinction(row))
    ctx.add(target, "name", row["name"], field="name")
    for column in ENTITY:
        _add_column(ctx, target, column, _split(row[column]))

    listed = ctx.valid_date(row["startDate"], "startDate", DATE_FORMATS)
    act = _act(celex)
    sanction = ctx.sanction(
        target,
        row["programKey"],
        annex,
        row["measure"],
        program=f"{act} ({REGIMES.get(row['programKey'], row['programKey'])})",
        listing_date=listed,
        reason=row["reason"],
        authority_id=number or None,
    )
    ctx.add(sanction, "programId", row["programKey"])
    ctx.add(sanction, "provisions", row["measure"])
    ctx.add(sanction, "summary", f"Annex {annex} to {act}" if annex else None)
    if row.get("amendmentCelex"):  # the act that made this row: its EUR-Lex page
        url = f"https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:{row['amendmentCelex']}"
        ctx.add(sanction, "sourceUrl", url)
    return target, sanction


def _distinction(row: dict[str, str]) -> str | None:
    """What tells namesakes apart: the first birth/incorporation date or registration number,
    normalised so that an amendment printing "01.02.1994" for "1.2.1994" keeps the id."""
    for column in ("birthDate", "incorporationDate", "registrationNumber"):
        for value in _split(row[column]):
            return (
                _unlabel(value)
                if column == "registrationNumber"
                else next(iter(_dates(value)), value)
            )
    return None


def _add_column(ctx: Context, entity: EntityProxy, column: str, values: list[str]) -> None:
    if not values:
        return
    if entity.schema.get(column) is None:
        raise ctx.error(f"{entity.schema.name} has no property {column!r}", field=column)
    if column in ("birthDate", "incorporationDate"):
        dates = [d for value in values for d in _dates(value)]
        if not dates:
            ctx.warn(f"{ctx.filename}: record {ctx.record}: no date in {column} {values!r}")
        values = dates
    elif column == "passportNumber":
        values = [p for value in values for p in _passports(value)]
    elif column in COUNTRIES:  # "Russian, Belarusian", "Russian and Belarusian"
        values = [_COUNTRY_SPELLINGS.get(v.casefold(), v) for v in _parts(values, _AND)]
        for value in values:
            if registry.country.clean(value) is None:
                ctx.warn(f"{ctx.filename}: record {ctx.record}: {column} {value!r} is no country")
    elif column in ("phone", "email"):  # "+375 266 01 31, +375 266 34 17"
        values = _parts(values, ",")
    elif column in IDENTIFIERS:
        for value in values:
            # "3040771A125PB2; Passport: MP3810311." prints a passport among the ids.
            labelled = _PASSPORT_LABEL.fullmatch(value)
            if labelled and entity.schema.get("passportNumber") is not None:
                ctx.add(entity, "passportNumber", labelled.group(1), field=column)
        values = [_unlabel(v) for v in values if not _PASSPORT_LABEL.fullmatch(v)]
    ctx.add(entity, column, values, field=column)


def _merge(ctx: Context, entities: dict[str, EntityProxy], entity: EntityProxy) -> None:
    seen = entities.get(str(entity.id))
    if seen is None:
        entities[str(entity.id)] = entity
        return
    try:
        seen.merge(entity)
    except InvalidData as exc:
        raise ctx.error(f"same entry as an earlier row, but {exc}", field="schema") from None


def _split(cell: str) -> list[str]:
    """The values of a multi-valued cell (FORMAT.md: ';'-separated, CSV-quoted if needed)."""
    values: list[str] = []
    pos = 0
    while pos <= len(cell):
        match = _VALUE.match(cell, pos)
        if match is None:  # cannot happen: the bare alternative matches anything up to ";"
            break
        quoted, bare, end = match.groups()
        value = quoted.replace('""', '"') if quoted is not None else bare
        if value.strip() and value.strip() not in values:
            values.append(value.strip())
        if not end:
            break
        pos = match.end()
    return values


def _parts(values: list[str], separator: str | re.Pattern[str]) -> list[str]:
    parts = (re.split(separator, value) for value in values)
    return [part.strip() for split in parts for part in split if part.strip()]


def _dates(value: str) -> list[str]:
    """ISO dates (or years) from a free-form date cell: FtM keeps partial dates."""
    whole = parse_date(value, DATE_FORMATS)
    if whole is not None:
        return [whole]
    found = []
    for day, month, year, only_year in _DATE_IN_TEXT.findall(value):
        text = f"{day}.{month}.{year}" if year else only_year
        parsed = parse_date(text, DATE_FORMATS)
        if parsed is not None:
            found.append(parsed)
    return found


def _passports(value: str) -> list[str]:
    """Passport numbers without the printed validity ("MP4572331, issued on 12.2.2021",
    "MP3303172 (issued on 10.6.2013; might have expired)", "MP 3413113 and MP 2387911")."""
    value = re.sub(r"\([^)]*\)|,\s*(issued|valid)\b.*$", "", value)
    return [part.strip() for part in re.split(r"\s+and\s+", value) if part.strip()]


def _unlabel(value: str) -> str:
    # "100211261(УНП)", "190950894 (Belarus)": the parenthesis names the register.
    return re.sub(r"\s*\([^)]*\)\s*$", "", value) or value


def _act(celex: str) -> str:
    """The act's citation from its CELEX number, e.g. 32006R0765 -> Regulation (EC) No
    765/2006 (the EU numbering changed with Lisbon in 2009 and again in 2015)."""
    match = _CELEX.fullmatch(celex)
    if match is None:
        return f"CELEX {celex}"
    year, kind, number = int(match.group(1)), match.group(2), int(match.group(3))
    if kind == "D":
        return (
            f"Decision {year}/{number}/CFSP" if year < 2015 else f"Decision (CFSP) {year}/{number}"
        )
    if year < 2015:
        return f"Regulation ({'EC' if year < 2010 else 'EU'}) No {number}/{year}"
    return f"Regulation (EU) {year}/{number}"


FORMAT = SourceFormat(
    name="eu_oj",
    dataset=DATASET,
    title="EU Official Journal sanctions transcription CSV (consolidated or amendment)",
    sniff=sniff,
    parse=parse,
)
