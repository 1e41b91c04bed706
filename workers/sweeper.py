"""Resuming jobs whose next task was lost.

Celery redelivers a task whose worker died, but a message can still be lost (Redis restarted
between handing a message out and recording it as unacknowledged, or an API process died
between recording a job and enqueuing it). Every unfinished job is indexed by the time it is
due to progress; a sweeper in each worker (one at a time) resumes the overdue ones from their
last completed stage, with the state those stages recorded. Stages are idempotent, so a resume
that races a slow original does no harm.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from memfeed.control.jobs import FEEDBACK_STAGES, JobRecord, JobStatus
from memfeed.control.locks import LeasedLock, LockNotAcquiredError
from memfeed.settings import get_settings
from workers import resources
from workers.celery_app import celery_app
from workers.chains import INGEST_KNOWLEDGEBASE_FILE, INGEST_MESSAGES, REVERT_FEEDBACK, resumed_feedback_chain
from workers.stage_runner import WRITE_FAILED

log = logging.getLogger(__name__)

SINGLE_TASK_JOBS = {
    "add_message": INGEST_MESSAGES,
    "knowledgebase_file": INGEST_KNOWLEDGEBASE_FILE,
    "revert": REVERT_FEEDBACK,
}
_SETTLED = {"done", "skipped"}


def feedback_resume_point(record: JobRecord) -> tuple[str, str | dict[str, Any]]:
    """The first stage still to run, and what it takes: the job id, or the earlier stages' state."""
    state: dict[str, Any] = {"job_id": record.id}
    for stage in FEEDBACK_STAGES:
        done = record.stages.get(stage)
        if done is None or done.state not in _SETTLED:
            return stage, (record.id if stage == "validate" else state)
        detail = {k: v for k, v in done.detail.items() if k != "judgements"}
        if stage == "validate":
            state.update(valid=detail["valid"], reason=detail["reason"])
        elif stage == "classify" and done.state == "done":
            state["classification"] = detail
        elif stage == "lookup" and done.state == "done":
            state["plan"] = detail["planned"]
    # Every stage settled but the job never finished: the write's bookkeeping was lost.
    return "write", state


def resume(job_id: str) -> str:
    jobs = resources.control_plane().jobs
    record = jobs.get(job_id)
    if record is None or record.status is not JobStatus.RUNNING:
        jobs.forget_unfinished(job_id)
        return "already finished"
    resumes = jobs.postpone(job_id)
    settings = get_settings()
    if resumes > settings.job_max_resumes:
        jobs.fail(job_id, WRITE_FAILED, f"the job stalled {resumes - 1} times and was given up")
        return "given up"
    if record.kind == "feedback":
        stage, argument = feedback_resume_point(record)
        resumed_feedback_chain(stage, argument).apply_async()
        return f"resumed at {stage}"
    task = SINGLE_TASK_JOBS.get(record.kind)
    if task is None:
        jobs.forget_unfinished(job_id)
        return f"not resumable: {record.kind} jobs are driven elsewhere"
    celery_app.send_task(task, args=(job_id,))
    return "resent"


def sweep_once() -> int:
    """Resume every overdue job, if no other worker is sweeping; returns how many."""
    control = resources.control_plane()
    try:
        with LeasedLock(control.redis, f"{control.prefix}:lock:sweeper", wait=0):
            overdue = control.jobs.overdue()
            for job_id in overdue:
                log.warning("job %s is overdue: %s", job_id, resume(job_id))
            return len(overdue)
    except LockNotAcquiredError:
        return 0


def start_sweeper(stop: threading.Event) -> threading.Thread:
    interval = get_settings().sweep_interval_seconds

    def loop() -> None:
        while not stop.wait(interval):
            try:
                sweep_once()
            except Exception:  # the sweeper must outlive a Redis outage
                log.exception("sweeping overdue jobs failed; trying again in %s s", interval)

    thread = threading.Thread(target=loop, name="memfeed-sweeper", daemon=True)
    thread.start()
    return thread
