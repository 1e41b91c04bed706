"""Per route: what its answer's data is, what it does, and the errors only it can give.

Keyed by the path under /api/openmem/v1. A route missing here is still documented (the plain
envelope, its docstring, the errors every route gives: api/openapi.py); add it here to type it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from api import responses as r
from api.batch_schemas import MAX_BATCH_ITEMS, AddFeedbackBatchItem
from core.error_codes import ErrorCode

ERROR_MEANINGS: dict[ErrorCode, str] = {
    ErrorCode.BAD_REQUEST: "the body is not JSON, or a field has the wrong type or an invalid value",
    ErrorCode.MISSING_FIELD: "a required field is missing or empty",
    ErrorCode.CONVERSATION_ID_TOO_LONG: "conversation_id is over 100 characters",
    ErrorCode.UNAUTHORIZED: "no API key, or an unknown one",
    ErrorCode.NOT_FOUND: "no such id in this project (or its record expired)",
    ErrorCode.REQUEST_TOO_LARGE: "the request needs more tokens than one request may use",
    ErrorCode.WINDOW_EXHAUSTED: "the project's token window is used up; see Retry-After",
    ErrorCode.KNOWLEDGEBASE_NOT_IN_PROJECT: "a knowledge base id that is not this project's",
    ErrorCode.WORKER_FAILED: "an internal error, or the worker's task failed",
    ErrorCode.SAVE_FAILED: "the queue or control plane (Redis) is unavailable; nothing was accepted",
    ErrorCode.WORKER_TIMEOUT: "no worker answered within MEMFEED_READ_TIMEOUT_SECONDS",
}

_CHARGED = (ErrorCode.REQUEST_TOO_LARGE, ErrorCode.WINDOW_EXHAUSTED)
_KB = (ErrorCode.KNOWLEDGEBASE_NOT_IN_PROJECT,)
_READ = (ErrorCode.WORKER_TIMEOUT,)
_NOT_FOUND = (ErrorCode.NOT_FOUND,)


@dataclass(frozen=True)
class OperationDoc:
    data: Any  # a model, a list of one, or None for the plain envelope
    description: str
    success: str = "Success: code 0"
    errors: tuple[ErrorCode, ...] = ()
    # For a route that reads a JSON list itself: the schema of one item.
    list_item: type[BaseModel] | None = None
    max_items: int | None = None


OPERATIONS: dict[str, OperationDoc] = {
    "/add/feedback": OperationDoc(
        r.TaskAccepted,
        "Submit a user's feedback on their memories (or a knowledge base's). The answer is immediate "
        "(`status: running`); the correction runs in the background through the stages validate → "
        "classify → lookup → write: poll `get/status` with the `task_id` until `status` is no longer "
        "`running`. An `Idempotency-Key` header makes a retry return the first request's task.",
        "Accepted: the task to poll",
        (*_KB, *_CHARGED),
    ),
    "/get/status": OperationDoc(
        r.JobStatusData,
        "A task's progress and outcome: each stage with its timing and decision, the outcome "
        "(`applied`, `ignored`, `unresolved`, `failed`; `held` and `rejected` under a review policy, with "
        "`review`) with its reason, and the changes written "
        "(before → after). Works for every task kind (feedback, revert, add/message, knowledge-base file).",
        errors=_NOT_FOUND,
    ),
    "/revert/feedback": OperationDoc(
        r.TaskAccepted,
        "Undo an applied feedback task: what it archived is restored, what it wrote is archived. "
        "Runs as a task of its own (poll `get/status`); reverting twice returns the first revert's task. "
        "Only feedback whose outcome is `applied` can be reverted (else 40000).",
        "Accepted: the revert task to poll",
        _NOT_FOUND,
    ),
    "/add/feedback/batch": OperationDoc(
        r.BatchAccepted,
        "Backfill collected feedback in bulk: the body is a JSON list of `add/feedback` bodies (each may "
        f"carry an `idempotency_key`), at most {MAX_BATCH_ITEMS}. Valid items are queued and released "
        "at the project's token-window pace; invalid ones are reported per item with their MemOS code. "
        "Poll `get/batch` with the `batch_id`.",
        "Accepted: one report per item",
        list_item=AddFeedbackBatchItem,
        max_items=MAX_BATCH_ITEMS,
    ),
    "/get/batch": OperationDoc(
        r.BatchStatusData,
        "A batch's progress: counts of queued, running, completed, ignored and failed items (`done` once "
        "nothing is queued or running), with the failed items (paged by `failed_offset`/`failed_limit`).",
        errors=_NOT_FOUND,
    ),
    "/search/memory": OperationDoc(
        r.SearchMemoryData,
        "Search the user's memories, or with `agent_id` and no `user_id` the agent's (and the knowledge bases given, and public memories with "
        "`include_public`), best first. A corrected memory ranks above the version it superseded; "
        "archived versions are not returned.",
        errors=(*_KB, *_CHARGED, *_READ),
    ),
    "/get/memory": OperationDoc(
        r.GetMemoryData,
        "List a user's (or an agent's) active memories, newest first, a page at a time, optionally "
        "narrowed by a `filter`.",
        errors=_READ,
    ),
    "/delete/memory": OperationDoc(
        r.DeleteMemoryData,
        "Delete memories by `memory_ids` (with `user_id`: only that user's), or every memory matching "
        "conditions (`user_id`, `agent_id`, `conversation_id`, `filter`); ids not deleted are listed in "
        "`not_found`.",
        errors=_READ,
    ),
    "/get/memory/history": OperationDoc(
        r.MemoryHistoryData,
        "Every version of a memory: the corrections that superseded it and what it superseded, each "
        "with the task that wrote it.",
        errors=(*_NOT_FOUND, *_READ),
    ),
    "/add/message": OperationDoc(
        r.AddMessageData,
        "Add conversation turns: they become the context of later feedback in the same conversation, "
        "and the user's own statements become memories (of each user or agent named). With `async_mode` false the answer waits for "
        "the extraction and lists the memories written; else poll `get/status`.",
        errors=(*_CHARGED, *_READ),
    ),
    "/get/message": OperationDoc(
        r.GetMessageData,
        "The user's turns of a conversation, in order.",
    ),
    "/create/knowledgebase": OperationDoc(
        r.KnowledgebaseData,
        "Create a knowledge base in the project; its `id` scopes `add/knowledgebase-file`, "
        "`search/memory` (`knowledgebase_ids`) and `add/feedback` (`allow_knowledgebase_ids`).",
    ),
    "/delete/knowledgebase": OperationDoc(
        r.KnowledgebaseDeleted,
        "Delete a knowledge base; its memories are removed in the background.",
        errors=_KB,
    ),
    "/add/knowledgebase-file": OperationDoc(
        list[r.KnowledgebaseFileDetail],
        "Add files to a knowledge base, as JSON `{knowledgebase_id, file: [{name, content}]}` or as "
        "multipart/form-data: each file's paragraphs become memories of the knowledge base, in the "
        "background. `data` lists the files, each with its id and the `task_id` to poll with `get/status`.",
        "Accepted: the files, each with its ingestion task",
        (*_KB, *_CHARGED),
    ),
    "/get/knowledgebase-file": OperationDoc(
        r.GetKnowledgebaseFileData,
        "Files of the project: by `file_ids`, or a page of one knowledge base's files (oldest first), "
        "each with the status of its ingestion.",
        errors=_KB,
    ),
    "/delete/knowledgebase-file": OperationDoc(
        r.KnowledgebaseFilesDeleted,
        "Delete files: each file's memories and every version feedback wrote of them. Ids that are not "
        "the project's files are listed in `not_found`; a file still being ingested is refused (40000).",
        errors=_READ,
    ),
    "/get/memory/{memory_id}": OperationDoc(
        r.MemoryVersion,
        "One memory of the project by id, current or archived, with what superseded it.",
        errors=(*_NOT_FOUND, *_READ),
    ),
    "/update/memory": OperationDoc(
        r.MemoryUpdated,
        "Change a memory directly: new content writes a new version that supersedes it (the old one is "
        "archived and stays in its history); a title or status alone changes it in place. Only the "
        "current version can be updated (else 40000).",
        errors=(*_NOT_FOUND, *_READ),
    ),
    "/review/list": OperationDoc(
        r.ReviewListData,
        "Feedback held for review (under the project's policy `review_uncertain` or `review_all`), oldest "
        "first: each with the changes approval would write (before → after) and their confidence. A held task "
        "is `completed` in get/status with outcome `held` and `review.state` `pending`.",
    ),
    "/review/approve": OperationDoc(
        r.ReviewDecisionData,
        "Approve a held task: exactly its proposed plan is written (re-planned if another correction "
        "superseded one of its memories meanwhile), once, however often or concurrently it is approved; poll "
        "get/status until `outcome` is `applied`. A rejected task cannot be approved (40000).",
        errors=_NOT_FOUND,
    ),
    "/review/reject": OperationDoc(
        r.ReviewDecisionData,
        "Reject a held task: nothing is written, its outcome becomes `rejected`. Repeating it changes nothing; "
        "an approved task cannot be rejected (40000).",
        errors=_NOT_FOUND,
    ),
    "/review/policy": OperationDoc(
        r.ReviewPolicyData,
        "The project's review policy, changed when `policy` is given: `apply` (write every correction), "
        "`review_uncertain` (hold those whose confidence is under MEMFEED_REVIEW_CONFIDENCE_THRESHOLD) or "
        "`review_all` (hold every correction that would change memories).",
    ),
    "/webhook/set": OperationDoc(
        r.WebhookData,
        "Register the project's webhook URL (https, or http to a loopback address): when a feedback task ends "
        "(applied, ignored, unresolved, failed, held, rejected) or a revert finishes, memfeed POSTs the task's "
        "summary, signed the Standard Webhooks way (webhook-id, webhook-timestamp, webhook-signature). The "
        "answer holds the signing `secret`, shown only here; setting the URL again makes a new secret.",
    ),
    "/webhook/get": OperationDoc(
        r.WebhookData,
        "The project's webhook URL and its last delivery: status, HTTP status, error, counts (never the secret).",
    ),
    "/webhook/delete": OperationDoc(
        r.WebhookData,
        "Remove the project's webhook: no further deliveries are made.",
    ),
}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


# Outside the MemOS base path: plain JSON or Prometheus text, no key.
OPERATIONAL_ROUTES: dict[str, tuple[str, dict[str, Any]]] = {
    "/healthz": (
        "Liveness: 200 while the API process runs.",
        {"200": _json({"type": "object", "properties": {"status": {"const": "ok"}}}, "The API is up")},
    ),
    "/readyz": (
        "Readiness: 200 when Redis answers and a worker takes tasks; else 503 with the reason "
        "(such as a worker waiting for its store).",
        {
            "200": _json(
                {"type": "object", "properties": {"status": {"const": "ready"}, "redis": {"type": "string"},
                                                  "workers": {"type": "string"}}},
                "Ready",
            ),
            "503": _json(
                {"type": "object", "properties": {"status": {"const": "not ready"}, "redis": {"type": "string"},
                                                  "workers": {"type": "string"}}},
                "Not ready: `redis` and `workers` say why",
            ),
        },
    ),
    "/metrics": (
        "Prometheus metrics of the whole deployment (kept in Redis): jobs, stage durations, queue depths, "
        "token-window rejections, search durations.",
        {"200": {"description": "Prometheus text format", "content": {"text/plain": {"schema": {"type": "string"}}}}},
    ),
}
