"""Backfill batches in Redis.

A batch is a hash of counters plus a list of its accepted items (job id, tokens, index), read a
chunk at a time by the feeder. Released items sit in an "open" hash until their job record says
they finished; a Lua script then moves each one, atomically, into the completed / ignored / failed
counters. So a batch's counts cost O(items in flight), never O(batch).

Per project: a FIFO of batches with items still to release, the set of batches with work left
(to release or in flight), and the feeder's lease, which makes one feeder per project.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field
from redis import Redis
from redis.client import Pipeline

# KEYS: [batch hash, open hash, failures list, project's active set]
# ARGV: [job key prefix, batch id]
# Moves every open item whose job finished into a counter; returns how many stay open.
_RECONCILE = """
local batch, open, failures, active = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local entries = redis.call('HGETALL', open)
for i = 1, #entries, 2 do
  local job_id, index = entries[i], entries[i + 1]
  local job = redis.call('HMGET', ARGV[1] .. job_id, 'status', 'outcome', 'error_code', 'error_message')
  local status = job[1]
  if status == 'completed' or status == 'failed' or not status then
    redis.call('HDEL', open, job_id)
    if status == 'completed' and job[2] ~= 'failed' then
      redis.call('HINCRBY', batch, (job[2] == 'ignored' or job[2] == 'unresolved') and 'ignored' or 'completed', 1)
    else
      redis.call('HINCRBY', batch, 'failed', 1)
      local message = job[4]
      if not status then message = 'the job record is missing' end
      redis.call('RPUSH', failures, cjson.encode({
        index = tonumber(index), task_id = job_id,
        code = tonumber(job[3]) or 50145, message = message or 'the job failed'}))
      local kept = redis.call('PTTL', batch)
      if kept > 0 then redis.call('PEXPIRE', failures, kept) end
    end
  end
end
local remaining = redis.call('HLEN', open)
if remaining == 0 then
  local counts = redis.call('HMGET', batch, 'released', 'accepted')
  if tonumber(counts[1] or '0') >= tonumber(counts[2] or '0') then
    redis.call('SREM', active, ARGV[2])
  end
end
return remaining
"""

# KEYS: [lease]; ARGV: [token, ttl_ms]. Extends our lease, takes a lapsed one; 0 if another holds it.
_HOLD_LEASE = """
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] or not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""

# KEYS: [lease]; ARGV: [token]
_DROP_LEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


@dataclass(frozen=True)
class BatchItem:
    index: int
    job_id: str
    tokens: int

    def encode(self) -> str:
        return f"{self.job_id} {self.tokens} {self.index}"

    @classmethod
    def decode(cls, raw: str) -> BatchItem:
        job_id, tokens, index = raw.split(" ")
        return cls(index=int(index), job_id=job_id, tokens=int(tokens))


class BatchRecord(BaseModel):
    id: str
    project_id: str
    created_at: float
    total: int = 0
    accepted: int = 0
    invalid: int = 0
    skipped: int = 0
    released: int = 0
    completed: int = 0
    ignored: int = 0
    failed: int = 0
    invalid_items: list[dict[str, Any]] = Field(default_factory=list)
    skipped_items: list[dict[str, Any]] = Field(default_factory=list)

    @property
    def queued(self) -> int:
        return self.accepted - self.released


