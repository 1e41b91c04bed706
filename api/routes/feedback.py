"""add/feedback and get/status."""

from __future__ import annotations

import uuid

import redis
from fastapi import APIRouter, Request

from api.deps import ControlDep, ProjectDep, charge_tokens, require_own_knowledgebases
from api.errors import ErrorCode, MemfeedError, envelope
from api.presenters import job_status
from api.schemas import AddFeedbackRequest, TaskRequest
from memfeed.control.jobs import FEEDBACK_STAGES
from memfeed.settings import get_settings
from pipeline.token_count import count_tokens
from workers.chains import feedback_chain

router = APIRouter()


@router.post("/add/feedback")
def add_feedback(body: AddFeedbackRequest, request: Request, project: ProjectDep, control: ControlDep) -> dict:
    require_own_knowledgebases(control, project, body.allow_knowledgebase_ids)
    charge_tokens(request, project, count_tokens(body.feedback_content))
    job_id = uuid.uuid4().hex
    try:
        context = []
        if body.conversation_id:
            turns = get_settings().conversation_context_turns
            context = [m.model_dump() for m in control.conversations.recent(project.id, body.conversation_id, turns)]
        control.jobs.create(
            job_id, project.id, "feedback", body.model_dump(mode="json"), context=context, stages=FEEDBACK_STAGES
        )
        feedback_chain(job_id).apply_async()
    except redis.exceptions.RedisError as exc:
        raise MemfeedError(ErrorCode.SAVE_FAILED, f"saving the feedback failed: {exc}") from exc
    return envelope({"success": True, "task_id": job_id, "status": "running"})


@router.post("/get/status")
def get_status(body: TaskRequest, project: ProjectDep, control: ControlDep) -> dict:
    job = control.jobs.get(body.task_id)
    # Another project's task is reported exactly like one that does not exist.
    if job is None or job.project_id != project.id:
        raise MemfeedError(ErrorCode.NOT_FOUND, f"unknown task_id: {body.task_id}")
    return envelope(job_status(job))
