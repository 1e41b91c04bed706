"""add/message and get/message: conversation context, and memories from the user's turns."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request

from api import dispatch
from api.deps import ControlDep, ProjectDep, charge_tokens
from api.errors import envelope
from api.schemas import AddMessageRequest, GetMessageRequest
from memfeed.control.jobs import JobStatus
from memfeed.settings import get_settings
from pipeline.models import Message
from pipeline.token_count import count_message_tokens
from workers.chains import INGEST_MESSAGES

router = APIRouter()


@router.post("/add/message")
def add_message(body: AddMessageRequest, request: Request, project: ProjectDep, control: ControlDep) -> dict:
    charge_tokens(request, project, count_message_tokens([m.content for m in body.messages]))
    job_id = uuid.uuid4().hex
    messages = [Message(role=m.role, content=m.content) for m in body.messages]
    control.conversations.append(project.id, body.conversation_id, body.user_id, messages)
    control.jobs.create(
        job_id, project.id, "add_message", body.model_dump(mode="json"), stages=("extract",), outbox=body.async_mode
    )
    if body.async_mode:
        dispatch.deliver(control.jobs, job_id, lambda: dispatch.enqueue(INGEST_MESSAGES, job_id))
        return envelope({"success": True, "task_id": job_id, "status": JobStatus.RUNNING.value})
    result = dispatch.call(INGEST_MESSAGES, job_id, timeout=get_settings().read_timeout_seconds)
    return envelope({"success": True, "task_id": job_id, "status": JobStatus.COMPLETED.value, **result})


@router.post("/get/message")
def get_message(body: GetMessageRequest, project: ProjectDep, control: ControlDep) -> dict:
    turns = [
        {"role": t["role"], "content": t["content"], "user_id": t.get("user_id")}
        for t in control.conversations.all(project.id, body.conversation_id)
        if t.get("user_id") == body.user_id
    ]
    return envelope({"conversation_id": body.conversation_id, "message_detail_list": turns})
