"""A synthetic customer file for benchmarking batch screening, with listed targets planted.

    python bench/customers.py --db sqlite:////tmp/dev.db --rows 1000000 --planted 1000 \\
                              --seed 1 -o /tmp/customers.parquet

Writes --rows customers (Parquet, or CSV or JSON lines by the suffix of -o) with the columns
customer_id, name, birth_date, country, kind and registration_number, and beside it
``<stem>.truth.csv`` (customer_id, entity_id, how): which rows are listed targets of the
--db register and how their names were respelled. Prints what it wrote and how long it took.

About 85% are people: Belarusian and Russian names in Belarusian and Russian Cyrillic and in
Latin letters (passport, ICAO, BGN, Łacinka), with patronymics now and then; Ukrainian,
Polish, Lithuanian, English and German names; given name or surname first, in capitals or
not; born 1940-2005, a fifth without a birth date. The rest are companies: made-up names
with legal forms (ООО, ОАО, ЗАО, ТАА, ААТ, OOO, JSC, LLC, Ltd, GmbH, AG, Sp. z o.o., UAB,
S.A.), some with a registration number. No row is written as a name of a listed target
(a row that happens to spell one exactly is drawn again), except the planted ones.

--planted targets (a Person, Organization or Company a Sanction points at) are taken at
random and spread through the file: one of their names is respelled so that it equals none
of the target's names but has the same name keys (belwatch.match.names), and a fifth then
get one typo; birth date and country come from the target. The truth file's ``how`` lists
the steps, joined by "+": latin:<belwatch scheme> (Cyrillic in Latin letters),
cyrillic:ru|be|uk (Latin in Cyrillic), form:be|ru (Lukashenko/Lukashenka, Zhukov/Zhukau),
marks:add|drop (Lukashenka/Łukašenka), hyphen (made a space), order, case:upper|lower|title,
typo:drop|double|swap|vowel. The same --seed (and register) gives the same files.

Other benchmarks: ``generate(rows, register, planted=..., seed=...)`` returns the table and
the truth rows; ``read_register(store)`` loads the targets once for several files.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import resource
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from belwatch.match.features import LEGAL_FORMS
from belwatch.match.names import detect_cyrillic_language, name_keys, transliterate
from belwatch.match.names.schemes import Scheme
from belwatch.match.names.script import Lang, has_cyrillic
from belwatch.store import Store
from belwatch.store.schema import statement_table
from belwatch.store.sql import NAME_PROPS

COLUMNS = ("customer_id", "name", "birth_date", "country", "kind", "registration_number")
TRUTH_COLUMNS = ("customer_id", "entity_id", "how")
FORMATS = (".parquet", ".csv", ".jsonl")
PERSON_SHARE = 0.85
NO_BIRTH_DATE = 0.20
TYPO_SHARE = 0.20
TARGET_SCHEMATA = ("Person", "Organization", "Company")
COUNTRY_PROPS = ("country", "nationality", "citizenship", "jurisdiction")
TARGET_PROPS = (*NAME_PROPS, "birthDate", *COUNTRY_PROPS)
Array = np.ndarray

# --- name pools ------------------------------------------------------------------------------

# Given names as (Russian, Belarusian) Cyrillic.
GIVEN_M = [
    ("Александр", "Аляксандр"), ("Алексей", "Аляксей"), ("Андрей", "Андрэй"),
    ("Анатолий", "Анатоль"), ("Антон", "Антон"), ("Артём", "Арцём"), ("Борис", "Барыс"),
    ("Вадим", "Вадзім"), ("Валентин", "Валянцін"), ("Валерий", "Валерый"),
    ("Василий", "Васіль"), ("Виктор", "Віктар"), ("Виталий", "Віталь"),
    ("Владимир", "Уладзімір"), ("Вячеслав", "Вячаслаў"), ("Геннадий", "Генадзь"),
    ("Григорий", "Рыгор"), ("Денис", "Дзяніс"), ("Дмитрий", "Дзмітрый"),
    ("Евгений", "Яўген"), ("Иван", "Іван"), ("Игорь", "Ігар"), ("Илья", "Ілья"),
    ("Кирилл", "Кірыл"), ("Константин", "Канстанцін"), ("Леонид", "Леанід"),
    ("Максим", "Максім"), ("Михаил", "Міхаіл"), ("Никита", "Мікіта"),
    ("Николай", "Мікалай"), ("Олег", "Алег"), ("Павел", "Павел"), ("Пётр", "Пятро"),
    ("Роман", "Раман"), ("Сергей", "Сяргей"), ("Станислав", "Станіслаў"),
    ("Степан", "Сцяпан"), ("Тимофей", "Цімафей"), ("Юрий", "Юрый"), ("Ярослав", "Яраслаў"),
    ("Фёдор", "Фёдар"), ("Руслан", "Руслан"),
]  # fmt: skip
GIVEN_F = [
    ("Александра", "Аляксандра"), ("Алина", "Аліна"), ("Алла", "Ала"),
    ("Анастасия", "Анастасія"), ("Анна", "Ганна"), ("Валентина", "Валянціна"),
    ("Вера", "Вера"), ("Виктория", "Вікторыя"), ("Галина", "Галіна"), ("Дарья", "Дар'я"),
    ("Екатерина", "Кацярына"), ("Елена", "Алена"), ("Елизавета", "Лізавета"),
    ("Жанна", "Жана"), ("Инна", "Іна"), ("Ирина", "Ірына"), ("Карина", "Карына"),
    ("Кристина", "Крысціна"), ("Лариса", "Ларыса"), ("Людмила", "Людміла"),
    ("Марина", "Марына"), ("Мария", "Марыя"), ("Надежда", "Надзея"), ("Наталья", "Наталля"),
    ("Нина", "Ніна"), ("Оксана", "Аксана"), ("Ольга", "Вольга"), ("Светлана", "Святлана"),
    ("София", "Сафія"), ("Тамара", "Тамара"), ("Татьяна", "Таццяна"), ("Юлия", "Юлія"),
    ("Яна", "Яна"), ("Полина", "Паліна"),
]  # fmt: skip
# Patronymics as (Russian male, Russian female, Belarusian male, Belarusian female).
PATRONYMICS = [
    ("Александрович", "Александровна", "Аляксандравіч", "Аляксандраўна"),
    ("Алексеевич", "Алексеевна", "Аляксеевіч", "Аляксееўна"),
    ("Анатольевич", "Анатольевна", "Анатольевіч", "Анатольеўна"),
    ("Борисович", "Борисовна", "Барысавіч", "Барысаўна"),
    ("Васильевич", "Васильевна", "Васільевіч", "Васільеўна"),
    ("Викторович", "Викторовна", "Віктаравіч", "Віктараўна"),
    ("Владимирович", "Владимировна", "Уладзіміравіч", "Уладзіміраўна"),
    ("Валерьевич", "Валерьевна", "Валер'евіч", "Валер'еўна"),
    ("Геннадьевич", "Геннадьевна", "Генадзевіч", "Генадзеўна"),
    ("Григорьевич", "Григорьевна", "Рыгоравіч", "Рыгораўна"),
    ("Дмитриевич", "Дмитриевна", "Дзмітрыевіч", "Дзмітрыеўна"),
    ("Евгеньевич", "Евгеньевна", "Яўгенавіч", "Яўгенаўна"),
    ("Иванович", "Ивановна", "Іванавіч", "Іванаўна"),
    ("Игоревич", "Игоревна", "Ігаравіч", "Ігараўна"),
    ("Леонидович", "Леонидовна", "Леанідавіч", "Леанідаўна"),
    ("Михайлович", "Михайловна", "Міхайлавіч", "Міхайлаўна"),
    ("Николаевич", "Николаевна", "Мікалаевіч", "Мікалаеўна"),
    ("Олегович", "Олеговна", "Алегавіч", "Алегаўна"),
    ("Павлович", "Павловна", "Паўлавіч", "Паўлаўна"),
    ("Петрович", "Петровна", "Пятровіч", "Пятроўна"),
    ("Сергеевич", "Сергеевна", "Сяргеевіч", "Сяргееўна"),
    ("Степанович", "Степановна", "Сцяпанавіч", "Сцяпанаўна"),
    ("Фёдорович", "Фёдоровна", "Фёдаравіч", "Фёдараўна"),
    ("Юрьевич", "Юрьевна", "Юр'евіч", "Юр'еўна"),
]
# Surnames of Belarusians as (Russian, Belarusian), male forms.
BY_SURNAMES = [
    ("Ковалевич", "Кавалевіч"), ("Мицкевич", "Міцкевіч"), ("Гончаренко", "Ганчарэнка"),
    ("Кравченко", "Краўчэнка"), ("Савченко", "Саўчэнка"), ("Михалевич", "Міхалевіч"),
    ("Станкевич", "Станкевіч"), ("Ярошевич", "Ярашэвіч"), ("Зеленкевич", "Зяленкевіч"),
    ("Романович", "Рамановіч"), ("Козловский", "Казлоўскі"), ("Жуковский", "Жукоўскі"),
    ("Островский", "Астроўскі"), ("Калиновский", "Каліноўскі"), ("Радкевич", "Радкевіч"),
    ("Шуневич", "Шуневіч"), ("Карпович", "Карповіч"), ("Будько", "Будзько"),
    ("Кузьменко", "Кузьменка"), ("Мельник", "Мельнік"), ("Ткачук", "Ткачук"),
    ("Лобан", "Лобан"), ("Сокол", "Сокал"), ("Воронович", "Варановіч"),
    ("Дашкевич", "Дашкевіч"), ("Шумский", "Шумскі"), ("Бондарь", "Бондар"),
    ("Голуб", "Голуб"), ("Кулешов", "Куляшоў"), ("Бурак", "Бурак"), ("Латышев", "Латышаў"),
    ("Чернявский", "Чарняўскі"), ("Гуринович", "Гурыновіч"), ("Шимко", "Шымко"),
    ("Пинчук", "Пінчук"), ("Прокопович", "Пракаповіч"), ("Сенкевич", "Сянкевіч"),
    ("Тарашкевич", "Тарашкевіч"), ("Костюкевич", "Касцюкевіч"), ("Жданович", "Ждановіч"),
    ("Зайцев", "Зайцаў"), ("Новиков", "Навікаў"), ("Кириленко", "Кірыленка"),
    ("Лисовский", "Лісоўскі"), ("Гурский", "Гурскі"), ("Шпак", "Шпак"),
    ("Юркевич", "Юркевіч"), ("Садовский", "Садоўскі"),
]  # fmt: skip
RU_SURNAMES = [
    "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
    "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов",
    "Козлов", "Степанов", "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Соловьёв",
    "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв", "Сергеев", "Кузьмин",
    "Фролов", "Дмитриев", "Королёв", "Гусев", "Киселёв", "Ильин", "Максимов", "Поляков",
    "Сорокин", "Виноградов", "Белов", "Тарасов", "Жуков", "Баранов", "Комаров", "Давыдов",
    "Беляев", "Герасимов", "Осипов", "Сидоров", "Титов", "Миронов", "Крылов", "Куликов",
    "Власов", "Гаврилов", "Тихонов", "Данилов", "Троицкий",
]  # fmt: skip
UA_GIVEN_M = [
    "Олександр", "Андрій", "Богдан", "Василь", "Віталій", "Володимир", "Дмитро", "Іван",
    "Ігор", "Максим", "Микола", "Михайло", "Олег", "Остап", "Петро", "Роман", "Сергій",
    "Тарас", "Юрій", "Ярослав",
]  # fmt: skip
UA_GIVEN_F = [
    "Олена", "Оксана", "Наталія", "Ірина", "Тетяна", "Юлія", "Катерина", "Ганна", "Марія",
    "Людмила", "Світлана", "Галина", "Софія", "Дарина", "Вікторія",
]  # fmt: skip
UA_SURNAMES = [
    "Шевченко", "Коваленко", "Бондаренко", "Ткаченко", "Олійник", "Шевчук", "Поліщук",
    "Бойко", "Коваль", "Лисенко", "Мороз", "Марченко", "Руденко", "Петренко", "Клименко",
    "Павленко", "Левченко", "Харченко", "Литвиненко", "Кравчук", "Ковальчук", "Онищенко",
    "Ярошенко", "Гнатюк", "Костенко", "Зінченко", "Дорошенко", "Гордієнко", "Савчук",
    "Остапчук",
]  # fmt: skip
PL_GIVEN_M = [
    "Piotr", "Krzysztof", "Andrzej", "Tomasz", "Paweł", "Michał", "Marcin", "Grzegorz",
    "Jakub", "Łukasz", "Wojciech", "Mateusz", "Kamil", "Maciej", "Rafał", "Jan", "Stanisław",
    "Dariusz", "Mariusz", "Zbigniew",
]  # fmt: skip
PL_GIVEN_F = [
    "Anna", "Katarzyna", "Małgorzata", "Agnieszka", "Barbara", "Ewa", "Magdalena", "Joanna",
    "Aleksandra", "Monika", "Zofia", "Dorota", "Beata", "Jadwiga", "Elżbieta",
]  # fmt: skip
PL_SURNAMES = [
    "Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski",
    "Zieliński", "Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Jankowski", "Mazur",
    "Kwiatkowski", "Krawczyk", "Piotrowski", "Grabowski", "Nowakowski", "Pawłowski",
    "Michalski", "Nowicki", "Adamczyk", "Dudek", "Zając", "Wieczorek", "Jabłoński", "Król",
    "Majewski", "Olszewski",
]  # fmt: skip
LT_GIVEN_M = [
    "Jonas", "Tomas", "Mantas", "Darius", "Andrius", "Vytautas", "Paulius", "Mindaugas",
    "Giedrius", "Rimantas", "Kęstutis", "Algirdas",
]  # fmt: skip
LT_GIVEN_F = ["Rūta", "Jurgita", "Asta", "Inga", "Laura", "Rasa", "Agnė", "Eglė", "Greta", "Ieva"]
LT_SURNAMES = [
    "Kazlauskas", "Jankauskas", "Petrauskas", "Stankevičius", "Vasiliauskas", "Žukauskas",
    "Butkus", "Paulauskas", "Urbonas", "Kavaliauskas", "Navickas", "Ramanauskas", "Savickas",
    "Žilinskas", "Baranauskas", "Mikalauskas", "Rimkus", "Šimkus",
]  # fmt: skip
EN_GIVEN_M = [
    "James", "John", "Robert", "Michael", "William", "David", "Richard", "Thomas", "Charles",
    "Daniel", "Matthew", "Andrew", "Paul", "Mark", "Steven", "George", "Edward", "Peter",
    "Simon", "Oliver",
]  # fmt: skip
EN_GIVEN_F = [
    "Mary", "Elizabeth", "Sarah", "Emma", "Jennifer", "Susan", "Margaret", "Karen", "Helen",
    "Laura", "Emily", "Rachel", "Victoria", "Charlotte", "Alice", "Jessica", "Rebecca",
    "Hannah", "Grace", "Lucy",
]  # fmt: skip
EN_SURNAMES = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Taylor", "Wilson", "Davies", "Evans",
    "Roberts", "Walker", "Wright", "Thompson", "White", "Hughes", "Edwards", "Green", "Hall",
    "Wood", "Harris", "Clarke", "Jackson", "Turner", "Hill", "Moore", "Cooper", "Ward",
    "Morris", "Baker", "Fletcher",
]  # fmt: skip
DE_GIVEN_M = [
    "Thomas", "Michael", "Andreas", "Stefan", "Jürgen", "Klaus", "Wolfgang", "Uwe",
    "Matthias", "Frank", "Markus", "Jörg", "Dieter", "Lukas", "Tobias",
]  # fmt: skip
DE_GIVEN_F = [
    "Sabine", "Petra", "Monika", "Ursula", "Claudia", "Andrea", "Katrin", "Susanne", "Birgit",
    "Jana", "Anja", "Lena", "Jutta", "Sophie", "Käthe",
]  # fmt: skip
DE_SURNAMES = [
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
    "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder",
    "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange",
]  # fmt: skip

# Company name stems: (Russian, Belarusian) beginnings and endings, joined.
STEM_HEADS = [
    ("Бел", "Бел"), ("Агро", "Агра"), ("Техно", "Тэхна"), ("Мега", "Мега"), ("Транс", "Транс"),
    ("Нео", "Нео"), ("Эко", "Эка"), ("Гранд", "Гранд"), ("Альфа", "Альфа"), ("Вита", "Віта"),
    ("Энерго", "Энерга"), ("Авто", "Аўта"), ("Гео", "Гео"), ("Интер", "Інтэр"),
    ("Норд", "Норд"), ("Стар", "Стар"),
]  # fmt: skip
STEM_TAILS = [
    ("снаб", "снаб"), ("торг", "торг"), ("пром", "пром"), ("сервис", "сэрвіс"),
    ("строй", "буд"), ("лайн", "лайн"), ("трейд", "трэйд"), ("маркет", "маркет"),
    ("логистик", "лагістык"), ("продукт", "прадукт"), ("систем", "сістэм"),
    ("ресурс", "рэсурс"), ("комплект", "камплект"), ("групп", "груп"), ("плюс", "плюс"),
    ("инвест", "інвест"), ("медиа", "медыя"),
]  # fmt: skip
EN_HEADS = [
    "Silver", "Northern", "Blue", "Grand", "Royal", "Atlantic", "Eastern", "Golden", "Green",
    "Summit", "Crown", "Oak", "Harbour", "Pioneer", "Falcon", "Granite",
]  # fmt: skip
EN_TAILS = [
    "Trading", "Logistics", "Holdings", "Capital", "Systems", "Solutions", "Shipping",
    "Resources", "Ventures", "Partners", "Industries", "Supplies", "Foods", "Energy",
    "Technologies", "Consulting",
]  # fmt: skip
DE_TAILS = ["Handels", "Logistik", "Bau", "Technik", "Immobilien", "Maschinenbau", "Energie"]
PL_HEADS = ["Pol", "Mar", "Bud", "Inter", "Eko", "Agro", "Trans", "Tech", "Wik", "Rol"]
PL_TAILS = ["bud", "pol", "ex", "mex", "trans", "med", "tex", "lux", "gaz", "drew"]
LT_STEMS = [
    "Baltijos prekyba", "Nemuno logistika", "Vilniaus statyba", "Kauno transportas",
    "Gintaro sistemos", "Ąžuolo baldai", "Šiaurės vėjas", "Žalioji giria", "Neries krantas",
    "Rytų terminalas", "Saulės energija", "Medžio meistrai",
]  # fmt: skip
ES_HEADS = ["Inversiones", "Comercial", "Transportes", "Servicios", "Constructora", "Grupo"]
ES_TAILS = [
    "del Sur", "Andina", "Atlántico", "Pacífico", "del Norte", "Santa Rosa", "Los Álamos",
    "Río Claro",
]  # fmt: skip

OTHER_COUNTRIES = ["by", "ru", "ua", "pl", "lt", "lv", "de", "gb", "us", "ge", "kz", "cy", "il"]

# --- drawing from pools, a column at a time --------------------------------------------------


def _objects(values: Sequence[str]) -> Array:
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def _title(text: str) -> str:
    return re.sub(r"(^|[^\w'’])(\w)", lambda m: m.group(1) + m.group(2).upper(), text.lower())


def _cases(values: Sequence[str]) -> Array:
    """Rows: as written, in capitals, in small letters."""
    return np.stack([_objects(values), _objects([v.upper() for v in values]),
                     _objects([v.lower() for v in values])])  # fmt: skip


@dataclass(frozen=True)
class Choice:
    """Values drawn with weights."""

    values: tuple[str, ...]
    weights: tuple[float, ...]

    def draw(self, rng: np.random.Generator, size: int) -> Array:
        p = np.asarray(self.weights) / sum(self.weights)
        return _objects(self.values)[rng.choice(len(self.values), size=size, p=p)]


def _home(country: str, *others: str) -> Choice:
    """Mostly the home country, sometimes none, sometimes another."""
    rest = [c for c in OTHER_COUNTRIES if c != country and c not in others]
    values = (country, "", *others, *rest)
    away = [0.10 / max(len(others), 1)] * len(others)
    weights = (0.70, 0.12, *away, *[0.08 / len(rest)] * len(rest))
    return Choice(values, weights)


# Case of (given names, surname): as written; capitals; SURNAME Given; small letters.
CASE_WEIGHTS = np.array([0.62, 0.22, 0.12, 0.04])
GIVEN_CASE = np.array([0, 1, 0, 2])
SURNAME_CASE = np.array([0, 1, 1, 2])


@dataclass(frozen=True)
class People:
    """One way of writing people's names: origin, script and sex."""

    label: str
    cyrillic: bool
    given: Array
    surnames: Array
    patronymics: Array | None
    patronymic_share: float
    surname_first: float
    country: Choice

    def draw(self, rng: np.random.Generator, size: int) -> Array:
        style = rng.choice(4, size=size, p=CASE_WEIGHTS)
        given_case, surname_case = GIVEN_CASE[style], SURNAME_CASE[style]
        given = self.given[given_case, rng.integers(self.given.shape[1], size=size)]
        surname = self.surnames[surname_case, rng.integers(self.surnames.shape[1], size=size)]
        if self.patronymics is not None:
            patronymic = self.patronymics[
                given_case, rng.integers(self.patronymics.shape[1], size=size)
            ]
            given = np.where(rng.random(size) < self.patronymic_share,
                             given + " " + patronymic, given)  # fmt: skip
        first = rng.random(size)
        names = np.where(first < self.surname_first, surname + " " + given, given + " " + surname)
        if not self.cyrillic:  # forms and old systems: "Surname, Given"
            names = np.where(first > 0.97, surname + ", " + given, names)
        return names