class BatchStore:
    def __init__(self, redis: Redis, prefix: str, retention_seconds: int | None = None) -> None:
        self._redis = redis
        self._prefix = prefix
        # A batch's report is kept this long after it was accepted.
        self._retention_seconds = retention_seconds
        self._reconcile = redis.register_script(_RECONCILE)
        self._hold_lease = redis.register_script(_HOLD_LEASE)
        self._drop_lease = redis.register_script(_DROP_LEASE)

    # Keys -------------------------------------------------------------------------------------

    def _batch(self, batch_id: str) -> str:
        return f"{self._prefix}:batch:{batch_id}"

    def _items(self, batch_id: str) -> str:
        return f"{self._batch(batch_id)}:items"

    def _open(self, batch_id: str) -> str:
        return f"{self._batch(batch_id)}:open"

    def _failures(self, batch_id: str) -> str:
        return f"{self._batch(batch_id)}:failures"

    def _pending(self, project_id: str) -> str:
        return f"{self._prefix}:backfill:{project_id}:pending"

    def _active(self, project_id: str) -> str:
        return f"{self._prefix}:backfill:{project_id}:active"

    def _lease(self, project_id: str) -> str:
        return f"{self._prefix}:backfill:{project_id}:feeder"

    def project_index_key(self, project_id: str) -> str:
        """A project's batches by the time they were accepted (the console lists them from it)."""
        return f"{self._prefix}:project:{project_id}:batches"

    def _job_prefix(self) -> str:
        # The layout of core.control.jobs.JobRecords' keys.
        return f"{self._prefix}:job:"

    # Writing a batch ----------------------------------------------------------------------------

    def create(
        self,
        batch_id: str,
        project_id: str,
        total: int,
        items: list[BatchItem],
        invalid_items: list[dict[str, Any]],
        skipped_items: list[dict[str, Any]],
    ) -> None:
        """Stores the batch and, when it has items to release, queues it behind the project's others."""
        pipe: Pipeline = self._redis.pipeline(transaction=True)
        pipe.hset(
            self._batch(batch_id),
            mapping={
                "id": batch_id,
                "project_id": project_id,
                "created_at": repr(time.time()),
                "total": total,
                "accepted": len(items),
                "invalid": len(invalid_items),
                "skipped": len(skipped_items),
                "released": 0,
                "completed": 0,
                "ignored": 0,
                "failed": 0,
                "invalid_items": json.dumps(invalid_items),
                "skipped_items": json.dumps(skipped_items),
            },
        )
        pipe.zadd(self.project_index_key(project_id), {batch_id: time.time()})
        if items:
            pipe.rpush(self._items(batch_id), *(item.encode() for item in items))
            pipe.rpush(self._pending(project_id), batch_id)
            pipe.sadd(self._active(project_id), batch_id)
        if self._retention_seconds:
            pipe.expire(self._batch(batch_id), self._retention_seconds)
            pipe.zremrangebyscore(self.project_index_key(project_id), "-inf", time.time() - self._retention_seconds)
            pipe.expire(self.project_index_key(project_id), self._retention_seconds)
            if items:
                pipe.expire(self._items(batch_id), self._retention_seconds)
        pipe.execute()

    def get(self, batch_id: str) -> BatchRecord | None:
        raw = self._redis.hgetall(self._batch(batch_id))
        if not raw:
            return None
        for name in ("invalid_items", "skipped_items"):
            raw[name] = json.loads(raw.get(name) or "[]")
        return BatchRecord.model_validate(raw)

    def running(self, batch_id: str) -> int:
        return int(self._redis.hlen(self._open(batch_id)))

    def failures(self, batch_id: str, offset: int, limit: int) -> list[dict[str, Any]]:
        if limit <= 0:
            return []
        return [json.loads(e) for e in self._redis.lrange(self._failures(batch_id), offset, offset + limit - 1)]

    # Releasing ----------------------------------------------------------------------------------

    def head(self, project_id: str) -> str | None:
        """The oldest batch of the project with items still to release."""
        return self._redis.lindex(self._pending(project_id), 0)

    def has_pending(self, project_id: str) -> bool:
        return bool(self._redis.llen(self._pending(project_id)))

    def drop_head(self, project_id: str, batch_id: str) -> None:
        self._redis.lrem(self._pending(project_id), 1, batch_id)

    def unreleased(self, batch_id: str, count: int) -> list[BatchItem]:
        """Up to `count` items after the release cursor: one chunk, never the whole batch."""
        released = int(self._redis.hget(self._batch(batch_id), "released") or 0)
        raw = self._redis.lrange(self._items(batch_id), released, released + count - 1)
        return [BatchItem.decode(entry) for entry in raw]

    def mark_released(self, batch_id: str, item: BatchItem) -> None:
        pipe = self._redis.pipeline(transaction=True)
        pipe.hset(self._open(batch_id), item.job_id, item.index)
        pipe.hincrby(self._batch(batch_id), "released", 1)
        pipe.execute()

    def reconcile(self, project_id: str, batch_id: str) -> int:
        """Counts the open items whose jobs finished; returns how many are still in flight."""
        keys = [self._batch(batch_id), self._open(batch_id), self._failures(batch_id), self._active(project_id)]
        return int(self._reconcile(keys=keys, args=[self._job_prefix(), batch_id]))

    def in_flight(self, project_id: str) -> int:
        """Reconciles every batch of the project that has work left; O(items in flight)."""
        return sum(self.reconcile(project_id, b) for b in self._redis.smembers(self._active(project_id)))

    # The feeder's lease -------------------------------------------------------------------------

    def hold_lease(self, project_id: str, token: str, ttl_seconds: float) -> bool:
        """Takes or extends the project's feeder lease; False when another feeder holds it."""
        return bool(self._hold_lease(keys=[self._lease(project_id)], args=[token, max(1, int(ttl_seconds * 1000))]))

    def acquire_lease(self, project_id: str, token: str, ttl_seconds: float) -> bool:
        return bool(self._redis.set(self._lease(project_id), token, nx=True, px=max(1, int(ttl_seconds * 1000))))

    def has_lease(self, project_id: str) -> bool:
        return bool(self._redis.exists(self._lease(project_id)))

    def drop_lease(self, project_id: str, token: str) -> None:
        self._drop_lease(keys=[self._lease(project_id)], args=[token])
