"""A worker opens its store before it takes any task, and says meanwhile why it is not ready.

Opening can fail for a while (another process still holds the embedded shard, the directory is
briefly unreadable, a Qdrant server is down): the worker tries again with backoff instead of
taking tasks it could only fail.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import redis

from core.worker_readiness import RENEW_SECONDS, ReadinessBoard
from pipeline.store.base import StoreError

log = logging.getLogger(__name__)

FIRST_RETRY_SECONDS = 0.5
MAX_RETRY_SECONDS = 5.0


class ReadinessReporter:
    """Keeps this worker's entry on the board current until stopped."""

    def __init__(self, board: ReadinessBoard, worker: str) -> None:
        self._board = board
        self._worker = worker
        self._state: tuple[bool, str] = (False, "starting")
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._renew, name="readiness-reporter", daemon=True)

    def start(self) -> None:
        self._publish()
        self._thread.start()

    def set(self, ready: bool, reason: str = "") -> None:
        with self._lock:
            self._state = (ready, reason)
        self._publish()

    def stop(self) -> None:
        self._stop.set()
        try:
            self._board.withdraw(self._worker)
        except redis.exceptions.RedisError:
            pass

    def _renew(self) -> None:
        while not self._stop.wait(RENEW_SECONDS):
            self._publish()

    def _publish(self) -> None:
        with self._lock:
            ready, reason = self._state
        if self._stop.is_set():
            return
        try:
            self._board.report(self._worker, ready, reason)
        except redis.exceptions.RedisError as exc:  # readiness is advisory; Redis may be back later
            log.debug("could not report readiness: %s", exc)


def open_patiently(open_resources: Callable[[], None], reporter: ReadinessReporter,
                   sleep: Callable[[float], None] = time.sleep) -> None:
    """Call `open_resources` until it succeeds, waiting longer after each failure (up to
    MAX_RETRY_SECONDS); every failure is reported as the reason this worker is not ready."""
    delay = FIRST_RETRY_SECONDS
    attempts = 0
    while True:
        try:
            open_resources()
        except Exception as exc:  # noqa: BLE001 - any failure to open is retried, with its reason
            attempts += 1
            reason = _reason(exc)
            reporter.set(False, f"{reason} (attempt {attempts}; no tasks are taken until it opens)")
            log.warning("%s; trying again in %.1f s, taking no tasks meanwhile", reason, delay)
            sleep(delay)
            delay = min(delay * 2, MAX_RETRY_SECONDS)
            continue
        if attempts:
            log.info("the store opened after %d failed attempt(s)", attempts)
        reporter.set(True)
        return


def _reason(exc: Exception) -> str:
    if isinstance(exc, StoreError):
        return str(exc)  # "cannot open the embedded store <path>: <why>"
    return f"cannot open the store or load the embedder: {type(exc).__name__}: {exc}"
