"""The review queue: held feedback jobs, their approval or rejection, the project's policy."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse
from pydantic import Field

from api.deps import ControlDep, ProjectDep
from api.errors import answer
from api.review_actions import decide, held_summary, key_fingerprint
from api.schemas import MemosRequest, TaskRequest
from core.control import ControlPlane
from core.control.projects import Project
from core.control.review import ReviewPolicy, ReviewState
from core.settings import get_settings

router = APIRouter()


class ReviewListRequest(MemosRequest):
    offset: int = Field(default=0, ge=0, le=1_000_000)
    limit: int = Field(default=20, ge=1, le=100)


class ReviewPolicyRequest(MemosRequest):
    policy: Literal["apply", "review_uncertain", "review_all"] | None = None


def _caller(authorization: str | None) -> str:
    # current_project has checked the header already.
    return key_fingerprint((authorization or "").strip().partition(" ")[2].strip())


@router.post("/review/list")
def list_held(body: ReviewListRequest, project: ProjectDep, control: ControlDep) -> JSONResponse:
    """Held feedback jobs awaiting a decision, oldest first, each with the plan approval writes."""
    records, total = control.reviews.pending(project.id, body.offset, body.limit)
    return answer({
        "total": total,
        "items": [held_summary(record) for record in records],
        "policy": project.review_policy or ReviewPolicy.APPLY.value,
        "threshold": get_settings().review_confidence_threshold,
    })


@router.post("/review/approve")
def approve(body: TaskRequest, project: ProjectDep, control: ControlDep,
            authorization: Annotated[str | None, Header()] = None) -> JSONResponse:
    return _decided(body.task_id, ReviewState.APPROVED, project, control, authorization)


@router.post("/review/reject")
def reject(body: TaskRequest, project: ProjectDep, control: ControlDep,
           authorization: Annotated[str | None, Header()] = None) -> JSONResponse:
    return _decided(body.task_id, ReviewState.REJECTED, project, control, authorization)


def _decided(
    task_id: str, state: ReviewState, project: Project, control: ControlPlane, authorization: str | None
) -> JSONResponse:
    decision = decide(control, project, task_id, state, _caller(authorization), "api")
    return answer({"task_id": task_id, "state": decision.state, "changed": decision.changed,
                     "review": decision.review})


@router.post("/review/policy")
def review_policy(body: ReviewPolicyRequest, project: ProjectDep, control: ControlDep) -> JSONResponse:
    if body.policy is not None:
        project = control.projects.set_field(project.id, "review_policy", body.policy)
    return answer({"policy": project.review_policy or ReviewPolicy.APPLY.value,
                     "threshold": get_settings().review_confidence_threshold})
