"""The feedback-case format (docs/eval-format.md), read and validated."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipeline.models import Message


class CaseMemory(BaseModel):
    ref: str
    user_id: str
    memory_value: str
    memory_key: str = ""
    memory_type: str = "LongTermMemory"
    knowledgebase_id: str | None = None


class CaseConversation(BaseModel):
    conversation_id: str
    user_id: str
    messages: list[Message] = Field(default_factory=list)


class CaseSetup(BaseModel):
    memories: list[CaseMemory] = Field(default_factory=list)
    conversations: list[CaseConversation] = Field(default_factory=list)


class CaseFeedback(BaseModel):
    model_config = ConfigDict(extra="ignore")

    user_id: str
    feedback_content: str
    conversation_id: str | None = None
    allow_knowledgebase_ids: list[str] = Field(default_factory=list)


class SearchExpectation(BaseModel):
    query: str
    user_id: str
    knowledgebase_ids: list[str] = Field(default_factory=list)
    top1_contains: list[list[str]] = Field(default_factory=list)
    top1_excludes: list[str] = Field(default_factory=list)


class Expectation(BaseModel):
    valid: bool
    update_type: Literal["semantic_update", "keyword_replace"] | None = None
    superseded: list[str] = Field(default_factory=list)
    kept: list[str] = Field(default_factory=list)
    active_contains: list[list[str]] = Field(default_factory=list)
    active_excludes: list[str] = Field(default_factory=list)
    search: list[SearchExpectation] = Field(default_factory=list)


class FeedbackCase(BaseModel):
    id: str
    lang: Literal["en", "zh"] = "en"
    tags: list[str] = Field(default_factory=list)
    setup: CaseSetup = Field(default_factory=CaseSetup)
    feedback: CaseFeedback
    expect: Expectation


class CaseFileError(ValueError):
    pass


def load_cases(path: Path) -> list[FeedbackCase]:
    cases = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CaseFileError(f"cannot read {path}: {exc}") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            cases.append(FeedbackCase.model_validate(json.loads(line)))
        except (ValueError, ValidationError) as exc:
            raise CaseFileError(f"{path}:{number}: not a valid case: {exc}") from exc
    if not cases:
        raise CaseFileError(f"{path} holds no cases")
    return cases
