"""Case files: one row per persecuted person and case, headed in English, Russian or
Belarusian (ФИО / Прозвішча, імя; Дата задержания / Дата затрымання; Статьи УК /
Артыкулы КК; Суд, Судья / Суддзя, Прокурор / Пракурор, ...). A row becomes the person, the
court case, the parties to it (defendant, judge, prosecutor, investigator), the detention and
release, and each official with the post held."""

from __future__ import annotations

import re
from collections.abc import Iterator

from followthemoney import model

from belwatch.register.records import INTERNAL, PUBLIC, RESTRICTED, Change
from belwatch.register.rows import Row, make_id, name_id, official_id

# Each field's headers, folded (see rows.fold), in the three languages.
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("name", "fullname", "fio", "фио", "имя", "фамилияимяотчество",
             "прозвішчаімяімяпабацьку", "прозвішчаімя", "імя", "піб"),
    "birth_date": ("birthdate", "dateofbirth", "dob", "датарождения", "датанараджэння"),
    "gender": ("gender", "sex", "пол"),
    "detained": ("detained", "dateofdetention", "detentiondate", "датазадержания",
                 "датазатрымання", "задержан", "затрыманы"),
    "articles": ("articles", "criminalcodearticles", "charges", "статьиук", "статьи",
                 "артыкулыкк", "артыкулы"),
    "court": ("court", "суд"),
    "judge": ("judge", "судья", "суддзя"),
    "prosecutor": ("prosecutor", "прокурор", "пракурор"),
    "investigator": ("investigator", "следователь", "следчы"),
    "sentence": ("sentence", "приговор", "прысуд"),
    "regime": ("regime", "режим", "рэжым"),
    "prison": ("prison", "placeofdetention", "местоотбывания", "колония", "месцаадбыцця"),
    "status": ("status", "статус"),
    "released": ("released", "releasedate", "датаосвобождения", "датавызвалення"),
    "recognised": ("recognised", "recognized", "recognition", "recognitionstatement",
                   "признание", "признанполитзаключенным", "прызнанне"),
    "sources": ("sources", "source", "источники", "источник", "крыніцы", "крыніца"),
    "visibility": ("visibility", "видимость", "бачнасць"),
    "consent": ("consent", "согласие", "згода"),
}  # fmt: skip
GENDERS = {"m": "male", "male": "male", "м": "male", "муж": "male", "мужской": "male",
           "мужчына": "male", "f": "female", "female": "female", "ж": "female",
           "жен": "female", "женский": "female", "жанчына": "female"}  # fmt: skip
TOPICS = {"judge": "role.judge", "prosecutor": "gov.judicial", "investigator": "gov.security"}
ROLES = tuple(TOPICS)
ARTICLE = re.compile(r"\d{3}(?:[-.]\d+)?(?:\s*ч\.?\s*\d+)?")


def case_row(row: Row) -> Iterator[Change]:
    """The entities of one case row."""
    name = row.get("name")
    if not name:
        raise row.fail("no name", "name")
    visibility, consent = row.visibility()
    born, detained, released = row.day("birth_date"), row.day("detained"), row.day("released")
    urls = row.urls()

    person = model.make_entity("Person")
    person.id = name_id("person", name, born)
    person.add("name", name, cleaned=True)
    person.add("birthDate", born or None, cleaned=True)
    gender = GENDERS.get(row.get("gender").casefold().rstrip("."))
    person.add("gender", gender, cleaned=True)
    person.add("status", row.get("status") or None, cleaned=True)
    person.add("sourceUrl", urls, cleaned=True)
    yield row.change(person, visibility, consent)

    articles = [a.strip() for a in ARTICLE.findall(row.get("articles"))]
    case = model.make_entity("CourtCase")
    case.id = make_id("case", person.id, detained, row.get("articles"))
    court = row.get("court")
    charges = ", ".join(f"Art. {a}" for a in articles)
    title = (court or "Criminal case", detained, charges)
    case.add("name", " · ".join(part for part in title if part), cleaned=True)
    case.add("court", court or None, cleaned=True)
    case.add("category", [f"Art. {a}" for a in articles], cleaned=True)
    case.add("fileDate", detained or None, cleaned=True)
    sentence = "; ".join(v for v in (row.get("sentence"), row.get("regime"),
                                     row.get("prison")) if v)  # fmt: skip
    case.add("status", sentence or None, cleaned=True)
    case.add("summary", row.get("recognised") or None, cleaned=True)
    case.add("sourceUrl", urls, cleaned=True)
    # The case names no victim: it stays visible to editors when the person is restricted.
    yield row.change(case, INTERNAL if visibility == RESTRICTED else visibility)

    defendant = model.make_entity("CourtCaseParty")
    defendant.id = make_id("party", case.id, person.id)
    defendant.add("case", case.id, cleaned=True)
    defendant.add("party", person.id, cleaned=True)
    defendant.add("role", "defendant", cleaned=True)
    defendant.add("startDate", detained or None, cleaned=True)
    defendant.add("endDate", released or None, cleaned=True)
    yield row.change(defendant, visibility)

    for kind, day in (("Detention", detained), ("Release", released)):
        if day:
            event = model.make_entity("Event")
            event.id = make_id(kind.casefold(), person.id, day)
            event.add("name", kind, cleaned=True)
            event.add("date", day, cleaned=True)
            event.add("involved", person.id, cleaned=True)
            location = row.get("prison") if kind == "Release" else None
            event.add("location", location or None, cleaned=True)
            yield row.change(event, visibility)

    for role in ROLES:
        for official_name in re.split(r"\s*[;\n]\s*", row.get(role)):
            if official_name:
                yield from _official(row, official_name, role, court, case.id, detained)


def _official(
    row: Row, name: str, role: str, court: str, case_id: str, day: str
) -> Iterator[Change]:
    """An official, the part taken in the case, and the post held (public: they acted in
    public office). The official and the post add to what other cases said of them."""
    official = model.make_entity("Person")
    official.id = official_id(name)
    official.add("name", name, cleaned=True)
    post_name = f"{role.capitalize()}, {court}" if court else role.capitalize()
    official.add("position", post_name, cleaned=True)
    official.add("topics", TOPICS[role], cleaned=True)
    yield row.change(official, PUBLIC, merge=True)
    party = model.make_entity("CourtCaseParty")
    party.id = make_id("party", case_id, official.id, role)
    party.add("case", case_id, cleaned=True)
    party.add("party", official.id, cleaned=True)
    party.add("role", role, cleaned=True)
    party.add("date", day or None, cleaned=True)
    yield row.change(party, PUBLIC)
    if court:
        post = model.make_entity("Position")
        post.id = make_id("position", role, court)
        post.add("name", post_name, cleaned=True)
        post.add("country", "by", cleaned=True)
        yield row.change(post, PUBLIC, merge=True)
        held = model.make_entity("Occupancy")
        held.id = make_id("occupancy", official.id, post.id)
        held.add("holder", official.id, cleaned=True)
        held.add("post", post.id, cleaned=True)
        yield row.change(held, PUBLIC)
