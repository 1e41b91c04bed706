"""add/message and get/message: conversation context, and memories from the user's turns."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api import dispatch, write_dedup
from api.deps import ControlDep, ProjectDep, charge_tokens
from api.errors import MemfeedError, answer
from api.schemas import AddMessageRequest, GetMessageRequest
from core.chains import INGEST_MESSAGES
from core.control import ControlPlane
from core.control.jobs import JobStatus
from core.error_codes import ErrorCode
from core.settings import get_settings
from pipeline.models import Message
from pipeline.token_count import count_message_tokens

router = APIRouter()


@router.post("/add/message")
def add_message(body: AddMessageRequest, request: Request, project: ProjectDep, control: ControlDep) -> JSONResponse:
    if not body.user_id and not body.agent_id:
        raise MemfeedError(ErrorCode.MISSING_FIELD, "user_id or agent_id is required")
    request_body = body.model_dump(mode="json")
    earlier = write_dedup.earlier_write(control, project.id, "add/message", request_body)
    if earlier is not None:
        return _accepted_before(control, earlier)
    charge_tokens(request, project, count_message_tokens([m.content for m in body.messages]))
    job_id = uuid.uuid4().hex
    claim = write_dedup.claim_write(
        control, project.id, "add/message", request_body, job_id,
        record=lambda pipe: control.jobs.create(
            job_id, project.id, "add_message", request_body, stages=("extract",), outbox=body.async_mode, pipe=pipe
        ),
    )
    if not claim.first:
        return _accepted_before(control, claim.job_id)
    if body.conversation_id:
        messages = [Message(role=m.role, content=m.content) for m in body.messages]
        for user_id in dict.fromkeys(user for user, _ in body.subjects()):
            control.conversations.append(project.id, body.conversation_id, user_id, messages)
    if body.async_mode:
        dispatch.deliver(control.jobs, job_id, lambda: dispatch.enqueue(INGEST_MESSAGES, job_id))
        return answer({"success": True, "task_id": job_id, "status": JobStatus.RUNNING.value})
    result = dispatch.call(INGEST_MESSAGES, job_id, timeout=get_settings().read_timeout_seconds)
    return answer({"success": True, "task_id": job_id, "status": JobStatus.COMPLETED.value, **result})


def _accepted_before(control: ControlPlane, job_id: str) -> JSONResponse:
    """The answer to a repeated add/message: the earlier task, as it stands now."""
    job = control.jobs.get(job_id)
    status = job.status.value if job else JobStatus.RUNNING.value
    return answer({"success": True, "task_id": job_id, "status": status, **((job.result or {}) if job else {})})


@router.post("/get/message")
def get_message(body: GetMessageRequest, project: ProjectDep, control: ControlDep) -> JSONResponse:
    turns = [
        {"role": t["role"], "content": t["content"], "user_id": t.get("user_id")}
        for t in control.conversations.all(project.id, body.conversation_id)
        if t.get("user_id") == body.user_id
    ]
    return answer({"conversation_id": body.conversation_id, "message_detail_list": turns})
