"""Fit the supersession model on labelled pairs and write it as data for the offline analyzer.

    python -m training.train_supersession [--pairs training/data/supersession_pairs.jsonl] [--write]

Only the judgements the rules left without a target are used (the model's place at run time),
and only statements the write gate accepts (another statement is never written, whatever it
supersedes). Before fitting on everything, each case set is held out in turn: the model fitted on
the others decides that set's judgements, and the threshold is the one that does best over all the
held-out decisions (a wrongly superseded memory costs three times what a missed one does). The figures
printed are those held-out ones.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.utils.class_weight import compute_sample_weight

from pipeline.analyzers.offline import facts_only, statement_view
from pipeline.embedding import build_embedder
from pipeline.embedding.base import cosines
from pipeline.models import CorrectedStatement
from pipeline.text.boosted_trees import LEAF
from pipeline.text.supersession import FEATURE_NAMES, MODEL_FILE, CandidateView, StatementView, eligible, features
from pipeline.text.wellformed import memory_defect
from training.decisions import net_value

REPO = Path(__file__).resolve().parents[1]
WRONG_SUPERSESSION_COST = 3.0


def _calls(path: Path) -> list[list[dict[str, Any]]]:
    by_call: dict[tuple[str, str, int], list[dict[str, Any]]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        by_call[(row["set"], row["case"], row["call"])].append(row)
    return [
        rows for rows in by_call.values()
        if not any(row["rules_supersede"] for row in rows) and memory_defect(rows[0]["statement"]["text"]) is None
    ]


class _Similarities:
    def __init__(self) -> None:
        self._embedder = build_embedder()
        self.identity = self._embedder.identity
        self._vectors: dict[str, Any] = {}

    def __call__(self, text: str, others: list[str]) -> list[float]:
        missing = [t for t in {text, *others} if t not in self._vectors]
        if missing:
            self._vectors.update(zip(missing, self._embedder.embed(missing), strict=True))
        return [s or 0.0 for s in cosines(self._vectors[text], [self._vectors[o] for o in others])]


def _views(rows: list[dict[str, Any]], similar: _Similarities) -> tuple[StatementView, list[CandidateView]]:
    statement = CorrectedStatement.model_validate(rows[0]["statement"])
    view = statement_view(statement, rows[0]["feedback"], rows[0]["answer"])
    memories = [row["memory"] for row in rows]
    own = similar(view.text, memories)
    of_feedback = similar(facts_only(view.feedback) or view.text, memories)
    of_answer = similar(view.answer, memories) if view.answer else [None] * len(rows)
    candidates = [
        CandidateView(memory=row["memory"], similarity=row["similarity"] if row["similarity"] is not None else own[i],
                      feedback_similarity=of_feedback[i], answer_similarity=of_answer[i])
        for i, row in enumerate(rows)
    ]
    return view, candidates


def _stack(calls: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
    """The rows the model learns from: another statement's target, or a memory the model may not
    weigh, teaches nothing."""
    x = np.vstack([call["x"][call["eligible"] & ~call["neutral"]] for call in calls])
    return x, np.concatenate([call["y"][call["eligible"] & ~call["neutral"]] for call in calls])


def _fit(x: np.ndarray, y: np.ndarray) -> GradientBoostingClassifier:
    # Depth-3 trees: the evidence interacts (a shared value kind counts when the subject is the
    # same; a change cue when the changed attribute is stated), which one weight per feature missed.
    return GradientBoostingClassifier(n_estimators=150, max_depth=3, learning_rate=0.1, subsample=0.8,
                                      random_state=0).fit(x, y, sample_weight=compute_sample_weight("balanced", y))


def _decisions(calls: list[dict[str, Any]], model: GradientBoostingClassifier) -> list[tuple[float, bool]]:
    """Per judgement: the best candidate the model may weigh, its probability and whether it is a
    true target. Judgements whose best candidate is another statement's target are left out: the
    lookup gives a memory to one statement only."""
    out = []
    for call in calls:
        p = np.where(call["eligible"], model.predict_proba(call["x"])[:, 1], -1.0)
        best = int(np.argmax(p))
        if not call["neutral"][best]:
            out.append((float(p[best]), bool(call["y"][best])))
    return out


def _exported(model: GradientBoostingClassifier, x: np.ndarray) -> dict[str, Any]:
    """The ensemble as data (pipeline/text/boosted_trees.BoostedTrees), checked against sklearn's
    own log-odds on the training rows."""
    trees = []
    for [estimator] in model.estimators_:
        tree = estimator.tree_
        leaf = tree.children_left == -1
        trees.append({"feature": np.where(leaf, LEAF, tree.feature).tolist(),
                      "threshold": np.where(leaf, 0.0, tree.threshold).tolist(),
                      "left": tree.children_left.tolist(), "right": tree.children_right.tolist(),
                      "value": tree.value[:, 0, 0].tolist()})
    summed = sum(model.learning_rate * estimator.predict(x) for [estimator] in model.estimators_)
    initial = model.decision_function(x) - summed
    assert np.allclose(initial, initial[0]), "the ensemble's starting log-odds differ between rows"
    return {"trees": trees, "learning_rate": model.learning_rate, "initial": float(initial[0])}


def _value(decisions: list[tuple[float, bool]], threshold: float) -> tuple[float, int, int]:
    return net_value(decisions, threshold, WRONG_SUPERSESSION_COST)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=REPO / "training" / "data" / "supersession_pairs.jsonl")
    parser.add_argument("--write", action="store_true", help=f"write pipeline/text/data/{MODEL_FILE}")
    args = parser.parse_args()

    similar = _Similarities()
    calls = []
    for rows in _calls(args.pairs):
        view, candidates = _views(rows, similar)
        calls.append({"set": rows[0]["set"], "x": np.array(features(view, candidates)),
                      "y": np.array([bool(row["label"]) for row in rows]),
                      "neutral": np.array([row["label"] is None for row in rows]),
                      "eligible": np.array([eligible(view, row["memory"]) for row in rows])})
    calls = [call for call in calls if call["eligible"].any()]
    targets = sum(bool(call["y"].any()) for call in calls)
    print(f"{len(calls)} judgements without a rule's target, {targets} of them with a memory to supersede")

    held_out: list[tuple[float, bool]] = []
    for name in sorted({call["set"] for call in calls}):
        train = [call for call in calls if call["set"] != name]
        model = _fit(*_stack(train))
        held_out += _decisions([call for call in calls if call["set"] == name], model)
    grid = [round(t, 2) for t in np.arange(0.5, 0.99, 0.01)]
    threshold = max(grid, key=lambda t: (_value(held_out, t)[0], t))
    value, right, wrong = _value(held_out, threshold)
    print(f"held out, threshold {threshold}: {right} memories rightly superseded, {wrong} wrongly "
          f"(of {targets} to find); value {value:.0f}")
    for t in (0.6, 0.7, 0.8, 0.9):
        print(f"  at {t}: right/wrong {_value(held_out, t)[1:]}")

    x, y = _stack(calls)
    model = _fit(x, y)
    for name, importance in sorted(zip(FEATURE_NAMES, model.feature_importances_, strict=True), key=lambda p: -p[1]):
        print(f"  {importance:.3f} {name}")
    if args.write:
        target = REPO / "pipeline" / "text" / "data" / MODEL_FILE
        target.write_text(json.dumps({
            "embedder": similar.identity.model_dump(),
            "names": list(FEATURE_NAMES),
            "threshold": threshold,
            "fitted_on": f"{len(calls)} judgements from {args.pairs.name}",
            "trees": _exported(model, x),
        }) + "\n", encoding="utf-8")
        print(f"wrote {target}")


if __name__ == "__main__":
    main()
