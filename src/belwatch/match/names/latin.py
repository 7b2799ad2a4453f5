"""Latin spellings of Slavic names reduced to one letter set, whichever habit wrote them.

The habit is read from the token itself, because the same letters mean different sounds:

* West Slavic and Łacinka (any of ł š ž č ć ś ź ń ŭ ż ą ę ó ř, or sz, cz): ch is х;
  sz/cz/szcz are ш/ч/щ; rz is ж only with a Polish-only mark (sz, cz, ż, ą, ę, ó).
* German (contains sch): tsch is ч, sch is ш or ж, ch is х, z is ц.
* French (contains ou and ch or j, and none of sh, zh, final -ou, -ousk-, au before a consonant,
  which mark English or Belarusian spellings such as Kruchkou, Rachylouski): ou is у, ch is ш,
  tch is ч, j is ж.
* Otherwise English: ch is ч, kh is х, zh/sh/ts as written, c before a, o, u or a consonant
  is k (Victor, Nicolai, Company) and elsewhere ц.

The result uses a-z with three stand-ins for the digraph sounds: ``1`` ш/ж, ``2`` ч, ``3`` ц.
"""

from __future__ import annotations

import re
import unicodedata

WEST = re.compile(r"[łšžčćśźńŭżąęóřě]|sz|cz")
POLISH_ONLY = re.compile(r"[żąęó]|sz|cz")
# English sh/zh, or the Belarusian ў endings: -ou, -ousk-, -au (Kruchkou, Rachylouski, Tkachou).
BELARUSIAN = re.compile(r"sh|zh|ou$|ousk|au(?![aeiou])")

WEST_RULES = (("szcz", "12"), ("sz", "1"), ("cz", "2"), ("ch", "h"))
GERMAN_RULES = (("tsch", "2"), ("sch", "1"), ("ch", "h"), ("z", "3"))
FRENCH_RULES = (("chtch", "12"), ("tch", "2"), ("ch", "1"), ("dj", "d"), ("j", "1"), ("ou", "u"))
LETTERS = str.maketrans(
    {"š": "1", "ž": "1", "ż": "1", "č": "2", "ć": "3", "ŝ": "12", "ł": "l", "ś": "s", "ź": "z"}
)
ENGLISH_RULES = (
    ("shch", "12"),
    ("zh", "1"),
    ("sh", "1"),
    ("kh", "h"),
    ("tch", "2"),
    ("ch", "2"),
    ("ts", "3"),
    ("tz", "3"),
    ("c", "3"),
    ("x", "ks"),
    ("q", "k"),
    ("w", "v"),
    ("g", "h"),
    ("y", "i"),
    ("j", "i"),
)


def habit_rules(token: str) -> tuple[tuple[str, str], ...]:
    """The habit-specific rewrites for a casefolded Latin token (see module docstring)."""
    if WEST.search(token):
        rz = (("rz", "1"),) if POLISH_ONLY.search(token) else ()
        return WEST_RULES + rz
    if "sch" in token:
        return GERMAN_RULES
    if "ou" in token and ("ch" in token or "j" in token) and not BELARUSIAN.search(token):
        return FRENCH_RULES
    return ()


def skeleton_letters(token: str) -> str:
    """A casefolded Latin token in the a-z + 1/2/3 letter set, other characters dropped."""
    text = token.casefold()
    rules = habit_rules(text)
    for old, new in rules:
        text = text.replace(old, new)
    text = text.translate(LETTERS)
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in decomposed if not unicodedata.combining(char))
    text = re.sub(r"gu(?=[eiyï])", "g", text)
    if not rules:
        # English, French or German c before a, o, u or a consonant is k (Victor, Nicolai,
        # company); West Slavic and Łacinka c is always ц.
        text = re.sub(r"c(?=[aouąóbdfgjklmnpqrstvwx]|$)", "k", text)
    for old, new in ENGLISH_RULES:
        text = text.replace(old, new)
    return re.sub(r"[^a-z123]", "", text)
