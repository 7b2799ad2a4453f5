"""Skeleton keys: every spelling of one name gets one key, and different names keep apart."""

from __future__ import annotations

import csv
from collections.abc import Iterator

import pytest

from belwatch.match.names.keys import name_key, name_keys, name_tokens
from belwatch.match.names.script import fix_mixed_script, has_cyrillic

from conftest import SOURCES

EU_CSV = SOURCES / "eu_oj_opensanctions" / "32006R0765_latest.csv"

SAME_NAME = {
    "Lukashenka": [
        "Lukashenka", "Lukashenko", "Łukašenka", "Loukachenko", "Lukaschenko", "Łukaszenko",
        "Лукашэнка", "Лукашенко", "LUKASHENKA",
    ],
    "Zhukau": [
        "Zhukau", "Zhukov", "Zhukow", "Zhukoff", "Žukaŭ", "Schukow", "Joukov", "Жукаў", "Жуков",
    ],
    "Siarhei": ["Siarhei", "Sergey", "Sergei", "Sergej", "Siarhiej", "Sergueï", "Сяргей", "Сергей"],
    "Ihar": ["Ihar", "Igor", "Ігар", "Игорь", "IГАР"],
    "Aliaksandr": ["Aliaksandr", "Alexander", "Aleksandr", "Alaksandar", "Аляксандр", "Александр"],
    "Sierhiyenka": ["Sierhiyenka", "Sergeenko", "Sergeyenko", "Сергеенко", "Сяргеенка"],
    "Dzmitry": ["Dzmitry", "Dmitry", "Dmitriy", "Dmitri", "Дзмітрый", "Дзмiтрый", "Дмитрий"],
    "Uladzimir": ["Uladzimir", "Vladimir", "Wladimir", "Уладзімір", "Владимир"],
    "Hrodna": ["Hrodna", "Grodno", "Гродна", "Гродно"],
    "Kalinouski": ["Kalinouski", "Kalinovskiy", "Kalinovsky", "Kalinowski", "КАЛІНОЎСКІ"],
    "Khlyshchankau": ["KHLYSZCZANKAU", "KHLYSHCHENKOV", "ХЛЫШЧАНКАЎ", "ХЛЫЩЕНКОВ"],
    "Nyakrasava": ["NYAKRASAVA", "NEKRASOVA", "НЯКРАСАВА", "НЕКРАСОВА"],
    "Tsimafeeuna": ["Tsimafeeuna", "Timofeyevna", "Timofeevna", "Цімафееўна", "Тимофеевна"],
    "Tsikhanouskaya": ["Tsikhanouskaya", "Tikhanovskaya", "Ціханоўская", "Тихановская"],
    "Kruchkou": ["KRUCHKOU", "KRYUCHKOV", "КРУЧКОЎ", "КРЮЧКОВ"],  # Belarusian -ou, not French
    "Navumau": ["NAVUMAU", "NAUMOV", "НАВУМАЎ", "НАУМОВ"],
    "Tatsiana": ["Tatsiana", "Tatiana", "Tatyana", "Tatjana", "Таццяна", "Татьяна"],
    "Khrushchev": ["Khrushchev", "Chruschtschow", "Khrouchtchev", "Chruszczow", "Хрущёв"],
    # Belarusian and Ukrainian drop the Russian -ий/-ій
    "Yauhen": ["Yauhen", "Yevgeniy", "Evgeny", "Yevhen", "Яўген", "Евгений", "Євген"],
    "Vasil": ["Vasil", "Vasily", "Vasiliy", "Vasyl", "Васіль", "Василий", "Василь"],
    "Henadz": ["Henadz", "Gennadiy", "Gennady", "Генадзь", "Геннадий"],
    # forms the letters cannot fold, from the table of equivalents
    "Volha": ["Volha", "Olga", "Olha", "Вольга", "Ольга"],
    "Hanna": ["Hanna", "Anna", "Ганна", "Анна"],
    "Mikalai": ["Mikalai", "Nikolai", "Nikolay", "Mykola", "Мікалай", "Николай", "Микола"],
    "Ryhor": ["Ryhor", "Grigory", "Hryhoriy", "Рыгор", "Григорий"],
    "Katsiaryna": ["Katsiaryna", "Ekaterina", "Yekaterina", "Kateryna", "Кацярына", "Катерина"],
    "Zmitser": ["Zmitser", "Dzmitry", "Dmitry", "Dmytro", "Зміцер", "Дмитро"],
    # English c before a back vowel or a consonant is k
    "Viktar": ["Viktar", "Victor", "Viktor", "Віктар", "Виктор"],
    "Nicolai": ["Nicolai", "Nikolai", "Николай"],
    "Andrei": ["Andrei", "Andrey", "Andrii", "Andriy", "Андрэй", "Андрей", "Андрій"],
    "Mikita": ["Mikita", "Nikita", "Mykyta", "Мікіта", "Никита"],
    # patronymics of the names in the table
    "Mikalaevich": ["Mikalaevich", "Nikolaevich", "Nikolayevich", "Mykolaiovych", "Мікалаевіч"],
    "Mikalaeuna": ["Mikalaeuna", "Mikalayeuna", "Nikolaevna", "Николаевна"],
    "Ryhoravich": ["Ryhoravich", "Ryhorovich", "Grigorievich", "Hryhorovych", "Рыгоравіч"],
}  # fmt: skip


