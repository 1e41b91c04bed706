"""create/ and delete/knowledgebase, and its files: add/, get/ and delete/knowledgebase-file."""

from __future__ import annotations

import time
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api import dispatch, write_dedup
from api.deps import ControlDep, ProjectDep, charge_tokens, require_own_knowledgebases
from api.errors import MemfeedError, answer
from api.kb_file_upload import openapi_body, read_request
from api.presenters import iso_time
from api.schemas import (
    AddKnowledgebaseFileRequest,
    CreateKnowledgebaseRequest,
    DeleteKnowledgebaseFileRequest,
    GetKnowledgebaseFileRequest,
    KnowledgebaseRequest,
)
from core.chains import COMPAT_DELETE_KB_FILES, DELETE_KNOWLEDGEBASE, INGEST_KNOWLEDGEBASE_FILE
from core.control import ControlPlane
from core.control.jobs import JobStatus
from core.control.kb_files import KnowledgebaseFileRecord, file_id_for
from core.control.knowledgebases import Knowledgebase
from core.control.projects import Project
from core.error_codes import ErrorCode
from core.settings import get_settings
from pipeline.token_count import count_tokens

router = APIRouter()


def _knowledgebase(kb: Knowledgebase) -> JSONResponse:
    return answer({"id": kb.id, "knowledgebase_name": kb.name, "knowledgebase_description": kb.description})


@router.post("/create/knowledgebase")
def create_knowledgebase(body: CreateKnowledgebaseRequest, project: ProjectDep, control: ControlDep) -> JSONResponse:
    request_body = body.model_dump(mode="json")
    earlier = write_dedup.earlier_write(control, project.id, "create/knowledgebase", request_body)
    if earlier is not None and (kb := control.knowledgebases.get(earlier)) is not None:
        return _knowledgebase(kb)
    kb_id = uuid.uuid4().hex
    claim = write_dedup.claim_write(control, project.id, "create/knowledgebase", request_body, kb_id)
    if not claim.first:
        kb = control.knowledgebases.get(claim.job_id)
        return _knowledgebase(kb) if kb else answer({"id": claim.job_id, **request_body})
    try:
        description = body.knowledgebase_description or ""
        kb = control.knowledgebases.create(project.id, body.knowledgebase_name, description, kb_id)
    except Exception:
        write_dedup.release_write(control, project.id, "create/knowledgebase", request_body, kb_id)
        raise
    return _knowledgebase(kb)


@router.post("/delete/knowledgebase")
def delete_knowledgebase(body: KnowledgebaseRequest, project: ProjectDep, control: ControlDep) -> JSONResponse:
    require_own_knowledgebases(control, project, [body.knowledgebase_id])
    control.knowledgebases.delete(project.id, body.knowledgebase_id)
    control.kb_files.delete_knowledgebase(project.id, body.knowledgebase_id)
    dispatch.enqueue(DELETE_KNOWLEDGEBASE, project.id, body.knowledgebase_id)
    return answer({"success": True, "id": body.knowledgebase_id})


@router.post("/add/knowledgebase-file", openapi_extra=openapi_body())
async def add_knowledgebase_file(request: Request, project: ProjectDep, control: ControlDep) -> JSONResponse:
    """A JSON body `{knowledgebase_id, file: [{name, content}]}`, or multipart/form-data `file` parts
    (UTF-8 text) with `knowledgebase_id` in the query or the form. Each file's paragraphs become
    memories of the knowledge base; `data` lists the files, each with its id and task_id."""
    body, file_type = await read_request(request)
    return await run_in_threadpool(_accept_files, body, file_type, request, project, control)


