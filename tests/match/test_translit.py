"""Transliteration: the spellings printed on passports and in sanctions lists come out of the
Cyrillic in the scheme that produced them."""

from __future__ import annotations

import pytest

from belwatch.match.names.schemes import Scheme
from belwatch.match.names.script import Lang
from belwatch.match.names.translit import (
    SCHEMES,
    detect_cyrillic_language,
    fix_mixed_script,
    transliterate,
)


@pytest.mark.parametrize(
    ("cyrillic", "scheme", "lang", "latin"),
    [
        # Belarusian national / passport practice, as the EU and UK lists print it
        ("Лукашэнка", "by_national", "be", "Lukashenka"),
        ("Аляксандр", "by_national", "be", "Aliaksandr"),
        ("Сяргей", "by_national", "be", "Siarhei"),
        ("Дзмітрый", "by_national", "be", "Dzmitry"),
        ("Жукаў", "by_national", "be", "Zhukau"),
        ("Ігар", "by_national", "be", "Ihar"),
        ("Уладзіслаў", "by_national", "be", "Uladzislau"),
        ("Вячаслаў", "by_national", "be", "Viachaslau"),
        ("Цімафееўна", "by_national", "be", "Tsimafeeuna"),
        ("Яўген", "by_national", "be", "Yauhen"),
        ("ПАЎЛIЧЭНКА", "by_national", "be", "PAULICHENKA"),
        # Łacinka
        ("Лукашэнка", "lacinka", "be", "Łukašenka"),
        ("Аляксандр", "lacinka", "be", "Alaksandr"),
        ("Сяргей", "lacinka", "be", "Siarhiej"),
        ("Жукаў", "lacinka", "be", "Žukaŭ"),
        ("Зьмітро", "lacinka", "be", "Źmitro"),
        # BGN/PCGN, Russian and Belarusian
        ("Лукашенко", "bgn_pcgn", "ru", "Lukashenko"),
        ("Ельцин", "bgn_pcgn", "ru", "Yel’tsin"),
        ("Сергей", "bgn_pcgn", "ru", "Sergey"),
        ("Татьяна", "bgn_pcgn", "ru", "Tat’yana"),
        ("Магілёў", "bgn_pcgn", "be", "Mahilyow"),
        ("Віцебск", "bgn_pcgn", "be", "Vitsyebsk"),
        ("Хмельницький", "bgn_pcgn", "uk", "Khmel’nyts’kyy"),
        # ICAO 9303 (Russian passports since 2013)
        ("Сергей", "icao", "ru", "Sergei"),
        ("Юрий", "icao", "ru", "Iurii"),
        ("Александр", "icao", "ru", "Aleksandr"),
        ("Игорь", "icao", "ru", "Igor"),
        ("Ігар", "icao", "be", "Ihar"),
        # ISO 9
        ("Жуков", "iso9", "ru", "Žukov"),
        ("Щёкин", "iso9", "ru", "Ŝëkin"),
        ("Ярослав", "iso9", "ru", "Âroslav"),
        # Press habits
        ("Лукашенко", "german", "ru", "Lukaschenko"),
        ("Жуков", "german", "ru", "Schukow"),
        ("Хрущёв", "german", "ru", "Chruschtschow"),
        ("Лукашенко", "french", "ru", "Loukachenko"),
        ("Жуков", "french", "ru", "Joukov"),
        ("Сергей", "french", "ru", "Sergueï"),
        ("Лукашенко", "polish", "ru", "Łukaszenko"),
        ("Жуков", "polish", "ru", "Żukow"),
        ("Сергей", "polish", "ru", "Siergiej"),
        ("Хрущёв", "polish", "ru", "Chruszczow"),
    ],
)
def test_spelling_in_scheme(cyrillic: str, scheme: Scheme, lang: Lang, latin: str) -> None:
    assert transliterate(cyrillic, scheme, lang) == latin


@pytest.mark.parametrize("scheme", SCHEMES)
def test_latin_text_and_punctuation_pass_through(scheme: Scheme) -> None:
    assert transliterate("O’Brien, John (1970)", scheme) == "O’Brien, John (1970)"


def test_case_follows_source_word() -> None:
    assert transliterate("Аляксандр ЛУКАШЭНКА", "by_national") == "Aliaksandr LUKASHENKA"
    assert transliterate("ЖУКАЎ", "by_national") == "ZHUKAU"
    assert transliterate("Жукаў", "by_national") == "Zhukau"


def test_apostrophe_between_cyrillic_letters_is_a_letter() -> None:
    assert transliterate("Валер’евіч", "by_national") == "Valerevich"
    assert transliterate("Валер’евіч", "bgn_pcgn") == "Valyer”yevich"


@pytest.mark.parametrize(
    ("word", "fixed"),
    [
        ("ЗАМУЛЕВIЧ", "ЗАМУЛЕВІЧ"),  # Latin I, as in the EU annex
        ("Хiкметовiч", "Хікметовіч"),
        ("Аляĸсей", "Аляксей"),  # Latin kra ĸ for к
        ("IПАТАЎ", "ІПАТАЎ"),
        ("Lukashenka", "Lukashenka"),  # Latin word untouched
        ("PIETRASH", "PIETRASH"),
        ("Жукoвsky", "Жукoвsky"),  # s has no Cyrillic twin: not ours to guess
    ],
)
def test_fix_mixed_script(word: str, fixed: str) -> None:
    assert fix_mixed_script(word) == fixed


def test_mixed_script_fixed_before_transliteration() -> None:
    assert transliterate("Дзмiтрый ПАЎЛIЧЭНКА", "by_national") == "Dzmitry PAULICHENKA"
    assert transliterate("Аляĸсей", "by_national") == "Aliaksei"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Жукаў", "be"),
        ("Аляксандр Рыгоравіч", "be"),
        ("Дзмiтрый ПАЎЛIЧЭНКА", "be"),  # Latin I fixed first
        ("Хрущёв", "ru"),
        ("Подъячев", "ru"),
        ("Григорьевич", None),  # и: Russian or Ukrainian
        ("Сергійович", "uk"),
        ("Їжакевич", "uk"),
        ("Ґудзь", "uk"),
        ("ЛУКАШЕНКО", None),  # letters all three share
        ("Лукашэнка", None),  # э: Belarusian or Russian
        ("Lukashenka", None),
        ("Жукаў Хрущёв", None),  # ў and щ contradict
    ],
)
def test_detect_cyrillic_language(text: str, lang: Lang | None) -> None:
    assert detect_cyrillic_language(text) == lang
