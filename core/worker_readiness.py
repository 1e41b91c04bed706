"""What each worker says about its own readiness, kept in Redis for /readyz and `memfeed up`.

A worker that cannot open its store takes no tasks, so a ping through the queue only times out;
this board says why. Entries expire unless their worker renews them.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass

from redis import Redis

# A worker renews its entry this often; one not renewed for EXPIRY_SECONDS is ignored.
RENEW_SECONDS = 5.0
EXPIRY_SECONDS = 20.0
# Entries of workers gone this long are removed by readers (long enough that no live worker
# renews one at the same moment).
FORGET_AFTER_SECONDS = 3600.0


@dataclass(frozen=True)
class WorkerReadiness:
    worker: str
    ready: bool
    reason: str
    pid: int
    expires_at: float

    def describe(self) -> str:
        return f"worker {self.worker}: {self.reason}"


class ReadinessBoard:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._key = f"{prefix}:worker-readiness"

    def report(self, worker: str, ready: bool, reason: str = "") -> None:
        entry = {"ready": ready, "reason": reason, "pid": os.getpid(), "expires_at": time.time() + EXPIRY_SECONDS}
        self._redis.hset(self._key, worker, json.dumps(entry))

    def withdraw(self, worker: str) -> None:
        self._redis.hdel(self._key, worker)

    def current(self) -> list[WorkerReadiness]:
        """Every worker's unexpired report."""
        now = time.time()
        entries: list[WorkerReadiness] = []
        expired: list[str] = []
        for worker, raw in sorted(self._redis.hgetall(self._key).items()):
            worker = worker.decode() if isinstance(worker, bytes) else worker
            try:
                data = json.loads(raw)
                entry = WorkerReadiness(worker, bool(data["ready"]), str(data.get("reason", "")),
                                        int(data.get("pid", 0)), float(data["expires_at"]))
            except (ValueError, KeyError, TypeError):
                expired.append(worker)
                continue
            if entry.expires_at >= now:
                entries.append(entry)
            elif entry.expires_at < now - FORGET_AFTER_SECONDS:
                expired.append(worker)
        if expired:
            self._redis.hdel(self._key, *expired)
        return entries


def not_ready_reasons(entries: list[WorkerReadiness]) -> str:
    return "; ".join(entry.describe() for entry in entries if not entry.ready)
