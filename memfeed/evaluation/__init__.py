"""`memfeed eval`: scores the pipeline on feedback-correction cases."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from memfeed.evaluation.cases import FeedbackCase
from memfeed.evaluation.runner import CaseResult, EvalRunner
from pipeline.analyzers.factory import build_analyzer
from pipeline.analyzers.llm_config import LLMConfig
from pipeline.analyzers.trace import AnalyzerTrace
from pipeline.embedding import EmbedderConfig, build_embedder
from pipeline.memory_index import MemoryIndex
from pipeline.sparse import SparseEncoder
from pipeline.store.edge import EdgeMemoryStore


@contextmanager
def eval_runner(
    analyzer_name: str = "offline",
    context_turns: int = 10,
    llm: LLMConfig | None = None,
    embedding: EmbedderConfig | None = None,
) -> Iterator[EvalRunner]:
    """A runner on a fresh embedded store of its own, removed afterwards."""
    embedder = build_embedder(embedding)
    with tempfile.TemporaryDirectory(prefix="memfeed-eval-") as directory:
        store = EdgeMemoryStore(Path(directory) / "store", embedder.identity)
        try:
            index = MemoryIndex(store, embedder, SparseEncoder())
            analyzer = build_analyzer(analyzer_name, embedder, llm, trace=AnalyzerTrace())
            yield EvalRunner(index, analyzer, context_turns)
        finally:
            store.close()


def run_cases(
    cases: list[FeedbackCase],
    analyzer_name: str = "offline",
    context_turns: int = 10,
    llm: LLMConfig | None = None,
    embedding: EmbedderConfig | None = None,
) -> list[CaseResult]:
    with eval_runner(analyzer_name, context_turns, llm, embedding) as runner:
        return [runner.run(case) for case in cases]
