"""Case files as documenters keep them: one row per persecuted person and case, headed in
English, Russian or Belarusian (ФИО / Прозвішча, імя; Дата задержания / Дата затрымання;
Статьи УК / Артыкулы КК; Суд, Судья / Суддзя, Прокурор / Пракурор, ...), in CSV or xlsx; or
FtM entities as JSON lines. Each row becomes FtM entities: the person, the court case, the
parties to it (defendant, judge, prosecutor), the detention and release, and each official
with the post held. Every entity keeps the row's sources and who imported it."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from followthemoney import EntityProxy, model

from belwatch.exc import ConfigError, SourceError
from belwatch.match.batch import parse_rows
from belwatch.match.index import token_key
from belwatch.match.names.keys import name_tokens
from belwatch.register.records import (
    INTERNAL,
    PUBLIC,
    RESTRICTED,
    VISIBILITIES,
    Change,
    Source,
)
from belwatch.sources import ftm
from belwatch.sources.base import SourceFile

# Each field's headers, folded (lower case, letters and digits only), in the three languages.
HEADERS: dict[str, tuple[str, ...]] = {
    "name": (
        "name",
        "fullname",
        "fio",
        "фио",
        "имя",
        "фамилияимяотчество",
        "прозвішчаімяімяпабацьку",
        "прозвішчаімя",
        "імя",
        "піб",
    ),
    "birth_date": ("birthdate", "dateofbirth", "dob", "датарождения", "датанараджэння"),
    "gender": ("gender", "sex", "пол", "пол"),
    "detained": (
        "detained",
        "dateofdetention",
        "detentiondate",
        "датазадержания",
        "датазатрымання",
        "задержан",
        "затрыманы",
    ),
    "articles": (
        "articles",
        "criminalcodearticles",
        "charges",
        "статьиук",
        "статьи",
        "артыкулыкк",
        "артыкулы",
    ),
    "court": ("court", "суд"),
    "judge": ("judge", "судья", "суддзя"),
    "prosecutor": ("prosecutor", "прокурор", "пракурор"),
    "investigator": ("investigator", "следователь", "следчы"),
    "sentence": ("sentence", "приговор", "прысуд"),
    "regime": ("regime", "режим", "рэжым"),
    "prison": ("prison", "placeofdetention", "местоотбывания", "колония", "месцаадбыцця"),
    "status": ("status", "статус"),
    "released": ("released", "releasedate", "датаосвобождения", "датавызвалення"),
    "recognised": (
        "recognised",
        "recognized",
        "recognition",
        "recognitionstatement",
        "признание",
        "признанполитзаключенным",
        "прызнанне",
    ),
    "sources": ("sources", "source", "источники", "источник", "крыніцы", "крыніца"),
    "visibility": ("visibility", "видимость", "бачнасць"),
    "consent": ("consent", "согласие", "згода"),
}
FIELDS = {alias: name for name, aliases in HEADERS.items() for alias in aliases}
GENDERS = {"m": "male", "male": "male", "м": "male", "муж": "male", "мужской": "male",
           "мужчына": "male", "f": "female", "female": "female", "ж": "female",
           "жен": "female", "женский": "female", "жанчына": "female"}  # fmt: skip
TOPICS = {"judge": "role.judge", "prosecutor": "gov.judicial", "investigator": "gov.security"}
ROLES = tuple(TOPICS)
ARTICLE = re.compile(r"\d{3}(?:[-.]\d+)?(?:\s*ч\.?\s*\d+)?")
URL = re.compile(r"https?://\S+")
# Control characters, which FtM would strip: values are cleaned here once, then added as clean.
UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
DATE_FORMATS = (re.compile(r"(\d{4})-(\d{2})-(\d{2})"), re.compile(r"(\d{2})\.(\d{2})\.(\d{4})"))


def _fold(header: str) -> str:
    return re.sub(r"[^\w]|_", "", header.casefold())


def _day(value: str, field_name: str, line: int, label: str) -> str:
    """An ISO date from 2021-03-15 or 15.03.2021; a bare year or year-month is kept."""
    value = value.strip()
    if not value:
        return ""
    if re.fullmatch(r"\d{4}(-\d{2})?", value):
        return value
    for pattern in DATE_FORMATS:
        found = pattern.fullmatch(value)
        if found:
            parts = found.groups()
            year, month, day = parts if len(parts[0]) == 4 else parts[::-1]
            try:
                return date(int(year), int(month), int(day)).isoformat()
            except ValueError:
                break
    raise SourceError(f"{value!r} is not a date (YYYY-MM-DD or DD.MM.YYYY)", file=label,
                      record=f"line {line}", field=field_name)  # fmt: skip


def make_id(kind: str, *parts: str) -> str:
    return f"rr-{kind}-" + hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:24]


@lru_cache(maxsize=100_000)
def official_id(name: str) -> str:
    """One official however a row spells the name (Кавалёў Іван, Ivan Kovalev, KOVALEV I.)."""
    keys = sorted(key for token in name_tokens(name) if len(key := token_key(token)) > 1)
    return make_id("official", *keys)


def person_key(name: str) -> str:
    """A person's name as the register keys it: the same in every script and spelling."""
    return " ".join(token_key(token) for token in name_tokens(name))


