"""Matching algorithms: named, versioned, weighted lists of pure features. Change behaviour by
adding a version, never by editing one that has been released."""

from __future__ import annotations

from belwatch.exc import ConfigError
from belwatch.match.algorithms.base import Algorithm, MatchResult
from belwatch.match.algorithms.v1 import BELWATCH_V1

ALGORITHMS: dict[str, Algorithm] = {a.name: a for a in (BELWATCH_V1,)}
DEFAULT = BELWATCH_V1.name
BEST = BELWATCH_V1.name


def get_algorithm(name: str | None) -> Algorithm:
    if name is None or name in ("best", "default"):
        return ALGORITHMS[DEFAULT]
    try:
        return ALGORITHMS[name]
    except KeyError:
        raise ConfigError(f"unknown algorithm {name!r}; known: {', '.join(ALGORITHMS)}") from None


__all__ = ["ALGORITHMS", "BEST", "DEFAULT", "Algorithm", "MatchResult", "get_algorithm"]
