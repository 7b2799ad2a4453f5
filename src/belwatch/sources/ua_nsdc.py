"""Ukraine NSDC State Register of Sanctions, as exported to xlsx: a sheet of individuals
("Фізичні особи") and one of legal entities ("Юридичні особи").

Each row is one listing of a person or company by a presidential decree putting an NSDC
decision into force; the register gives no id of its own, so a row is keyed by decree number,
its position in the decree's annex ("п/н") and name. Exports add or move columns (one has a
leading row index), so columns are found by their header text.
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

DATASET = "ua_nsdc_sanctions"
DECREE, NAME = "№ указу", "Назва укр."
REQUIRED = (DECREE, "Дата указу", NAME)
# Labelled identifiers in the identifier columns and the remarks: "ЄДРПОУ00039002",
# "ОДРН1047796349864", "КПП 910843001", "ІПН 36600105027", "ідентифікаційний номер – 2798602512".
IDENTIFIERS = re.compile(
    r"(?P<label>ЄДРПОУ|ОДРН|ОГРН|основний державний реєстраційний номер|КПП|ОКПО|REGON|УНП|УПН|"
    r"NIP|ІПН|ИНН|ІНПП|РНОКПП|ДРФО України|ідентифікаційн\w+ (?:номер|код)(?: платника податків)?|"
    r"(?:індивідуальний )?податков\w+ номер)[\s:№–-]*(?P<number>\d{7,15})",
    re.IGNORECASE,
)
PROPS = {
    "єдрпоу": "registrationNumber", "одрн": "ogrnCode", "огрн": "ogrnCode",
    "основний державний реєстраційний номер": "ogrnCode", "кпп": "kppCode", "окпо": "okpoCode",
    "regon": "registrationNumber", "унп": "registrationNumber", "упн": "registrationNumber",
    "nip": "taxNumber",
}  # fmt: skip
PASSPORT = re.compile(r"паспорт\w*([^;]*)", re.IGNORECASE)
PASSPORT_NUMBER = re.compile(r"(?<![\d.])(?:[A-ZА-ЯІЇЄ]{2}\s?(?:№\s?)?)?\d{6,10}(?![\d.])")
ALT_BIRTH = re.compile(r"альтернативн\w+ дат\w+ народження\s*[-–:]?\s*(\d{2}\.\d{2}\.\d{4})")
REGISTERED = re.compile(r"дата реєстрації\s*[-–—:]?\s*(\d{2}\.\d{2}\.\d{4})")
DIRECTOR = re.compile(
    r"директор\s*[:–-]?\s*([А-ЯІЇЄҐ][^\s,;_]+ [А-ЯІЇЄҐ][^\s,;_]+ [А-ЯІЇЄҐ][^\s,;_]+)"
)
CHANGE = re.compile(r"(Виключено|Скасовано|Змінено|Внесено зміни).*", re.IGNORECASE)
APPLIED = "застосування"  # "Дія щодо об'єкту санкцій": applying, not lifting or changing
NUMBERED = re.compile(r"(?:^|\s)\d{1,2}\)\s*")


def sniff(data: bytes) -> bool:
    if not is_xlsx(data):
        return False
    text = xlsx_first_row_text(data)
    return NAME in text and DECREE in text and "Тип обмеження" in text


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).replace("_x000D_", "\n").split())
    return text or None


def _date(ctx: Context, value: Any, field: str) -> str | None:
    if value is None or isinstance(value, datetime | date):
        return parse_date(value)
    found = parse_date(_text(value))
    if found is None and _text(value):
        raise ctx.error(f"not a date: {value!r}", field=field)
    return found


def parse(file: SourceFile, lenient: bool = False) -> ParseResult:
    ctx = Context(DATASET, file, FORMAT.name)
    tables = _tables(ctx, file)
    people = {
        _key(row[NAME]): key
        for schema, rows in tables
        if schema == "Person"
        for key, _, row in rows
        if row.get(NAME)
    }
    for schema, rows in tables:
        for key, label, row in rows:
            with ctx.entry(label, lenient):
                _entry(ctx, schema, key, row, people)
    return ctx.result()


Table = list[tuple[tuple[str, ...], str, dict[str, Any]]]


def _tables(ctx: Context, file: SourceFile) -> list[tuple[str, Table]]:
    """Each sheet's rows as dicts by header text, with the key that names the listing."""
    tables: list[tuple[str, Table]] = []
    for sheet, rows in xlsx_sheets(file.data, file.name).items():
        found = [i for i, row in enumerate(rows[:10]) if NAME in [_text(c) for c in row]]
        if not found:
            continue
        header = [_text(c) or "" for c in rows[found[0]]]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise ctx.error(
                f"header lacks {', '.join(missing)}", record=f"{sheet} row {found[0] + 1}"
            )
        schema = "Person" if "Дата народження" in header or "Фізичні" in sheet else "Company"
        table: Table = []
        seen: dict[tuple[str, ...], int] = {}
        for number, cells in enumerate(rows[found[0] + 1 :], start=found[0] + 2):
            row = {h: v for h, v in zip(header, cells, strict=False) if h}
            if not any(_text(v) for v in row.values()):
                continue
            name = (
                _text(row.get(NAME))
                or _text(row.get("Назва ориг."))
                or _text(row.get("Назва альт."))
            )
            key: tuple[str, ...] = (
                schema,
                _text(row.get(DECREE)) or "",
                _text(row.get("п/н")) or "",
            )
            key = (*key, name or _text(row.get("ОКПО/ЄДРПОУ")) or _text(row.get("ІПН")) or "")
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > 1:  # the same name twice at one position of a decree
                key = (*key, str(seen[key]))
            table.append((key, f"{sheet} row {number}", row))
        tables.append((schema, table))
    if not tables:
        raise ctx.error(f"no sheet with a '{NAME}' column: not an NSDC register export")
    return tables


