"""Cyrillic (Belarusian, Russian, Ukrainian) to Latin in the schemes names are printed in.

Schemes (letter tables in ``schemes.py``):

``bgn_pcgn``     BGN/PCGN: Russian 1947, Belarusian 1979 (г h, ў w, е ye), Ukrainian 1965
``icao``         ICAO Doc 9303 machine-readable passports (Sergei, Aleksandr, Iurii)
``by_national``  Belarusian passports and the EU/UK lists (Lukashenka, Aliaksandr, Siarhei,
                 Dzmitry): ICAO letters with ''я/ю/ё'' as ya/yu/yo at the start of a word,
                 ``ый``→y, ``ій``→i. The 2007 geographic-names instruction (diacritics) and its
                 2023 replacement are not implemented.
``lacinka``      Belarusian Łacinka (Łukašenka, Alaksandar-style soft ``l``, ć ś ź ń)
``iso9``         ISO 9:1995, one Latin letter per Cyrillic letter (Lukašenko, Âroslav)
``german``       German press habit (Lukaschenko, Schukow, Sergej)
``french``       French press habit (Loukachenko, Joukov, Sergueï)
``polish``       Polish habit (Łukaszenko, Żukow, Siergiej)

Latin lookalike letters inside Cyrillic words are made Cyrillic first (``fix_mixed_script``).
Case follows the source: a capital letter gives a capitalised spelling ("Ж" → "Zh"), a word in
capitals stays in capitals ("ЖУКАЎ" → "ZHUKAU").
"""

from __future__ import annotations

from belwatch.match.names.schemes import Rule, Scheme, Table, table
from belwatch.match.names.script import (
    APOSTROPHES,
    WORD,
    Lang,
    detect_cyrillic_language,
    fix_mixed_script,
    fix_mixed_text,
    is_cyrillic,
)

__all__ = ["SCHEMES", "detect_cyrillic_language", "fix_mixed_script", "transliterate"]

SCHEMES: tuple[Scheme, ...] = (
    "bgn_pcgn",
    "icao",
    "by_national",
    "lacinka",
    "iso9",
    "german",
    "french",
    "polish",
)
CONSONANTS = frozenset("бвгґджзклмнпрстфхцчшщ")


def transliterate(text: str, scheme: Scheme, lang: Lang = "be") -> str:
    """``text`` with its Cyrillic letters spelled in ``scheme`` for language ``lang``."""
    fixed = fix_mixed_text(text)
    return WORD.sub(lambda match: _word(match.group(), table(scheme, lang)), fixed)


def _word(word: str, rules: Table) -> str:
    lower = word.lower()
    capitals = len(word) > 1 and word.isupper()
    out: list[str] = []
    index = 0
    while index < len(word):
        size, spelt = _spell(lower, index, rules)
        source = word[index : index + size]
        if source[0].isupper():
            spelt = spelt.upper() if capitals else spelt[:1].upper() + spelt[1:]
        out.append(spelt)
        index += size
    return "".join(out)


def _spell(lower: str, index: int, rules: Table) -> tuple[int, str]:
    """How many letters at ``index`` form one unit, and their Latin spelling."""
    for size in (3, 2):
        spelt = rules.digraphs.get(lower[index : index + size])
        if spelt is not None:
            return size, spelt
    char = lower[index]
    if char in APOSTROPHES:
        inside = 0 < index < len(lower) - 1
        if inside and is_cyrillic(lower[index - 1]) and is_cyrillic(lower[index + 1]):
            char = "'"
    rule: Rule | None = rules.letters.get(char)
    if rule is None:
        return 1, lower[index]
    if isinstance(rule, str):
        return 1, rule
    after_consonant = index > 0 and lower[index - 1] in CONSONANTS
    return 1, rule[1] if after_consonant else rule[0]
