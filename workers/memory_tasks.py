"""Reads and writes of memories outside the feedback chain.

They run in workers because in embedded mode only the worker may open the store.
"""

from __future__ import annotations

from typing import Any

from core.celery_app import celery_app
from core.chains import (
    DELETE_KNOWLEDGEBASE,
    DELETE_MEMORIES,
    GET_MEMORIES,
    INGEST_KNOWLEDGEBASE_FILE,
    INGEST_MESSAGES,
    MEMORY_HISTORY,
    PING,
    SEARCH,
)
from core.control.jobs import JobOutcome
from pipeline import history, ingest
from pipeline.models import MemoryRecord, MemoryStatus, Message, ScopeKind, SearchScope, message_subjects
from workers import resources
from workers.stage_runner import RETRYABLE_ERRORS, StageTask, running_stage


@celery_app.task(name=PING)
def ping() -> str:
    return "pong"


@celery_app.task(name=SEARCH)
def search_memories(scope: dict[str, Any], query: str, limit: int, min_relativity: float) -> list[dict[str, Any]]:
    hits = resources.memory_index().search(SearchScope.model_validate(scope), query, limit, min_relativity)
    return [{**hit.memory.model_dump(mode="json"), "relativity": hit.relativity} for hit in hits]


@celery_app.task(name=MEMORY_HISTORY)
def memory_history(project_id: str, memory_id: str) -> list[dict[str, Any]]:
    return [m.model_dump(mode="json") for m in history.memory_history(resources.store(), project_id, memory_id)]


@celery_app.task(name=GET_MEMORIES)
def get_memories(scope: dict[str, Any], page: int, size: int) -> dict[str, Any]:
    """One page of the scope's active memories, newest update first, and how many there are."""
    store = resources.store()
    memories_scope = SearchScope.model_validate(scope)
    records = store.newest_first(memories_scope, (page - 1) * size, size)
    return {"total": store.count_in(memories_scope), "items": [r.model_dump(mode="json") for r in records]}


@celery_app.task(name=DELETE_MEMORIES, autoretry_for=RETRYABLE_ERRORS, retry_backoff=True, max_retries=5)
def delete_memories(project_id: str, user_id: str, memory_ids: list[str]) -> dict[str, Any]:
    store = resources.store()
    owned = [m.id for m in store.get(memory_ids) if _is_users_own(m, project_id, user_id)]
    store.delete(owned)
    return {"deleted": owned, "not_found": [i for i in memory_ids if i not in owned]}


def _is_users_own(memory: MemoryRecord, project_id: str, user_id: str) -> bool:
    return (
        memory.project_id == project_id
        and memory.scope_kind is ScopeKind.USER
        and memory.user_id == user_id
        and memory.status is not MemoryStatus.DELETED
    )


# Its result is awaited by add/message with async_mode false.
@celery_app.task(name=INGEST_MESSAGES, base=StageTask, stage_name="extract", ignore_result=False)
def ingest_messages(job_id: str) -> dict[str, Any]:
    with running_stage(job_id, "extract") as run:
        record = run.record
        request = record.request
        analyzer = run.analyzer = resources.analyzer_for(record.project_id)
        memories = []
        for user_id, agent_id in message_subjects(request.get("user_id"), request.get("agent_id")):
            memories += ingest.ingest_messages(
                job_id=job_id,
                project_id=record.project_id,
                user_id=user_id,
                conversation_id=request.get("conversation_id"),
                messages=[Message.model_validate(m) for m in request["messages"]],
                analyzer=analyzer,
                index=resources.memory_index(),
                agent_id=agent_id,
                app_id=request.get("app_id"),
                first_position=len(memories),
            )
        run.detail["memories"] = len(memories)
        result = {"memories": [{"id": m.id, "memory_value": m.memory_value} for m in memories]}
        run.end_job(JobOutcome.APPLIED, f"{len(memories)} memories extracted", result=result)
    return result


@celery_app.task(name=INGEST_KNOWLEDGEBASE_FILE, base=StageTask, stage_name="ingest")
def ingest_knowledgebase_file(job_id: str) -> dict[str, Any]:
    with running_stage(job_id, "ingest") as run:
        record = run.record
        request = record.request
        files = []
        for position, item in enumerate(request["file"]):
            memories = ingest.ingest_knowledgebase_file(
                job_id=job_id,
                project_id=record.project_id,
                knowledgebase_id=request["knowledgebase_id"],
                file_name=item["name"],
                content=item["content"],
                index=resources.memory_index(),
                position=position,
            )
            files.append({"name": item["name"], "memory_ids": [m.id for m in memories]})
        run.detail["files"] = len(files)
        result = {"files": files}
        total = sum(len(f["memory_ids"]) for f in files)
        run.end_job(JobOutcome.APPLIED, f"{total} memories from {len(files)} file(s)", result=result)
    return result


@celery_app.task(name=DELETE_KNOWLEDGEBASE, autoretry_for=RETRYABLE_ERRORS, retry_backoff=True, max_retries=5)
def delete_knowledgebase(project_id: str, knowledgebase_id: str) -> dict[str, Any]:
    removed = resources.store().delete_knowledgebase(project_id, knowledgebase_id)
    return {"deleted_memories": removed}
