"""Domain models shared by the pipeline stages, analyzers and store adapters."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, Field


class MemoryStatus(StrEnum):
    ACTIVATED = "activated"
    ARCHIVED = "archived"
    DELETED = "deleted"


class ScopeKind(StrEnum):
    USER = "user"
    KNOWLEDGEBASE = "kb"
    PUBLIC = "public"


class UpdateType(StrEnum):
    KEYWORD_REPLACE = "keyword_replace"
    SEMANTIC_UPDATE = "semantic_update"


class Message(BaseModel):
    role: str
    content: str


class MemoryRecord(BaseModel):
    """One stored memory (one Qdrant point's payload, plus its id)."""

    id: str
    project_id: str
    scope_kind: ScopeKind = ScopeKind.USER
    user_id: str | None = None
    knowledgebase_id: str | None = None
    agent_id: str | None = None
    app_id: str | None = None
    memory_key: str = ""
    memory_value: str
    memory_type: str = "LongTermMemory"
    conversation_id: str | None = None
    status: MemoryStatus = MemoryStatus.ACTIVATED
    tags: list[str] = Field(default_factory=list)
    create_time: float = 0.0
    update_time: float = 0.0
    # Version chain: a corrected memory points back to what it replaced.
    supersedes: str | None = None
    superseded_by: str | None = None
    invalid_at: float | None = None
    source_job_id: str | None = None
    # Higher wins ties in search: a correction outranks what it supersedes.
    priority: int = 0


def message_subjects(
    user_id: str | list[str] | None, agent_id: str | list[str] | None
) -> list[tuple[str | None, str | None]]:
    """Whose memories a conversation's turns become: each (user, agent) pair an add/message names."""
    users = user_id if isinstance(user_id, list) else [user_id]
    agents = agent_id if isinstance(agent_id, list) else [agent_id]
    return [(user, agent) for user in dict.fromkeys(users) for agent in dict.fromkeys(agents)]


class SearchScope(BaseModel):
    """What one caller may see or change: enforced in the store query itself."""

    project_id: str
    user_id: str | None = None
    knowledgebase_ids: list[str] = Field(default_factory=list)
    include_public: bool = False
    agent_id: str | None = None
    app_id: str | None = None


class ScoredMemory(BaseModel):
    memory: MemoryRecord
    score: float
    relativity: float


# --- stage decisions -------------------------------------------------------


# How sure an analyzer is of a decision, 0..1; a job's confidence is the lowest of its decisions'.
Confidence = Annotated[float, Field(ge=0.0, le=1.0)]


class ValidityDecision(BaseModel):
    valid: bool
    reason: str
    confidence: Confidence = 1.0


class KeywordReplacement(BaseModel):
    original: str
    target: str


class CorrectedStatement(BaseModel):
    """One fact the feedback asserts, as it will be written to memory.

    ``old_values`` are values the feedback says are wrong ("not 800 CNY"),
    ``new_values`` the values it asserts; ``negated`` marks a statement that
    denies a previously held fact ("does not like swimming").
    """

    text: str
    language: Literal["en", "zh"] = "en"
    subject: str = ""
    old_values: list[str] = Field(default_factory=list)
    new_values: list[str] = Field(default_factory=list)
    negated: bool = False
    # What the whole feedback says changed, for finding the memory a change of state ends:
    # attribute classes ("residence"), terms of what ended ("civic"), the terms of the
    # feedback and of the answer it corrects, the values it mentions, the people it names
    # ("mother"), and whether it signals a change or correction at all.
    changed_attributes: list[str] = Field(default_factory=list)
    ended: list[str] = Field(default_factory=list)
    topic: list[str] = Field(default_factory=list)
    mentioned_values: list[str] = Field(default_factory=list)
    relations: list[str] = Field(default_factory=list)
    corrective: bool = False


class Classification(BaseModel):
    update_type: UpdateType
    keyword: KeywordReplacement | None = None
    statements: list[CorrectedStatement] = Field(default_factory=list)
    confidence: Confidence = 1.0


class ConflictDecision(BaseModel):
    """The analyzer's verdict on one candidate memory for one statement."""

    memory_id: str
    supersede: bool
    reason: str
    # The corrected text of this memory when it is superseded.
    corrected_value: str | None = None
    confidence: Confidence = 1.0


class PlannedChange(BaseModel):
    """One write the lookup stage decided on; the write stage applies it."""

    action: Literal["update", "add"]
    memory_id: str | None = None  # the memory to archive, for "update"
    before: str | None = None
    after: str
    # Where an added memory goes (updates inherit the superseded memory's scope).
    scope_kind: ScopeKind = ScopeKind.USER
    knowledgebase_id: str | None = None
    memory_key: str = ""
    reason: str = ""
    confidence: Confidence = 1.0


class RejectedWrite(BaseModel):
    """A change the write gate refused, and why ("a fragment, not a statement")."""

    text: str
    reason: str
    memory_id: str | None = None  # the memory it would have superseded


class LookupPlan(BaseModel):
    changes: list[PlannedChange] = Field(default_factory=list)
    rejected: list[RejectedWrite] = Field(default_factory=list)

    @property
    def confidence(self) -> float:
        return min((change.confidence for change in self.changes), default=1.0)


class AppliedChange(BaseModel):
    action: Literal["update", "add"]
    old_memory_id: str | None = None
    new_memory_id: str
    before: str | None = None
    after: str
    scope_kind: ScopeKind
    knowledgebase_id: str | None = None
