"""Which stored memories the conflict lookup hands the analyzer to judge."""

from __future__ import annotations

import time
import uuid

from pipeline import stages
from pipeline.analyzers.offline import OfflineAnalyzer
from pipeline.job import FeedbackJob
from pipeline.memory_index import RERANK_POOL, MemoryIndex
from pipeline.models import MemoryRecord

UNRELATED = [
    "The user's favourite colour is green.", "The user plays chess on Sundays.", "The user drives a blue Volvo.",
    "The user is allergic to cats.", "The user's daughter studies medicine.", "The user drinks green tea.",
    "The user's dentist is Dr. Patel.", "The user collects vinyl records.", "The user's gym opens at 6 am.",
    "The user keeps bees in the garden.",
]


class RecordingAnalyzer(OfflineAnalyzer):
    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.judged: list[list[str]] = []

    def judge_conflicts(self, statement, candidates, similarities=None, feedback="", context=()):  # noqa: ANN001, ANN201
        self.judged.append([candidate.memory_value for candidate in candidates])
        return super().judge_conflicts(statement, candidates, similarities, feedback, context)


def _store(index: MemoryIndex, values: list[str]) -> None:
    index.write([MemoryRecord(id=str(uuid.uuid4()), project_id="p1", user_id="u1", create_time=time.time(),
                              memory_value=value) for value in values])


def test_memories_far_from_the_statement_are_not_judged_beyond_the_closest_few(index: MemoryIndex) -> None:
    _store(index, ["The user lives in Berlin.", *UNRELATED])
    analyzer = RecordingAnalyzer(index.embedder)
    job = FeedbackJob(job_id=uuid.uuid4().hex, project_id="p1", user_id="u1",
                      feedback_content="I live in Munich now, not Berlin.")

    plan = stages.plan_lookup(job, analyzer.classify(job.feedback_content, []), index, analyzer)

    assert [change.before for change in plan.changes] == ["The user lives in Berlin."]
    [judged] = analyzer.judged
    assert "The user lives in Berlin." in judged
    # Every memory comes back from the search; the far ones beyond the first few are left out.
    assert stages.CANDIDATES_ALWAYS_JUDGED <= len(judged) < len(UNRELATED) + 1


def test_the_lookup_asks_the_store_for_no_more_hits_than_it_judges(index: MemoryIndex, monkeypatch) -> None:  # noqa: ANN001
    _store(index, ["The user lives in Berlin.", *UNRELATED])
    asked: list[int] = []
    search = index.store.hybrid_search

    def counting(scope, dense, sparse, limit, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        asked.append(limit)
        return search(scope, dense, sparse, limit, *args, **kwargs)

    monkeypatch.setattr(index.store, "hybrid_search", counting)
    analyzer = OfflineAnalyzer(index.embedder)
    job = FeedbackJob(job_id=uuid.uuid4().hex, project_id="p1", user_id="u1",
                      feedback_content="I live in Munich now, not Berlin.")
    stages.plan_lookup(job, analyzer.classify(job.feedback_content, []), index, analyzer)
    index.search(job.scope(), "where does the user live", 5)

    assert asked == [stages.CONFLICT_CANDIDATES, RERANK_POOL]
