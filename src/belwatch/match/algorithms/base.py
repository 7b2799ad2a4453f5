"""What an algorithm is: weighted features, summed and clipped to [0, 1]."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from followthemoney import EntityProxy

from belwatch.match.features import Feature, name_match

FeatureFunction = Callable[[EntityProxy, EntityProxy], Feature]


@dataclass(frozen=True)
class WeightedFeature:
    name: str
    function: FeatureFunction
    weight: float
    description: str
    # The query properties the feature reads beyond names: without any, it cannot fire.
    needs: frozenset[str] = frozenset()


@dataclass
class MatchResult:
    score: float
    features: dict[str, float]  # feature name -> weighted contribution
    explanations: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Algorithm:
    name: str
    description: str
    features: tuple[WeightedFeature, ...]
    threshold: float = 0.7

    def compare(
        self,
        query: EntityProxy,
        candidate: EntityProxy,
        weights: dict[str, float] | None = None,
    ) -> MatchResult:
        total = 0.0
        contributions: dict[str, float] = {}
        explanations: list[str] = []
        given = set(query.properties)
        for feature in self.features:
            if feature.needs and not feature.needs & given:
                continue
            result = feature.function(query, candidate)
            if not result.value:
                continue
            weight = (weights or {}).get(feature.name, feature.weight)
            contribution = weight * result.value
            total += contribution
            contributions[feature.name] = round(contribution, 4)
            explanations.append(f"{feature.name} {contribution:+.2f}: {result.detail}")
        return MatchResult(round(min(max(total, 0.0), 1.0), 4), contributions, explanations)

    def bound(
        self, query: EntityProxy, name_bound: float, weights: dict[str, float] | None = None
    ) -> float:
        """The highest score a candidate could reach given the most its names could agree
        (``name_bound``): every other feature that could fire at its full weight."""
        given = set(query.properties)
        total = 0.0
        for feature in self.features:
            weight = (weights or {}).get(feature.name, feature.weight)
            if feature.function is name_match:
                total += weight * name_bound
            elif weight > 0 and (not feature.needs or feature.needs & given):
                total += weight
        return total

    def docs(self) -> dict[str, dict[str, object]]:
        """yente's FeatureDocs shape."""
        return {
            f.name: {"description": f.description, "coefficient": f.weight, "url": None}
            for f in self.features
        }
