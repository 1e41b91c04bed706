"""Which worker processes are alive, and which jobs each one holds.

A worker beats a heartbeat key with a short expiry and records every job task it holds until
that task ends: from its receipt, or, for a feedback stage due at once, from its start
(workers/liveness.py). A job task message left unacknowledged that no live worker holds was taken by a
worker that died (kill -9, a lost machine): it is given back within seconds, instead of after
the broker's visibility timeout.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from redis import Redis
from redis.client import Pipeline
from redis.exceptions import NoScriptError

# A job's task ended: one hold fewer, and no entry once none is left. KEYS: [held jobs]; ARGV: [job id]
# (JobRecords' stage-end script releases the same way.)
_RELEASE = """
if redis.call('HINCRBY', KEYS[1], ARGV[1], -1) <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
"""


@dataclass(frozen=True)
class HeldJob:
    """A worker's hold on a job, released by whatever ends the stage it holds the job for: a script
    releasing the field `job_id` of `key` as _RELEASE does, or a transaction `join`ing the release.
    `released` is called once the release took effect."""

    key: str
    job_id: str
    join: Callable[[Pipeline], Callable[[list[Any]], None]]
    released: Callable[[], None] = field(default=lambda: None)


class WorkerRegistry:
    def __init__(self, redis: Redis, prefix: str, heartbeat_ttl_seconds: float) -> None:
        self._redis = redis
        self._release = redis.register_script(_RELEASE)
        self._prefix = prefix
        self._ttl_ms = max(1, int(heartbeat_ttl_seconds * 1000))
        self._members = f"{prefix}:workers"

    def _alive(self, worker_id: str) -> str:
        return f"{self._prefix}:worker:{worker_id}:alive"

    def _jobs(self, worker_id: str) -> str:
        return f"{self._prefix}:worker:{worker_id}:jobs"

    def held_jobs_key(self, worker_id: str) -> str:
        """Where a worker's holds are counted (one field per job), for a script that holds a job
        as part of other work (JobRecords.begin_stage)."""
        return self._jobs(worker_id)

    def beat(self, worker_id: str) -> None:
        pipe = self._redis.pipeline()
        pipe.set(self._alive(worker_id), "1", px=self._ttl_ms)
        pipe.sadd(self._members, worker_id)
        pipe.execute()

    def hold(self, worker_id: str, job_id: str) -> None:
        self._redis.hincrby(self._jobs(worker_id), job_id, 1)

    def release(self, worker_id: str, job_id: str) -> None:
        self._release(keys=[self._jobs(worker_id)], args=[job_id])

    def release_in(self, pipe: Pipeline, worker_id: str, job_id: str) -> Callable[[list[Any]], None]:
        """Queue the release in the caller's transaction `pipe`; the function returned takes the
        results of the commands queued here once `pipe` ran (executed with raise_on_error=False).
        Redis had not loaded the script (a restart): the release is made again on its own."""
        pipe.evalsha(self._release.sha, 1, self._jobs(worker_id), job_id)

        def check(results: list[Any]) -> None:
            [result] = results
            if isinstance(result, NoScriptError):
                self.release(worker_id, job_id)
            elif isinstance(result, Exception):
                raise result

        return check

    def held(self, worker_id: str, job_id: str, released: Callable[[], None] = lambda: None) -> HeldJob:
        """The worker's hold on the job, for a stage's end to release (JobRecords.end_stage)."""
        return HeldJob(self._jobs(worker_id), job_id, lambda pipe: self.release_in(pipe, worker_id, job_id), released)

    def dead(self) -> list[str]:
        """Registered workers whose heartbeat has expired."""
        members = sorted(self._redis.smembers(self._members))
        if not members:
            return []
        pipe = self._redis.pipeline(transaction=False)
        for worker_id in members:
            pipe.exists(self._alive(worker_id))
        return [worker_id for worker_id, alive in zip(members, pipe.execute(), strict=True) if not alive]

    def held_by_live_workers(self) -> set[str]:
        members = sorted(self._redis.smembers(self._members))
        if not members:
            return set()
        pipe = self._redis.pipeline(transaction=False)
        for worker_id in members:
            pipe.exists(self._alive(worker_id))
            pipe.hkeys(self._jobs(worker_id))
        answers = pipe.execute()
        held: set[str] = set()
        for alive, jobs in zip(answers[::2], answers[1::2], strict=True):
            if alive:
                held.update(jobs)
        return held

    def forget(self, worker_id: str) -> None:
        """Forget a dead worker (the broker's unacknowledged messages say what it held)."""
        pipe = self._redis.pipeline()
        pipe.delete(self._jobs(worker_id))
        pipe.srem(self._members, worker_id)
        pipe.execute()

    def retire(self, worker_id: str) -> None:
        """A worker stopping cleanly: it finished what it held."""
        pipe = self._redis.pipeline()
        pipe.delete(self._alive(worker_id), self._jobs(worker_id))
        pipe.srem(self._members, worker_id)
        pipe.execute()
