"""Analyzer: the offline analyzer's cost per feedback, with analyzer_bench's functions.

The baseline is one embedding of one feedback sentence, measured in the same process and run.
"""

from __future__ import annotations

import time
from typing import Any

from memfeed.evaluation import eval_runner
from memfeed.evaluation.cases import FeedbackCase, load_cases
from pipeline.analyzers.offline import OfflineAnalyzer
from pipeline.embedding import Embedder
from tests.bench.analyzer_bench import CASE_FILES, analyzer_cost
from tests.bench.suite_common import ratio, summarize


def one_embedding(embedder: Embedder, cases: list[FeedbackCase], rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        for case in cases:
            started = time.perf_counter()
            embedder.embed([case.feedback.feedback_content])
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def offline_analyzer(rounds: int) -> dict[str, Any]:
    cases = [case for path in CASE_FILES if path.exists() for case in load_cases(path)]
    rules_only = summarize(analyzer_cost(OfflineAnalyzer(None), cases, rounds))
    with eval_runner() as runner:
        with_embeddings = summarize(analyzer_cost(runner.analyzer, cases, rounds))  # type: ignore[arg-type]
        baseline = summarize(one_embedding(runner.index.embedder, cases, rounds))
    return {
        "cases": len(cases),
        "rules_only": rules_only,
        "with_embeddings": with_embeddings,
        "baseline_one_embedding": baseline,
        "rules_only_p50_over_one_embedding": ratio(rules_only["p50_ms"], baseline["p50_ms"]),
        "with_embeddings_p50_over_one_embedding": ratio(with_embeddings["p50_ms"], baseline["p50_ms"]),
    }
