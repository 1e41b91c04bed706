"""Handing work to the workers: enqueue, and for reads wait for the answer."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import redis
from celery.exceptions import TimeoutError as CeleryTimeoutError
from kombu.exceptions import OperationalError
from redis.asyncio import Redis as AsyncRedis

from api.errors import MemfeedError
from core.celery_app import celery_app
from core.chains import READ_TASK_PREFIX
from core.control.jobs import JobRecords
from core.error_codes import ErrorCode
from core.read_lane import ReadFailedError, ReadLane, ReadTimeoutError
from core.settings import get_settings

log = logging.getLogger(__name__)
_BROKER_ERRORS = (OperationalError, redis.exceptions.RedisError)


def enqueue(task_name: str, *args: Any) -> None:
    """A broker outage surfaces as 50145 through the app's error handlers. Nobody waits for the
    task's result, so the result backend is not subscribed to."""
    celery_app.send_task(task_name, args=args, ignore_result=True)


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


@lru_cache(maxsize=1)
def _read_lane_client() -> redis.Redis:
    # Its own client: a read blocks a connection until the worker answers.
    return redis.Redis.from_url(get_settings().broker_url(), decode_responses=True)


def _read_lane() -> ReadLane:
    return ReadLane(_read_lane_client(), get_settings().redis_prefix)


def close_read_lane() -> None:
    """Close the read lane's connections (the API is shutting down); a later read opens new ones."""
    if _read_lane_client.cache_info().currsize:
        _read_lane_client().close()
        _read_lane_client.cache_clear()


def call(task_name: str, *args: Any, timeout: float) -> Any:
    """Run a task on a worker and return its result: a read through the workers' read threads,
    anything else (a delete, a synchronous add/message) as a Celery task."""
    if task_name.startswith(READ_TASK_PREFIX):
        return _read(task_name, list(args), timeout)
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


def _read(task_name: str, args: list[Any], timeout: float) -> Any:
    with _read_errors(task_name):
        return _read_lane().ask(task_name, args, timeout)


async def read(redis_async: AsyncRedis, task_name: str, *args: Any, timeout: float) -> Any:
    """A read answered by a worker's read threads, awaited on the event loop (no thread hand-over)."""
    with _read_errors(task_name):
        return await _read_lane().ask_async(redis_async, task_name, list(args), timeout)


@contextmanager
def _read_errors(task_name: str) -> Iterator[None]:
    try:
        yield
    except ReadTimeoutError as exc:
        raise MemfeedError(ErrorCode.WORKER_TIMEOUT, str(exc)) from exc
    except redis.exceptions.RedisError as exc:
        raise MemfeedError(ErrorCode.SAVE_FAILED, f"the queue is unavailable: {exc}") from exc
    except ReadFailedError as exc:
        raise MemfeedError(ErrorCode.WORKER_FAILED, f"{task_name} failed: {exc}") from exc
