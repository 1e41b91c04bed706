"""Idempotency keys: a request repeated with the same key gets the first request's task."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from redis import Redis
from redis.client import Pipeline

# How long a key is remembered, at most (never longer than the job it names).
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
    def __init__(self, redis: Redis, prefix: str, job_retention_seconds: int | None = None) -> None:
        self._redis = redis
        self._prefix = prefix
        self._ttl = min(IDEMPOTENCY_TTL_SECONDS, job_retention_seconds or IDEMPOTENCY_TTL_SECONDS)

    def _key(self, project_id: str, key: str) -> str:
        return f"{self._prefix}:idem:{project_id}:{hashlib.sha256(key.encode()).hexdigest()}"

    def claim(
        self,
        project_id: str,
        key: str,
        job_id: str,
        body: dict[str, Any],
        record: Callable[[Pipeline], Any] | None = None,
        ttl: int | None = None,
    ) -> Claim:
        """Claim the key for job_id; `record` adds the job's own writes to the same transaction,
        so that a claim never exists without its job. `ttl` (seconds) remembers the claim for
        less than the default, as a short duplicate-write window does."""
        value = f"{job_id}:{fingerprint(body)}"
        redis_key = self._key(project_id, key)

        def claim_unless_taken(pipe: Pipeline) -> str | None:
            taken = pipe.get(redis_key)
            if taken is not None:
                return taken
            pipe.multi()
            pipe.set(redis_key, value, ex=min(ttl, self._ttl) if ttl else self._ttl)
            if record is not None:
                record(pipe)
            return None

        taken = self._redis.transaction(claim_unless_taken, redis_key, value_from_callable=True)
        if taken is None:
            return Claim(job_id, first=True)
        return Claim(self._same_request(taken, body), first=False)

    def existing(self, project_id: str, key: str, body: dict[str, Any]) -> str | None:
        """The job an earlier request with this key started, if any."""
        taken = self._redis.get(self._key(project_id, key))
        return None if taken is None else self._same_request(taken, body)

    @staticmethod
    def _same_request(taken: str, body: dict[str, Any]) -> str:
        existing_job, _, existing_fingerprint = taken.partition(":")
        if existing_fingerprint != fingerprint(body):
            raise IdempotencyConflictError("this Idempotency-Key was already used for a different request")
        return existing_job

    def release(self, project_id: str, key: str, job_id: str) -> None:
        """Forget a claim whose request could not be accepted after all."""
        redis_key = self._key(project_id, key)
        if (self._redis.get(redis_key) or "").startswith(f"{job_id}:"):
            self._redis.delete(redis_key)
