"""A boosted ensemble of regression trees read from data: the shape the fitting scripts export a
gradient-boosted classifier in, and its probability for one feature row, in plain Python (a few
hundred comparisons; no learning library at run time), or for many rows at once with numpy (every
tree walked for every row in one pass per depth)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

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
class _PackedTrees:
    """Every tree's nodes in one set of arrays, children as indices into them."""

    roots: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray


@dataclass(frozen=True)
class BoostedTrees:
    """log-odds = initial + learning_rate × Σ tree outputs."""

    trees: tuple[RegressionTree, ...]
    learning_rate: float
    initial: float

    def probability(self, row: Sequence[float]) -> float:
        return logistic(self.initial + self.learning_rate * sum(tree.output(row) for tree in self.trees))

    def probabilities(self, rows: Sequence[Sequence[float]]) -> list[float]:
        """`probability` of each row, the same values, all trees and rows walked together."""
        if not rows:
            return []
        packed = self._packed
        table = np.asarray(rows, dtype=np.float64)
        columns = np.arange(len(rows))[None, :]
        node = np.repeat(packed.roots[:, None], len(rows), axis=1)  # (trees, rows)
        while True:
            feature = packed.feature[node]
            leaf = feature == LEAF
            if leaf.all():
                break
            goes_left = table[columns, np.where(leaf, 0, feature)] <= packed.threshold[node]
            node = np.where(leaf, node, np.where(goes_left, packed.left[node], packed.right[node]))
        log_odds = self.initial + self.learning_rate * packed.value[node].sum(axis=0)
        return [logistic(float(x)) for x in log_odds]

    @cached_property
    def _packed(self) -> _PackedTrees:
        offsets = np.cumsum([0] + [len(tree.feature) for tree in self.trees[:-1]])

        def shifted(children: tuple[int, ...], offset: int) -> list[int]:
            return [child + offset if child != LEAF else LEAF for child in children]

        return _PackedTrees(
            roots=offsets.astype(np.int64),
            feature=np.concatenate([tree.feature for tree in self.trees]).astype(np.int64),
            threshold=np.concatenate([tree.threshold for tree in self.trees]).astype(np.float64),
            left=np.concatenate([shifted(tree.left, o) for tree, o in zip(self.trees, offsets)]).astype(np.int64),
            right=np.concatenate([shifted(tree.right, o) for tree, o in zip(self.trees, offsets)]).astype(np.int64),
            value=np.concatenate([tree.value for tree in self.trees]).astype(np.float64),
        )

    @classmethod
    def from_data(cls, raw: dict[str, Any]) -> BoostedTrees:
        return cls(trees=tuple(RegressionTree.from_data(tree) for tree in raw["trees"]),
                   learning_rate=float(raw["learning_rate"]), initial=float(raw["initial"]))
