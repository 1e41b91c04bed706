"""Handing work to the workers: enqueue, and for reads wait for the answer."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import redis
from celery.exceptions import TimeoutError as CeleryTimeoutError
from kombu.exceptions import OperationalError

from api.errors import ErrorCode, MemfeedError
from memfeed.control.jobs import JobRecords
from workers.celery_app import celery_app

log = logging.getLogger(__name__)
_BROKER_ERRORS = (OperationalError, redis.exceptions.RedisError)


def enqueue(task_name: str, *args: Any) -> None:
    """A broker outage surfaces as 50145 through the app's error handlers."""
    celery_app.send_task(task_name, args=args)


def deliver(jobs: JobRecords, job_id: str, send: Callable[[], Any]) -> None:
    """Enqueue the first task of a job recorded with `outbox=True`.

    The job is accepted once its record is written: if the broker refuses the task now, the
    worker's sweeper enqueues it from the outbox within seconds, so the request still succeeds
    and a retrying client cannot start the same work twice.
    """
    try:
        send()
    except _BROKER_ERRORS as exc:
        log.warning("job %s is accepted; its first task waits in the outbox: %s", job_id, exc)
        return
    try:
        jobs.delivered(job_id)
    except redis.exceptions.RedisError:  # delivered twice at worst: every stage is idempotent
        log.warning("job %s was enqueued but is still in the outbox", job_id)


def call(task_name: str, *args: Any, timeout: float) -> Any:
    """Run a task on a worker and return its result (reads: search, get, delete)."""
    try:
        result = celery_app.send_task(task_name, args=args)
        try:
            return result.get(timeout=timeout, propagate=True)
        finally:
            result.forget()
    except CeleryTimeoutError as exc:
        raise MemfeedError(ErrorCode.WORKER_TIMEOUT, f"no worker answered within {timeout:g} s") from exc
    except (OperationalError, redis.exceptions.RedisError) as exc:
        raise MemfeedError(ErrorCode.SAVE_FAILED, f"the queue is unavailable: {exc}") from exc
    except Exception as exc:  # the task itself raised on the worker
        raise MemfeedError(ErrorCode.WORKER_FAILED, f"{task_name} failed: {type(exc).__name__}: {exc}") from exc
