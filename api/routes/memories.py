"""search/memory, get/memory and delete/memory: answered by workers, which own the store."""

from __future__ import annotations

import math
import time
import uuid
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Path, Request
from fastapi.responses import JSONResponse
from redis.asyncio import Redis as AsyncRedis
from starlette.concurrency import run_in_threadpool

from api import dispatch, write_dedup
from api.deps import ControlDep, ProjectDep, charge_tokens_async, require_own_knowledgebases
from api.errors import MemfeedError, answer
from api.presenters import iso_time, memory_detail
from api.schemas import (
    ID_MAX,
    DeleteMemoryRequest,
    GetMemoryRequest,
    MemoryHistoryRequest,
    SearchMemoryRequest,
    UpdateMemoryRequest,
)
from core.chains import (
    COMPAT_DELETE_SELECTED,
    COMPAT_GET_MEMORY,
    COMPAT_SELECT_MEMORIES,
    COMPAT_UPDATE_MEMORY,
    DELETE_MEMORIES,
    GET_MEMORIES,
    MEMORY_HISTORY,
    SEARCH,
)
from core.control import ControlPlane
from core.error_codes import ErrorCode
from core.memory_selection import FilterError, compile_filter
from core.settings import get_settings
from pipeline.models import SearchScope
from pipeline.token_count import count_tokens

router = APIRouter()


@router.post("/search/memory")
async def search_memory(
    body: SearchMemoryRequest, request: Request, project: ProjectDep, control: ControlDep, after: BackgroundTasks
) -> JSONResponse:
    """A coroutine: the window and the worker's answer are awaited on the event loop, so a search
    takes no hand-over to a thread (one of the route's few milliseconds)."""
    if not body.user_id and not body.agent_id:
        raise MemfeedError(ErrorCode.MISSING_FIELD, "user_id or agent_id is required")
    if body.knowledgebase_ids:
        await run_in_threadpool(require_own_knowledgebases, control, project, body.knowledgebase_ids)
    # A query costs the worker in proportion to its length: bounded, and charged to the window.
    tokens = count_tokens(body.query)
    limit = get_settings().max_query_tokens
    if tokens > limit:
        raise MemfeedError(
            ErrorCode.REQUEST_TOO_LARGE, f"a search query may have at most {limit} tokens; this one has {tokens}"
        )
    await charge_tokens_async(request, project, tokens)
    scope = SearchScope(
        project_id=project.id,
        user_id=body.user_id,
        knowledgebase_ids=body.knowledgebase_ids,
        include_public=body.include_public,
        agent_id=body.agent_id,
        app_id=body.app_id,
    )
    started = time.perf_counter()
    redis_async = request.app.state.redis_async
    hits = await dispatch.read(
        redis_async,
        SEARCH,
        scope.model_dump(mode="json"),
        body.query,
        body.memory_limit_number,
        body.relativity,
        timeout=get_settings().read_timeout_seconds,
    )
    # Recorded once the answer is sent: the metric never delays it.
    after.add_task(_observe, redis_async, control, "memfeed_search_duration_seconds", time.perf_counter() - started)
    return answer({"memory_detail_list": [memory_detail(h) for h in hits], "preference_detail_list": []})


async def _observe(redis_async: AsyncRedis, control: ControlPlane, name: str, seconds: float) -> None:
    writes = redis_async.pipeline(transaction=False)
    control.metrics.observe(name, {}, seconds, pipe=writes)
    await writes.execute()


@router.post("/get/memory")
def get_memory(body: GetMemoryRequest, project: ProjectDep) -> JSONResponse:
    if not body.user_id and not body.agent_id:
        raise MemfeedError(ErrorCode.MISSING_FIELD, "user_id or agent_id is required")
    timeout = get_settings().read_timeout_seconds
    if body.agent_id or body.filter:
        selection = {"user_id": body.user_id, "agent_id": body.agent_id, "filter": _checked_filter(body.filter)}
        page = dispatch.call(COMPAT_SELECT_MEMORIES, project.id, selection, body.page, body.size, timeout=timeout)
    else:
        scope = SearchScope(project_id=project.id, user_id=body.user_id)
        page = dispatch.call(GET_MEMORIES, scope.model_dump(mode="json"), body.page, body.size, timeout=timeout)
    return answer(
        {
            "memory_detail_list": [memory_detail(m) for m in page["items"]],
            "total": page["total"],
            "page": body.page,
            "size": body.size,
            # MemOS clients read the page as `current`, and the number of pages.
            "current": body.page,
            "pages": math.ceil(page["total"] / body.size),
        }
    )


def _checked_filter(spec: dict | None) -> dict | None:
    if spec is None:
        return None
    try:
        compile_filter(spec)
    except FilterError as exc:
        raise MemfeedError(ErrorCode.BAD_REQUEST, f"filter: {exc}") from exc
    return spec