@dataclass
class Imported:
    changes: list[Change] = field(default_factory=list)
    rows: int = 0
    problems: list[str] = field(default_factory=list)


def read(path: Path, author: str, visibility: str = INTERNAL, lenient: bool = False) -> Imported:
    """The entities of a case file. ``visibility`` is the default of rows that give none;
    with ``lenient`` a bad row is reported and skipped, else it stops the import."""
    if visibility not in VISIBILITIES:
        raise ConfigError(f"visibility is one of {', '.join(VISIBILITIES)}, not {visibility!r}")
    data = path.read_bytes()
    label = str(path)
    if ftm.sniff(data):
        return _ftm(data, label, visibility)
    found = Imported()
    columns: dict[str, str] | None = None
    today = date.today().isoformat()
    for line, row in parse_rows(data, label):
        if "__error__" in row:
            problem = f"{label} line {line}: {row['__error__']}"
            if not lenient:
                raise SourceError(problem)
            found.problems.append(problem)
            continue
        if columns is None:
            columns = _columns(row, label)
        values = {name: UNSAFE.sub("", str(row.get(header) or "")).strip()
                  for name, header in columns.items()}  # fmt: skip
        try:
            found.changes.extend(_row(values, line, label, visibility, today))
        except SourceError as exc:
            if not lenient:
                raise
            found.problems.append(str(exc))
            continue
        found.rows += 1
    return found


def _columns(row: dict[str, Any], label: str) -> dict[str, str]:
    columns = {}
    for header in row:
        name = FIELDS.get(_fold(str(header)))
        if name is not None and name not in columns:
            columns[name] = header
    if "name" not in columns:
        shown = ", ".join(repr(h) for h in list(row)[:20])
        raise SourceError(f"no name column (name, ФИО, Прозвішча, імя...); the columns are: "
                          f"{shown}", file=label)  # fmt: skip
    return columns


