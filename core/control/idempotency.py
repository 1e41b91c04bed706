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
# Claim a key unless it is taken (then return who took it) and run the claimer's own writes with
# the claim, in one round trip. A script is not rolled back, so nothing is written unless all of
# it may be: the shebang has Redis refuse the whole script when it is out of memory, and every
# write is checked against the caller's ACL first.
# KEYS: [the key]; ARGV: [value, seconds to keep it, then each write as its argument count
# followed by its arguments].
_CLAIM = """#!lua
local writes = {}
local i = 3
while i <= #ARGV do
  local count = tonumber(ARGV[i])
  local command = {unpack(ARGV, i + 1, i + count)}
  if not redis.acl_check_cmd(unpack(command)) then
    return redis.error_reply('NOPERM no permission to run ' .. command[1] .. ' on its keys')
  end
  table.insert(writes, command)
  i = i + count + 1
end
local taken = redis.call('GET', KEYS[1])
if taken then return taken end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
for _, command in ipairs(writes) do redis.call(unpack(command)) end
return false
"""


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
        self._claim = redis.register_script(_CLAIM)

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
        """Claim the key for job_id; `record` adds the job's own writes to the claim (they run in
        one script with it), so that a claim never exists without its job. `ttl` (seconds)
        remembers the claim for less than the default, as a short duplicate-write window does."""
        value = f"{job_id}:{fingerprint(body)}"
        writes: list[Any] = []
        if record is not None:
            # The writes are built by redis-py's own commands on a pipeline that is never sent.
            pipe = self._redis.pipeline(transaction=False)
            record(pipe)
            for args, _ in pipe.command_stack:
                writes += [len(args), *args]
            pipe.reset()
        seconds = min(ttl, self._ttl) if ttl else self._ttl
        taken = self._claim(keys=[self._key(project_id, key)], args=[value, seconds, *writes])
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
