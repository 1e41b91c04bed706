"""The four feedback stages as Celery tasks: thin wrappers over pipeline.stages."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from memfeed.control.jobs import JobOutcome
from pipeline import stages
from pipeline.models import Classification, PlannedChange, ScopeKind
from workers import resources
from workers.celery_app import celery_app
from workers.chains import CLASSIFY, LOOKUP, VALIDATE, WRITE
from workers.stage_runner import StageTask, load_feedback_job, recorded_stage, skip_stage


@celery_app.task(name=VALIDATE, base=StageTask, stage_name="validate")
def validate_task(job_id: str) -> dict[str, Any]:
    job = load_feedback_job(job_id)
    analyzer = resources.analyzer_for(job.project_id)
    with recorded_stage(job_id, "validate", analyzer) as detail:
        decision = stages.validate(job, analyzer)
        detail.update(decision.model_dump())
    return {"job_id": job_id, "valid": decision.valid, "reason": decision.reason}


@celery_app.task(name=CLASSIFY, base=StageTask, stage_name="classify")
def classify_task(state: dict[str, Any]) -> dict[str, Any]:
    job_id = state["job_id"]
    if not state["valid"]:
        skip_stage(job_id, "classify", "feedback is not a valid correction")
        return state
    job = load_feedback_job(job_id)
    analyzer = resources.analyzer_for(job.project_id)
    with recorded_stage(job_id, "classify", analyzer) as detail:
        classification = stages.classify(job, analyzer)
        detail.update(classification.model_dump(mode="json"))
    return {**state, "classification": classification.model_dump(mode="json")}


@celery_app.task(name=LOOKUP, base=StageTask, stage_name="lookup")
def lookup_task(state: dict[str, Any]) -> dict[str, Any]:
    job_id = state["job_id"]
    if not state["valid"]:
        skip_stage(job_id, "lookup", "feedback is not a valid correction")
        return state
    job = load_feedback_job(job_id)
    analyzer = resources.analyzer_for(job.project_id)
    classification = Classification.model_validate(state["classification"])
    with recorded_stage(job_id, "lookup", analyzer) as detail:
        plan = stages.lookup(job, classification, resources.memory_index(), analyzer)
        detail["planned"] = [change.model_dump(mode="json") for change in plan]
    return {**state, "plan": [change.model_dump(mode="json") for change in plan]}


@celery_app.task(name=WRITE, base=StageTask, stage_name="write")
def write_task(state: dict[str, Any]) -> dict[str, Any]:
    job_id = state["job_id"]
    jobs = resources.control_plane().jobs
    if not state["valid"]:
        skip_stage(job_id, "write", "feedback is not a valid correction")
        jobs.finish(job_id, JobOutcome.IGNORED, reason=state["reason"])
        return {**state, "outcome": JobOutcome.IGNORED.value}
    job = load_feedback_job(job_id)
    plan = [PlannedChange.model_validate(c) for c in state["plan"]]
    with recorded_stage(job_id, "write") as detail, ExitStack() as locks:
        for name in _scope_lock_names(job.project_id, job.user_id, plan):
            lock = resources.control_plane().lock(name)
            if not lock.acquire():
                raise TimeoutError(f"could not lock scope {name}")
            locks.callback(lock.release)
        changes = stages.write(job, plan, resources.memory_index())
        detail["written"] = len(changes)
    update_type = state["classification"]["update_type"]
    serialized = [c.model_dump(mode="json") for c in changes]
    reason = f"{len(changes)} change(s) written" if changes else "nothing in scope to change"
    jobs.finish(job_id, JobOutcome.APPLIED, reason=reason, update_type=update_type, changes=serialized)
    return {"job_id": job_id, "outcome": JobOutcome.APPLIED.value, "changes": len(changes)}


def _scope_lock_names(project_id: str, user_id: str, plan: list[PlannedChange]) -> list[str]:
    """One lock per scope the plan touches, always taken in the same order."""
    names = {f"{project_id}:user:{user_id}"}
    for change in plan:
        if change.scope_kind is ScopeKind.KNOWLEDGEBASE and change.knowledgebase_id:
            names.add(f"{project_id}:kb:{change.knowledgebase_id}")
        elif change.scope_kind is ScopeKind.PUBLIC:
            names.add(f"{project_id}:public")
    return sorted(names)
