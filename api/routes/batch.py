"""add/feedback/batch and get/batch: bulk backfill of collected feedback."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.batch_intake import accept_batch
from api.batch_schemas import MAX_BATCH_ITEMS, GetBatchRequest
from api.deps import ControlDep, ProjectDep
from api.errors import MemfeedError, answer
from core.backfill import start_feeder
from core.control import ControlPlane
from core.control.projects import Project
from core.error_codes import ErrorCode

router = APIRouter()


@router.post("/add/feedback/batch")
async def add_feedback_batch(request: Request, project: ProjectDep, control: ControlDep) -> JSONResponse:
    items = _batch_items(await request.body())
    data = await run_in_threadpool(accept_batch, items, project, control)
    return answer(data)


@router.post("/get/batch")
def get_batch(body: GetBatchRequest, project: ProjectDep, control: ControlDep) -> JSONResponse:
    return answer(_batch_status(body, project, control))


def _batch_items(raw: bytes) -> list[Any]:
    try:
        items = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MemfeedError(ErrorCode.BAD_REQUEST, "request body is not valid JSON") from exc
    except RecursionError as exc:
        raise MemfeedError(ErrorCode.BAD_REQUEST, "request body is nested too deeply") from exc
    if not isinstance(items, list):
        raise MemfeedError(ErrorCode.BAD_REQUEST, "request body must be a JSON list of add/feedback bodies")
    if not items:
        raise MemfeedError(ErrorCode.MISSING_FIELD, "the batch is empty: send at least one add/feedback body")
    if len(items) > MAX_BATCH_ITEMS:
        raise MemfeedError(
            ErrorCode.BAD_REQUEST,
            f"a batch holds at most {MAX_BATCH_ITEMS} items, this one has {len(items)}: split it into several",
        )
    return items


def _batch_status(body: GetBatchRequest, project: Project, control: ControlPlane) -> dict[str, Any]:
    batches = control.batches
    batch = batches.get(body.batch_id)
    # Another project's batch is reported exactly like one that does not exist.
    if batch is None or batch.project_id != project.id:
        raise MemfeedError(ErrorCode.NOT_FOUND, f"unknown batch_id: {body.batch_id}")
    running = batches.reconcile(project.id, batch.id)
    batch = batches.get(batch.id) or batch
    if batch.queued and not batches.has_lease(project.id):
        start_feeder(batches, project.id)  # the feeder was lost (a worker died): start another
    failed_items = batches.failures(batch.id, body.failed_offset, body.failed_limit)
    return {
        "batch_id": batch.id,
        "total": batch.total,
        "accepted": batch.accepted,
        "invalid": batch.invalid,
        "skipped": batch.skipped,
        "queued": batch.queued,
        "running": running,
        "completed": batch.completed,
        "ignored": batch.ignored,
        "failed": batch.failed,
        "done": batch.queued == 0 and running == 0,
        "failed_items": failed_items,
        "invalid_items": batch.invalid_items,
        "skipped_items": batch.skipped_items,
    }
