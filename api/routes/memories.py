"""search/memory, get/memory and delete/memory: answered by workers, which own the store."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request

from api import dispatch
from api.deps import ControlDep, ProjectDep, charge_tokens, require_own_knowledgebases
from api.errors import ErrorCode, MemfeedError, envelope
from api.presenters import iso_time, memory_detail
from api.schemas import DeleteMemoryRequest, GetMemoryRequest, MemoryHistoryRequest, SearchMemoryRequest
from memfeed.settings import get_settings
from pipeline.models import SearchScope
from pipeline.token_count import count_tokens
from workers.chains import DELETE_MEMORIES, GET_MEMORIES, MEMORY_HISTORY, SEARCH

router = APIRouter()


@router.post("/search/memory")
def search_memory(body: SearchMemoryRequest, request: Request, project: ProjectDep, control: ControlDep) -> dict:
    require_own_knowledgebases(control, project, body.knowledgebase_ids)
    # A query costs the worker in proportion to its length: bounded, and charged to the window.
    tokens = count_tokens(body.query)
    limit = get_settings().max_query_tokens
    if tokens > limit:
        raise MemfeedError(
            ErrorCode.REQUEST_TOO_LARGE, f"a search query may have at most {limit} tokens; this one has {tokens}"
        )
    charge_tokens(request, project, tokens)
    scope = SearchScope(
        project_id=project.id,
        user_id=body.user_id,
        knowledgebase_ids=body.knowledgebase_ids,
        include_public=body.include_public,
        agent_id=body.agent_id,
        app_id=body.app_id,
    )
    started = time.perf_counter()
    hits = dispatch.call(
        SEARCH,
        scope.model_dump(mode="json"),
        body.query,
        body.memory_limit_number,
        body.relativity,
        timeout=get_settings().read_timeout_seconds,
    )
    control.metrics.observe("memfeed_search_duration_seconds", {}, time.perf_counter() - started)
    return envelope({"memory_detail_list": [memory_detail(h) for h in hits], "preference_detail_list": []})


@router.post("/get/memory")
def get_memory(body: GetMemoryRequest, project: ProjectDep) -> dict:
    scope = SearchScope(project_id=project.id, user_id=body.user_id)
    page = dispatch.call(
        GET_MEMORIES, scope.model_dump(mode="json"), body.page, body.size, timeout=get_settings().read_timeout_seconds
    )
    return envelope(
        {
            "memory_detail_list": [memory_detail(m) for m in page["items"]],
            "total": page["total"],
            "page": body.page,
            "size": body.size,
        }
    )


@router.post("/delete/memory")
def delete_memory(body: DeleteMemoryRequest, project: ProjectDep) -> dict:
    outcome = dispatch.call(
        DELETE_MEMORIES, project.id, body.user_id, body.memory_ids, timeout=get_settings().read_timeout_seconds
    )
    return envelope({"success": True, **outcome})


@router.post("/get/memory/history")
def get_memory_history(body: MemoryHistoryRequest, project: ProjectDep) -> dict:
    versions = dispatch.call(MEMORY_HISTORY, project.id, body.memory_id, timeout=get_settings().read_timeout_seconds)
    if not versions:
        raise MemfeedError(ErrorCode.NOT_FOUND, f"unknown memory_id: {body.memory_id}")
    return envelope({
        "memory_id": body.memory_id,
        "versions": [
            {**memory_detail(v), "superseded_by": v.get("superseded_by"), "invalid_at": iso_time(v.get("invalid_at")),
             "task_id": v.get("source_job_id")}
            for v in versions
        ],
    })