def _feminine(surname: str, lang: str) -> str:
    rules = {
        "ru": ((r"ский$", "ская"), (r"цкий$", "цкая"), (r"(ов|ев|ёв|ин|ын)$", r"\1а")),
        "be": ((r"скі$", "ская"), (r"цкі$", "цкая"), (r"ў$", "ва"), (r"(ін|ын)$", r"\1а")),
        "uk": ((r"ський$", "ська"), (r"(ов|ев|ін)$", r"\1а")),
        "pl": ((r"ski$", "ska"), (r"cki$", "cka")),
        "lt": ((r"(ius|as|us|is|ys)$", "ienė"),),
    }.get(lang, ())
    for pattern, replacement in rules:
        if re.search(pattern, surname):
            return re.sub(pattern, replacement, surname)
    return surname


ASCII_DE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue",
                          "ß": "ss"})  # fmt: skip


def _plain(text: str) -> str:
    """Without diacritics, as a keyboard without them would write it."""
    text = text.replace("ł", "l").replace("Ł", "L").replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _people() -> tuple[list[People], np.ndarray]:
    """The ways of writing people's names and how often each is drawn."""
    found: list[tuple[float, People]] = []

    def add(label: str, weight: float, cyrillic: bool, given: tuple[list[str], list[str]],
            surnames: tuple[list[str], list[str]],
            patronymics: tuple[list[str], list[str]] | None, patronymic_share: float,
            surname_first: float, country: Choice) -> None:  # fmt: skip
        for sex in (0, 1):
            found.append((weight / 2, People(
                f"{label}/{'mf'[sex]}", cyrillic, _cases(given[sex]), _cases(surnames[sex]),
                _cases(patronymics[sex]) if patronymics else None, patronymic_share,
                surname_first, country)))  # fmt: skip

    def spelt(values: list[str], scheme: Scheme, lang: Lang) -> list[str]:
        return [transliterate(v, scheme, lang) for v in values]

    ru_given = ([m for m, _ in GIVEN_M], [f for f, _ in GIVEN_F])
    be_given = ([m for _, m in GIVEN_M], [f for _, f in GIVEN_F])
    ru_patr = ([p[0] for p in PATRONYMICS], [p[1] for p in PATRONYMICS])
    be_patr = ([p[2] for p in PATRONYMICS], [p[3] for p in PATRONYMICS])
    by_ru = [ru for ru, _ in BY_SURNAMES]
    by_be = [be for _, be in BY_SURNAMES]
    by_ru_names = (by_ru, [_feminine(s, "ru") for s in by_ru])
    by_be_names = (by_be, [_feminine(s, "be") for s in by_be])
    ru_names = (RU_SURNAMES, [_feminine(s, "ru") for s in RU_SURNAMES])
    by, ru = _home("by", "pl", "lt", "ru"), _home("ru", "by", "kz")

    def latin(pair: tuple[list[str], list[str]], scheme: Scheme, lang: Lang) -> tuple[
        list[str], list[str]
    ]:  # fmt: skip
        return spelt(pair[0], scheme, lang), spelt(pair[1], scheme, lang)

    add("by-cyrillic", 0.35 * 0.30, True, be_given, by_be_names, be_patr, 0.45, 0.6, by)
    add("by-russian", 0.35 * 0.22, True, ru_given, by_ru_names, ru_patr, 0.55, 0.6, by)
    add("by-passport", 0.35 * 0.38, False, latin(be_given, "by_national", "be"),
        latin(by_be_names, "by_national", "be"), latin(be_patr, "by_national", "be"), 0.12,
        0.4, by)  # fmt: skip
    add("by-lacinka", 0.35 * 0.04, False, latin(be_given, "lacinka", "be"),
        latin(by_be_names, "lacinka", "be"), None, 0.0, 0.4, by)  # fmt: skip
    add("by-russian-latin", 0.35 * 0.06, False, latin(ru_given, "icao", "ru"),
        latin(by_ru_names, "icao", "ru"), None, 0.0, 0.4, by)  # fmt: skip
    add("ru-cyrillic", 0.25 * 0.60, True, ru_given, ru_names, ru_patr, 0.5, 0.6, ru)
    add("ru-icao", 0.25 * 0.25, False, latin(ru_given, "icao", "ru"),
        latin(ru_names, "icao", "ru"), latin(ru_patr, "icao", "ru"), 0.1, 0.35, ru)  # fmt: skip
    add("ru-bgn", 0.25 * 0.15, False, latin(ru_given, "bgn_pcgn", "ru"),
        latin(ru_names, "bgn_pcgn", "ru"), None, 0.0, 0.35, ru)  # fmt: skip
    ua_names = (UA_SURNAMES, [_feminine(s, "uk") for s in UA_SURNAMES])
    ua = _home("ua", "pl", "de")
    add("ua-cyrillic", 0.10 * 0.45, True, (UA_GIVEN_M, UA_GIVEN_F), ua_names, None, 0.0, 0.5,
        ua)  # fmt: skip
    add("ua-latin", 0.10 * 0.55, False, latin((UA_GIVEN_M, UA_GIVEN_F), "icao", "uk"),
        latin(ua_names, "icao", "uk"), None, 0.0, 0.3, ua)  # fmt: skip
    pl_names = (PL_SURNAMES, [_feminine(s, "pl") for s in PL_SURNAMES])
    pl = _home("pl", "de", "gb")
    add("pl", 0.08 * 0.8, False, (PL_GIVEN_M, PL_GIVEN_F), pl_names, None, 0.0, 0.25, pl)
    add("pl-plain", 0.08 * 0.2, False, ([_plain(v) for v in PL_GIVEN_M],
        [_plain(v) for v in PL_GIVEN_F]), ([_plain(v) for v in pl_names[0]],
        [_plain(v) for v in pl_names[1]]), None, 0.0, 0.25, pl)  # fmt: skip
    lt_names = (LT_SURNAMES, [_feminine(s, "lt") for s in LT_SURNAMES])
    lt = _home("lt", "lv", "pl")
    add("lt", 0.05 * 0.75, False, (LT_GIVEN_M, LT_GIVEN_F), lt_names, None, 0.0, 0.3, lt)
    add("lt-plain", 0.05 * 0.25, False, ([_plain(v) for v in LT_GIVEN_M],
        [_plain(v) for v in LT_GIVEN_F]), ([_plain(v) for v in lt_names[0]],
        [_plain(v) for v in lt_names[1]]), None, 0.0, 0.3, lt)  # fmt: skip
    en = Choice(("gb", "us", "ie", "ca", "", "cy"), (0.45, 0.25, 0.08, 0.05, 0.12, 0.05))
    add("en", 0.10, False, (EN_GIVEN_M, EN_GIVEN_F), (EN_SURNAMES, EN_SURNAMES), None, 0.0,
        0.15, en)  # fmt: skip
    de = Choice(("de", "at", "ch", ""), (0.7, 0.1, 0.08, 0.12))
    add("de", 0.07 * 0.85, False, (DE_GIVEN_M, DE_GIVEN_F), (DE_SURNAMES, DE_SURNAMES), None,
        0.0, 0.2, de)  # fmt: skip
    add("de-plain", 0.07 * 0.15, False, ([v.translate(ASCII_DE) for v in DE_GIVEN_M],
        [v.translate(ASCII_DE) for v in DE_GIVEN_F]),
        ([v.translate(ASCII_DE) for v in DE_SURNAMES],) * 2, None, 0.0, 0.2, de)  # fmt: skip
    weights = np.array([w for w, _ in found])
    return [p for _, p in found], weights / weights.sum()


