"""The four feedback stages as Celery tasks: thin wrappers over pipeline.stages."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from memfeed.control import review
from memfeed.control.jobs import JobOutcome
from memfeed.control.review import ReviewState
from memfeed.settings import get_settings
from pipeline import history, stages
from pipeline.job import FeedbackJob
from pipeline.models import AppliedChange, Classification
from workers import resources
from workers.celery_app import celery_app
from workers.chains import CLASSIFY, LOOKUP, REVERT_FEEDBACK, VALIDATE, WRITE
from workers.stage_runner import StageTask, feedback_job, job_record, load_feedback_job, recorded_stage, skip_stage
from workers.stage_state import feedback_state


def _job_id(argument: str | dict[str, Any]) -> str:
    """Stages hand each other the job id; a state dict is what an earlier version sent."""
    return argument["job_id"] if isinstance(argument, dict) else argument


@celery_app.task(name=VALIDATE, base=StageTask, stage_name="validate")
def validate_task(argument: str | dict[str, Any]) -> str:
    job_id = _job_id(argument)
    job = load_feedback_job(job_id)
    analyzer = resources.analyzer_for(job.project_id)
    with recorded_stage(job_id, "validate", analyzer) as detail:
        detail.update(stages.validate(job, analyzer).model_dump())
    return job_id


@celery_app.task(name=CLASSIFY, base=StageTask, stage_name="classify")
def classify_task(argument: str | dict[str, Any]) -> str:
    job_id = _job_id(argument)
    record = job_record(job_id)
    state = feedback_state(record)
    if not state.valid:
        skip_stage(job_id, "classify", "feedback is not a valid correction")
        return job_id
    job = feedback_job(record)
    analyzer = resources.analyzer_for(job.project_id)
    with recorded_stage(job_id, "classify", analyzer) as detail:
        detail.update(stages.classify(job, analyzer).model_dump(mode="json"))
    return job_id


@celery_app.task(name=LOOKUP, base=StageTask, stage_name="lookup")
def lookup_task(argument: str | dict[str, Any]) -> str:
    job_id = _job_id(argument)
    record = job_record(job_id)
    state = feedback_state(record)
    if not state.valid or state.classification is None:
        skip_stage(job_id, "lookup", "feedback is not a valid correction")
        return job_id
    job = feedback_job(record)
    analyzer = resources.analyzer_for(job.project_id)
    with recorded_stage(job_id, "lookup", analyzer) as detail:
        try:
            lookup_plan = stages.plan_lookup(job, state.classification, resources.memory_index(), analyzer)
        except stages.ReplacementRefused as refused:
            detail["refused"] = str(refused)
            return job_id
        detail["planned"] = [change.model_dump(mode="json") for change in lookup_plan.changes]
        if lookup_plan.rejected:
            detail["rejected"] = [r.model_dump(mode="json") for r in lookup_plan.rejected]
    return job_id


@celery_app.task(name=WRITE, base=StageTask, stage_name="write")
def write_task(argument: str | dict[str, Any]) -> str:
    job_id = _job_id(argument)
    jobs = resources.control_plane().jobs
    record = job_record(job_id)
    state = feedback_state(record)
    if not state.valid or state.classification is None:
        skip_stage(job_id, "write", state.reason)
        jobs.finish(job_id, JobOutcome.IGNORED, reason=state.reason, confidence=state.confidence)
        return job_id
    update_type = state.classification.update_type.value
    if state.unresolved:
        skip_stage(job_id, "write", state.unresolved)
        jobs.finish(job_id, JobOutcome.UNRESOLVED, reason=state.unresolved, update_type=update_type,
                    confidence=state.confidence)
        return job_id
    if state.plan and _held_for_review(record.project_id, state.confidence):
        skip_stage(job_id, "write", "held for review: nothing is written until an operator approves the plan")
        jobs.finish(job_id, JobOutcome.HELD, reason=f"{len(state.plan)} change(s) proposed, awaiting review",
                    update_type=update_type, confidence=state.confidence,
                    review={"state": ReviewState.PENDING.value, "held_at": time.time()})
        return job_id
    job = feedback_job(record)
    plan = state.plan
    index = resources.memory_index()
    with recorded_stage(job_id, "write") as detail, scope_locks(job):
        # Under the lock the store cannot change; a plan made before it may have gone stale.
        if stages.plan_is_stale(job, plan, index):
            plan = stages.plan_lookup(job, state.classification, index, resources.analyzer_for(job.project_id)).changes
            detail["replanned"] = "a planned memory was superseded by another job meanwhile"
        changes = stages.write(job, plan, index)
        detail["written"] = len(changes)
    if not changes:
        # Valid, but nothing to change: the job completed and nothing was applied.
        jobs.finish(job_id, JobOutcome.IGNORED, reason=_nothing_written(state.classification), update_type=update_type,
                    confidence=state.confidence)
        return job_id
    serialized = [c.model_dump(mode="json") for c in changes]
    jobs.finish(job_id, JobOutcome.APPLIED, reason=f"{len(changes)} change(s) written", update_type=update_type,
                changes=serialized, confidence=state.confidence)
    return job_id


def _held_for_review(project_id: str, confidence: float) -> bool:
    project = resources.control_plane().projects.get(project_id)
    policy = project.review_policy if project is not None else None
    return review.holds(policy, confidence, get_settings().review_confidence_threshold)


def _nothing_written(classification: Classification) -> str:
    if classification.keyword is not None:
        return f"no memory in scope contains '{classification.keyword.original}'"
    return "nothing in scope to change"


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


def undo_failed_write(argument: str | dict[str, Any]) -> None:
    """Called when the write stage has failed for good: leave no half-written state."""
    job_id = _job_id(argument)
    record = job_record(job_id)
    state = feedback_state(record)
    if state.valid and state.plan:
        job = feedback_job(record)
        with scope_locks(job):
            stages.undo_write(job, state.plan, resources.memory_index())


write_task.compensate = undo_failed_write


@celery_app.task(name=REVERT_FEEDBACK, base=StageTask, stage_name="revert")
def revert_task(revert_job_id: str) -> dict[str, Any]:
    """Take back what a feedback job changed; the revert is a job of its own, with its changes."""
    target_id = job_record(revert_job_id).request["task_id"]
    target = job_record(target_id)
    job = feedback_job(target)
    with recorded_stage(revert_job_id, "revert") as detail, scope_locks(job):
        changes = [AppliedChange.model_validate(c) for c in target.changes]
        outcome = history.revert_changes(resources.store(), changes)
        detail["reverted"] = sum("skipped" not in o for o in outcome)
    jobs = resources.control_plane().jobs
    jobs.mark_reverted(target_id, revert_job_id)
    reason = f"{detail['reverted']} of {len(outcome)} change(s) of {target_id} reverted"
    jobs.finish(revert_job_id, JobOutcome.APPLIED, reason=reason, changes=outcome)
    return {"job_id": revert_job_id, "reverted": detail["reverted"]}
