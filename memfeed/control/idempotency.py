"""Idempotency keys: a request repeated with the same key gets the first request's task."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from redis import Redis

# How long a key is remembered.
IDEMPOTENCY_TTL_SECONDS = 7 * 24 * 3600


class IdempotencyConflictError(Exception):
    """The key was used before for a different request."""


@dataclass(frozen=True)
class Claim:
    job_id: str
    first: bool  # False: an earlier request with this key already has job_id


def fingerprint(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]


class IdempotencyKeys:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix

    def _key(self, project_id: str, key: str) -> str:
        return f"{self._prefix}:idem:{project_id}:{hashlib.sha256(key.encode()).hexdigest()}"

    def claim(self, project_id: str, key: str, job_id: str, body: dict[str, Any]) -> Claim:
        value = f"{job_id}:{fingerprint(body)}"
        redis_key = self._key(project_id, key)
        if self._redis.set(redis_key, value, nx=True, ex=IDEMPOTENCY_TTL_SECONDS):
            return Claim(job_id, first=True)
        existing = self._redis.get(redis_key) or value
        existing_job, _, existing_fingerprint = existing.partition(":")
        if existing_fingerprint != fingerprint(body):
            raise IdempotencyConflictError("this Idempotency-Key was already used for a different request")
        return Claim(existing_job, first=False)

    def release(self, project_id: str, key: str, job_id: str) -> None:
        """Forget a claim whose request could not be accepted after all."""
        redis_key = self._key(project_id, key)
        if (self._redis.get(redis_key) or "").startswith(f"{job_id}:"):
            self._redis.delete(redis_key)
