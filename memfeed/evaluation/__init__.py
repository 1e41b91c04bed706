"""`memfeed eval`: scores the pipeline on feedback-correction cases."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from memfeed.evaluation.cases import FeedbackCase
from memfeed.evaluation.runner import CaseResult, EvalRunner
from pipeline.analyzers.factory import build_analyzer
from pipeline.embedding import MiniLMEmbedder
from pipeline.memory_index import MemoryIndex
from pipeline.sparse import SparseEncoder
from pipeline.store.edge import EdgeMemoryStore


@contextmanager
def eval_runner(analyzer_name: str = "offline", context_turns: int = 10) -> Iterator[EvalRunner]:
    """A runner on a fresh embedded store of its own, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="memfeed-eval-") as directory:
        store = EdgeMemoryStore(Path(directory) / "store")
        try:
            embedder = MiniLMEmbedder()
            index = MemoryIndex(store, embedder, SparseEncoder())
            yield EvalRunner(index, build_analyzer(analyzer_name, embedder), context_turns)
        finally:
            store.close()


def run_cases(cases: list[FeedbackCase], analyzer_name: str = "offline", context_turns: int = 10) -> list[CaseResult]:
    with eval_runner(analyzer_name, context_turns) as runner:
        return [runner.run(case) for case in cases]