def _key(name: str) -> str:
    return name_key(name.replace("’", "'"))


def _entry(
    ctx: Context,
    schema: str,
    key: tuple[str, ...],
    row: dict[str, Any],
    people: dict[str, tuple[str, ...]],
) -> None:
    decree = _text(row.get(DECREE))
    if decree is None:
        raise ctx.error("listing without a decree number", field=DECREE)
    entity = ctx.make(schema, *key)
    names = [_text(row.get(c)) for c in (NAME, "Назва ориг.")]
    alt = [a.strip() for a in (_text(row.get("Назва альт.")) or "").split(";") if a.strip()]
    primary = names[0] or names[1] or (alt[0] if alt else None)
    if primary is None and not any(_text(row.get(c)) for c in ("ОКПО/ЄДРПОУ", "ІПН")):
        raise ctx.error("listing without a name or an identifier", field=NAME)
    if primary is None:  # a real row names a company by its registration code alone
        ctx.warn(f"{ctx.record}: listing without a name, kept by its identifier")
    ctx.add(entity, "name", primary, field=NAME)
    ctx.add(entity, "alias", [n for n in (*names, *alt) if n and n != primary], field="Назва альт.")
    remarks = _text(row.get("Додатково")) or ""
    if schema == "Person":
        parts = (names[0] or "").split()
        if len(parts) == 3 and "(" not in parts[1]:  # Прізвище Ім'я По батькові
            for prop, part in zip(("lastName", "firstName", "fatherName"), parts, strict=True):
                ctx.add(entity, prop, part)
        ctx.add(entity, "birthDate", _date(ctx, row.get("Дата народження"), "Дата народження"))
        ctx.add(entity, "birthDate", [parse_date(d) for d in ALT_BIRTH.findall(remarks)])
        ctx.add(entity, "birthPlace", _text(row.get("Місце народження")), field="Місце народження")
        ctx.add(entity, "position", _text(row.get("Зайнятість")), field="Зайнятість")
        for code in re.split(r"[,;]", _text(row.get("Громадянство")) or ""):
            code = code.strip()
            ctx.add(entity, "citizenship" if len(code) == 2 else "notes", code)
        for passport in PASSPORT.findall(remarks):
            ctx.add(entity, "passportNumber", PASSPORT_NUMBER.findall(passport))
    else:
        ctx.add(entity, "incorporationDate", [parse_date(d) for d in REGISTERED.findall(remarks)])
    for column in ("ОКПО/ЄДРПОУ", "ІПН", "Додатково"):
        _identifiers(ctx, entity, _text(row.get(column)) or "", column)
    ctx.add(entity, "notes", remarks, field="Додатково")
    addresses = [
        _text(row.get(c))
        for c in ("Місце проживання", "Місце діяльності", "Місце діяльності додатково")
    ]
    for full in dict.fromkeys(filter(None, addresses)):
        address = ctx.make("Address", *key, "address", full)
        ctx.add(address, "full", full, field="Місце діяльності")
        ctx.emit_address(entity, address, full)
    ctx.emit(entity)
    _sanction(ctx, entity, decree, row, remarks)
    for director in DIRECTOR.findall(remarks) if schema == "Company" else []:
        person = people.get(_key(director))
        if person is not None:
            link = ctx.make("Directorship", *key, "director", *person)
            link.add("director", make_id(ctx.dataset, *person))
            link.add("organization", entity.id)
            ctx.add(link, "role", "директор")
            ctx.emit(link)


