"""What each route answers, as types: the MemOS envelope {code, message, data} with each route's data.

These models only document (they feed /openapi.json); the routes build their answers as plain dicts
(api/presenters.py and the handlers), and tests/integration/test_openapi.py checks real answers
against these shapes.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, Field, create_model

from core.control.jobs import JobOutcome, JobStatus


class Envelope(BaseModel):
    code: int = Field(description="0 on success, else a MemOS error code")
    message: str = Field(description="'ok' on success, else what went wrong")
    data: Any = None


class ErrorEnvelope(BaseModel):
    code: int = Field(description="The MemOS error code (see the response's description)")
    message: str = Field(description="What went wrong; a quoted input is cut short")
    data: None = None


# Shared pieces --------------------------------------------------------------------------------


class TaskAccepted(BaseModel):
    success: bool
    task_id: str = Field(description="Poll it with get/status")
    status: JobStatus = Field(description="'running' when accepted; a repeated request gets its task's status now")


class MemoryDetail(BaseModel):
    id: str
    memory_key: str = Field(description="A short title of the memory")
    memory_value: str
    memory_type: str = "LongTermMemory"
    conversation_id: str | None = None
    status: str | None = Field(default=None, description="'activated', or 'archived' for a superseded version")
    create_time: str | None = Field(default=None, description="ISO 8601, UTC")
    update_time: str | None = Field(default=None, description="ISO 8601, UTC")
    tags: list[str] = Field(default_factory=list)
    relativity: float = Field(description="Search relevance (0 outside search/memory)")
    user_id: str | None = None
    knowledgebase_id: str | None = None
    supersedes: str | None = Field(default=None, description="The memory this version corrected")


class MemoryVersion(MemoryDetail):
    superseded_by: str | None = None
    invalid_at: str | None = Field(default=None, description="When it was archived (ISO 8601, UTC)")
    task_id: str | None = Field(default=None, description="The task that wrote this version")


class StageDetail(BaseModel):
    state: Literal["pending", "running", "done", "skipped", "failed"]
    started_at: float | None = None
    finished_at: float | None = None
    duration_ms: float | None = None
    analyzer: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict, description="What the stage decided")


class JobError(BaseModel):
    code: int
    message: str | None = None


class BatchItemReport(BaseModel):
    index: int = Field(description="Position of the item in the batch")
    status: str | None = Field(default=None, description="queued, skipped (a repeated key) or invalid")
    task_id: str | None = None
    code: int | None = Field(default=None, description="The MemOS code of an invalid or failed item")
    message: str | None = None


# The data of each route ---------------------------------------------------------------------


class AddedMemory(BaseModel):
    id: str
    memory_value: str | None = None
    file_name: str | None = Field(default=None, description="For a knowledge-base file's passage")


class UpdatedMemory(BaseModel):
    id: str = Field(description="The new version")
    supersedes: str
    before: str | None = None
    after: str | None = None


class MemoryViews(BaseModel):
    added: list[AddedMemory]
    updated: list[UpdatedMemory]
    archived: list[str]
    restored: list[str]


class ReviewInfo(BaseModel):
    state: Literal["pending", "approved", "rejected"] = Field(description="pending until an operator decides")
    held_at: float | None = Field(default=None, description="When the plan was held (epoch seconds)")
    decided_at: float | None = None
    decided_by: str | None = Field(default=None, description="The API key that decided, by its fingerprint")
    via: str | None = Field(default=None, description="api or console")
    applied_at: float | None = Field(default=None, description="When an approved plan was written")


class JobStatusData(BaseModel):
    task_id: str
    status: JobStatus
    kind: str = Field(description="feedback, revert, add_message or knowledgebase_file")
    outcome: JobOutcome | None = Field(
        default=None,
        description="Once completed: applied (memories changed), ignored (not a correction, or nothing to "
        "change), unresolved (valid, but no complete memory could be written), failed, held (the project's review "
        "policy holds the plan: nothing written until approved) or rejected (a held plan rejected in review)",
    )
    reason: str | None = None
    update_type: str | None = Field(default=None, description="keyword_replace or semantic_update")
    confidence: float | None = Field(
        default=None, description="How sure the analyzer was, 0..1: the lowest of its decisions for this job"
    )
    stages: dict[str, StageDetail] = Field(description="Each stage by name: validate, classify, lookup, write")
    changes: list[dict[str, Any]] = Field(
        description="What a feedback job wrote: action, old_memory_id, new_memory_id, before, after, ..."
    )
    result: dict[str, Any] | None = None
    error: JobError | None = None
    reverted_by: str | None = Field(default=None, description="The revert task that undid this one")
    create_time: str | None = None
    update_time: str | None = None
    memory_views: MemoryViews | None = Field(default=None, description="What the task did to memories (null while running)")
    review: ReviewInfo | None = Field(
        default=None, description="A job held for review (outcome held): pending, approved or rejected; else null"
    )


class SearchMemoryData(BaseModel):
    memory_detail_list: list[MemoryDetail] = Field(description="Best first")
    preference_detail_list: list[dict[str, Any]] = Field(description="Always empty")


class GetMemoryData(BaseModel):
    memory_detail_list: list[MemoryDetail] = Field(description="Newest first")
    total: int
    page: int
    size: int
    current: int = Field(description="The page, as MemOS clients read it")
    pages: int


class MemoryUpdated(MemoryDetail):
    success: bool


class DeleteMemoryData(BaseModel):
    success: bool
    deleted: list[str] = Field(description="Ids of the user's own memories that were deleted")
    not_found: list[str] = Field(description="Ids that are not the user's memories")


class MemoryHistoryData(BaseModel):
    memory_id: str
    versions: list[MemoryVersion] = Field(description="Every version of the memory")


class ExtractedMemory(BaseModel):
    id: str
    memory_value: str


class AddMessageData(TaskAccepted):
    memories: list[ExtractedMemory] | None = Field(
        default=None, description="With async_mode false: the memories extracted from the user's turns"
    )


class MessageDetail(BaseModel):
    role: str
    content: str
    user_id: str | None = None


class GetMessageData(BaseModel):
    conversation_id: str
    message_detail_list: list[MessageDetail]


class KnowledgebaseData(BaseModel):
    id: str
    knowledgebase_name: str
    knowledgebase_description: str


class KnowledgebaseFileDetail(BaseModel):
    id: str
    name: str
    knowledgebase_id: str
    type: str | None = None
    size: int
    task_id: str = Field(description="The ingestion task (get/status)")
    status: JobStatus
    success: bool
    create_time: str | None = None


class GetKnowledgebaseFileData(BaseModel):
    file_detail_list: list[KnowledgebaseFileDetail]
    total: int
    page: int
    page_size: int


class KnowledgebaseFilesDeleted(BaseModel):
    success: bool
    deleted: list[str]
    not_found: list[str]
    deleted_memories: int


class KnowledgebaseDeleted(BaseModel):
    success: bool
    id: str


class BatchAccepted(BaseModel):
    batch_id: str = Field(description="Poll it with get/batch")
    total: int
    accepted: int
    invalid: int
    skipped: int
    items: list[BatchItemReport] = Field(description="One report per item, in the batch's order")


class BatchStatusData(BaseModel):
    batch_id: str
    total: int
    accepted: int
    invalid: int
    skipped: int
    queued: int
    running: int
    completed: int
    ignored: int
    failed: int
    done: bool
    failed_items: list[BatchItemReport]
    invalid_items: list[BatchItemReport]
    skipped_items: list[BatchItemReport]


@cache
def envelope_of(data: Any) -> type[Envelope]:
    """The envelope whose data is `data`, a model or a list of one (named after it, for the schema's components)."""
    if get_origin(data) is list:
        name = get_args(data)[0].__name__ + "ListResponse"
    else:
        name = data.__name__.removesuffix("Data") + "Response"
    return create_model(name, __base__=Envelope, data=(data, ...))


# Review and webhooks ----------------------------------------------------------------------------


class ProposedChange(BaseModel):
    action: Literal["update", "add"]
    memory_id: str | None = Field(default=None, description="The memory the change supersedes (update)")
    before: str | None = None
    after: str
    confidence: float
    reason: str = ""


class HeldJob(BaseModel):
    task_id: str
    user_id: str | None = None
    feedback_content: str | None = None
    update_type: str | None = None
    confidence: float | None = None
    reason: str | None = None
    review: ReviewInfo | None = None
    proposed_changes: list[ProposedChange] = Field(description="The plan that approval writes")
    create_time: str | None = None


class ReviewListData(BaseModel):
    total: int = Field(description="Held jobs awaiting a decision")
    items: list[HeldJob]
    policy: Literal["apply", "review_uncertain", "review_all"]
    threshold: float = Field(description="Under review_uncertain, jobs less confident than this are held")


class ReviewDecisionData(BaseModel):
    task_id: str
    state: Literal["approved", "rejected"]
    changed: bool = Field(description="False when the job had already been decided this way (nothing done again)")
    review: ReviewInfo | None = None


class ReviewPolicyData(BaseModel):
    policy: Literal["apply", "review_uncertain", "review_all"]
    threshold: float


class WebhookData(BaseModel):
    url: str | None = Field(description="The registered URL, or null")
    secret: str | None = Field(default=None, description="The signing secret: only in the answer that set the URL")
    last_status: str | None = Field(default=None, description="delivered, retrying or failed")
    last_http_status: int | None = None
    last_error: str | None = None
    last_attempt_at: float | None = None
    last_event: str | None = Field(default=None, description="The webhook-id of the last attempt")
    delivered: int = 0
    failed: int = 0