@dataclass(frozen=True)
class Companies:
    """One kind of company name: stems, legal forms placed around them, registration numbers."""

    label: str
    cyrillic: bool
    stems: tuple[str, ...]
    forms: tuple[tuple[str, str], ...]  # text before and after the stem
    country: Choice
    number: Callable[[np.random.Generator, int], Array]

    def draw(self, rng: np.random.Generator, size: int, stems: Array) -> Array:
        before = _objects([b for b, _ in self.forms])
        after = _objects([a for _, a in self.forms])
        form = rng.integers(len(self.forms), size=size)
        names = before[form] + stems[rng.integers(len(stems), size=size)] + after[form]
        upper = rng.random(size) < 0.15
        names[upper] = [name.upper() for name in names[upper]]
        return names


def _digits(prefix: str, low: int, high: int, width: int = 0) -> Callable[
    [np.random.Generator, int], Array
]:  # fmt: skip
    def draw(rng: np.random.Generator, size: int) -> Array:
        numbers = rng.integers(low, high, size=size).astype(str)
        if width and size:  # zfill cannot size an empty array
            numbers = np.char.zfill(numbers, width)
        return prefix + numbers.astype(object)

    return draw


def _companies() -> tuple[list[Companies], np.ndarray]:
    ru_stems = [head + tail for head, _ in STEM_HEADS for tail, _ in STEM_TAILS]
    be_stems = [head + tail for _, head in STEM_HEADS for _, tail in STEM_TAILS]
    ru_latin = [transliterate(s, "by_national", "ru") for s in ru_stems]
    be_latin = [transliterate(s, "by_national", "be") for s in be_stems]
    en_stems = [f"{head} {tail}" for head in EN_HEADS for tail in EN_TAILS]
    de_stems = [f"{name} {tail}" for name in DE_SURNAMES for tail in DE_TAILS]
    pl_stems = [head + tail for head in PL_HEADS for tail in PL_TAILS]
    es_stems = [f"{head} {tail}" for head in ES_HEADS for tail in ES_TAILS]
    ogrn, unp = _digits("1", 10**11, 10**12 - 1), _digits("", 100_000_000, 800_000_000)
    kinds = [
        (0.30, Companies("ru-cyrillic", True, tuple(ru_stems), (
            ("ООО «", "»"), ('ООО "', '"'), ("ОАО «", "»"), ("ЗАО «", "»"), ("АО «", "»"),
            ("ПАО «", "»"), ("", ", ООО"),
            ("Общество с ограниченной ответственностью «", "»")),
            Choice(("ru", "by", "kz", ""), (0.6, 0.25, 0.05, 0.1)), ogrn)),
        (0.12, Companies("by-cyrillic", True, tuple(be_stems), (
            ("ТАА «", "»"), ("ААТ «", "»"), ('ТАА "', '"'), ("ЗАТ «", "»"),
            ("Таварыства з абмежаванай адказнасцю «", "»")),
            Choice(("by", ""), (0.9, 0.1)), unp)),
        (0.12, Companies("ru-latin", False, tuple(ru_latin), (
            ('OOO "', '"'), ("OOO ", ""), ('JSC "', '"'), ("PJSC ", ""), ("", " LLC"),
            ('LLC "', '"'), ('OJSC "', '"'), ('CJSC "', '"')),
            Choice(("ru", "by", "cy", "ae", ""), (0.55, 0.15, 0.1, 0.05, 0.15)), ogrn)),
        (0.06, Companies("by-latin", False, tuple(be_latin), (
            ('AAT "', '"'), ('TAA "', '"'), ("", " LLC"), ('JSC "', '"'), ("AAT ", "")),
            Choice(("by", ""), (0.85, 0.15)), unp)),
        (0.15, Companies("en", False, tuple(en_stems), (
            ("", " Ltd"), ("", " LLC"), ("", " Limited"), ("", " Inc."), ("", " Ltd.")),
            Choice(("gb", "us", "cy", "ae", "hk", "vg", ""),
                   (0.35, 0.25, 0.1, 0.08, 0.05, 0.05, 0.12)),
            _digits("", 0, 16_000_000, 8))),
        (0.10, Companies("de", False, tuple(de_stems), (
            ("", " GmbH"), ("", " AG"), ("", " GmbH & Co. KG")),
            Choice(("de", "at", "ch", ""), (0.7, 0.1, 0.1, 0.1)),
            _digits("HRB ", 1_000, 250_000))),
        (0.07, Companies("pl", False, tuple(pl_stems), (
            ("", " Sp. z o.o."), ("", " S.A."), ("", " sp. z o.o.")),
            Choice(("pl", ""), (0.9, 0.1)), _digits("", 1, 1_100_000, 10))),
        (0.05, Companies("lt", False, tuple(LT_STEMS), (
            ('UAB "', '"'), ("UAB „", "“"), ("AB ", "")),
            Choice(("lt", ""), (0.9, 0.1)), _digits("30", 1_000_000, 9_999_999))),
        (0.03, Companies("es", False, tuple(es_stems), (("", " S.A."), ("", " S.A. de C.V.")),
            Choice(("pa", "es", "ar", "cl", "mx", ""), (0.3, 0.2, 0.1, 0.1, 0.2, 0.1)),
            _digits("", 10_000_000, 99_999_999))),
    ]  # fmt: skip
    weights = np.array([w for w, _ in kinds])
    return [c for _, c in kinds], weights / weights.sum()


