"""Shaping stored records into MemOS response items."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from core.control.jobs import JobRecord, JobStatus


def iso_time(epoch: float | None) -> str | None:
    return datetime.fromtimestamp(epoch, UTC).isoformat() if epoch else None


def memory_detail(memory: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": memory["id"],
        "memory_key": memory.get("memory_key", ""),
        "memory_value": memory["memory_value"],
        "memory_type": memory.get("memory_type", "LongTermMemory"),
        "conversation_id": memory.get("conversation_id"),
        "status": memory.get("status"),
        "create_time": iso_time(memory.get("create_time")),
        "update_time": iso_time(memory.get("update_time")),
        "tags": memory.get("tags", []),
        "relativity": round(float(memory.get("relativity", 0.0)), 6),
        "user_id": memory.get("user_id"),
        "knowledgebase_id": memory.get("knowledgebase_id"),
        "supersedes": memory.get("supersedes"),
    }


def job_status(job: JobRecord) -> dict[str, Any]:
    return {
        "task_id": job.id,
        "status": job.status.value,
        "kind": job.kind,
        "outcome": job.outcome.value if job.outcome else None,
        "reason": job.reason,
        "update_type": job.update_type,
        "confidence": job.confidence,
        "stages": {name: stage.model_dump(mode="json") for name, stage in job.stages.items()},
        "changes": job.changes,
        "result": job.result,
        "error": {"code": job.error_code, "message": job.error_message} if job.error_code else None,
        "reverted_by": job.reverted_by,
        "memory_views": memory_views(job),
        "review": job.review,
        "create_time": iso_time(job.created_at),
        "update_time": iso_time(job.updated_at),
    }


def memory_views(job: JobRecord) -> dict[str, list[Any]] | None:
    """What the task did to memories, once it finished (null while it runs): the memories it
    added, the versions it wrote over older ones, and the ids it archived or restored."""
    if job.status is JobStatus.RUNNING:
        return None
    added: list[dict[str, Any]] = []
    updated: list[dict[str, Any]] = []
    archived: list[str] = []
    restored: list[str] = []
    for change in job.changes:
        if change.get("action") == "revert":
            if not change.get("skipped"):
                archived.append(change["archived"])
                if change.get("restored"):
                    restored.append(change["restored"])
        elif change.get("old_memory_id"):
            updated.append({"id": change["new_memory_id"], "supersedes": change["old_memory_id"],
                            "before": change.get("before"), "after": change.get("after")})
            archived.append(change["old_memory_id"])
        elif change.get("new_memory_id"):
            added.append({"id": change["new_memory_id"], "memory_value": change.get("after")})
    result = job.result or {}
    added += [{"id": m["id"], "memory_value": m.get("memory_value")} for m in result.get("memories") or []]
    for file in result.get("files") or []:
        added += [{"id": memory_id, "file_name": file.get("name")} for memory_id in file.get("memory_ids", [])]
    return {"added": added, "updated": updated, "archived": archived, "restored": restored}
