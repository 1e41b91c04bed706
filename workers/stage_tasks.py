"""The four feedback stages as Celery tasks: thin wrappers over pipeline.stages."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from core.celery_app import celery_app
from core.chains import CLASSIFY, LOOKUP, REVERT_FEEDBACK, VALIDATE, WRITE
from core.control import review
from core.control.jobs import JobOutcome
from core.control.review import ReviewState
from core.settings import get_settings
from pipeline import history, stages
from pipeline.job import FeedbackJob
from pipeline.models import AppliedChange, Classification
from workers import resources
from workers.stage_runner import StageRun, StageTask, end_chain, feedback_job, job_record, running_stage
from workers.stage_state import FeedbackState, feedback_state


def _job_id(argument: str | dict[str, Any]) -> str:
    """Stages hand each other the job id; a state dict is what an earlier version sent."""
    return argument["job_id"] if isinstance(argument, dict) else argument


@celery_app.task(name=VALIDATE, base=StageTask, stage_name="validate")
def validate_task(argument: str | dict[str, Any]) -> str:
    job_id = _job_id(argument)
    with running_stage(job_id, "validate") as run:
        job = feedback_job(run.record)
        run.analyzer = resources.analyzer_for(job.project_id)
        decision = stages.validate(job, run.analyzer)
        run.detail.update(decision.model_dump())
        if not decision.valid:
            run.end_job(JobOutcome.IGNORED, decision.reason, confidence=decision.confidence)
    if run.settlement is not None:
        end_chain(validate_task)
    return job_id


@celery_app.task(name=CLASSIFY, base=StageTask, stage_name="classify")
def classify_task(argument: str | dict[str, Any]) -> str:
    job_id = _job_id(argument)
    with running_stage(job_id, "classify") as run:
        state = feedback_state(run.record)
        if not _ended_if_invalid(run, state, classified=False):
            job = feedback_job(run.record)
            run.analyzer = resources.analyzer_for(job.project_id)
            run.detail.update(stages.classify(job, run.analyzer).model_dump(mode="json"))
    if run.settlement is not None:
        end_chain(classify_task)
    return job_id


@celery_app.task(name=LOOKUP, base=StageTask, stage_name="lookup")
def lookup_task(argument: str | dict[str, Any]) -> str:
    job_id = _job_id(argument)
    with running_stage(job_id, "lookup") as run:
        state = feedback_state(run.record)
        if not _ended_if_invalid(run, state):
            assert state.classification is not None
            job = feedback_job(run.record)
            run.analyzer = resources.analyzer_for(job.project_id)
            _plan(run, job, state.classification, state.confidence)
    if run.settlement is not None:
        end_chain(lookup_task)
    return job_id


def _plan(run: StageRun, job: FeedbackJob, classification: Classification, confidence: float) -> None:
    """The lookup: what the write stage is to change. A job with nothing to write ends here."""
    assert run.analyzer is not None
    update_type = classification.update_type.value
    try:
        lookup_plan = stages.plan_lookup(job, classification, resources.memory_index(), run.analyzer)
    except stages.ReplacementRefused as refused:
        run.detail["refused"] = str(refused)
        run.end_job(JobOutcome.IGNORED, f"keyword replacement refused: {refused}", confidence=confidence)
        return
    run.detail["planned"] = [change.model_dump(mode="json") for change in lookup_plan.changes]
    if lookup_plan.rejected:
        run.detail["rejected"] = [r.model_dump(mode="json") for r in lookup_plan.rejected]
    confidence = min([confidence, *(change.confidence for change in lookup_plan.changes)])
    if not lookup_plan.changes:
        if lookup_plan.rejected:
            run.end_job(JobOutcome.UNRESOLVED, stages.unresolved_reason(lookup_plan.rejected),
                        update_type=update_type, confidence=confidence)
        else:
            # Valid, but nothing to change: the job completed and nothing was applied.
            run.end_job(JobOutcome.IGNORED, _nothing_written(classification), update_type=update_type,
                        confidence=confidence)
    elif review.holds(run.project_settings.get("review_policy"), confidence,
                      get_settings().review_confidence_threshold):
        run.end_job(JobOutcome.HELD, f"{len(lookup_plan.changes)} change(s) proposed, awaiting review",
                    later_stages_skipped="held for review: nothing is written until an operator approves the plan",
                    update_type=update_type, confidence=confidence,
                    review={"state": ReviewState.PENDING.value, "held_at": time.time()})


def _ended_if_invalid(run: StageRun, state: FeedbackState, classified: bool = True) -> bool:
    """A job whose earlier stages ended it without ending the chain (recorded by an earlier
    version) ends at the next stage."""
    if state.valid and (state.classification is not None or not classified):
        return False
    run.skip(state.reason or "feedback is not a valid correction")
    run.end_job(JobOutcome.IGNORED, state.reason or "feedback is not a valid correction", confidence=state.confidence)
    return True


@celery_app.task(name=WRITE, base=StageTask, stage_name="write")
def write_task(argument: str | dict[str, Any]) -> str:
    job_id = _job_id(argument)
    with running_stage(job_id, "write") as run:
        state = feedback_state(run.record)
        if _ended_if_invalid(run, state) or _ended_without_plan(run, state):
            return job_id
        assert state.classification is not None
        job = feedback_job(run.record)
        index = resources.memory_index()
        plan = state.plan
        with scope_locks(job):
            # Under the lock the store cannot change; a plan made before it may have gone stale.
            if stages.plan_is_stale(job, plan, index):
                plan = stages.plan_lookup(job, state.classification, index, resources.analyzer_for(job.project_id)).changes
                run.detail["replanned"] = "a planned memory was superseded by another job meanwhile"
            changes = stages.write(job, plan, index)
        run.detail["written"] = len(changes)
        update_type = state.classification.update_type.value
        if changes:
            run.end_job(JobOutcome.APPLIED, f"{len(changes)} change(s) written", update_type=update_type,
                        changes=[c.model_dump(mode="json") for c in changes], confidence=state.confidence)
        else:
            run.end_job(JobOutcome.IGNORED, _nothing_written(state.classification), update_type=update_type,
                        confidence=state.confidence)
    return job_id


def _ended_without_plan(run: StageRun, state: FeedbackState) -> bool:
    """A job whose lookup planned nothing but did not end it (recorded by an earlier version)."""
    if state.plan:
        return False
    assert state.classification is not None
    update_type = state.classification.update_type.value
    reason = state.unresolved or _nothing_written(state.classification)
    run.skip(reason)
    run.end_job(JobOutcome.UNRESOLVED if state.unresolved else JobOutcome.IGNORED, reason, update_type=update_type,
                confidence=state.confidence)
    return True


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
    with running_stage(revert_job_id, "revert") as run:
        target_id = run.record.request["task_id"]
        target = job_record(target_id)
        job = feedback_job(target)
        with scope_locks(job):
            changes = [AppliedChange.model_validate(c) for c in target.changes]
            outcome = history.revert_changes(resources.store(), changes)
        run.detail["reverted"] = sum("skipped" not in o for o in outcome)
        resources.control_plane().jobs.mark_reverted(target_id, revert_job_id)
        reason = f"{run.detail['reverted']} of {len(outcome)} change(s) of {target_id} reverted"
        run.end_job(JobOutcome.APPLIED, reason, changes=outcome)
    return {"job_id": revert_job_id, "reverted": run.detail["reverted"]}