@pytest.mark.parametrize(("name", "spellings"), SAME_NAME.items(), ids=list(SAME_NAME))
def test_spellings_of_one_name_share_a_key(name: str, spellings: list[str]) -> None:
    keys = {spelling: name_key(spelling) for spelling in spellings}
    assert len(set(keys.values())) == 1, keys


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Lukashenka", "Lukashevich"),
        ("Zhukau", "Zhuk"),
        ("Zhukov", "Zhukovsky"),
        ("Sergeenko", "Sergeev"),
        ("Sierhiyenka", "Siarheyeu"),
        ("Ivanov", "Ivanova"),  # gender endings are kept: usually two people
        ("Kalinouski", "Kalinouskaya"),
        ("Lukashenka", "Lukashuk"),
        ("Ihar", "Ivan"),
        ("Siarhei", "Sviatlana"),
        ("Karpenko", "Karpenkov"),
        ("Pavlov", "Pavlova"),
        ("Makei", "Makeev"),
        ("Nazarov", "Azarov"),
        ("Olga", "Oleg"),
        ("Anna", "Ivan"),
    ],
)
def test_different_names_keep_different_keys(one: str, other: str) -> None:
    assert name_key(one) != name_key(other)


def test_name_keys_tokenises_on_separators() -> None:
    name = "LUKASHENKA, Aliaksandr Ryhoravich (Лукашэнка Аляксандр Рыгоравіч)"
    assert name_keys(name) == [
        "lukashanka", "alaksandr", "hriharvich", "lukashanka", "alaksandr", "hriharvich",
    ]  # fmt: skip
    # An apostrophe inside a word belongs to it: Belarusian patronymics print one.
    assert name_tokens('Anna-Maria "Masha" O’Neil') == ["Anna", "Maria", "Masha", "O’Neil"]
    quoted = "Дзмiтрый Валер’евiч ‘Паўлічэнка’"
    assert name_tokens(quoted) == ["Дзмiтрый", "Валер’евiч", "Паўлічэнка"]
    assert name_key("Валер’евiч") == name_key("Valerievich")
    assert name_keys("— , ()") == []


def test_key_has_no_marks_and_is_lowercase_ascii() -> None:
    for spellings in SAME_NAME.values():
        for spelling in spellings:
            key = name_key(spelling)
            assert key.isascii() and key.isalpha() and key.islower(), (spelling, key)


def _cell_values(cell: str) -> list[str]:
    """A multi-valued EU cell: ``;``-separated, CSV-quoted where needed (FORMAT.md)."""
    if not cell.strip():
        return []
    return [
        value.strip() for value in next(csv.reader([cell], delimiter=";", skipinitialspace=True))
    ]


def _family_keys(name: str) -> set[str]:
    """Keys of the family name: the tokens printed in capitals, or else the last token."""
    tokens = [token for token in name_tokens(name) if any(char.isalpha() for char in token)]
    capitals = [token for token in tokens if len(token) > 1 and fix_mixed_script(token).isupper()]
    return {name_key(token) for token in capitals or tokens[-1:]}


def _eu_persons() -> Iterator[tuple[str, list[str]]]:
    """(Latin name, Cyrillic aliases) of every Person row that has a Cyrillic alias."""
    with EU_CSV.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["schema"] != "Person":
                continue
            aliases = _cell_values(row["alias"]) + _cell_values(row["weakAlias"])
            cyrillic = [alias for alias in aliases if has_cyrillic(alias)]
            if cyrillic:
                yield row["name"], cyrillic


def _meets(name: str, alias: str) -> bool:
    return bool(_family_keys(name) & _family_keys(alias))


def _describe(name: str, aliases: list[str]) -> str:
    forms = "; ".join(f"{alias} {sorted(_family_keys(alias))}" for alias in aliases)
    return f"{name} {sorted(_family_keys(name))} vs {forms}"


def test_eu_belarus_annex_latin_family_name_meets_a_cyrillic_alias() -> None:
    persons = list(_eu_persons())
    assert len(persons) > 300
    misses = [_describe(n, a) for n, a in persons if not any(_meets(n, alias) for alias in a)]
    share = 1 - len(misses) / len(persons)
    assert share >= 0.95, f"{share:.1%} of {len(persons)} rows meet; misses:\n" + "\n".join(misses)


def test_eu_belarus_annex_latin_family_name_meets_every_cyrillic_alias() -> None:
    """The Russian Cyrillic alias too, not just the Belarusian one the Latin was made from."""
    persons = list(_eu_persons())
    misses = [_describe(n, a) for n, a in persons if not all(_meets(n, alias) for alias in a)]
    share = 1 - len(misses) / len(persons)
    assert share >= 0.95, f"{share:.1%} of {len(persons)} rows meet; misses:\n" + "\n".join(misses)