PEOPLE, PEOPLE_WEIGHTS = _people()
COMPANIES, COMPANY_WEIGHTS = _companies()
FIRST_BIRTH = np.datetime64("1940-01-01")
LAST_BIRTH = np.datetime64("2005-12-31")
REGISTRATION_SHARE = 0.35

# --- the register: targets to plant, names never to write otherwise ---------------------------


@dataclass(frozen=True)
class Target:
    """A listed target: its names (every name property), birth date and country."""

    entity_id: str
    schema: str
    names: tuple[str, ...]
    primary: tuple[str, ...]  # its names and aliases: the ones respelled
    birth_date: str
    country: str


@dataclass(frozen=True)
class Register:
    targets: tuple[Target, ...]
    names: frozenset[str]  # every listed name, in small letters
    words: frozenset[str]  # the casefolded words of listed organisations' names


DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
WORDS = re.compile(r"[\w-]+")


def read_register(store: Store) -> Register:
    """The Persons, Organizations and Companies on a list (a Sanction points at them)."""
    t = statement_table
    wanted = (t.c.schema.in_(TARGET_SCHEMATA) & t.c.prop.in_(TARGET_PROPS)) | (
        (t.c.schema == "Sanction") & (t.c.prop == "entity")
    )
    sanctioned: set[str] = set()
    schemata: dict[str, str] = {}
    props: dict[str, dict[str, set[str]]] = {}
    columns = ("entity_id", "schema", "prop", "value")
    for entity_id, schema, prop, value, *_ in store.scan_values(columns, wanted):
        if schema == "Sanction":
            sanctioned.add(value)
            continue
        schemata[entity_id] = schema
        props.setdefault(entity_id, {}).setdefault(prop, set()).add(value)
    targets = []
    names: set[str] = set()
    words: set[str] = set()
    for entity_id in sorted(sanctioned & props.keys()):
        found = props[entity_id]
        every = sorted({v for prop in NAME_PROPS for v in found.get(prop, ())})
        if not every:
            continue
        names.update(name.lower() for name in every)
        if schemata[entity_id] != "Person":
            words.update(w for name in every for w in WORDS.findall(name.casefold()))
        dates = sorted(v for v in found.get("birthDate", ()) if DATE.match(v))
        countries = sorted(v for prop in COUNTRY_PROPS for v in found.get(prop, ())
                           if re.fullmatch(r"[a-z]{2}", v))  # fmt: skip
        primary = tuple(sorted(found.get("name", set()) | found.get("alias", set())))
        born, country = dates[0] if dates else "", countries[0] if countries else ""
        targets.append(Target(entity_id, schemata[entity_id], tuple(every), primary, born,
                              country))  # fmt: skip
    return Register(tuple(targets), frozenset(names), frozenset(words))


