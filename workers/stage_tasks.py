"""The four feedback stages as Celery tasks: thin wrappers over pipeline.stages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from memfeed.control.jobs import JobOutcome
from pipeline import history, stages
from pipeline.job import FeedbackJob
from pipeline.models import AppliedChange, Classification, PlannedChange
from workers import resources
from workers.celery_app import celery_app
from workers.chains import CLASSIFY, LOOKUP, REVERT_FEEDBACK, VALIDATE, WRITE
from workers.stage_runner import StageTask, job_record, load_feedback_job, recorded_stage, skip_stage


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
        try:
            lookup_plan = stages.plan_lookup(job, classification, resources.memory_index(), analyzer)
        except stages.ReplacementRefused as refused:
            detail["refused"] = str(refused)
            return {**state, "valid": False, "reason": f"keyword replacement refused: {refused}"}
        plan = [change.model_dump(mode="json") for change in lookup_plan.changes]
        detail["planned"] = plan
        if lookup_plan.rejected:
            detail["rejected"] = [r.model_dump(mode="json") for r in lookup_plan.rejected]
            if not lookup_plan.changes:
                return {**state, "plan": [], "unresolved": stages.unresolved_reason(lookup_plan.rejected)}
    return {**state, "plan": plan}


@celery_app.task(name=WRITE, base=StageTask, stage_name="write")
def write_task(state: dict[str, Any]) -> dict[str, Any]:
    job_id = state["job_id"]
    jobs = resources.control_plane().jobs
    if not state["valid"]:
        skip_stage(job_id, "write", state["reason"])
        jobs.finish(job_id, JobOutcome.IGNORED, reason=state["reason"])
        return {**state, "outcome": JobOutcome.IGNORED.value}
    if state.get("unresolved"):
        skip_stage(job_id, "write", state["unresolved"])
        jobs.finish(job_id, JobOutcome.UNRESOLVED, reason=state["unresolved"],
                    update_type=state["classification"]["update_type"])
        return {"job_id": job_id, "outcome": JobOutcome.UNRESOLVED.value, "changes": 0}
    job = load_feedback_job(job_id)
    plan = [PlannedChange.model_validate(c) for c in state["plan"]]
    index = resources.memory_index()
    with recorded_stage(job_id, "write") as detail, scope_locks(job):
        # Under the lock the store cannot change; a plan made before it may have gone stale.
        if stages.plan_is_stale(job, plan, index):
            classification = Classification.model_validate(state["classification"])
            plan = stages.plan_lookup(job, classification, index, resources.analyzer_for(job.project_id)).changes
            detail["replanned"] = "a planned memory was superseded by another job meanwhile"
        changes = stages.write(job, plan, index)
        detail["written"] = len(changes)
    update_type = state["classification"]["update_type"]
    serialized = [c.model_dump(mode="json") for c in changes]
    reason = f"{len(changes)} change(s) written" if changes else "nothing in scope to change"
    jobs.finish(job_id, JobOutcome.APPLIED, reason=reason, update_type=update_type, changes=serialized)
    return {"job_id": job_id, "outcome": JobOutcome.APPLIED.value, "changes": len(changes)}


@contextmanager
def scope_locks(job: FeedbackJob) -> Iterator[None]:
    """Every scope the job may change, locked in one global order: no deadlock, no lost update."""
    names = [f"{job.project_id}:user:{job.user_id}"]
    names += [f"{job.project_id}:kb:{kb}" for kb in job.allow_knowledgebase_ids]
    if job.allow_public:
        names.append(f"{job.project_id}:public")
    with ExitStack() as held:
        for name in sorted(set(names)):
            held.enter_context(resources.control_plane().lock(name))
        yield


def undo_failed_write(state: dict[str, Any]) -> None:
    """Called when the write stage has failed for good: leave no half-written state."""
    if state.get("valid") and state.get("plan"):
        job = load_feedback_job(state["job_id"])
        plan = [PlannedChange.model_validate(c) for c in state["plan"]]
        with scope_locks(job):
            stages.undo_write(job, plan, resources.memory_index())


write_task.compensate = undo_failed_write


@celery_app.task(name=REVERT_FEEDBACK, base=StageTask, stage_name="revert")
def revert_task(revert_job_id: str) -> dict[str, Any]:
    """Take back what a feedback job changed; the revert is a job of its own, with its changes."""
    target_id = job_record(revert_job_id).request["task_id"]
    target = job_record(target_id)
    job = load_feedback_job(target_id)
    with recorded_stage(revert_job_id, "revert") as detail, scope_locks(job):
        changes = [AppliedChange.model_validate(c) for c in target.changes]
        outcome = history.revert_changes(resources.store(), changes)
        detail["reverted"] = sum("skipped" not in o for o in outcome)
    jobs = resources.control_plane().jobs
    jobs.mark_reverted(target_id, revert_job_id)
    reason = f"{detail['reverted']} of {len(outcome)} change(s) of {target_id} reverted"
    jobs.finish(revert_job_id, JobOutcome.APPLIED, reason=reason, changes=outcome)
    return {"job_id": revert_job_id, "reverted": detail["reverted"]}
