"""The supersession model: the shipped weights load, and it chooses only where no rule did."""

from __future__ import annotations

import pytest

from pipeline.analyzers.offline import OfflineAnalyzer
from pipeline.embedding.base import EmbedderIdentity
from pipeline.models import MemoryRecord
from pipeline.text.boosted_trees import LEAF, BoostedTrees, RegressionTree
from pipeline.text.supersession import (
    FEATURE_NAMES,
    CandidateView,
    StatementView,
    SupersessionModel,
    features,
    supersession_model,
)


def _superseded(analyzer: OfflineAnalyzer, feedback: str, memories: list[str]) -> dict[str, str]:
    """What each statement of the feedback supersedes, judged as the lookup stage asks."""
    records = [MemoryRecord(id=str(i), project_id="p", user_id="u", memory_value=m) for i, m in enumerate(memories)]
    superseded: dict[str, str] = {}
    for statement in analyzer.classify(feedback, []).statements:
        for decision, memory in zip(analyzer.judge_conflicts(statement, records, None, feedback, []), memories, strict=True):
            if decision.supersede:
                superseded[memory] = decision.corrected_value or statement.text
    return superseded


@pytest.fixture(scope="module")
def with_embeddings() -> OfflineAnalyzer:
    from pipeline.embedding import build_embedder

    return OfflineAnalyzer(build_embedder())


def _statement(text: str, feedback: str = "", language: str = "en") -> StatementView:
    return StatementView(text=text, language=language, old_values=(), new_values=(), negated=False,  # type: ignore[arg-type]
                         corrective=False, feedback=feedback or text, answer="")


def test_the_shipped_model_is_fitted_on_these_features_with_the_bundled_embedder() -> None:
    from pipeline.embedding import build_embedder

    model = supersession_model(build_embedder().identity)
    assert model is not None, "pipeline/text/data/supersession_model.json is missing or fitted on other features"
    assert model.names == FEATURE_NAMES and model.trees.trees
    assert all(0 <= f < len(FEATURE_NAMES) for tree in model.trees.trees for f in tree.feature if f != LEAF)
    assert 0.5 <= model.threshold < 1.0
    # Another embedder's cosines have another scale: the model stands aside.
    assert supersession_model(EmbedderIdentity(model_id="some-other-model", dim=384)) is None


def test_one_feature_row_per_candidate_in_the_named_order() -> None:
    candidates = [CandidateView("The user drives to work.", 0.7, 0.6, None),
                  CandidateView("The user likes jazz.", 0.1, 0.1, None)]
    rows = features(_statement("The user cycles to work."), candidates)
    assert len(rows) == 2 and all(len(row) == len(FEATURE_NAMES) for row in rows)
    named = dict(zip(FEATURE_NAMES, rows[0], strict=True))
    assert named["most_similar"] == 1.0 and named["similarity_margin"] == pytest.approx(0.6)
    assert named["has_answer"] == 0.0


def test_choose_takes_the_most_probable_candidate_above_the_threshold_only() -> None:
    # A model that reads the similarity alone: the closer memory, and nothing when none is close.
    split = RegressionTree(feature=(FEATURE_NAMES.index("similarity"), LEAF, LEAF), threshold=(0.5, 0.0, 0.0),
                           left=(1, -1, -1), right=(2, -1, -1), value=(0.0, -5.0, 5.0))
    model = SupersessionModel(embedder=EmbedderIdentity(model_id="m", dim=2), names=FEATURE_NAMES,
                              trees=BoostedTrees(trees=(split,), learning_rate=1.0, initial=0.0), threshold=0.9)
    close = [CandidateView("The user likes jazz.", 0.2, 0.2, None), CandidateView("The user drives to work.", 0.8, 0.8, None)]
    assert model.choose(_statement("The user cycles to work."), close)[0] == 1  # type: ignore[index]
    far = [CandidateView("The user likes jazz.", 0.2, 0.2, None), CandidateView("The user has a cat.", 0.3, 0.3, None)]
    assert model.choose(_statement("The user cycles to work."), far) is None


def test_a_changed_habit_no_rule_knows_replaces_the_old_one(with_embeddings) -> None:
    memories = ["The user's daughter is looked after by her grandmother during the day.", "The user likes jazz."]
    superseded = _superseded(with_embeddings, "my daughter goes to kindergarten now", memories)
    assert list(superseded) == [memories[0]] and "kindergarten" in superseded[memories[0]]
    memories = ["用户的女儿白天由奶奶照顾。", "用户喜欢听爵士乐。"]
    superseded = _superseded(with_embeddings, "我女儿现在上幼儿园了", memories)
    assert list(superseded) == [memories[0]] and "幼儿园" in superseded[memories[0]]


def test_a_new_unrelated_fact_replaces_nothing(with_embeddings) -> None:
    memories = ["The user has a cat named Tom.", "The user works as a nurse."]
    assert _superseded(with_embeddings, "I also have a rabbit called Snow", memories) == {}


def test_without_an_embedder_only_the_rules_decide() -> None:
    memories = ["The user's daughter is looked after by her grandmother during the day.", "The user likes jazz."]
    assert _superseded(OfflineAnalyzer(), "my daughter goes to kindergarten now", memories) == {}