# --- respelling a listed name ----------------------------------------------------------------

SCHEMES_OUT: dict[Scheme, float] = {"by_national": 35, "icao": 20, "bgn_pcgn": 15, "lacinka": 8,
                                    "german": 7, "polish": 7, "french": 4, "iso9": 4}  # fmt: skip
SLAVIC_COUNTRIES = {"by", "ru", "ua", "suhh"}
VOWELS = "aeiouy"
LATIN_WORD = re.compile(r"[A-Za-z']+")
FLAVOURS = ("ru", "be", "uk")
# Latin to Cyrillic, longest first; a tuple is the (Russian, Belarusian, Ukrainian) letter.
TO_CYRILLIC: dict[str, str | tuple[str, str, str]] = {
    "shch": "щ", "zh": "ж", "kh": "х", "ts": "ц", "ch": "ч", "sh": "ш", "yu": "ю", "ya": "я",
    "yo": "ё", "ye": ("е", "е", "є"), "yi": ("ый", "ый", "ї"), "iu": "ю", "ia": "я", "io": "ё",
    "a": "а", "b": "б", "c": "ц", "d": "д", "e": "е", "f": "ф", "g": "г", "h": ("х", "г", "г"),
    "i": ("и", "і", "і"), "j": "й", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п",
    "q": "к", "r": "р", "s": "с", "t": "т", "u": "у", "v": "в", "w": "в", "x": "кс", "z": "з",
    "'": "ь",
}  # fmt: skip
WORD_ENDS = {"ei": "ей", "ey": "ей", "ai": "ай", "ay": "ай", "oi": "ой", "oy": "ой",
             "iy": "ий", "ii": "ий", "yi": "ий", "yy": "ый"}  # fmt: skip
