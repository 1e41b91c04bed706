"""The JSON an LLM must answer with, per judgement; anything else counts as a failed attempt."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")


def _clamped(value: object) -> float | None:
    """A model's confidence, kept within 0..1; anything that is not a number counts as not given."""
    try:
        return None if value is None else min(1.0, max(0.0, float(value)))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


# How sure the model says it is; absent, its decision counts as certain (1.0).
ModelConfidence = Annotated[float | None, BeforeValidator(_clamped)]


class ValidityAnswer(_Answer):
    valid: bool
    reason: str = ""
    confidence: ModelConfidence = None


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
    confidence: ModelConfidence = None


class ConflictsAnswer(_Answer):
    decisions: list[ConflictAnswerItem]


class ExtractionAnswer(_Answer):
    memories: list[str]
