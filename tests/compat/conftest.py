"""The official MemOS client against a live memfeed stack: the client runs unmodified in its own
environment (tests/compat/memos_env.py), in a subprocess (tests/compat/memos_driver.py)."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.compat.memos_env import MEMOS_VERSION, MemosInstallError, ensure_memos_python
from tests.integration.conftest import Stack, api_key, redis_client, redis_prefix, stack  # noqa: F401

DRIVER = Path(__file__).with_name("memos_driver.py")
API_PREFIX = "/api/openmem/v1"
# The client tries each call 3 times with a 30 s timeout.
CALL_TIMEOUT_SECONDS = 150

# Set when pytest collects this directory: the summary's session time is from then on.
TIMINGS: dict[str, float | None] = {"session_start": time.monotonic()}


class MemosCallError(Exception):
    """The client raised; `status` and `body` are memfeed's answer when there was one."""

    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(f"{error['type']}: {error['message']} (status {error['status']}, body {error['body']})")
        self.type = error["type"]
        self.status = error["status"]
        self.body = error["body"]

    @property
    def code(self) -> int | None:
        return self.body.get("code") if isinstance(self.body, dict) else None


class MemosProcess:
    """One long-lived interpreter of the MemoryOS environment, serving client calls."""

    def __init__(self, python: Path, log_path: Path) -> None:
        self._log = open(log_path, "w")  # noqa: SIM115 - closed in close()
        env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"}}
        self._process = subprocess.Popen(
            [str(python), str(DRIVER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log,
            text=True, env=env, cwd=log_path.parent,  # the client writes .memos/logs into its working directory
        )
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.log_path = log_path
        started = time.monotonic()
        self._next(180)
        self.startup_seconds = time.monotonic() - started

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self._lines.put(line)

    def _next(self, timeout: float) -> dict[str, Any]:
        try:
            return json.loads(self._lines.get(timeout=timeout))
        except queue.Empty:
            tail = self.log_path.read_text(errors="replace")[-4000:]
            raise AssertionError(f"the MemOS client process did not answer within {timeout} s:\n{tail}") from None

    def call(self, base_url: str, api_key: str, method: str, **kwargs: Any) -> Any:
        assert self._process.stdin is not None
        request = {"base_url": base_url, "api_key": api_key, "method": method, "kwargs": kwargs}
        self._process.stdin.write(json.dumps(request) + "\n")
        self._process.stdin.flush()
        answer = self._next(CALL_TIMEOUT_SECONDS)
        if not answer["ok"]:
            raise MemosCallError(answer["error"])
        return answer["result"]

    def close(self) -> None:
        if self._process.stdin:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
        self._log.close()


class MemOS:
    """`MemOS(...).add_message(...)` calls MemOSClient.add_message in the client's process."""

    def __init__(self, process: MemosProcess, base_url: str, api_key: str) -> None:
        self._process = process
        self.base_url = base_url
        self.api_key = api_key

    def __getattr__(self, method: str) -> Any:
        return lambda **kwargs: self._process.call(self.base_url, self.api_key, method, **kwargs)

    def wait(self, task_id: str, timeout: float = 120.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            status = self.get_task_status(task_id=task_id)
            if status["data"]["status"] != "running":
                return status["data"]
            assert time.monotonic() < deadline, f"task {task_id} still running"
            time.sleep(0.3)


@pytest.fixture(scope="session")
def memos_python() -> Path:
    started = time.monotonic()
    try:
        python, install_seconds = ensure_memos_python()
    except MemosInstallError as exc:
        pytest.fail(f"MemoryOS=={MEMOS_VERSION} could not be installed:\n{exc}", pytrace=False)
    TIMINGS["install_seconds"] = install_seconds
    TIMINGS["environment_check_seconds"] = time.monotonic() - started
    return python


@pytest.fixture(scope="session")
def memos_process(memos_python: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[MemosProcess]:
    process = MemosProcess(memos_python, tmp_path_factory.mktemp("memos-client") / "client.log")
    TIMINGS["client_start_seconds"] = process.startup_seconds
    yield process
    process.close()


def memos_base_url(stack_or_url: Stack | str) -> str:
    base = stack_or_url if isinstance(stack_or_url, str) else stack_or_url.base_url
    return base.rstrip("/") + API_PREFIX


@pytest.fixture
def memos(memos_process: MemosProcess, stack: Stack, api_key: str) -> MemOS:  # noqa: F811
    return MemOS(memos_process, memos_base_url(stack), api_key)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if "client_start_seconds" not in TIMINGS:
        return
    install = TIMINGS.get("install_seconds")
    elapsed = time.monotonic() - (TIMINGS.get("session_start") or time.monotonic())
    terminalreporter.write_line(
        f"MemOS compat: MemoryOS=={MEMOS_VERSION} "
        + (f"installed in {install:.1f} s" if install is not None else "environment reused")
        + f", client process ready in {TIMINGS['client_start_seconds']:.1f} s, session {elapsed:.1f} s"
    )
