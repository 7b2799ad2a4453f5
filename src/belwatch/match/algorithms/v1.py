"""belwatch-v1: names first, compared after transliteration and spelling folds, then the
other evidence the lists give moves the score up or down."""

from __future__ import annotations

from followthemoney import EntityProxy, model
from followthemoney.types import registry

from belwatch.match import features as f
from belwatch.match.algorithms.base import Algorithm, WeightedFeature


def _dob_match(q: EntityProxy, c: EntityProxy) -> f.Feature:
    return f.birth_date(q, c)[0]


def _dob_conflict(q: EntityProxy, c: EntityProxy) -> f.Feature:
    return f.birth_date(q, c)[1]


COUNTRIES = frozenset(
    p.name for schema in model.schemata.values() for p in schema.properties.values()
    if p.type == registry.country
)  # fmt: skip
IDS, DOB, GENDER = frozenset(f.ID_PROPS), frozenset({"birthDate"}), frozenset({"gender"})

BELWATCH_V1 = Algorithm(
    name="belwatch-v1",
    description=(
        "Names compared token by token on spelling-independent keys (Belarusian and Russian "
        "Cyrillic, their Latin romanisations, Łacinka and German/French/Polish habits), word "
        "order and a missing patronymic ignored, legal forms dropped; agreement on date of "
        "birth or an identifier raises the score, conflicting dates, countries or gender "
        "lower it."
    ),
    features=(
        WeightedFeature("name_match", f.name_match, 0.85,
                        "Share of the query's name tokens found in a candidate name"),
        WeightedFeature("identifier_match", f.identifier, 0.3,
                        "Same passport, registration or tax number", IDS),
        WeightedFeature("dob_match", _dob_match, 0.1, "Same date (or year) of birth", DOB),
        WeightedFeature("dob_conflict", _dob_conflict, -0.25, "Different dates of birth", DOB),
        WeightedFeature("country_conflict", f.country, -0.15, "No country in common", COUNTRIES),
        WeightedFeature("gender_conflict", f.gender, -0.25, "Different gender", GENDER),
    ),
)  # fmt: skip