def _row(
    values: dict[str, str], line: int, label: str, default: str, today: str
) -> Iterator[Change]:
    """The entities of one case row."""
    name = values.get("name", "")
    if not name:
        raise SourceError("no name", file=label, record=f"line {line}", field="name")
    visibility = (values.get("visibility") or default).casefold()
    if visibility not in VISIBILITIES:
        raise SourceError(f"visibility {visibility!r} is not one of {', '.join(VISIBILITIES)}",
                          file=label, record=f"line {line}", field="visibility")  # fmt: skip
    consent = (values.get("consent") or "unknown").casefold()
    consent = {"yes": "given", "да": "given", "так": "given", "no": "refused", "нет": "refused",
               "не": "refused"}.get(consent, consent)  # fmt: skip
    if consent not in ("given", "refused", "unknown"):
        consent = "unknown"
    if consent == "refused" and visibility == PUBLIC:
        visibility = RESTRICTED  # a refusal to publish outweighs the file's default
    dates = {key: _day(values.get(key, ""), key, line, label)
             for key in ("birth_date", "detained", "released")}  # fmt: skip
    urls = URL.findall(values.get("sources", ""))
    sources = [
        Source(url=url, document=f"{Path(label).name} line {line}", date=today) for url in urls
    ] or [Source(document=f"{Path(label).name} line {line}", date=today)]

    def change(
        entity: EntityProxy, seen: str, agreed: str = "unknown", merge: bool = False
    ) -> Change:
        return Change(entity, seen, agreed, list(sources), merge)

    person = model.make_entity("Person")
    person.id = make_id("person", person_key(name), dates["birth_date"])
    person.add("name", name, cleaned=True)
    person.add("birthDate", dates["birth_date"] or None, cleaned=True)
    gender = GENDERS.get(values.get("gender", "").casefold().rstrip("."))
    person.add("gender", gender, cleaned=True)
    person.add("status", values.get("status") or None, cleaned=True)
    person.add("sourceUrl", urls, cleaned=True)
    yield change(person, visibility, consent)

    articles = [a.strip() for a in ARTICLE.findall(values.get("articles", ""))]
    case = model.make_entity("CourtCase")
    case.id = make_id("case", person.id, dates["detained"], values.get("articles", ""))
    court = values.get("court", "")
    charges = ", ".join(f"Art. {a}" for a in articles)
    title = (court or "Criminal case", dates["detained"], charges)
    case.add("name", " · ".join(part for part in title if part), cleaned=True)
    case.add("court", court or None, cleaned=True)
    case.add("category", [f"Art. {a}" for a in articles], cleaned=True)
    case.add("fileDate", dates["detained"] or None, cleaned=True)
    sentence = "; ".join(v for v in (values.get("sentence"), values.get("regime"),
                                     values.get("prison")) if v)  # fmt: skip
    case.add("status", sentence or None, cleaned=True)
    case.add("summary", values.get("recognised") or None, cleaned=True)
    case.add("sourceUrl", urls, cleaned=True)
    # The case names no victim: it stays visible to editors when the person is restricted.
    yield change(case, INTERNAL if visibility == RESTRICTED else visibility)

    defendant = model.make_entity("CourtCaseParty")
    defendant.id = make_id("party", case.id, person.id)
    defendant.add("case", case.id, cleaned=True)
    defendant.add("party", person.id, cleaned=True)
    defendant.add("role", "defendant", cleaned=True)
    defendant.add("startDate", dates["detained"] or None, cleaned=True)
    defendant.add("endDate", dates["released"] or None, cleaned=True)
    yield change(defendant, visibility)

    for kind, day in (("Detention", dates["detained"]), ("Release", dates["released"])):
        if day:
            event = model.make_entity("Event")
            event.id = make_id(kind.casefold(), person.id, day)
            event.add("name", kind, cleaned=True)
            event.add("date", day, cleaned=True)
            event.add("involved", person.id, cleaned=True)
            location = values.get("prison") if kind == "Release" else None
            event.add("location", location, cleaned=True)
            yield change(event, visibility)

    for role in ROLES:
        for official_name in re.split(r"\s*[;\n]\s*", values.get(role, "")):
            if not official_name:
                continue
            yield from _official(official_name, role, court, case.id, dates["detained"], change)


def _official(
    name: str, role: str, court: str, case_id: str, day: str, change: Any
) -> Iterator[Change]:
    """An official, the part taken in the case, and the post held (public: they acted in
    public office). The official and the post add to what other cases said of them."""
    official = model.make_entity("Person")
    official.id = official_id(name)
    official.add("name", name, cleaned=True)
    post_name = f"{role.capitalize()}, {court}" if court else role.capitalize()
    official.add("position", post_name, cleaned=True)
    official.add("topics", TOPICS[role], cleaned=True)
    yield change(official, PUBLIC, merge=True)
    party = model.make_entity("CourtCaseParty")
    party.id = make_id("party", case_id, official.id, role)
    party.add("case", case_id, cleaned=True)
    party.add("party", official.id, cleaned=True)
    party.add("role", role, cleaned=True)
    party.add("date", day or None, cleaned=True)
    yield change(party, PUBLIC)
    if court:
        post = model.make_entity("Position")
        post.id = make_id("position", role, court)
        post.add("name", post_name, cleaned=True)
        post.add("country", "by", cleaned=True)
        yield change(post, PUBLIC, merge=True)
        held = model.make_entity("Occupancy")
        held.id = make_id("occupancy", official.id, post.id)
        held.add("holder", official.id, cleaned=True)
        held.add("post", post.id, cleaned=True)
        yield change(held, PUBLIC)


def _ftm(data: bytes, label: str, visibility: str) -> Imported:
    parsed = ftm.parse(SourceFile(label, data))
    today = date.today().isoformat()
    document = Path(label).name
    changes = [Change(entity, visibility, "unknown", [Source(document=document, date=today)])
               for entity in parsed.entities]  # fmt: skip
    return Imported(changes, len(changes), parsed.warnings)
