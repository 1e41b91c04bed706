"""Boosted trees as data: a row's path through each tree and the ensemble's probability."""

from __future__ import annotations

import math

import pytest

from pipeline.text.boosted_trees import LEAF, BoostedTrees, RegressionTree


def _stump(feature: int, threshold: float, low: float, high: float) -> RegressionTree:
    return RegressionTree(feature=(feature, LEAF, LEAF), threshold=(threshold, 0.0, 0.0),
                          left=(1, -1, -1), right=(2, -1, -1), value=(0.0, low, high))


def test_a_row_goes_left_at_the_threshold_and_right_above_it() -> None:
    stump = _stump(0, 0.5, -1.0, 1.0)
    assert stump.output([0.5]) == -1.0
    assert stump.output([0.51]) == 1.0


def test_the_probability_is_the_logistic_of_the_scaled_sum_plus_the_start() -> None:
    ensemble = BoostedTrees(trees=(_stump(0, 0.5, -1.0, 1.0), _stump(1, 2.0, 0.5, 3.0)), learning_rate=0.5, initial=-0.25)
    z = -0.25 + 0.5 * (1.0 + 0.5)
    assert ensemble.probability([0.9, 1.0]) == pytest.approx(1 / (1 + math.exp(-z)))


def test_it_reads_the_shape_the_fitting_script_writes() -> None:
    raw = {"learning_rate": 0.1, "initial": 0.0, "trees": [
        {"feature": [1, LEAF, 0, LEAF, LEAF], "threshold": [3.0, 0.0, 0.2, 0.0, 0.0],
         "left": [1, -1, 3, -1, -1], "right": [2, -1, 4, -1, -1], "value": [0.0, -2.0, 0.0, 1.0, 4.0]},
    ]}
    ensemble = BoostedTrees.from_data(raw)
    [tree] = ensemble.trees
    assert tree.output([0.0, 1.0]) == -2.0
    assert tree.output([0.1, 5.0]) == 1.0
    assert tree.output([0.9, 5.0]) == 4.0


def test_many_rows_at_once_give_each_rows_own_probability() -> None:
    import random

    from pipeline.text.supersession import _shipped

    model = _shipped()
    assert model is not None
    rng = random.Random(7)
    rows = [[rng.choice([0.0, 1.0, rng.random(), rng.uniform(-1, 2)]) for _ in model.names] for _ in range(300)]
    assert model.trees.probabilities(rows) == [model.trees.probability(row) for row in rows]
    assert model.trees.probabilities([]) == []