@router.post("/delete/memory")
def delete_memory(body: DeleteMemoryRequest, project: ProjectDep) -> JSONResponse:
    """memory_ids, or conditions (user_id, agent_id, conversation_id, filter) that must all hold;
    user_id with memory_ids deletes only that user's memories among the ids."""
    timeout = get_settings().read_timeout_seconds
    conversation_id = body.conversation_id or body.session_id
    if body.memory_ids and body.user_id and not (body.agent_id or conversation_id or body.filter):
        outcome = dispatch.call(DELETE_MEMORIES, project.id, body.user_id, body.memory_ids, timeout=timeout)
        return answer({"success": True, **outcome})
    conditions = body.user_id or body.agent_id or conversation_id or body.filter
    if body.filter is not None and not body.filter:
        raise MemfeedError(ErrorCode.MISSING_FIELD, "filter must not be empty")
    if body.memory_ids and conditions:
        raise MemfeedError(
            ErrorCode.BAD_REQUEST,
            "give memory_ids, or conditions (user_id, agent_id, conversation_id, filter), not both",
        )
    if not body.memory_ids and not conditions:
        raise MemfeedError(
            ErrorCode.MISSING_FIELD,
            "a delete condition is required: memory_ids, user_id, agent_id, conversation_id or filter",
        )
    selection = {
        "memory_ids": body.memory_ids, "user_id": body.user_id, "agent_id": body.agent_id,
        "conversation_id": conversation_id, "memory_type": body.memory_type, "filter": _checked_filter(body.filter),
    }
    outcome = dispatch.call(COMPAT_DELETE_SELECTED, project.id, selection, timeout=timeout)
    deleted = outcome["deleted"]
    not_found = [i for i in body.memory_ids or [] if i not in set(deleted)]
    return answer({"success": True, "deleted": deleted, "not_found": not_found})


@router.get("/get/memory/{memory_id}")
def get_memory_by_id(memory_id: Annotated[str, Path(max_length=ID_MAX)], project: ProjectDep) -> JSONResponse:
    """One memory of the project, current or archived."""
    memory = dispatch.call(COMPAT_GET_MEMORY, project.id, memory_id, timeout=get_settings().read_timeout_seconds)
    if memory is None:
        raise MemfeedError(ErrorCode.NOT_FOUND, f"unknown memory_id: {memory_id}")
    return answer({**memory_detail(memory), "superseded_by": memory.get("superseded_by"),
                     "invalid_at": iso_time(memory.get("invalid_at")), "task_id": memory.get("source_job_id")})


@router.post("/update/memory")
def update_memory(body: UpdateMemoryRequest, project: ProjectDep, control: ControlDep) -> JSONResponse:
    """New content writes a new version that supersedes the memory (kept, archived, in its
    history); a title or status alone changes it in place."""
    if body.content is None and body.title is None and body.status is None:
        raise MemfeedError(ErrorCode.MISSING_FIELD, "content, title or status is required")
    request_body = body.model_dump(mode="json")
    earlier = write_dedup.earlier_write(control, project.id, "update/memory", request_body)
    if earlier is not None:
        return _updated(project.id, [earlier, body.memory_id])
    new_id = str(uuid.uuid4())
    claim = write_dedup.claim_write(control, project.id, "update/memory", request_body, new_id)
    if not claim.first:
        return _updated(project.id, [claim.job_id, body.memory_id])
    try:
        outcome = dispatch.call(
            COMPAT_UPDATE_MEMORY, project.id, body.memory_id, new_id, body.content, body.title, body.status,
            timeout=get_settings().read_timeout_seconds,
        )
    except MemfeedError:
        write_dedup.release_write(control, project.id, "update/memory", request_body, new_id)
        raise
    if outcome.get("error"):
        write_dedup.release_write(control, project.id, "update/memory", request_body, new_id)
        if outcome["error"] == "not_found":
            raise MemfeedError(ErrorCode.NOT_FOUND, f"unknown memory_id: {body.memory_id}")
        raise MemfeedError(
            ErrorCode.BAD_REQUEST,
            f"memory {body.memory_id} is not the current version (superseded by {outcome.get('superseded_by')}); "
            "update the current one",
        )
    return answer({"success": True, **memory_detail(outcome["memory"])})


def _updated(project_id: str, memory_ids: list[str]) -> JSONResponse:
    """The answer to a repeated update: the version it wrote (or, changed in place, the memory), as it is now."""
    timeout = get_settings().read_timeout_seconds
    for memory_id in memory_ids:
        memory = dispatch.call(COMPAT_GET_MEMORY, project_id, memory_id, timeout=timeout)
        if memory is not None:
            return answer({"success": True, **memory_detail(memory)})
    raise MemfeedError(ErrorCode.NOT_FOUND, f"unknown memory_id: {memory_ids[-1]}")


@router.post("/get/memory/history")
def get_memory_history(body: MemoryHistoryRequest, project: ProjectDep) -> JSONResponse:
    versions = dispatch.call(MEMORY_HISTORY, project.id, body.memory_id, timeout=get_settings().read_timeout_seconds)
    if not versions:
        raise MemfeedError(ErrorCode.NOT_FOUND, f"unknown memory_id: {body.memory_id}")
    return answer({
        "memory_id": body.memory_id,
        "versions": [
            {**memory_detail(v), "superseded_by": v.get("superseded_by"), "invalid_at": iso_time(v.get("invalid_at")),
             "task_id": v.get("source_job_id")}
            for v in versions
        ],
    })
