"""Runs the service's processes, restarts any that dies, and stops them all together."""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from memfeed.logfiles import PrivateRotatingFileHandler, log_file_handler, start_copying

log = logging.getLogger("memfeed.supervisor")
# A process that keeps dying is restarted at most this often.
RESTART_BACKOFF_SECONDS = (1, 2, 5, 10, 30)
DEFAULT_LOG_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_LOG_BACKUPS = 5
_PR_SET_PDEATHSIG = 1


def _libc_prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_prctl = _libc_prctl()


def _stop_with_parent() -> None:
    """In the child before exec: SIGTERM when the supervisor dies, even by kill -9, so that no
    orphaned worker keeps the store and the queues of a stack that is gone."""
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


@dataclass
class ManagedProcess:
    """A child whose output (stdout and stderr) goes through a pipe into its rotating log file."""

    name: str
    command: list[str]
    log_path: Path
    env: dict[str, str]
    log_max_bytes: int = DEFAULT_LOG_MAX_BYTES
    log_backups: int = DEFAULT_LOG_BACKUPS
    process: subprocess.Popen | None = None
    restarts: int = 0
    started_at: float = 0.0
    _log_handler: PrivateRotatingFileHandler | None = field(default=None, repr=False)
    _copiers: list[threading.Thread] = field(default_factory=list, repr=False)

    def start(self) -> None:
        if self._log_handler is None:
            self._log_handler = log_file_handler(self.log_path, self.log_max_bytes, self.log_backups)
        self.process = subprocess.Popen(
            self.command, env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=_stop_with_parent if _prctl is not None else None,
        )
        assert self.process.stdout is not None
        self._copiers = [t for t in self._copiers if t.is_alive()]
        self._copiers.append(start_copying(self.process.stdout, self._log_handler, self.name))
        self.started_at = time.monotonic()
        log.info("started %s (pid %s), log: %s", self.name, self.process.pid, self.log_path)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 15.0) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        for copier in self._copiers:
            copier.join(timeout=5)  # the rest of its output, up to the child's exit
        self._copiers = []
        if self._log_handler is not None:
            self._log_handler.close()
            self._log_handler = None


class Supervisor:
    def __init__(self, processes: list[ManagedProcess]) -> None:
        self.processes = processes
        self._stopping = threading.Event()

    def start_all(self) -> None:
        for managed in self.processes:
            managed.start()

    def watch(self) -> None:
        """Until stopped: restart any process that exited, with growing back-off."""
        while not self._stopping.wait(1.0):
            for managed in self.processes:
                if managed.alive() or self._stopping.is_set():
                    continue
                code = managed.process.returncode if managed.process else None
                # A process that ran a while before dying starts its back-off afresh.
                if time.monotonic() - managed.started_at > 60:
                    managed.restarts = 0
                delay = RESTART_BACKOFF_SECONDS[min(managed.restarts, len(RESTART_BACKOFF_SECONDS) - 1)]
                print(f"memfeed: {managed.name} exited ({code}); restarting in {delay} s", file=sys.stderr)
                if self._stopping.wait(delay):
                    return
                managed.restarts += 1
                managed.start()

    def stop(self) -> None:
        self._stopping.set()
        for managed in reversed(self.processes):
            managed.stop()
