"""Scope locks as leases: short-lived in Redis, renewed while their holder is alive.

A worker killed while holding a lock stops renewing it, so the scope frees within one lease
instead of blocking every later correction of that scope for a long timeout.
"""

from __future__ import annotations

import threading
from types import TracebackType

from redis import Redis
from redis.exceptions import LockError, RedisError

LEASE_SECONDS = 15.0
WAIT_SECONDS = 120.0


class LockNotAcquiredError(TimeoutError):
    pass


class LeasedLock:
    def __init__(self, redis: Redis, name: str, lease: float = LEASE_SECONDS, wait: float = WAIT_SECONDS) -> None:
        self._lock = redis.lock(name, timeout=lease, blocking_timeout=wait, thread_local=False)
        self._name = name
        self._lease = lease
        self._released = threading.Event()
        self._renewer: threading.Thread | None = None

    def __enter__(self) -> LeasedLock:
        if not self._lock.acquire():
            raise LockNotAcquiredError(f"could not lock {self._name}")
        self._renewer = threading.Thread(target=self._renew, name=f"lease:{self._name}", daemon=True)
        self._renewer.start()
        return self

    def _renew(self) -> None:
        while not self._released.wait(self._lease / 3):
            try:
                self._lock.reacquire()
            except (LockError, RedisError):
                return  # lost or unreachable: the holder finds out when it releases

    def __exit__(self, *_: tuple[type[BaseException] | None, BaseException | None, TracebackType | None]) -> None:
        self._released.set()
        if self._renewer is not None:
            self._renewer.join(timeout=5)
        try:
            self._lock.release()
        except LockError:
            pass  # the lease ran out; another holder may have it now
