"""Runs the service's processes, restarts any that dies, and stops them all together."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("memfeed.supervisor")
# A process that keeps dying is restarted at most this often.
RESTART_BACKOFF_SECONDS = (1, 2, 5, 10, 30)


@dataclass
class ManagedProcess:
    name: str
    command: list[str]
    log_path: Path
    env: dict[str, str]
    process: subprocess.Popen | None = None
    restarts: int = 0
    started_at: float = 0.0
    _log_file: object | None = field(default=None, repr=False)

    def start(self) -> None:
        self._log_file = open(self.log_path, "ab")  # noqa: SIM115 - kept open while the child runs
        self.process = subprocess.Popen(
            self.command, env=self.env, stdout=self._log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
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
        if self._log_file is not None:
            self._log_file.close()  # type: ignore[attr-defined]


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
