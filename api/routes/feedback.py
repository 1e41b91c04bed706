"""add/feedback and get/status."""

from __future__ import annotations

import uuid
from typing import Annotated

import redis
from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from redis.client import Pipeline

from api import dispatch, write_dedup
from api.deps import ControlDep, ProjectDep, charge_tokens, require_own_knowledgebases
from api.errors import MemfeedError, answer
from api.presenters import job_status
from api.schemas import AddFeedbackRequest, TaskRequest
from core.chains import REVERT_FEEDBACK, send_feedback_chain
from core.control import ControlPlane
from core.control.idempotency import IdempotencyConflictError
from core.control.jobs import FEEDBACK_STAGES, JobOutcome, JobStatus
from core.control.projects import Project
from core.error_codes import ErrorCode
from core.settings import get_settings
from pipeline.token_count import count_tokens

router = APIRouter()


MAX_IDEMPOTENCY_KEY_LENGTH = 255


def _accepted_earlier(control: ControlPlane, job_id: str) -> dict:
    """The answer to a repeated request: the earlier task, as it stands now."""
    existing = control.jobs.get(job_id)
    status = existing.status.value if existing else JobStatus.RUNNING.value
    return {"success": True, "task_id": job_id, "status": status}


@router.post("/add/feedback")
def add_feedback(
    body: AddFeedbackRequest,
    request: Request,
    project: ProjectDep,
    control: ControlDep,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    require_own_knowledgebases(control, project, body.allow_knowledgebase_ids)
    job_id = uuid.uuid4().hex
    request_body = body.model_dump(mode="json")
    if idempotency_key is not None:
        if not idempotency_key.strip() or len(idempotency_key) > MAX_IDEMPOTENCY_KEY_LENGTH:
            raise MemfeedError(ErrorCode.BAD_REQUEST, "Idempotency-Key must be 1 to 255 characters")
        earlier = _earlier_job(control, project.id, idempotency_key, request_body)
        if earlier is not None:
            return answer(_accepted_earlier(control, earlier))
    elif (earlier := write_dedup.earlier_write(control, project.id, "add/feedback", request_body)) is not None:
        return answer(_accepted_earlier(control, earlier))
    try:
        charge_tokens(request, project, count_tokens(body.feedback_content))
        context = []
        if body.conversation_id:
            turns = get_settings().conversation_context_turns
            recent = control.conversations.recent(project.id, body.conversation_id, turns, user_id=body.user_id)
            context = [m.model_dump() for m in recent]

        def record(pipe: Pipeline | None = None) -> None:
            control.jobs.create(
                job_id, project.id, "feedback", request_body, context=context, stages=FEEDBACK_STAGES,
                outbox=True, pipe=pipe,
            )

        if idempotency_key is None:
            # No key: an identical request within the duplicate-write window is this one retried.
            claim = write_dedup.claim_write(control, project.id, "add/feedback", request_body, job_id, record=record)
            if not claim.first:
                return answer(_accepted_earlier(control, claim.job_id))
        else:
            # The key is claimed and the job recorded in one transaction: never one without the other.
            claim = control.idempotency.claim(project.id, idempotency_key, job_id, request_body, record=record)
            if not claim.first:
                return answer(_accepted_earlier(control, claim.job_id))
    except (redis.exceptions.RedisError, IdempotencyConflictError) as exc:
        if isinstance(exc, IdempotencyConflictError):
            raise MemfeedError(ErrorCode.BAD_REQUEST, str(exc)) from exc
        raise MemfeedError(ErrorCode.SAVE_FAILED, f"saving the feedback failed: {exc}") from exc
    dispatch.deliver(control.jobs, job_id, lambda: send_feedback_chain(job_id))
    return answer({"success": True, "task_id": job_id, "status": "running"})


def _earlier_job(control: ControlPlane, project_id: str, idempotency_key: str, request_body: dict) -> str | None:
    try:
        return control.idempotency.existing(project_id, idempotency_key, request_body)
    except IdempotencyConflictError as exc:
        raise MemfeedError(ErrorCode.BAD_REQUEST, str(exc)) from exc
    except redis.exceptions.RedisError as exc:
        raise MemfeedError(ErrorCode.SAVE_FAILED, f"saving the feedback failed: {exc}") from exc


def _unknown_task(task_id: str) -> MemfeedError:
    days = get_settings().job_retention_days
    return MemfeedError(
        ErrorCode.NOT_FOUND,
        f"unknown task_id: {task_id} (no such task, or it finished more than {days:g} days ago: a finished "
        "task's record is kept for MEMFEED_JOB_RETENTION_DAYS; its memories and their versions remain)",
    )


@router.post("/get/status")
def get_status(body: TaskRequest, project: ProjectDep, control: ControlDep) -> JSONResponse:
    job = control.jobs.get(body.task_id)
    # Another project's task is reported exactly like one that does not exist.
    if job is None or job.project_id != project.id:
        raise _unknown_task(body.task_id)
    return answer(job_status(job))


@router.post("/revert/feedback")
def revert_feedback(body: TaskRequest, project: ProjectDep, control: ControlDep) -> JSONResponse:
    """Undo a feedback job: what it archived is restored, what it wrote is archived."""
    return answer(start_revert(body.task_id, project, control))


def start_revert(task_id: str, project: Project, control: ControlPlane) -> dict:
    """The revert task of an applied feedback job (an earlier one, if it was asked for before)."""
    target = control.jobs.get(task_id)
    if target is None or target.project_id != project.id:
        raise _unknown_task(task_id)
    if target.kind != "feedback" or target.outcome is not JobOutcome.APPLIED:
        state = target.outcome.value if target.outcome else target.status.value
        raise MemfeedError(ErrorCode.BAD_REQUEST, f"only applied feedback can be reverted; this task is {state}")
    if target.reverted_by:
        return _accepted_earlier(control, target.reverted_by)
    revert_id = uuid.uuid4().hex
    # Two reverts of one job at once: the second gets the first's task.
    claim = control.idempotency.claim(
        project.id, f"revert:{target.id}", revert_id, {"task_id": target.id},
        record=lambda pipe: control.jobs.create(
            revert_id, project.id, "revert", {"task_id": target.id}, stages=("revert",), outbox=True, pipe=pipe
        ),
    )
    if not claim.first:
        return _accepted_earlier(control, claim.job_id)
    dispatch.deliver(control.jobs, revert_id, lambda: dispatch.enqueue(REVERT_FEEDBACK, revert_id))
    return {"success": True, "task_id": revert_id, "status": "running"}
