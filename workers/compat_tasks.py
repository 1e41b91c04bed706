"""Memory reads and writes that MemOS clients ask for beyond the feedback pipeline: one memory by
id, memories selected by user, agent or filter, deleting by those conditions, updating one memory,
and deleting a knowledge-base file's memories. Every one is bounded to the caller's project."""

from __future__ import annotations

import time
from contextlib import ExitStack
from typing import Any

from core.celery_app import celery_app
from core.chains import (
    COMPAT_DELETE_KB_FILES,
    COMPAT_DELETE_SELECTED,
    COMPAT_GET_MEMORY,
    COMPAT_SELECT_MEMORIES,
    COMPAT_UPDATE_MEMORY,
)
from core.memory_selection import compile_filter
from pipeline import history
from pipeline.models import MemoryRecord, MemoryStatus, ScopeKind
from pipeline.store.base import TENANT_FIELD, Match, PayloadRule
from workers import resources
from workers.stage_runner import RETRYABLE_ERRORS

ALL_KEPT = (MemoryStatus.ACTIVATED, MemoryStatus.ARCHIVED)


def _owned(memory: MemoryRecord, project_id: str) -> bool:
    return memory.project_id == project_id and memory.status is not MemoryStatus.DELETED


@celery_app.task(name=COMPAT_GET_MEMORY)
def get_memory(project_id: str, memory_id: str) -> dict[str, Any] | None:
    found = [m for m in resources.store().get([memory_id]) if _owned(m, project_id)]
    return found[0].model_dump(mode="json") if found else None


def _selected(project_id: str, selection: dict[str, Any], statuses: tuple[MemoryStatus, ...]) -> list[MemoryRecord]:
    """The project's memories that meet every condition given (MemOS ANDs them)."""
    store = resources.store()
    if selection.get("memory_ids"):
        records = [m for m in store.get(selection["memory_ids"]) if _owned(m, project_id) and m.status in statuses]
    else:
        must = [Match(TENANT_FIELD, (project_id,)), Match("status", tuple(s.value for s in statuses))]
        if selection.get("user_id"):
            must += [Match("scope_kind", (ScopeKind.USER.value,)), Match("user_id", (selection["user_id"],))]
        for field in ("agent_id", "conversation_id", "memory_type"):
            if selection.get(field):
                must.append(Match(field, (selection[field],)))
        records = store.scroll(PayloadRule(must=tuple(must)))
    if selection.get("memory_ids") and selection.get("memory_type"):
        records = [m for m in records if m.memory_type == selection["memory_type"]]
    if selection.get("filter"):
        matches = compile_filter(selection["filter"])
        records = [m for m in records if matches(m.model_dump(mode="json"))]
    return records


@celery_app.task(name=COMPAT_SELECT_MEMORIES)
def select_memories(project_id: str, selection: dict[str, Any], page: int, size: int) -> dict[str, Any]:
    records = _selected(project_id, selection, (MemoryStatus.ACTIVATED,))
    records.sort(key=lambda r: (-r.update_time, r.id))
    start = (page - 1) * size
    return {"total": len(records), "items": [r.model_dump(mode="json") for r in records[start : start + size]]}


@celery_app.task(name=COMPAT_DELETE_SELECTED, autoretry_for=RETRYABLE_ERRORS, retry_backoff=True, max_retries=5)
def delete_selected(project_id: str, selection: dict[str, Any]) -> dict[str, Any]:
    """Current and archived versions alike: deleting by user, agent or filter leaves nothing of
    theirs searchable or in a history."""
    ids = [m.id for m in _selected(project_id, selection, ALL_KEPT)]
    resources.store().delete(ids)
    return {"deleted": ids}


def _scope_lock_name(memory: MemoryRecord) -> str:
    """The same lock the feedback write stage holds for this memory's scope."""
    if memory.scope_kind is ScopeKind.USER:
        return f"{memory.project_id}:user:{memory.user_id}"
    if memory.scope_kind is ScopeKind.KNOWLEDGEBASE:
        return f"{memory.project_id}:kb:{memory.knowledgebase_id}"
    return f"{memory.project_id}:public"


@celery_app.task(name=COMPAT_UPDATE_MEMORY)
def update_memory(
    project_id: str, memory_id: str, new_id: str, content: str | None, title: str | None, status: str | None
) -> dict[str, Any]:
    """New content is a new version that supersedes the memory (the old one is archived, as a
    correction would); a title or status alone changes the memory in place."""
    store = resources.store()
    found = [m for m in store.get([memory_id]) if _owned(m, project_id)]
    if not found:
        return {"error": "not_found"}
    with resources.control_plane().lock(_scope_lock_name(found[0])):
        [memory] = store.get([memory_id])
        now = time.time()
        if content is not None and content != memory.memory_value:
            if memory.status is not MemoryStatus.ACTIVATED:
                return {"error": "not_current", "superseded_by": memory.superseded_by}
            record = memory.model_copy(update={
                "id": new_id, "memory_value": content, "memory_key": title or memory.memory_key,
                "status": MemoryStatus.ACTIVATED, "supersedes": memory.id, "superseded_by": None,
                "invalid_at": None, "source_job_id": None, "priority": memory.priority + 1,
                "create_time": now, "update_time": now,
            })
            # The new version first: an interruption leaves both active, never neither.
            resources.memory_index().write([record])
            store.set_fields([memory.id], {
                "status": MemoryStatus.ARCHIVED.value, "superseded_by": new_id, "invalid_at": now, "update_time": now,
            })
            memory = record
        fields: dict[str, Any] = {}
        if title is not None and title != memory.memory_key:
            fields["memory_key"] = title
        if status is not None and status != memory.status.value:
            fields["status"] = status
            fields["invalid_at"] = now if status == MemoryStatus.ARCHIVED.value else None
        if fields:
            fields["update_time"] = now
            store.set_fields([memory.id], fields)
            memory = memory.model_copy(update={**fields, "status": MemoryStatus(fields.get("status", memory.status))})
    return {"memory": memory.model_dump(mode="json")}


@celery_app.task(name=COMPAT_DELETE_KB_FILES, autoretry_for=RETRYABLE_ERRORS, retry_backoff=True, max_retries=5)
def delete_kb_files(project_id: str, files: list[dict[str, Any]]) -> dict[str, Any]:
    """Each file's memories (written by its task, tagged with its name), and every later version of
    them that feedback wrote."""
    store = resources.store()
    deleted: list[str] = []
    with ExitStack() as held:
        for name in sorted({f"{project_id}:kb:{f['knowledgebase_id']}" for f in files}):
            held.enter_context(resources.control_plane().lock(name))
        for item in files:
            rule = PayloadRule(must=(
                Match(TENANT_FIELD, (project_id,)),
                Match("scope_kind", (ScopeKind.KNOWLEDGEBASE.value,)),
                Match("knowledgebase_id", (item["knowledgebase_id"],)),
                Match("source_job_id", (item["task_id"],)),
                Match("tags", (item["name"],)),
            ))
            ids: set[str] = set()
            for memory in store.scroll(rule):
                ids.update(v.id for v in history.memory_history(store, project_id, memory.id))
                ids.add(memory.id)
            store.delete(sorted(ids))
            deleted.extend(sorted(ids))
    return {"deleted_memories": deleted}
