"""A boosted ensemble of regression trees read from data: the shape the fitting scripts export a
gradient-boosted classifier in, and its probability for one feature row, in plain Python (a few
hundred comparisons; no learning library at run time)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.text.model_files import logistic

LEAF = -1


@dataclass(frozen=True)
class RegressionTree:
    """Nodes in parallel arrays; a row goes left when its feature is at most the node's threshold."""

    feature: tuple[int, ...]  # LEAF at a leaf
    threshold: tuple[float, ...]
    left: tuple[int, ...]
    right: tuple[int, ...]
    value: tuple[float, ...]

    def output(self, row: Sequence[float]) -> float:
        node = 0
        while self.feature[node] != LEAF:
            node = self.left[node] if row[self.feature[node]] <= self.threshold[node] else self.right[node]
        return self.value[node]

    @classmethod
    def from_data(cls, raw: dict[str, list[Any]]) -> RegressionTree:
        return cls(feature=tuple(int(f) for f in raw["feature"]), threshold=tuple(float(t) for t in raw["threshold"]),
                   left=tuple(int(n) for n in raw["left"]), right=tuple(int(n) for n in raw["right"]),
                   value=tuple(float(v) for v in raw["value"]))


@dataclass(frozen=True)
class BoostedTrees:
    """log-odds = initial + learning_rate × Σ tree outputs."""

    trees: tuple[RegressionTree, ...]
    learning_rate: float
    initial: float

    def probability(self, row: Sequence[float]) -> float:
        return logistic(self.initial + self.learning_rate * sum(tree.output(row) for tree in self.trees))

    @classmethod
    def from_data(cls, raw: dict[str, Any]) -> BoostedTrees:
        return cls(trees=tuple(RegressionTree.from_data(tree) for tree in raw["trees"]),
                   learning_rate=float(raw["learning_rate"]), initial=float(raw["initial"]))