def _identifiers(ctx: Context, entity: EntityProxy, text: str, column: str) -> None:
    for match in IDENTIFIERS.finditer(text):
        label, number = match.group("label").lower(), match.group("number")
        prop = PROPS.get(label)
        if label == "єдрпоу" and len(number) in (13, 15):
            prop = "ogrnCode"  # a Russian OGRN under the Ukrainian label
        if prop is None:
            prop = _taxpayer(ctx, entity, number, column)
        if prop is not None and entity.schema.get(prop) is not None:
            ctx.add(entity, prop, number, field=column)
    if column == "ОКПО/ЄДРПОУ" and re.fullmatch(r"\d{7,10}", text):
        ctx.add(entity, "registrationNumber", text, field=column)  # an unlabelled code


def _taxpayer(ctx: Context, entity: EntityProxy, number: str, column: str) -> str | None:
    """A Russian INN (10 digits for companies, 12 for people) where its check digits hold;
    otherwise a Ukrainian or other taxpayer number."""
    if len(number) == 12 or (len(number) == 10 and not entity.schema.is_a("Person")):
        before = len(entity.get("innCode"))
        ctx.add(entity, "innCode", number, field=column)
        if len(entity.get("innCode")) > before:
            return None
    return "taxNumber"


def _sanction(
    ctx: Context, entity: EntityProxy, decree: str, row: dict[str, Any], remarks: str
) -> None:
    sanction = ctx.sanction(
        entity,
        program=f"Указ Президента України № {decree}",
        listing_date=_date(ctx, row.get("Дата указу"), "Дата указу"),
        authority_id=_text(row.get("п/н")) and f"{decree}/{_text(row.get('п/н'))}",
    )
    ctx.add(sanction, "programId", decree)
    ctx.add(
        sanction,
        "endDate",
        _date(ctx, row.get("Дата закінчення обмеження"), "Дата закінчення обмеження"),
    )
    measures = _text(row.get("Тип обмеження")) or ""
    ctx.add(
        sanction, "provisions", [m.strip(" ;") for m in NUMBERED.split(measures) if m.strip(" ;")]
    )
    term = _text(row.get("Термін обмеження"))
    ctx.add(sanction, "description", term and f"Термін обмеження: {term}", field="Термін обмеження")
    action = _text(row.get("Дія щодо об'єкту санкцій"))
    if action and action.lower() != APPLIED:
        ctx.add(sanction, "status", action.lower())
    for change in CHANGE.finditer(remarks):
        ctx.add(sanction, "summary", change.group(0).strip(), field="Додатково")
        ctx.add(sanction, "status", change.group(1).lower())
    ctx.emit(sanction)


FORMAT = SourceFormat(
    name="ua_nsdc_xlsx",
    dataset=DATASET,
    title="Ukraine NSDC State Register of Sanctions (xlsx export)",
    sniff=sniff,
    parse=parse,
)
