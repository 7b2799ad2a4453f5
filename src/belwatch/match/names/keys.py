"""Skeleton keys: one string on which the spellings of one name meet.

``name_key("Lukashenka") == name_key("Łukašenka") == name_key("Лукашенко") == "lukashanka"``.
A key is for finding candidates, not for deciding a match: it is coarse on purpose, and a
matcher compares the names again.

Steps for a token: Latin lookalikes inside Cyrillic words become Cyrillic; Cyrillic (any of
Belarusian, Russian, Ukrainian) is written in ICAO letters; the Latin habit is read and
reduced to one letter set (``latin.py``: German sch/ch/z, French ou/ch/j, Polish
sz/cz/szcz/rz/ch, Łacinka and Czech háčeks); then these variations are folded:

* kh / h / g / German, Polish and Łacinka ch (х and Belarusian г vs Russian г: Ihar/Igor,
  Hrodna/Grodno); zh / sh / ž / ż / š / sch / French j and ch / Polish rz are one sound class
  (German sch writes both ж and ш); ch / č / cz / tsch / tch; ts / c / tz / ć / German z / t
* ts is t, as dz is d: Belarusian ць for Russian soft т (Tsimafei/Timofei, Stsiapan/Stepan,
  Tsiatseryn/Teterin, Shapetska/Шапетько), and Belarusian Latin cannot tell soft ць from hard ц
  (Tserabau/Terebov but Zaitsau/Zaitsev), so ц and т are one class. The cost: names that differ
  only by ц/т (Lutsenko/Lutenko) share a key.
* dz and dzh are d (Dzmitry/Dmitry, Uladzimir/Vladimir)
* z is s: English s between vowels and a final English s are з in Cyrillic (Synesis/Синезис,
  Holdings/Холдынгз); names that differ only by з/с share a key
* y / j / i / ii / iy are one vowel (Kalinouski/Kalinovskiy, Dmitry/Dmitriy, -ei/-ey/-ej)
* a softness or iotation i between a consonant and a vowel, between vowels, or before a vowel
  at the start is dropped: ya/ia/ja, yu/iu/ju, ye/ie/je (Siarhei/Sergei, Aliaksandr/Aleksandr,
  Yauhen/Iauhen, Mariya/Maria)
* o and e are a: Belarusian akanne and yakanne (Lukashenka/Lukashenko, Nyakrasava/Nekrasova,
  Kharchanka/Kharchenko, Sierhiyenka/Sergeenko)
* u after a vowel before a consonant or the end is v, w is v, final ff is v: Belarusian ў for
  Russian в (Zhukau/Zhukov/Zhukow/Zhukoff, Kalinouski/Kalinovski, Paulichenka/Pavlichenko),
  and initial u before a consonant is v (Uladzimir/Vladimir)
* vu after a vowel is u: Belarusian inserted в (Navumau/Naumov, Liavusik/Leusik)
* a vowel between d or t and a final r is dropped (Alexander/Aliaksandr/Alaksandar, Viktar)
* French gu before e or i is g (Sergueï); x is ks (Alexander)
* doubled letters are single (Gennadievich/Genadzevich); soft signs, apostrophes, hyphens and
  other marks are dropped.

Not folded, on purpose:

* gender endings: Ivanov / Ivanova and Kalinouski / Kalinouskaya keep different keys — they are
  usually two people (a couple may both be listed); a matcher may relate them explicitly.
* suffixes that make different names: Lukashenka / Lukashevich, Zhukau / Zhuk,
  Sergeenko / Sergeev stay apart.

* a final i or ai after two letters is dropped: Belarusian drops the Russian -ий
  (Yauhen/Yevgeniy, Vasil/Vasily, Anatol/Anatoly, Henadz/Gennadiy, Vital/Vitaly), and
  Ukrainian writes -ій for -ей (Andrii/Andrei, Serhii/Sergei)

Given names meet where the letter folds make them meet (Aliaksandr/Alexander/Aleksandr,
Siarhei/Sergey, Ihar/Igor, Dzmitry/Dmitry, Uladzimir/Vladimir, Yauhen/Yevgeniy) and, where
they cannot, through a short table of Belarusian and Ukrainian forms of Russian names
(``EQUIVALENT_NAMES``: Volha/Olga, Hanna/Anna, Ryhor/Grigory, Mikalai/Mykola/Nikolai,
Katsiaryna/Kateryna/Yekaterina, Khviedar/Fedir/Fyodor, Zmitser/Dmytro/Dmitry, Kastus/
Konstantin, Yazep/Iosif, Apanas/Afanasy, Symon/Semyon, Petro/Pyotr, Pavlo/Pavel,
Mykhailo/Mikhail, Mikita/Nikita, Nastassia/Anastasia) and the patronymics made from them
(Mikalaevich/Nikolaevich, Ryhoravich/Grigorievich). Diminutives and nicknames (Sasha,
Seryozha, Kolya for Aliaksandr, Siarhei, Mikalai) are not names of the same person on a
sanctions list and are not matched.

Not supported: Vouk vs Volk and Taustsiankou vs Tolstenkov (Belarusian ў for л), Ravutski vs
Reutsky, Pustavy vs Pustovoi; Serbian and Croatian ć/ћ (Karić: ć is read as the Polish and
Łacinka ць); Spanish-style x for х.
"""

