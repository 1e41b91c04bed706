"""Sending on jobs whose next task is missing, in each worker (one sweep at a time):

- the outbox: a job recorded by the API but never reported enqueued (the broker refused the
  task, or the API died in between) is enqueued after a few seconds;
- dead workers: a job task message taken by a worker that died (none alive holds its job) goes
  back to its queue within seconds, instead of after the broker's visibility timeout;
- lost messages: after Redis was away or restarted, an unfinished job that no task message names
  and no live worker holds (a message taken from its queue just as Redis went down) is resumed;
- stalls: any unfinished job that has not progressed for the stall time (a message lost in a
  Redis restart) is resumed;
- follow-ups (workers/followups.py): webhook deliveries whose lease or backoff ran out, and
  approved reviews whose plan is still unwritten, are sent again.

A job resumes from its last completed stage, with the state those stages recorded. Stages are
idempotent and a stage of a finished job does nothing, so a resume that races a slow original,
or the original's late redelivery, does no harm.
"""

from __future__ import annotations

import logging
import threading

from core.celery_app import ALL_QUEUES, celery_app
from core.chains import INGEST_KNOWLEDGEBASE_FILE, INGEST_MESSAGES, REVERT_FEEDBACK, send_feedback_chain
from core.control.jobs import JobRecord, JobStatus
from core.control.locks import LeasedLock, LockNotAcquiredError
from core.error_codes import ErrorCode
from core.settings import get_settings
from workers import followups, liveness, resources
from workers.orphans import jobs_with_a_message, lost_jobs, restore_orphaned_messages
from workers.stage_state import next_stage

log = logging.getLogger(__name__)

SINGLE_TASK_JOBS = {
    "add_message": INGEST_MESSAGES,
    "knowledgebase_file": INGEST_KNOWLEDGEBASE_FILE,
    "revert": REVERT_FEEDBACK,
}


def resume(job_id: str) -> str:
    """Send an unfinished job's next task again (counted; a job resumed too often fails)."""
    jobs = resources.control_plane().jobs
    record = jobs.get(job_id)
    if record is None or record.status is not JobStatus.RUNNING:
        jobs.forget_unfinished(job_id)
        return "already finished"
    resumes = jobs.postpone(job_id)
    settings = get_settings()
    if resumes > settings.job_max_resumes:
        jobs.fail(job_id, ErrorCode.JOB_STALLED, f"the job stalled {resumes - 1} times and was given up")
        return "given up"
    return _send_next_task(record)


def _send_next_task(record: JobRecord) -> str:
    if record.kind == "feedback":
        stage = next_stage(record)
        send_feedback_chain(record.id, first_stage=stage)
        return f"resumed at {stage}"
    task = SINGLE_TASK_JOBS.get(record.kind)
    if task is None:
        resources.control_plane().jobs.forget_unfinished(record.id)
        return f"not resumable: {record.kind} jobs are driven elsewhere"
    celery_app.send_task(task, args=(record.id,))
    return "resent"


def relay_outbox() -> int:
    """Enqueue the jobs the API recorded but could not report enqueued; returns how many."""
    jobs = resources.control_plane().jobs
    waiting = jobs.undelivered(get_settings().outbox_grace_seconds)
    for job_id in waiting:
        record = jobs.get(job_id)
        if record is not None and record.status is JobStatus.RUNNING and not _started(record):
            log.warning("job %s was never enqueued: %s", job_id, _send_next_task(record))
        jobs.delivered(job_id)
    return len(waiting)


def _started(record: JobRecord) -> bool:
    return any(stage.state != "pending" for stage in record.stages.values())


def restore_messages_of_dead_workers() -> int:
    """Give back at once the job task messages that workers which died had taken; returns how
    many."""
    if not liveness.may_judge_others():
        return 0
    registry = resources.control_plane().workers
    for dead in registry.dead():
        registry.forget(dead)
    expiry = get_settings().worker_heartbeat_seconds * 3
    restored = restore_orphaned_messages(registry.held_by_live_workers(), older_than_seconds=expiry)
    for job_id in restored:
        log.warning("job %s: its task was taken by a worker that died; the task is queued again", job_id)
    return len(restored)


def resume_lost_jobs() -> int:
    """After Redis was away (or restarted, or this worker started): resume every unfinished job
    that no task message names and no live worker holds; returns how many."""
    if not liveness.audit_due() or not liveness.may_judge_others():
        return 0
    control = resources.control_plane()
    outbox = set(control.jobs.undelivered(0.0, limit=100_000))
    last_changes = {job: at for job, at in control.jobs.unfinished_last_changes().items() if job not in outbox}
    lost = lost_jobs(
        list(last_changes),
        last_changes,
        jobs_with_a_message(control.redis, control.prefix, ALL_QUEUES),
        control.workers.held_by_live_workers(),
        quiet_seconds=get_settings().worker_heartbeat_seconds * 3,
    )
    for job_id in lost:
        log.warning("job %s: no task message names it after Redis was away: %s", job_id, resume(job_id))
    liveness.audit_done()
    return len(lost)


def resume_unsettled_jobs() -> int:
    """Resume the jobs whose task ended in this worker while Redis was unreachable."""
    unsettled = liveness.take_unsettled()
    for position, job_id in enumerate(unsettled):
        try:
            resources.control_plane().workers.release(liveness.worker_id() or "", job_id)
            log.warning("job %s ended a task during an outage: %s", job_id, resume(job_id))
        except Exception:
            liveness.put_back_unsettled(unsettled[position:])
            raise
    return len(unsettled)


def sweep_once() -> int:
    """Relay the outbox, resume the jobs of dead workers and every overdue job, if no other
    worker is sweeping; returns how many jobs were sent on."""
    control = resources.control_plane()
    try:
        with LeasedLock(control.redis, f"{control.prefix}:lock:sweeper", wait=0):
            sent = relay_outbox() + restore_messages_of_dead_workers() + resume_lost_jobs()
            sent += followups.relay_webhooks() + followups.relay_approved_reviews()
            overdue = control.jobs.overdue()
            for job_id in overdue:
                log.warning("job %s is overdue: %s", job_id, resume(job_id))
            return sent + len(overdue)
    except LockNotAcquiredError:
        return 0


def start_sweeper(stop: threading.Event) -> threading.Thread:
    interval = get_settings().sweep_interval_seconds

    def loop() -> None:
        while not stop.wait(interval):
            try:
                resume_unsettled_jobs()
                sweep_once()
            except Exception:  # the sweeper must outlive a Redis outage
                log.exception("sweeping overdue jobs failed; trying again in %s s", interval)

    thread = threading.Thread(target=loop, name="memfeed-sweeper", daemon=True)
    thread.start()
    return thread
