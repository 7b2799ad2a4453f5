"""Repression-register benchmark: importing case files and the officials' sanctions status.

    python bench/repression.py [--rows 50000] [--db data/belwatch.db]

Writes a synthetic case file (--rows rows with a fixed seed: people named in Russian or
Belarusian Cyrillic or in Latin letters, dates, articles of the criminal code, 150 courts,
2,000 judges and prosecutors), imports it into a copy-free fresh register (SQLite in a
temporary folder, or the --db register with its sanctions lists, whose tables it adds to),
imports it again unchanged, then works out the designation proposals: every official's
sanctions status in every jurisdiction through the matcher. Prints one table with the goals
(import under 60 s, the officials' status under 30 s).
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from belwatch.match.service import Matcher
from belwatch.register import importer
from belwatch.register.officials import proposals
from belwatch.register.records import Actor, Repression
from belwatch.store import Store

SURNAMES = [("Иванов", "Іваноў", "Ivanou"), ("Ковалёв", "Кавалёў", "Kavaliou"),
            ("Новик", "Навік", "Navik"), ("Морозов", "Марозаў", "Marozau"),
            ("Шевцов", "Шаўцоў", "Shautsou"), ("Козлов", "Казлоў", "Kazlou"),
            ("Бабич", "Бабіч", "Babich"), ("Карпенко", "Карпенка", "Karpenka"),
            ("Сидоренко", "Сідарэнка", "Sidarenka"), ("Жук", "Жук", "Zhuk"),
            ("Малиновский", "Маліноўскі", "Malinouski"), ("Гриневич", "Грыневіч", "Hrynevich"),
            ("Василевич", "Васілевіч", "Vasilevich"), ("Кузьмич", "Кузьміч", "Kuzmich"),
            ("Ермакович", "Ермаковіч", "Yermakovich"), ("Пашкевич", "Пашкевіч", "Pashkevich"),
            ("Рудько", "Рудзько", "Rudzko"), ("Лапицкий", "Лапіцкі", "Lapitski"),
            ("Климович", "Кліновіч", "Klimovich"), ("Савицкий", "Савіцкі", "Savitski"),
            ("Богданович", "Багдановіч", "Bahdanovich"), ("Дубовик", "Дубовік", "Dubovik"),
            ("Лукашевич", "Лукашэвіч", "Lukashevich"), ("Семенчук", "Сямянчук", "Siamianchuk"),
            ("Тарасевич", "Тарасевіч", "Tarasevich"),
            ("Юшкевич", "Юшкевіч", "Yushkevich")]  # fmt: skip
GIVEN = [("Александр", "Аляксандр", "Aliaksandr"), ("Виктор", "Віктар", "Viktar"),
         ("Наталья", "Наталля", "Natallia"), ("Сергей", "Сяргей", "Siarhei"),
         ("Дмитрий", "Дзмітрый", "Dzmitry"), ("Елена", "Алена", "Alena"),
         ("Николай", "Мікалай", "Mikalai"), ("Ирина", "Ірына", "Iryna"),
         ("Владимир", "Уладзімір", "Uladzimir"), ("Татьяна", "Таццяна", "Tatsiana"),
         ("Павел", "Павел", "Pavel"), ("Ольга", "Вольга", "Volha"),
         ("Андрей", "Андрэй", "Andrei"), ("Мария", "Марыя", "Maryia"),
         ("Игорь", "Ігар", "Ihar"), ("Анна", "Ганна", "Hanna")]  # fmt: skip
PATRONYMICS = [("Александрович", "Аляксандравіч", "Aliaksandravich"),
               ("Викторович", "Віктаравіч", "Viktaravich"),
               ("Сергеевич", "Сяргеевіч", "Siarheevich"),
               ("Николаевич", "Мікалаевіч", "Mikalaevich"),
               ("Владимирович", "Уладзіміравіч", "Uladzimiravich")]  # fmt: skip
CITIES = [
    "Минска",
    "Гомеля",
    "Бреста",
    "Гродно",
    "Витебска",
    "Могилёва",
    "Бобруйска",
    "Пинска",
    "Барановичей",
    "Борисова",
    "Орши",
    "Мозыря",
    "Солигорска",
    "Лиды",
    "Молодечно",
]
DISTRICTS = [
    "Центральный",
    "Советский",
    "Ленинский",
    "Октябрьский",
    "Партизанский",
    "Заводской",
    "Фрунзенский",
    "Московский",
    "Первомайский",
    "Железнодорожный",
]
ARTICLES = ["342 ч.1", "130 ч.3", "361-1", "361-4", "369", "368", "364", "293", "411", "342"]
HEADER = ["ФИО", "Дата рождения", "Пол", "Дата задержания", "Статьи УК", "Суд", "Судья",
          "Прокурор", "Приговор", "Режим", "Место отбывания", "Статус", "Дата освобождения",
          "Источники", "Видимость", "Согласие"]  # fmt: skip


def person(rng: random.Random) -> str:
    script = rng.choices((0, 1, 2), weights=(4, 3, 3))[0]
    surname, given, father = rng.choice(SURNAMES), rng.choice(GIVEN), rng.choice(PATRONYMICS)
    parts = (surname[script], given[script], father[script])
    return " ".join(parts) if script < 2 else f"{parts[1]} {parts[2]} {parts[0].upper()}"


def day(rng: random.Random, first: int, last: int) -> str:
    return f"{rng.randint(first, last)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def write_cases(path: Path, rows: int, seed: int) -> None:
    rng = random.Random(seed)
    courts = [f"{rng.choice(DISTRICTS)} районный суд г. {city}" for city in CITIES
              for _ in range(10)]  # fmt: skip
    officials = [person(rng) + f" {n}" if rng.random() < 0.02 else person(rng)
                 for n in range(2_000)]  # fmt: skip
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for n in range(rows):
            born = day(rng, 1950, 2004)
            detained = day(rng, 2020, 2025)
            released = "" if rng.random() < 0.4 else f"{int(detained[:4]) + 1}{detained[4:]}"
            writer.writerow([
                person(rng), born, rng.choice("мж"), detained,
                "; ".join(rng.sample(ARTICLES, rng.randint(1, 2))), rng.choice(courts),
                rng.choice(officials), rng.choice(officials), f"{rng.randint(1, 15)} лет",
                rng.choice(("общий", "усиленный", "строгий")), f"ИК-{rng.randint(1, 22)}",
                "бывший" if released else "действующий", released,
                f"https://example.org/case/{n}",
                rng.choices(("public", "internal", "restricted"), weights=(6, 3, 1))[0],
                rng.choice(("да", "нет", "")),
            ])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--db", help="A register with sanctions lists, for the officials' status")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="belwatch-bench-"))
    try:
        cases = folder / "cases.csv"
        started = time.perf_counter()
        write_cases(cases, args.rows, args.seed)
        print(f"wrote {args.rows:,} case rows in {time.perf_counter() - started:.1f} s")
        if args.db:
            source = Path(args.db.removeprefix("sqlite:///"))
            shutil.copy(source, folder / "r.db")
        store = Store(f"sqlite:///{folder / 'r.db'}")
        repository = Repression(store)
        actor = Actor("bench", "admin")
        rows: list[tuple[str, str, str, str]] = []

        started = time.perf_counter()
        found = importer.read(cases, actor.name)
        parsed = time.perf_counter() - started
        counts = repository.write(actor, found.changes)
        took = time.perf_counter() - started
        rate = args.rows / took
        rows.append(("import: read the file", f"{parsed:.1f} s", "", ""))
        rows.append((f"import {args.rows:,} case rows (read + store)", f"{took:.1f} s "
                     f"({rate:,.0f} rows/s)", "< 60 s", "✓" if took < 60 else "✗"))  # fmt: skip
        rows.append(("  records created", f"{counts['created']:,}", "", ""))
        started = time.perf_counter()
        again = repository.write(actor, importer.read(cases, actor.name).changes)
        rows.append(("the same file again (nothing changed)",
                     f"{time.perf_counter() - started:.1f} s, {again['unchanged']:,} unchanged",
                     "", ""))  # fmt: skip
        started = time.perf_counter()
        matcher = Matcher(store)
        built = time.perf_counter() - started
        started = time.perf_counter()
        found_proposals = proposals(repository, actor, matcher)
        took = time.perf_counter() - started
        listed = sum(1 for p in found_proposals if p.listed_by)
        rows.append(("matcher over the register's lists", f"{built:.1f} s", "", ""))
        rows.append((f"officials' sanctions status: {len(found_proposals):,} officials",
                     f"{took:.1f} s", "< 30 s", "✓" if took < 30 else "✗"))  # fmt: skip
        rows.append(("  found listed somewhere", f"{listed:,}", "", ""))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rows.append(("peak memory", f"{peak:,.0f} MiB", "", ""))
        store.close()
    finally:
        shutil.rmtree(folder)
    width = max(len(r[0]) for r in rows)
    print(f"\n{'measure':<{width}} | {'value':<34} | goal     | ok")
    for measure, value, goal, ok in rows:
        print(f"{measure:<{width}} | {value:<34} | {goal:<8} | {ok}")


if __name__ == "__main__":
    sys.exit(main())