from __future__ import annotations

import re

from belwatch.match.names.latin import skeleton_letters
from belwatch.match.names.script import detect_cyrillic_language, fix_mixed_script, has_cyrillic
from belwatch.match.names.translit import transliterate

VOWEL = "aeiou"
CONSONANT = "bdfhklmnprstvz123"
FOLDS: tuple[tuple[str, str], ...] = (
    (r"ff$", "v"),
    (rf"^u(?=[{CONSONANT}])", "v"),
    (r"3", "t"),
    (r"d1|dz", "d"),
    (r"z", "s"),
    (r"(.)\1+", r"\1"),
    (rf"(?<=[{CONSONANT}])i(?=[aeou])", ""),
    (r"^i(?=[aeou])", ""),
    (rf"(?<=[{VOWEL}])i(?=[aeou])", ""),
    (r"[oe]", "a"),
    (r"(.)\1+", r"\1"),
    (r"(?<=[ai])vu", "u"),
    (r"(?<=[ai])u(?=[^aiu]|$)", "v"),
    (r"(?<=[dt])a(?=r$)", ""),
    (r"(.)\1+", r"\1"),
    (r"(?<=..)a?i$", ""),
)
_FOLDS = [(re.compile(pattern), replacement) for pattern, replacement in FOLDS]
SPELL_OUT = str.maketrans({"1": "sh", "2": "ch"})
# An apostrophe inside a word is part of it (Belarusian Валер’евіч, Ukrainian П'ятниця);
# elsewhere it quotes, like the other marks.
SEPARATORS = re.compile(r"[\s\-‐‑–—,;/()\"«»„“”]+|(?<!\w)['‘’`]+|['‘’`]+(?!\w)")


# Belarusian and Ukrainian forms of given names whose letters do not meet the Russian form's,
# each written as the Russian form (first) and its other forms.
EQUIVALENT_NAMES = (
    ("Ольга", "Вольга"),
    ("Анна", "Ганна"),
    ("Григорий", "Рыгор"),
    ("Николай", "Мікалай", "Микола"),
    ("Екатерина", "Кацярына", "Катерина"),
    ("Фёдор", "Хведар", "Федір"),
    ("Дмитрий", "Зміцер", "Дмитро"),
    ("Константин", "Кастусь"),
    ("Иосиф", "Язэп", "Йосип"),
    ("Афанасий", "Апанас", "Опанас"),
    ("Семён", "Сымон"),
    ("Пётр", "Петро"),
    ("Павел", "Павло"),
    ("Михаил", "Михайло"),
    ("Никита", "Мікіта", "Микита"),
    ("Анастасия", "Настасся"),
)
PATRONYMIC_ENDINGS = ("avich", "vich", "avna", "vna", "ich", "ichna")


def _key(token: str) -> str:
    fixed = fix_mixed_script(token)
    if has_cyrillic(fixed):
        fixed = transliterate(fixed, "icao", detect_cyrillic_language(fixed) or "ru")
    text = skeleton_letters(fixed)
    for pattern, replacement in _FOLDS:
        text = pattern.sub(replacement, text)
    return text.translate(SPELL_OUT)


_EQUIVALENT_KEYS = {_key(other): _key(forms[0]) for forms in EQUIVALENT_NAMES for other in forms}
_PATRONYMIC_STEMS = sorted((k for k in _EQUIVALENT_KEYS if len(k) >= 4), key=len, reverse=True)


def name_key(token: str) -> str:
    """The skeleton key of one name token ("" for a token with no letters)."""
    key = _key(token)
    if key in _EQUIVALENT_KEYS:
        return _EQUIVALENT_KEYS[key]
    # A patronymic of a name in the table: Mikalaevich / Nikolaevich, Ryhoravich / Grigorievich
    if key.endswith(PATRONYMIC_ENDINGS):
        for stem in _PATRONYMIC_STEMS:
            if key.startswith(stem) and key[len(stem) :] in PATRONYMIC_ENDINGS:
                female = key.endswith(("vna", "ichna"))
                return _EQUIVALENT_KEYS[stem] + ("vna" if female else "vich")
    return key


# Two Cyrillic words the lists print without a space ("ЕвгенийАлексеевич").
RUN_TOGETHER = re.compile(r"(?<=[а-яёіўєїґ])(?=[А-ЯЁІЎЄЇҐ])")


def name_tokens(name: str) -> list[str]:
    """The tokens of a name: split on spaces, hyphens, commas, slashes, brackets and quotes,
    and between Cyrillic words run together."""
    return [token for token in SEPARATORS.split(RUN_TOGETHER.sub(" ", name)) if token]


def name_keys(name: str) -> list[str]:
    """The keys of a name's tokens, in order, without tokens that have no letters."""
    return [key for key in map(name_key, name_tokens(name)) if key]
