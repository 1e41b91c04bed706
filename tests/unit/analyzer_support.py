"""Helpers for the analyzer's unit tests."""

from __future__ import annotations

from pipeline.analyzers.offline import OfflineAnalyzer
from pipeline.models import MemoryRecord, Message, UpdateType


def correct(
    analyzer: OfflineAnalyzer, feedback: str, memories: list[str], context: list[Message] | None = None
) -> tuple[list[str], dict[str, str]]:
    """Classify a semantic correction and judge it against the memories:
    (statement texts, {superseded memory: corrected value}) across all statements."""
    classification = analyzer.classify(feedback, context or [])
    assert classification.update_type is UpdateType.SEMANTIC_UPDATE
    records = [MemoryRecord(id=str(i), project_id="p", memory_value=m) for i, m in enumerate(memories)]
    superseded: dict[str, str] = {}
    for statement in classification.statements:
        for decision, memory in zip(analyzer.judge_conflicts(statement, records), memories):
            if decision.supersede:
                superseded.setdefault(memory, decision.corrected_value or statement.text)
    return [s.text for s in classification.statements], superseded
