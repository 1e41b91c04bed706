"""Duplicate writes: MemOS clients retry a write that failed or whose answer they could not read,
without an Idempotency-Key. An identical write (same route, same body) from the same project
within `duplicate_write_window_seconds` gets the first write's task instead of a second one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import redis
from redis.client import Pipeline

from api.errors import MemfeedError
from core.control import ControlPlane
from core.control.idempotency import Claim, IdempotencyConflictError, fingerprint
from core.error_codes import ErrorCode
from core.settings import get_settings


def _key(route: str, body: dict[str, Any]) -> str:
    # The body's fingerprint is part of the key: a different body is a different write, never a conflict.
    return f"dup:{route}:{fingerprint(body)}"


def window_seconds() -> int:
    return get_settings().duplicate_write_window_seconds


def earlier_write(control: ControlPlane, project_id: str, route: str, body: dict[str, Any]) -> str | None:
    """The id the same write got within the window, if there was one."""
    if window_seconds() <= 0:
        return None
    try:
        return control.idempotency.existing(project_id, _key(route, body), body)
    except (IdempotencyConflictError, redis.exceptions.RedisError):
        return None


def claim_write(
    control: ControlPlane,
    project_id: str,
    route: str,
    body: dict[str, Any],
    write_id: str,
    record: Callable[[Pipeline | None], Any] | None = None,
) -> Claim:
    """Claim this write for `write_id` and run `record` in the same Redis transaction; a claim that
    is not first names the earlier write's id (and `record` did not run)."""
    window = window_seconds()
    if window <= 0:
        if record is not None:
            record(None)
        return Claim(write_id, first=True)
    try:
        return control.idempotency.claim(project_id, _key(route, body), write_id, body, record=record, ttl=window)
    except IdempotencyConflictError as exc:  # a fingerprint collision: practically never
        raise MemfeedError(ErrorCode.BAD_REQUEST, str(exc)) from exc


def release_write(control: ControlPlane, project_id: str, route: str, body: dict[str, Any], write_id: str) -> None:
    """Forget a claim whose write failed after all, so that a retry applies it."""
    if window_seconds() > 0:
        control.idempotency.release(project_id, _key(route, body), write_id)
