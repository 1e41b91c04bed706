"""Review of uncertain corrections: a project's policy, its queue of held jobs, and the one
atomic transition that approves or rejects a held job.

A held feedback job has ended (status `completed`, outcome `held`, so a MemOS client polling
get/status stops) with its plan on its record and a `review` of state `pending`. Approving or
rejecting it is one Lua script: only the first decision on a pending job takes effect, however
many arrive at once. An approval also puts the job in `apply-due`, which the apply task empties
once it wrote the plan and the sweeper relays if the task was lost, so an approval is never lost
and the plan is never written twice.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from redis import Redis
from redis.client import Pipeline

from core.control.jobs import JobOutcome, JobRecord, JobRecords
from core.control.webhooks import Webhooks


class ReviewPolicy(StrEnum):
    APPLY = "apply"
    REVIEW_UNCERTAIN = "review_uncertain"
    REVIEW_ALL = "review_all"


class ReviewState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


def holds(policy: str | None, confidence: float, threshold: float) -> bool:
    """Whether a plan with this confidence waits for an operator under the policy."""
    chosen = ReviewPolicy(policy or ReviewPolicy.APPLY)
    if chosen is ReviewPolicy.REVIEW_ALL:
        return True
    return chosen is ReviewPolicy.REVIEW_UNCERTAIN and confidence < threshold


class Decision(BaseModel):
    changed: bool  # False: the job was already decided (the state says how)
    state: str
    review: dict[str, Any] | None = None


class ReviewError(Exception):
    pass


# KEYS: [job hash, project's pending index, apply-due zset, webhook due zset, project's webhook hash]
# ARGV: [job id, new state, now, by, via, rejected reason, seconds before a rejection's webhook falls due]
# Returns {1 (changed) | 0, state, review json}
_DECIDE = """
local raw = redis.call('HGET', KEYS[1], 'review')
if not raw then return {0, 'none', ''} end
local review = cjson.decode(raw)
if review['state'] ~= 'pending' then return {0, review['state'], raw} end
review['state'] = ARGV[2]
review['decided_at'] = tonumber(ARGV[3])
review['decided_by'] = ARGV[4]
review['via'] = ARGV[5]
local encoded = cjson.encode(review)
redis.call('HSET', KEYS[1], 'review', encoded, 'updated_at', ARGV[3])
redis.call('ZREM', KEYS[2], ARGV[1])
if ARGV[2] == 'approved' then
  redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
else
  redis.call('HSET', KEYS[1], 'outcome', 'rejected', 'reason', ARGV[6])
  if redis.call('HEXISTS', KEYS[5], 'url') == 1 then
    redis.call('ZADD', KEYS[4], tonumber(ARGV[3]) + tonumber(ARGV[7]), ARGV[1] .. ':rejected')
  end
end
return {1, ARGV[2], encoded}
"""


class ReviewQueue:
    def __init__(self, redis: Redis, prefix: str, jobs: JobRecords, webhooks: Webhooks,
                 lease_seconds: float = 60.0, retention_seconds: int | None = None) -> None:
        self._redis = redis
        self._prefix = prefix
        self._jobs = jobs
        self._webhooks = webhooks
        self._lease_seconds = lease_seconds
        self._retention_seconds = retention_seconds
        self._apply_due = f"{prefix}:review:apply-due"
        self._decide = redis.register_script(_DECIDE)

    def _pending_key(self, project_id: str) -> str:
        return f"{self._prefix}:project:{project_id}:review"

    def settle_hook(self, pipe: Pipeline, job_id: str, settled: dict[str, Any]) -> Callable[[list[Any]], None] | None:
        """A job settled as held joins its project's queue in the same transaction."""
        if settled.get("outcome") == JobOutcome.HELD and settled.get("project_id"):
            key = self._pending_key(settled["project_id"])
            pipe.zadd(key, {job_id: time.time()})
            if self._retention_seconds:
                # Held jobs expire like any finished job; the queue of an idle project goes with them.
                pipe.expire(key, self._retention_seconds)
        return None

    def pending(self, project_id: str, offset: int = 0, limit: int = 100) -> tuple[list[JobRecord], int]:
        """Held jobs awaiting a decision, oldest first, and how many there are. Records that expired
        (retention) leave the queue as they are found."""
        key = self._pending_key(project_id)
        job_ids = self._redis.zrange(key, offset, offset + limit - 1)
        found = self._jobs.get_many(job_ids)
        records = [record for record in found if record is not None]
        gone = [job_id for job_id, record in zip(job_ids, found, strict=True) if record is None]
        if gone:
            self._redis.zrem(key, *gone)
        return records, int(self._redis.zcard(key))

    def decide(self, record: JobRecord, state: ReviewState, by: str, via: str) -> Decision:
        """Approve or reject a held job, once: a repeated or concurrent decision changes nothing."""
        if not record.review:
            raise ReviewError(f"task {record.id} was not held for review (its outcome is "
                              f"{record.outcome.value if record.outcome else record.status.value})")
        reason = f"rejected in review by {by}"
        changed, current, raw = self._decide(
            # The job hash's name follows JobRecords' layout.
            keys=[f"{self._prefix}:job:{record.id}", self._pending_key(record.project_id), self._apply_due,
                  self._webhooks.due_key, self._webhooks.config_key(record.project_id)],
            args=[record.id, state.value, repr(time.time()), by, via, reason, repr(self._lease_seconds)],
        )
        review = json.loads(raw) if raw else None
        return Decision(changed=bool(changed), state=current, review=review)

    def apply_due(self, older_than_seconds: float = 0.0, limit: int = 100) -> list[str]:
        """Approved jobs whose plan is not written yet, approved at least this long ago."""
        return self._redis.zrangebyscore(self._apply_due, "-inf", time.time() - older_than_seconds, start=0, num=limit)

    def postpone_apply(self, job_id: str) -> None:
        self._redis.zadd(self._apply_due, {job_id: time.time()}, xx=True)

    def applied(self, job_id: str) -> None:
        self._redis.zrem(self._apply_due, job_id)
