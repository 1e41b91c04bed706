"""create/knowledgebase, delete/knowledgebase and add/knowledgebase-file."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request

from api import dispatch
from api.deps import ControlDep, ProjectDep, charge_tokens, require_own_knowledgebases
from api.errors import envelope
from api.schemas import AddKnowledgebaseFileRequest, CreateKnowledgebaseRequest, KnowledgebaseRequest
from memfeed.control.jobs import JobStatus
from pipeline.token_count import count_tokens
from workers.chains import DELETE_KNOWLEDGEBASE, INGEST_KNOWLEDGEBASE_FILE

router = APIRouter()


@router.post("/create/knowledgebase")
def create_knowledgebase(body: CreateKnowledgebaseRequest, project: ProjectDep, control: ControlDep) -> dict:
    kb = control.knowledgebases.create(project.id, body.knowledgebase_name, body.knowledgebase_description or "")
    return envelope({"id": kb.id, "knowledgebase_name": kb.name, "knowledgebase_description": kb.description})


@router.post("/delete/knowledgebase")
def delete_knowledgebase(body: KnowledgebaseRequest, project: ProjectDep, control: ControlDep) -> dict:
    require_own_knowledgebases(control, project, [body.knowledgebase_id])
    control.knowledgebases.delete(project.id, body.knowledgebase_id)
    dispatch.enqueue(DELETE_KNOWLEDGEBASE, project.id, body.knowledgebase_id)
    return envelope({"success": True, "id": body.knowledgebase_id})


@router.post("/add/knowledgebase-file")
def add_knowledgebase_file(
    body: AddKnowledgebaseFileRequest, request: Request, project: ProjectDep, control: ControlDep
) -> dict:
    require_own_knowledgebases(control, project, [body.knowledgebase_id])
    charge_tokens(request, project, sum(count_tokens(f.content) for f in body.file))
    job_id = uuid.uuid4().hex
    control.jobs.create(
        job_id, project.id, "knowledgebase_file", body.model_dump(mode="json"), stages=("ingest",), outbox=True
    )
    dispatch.deliver(control.jobs, job_id, lambda: dispatch.enqueue(INGEST_KNOWLEDGEBASE_FILE, job_id))
    return envelope({"success": True, "task_id": job_id, "status": JobStatus.RUNNING.value})
