"""The judgements every analyzer makes, whatever decides them (rules or an LLM)."""

from __future__ import annotations

from typing import Protocol

from pipeline.models import (
    Classification,
    ConflictDecision,
    CorrectedStatement,
    MemoryRecord,
    Message,
    ValidityDecision,
)


class Analyzer(Protocol):
    name: str

    def judge_validity(self, feedback: str, context: list[Message]) -> ValidityDecision:
        """Is the feedback a real statement about facts, preferences, names or rules?"""
        ...

    def classify(self, feedback: str, context: list[Message]) -> Classification:
        """Keyword replacement (original → target) or semantic update (statements)."""
        ...

    def judge_conflicts(
        self, statement: CorrectedStatement, candidates: list[MemoryRecord]
    ) -> list[ConflictDecision]:
        """For each candidate, whether the statement contradicts or supersedes it.

        Only ids of the given candidates may appear in the answer.
        """
        ...

    def extract_memories(self, text: str, role: str) -> list[str]:
        """Facts a conversation turn states about its speaker, in the third person."""
        ...