def _accept_files(
    body: AddKnowledgebaseFileRequest, file_type: str | None, request: Request, project: Project, control: ControlPlane
) -> JSONResponse:
    require_own_knowledgebases(control, project, [body.knowledgebase_id])
    request_body = body.model_dump(mode="json")
    earlier = write_dedup.earlier_write(control, project.id, "add/knowledgebase-file", request_body)
    if earlier is not None:
        return _files_of_task(control, project.id, earlier)
    charge_tokens(request, project, sum(count_tokens(f.content) for f in body.file))
    job_id = uuid.uuid4().hex
    now = time.time()
    files = [
        KnowledgebaseFileRecord(
            id=file_id_for(job_id, position), project_id=project.id, knowledgebase_id=body.knowledgebase_id,
            name=item.name, type=file_type, size=len(item.content), task_id=job_id, position=position, created_at=now,
        )
        for position, item in enumerate(body.file)
    ]

    def record(pipe: Any) -> None:
        control.jobs.create(job_id, project.id, "knowledgebase_file", request_body, stages=("ingest",), outbox=True,
                            pipe=pipe)
        control.kb_files.add(files, pipe=pipe)

    claim = write_dedup.claim_write(control, project.id, "add/knowledgebase-file", request_body, job_id, record=record)
    if not claim.first:
        return _files_of_task(control, project.id, claim.job_id)
    dispatch.deliver(control.jobs, job_id, lambda: dispatch.enqueue(INGEST_KNOWLEDGEBASE_FILE, job_id))
    return answer([_file_detail(f, JobStatus.RUNNING.value) for f in files])


def _files_of_task(control: ControlPlane, project_id: str, job_id: str) -> JSONResponse:
    """The answer to a repeated request: the files the first one added, as they stand now."""
    job = control.jobs.get(job_id)
    count = len(job.request.get("file", [])) if job else 0
    files = control.kb_files.get(project_id, [file_id_for(job_id, n) for n in range(count)])
    return answer([_file_detail(f, _status(control, f)) for f in files])


def _status(control: ControlPlane, file: KnowledgebaseFileRecord) -> str:
    # A finished task's record expires after MEMFEED_JOB_RETENTION_DAYS; its file stays, ingested.
    status = control.jobs.status(file.task_id)
    return status.value if status else JobStatus.COMPLETED.value


def _file_detail(file: KnowledgebaseFileRecord, status: str) -> dict:
    return {
        "id": file.id, "name": file.name, "knowledgebase_id": file.knowledgebase_id, "type": file.type,
        "size": file.size, "task_id": file.task_id, "status": status, "success": True,
        "create_time": iso_time(file.created_at),
    }


@router.post("/get/knowledgebase-file")
def get_knowledgebase_file(body: GetKnowledgebaseFileRequest, project: ProjectDep, control: ControlDep) -> JSONResponse:
    """By `file_ids` (the project's among them), or a page of a knowledge base's files (oldest first)."""
    if bool(body.file_ids) == bool(body.knowledgebase_id):
        raise MemfeedError(
            ErrorCode.MISSING_FIELD if not body.file_ids else ErrorCode.BAD_REQUEST,
            "exactly one of file_ids and knowledgebase_id is required",
        )
    if body.file_ids:
        files = control.kb_files.get(project.id, body.file_ids)
        total = len(files)
    else:
        require_own_knowledgebases(control, project, [body.knowledgebase_id])
        files, total = control.kb_files.page(project.id, body.knowledgebase_id, 0, 1_000_000)
        if body.type:
            files = [f for f in files if f.type == body.type]
            total = len(files)
        start = (body.page - 1) * body.page_size
        files = files[start : start + body.page_size]
    return answer({
        "file_detail_list": [_file_detail(f, _status(control, f)) for f in files],
        "total": total, "page": body.page, "page_size": body.page_size,
    })


@router.post("/delete/knowledgebase-file")
def delete_knowledgebase_file(body: DeleteKnowledgebaseFileRequest, project: ProjectDep, control: ControlDep) -> JSONResponse:
    """Deletes each file's memories and every version feedback wrote of them; ids that are not the
    project's files are reported in `not_found`."""
    files = control.kb_files.get(project.id, body.file_ids)
    for file in files:
        if control.jobs.status(file.task_id) is JobStatus.RUNNING:
            raise MemfeedError(
                ErrorCode.BAD_REQUEST,
                f"file {file.id} is still being ingested (task {file.task_id}); delete it once its task completed",
            )
    outcome = {"deleted_memories": []}
    if files:
        targets = [{"knowledgebase_id": f.knowledgebase_id, "task_id": f.task_id, "name": f.name} for f in files]
        outcome = dispatch.call(
            COMPAT_DELETE_KB_FILES, project.id, targets, timeout=get_settings().read_timeout_seconds
        )
        control.kb_files.delete(files)
    found = {f.id for f in files}
    return answer({
        "success": True, "deleted": sorted(found), "not_found": [i for i in body.file_ids if i not in found],
        "deleted_memories": len(outcome["deleted_memories"]),
    })
