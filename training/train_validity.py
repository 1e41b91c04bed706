"""Fit the validity model on labelled feedback and write it as data for the offline analyzer.

    python -m training.train_validity [--write]

Labelled feedback: every case of the development case sets and of `training/data/cases/` (its
text and whether the case expects it valid), and `training/data/validity_messages.jsonl` (short
messages, valid or not). Each is embedded with the bundled embedder. The model is fitted on all of
them; its decision only counts where the rules judged the message valid by the weakest test (some
sentence has content words) and the message signals no correction or change, so the threshold
is chosen there, on held-out groups (each case set,
and the messages, held out in turn): turning a valid correction away costs what letting chat
through does four times over. The figures printed are the held-out ones.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from memfeed.evaluation.cases import load_cases
from pipeline.analyzers.offline import STATES_FACT_REASON, OfflineAnalyzer, facts_only
from pipeline.embedding import build_embedder
from pipeline.models import Message
from pipeline.text.validity_model import MODEL_FILE, weighs
from training.decisions import net_value
from training.measure_sets import NEVER_FITTED

REPO = Path(__file__).resolve().parents[1]
REFUSED_CORRECTION_COST = 4.0


@dataclass
class Example:
    group: str
    text: str  # what the model reads: the feedback in canonical form, without its commands
    valid: bool
    ruled_by_content_words: bool  # the rules' weakest 'valid' verdict, one the model weighs


def _examples() -> list[Example]:
    rules = OfflineAnalyzer()
    examples = []

    def add(group: str, text: str, valid: bool, context: list[Message]) -> None:
        verdict = rules.judge_validity(text, context)
        facts = facts_only(text) or text
        examples.append(Example(group, facts, valid,
                                verdict.valid and verdict.reason == STATES_FACT_REASON and weighs(facts)))

    case_files = [*sorted((REPO / "tests" / "eval").glob("*_cases.jsonl")),
                  *sorted((REPO / "training" / "data" / "cases").glob("*_cases.jsonl"))]
    for path in case_files:
        group = path.name.removesuffix("_cases.jsonl")
        if group in NEVER_FITTED:
            continue
        for case in load_cases(path):
            context = next((c.messages for c in case.setup.conversations
                            if c.conversation_id == case.feedback.conversation_id), [])
            add(group, case.feedback.feedback_content, case.expect.valid, context)
    messages = REPO / "training" / "data" / "validity_messages.jsonl"
    if messages.exists():
        for line in messages.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            add(f"messages-{row['lang']}", row["text"], row["valid"], [])
    return examples


def _fit(x: np.ndarray, invalid: np.ndarray, c: float) -> LogisticRegression:
    return LogisticRegression(C=c, max_iter=3000, class_weight="balanced").fit(x, invalid)


def _value(decisions: list[tuple[float, bool]], threshold: float) -> tuple[float, int, int]:
    """Among the rules' weakest 'valid' verdicts: value, chat caught, corrections turned away."""
    return net_value(decisions, threshold, REFUSED_CORRECTION_COST)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write pipeline/text/data/{MODEL_FILE}")
    args = parser.parse_args()

    examples = _examples()
    embedder = build_embedder()
    x = np.array(embedder.embed([e.text for e in examples]), dtype=float)
    invalid = np.array([not e.valid for e in examples])
    weak = np.array([e.ruled_by_content_words for e in examples])
    groups = np.array([e.group for e in examples])
    print(f"{len(examples)} messages ({invalid.sum()} invalid); the rules' weakest 'valid' verdict on {weak.sum()} "
          f"of them, {(weak & invalid).sum()} wrongly")

    best: tuple[float, float, float, int, int] | None = None
    for c in (0.3, 1.0, 3.0, 10.0):
        decisions: list[tuple[float, bool]] = []
        for group in sorted(set(groups)):
            held = groups == group
            model = _fit(x[~held], invalid[~held], c)
            p = model.predict_proba(x[held & weak])[:, 1]
            decisions += list(zip(p.tolist(), invalid[held & weak].tolist(), strict=True))
        for threshold in np.arange(0.5, 0.99, 0.01):
            value, caught, refused = _value(decisions, float(threshold))
            if best is None or value > best[0]:
                best = (value, c, round(float(threshold), 2), caught, refused)
    assert best is not None
    value, c, threshold, caught, refused = best
    print(f"held out: C={c}, threshold {threshold}: {caught} of {(weak & invalid).sum()} wrongly valid verdicts "
          f"turned invalid, {refused} valid corrections turned away; value {value:.0f}")

    model = _fit(x, invalid, c)
    if args.write:
        target = REPO / "pipeline" / "text" / "data" / MODEL_FILE
        target.write_text(json.dumps({
            "embedder": embedder.identity.model_dump(),
            "weights": [round(w, 6) for w in model.coef_[0].tolist()],
            "bias": float(model.intercept_[0]),
            "threshold": threshold,
            "fitted_on": f"{len(examples)} labelled messages, C={c}",
        }) + "\n", encoding="utf-8")
        print(f"wrote {target}")


if __name__ == "__main__":
    main()
