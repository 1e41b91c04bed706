"""Handing work to the workers: enqueue, and for reads wait for the answer."""

from __future__ import annotations

from typing import Any

import redis
from celery.exceptions import TimeoutError as CeleryTimeoutError
from kombu.exceptions import OperationalError

from api.errors import ErrorCode, MemfeedError
from workers.celery_app import celery_app


def enqueue(task_name: str, *args: Any) -> None:
    """A broker outage surfaces as 50145 through the app's error handlers."""
    celery_app.send_task(task_name, args=args)


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
