"""Who decided each judgement of a job, and at what cost: recorded on the job's stages."""

from __future__ import annotations

from pydantic import BaseModel, Field


class JudgementRecord(BaseModel):
    judgement: str  # validity | classify | conflicts | extract
    decided_by: str  # llm | offline
    attempts: int = 0
    fallback_reason: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0


class AnalyzerTrace(BaseModel):
    records: list[JudgementRecord] = Field(default_factory=list)

    def add(self, record: JudgementRecord) -> None:
        self.records.append(record)

    def drain(self) -> list[JudgementRecord]:
        """The records since the last drain: what one stage did."""
        drained, self.records = self.records, []
        return drained
