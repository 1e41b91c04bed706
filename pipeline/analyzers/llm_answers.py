"""The JSON an LLM must answer with, per judgement; anything else counts as a failed attempt."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ValidityAnswer(_Answer):
    valid: bool
    reason: str = ""


class StatementAnswer(_Answer):
    text: str = Field(min_length=1)
    old_values: list[str] = Field(default_factory=list)
    new_values: list[str] = Field(default_factory=list)
    negated: bool = False


class ClassificationAnswer(_Answer):
    update_type: Literal["keyword_replace", "semantic_update"]
    original: str | None = None
    target: str | None = None
    statements: list[StatementAnswer] = Field(default_factory=list)

    @model_validator(mode="after")
    def _complete(self) -> ClassificationAnswer:
        if self.update_type == "keyword_replace" and not (self.original and self.target):
            raise ValueError("keyword_replace needs original and target")
        if self.update_type == "semantic_update" and not self.statements:
            raise ValueError("semantic_update needs at least one statement")
        return self


class ConflictAnswerItem(_Answer):
    memory_id: str
    supersede: bool
    reason: str = ""
    corrected_value: str | None = None


class ConflictsAnswer(_Answer):
    decisions: list[ConflictAnswerItem]


class ExtractionAnswer(_Answer):
    memories: list[str]
