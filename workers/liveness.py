"""This worker's heartbeat, and the jobs it holds while it runs their tasks.

Set up once per worker process (worker_init); prefork children inherit the worker's id, so a
task received by the parent and finished by a child is released under the same name.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from typing import Any

from celery import current_task
from celery.signals import task_postrun, task_received, task_revoked

from core.chains import FEEDBACK_STAGE_TASKS, JOB_TASKS
from core.control.workers import HeldJob
from core.settings import get_settings
from workers import resources

log = logging.getLogger(__name__)

_worker_id: str | None = None
FEEDBACK_STAGE_TASK_NAMES = frozenset(FEEDBACK_STAGE_TASKS.values())
# Jobs whose task ended while Redis was unreachable: whether it managed to send the job's next
# task is unknown (Celery drops a task whose retry it could not publish), so each is resumed once
# Redis answers again.
_unsettled: set[str] = set()
_unsettled_lock = threading.Lock()
# Since when this process's own heartbeats have been reaching Redis without a gap.
_beating_since: float | None = None
# Redis may have lost messages (this worker started, a beat failed, or Redis restarted): the next
# sweep looks for jobs no message names.
_audit_due = True
_redis_run_id: str | None = None
# The job whose hold the task running in this thread already released, in its stage's end
# transaction: its task_postrun releases nothing more.
_released_here = threading.local()
# The job whose hold the stage running in this thread took as it started (not on receipt).
_held_here = threading.local()


def worker_id() -> str | None:
    return _worker_id


def start(stop: threading.Event) -> threading.Thread:
    global _worker_id
    _worker_id = f"{socket.gethostname()}:{os.getpid()}"
    interval = get_settings().worker_heartbeat_seconds
    _beat()

    def loop() -> None:
        while not stop.wait(interval):
            _beat()

    thread = threading.Thread(target=loop, name="memfeed-heartbeat", daemon=True)
    thread.start()
    return thread


def _beat() -> None:
    global _beating_since, _audit_due, _redis_run_id
    assert _worker_id is not None
    try:
        control = resources.control_plane()
        control.workers.beat(_worker_id)
        run_id = control.redis.info("server").get("run_id")
    except Exception as exc:  # an outage: other workers' heartbeats lapse too, so none is judged dead
        _beating_since = None
        _audit_due = True
        log.warning("heartbeat failed: %s", exc)
        return
    if _redis_run_id is not None and run_id != _redis_run_id:
        _beating_since, _audit_due = None, True  # Redis restarted between two beats
    _redis_run_id = run_id
    if _beating_since is None:
        _beating_since = time.monotonic()


def audit_due() -> bool:
    return _audit_due


def audit_done() -> None:
    global _audit_due
    _audit_due = False


def may_judge_others() -> bool:
    """Only after our own heartbeat has reached Redis for a whole expiry period can another's
    silence mean it died, not that Redis was away."""
    ttl = get_settings().worker_heartbeat_seconds * 3
    return _beating_since is not None and time.monotonic() - _beating_since >= ttl


def stop() -> None:
    if _worker_id is not None:
        try:
            resources.control_plane().workers.retire(_worker_id)
        except Exception:
            log.warning("could not unregister worker %s; its heartbeat will lapse", _worker_id)


def _job_of(request: Any) -> str | None:
    if request is None or getattr(request, "task_name", getattr(request, "task", None)) not in JOB_TASKS:
        return None
    args = request.args or ()
    first = args[0] if args else None
    if isinstance(first, dict):
        return first.get("job_id")
    return first if isinstance(first, str) else None


def _task_name(request: Any) -> str | None:
    return getattr(request, "task_name", getattr(request, "task", None))


def _held_on_receipt(request: Any) -> bool:
    """Whether the job a task carries is held from the moment the worker receives the task.

    A feedback stage due at once is held by the script that starts it (JobRecords.begin_stage),
    one round trip less for each stage: the worker reserves no more tasks than it has threads, so
    such a task starts within moments of its receipt, and until a message has been unacknowledged
    for a heartbeat's expiry the sweep never gives it back. A stage due later (a retry's countdown)
    waits in the worker unstarted, and every other job task, is held on receipt."""
    return _task_name(request) not in FEEDBACK_STAGE_TASK_NAMES or getattr(request, "eta", None) is not None


def _hold(job_id: str | None) -> None:
    if job_id and _worker_id:
        try:
            resources.control_plane().workers.hold(_worker_id, job_id)
        except Exception:  # the stall sweep still covers this job
            log.warning("could not record job %s as held", job_id)


def _release(job_id: str | None) -> None:
    if job_id and _worker_id:
        try:
            resources.control_plane().workers.release(_worker_id, job_id)
        except Exception:
            log.warning("job %s: its task ended while Redis was unreachable; it is resumed once Redis is back", job_id)
            with _unsettled_lock:
                _unsettled.add(job_id)


def release_with_stage_end(job_id: str) -> HeldJob | None:
    """The hold on `job_id`, for the end of the stage this thread's task runs for it to release
    (one round trip less per task); None when this task holds no job, or another one.

    Releasing before the task returns and is acknowledged leaves its message unacknowledged and
    unheld for the moment it takes to send the next stage: as when the release follows the task,
    a worker that dies then has its message restored (the stage runs again, idempotently); a live
    worker's message is restored only if it was received more than a heartbeat's expiry ago and
    the sweep falls in that moment, and the stage then runs again, as after a redelivery."""
    request = getattr(current_task, "request", None)
    if _worker_id is None or _job_of(request) != job_id:
        return None
    if not _held_on_receipt(request) and getattr(_held_here, "job_id", None) != job_id:
        return None

    def released() -> None:
        _released_here.job_id = job_id

    return resources.control_plane().workers.held(_worker_id, job_id, released)


def stage_hold_key(job_id: str) -> str | None:
    """For a feedback stage this thread runs for `job_id` that was not held on receipt: where its
    start (JobRecords.begin_stage) records the hold; then call held_by_stage once it started."""
    request = getattr(current_task, "request", None)
    if _worker_id is None or _job_of(request) != job_id or _held_on_receipt(request):
        return None
    return resources.control_plane().workers.held_jobs_key(_worker_id)


def held_by_stage(job_id: str) -> None:
    """The stage's start recorded the hold: the task's end releases it."""
    _held_here.job_id = job_id


def take_unsettled() -> list[str]:
    with _unsettled_lock:
        taken = sorted(_unsettled)
        _unsettled.clear()
    return taken


def put_back_unsettled(job_ids: list[str]) -> None:
    with _unsettled_lock:
        _unsettled.update(job_ids)


@task_received.connect
def _on_received(request: Any = None, **_: Any) -> None:
    if _held_on_receipt(request):
        _hold(_job_of(request))


@task_postrun.connect
def _on_finished(task: Any = None, args: Any = None, **_: Any) -> None:
    released, _released_here.job_id = getattr(_released_here, "job_id", None), None
    held, _held_here.job_id = getattr(_held_here, "job_id", None), None
    if task is not None and task.name in JOB_TASKS and args:
        first = args[0]
        job_id = first.get("job_id") if isinstance(first, dict) else first if isinstance(first, str) else None
        if job_id != released and (held == job_id or _held_on_receipt(task.request)):
            _release(job_id)


@task_revoked.connect
def _on_dropped(request: Any = None, **_: Any) -> None:
    if _held_on_receipt(request):
        _release(_job_of(request))
