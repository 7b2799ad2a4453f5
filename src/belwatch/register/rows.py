"""What every layout of a documenters' file shares: a row's values by field, its dates,
sources, visibility and consent, and the deterministic ids of what it describes."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path

from followthemoney import EntityProxy

from belwatch.exc import SourceError
from belwatch.match.index import token_key
from belwatch.match.names.keys import name_tokens
from belwatch.register.records import PUBLIC, RESTRICTED, VISIBILITIES, Change, Source

URL = re.compile(r"https?://\S+")
# Control characters, which FtM would strip: values are cleaned here once, then added as clean.
UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
DATE_FORMATS = (re.compile(r"(\d{4})-(\d{2})-(\d{2})"), re.compile(r"(\d{2})\.(\d{2})\.(\d{4})"))
CONSENT = {"yes": "given", "да": "given", "так": "given", "no": "refused", "нет": "refused",
           "не": "refused"}  # fmt: skip


def fold(header: str) -> str:
    """A header as it is looked up: lower case, letters and digits only."""
    return re.sub(r"[^\w]|_", "", header.casefold())


def make_id(kind: str, *parts: str) -> str:
    return f"rr-{kind}-" + hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:24]


def name_id(kind: str, name: str, *parts: str) -> str:
    """An id from a name the same in every script and spelling, whatever the word order."""
    return make_id(kind, *sorted(_keys(name)), *parts)


@lru_cache(maxsize=100_000)
def _keys(name: str) -> tuple[str, ...]:
    return tuple(key for token in name_tokens(name) if len(key := token_key(token)) > 1)


def official_id(name: str) -> str:
    """One official however a row spells the name (Кавалёў Іван, Ivan Kovalev, KOVALEV I.)."""
    return name_id("official", name)


@dataclass
class Row:
    values: dict[str, str]
    line: int
    label: str
    default: str  # the file's visibility, for rows that give none
    today: str

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    def fail(self, message: str, field: str) -> SourceError:
        return SourceError(message, file=self.label, record=f"line {self.line}", field=field)

    def day(self, name: str) -> str:
        """An ISO date from 2021-03-15 or 15.03.2021; a bare year or year-month is kept."""
        value = self.get(name)
        if not value or re.fullmatch(r"\d{4}(-\d{2})?", value):
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
        raise self.fail(f"{value!r} is not a date (YYYY-MM-DD or DD.MM.YYYY)", name)

    def visibility(self) -> tuple[str, str]:
        """(visibility, consent): a refusal to publish outweighs the file's default."""
        visibility = (self.get("visibility") or self.default).casefold()
        if visibility not in VISIBILITIES:
            raise self.fail(f"visibility {visibility!r} is not one of "
                            f"{', '.join(VISIBILITIES)}", "visibility")  # fmt: skip
        consent = (self.get("consent") or "unknown").casefold()
        consent = CONSENT.get(consent, consent)
        if consent not in ("given", "refused", "unknown"):
            consent = "unknown"
        if consent == "refused" and visibility == PUBLIC:
            visibility = RESTRICTED
        return visibility, consent

    def urls(self) -> list[str]:
        return URL.findall(self.get("sources"))

    @cached_property
    def cited(self) -> tuple[Source, ...]:
        """The row's sources, made once for all the entities it describes."""
        document = f"{Path(self.label).name} line {self.line}"
        found = [Source(url=url, document=document, date=self.today) for url in self.urls()]
        return tuple(found) or (Source(document=document, date=self.today),)

    def change(
        self, entity: EntityProxy, visibility: str, consent: str = "unknown", merge: bool = False
    ) -> Change:
        return Change(entity, visibility, consent, list(self.cited), merge)
