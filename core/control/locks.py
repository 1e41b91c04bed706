"""Scope locks as leases: short-lived in Redis, renewed while their holder is alive.

A worker killed while holding a lock stops renewing it, so the scope frees within one lease
instead of blocking every later correction of that scope for a long timeout. One thread per
process renews every lease the process holds.
"""

from __future__ import annotations

import threading
import time
from types import TracebackType

from redis import Redis
from redis.exceptions import LockError, RedisError
from redis.lock import Lock

LEASE_SECONDS = 15.0
WAIT_SECONDS = 120.0
# Between two attempts at a lock someone else holds: a write stage holds it for milliseconds.
RETRY_SECONDS = 0.01


class LockNotAcquiredError(TimeoutError):
    pass


class _LeaseRenewer:
    """Renews the leases one process holds, each a third of its lease after it was taken or last
    renewed."""

    def __init__(self) -> None:
        # id of the lock -> (the lock, its lease, when it is due for renewal)
        self._held: dict[int, tuple[Lock, float, float]] = {}
        self._changed = threading.Condition()
        self._next_due = float("inf")
        self._thread: threading.Thread | None = None

    def hold(self, lock: Lock, lease: float) -> None:
        due = time.monotonic() + lease / 3
        with self._changed:
            self._held[id(lock)] = (lock, lease, due)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="lease-renewer", daemon=True)
                self._thread.start()
            elif due < self._next_due:
                self._changed.notify()

    def drop(self, lock: Lock) -> None:
        with self._changed:
            self._held.pop(id(lock), None)

    def _run(self) -> None:
        while True:
            with self._changed:
                now = time.monotonic()
                due = [(key, lock, lease) for key, (lock, lease, at) in self._held.items() if at <= now]
                for key, lock, lease in due:
                    self._held[key] = (lock, lease, now + lease / 3)
                self._next_due = min((at for _, _, at in self._held.values()), default=float("inf"))
                if not due:
                    self._changed.wait(min(self._next_due - now, LEASE_SECONDS))
                    continue
            for _, lock, _ in due:
                try:
                    lock.reacquire()
                except (LockError, RedisError):
                    pass  # lost or unreachable: the holder finds out when it releases


_renewer = _LeaseRenewer()


class LeasedLock:
    def __init__(self, redis: Redis, name: str, lease: float = LEASE_SECONDS, wait: float = WAIT_SECONDS) -> None:
        self._lock = redis.lock(name, timeout=lease, sleep=RETRY_SECONDS, blocking_timeout=wait, thread_local=False)
        self._name = name
        self._lease = lease

    def __enter__(self) -> LeasedLock:
        if not self._lock.acquire():
            raise LockNotAcquiredError(f"could not lock {self._name}")
        _renewer.hold(self._lock, self._lease)
        return self

    def __exit__(self, *_: tuple[type[BaseException] | None, BaseException | None, TracebackType | None]) -> None:
        _renewer.drop(self._lock)
        try:
            self._lock.release()
        except LockError:
            pass  # the lease ran out; another holder may have it now