# Ukrainian Latin (Dmytro Volodymyrovych, Serhiy, Oleksandrivna) writes и as y.
UKRAINIAN_LATIN = re.compile(r"ovych|yvna|ivna|iy\b|yy\b|\b(?:mykola|dmytro|oleksandr)", re.I)


def _match_case(source: str, spelt: str, capitals: bool) -> str:
    if source[:1].isupper():
        return spelt.upper() if capitals else spelt[:1].upper() + spelt[1:]
    return spelt


def _cyrillic_unit(rest: str, prev: str, flavour: int) -> tuple[int, str]:
    """How many Latin letters at the start of ``rest`` make one Cyrillic unit, and which."""
    if len(rest) == 2 and rest in WORD_ENDS:
        return 2, WORD_ENDS[rest] if flavour != 2 else WORD_ENDS[rest].replace("ий", "ій")
    char, vowel_before = rest[0], not prev or prev in VOWELS
    next_vowel = len(rest) > 1 and rest[1] in VOWELS
    if char == "u" and flavour == 1 and prev in "aeio" and prev and not next_vowel:
        return 1, "ў"
    if char == "y" and not (len(rest) > 1 and rest[:2] in TO_CYRILLIC):
        return 1, "й" if vowel_before else ("и" if flavour == 2 else "ы")
    for size in (4, 2, 1):
        rule = TO_CYRILLIC.get(rest[:size])
        if rule is not None:
            return size, rule if isinstance(rule, str) else rule[flavour]
    return 1, char


def _cyrillic_word(word: str, flavour: int) -> str:
    low, capitals = word.lower(), len(word) > 1 and word.isupper()
    out, index = [], 0
    while index < len(low):
        size, spelt = _cyrillic_unit(low[index:], low[index - 1] if index else "", flavour)
        out.append(_match_case(word[index : index + size], spelt, capitals))
        index += size
    return "".join(out)


def to_cyrillic(text: str, flavour: str) -> str:
    """A simple Latin-to-Cyrillic reading of a name, in Russian (``ru``), Belarusian
    (``be``) or Ukrainian (``uk``) letters."""
    index = FLAVOURS.index(flavour)
    return LATIN_WORD.sub(lambda m: _cyrillic_word(m.group(), index), text)


# Latin endings of Russian names and their Belarusian forms (Zhukov/Zhukau), as regexes.
BELARUSIAN_FORMS = (
    (r"enko\b", "enka"),
    (r"(?<=[^aeiouy])ov\b", "au"),
    (r"(?<=[^aeiouy])ev\b", "eu"),
    (r"ovsk(?:iy|y|ii|i)\b", "ouski"),
    (r"ovich\b", "avich"),
    (r"ovna\b", "auna"),
)
RUSSIAN_FORMS = (
    (r"enka\b", "enko"),
    (r"(?<=[^aeiouy])au\b", "ov"),
    (r"(?<=[^aeiouy])eu\b", "ev"),
    (r"ousk(?:i|y)\b", "ovsky"),
    (r"avich\b", "ovich"),
    (r"auna\b", "ovna"),
)


def _forms(text: str, rules: tuple[tuple[str, str], ...]) -> str:
    """``rules`` applied to the words of five letters or more (not to legal forms: TOV)."""

    def word(match: re.Match[str]) -> str:
        found = match.group()
        if len(found) < 5:
            return found
        for pattern, replacement in rules:
            spelt = replacement.upper() if found.isupper() else replacement
            found = re.sub(pattern, spelt, found, flags=re.IGNORECASE)
        return found

    return LATIN_WORD.sub(word, text)


MARKS = (("shch", "šč"), ("kh", "\0"), ("ch", "č"), ("sh", "š"), ("zh", "ž"), ("ts", "c"),
         ("\0", "ch"))  # fmt: skip
HARD_L = re.compile(r"l(?=[aouy]|[^aeiouy]|$)")


def _add_marks_word(word: str) -> str:
    low = word.lower()
    for old, new in MARKS:
        low = low.replace(old, new)
    low = HARD_L.sub("ł", low)
    if word.isupper() and len(word) > 1:
        return low.upper()
    return low[:1].upper() + low[1:] if word[:1].isupper() else low


def add_marks(text: str) -> str:
    """Łacinka-like letters in a Latin Slavic name: Lukashenka -> Łukašenka."""
    return LATIN_WORD.sub(lambda m: _add_marks_word(m.group()), text)


SPELLED_OUT = str.maketrans({"š": "sh", "Š": "SH", "ž": "zh", "Ž": "ZH", "č": "ch", "Č": "CH",
                             "ż": "zh", "Ż": "ZH", "ć": "ts", "Ć": "TS"})  # fmt: skip


def _has_marks(text: str) -> bool:
    return any(unicodedata.decomposition(c) or c in "łŁßø" for c in text if c.isalpha())


def _letters_ok(name: str) -> bool:
    """Latin and Cyrillic letters only, and something to key on."""
    letters = [c for c in name if c.isalpha()]
    return bool(letters) and all(c < "\u0250" or "\u0400" <= c <= "\u052f" for c in letters)


def _same_keys(a: str, b: str) -> bool:
    return sorted(name_keys(a)) == sorted(name_keys(b))


