"""Writing a held feedback job's plan once an operator approved it.

Exactly the plan the job proposed is written, under the same scope locks as the write stage, and
re-planned if another job superseded one of its memories meanwhile. The record is read again
under the lock: an approval delivered twice (a redelivered task, the sweeper's relay) writes
nothing the second time.
"""

from __future__ import annotations

import time

from core.celery_app import celery_app
from core.chains import APPLY_REVIEWED
from core.control.jobs import JobOutcome, JobRecord, StageRecord
from core.control.review import ReviewState
from pipeline import stages
from workers import resources
from workers.stage_runner import RETRYABLE_ERRORS, feedback_job
from workers.stage_state import feedback_state
from workers.stage_tasks import scope_locks


def _awaiting_writing(job_id: str) -> JobRecord | None:
    """The job's record if it was approved and its plan not written yet."""
    record = resources.control_plane().jobs.get(job_id)
    if record is None or record.outcome is not JobOutcome.HELD:
        return None
    return record if (record.review or {}).get("state") == ReviewState.APPROVED else None


@celery_app.task(name=APPLY_REVIEWED, acks_late=True, ignore_result=True,
                 autoretry_for=RETRYABLE_ERRORS, retry_backoff=True, retry_backoff_max=30, max_retries=20)
def apply_reviewed(job_id: str) -> str:
    control = resources.control_plane()
    record = _awaiting_writing(job_id)
    if record is None:
        control.reviews.applied(job_id)
        return "nothing to apply"
    job = feedback_job(record)
    state = feedback_state(record)
    assert state.classification is not None  # a held job had a plan, hence a classification
    index = resources.memory_index()
    started = time.time()
    detail: dict = {"approved": True}
    with scope_locks(job):
        current = _awaiting_writing(job_id)
        if current is None:  # another delivery of this approval wrote it meanwhile
            control.reviews.applied(job_id)
            return "nothing to apply"
        plan = state.plan
        if stages.plan_is_stale(job, plan, index):
            plan = stages.plan_lookup(job, state.classification, index, resources.analyzer_for(job.project_id)).changes
            detail["replanned"] = "a planned memory was superseded by another job meanwhile"
        changes = stages.write(job, plan, index)
        detail["written"] = len(changes)
        finished = time.time()
        control.jobs.set_stage(job_id, "write", StageRecord(
            state="done", started_at=started, finished_at=finished,
            duration_ms=round((finished - started) * 1000, 3), detail=detail,
        ))
        review = {**(current.review or {}), "applied_at": finished}
        update_type = state.classification.update_type.value
        if changes:
            control.jobs.finish(job_id, JobOutcome.APPLIED, reason=f"{len(changes)} change(s) written after review",
                                update_type=update_type, changes=[c.model_dump(mode="json") for c in changes],
                                confidence=state.confidence, review=review)
        else:
            control.jobs.finish(job_id, JobOutcome.IGNORED, reason="approved, but nothing in scope was left to change",
                                update_type=update_type, confidence=state.confidence, review=review)
    control.reviews.applied(job_id)
    return "applied"
