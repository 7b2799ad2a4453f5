"""Letter tables of the romanisation schemes, as data.

A letter maps to its Latin spelling, or to a pair ``(initial, after_consonant)`` for the
iotated vowels, whose spelling differs at the start of a word and after a vowel, ``ь``, ``ъ``,
``й``, ``ў`` or apostrophe (the first) and after a consonant (the second). ``digraphs`` are
Cyrillic sequences spelled as a whole (``ль`` in Łacinka, ``ий`` in German), tried before single
letters. Letters a table does not know pass through unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from belwatch.match.names.script import Lang

Scheme = Literal["bgn_pcgn", "icao", "by_national", "lacinka", "iso9", "german", "french", "polish"]
Rule = str | tuple[str, str]


@dataclass(frozen=True)
class Table:
    letters: dict[str, Rule]
    digraphs: dict[str, str] = field(default_factory=dict)


COMMON: dict[str, Rule] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "з": "z", "і": "i", "к": "k",
    "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "ь": "", "ъ": "", "э": "e", "'": "", "ж": "zh", "х": "kh", "ц": "ts", "ч": "ch",
    "ш": "sh", "щ": "shch", "ы": "y", "и": "i", "ў": "u",
}  # fmt: skip
H_FOR_G: dict[str, Rule] = {"г": "h"}

ICAO_BASE: dict[str, Rule] = {
    **COMMON, "е": "e", "ё": "e", "є": "ie", "ї": "i", "й": "i", "ъ": "ie", "ю": "iu", "я": "ia",
}  # fmt: skip
ICAO = {
    "ru": Table(ICAO_BASE),
    "be": Table({**ICAO_BASE, **H_FOR_G}),
    "uk": Table({**ICAO_BASE, **H_FOR_G, "и": "y"}),
}

BGN_RU: dict[str, Rule] = {
    **COMMON, "е": ("ye", "e"), "ё": ("yë", "ë"), "й": "y", "ъ": "”", "ь": "’", "ю": "yu",
    "я": "ya",
}  # fmt: skip
BGN = {
    "ru": Table(BGN_RU),
    "be": Table({**BGN_RU, **H_FOR_G, "е": "ye", "ё": "yo", "ў": "w", "'": "”"}),
    "uk": Table({**BGN_RU, **H_FOR_G, "е": "e", "є": "ye", "и": "y", "ї": "yi", "'": "”"}),
}

NATIONAL_BE: dict[str, Rule] = {
    **COMMON, **H_FOR_G, "е": "e", "ё": ("yo", "io"), "й": "i", "ю": ("yu", "iu"),
    "я": ("ya", "ia"),
}  # fmt: skip
NATIONAL_DIGRAPHS = {"ый": "y", "ій": "i", "ий": "i"}
NATIONAL = {
    "be": Table(NATIONAL_BE, NATIONAL_DIGRAPHS),
    "ru": Table({**NATIONAL_BE, "г": "g"}, NATIONAL_DIGRAPHS),
    "uk": Table({**NATIONAL_BE, "и": "y", "є": ("ye", "ie"), "ї": "i"}, NATIONAL_DIGRAPHS),
}

LACINKA_BE: dict[str, Rule] = {
    **COMMON, **H_FOR_G, "е": ("je", "ie"), "ё": ("jo", "io"), "ж": "ž", "й": "j", "л": "ł",
    "х": "ch", "ц": "c", "ч": "č", "ш": "š", "щ": "šč", "ю": ("ju", "iu"), "я": ("ja", "ia"),
    "ў": "ŭ", "є": ("je", "ie"), "ї": "ji",
}  # fmt: skip
SOFT_L = {"ль": "l", "ля": "la", "ле": "le", "лё": "lo", "лю": "lu", "лі": "li", "ли": "li"}
LACINKA_DIGRAPHS = {**SOFT_L, "нь": "ń", "сь": "ś", "зь": "ź", "ць": "ć", "дзь": "dź"}
LACINKA = {lang: Table(LACINKA_BE, LACINKA_DIGRAPHS) for lang in ("be", "ru", "uk")}

ISO9_ALL: dict[str, Rule] = {
    **COMMON, "ґ": "g̀", "е": "e", "ё": "ë", "є": "ê", "ж": "ž", "й": "j", "ї": "ï", "і": "ì",
    "х": "h", "ц": "c", "ч": "č", "ш": "š", "щ": "ŝ", "ъ": "ʺ", "ь": "ʹ", "э": "è", "ю": "û",
    "я": "â", "ў": "ǔ", "'": "’",
}  # fmt: skip
ISO9 = {lang: Table(ISO9_ALL) for lang in ("be", "ru", "uk")}

GERMAN_RU: dict[str, Rule] = {
    **COMMON, "в": "w", "е": ("je", "e"), "ё": "jo", "ж": "sch", "з": "s", "й": "j", "х": "ch",
    "ц": "z", "ч": "tsch", "ш": "sch", "щ": "schtsch", "ю": "ju", "я": "ja", "є": "je",
    "ї": "ji",
}  # fmt: skip
GERMAN_DIGRAPHS = {
    "ий": "i",
    "ый": "y",
    "жё": "scho",
    "чё": "tscho",
    "шё": "scho",
    "щё": "schtscho",
}
GERMAN = {
    "ru": Table(GERMAN_RU, GERMAN_DIGRAPHS),
    "be": Table({**GERMAN_RU, **H_FOR_G}, GERMAN_DIGRAPHS),
    "uk": Table({**GERMAN_RU, **H_FOR_G, "и": "y"}, GERMAN_DIGRAPHS),
}

FRENCH_RU: dict[str, Rule] = {
    **COMMON, "ё": "io", "ж": "j", "й": "ï", "х": "kh", "ц": "ts", "ч": "tch", "ш": "ch",
    "щ": "chtch", "у": "ou", "ў": "ou", "ю": "iou", "я": "ia", "е": "e", "є": "ie", "ї": "ï",
}  # fmt: skip
FRENCH_DIGRAPHS = {"ий": "i", "ый": "y", "ге": "gue", "ги": "gui", "гі": "gui"}
FRENCH = {
    "ru": Table(FRENCH_RU, FRENCH_DIGRAPHS),
    "be": Table({**FRENCH_RU, **H_FOR_G}, {"ий": "i", "ый": "y"}),
    "uk": Table({**FRENCH_RU, **H_FOR_G, "и": "y"}, {"ий": "i", "ый": "y"}),
}

POLISH_RU: dict[str, Rule] = {
    **COMMON, "в": "w", "е": ("je", "ie"), "ё": ("jo", "io"), "ж": "ż", "й": "j", "л": "ł",
    "х": "ch", "ц": "c", "ч": "cz", "ш": "sz", "щ": "szcz", "ю": ("ju", "iu"), "я": ("ja", "ia"),
    "є": ("je", "ie"), "ї": "ji",
}  # fmt: skip
HARD = {"ж": "ż", "ш": "sz", "ч": "cz", "щ": "szcz", "ц": "c"}
POLISH_DIGRAPHS = {
    **SOFT_L, "нь": "ń", "сь": "ś", "зь": "ź", "ць": "ć",
    **{cons + "е": spelt + "e" for cons, spelt in HARD.items()},
    **{cons + "и": spelt + "y" for cons, spelt in HARD.items()},
    **{cons + "ё": spelt + "o" for cons, spelt in HARD.items()},
    **{cons + "ю": spelt + "u" for cons, spelt in HARD.items()},
    **{cons + "я": spelt + "a" for cons, spelt in HARD.items()},
}  # fmt: skip
POLISH = {
    "ru": Table(POLISH_RU, POLISH_DIGRAPHS),
    "be": Table({**POLISH_RU, **H_FOR_G}, POLISH_DIGRAPHS),
    "uk": Table({**POLISH_RU, **H_FOR_G, "и": "y"}, POLISH_DIGRAPHS),
}

TABLES: dict[Scheme, dict[str, Table]] = {
    "bgn_pcgn": BGN,
    "icao": ICAO,
    "by_national": NATIONAL,
    "lacinka": LACINKA,
    "iso9": ISO9,
    "german": GERMAN,
    "french": FRENCH,
    "polish": POLISH,
}


def table(scheme: Scheme, lang: Lang) -> Table:
    return TABLES[scheme][lang]