# Legal forms written before or after the name (OOO "X", "X" OOO); Ltd, GmbH, S.A. only after.
FORMS_FIRST = frozenset(
    name_keys("LLC JSC PJSC OJSC CJSC OOO ZAO OAO PAO TOV AAT TAA UAB ООО ЗАО ОАО ПАО ТОВ ТАА ААТ")
)


def _reorder(text: str, organisation: bool, rng: random.Random) -> str:
    """The words of a name in another order: a person's surname (the words in capitals, when
    the others are not) or first or last word moved to the other end; an organisation's
    legal form moved to the other end where forms stand on either side."""
    words = text.split()
    if len(words) < 2:
        return text
    if organisation:
        if set(name_keys(words[0])) & LEGAL_FORMS and len(words[0].strip(".")) <= 5:
            return " ".join(words[1:] + words[:1])
        if set(name_keys(words[-1])) & FORMS_FIRST and "." not in words[-1]:
            return " ".join(words[-1:] + words[:-1])
        return text
    capitals = [w.isupper() and len(w) > 1 for w in words]
    if any(capitals) and not all(capitals):
        run = [w for w, upper in zip(words, capitals, strict=True) if upper]
        rest = [w for w, upper in zip(words, capitals, strict=True) if not upper]
        return " ".join(rest + run if capitals[0] else run + rest)
    return " ".join(words[1:] + words[:1] if rng.random() < 0.5 else words[-1:] + words[:-1])


def respell(
    source: str, slavic: bool, organisation: bool, rng: random.Random
) -> tuple[str, list[str]]:
    """Another spelling of a name, and the steps that made it (see the module docstring)."""
    steps: list[str] = []
    text = source
    if has_cyrillic(text):
        scheme = rng.choices(list(SCHEMES_OUT), weights=list(SCHEMES_OUT.values()))[0]
        text = transliterate(text, scheme, detect_cyrillic_language(text) or "ru")
        steps.append(f"latin:{scheme}")
    elif rng.random() < (0.35 if slavic else 0.08):
        if UKRAINIAN_LATIN.search(text):
            flavour = "uk"
        else:
            flavour = "be" if slavic and rng.random() < 0.5 else "ru"
        text = to_cyrillic(text, flavour)
        steps.append(f"cyrillic:{flavour}")
    elif _has_marks(text):
        plain = _plain(text)
        text = plain if _same_keys(plain, text) else _plain(text.translate(SPELLED_OUT))
        steps.append("marks:drop")
    elif slavic and rng.random() < 0.3:
        text = add_marks(text)
        steps.append("marks:add")
    if not has_cyrillic(text) and slavic and rng.random() < 0.4:
        for label, rules in (("form:be", BELARUSIAN_FORMS), ("form:ru", RUSSIAN_FORMS)):
            changed = _forms(text, rules)
            if changed != text:
                text = changed
                steps.append(label)
                break
    if "-" in text and rng.random() < 0.5:
        text = re.sub(r"\s*-\s*", " ", text)
        steps.append("hyphen")
    if rng.random() < 0.5 or not steps:
        changed = _reorder(text, organisation, rng)
        if changed != text:
            text = changed
            steps.append("order")
    if rng.random() < 0.5 or not steps:
        case = rng.choice(("upper", "lower", "title"))
        changed = {"upper": text.upper(), "lower": text.lower(), "title": _title(text)}[case]
        if changed != text:
            text = changed
            steps.append(f"case:{case}")
    return text, steps


CYRILLIC_VOWELS = "аеиоуыэюяі"


def typo(name: str, rng: random.Random) -> tuple[str, str]:
    """One small slip in one word of four or more letters: a letter dropped, doubled,
    swapped with the next or a vowel replaced."""
    words = [m for m in re.finditer(r"\w{4,}", name)]
    if not words:
        return name, ""
    word = rng.choice(words)
    at = rng.randrange(word.start() + 1, word.end() - 1)
    kind = rng.choice(("drop", "double", "swap", "vowel"))
    if kind == "swap" and name[at] != name[at + 1]:
        return name[:at] + name[at + 1] + name[at] + name[at + 2 :], "typo:swap"
    if kind == "double":
        return name[:at] + name[at] + name[at:], "typo:double"
    vowels = CYRILLIC_VOWELS if has_cyrillic(name[at]) else "aeiou"
    if kind == "vowel" and name[at].lower() in vowels:
        other = rng.choice([v for v in vowels if v != name[at].lower()])
        return name[:at] + (other.upper() if name[at].isupper() else other) + name[at + 1 :], (
            "typo:vowel"
        )
    return name[:at] + name[at + 1 :], "typo:drop"


def plant(target: Target, rng: random.Random) -> tuple[str, str] | None:
    """A customer name for a listed target (and how it was made), or None when no respelling
    of its names keeps their keys."""
    sources = [n for n in target.primary if _letters_ok(n) and len(n) <= 120]
    if target.schema == "Person":
        sources = [n for n in sources if len(n.split()) > 1] or sources
    if not sources:
        return None
    slavic = target.country in SLAVIC_COUNTRIES or any(map(has_cyrillic, target.names))
    listed = set(target.names)
    for _ in range(8):
        source = rng.choice(sources)
        if not name_keys(source):
            continue
        name, steps = respell(source, slavic, target.schema != "Person", rng)
        if name in listed or not _same_keys(name, source):
            continue
        if rng.random() < TYPO_SHARE:
            slipped, step = typo(name, rng)
            if step and slipped not in listed:
                name = slipped
                steps.append(step)
        return name, "+".join(steps)
    return None


# --- the file --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Truth:
    customer_id: str
    entity_id: str
    how: str


def _rows(rng: np.random.Generator, size: int, stems: Sequence[Array]) -> dict[str, Array]:
    """``size`` customers who are not planted: columns name, birth_date, country, kind and
    registration_number; ``stems`` are the company name stems to use, per kind."""
    person = rng.random(size) < PERSON_SHARE
    names = np.empty(size, dtype=object)
    country = np.empty(size, dtype=object)
    number = np.full(size, "", dtype=object)
    people = np.flatnonzero(person)
    which = rng.choice(len(PEOPLE), size=len(people), p=PEOPLE_WEIGHTS)
    for index, pool in enumerate(PEOPLE):
        rows = people[which == index]
        if len(rows):
            names[rows] = pool.draw(rng, len(rows))
            country[rows] = pool.country.draw(rng, len(rows))
    firms = np.flatnonzero(~person)
    which = rng.choice(len(COMPANIES), size=len(firms), p=COMPANY_WEIGHTS)
    for index, kind in enumerate(COMPANIES):
        rows = firms[which == index]
        if not len(rows):
            continue
        names[rows] = kind.draw(rng, len(rows), stems[index])
        country[rows] = kind.country.draw(rng, len(rows))
        numbered = rows[rng.random(len(rows)) < REGISTRATION_SHARE]
        number[numbered] = kind.number(rng, len(numbered))
    days = (LAST_BIRTH - FIRST_BIRTH).astype(int) + 1
    born = np.datetime_as_string(FIRST_BIRTH + rng.integers(days, size=size)).astype(object)
    born[~person | (rng.random(size) < NO_BIRTH_DATE)] = ""
    kinds = np.where(person, "Person", "Company").astype(object)
    return {"name": names, "birth_date": born, "country": country, "kind": kinds,
            "registration_number": number}  # fmt: skip


def _unlisted(stems: tuple[str, ...], register: Register | None) -> Array:
    """The stems none of whose words is a word of a listed organisation's name."""
    if register is None:
        return _objects(stems)
    kept = [s for s in stems if not set(WORDS.findall(s.casefold())) & register.words]
    return _objects(kept or stems)


