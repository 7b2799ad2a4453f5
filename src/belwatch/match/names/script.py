"""Which script and which Cyrillic language a word is written in.

Official lists print Cyrillic names with Latin lookalike letters inside them ("ЗАМУЛЕВIЧ" with a
Latin I, "Хiкметовiч", "Аляĸсей" with the Latin kra ĸ). ``fix_mixed_script`` turns those
lookalikes back into Cyrillic, but only inside words that already contain a Cyrillic letter and
no Latin letter without a Cyrillic twin, so Latin words are never touched.
"""

from __future__ import annotations

import re
from typing import Literal

Lang = Literal["be", "ru", "uk"]
LANGS: tuple[Lang, ...] = ("be", "ru", "uk")

LOOKALIKES = {
    "A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "I": "І", "K": "К", "M": "М", "O": "О",
    "P": "Р", "T": "Т", "X": "Х", "Y": "У", "Ë": "Ё", "Ï": "Ї",
    "a": "а", "c": "с", "e": "е", "i": "і", "o": "о", "p": "р", "x": "х", "y": "у", "ë": "ё",
    "ï": "ї", "ĸ": "к",
}  # fmt: skip

# Letters that rule a language in; a letter missing here is shared by all three.
ALLOWED: dict[str, frozenset[Lang]] = {
    "ў": frozenset({"be"}),
    "і": frozenset({"be", "uk"}),
    "'": frozenset({"be", "uk"}),
    "и": frozenset({"ru", "uk"}),
    "щ": frozenset({"ru", "uk"}),
    "ъ": frozenset({"ru"}),
    "ы": frozenset({"be", "ru"}),
    "э": frozenset({"be", "ru"}),
    "ё": frozenset({"be", "ru"}),
    "ї": frozenset({"uk"}),
    "є": frozenset({"uk"}),
    "ґ": frozenset({"uk"}),
}
APOSTROPHES = "'’ʼ"
WORD = re.compile(r"[\w'’ʼĸ]+")


def is_cyrillic(char: str) -> bool:
    """True for a letter of the Cyrillic blocks (U+0400–U+052F)."""
    return "\u0400" <= char <= "\u052f"


def has_cyrillic(text: str) -> bool:
    return any(is_cyrillic(char) for char in text)


def fix_mixed_script(word: str) -> str:
    """Replace Latin lookalikes with Cyrillic letters in a word that is otherwise Cyrillic."""
    if not has_cyrillic(word):
        return word
    latin = [char for char in word if char.isalpha() and not is_cyrillic(char)]
    if not latin or any(char not in LOOKALIKES for char in latin):
        return word
    return "".join(LOOKALIKES.get(char, char) for char in word)


def fix_mixed_text(text: str) -> str:
    """``fix_mixed_script`` applied to every word of a text."""
    return WORD.sub(lambda match: fix_mixed_script(match.group()), text)


def detect_cyrillic_language(text: str) -> Lang | None:
    """Belarusian, Russian or Ukrainian, when the letters of the text allow only one of them.

    ``None`` for text without Cyrillic, text whose letters all three languages share
    ("ЛУКАШЕНКО"), or letters that contradict each other.
    """
    fixed = fix_mixed_text(text).lower()
    if not has_cyrillic(fixed):
        return None
    possible = set(LANGS)
    for index, char in enumerate(fixed):
        if char in APOSTROPHES:
            inside = 0 < index < len(fixed) - 1
            if not (inside and is_cyrillic(fixed[index - 1]) and is_cyrillic(fixed[index + 1])):
                continue
            char = "'"
        possible &= ALLOWED.get(char, possible)
    return possible.pop() if len(possible) == 1 else None
