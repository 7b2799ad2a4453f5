"""Published figures: each with its source and the sentence that gives the number; a figure
whose sentence does not give it is refused, and so is the whole file."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from belwatch.api import create_app
from belwatch.cli import cli
from belwatch.exc import ConfigError, SourceError
from belwatch.register import figures
from belwatch.register.records import Actor, Repression
from belwatch.settings import Settings
from belwatch.store import Store

HEADER = "indicator,date,value,qualifier,publisher,title,url,quote\n"
GOOD = ('held,2022-12-31,1446,exact,Viasna,Political prisoners in 2022,'
        'https://spring96.org/en/news/110374,"By the end of 2022, there were 1,446 political '
        'prisoners in Belarus"\n')  # fmt: skip


def test_the_shipped_figures_each_give_their_number() -> None:
    found = figures.read(figures.SEED)
    assert len(found) >= 20
    assert {f.indicator for f in found} >= {"held", "convicted", "liquidated", "recognised"}
    for figure in found:
        assert figure.url.startswith("https://") and figure.value in figures._numbers(figure.quote)
    held = {f.date: f.value for f in found if f.indicator == "held" and f.publisher == "Viasna"}
    assert held["2022-12-31"] == 1446 and held["2024-12-31"] == 1265


@pytest.mark.parametrize(
    ("quote", "number"),
    [("1,446 political prisoners", 1446), ("at least 1 173 forms", 1173),
     ("no less than 1.696 forms", 1696), ("налічвае 6565 пазіцыяў", 6565),
     ("over 3750 individuals", 3750)],
)  # fmt: skip
def test_numbers_as_publishers_write_them(quote: str, number: int) -> None:
    assert number in figures._numbers(quote)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (GOOD.replace(",1446,", ",1447,"), "line 3: the quote does not give the value 1,447"),
        (GOOD.replace("held,", "jailed,"), "line 3: indicator 'jailed'"),
        (GOOD.replace("2022-12-31", "31.12.2022"), "line 3: date '31.12.2022'"),
        (GOOD.replace("https://spring96.org", "spring96.org"), "line 3: url"),
        (GOOD.replace(",Viasna,", ",,"), "line 3: publisher is empty"),
        (GOOD.replace(",1446,", ",many,"), "line 3: value 'many'"),
    ],
)
def test_a_bad_line_refuses_the_file(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "figures.csv"
    path.write_text(HEADER + GOOD + line, encoding="utf-8")
    with pytest.raises(SourceError, match=re.escape(f"{path}: {message}")):
        figures.read(path)


def test_files_that_are_not_figures(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("indicator,date,value\nheld,2022-12,1\n", encoding="utf-8")
    with pytest.raises(SourceError, match="line 1: missing columns qualifier, publisher"):
        figures.read(path)
    path.write_bytes((HEADER + GOOD).encode("utf-16"))
    with pytest.raises(SourceError, match="not UTF-8"):
        figures.read(path)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(f"sqlite:///{tmp_path / 'r.db'}") as found:
        yield found


def test_recorded_served_and_shown(store: Store, tmp_path: Path) -> None:
    runner = CliRunner()
    db = ["--db", store.url]
    denied = runner.invoke(cli, ["repression-figures", "--by", "me", "--role", "viewer", *db],
                           obj={}, env={})  # fmt: skip
    assert denied.exit_code == 1 and "may not write" in denied.output
    assert figures.figures(store) == []
    done = runner.invoke(cli, ["repression-figures", "--by", "A. Documenter", *db], obj={}, env={})
    assert done.exit_code == 0, done.output
    shipped = figures.read(figures.SEED)
    assert sorted(figures.figures(store), key=repr) == sorted(shipped, key=repr)
    # A newer file replaces a figure of the same indicator, date and publisher.
    path = tmp_path / "correction.csv"
    path.write_text(HEADER + GOOD.replace("1446", "1445").replace("1,446", "1,445"), "utf-8")
    again = runner.invoke(cli, ["repression-figures", str(path), "--by", "me", *db], obj={},
                          env={})  # fmt: skip
    assert again.exit_code == 0, again.output
    stored = [f for f in figures.figures(store) if f.indicator == "held" and f.date == "2022-12-31"]
    assert [f.value for f in stored] == [1445]
    with pytest.raises(ConfigError, match="may not write"):
        figures.save(Repression(store), Actor("v", "viewer"), shipped)

    with TestClient(create_app(Settings(db=store.url), store=store)) as client:
        served = client.get("/repression/figures").json()
        assert len(served) == len(shipped)
        viasna = next(f for f in served if f["date"] == "2024-12-31" and f["indicator"] == "held")
        assert viasna["url"] == "https://spring96.org/en/news/117321"
        assert "1,265 political prisoners" in viasna["quote"]
        page = client.get("/repression").text
        assert 'href="https://spring96.org/en/news/117321"' in page
        assert "Political prisoners" in page and "Closed (Lawtrend) (1,917)" in page
