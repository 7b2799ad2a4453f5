"""belwatch-v1 on hand-made pairs: what raises a score, what lowers it, and why."""

from __future__ import annotations

from typing import Any

import pytest
from followthemoney import EntityProxy, model

from belwatch.exc import ConfigError
from belwatch.match.algorithms import get_algorithm

V1 = get_algorithm("belwatch-v1")


def entity(schema: str, **props: Any) -> EntityProxy:
    made = model.make_entity(schema)
    made.id = "x"
    for prop, values in props.items():
        made.add(prop, values)
    return made


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("Siarhei Zhukau", "Sergey Zhukov"),
        ("Ihar Sierhiyenka", "Igor Sergeenko"),
        ("Лукашэнка Аляксандр", "Aleksandr LUKASHENKO"),
        ("Łukaszenka Aleksander", "Alyaksandr Ryhorovich LUKASHENKA"),  # patronymic left out
        ("LUKASHENKA, Aliaksandr", "Aliaksandr Lukashenka"),  # surname first, comma
        ("Уладзімір Навумаў", "Vladimir Naumov"),
        ("Volha Karach", "Olga Korach"),
        ("Yauhen Shauchenka", "Yevgeniy Shevchenko"),
        ("Mikalai Lukashenka", "Nikolai Aleksandrovich LUKASHENKO"),
        ("Viktar SHEYMAN", "Viktar Uladzimiravich SHEIMAN (SHEYMAN)"),  # alternative spelling
        ("Юрый Леанідавіч СIВАКОЎ", "Юрый Леанідавіч СIВАКАЎ, СIВАКОЎ"),  # after a comma
        ("Sergei ARTIOMENKO", "Sergei Petrovich ARTEMENKO / ARTIOMENKO"),
        ("Евгений Алексеевич ВРУБЛЕВСКИЙ", "ЕвгенийАлексеевич ВРУБЛЕВСКИЙ"),  # run together
        ("Siarhei Mikalaevich KHAMENKA", "Sergei Nikolaevich KHOMENKO"),
        ("Yury Leanidavich SIVAKOV", "Yury SIVAKOV"),  # the query's patronymic, not listed
    ],
)
def test_spellings_of_one_person_match(query: str, listed: str) -> None:
    result = V1.compare(entity("Person", name=query), entity("Person", name=listed))
    assert result.score >= V1.threshold, result.explanations


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("Aliaksandr Lukashevich", "Aliaksandr Lukashenka"),
        ("Siarhei Zhuk", "Siarhei Zhukau"),
        ("Lukashenka", "Viktar Aliaksandravich LUKASHENKA"),  # surname alone is not enough
        ("Igor Sergeev", "Ihar Sierhiyenka"),
        ("Олексій Назаров", "Oleksii Mykolayovych AZAROV"),  # a one-letter typo, other name
        ("Mikhail", "Michail NEJMOVICH"),  # a -vich surname is not a patronymic to forgive
        ("Ivan Petrovich", "Ivan Petrovich SIDOROV"),  # given name and patronymic only
        ("Ivan Ivanovich SIDOROV", "Ivan Petrovich SIDOROV"),  # two patronymics: a conflict
    ],
)
def test_different_people_do_not_match(query: str, listed: str) -> None:
    result = V1.compare(entity("Person", name=query), entity("Person", name=listed))
    assert result.score < V1.threshold, result.explanations


def test_evidence_moves_the_score_and_is_explained() -> None:
    listed = entity("Person", name="Viktar SHEIMAN", birthDate="1958-05-26", nationality="by",
                    passportNumber="MP 1234567")  # fmt: skip
    plain = V1.compare(entity("Person", name="Viktor Sheiman"), listed)
    born = V1.compare(entity("Person", name="Viktor Sheiman", birthDate="1958"), listed)
    wrong = V1.compare(entity("Person", name="Viktor Sheiman", birthDate="1975-01-02"), listed)
    elsewhere = V1.compare(entity("Person", name="Viktor Sheiman", nationality="fr"), listed)
    passport = V1.compare(entity("Person", name="V. Sheiman", passportNumber="MP1234567"), listed)
    assert wrong.score < plain.score < born.score
    assert elsewhere.score < plain.score
    assert passport.features["identifier_match"] > 0
    assert any("born 1958" in line for line in born.explanations)
    assert any("1975-01-02 vs 1958-05-26" in line for line in wrong.explanations)
    assert any("passportNumber MP 1234567" in line for line in passport.explanations)


@pytest.mark.parametrize(
    ("query", "listed", "matches"),
    [
        ("IRGC", "Islamic Revolutionary Guard Corps (IRGC)", True),  # an acronym in brackets
        ("Kasko Trading (HK)", "ECOM International (HK) Co., Ltd.", False),  # a place is not
        ("Islamic Revolutionary Guard Corps", "Islamic Revolutionary Guard Corps (IRGC)", True),
        ("ОАО ‘БЕЛАЗ’", "Belarusski Avtomobilnyi Zavod (BelAZ) / OJSC ‘BELAZ’", True),
        ("Белнафтахiм", "Belneftekhim – Belarusian State Concern for Oil and Chemistry", True),
        # translated generic words meet, the distinctive one decides
        (
            "Дзяржаўнае вытворчае аб'яднанне ‘Беларуснафта’",
            "State Production Association ‘Belorusneft’",
            True,
        ),
        ("Minsk Automobile Plant", "Minsk Tractor Plant", False),
        ("Belarusian Potash Company", "Беларуськалий", False),
        ("Belarusian Oil Company", "CJSC Belarusian Oil Company", True),  # only generic words
        ("Gazprom Bank", "Gazprom", False),
        ("ООО ‘Синезис’", "SYNESIS LLC", True),  # English s between vowels is з
    ],
)
def test_bracketed_alternatives(query: str, listed: str, matches: bool) -> None:
    result = V1.compare(entity("Organization", name=query), entity("Organization", name=listed))
    assert (result.score >= V1.threshold) is matches, result.explanations


def test_legal_forms_do_not_carry_a_company_match() -> None:
    listed = entity("Company", name="Open Joint Stock Company Belaruskali")
    same = V1.compare(entity("Company", name="ААТ «Беларуськалій»"), listed)
    other = V1.compare(entity("Company", name="Open Joint Stock Company Grodno Azot"), listed)
    assert same.score >= V1.threshold, same.explanations
    assert other.score == 0.0, other.explanations


def test_weights_can_be_overridden_per_request() -> None:
    listed = entity("Person", name="Viktar SHEIMAN", birthDate="1958-05-26")
    query = entity("Person", name="Viktor Sheiman", birthDate="1958-05-26")
    assert V1.compare(query, listed, {"dob_match": 0.0}).score < V1.compare(query, listed).score


def test_unknown_algorithm_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="unknown algorithm 'logic-v9'; known: belwatch-v1"):
        get_algorithm("logic-v9")
