"""Names on the pages carry their language, so a screen reader speaks them in it."""

from __future__ import annotations

import pytest

from belwatch.web.pages import name_lang


@pytest.mark.parametrize(
    ("name", "datasets", "lang"),
    [
        ("ЛУКАШЭНКА Аляксандр Рыгоравіч", (), "be"),
        ("Лукашенко Олександр Григорович", ("ua_nsdc_sanctions",), "uk"),
        ("Лукашев Ігор Михайлович", ("ua_nsdc_sanctions",), "uk"),
        ("Шэйман Віктар", ("eu_journal_sanctions",), "be"),
        ("Лукашенко Александр Григорьевич", (), "ru"),
        ("Aliaksandr LUKASHENKA", (), ""),
    ],
)
def test_name_language(name: str, datasets: tuple[str, ...], lang: str) -> None:
    assert name_lang(name, datasets) == lang
