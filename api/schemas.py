"""HTTP request bodies (MemOS field names). Unknown MemOS fields are accepted and ignored."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from api.errors import CONVERSATION_ID_MAX
from pipeline.models import message_subjects


def _not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("empty_value", "must not be empty")
    return value


RequiredText = Annotated[str, AfterValidator(_not_blank)]
# MemOS bounds every id at 100 characters; names and descriptions are bounded too.
ID_MAX, NAME_MAX, DESCRIPTION_MAX = 100, 200, 2_000
Id = Annotated[str, Field(max_length=ID_MAX)]
RequiredId = Annotated[RequiredText, Field(max_length=ID_MAX)]
_SURROGATE = re.compile("[\ud800-\udfff]")
ConversationId = Annotated[str, Field(max_length=CONVERSATION_ID_MAX)]


class MemosRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _valid_unicode(cls, data: object) -> object:
        """JSON may escape an unpaired surrogate ("\\ud800"), which no store or encoder takes."""
        pending = [data]
        while pending:
            value = pending.pop()
            if isinstance(value, str):
                if _SURROGATE.search(value):
                    raise PydanticCustomError("invalid_unicode", "text contains an unpaired surrogate (not valid Unicode)")
            elif isinstance(value, dict):
                pending.extend(value.keys())
                pending.extend(value.values())
            elif isinstance(value, list):
                pending.extend(value)
        return data


def _null_means_default(cls: type[BaseModel], value: object, info: ValidationInfo) -> object:
    """MemOS clients send null for fields they leave out."""
    if value is None:
        return cls.model_fields[info.field_name].get_default(call_default_factory=True)
    return value


class AddFeedbackRequest(MemosRequest):
    user_id: RequiredId
    feedback_content: RequiredText
    conversation_id: ConversationId | None = None
    agent_id: Id | None = None
    app_id: Id | None = None
    allow_knowledgebase_ids: list[Id] = Field(default_factory=list)
    allow_public: bool = False

    _defaults = field_validator("allow_knowledgebase_ids", "allow_public", mode="before")(
        classmethod(_null_means_default)
    )


class TaskRequest(MemosRequest):
    task_id: RequiredId


class SearchMemoryRequest(MemosRequest):
    query: RequiredText
    # user_id or agent_id (the route checks that one is given): a user's memories, or an agent's.
    user_id: RequiredId | None = None
    conversation_id: ConversationId | None = None
    knowledgebase_ids: list[Id] = Field(default_factory=list)
    memory_limit_number: int = Field(default=6, ge=1, le=100)
    relativity: float = Field(default=0.0, ge=0.0, le=1.0)
    include_public: bool = False
    agent_id: Id | None = None
    app_id: Id | None = None

    _defaults = field_validator(
        "knowledgebase_ids", "memory_limit_number", "relativity", "include_public", mode="before"
    )(
        classmethod(_null_means_default)
    )


class ChatMessage(BaseModel):
    role: RequiredText
    content: RequiredText


class AddMessageRequest(MemosRequest):
    # user_id or agent_id (the route checks that one is given); each may name several, and the turns
    # then become memories of each.
    user_id: RequiredId | Annotated[list[RequiredId], Field(min_length=1, max_length=20)] | None = None
    # Optional in MemOS: turns without one become memories but join no conversation's context.
    conversation_id: ConversationId | None = None
    messages: Annotated[list[ChatMessage], Field(min_length=1)]
    async_mode: bool = True
    agent_id: Id | Annotated[list[Id], Field(min_length=1, max_length=20)] | None = None
    app_id: Id | None = None

    _defaults = field_validator("async_mode", mode="before")(classmethod(_null_means_default))

    def subjects(self) -> list[tuple[str | None, str | None]]:
        """Whose memories the turns become: each (user, agent) pair named."""
        return message_subjects(self.user_id, self.agent_id)


class GetMessageRequest(MemosRequest):
    user_id: RequiredId
    conversation_id: Annotated[RequiredText, Field(max_length=CONVERSATION_ID_MAX)]


class GetMemoryRequest(MemosRequest):
    # user_id or agent_id (the route checks that one is given); `filter` narrows further.
    user_id: RequiredId | None = None
    agent_id: RequiredId | None = None
    filter: dict[str, Any] | None = None
    page: int = Field(default=1, ge=1)
    size: int = Field(default=20, ge=1, le=200)

    _defaults = field_validator("page", "size", mode="before")(classmethod(_null_means_default))


class DeleteMemoryRequest(MemosRequest):
    """MemOS's delete conditions: memory_ids, or user_id / agent_id / conversation_id / filter
    (ANDed); user_id with memory_ids deletes only that user's memories among the ids."""

    user_id: RequiredId | None = None
    memory_ids: Annotated[list[RequiredId], Field(min_length=1)] | None = None
    agent_id: RequiredId | None = None
    conversation_id: ConversationId | None = None
    session_id: ConversationId | None = None
    filter: dict[str, Any] | None = None
    memory_type: Annotated[RequiredText, Field(max_length=ID_MAX)] | None = None


class UpdateMemoryRequest(MemosRequest):
    memory_id: RequiredId
    content: RequiredText | None = None
    title: Annotated[RequiredText, Field(max_length=NAME_MAX)] | None = None
    status: Literal["activated", "archived"] | None = None


class GetKnowledgebaseFileRequest(MemosRequest):
    # Exactly one of file_ids and knowledgebase_id (the route checks it).
    file_ids: Annotated[list[RequiredId], Field(min_length=1, max_length=1_000)] | None = None
    knowledgebase_id: RequiredId | None = None
    type: str | None = None
    page: int = Field(default=1, ge=1)
    page_size: int = Field(default=20, ge=1, le=200)

    _defaults = field_validator("page", "page_size", mode="before")(classmethod(_null_means_default))


class DeleteKnowledgebaseFileRequest(MemosRequest):
    file_ids: Annotated[list[RequiredId], Field(min_length=1, max_length=1_000)]


class CreateKnowledgebaseRequest(MemosRequest):
    knowledgebase_name: Annotated[RequiredText, Field(max_length=NAME_MAX)]
    knowledgebase_description: Annotated[str, Field(max_length=DESCRIPTION_MAX)] | None = None


class KnowledgebaseRequest(MemosRequest):
    knowledgebase_id: RequiredId


class KnowledgebaseFile(BaseModel):
    name: Annotated[RequiredText, Field(max_length=NAME_MAX)]
    content: RequiredText


class AddKnowledgebaseFileRequest(MemosRequest):
    knowledgebase_id: RequiredId
    file: Annotated[list[KnowledgebaseFile], Field(min_length=1)]


class MemoryHistoryRequest(MemosRequest):
    memory_id: RequiredId
