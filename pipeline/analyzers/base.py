"""The judgements every analyzer makes, whatever decides them (rules or an LLM)."""

from __future__ import annotations

from collections.abc import Sequence
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
    # Whether the lookup should also offer the memories the conversation's last question and
    # answer find, not only those the statement finds.
    retrieves_by_conversation: bool

    def judge_validity(self, feedback: str, context: list[Message]) -> ValidityDecision:
        """Is the feedback a real statement about facts, preferences, names or rules?"""
        ...

    def classify(self, feedback: str, context: list[Message]) -> Classification:
        """Keyword replacement (original → target) or semantic update (statements)."""
        ...

    def judge_conflicts(
        self,
        statement: CorrectedStatement,
        candidates: list[MemoryRecord],
        similarities: Sequence[float | None] | None = None,
        feedback: str = "",
        context: Sequence[Message] = (),
    ) -> list[ConflictDecision]:
        """For each candidate, whether the statement contradicts or supersedes it.

        `similarities`, when given, are the cosine similarities of the statement to each candidate
        that the lookup already computed (so nothing is embedded twice; None where it did not).
        `feedback` and `context` are what the statement was drawn from. Only ids of the given
        candidates may appear in the answer.
        """
        ...

    def extract_memories(self, text: str, role: str) -> list[str]:
        """Facts a conversation turn states about its speaker, in the third person."""
        ...