def _listed(names: Array, register: Register | None) -> Array:
    """Which of the names spell a listed name (but for case)."""
    if register is None or not len(names):
        return np.zeros(len(names), dtype=bool)
    lower = pc.utf8_lower(pa.array(names, pa.string()))
    found = pc.is_in(lower, value_set=pa.array(sorted(register.names), pa.string()))
    return found.to_numpy(zero_copy_only=False)


def generate(
    rows: int, register: Register | Store | None = None, planted: int = 0, seed: int = 1
) -> tuple[pa.Table, list[Truth]]:
    """``rows`` customers, ``planted`` of them listed targets of the register respelled; the
    table (columns ``COLUMNS``) and, for the planted rows, which target each is and how its
    name was made."""
    if isinstance(register, Store):
        register = read_register(register)
    if planted and register is None:
        raise ValueError("planting listed targets needs a register")
    if planted > rows:
        raise ValueError(f"cannot plant {planted:,} targets in {rows:,} rows")
    rng = np.random.default_rng(seed)
    stems = [_unlisted(kind.stems, register) for kind in COMPANIES]
    columns = _rows(rng, rows, stems)
    again = np.flatnonzero(_listed(columns["name"], register))
    for _ in range(20):  # a drawn row that spells a listed name is drawn again
        if not len(again):
            break
        fresh = _rows(rng, len(again), stems)
        for name, values in fresh.items():
            columns[name][again] = values
        again = again[_listed(fresh["name"], register)]
    truth_at: dict[int, tuple[str, str]] = {}
    if planted:
        assert register is not None
        chosen = _plant_all(register, planted, random.Random(seed))
        at = np.sort(rng.choice(rows, size=planted, replace=False))
        for position, (target, name, how) in zip(at.tolist(), chosen, strict=True):
            columns["name"][position] = name
            columns["kind"][position] = "Person" if target.schema == "Person" else "Company"
            columns["birth_date"][position] = target.birth_date
            columns["country"][position] = target.country
            columns["registration_number"][position] = ""
            truth_at[position] = (target.entity_id, how)
    numbers = pa.array(np.arange(1, rows + 1)).cast(pa.string())
    padded = pc.utf8_lpad(numbers, width=max(7, len(str(rows))), padding="0")
    ids = pc.binary_join_element_wise("C", padded, "")
    table = pa.table({"customer_id": ids,
                      **{c: pa.array(columns[c], pa.string()) for c in COLUMNS[1:]}})  # fmt: skip
    truth = [Truth(ids[p].as_py(), entity_id, how)
             for p, (entity_id, how) in sorted(truth_at.items())]  # fmt: skip
    return table, truth


def _plant_all(register: Register, count: int, rng: random.Random) -> list[tuple[Target, str, str]]:
    """``count`` distinct targets, in random order, each with its respelled name."""
    order = list(register.targets)
    rng.shuffle(order)
    chosen = []
    for target in order:
        made = plant(target, rng)
        if made is not None:
            chosen.append((target, *made))
            if len(chosen) == count:
                return chosen
    raise ValueError(f"the register has {len(chosen):,} targets to plant, not {count:,}")


def truth_path(output: Path) -> Path:
    return output.with_name(output.stem + ".truth.csv")


def write(table: pa.Table, truth: Sequence[Truth], output: Path) -> Path:
    """The table as Parquet, CSV or JSON lines (by suffix), and the truth file beside it."""
    if output.suffix == ".parquet":
        pq.write_table(table, output)
    elif output.suffix == ".csv":
        pa_csv.write_csv(table, output)
    elif output.suffix == ".jsonl":
        with output.open("w", encoding="utf-8") as handle:
            keys = table.column_names
            for values in zip(*(table.column(k).to_pylist() for k in keys), strict=True):
                handle.write(json.dumps(dict(zip(keys, values, strict=True)), ensure_ascii=False))
                handle.write("\n")
    else:
        raise ValueError(f"write .parquet, .csv or .jsonl, not {output.name!r}")
    path = truth_path(output)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(TRUTH_COLUMNS)
        writer.writerows((t.customer_id, t.entity_id, t.how) for t in truth)
    return path


CYRILLIC = r"[\x{0400}-\x{052F}]"


def summary(table: pa.Table, truth: Sequence[Truth], seconds: dict[str, float]) -> None:
    print(f"\n{'kind':<8} {'rows':>10} {'share':>6} {'Cyrillic':>9} {'no birth date':>14} "
          f"{'registration no.':>17}")  # fmt: skip
    for kind in ("Person", "Company"):
        part = table.filter(pc.equal(table["kind"], kind))
        rows = part.num_rows
        cyrillic = pc.sum(pc.match_substring_regex(part["name"], CYRILLIC)).as_py() or 0
        undated = pc.sum(pc.equal(part["birth_date"], "")).as_py() or 0
        numbered = pc.sum(pc.not_equal(part["registration_number"], "")).as_py() or 0
        share = rows / max(table.num_rows, 1)
        print(f"{kind:<8} {rows:>10,} {share:>6.1%} {cyrillic / max(rows, 1):>9.1%} "
              f"{undated / max(rows, 1):>14.1%} {numbered / max(rows, 1):>17.1%}")  # fmt: skip
    steps = Counter(step.split(":")[0] for t in truth for step in t.how.split("+"))
    typos = steps.get("typo", 0)
    print(
        f"\nplanted: {len(truth):,} listed targets, {typos:,} with a typo; steps: "
        + ", ".join(f"{step} {n:,}" for step, n in steps.most_common())
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total = sum(seconds.values())
    print("\n" + " ".join(f"{label:>10}" for label in [*seconds, "total s", "rows/s", "peak MiB"]))
    cells = [f"{s:.2f}" for s in seconds.values()]
    cells += [f"{total:.2f}", f"{table.num_rows / max(total, 1e-9):,.0f}", f"{peak:,.0f}"]
    print(" ".join(f"{cell:>10}" for cell in cells))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", help="the register (SQLAlchemy URL) to plant targets from")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--planted", type=int,
                        help="listed targets to plant (1,000 with --db, else none)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", required=True, type=Path,
                        help="the customer file: .parquet, .csv or .jsonl")  # fmt: skip
    args = parser.parse_args()
    if args.output.suffix not in FORMATS:
        parser.error(f"-o must end in {', '.join(FORMATS)}")
    if args.planted is None:
        args.planted = 1_000 if args.db else 0
    if args.planted and not args.db:
        parser.error("--planted needs --db, the register to take listed targets from")
    seconds: dict[str, float] = {}
    register = None
    if args.db:
        started = time.perf_counter()
        register = read_register(Store(args.db))
        seconds["register s"] = time.perf_counter() - started
    started = time.perf_counter()
    try:
        table, truth = generate(args.rows, register, args.planted, args.seed)
    except ValueError as error:
        parser.error(str(error))
    seconds["generate s"] = time.perf_counter() - started
    started = time.perf_counter()
    truth_file = write(table, truth, args.output)
    seconds["write s"] = time.perf_counter() - started
    size = args.output.stat().st_size / 2**20
    print(f"{table.num_rows:,} customers (seed {args.seed}) -> {args.output} ({size:,.1f} MiB); "
          f"truth -> {truth_file}")  # fmt: skip
    if register is not None:
        print(f"register {args.db}: {len(register.targets):,} listed targets")
    summary(table, truth, seconds)


if __name__ == "__main__":
    main()
