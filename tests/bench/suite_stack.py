"""The processes the suite runs: `memfeed up` on a prepared data directory, and the baselines' servers.

`memfeed up` is launched as the integration tests launch it (tests/integration/conftest.py); the
baselines reuse memfeed's own uvicorn and Celery worker command lines with another app module,
so both sides run under the same server settings.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from core.settings import Settings
from memfeed.stack import api_command, worker_command
from tests.bench.suite_common import REPO, peak_rss_mb, stack_processes
from tests.integration.conftest import free_port, launch_stack, stop_stack


def bench_environment(redis_url: str, prefix: str, data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "MEMFEED_REDIS_URL": redis_url,
        "MEMFEED_REDIS_PREFIX": prefix,
        "MEMFEED_DATA_DIR": str(data_dir),
        "MEMFEED_ANALYZER": "offline",
        "PYTHONPATH": str(REPO),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
    })
    return env


@dataclass
class MemfeedStack:
    base_url: str
    api_pid: int
    worker_pid: int
    # The validate and classify stages' worker (absent with MEMFEED_ANALYSIS_WORKER=false).
    analysis_worker_pid: int | None = None

    def peak_rss(self) -> dict[str, float]:
        peaks = {"api_peak_rss_mb": peak_rss_mb(self.api_pid), "worker_peak_rss_mb": peak_rss_mb(self.worker_pid)}
        if self.analysis_worker_pid is not None:
            peaks["analysis_worker_peak_rss_mb"] = peak_rss_mb(self.analysis_worker_pid)
        return peaks

    @contextmanager
    def worker_paused(self) -> Iterator[None]:
        """SIGSTOP the workers, so a phase measures the API alone on this machine's cores."""
        workers = [pid for pid in (self.worker_pid, self.analysis_worker_pid) if pid is not None]
        for pid in workers:
            os.kill(pid, signal.SIGSTOP)
        try:
            yield
        finally:
            for pid in workers:
                os.kill(pid, signal.SIGCONT)


@contextmanager
def memfeed_stack(env: dict[str, str]) -> Iterator[MemfeedStack]:
    """`memfeed up --no-flower` on env's data directory, until the block ends."""
    started = launch_stack(Path(env["MEMFEED_DATA_DIR"]), env)
    assert started.process.stdout is not None
    # Keep reading its output, or a full pipe would block it.
    threading.Thread(target=started.process.stdout.read, daemon=True).start()
    try:
        pids = stack_processes(started.process.pid)
        yield MemfeedStack(started.base_url, pids["api"], pids["worker"], pids.get("analysis worker"))
    finally:
        stop_stack(started)


@dataclass
class Server:
    """One baseline process."""

    process: subprocess.Popen
    base_url: str = ""

    def peak_rss_mb(self) -> float:
        return peak_rss_mb(self.process.pid)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def bare_api_server(env: dict[str, str], log_path: Path) -> Iterator[Server]:
    """The bare FastAPI app under memfeed's own uvicorn command line, on a free port."""
    port = free_port()
    settings = Settings(api_host="127.0.0.1", api_port=port)
    command = [part if part != "api.app:create_app" else "tests.bench.bare_app:create_app"
               for part in api_command(settings)]
    with open(log_path, "ab") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = Server(process, f"http://127.0.0.1:{port}")
    try:
        _wait_http(f"{server.base_url}/healthz", process)
        yield server
    finally:
        _stop(process)


def _wait_http(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited ({process.returncode})")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout:g} s")


@contextmanager
def noop_worker(env: dict[str, str], log_path: Path) -> Iterator[Server]:
    """A Celery worker of the no-op app, with memfeed's worker options (pool, concurrency)."""
    from tests.bench import noop_celery

    app = noop_celery.create_app(env["MEMFEED_REDIS_URL"], env["MEMFEED_REDIS_PREFIX"])
    settings = Settings(worker_concurrency=int(env.get("MEMFEED_WORKER_CONCURRENCY", "4")))
    command = worker_command(settings, f"bench-noop-{os.getpid()}")
    command[command.index("core.celery_app")] = "tests.bench.noop_celery"
    command[command.index("--queues") + 1] = noop_celery.QUEUE
    with open(log_path, "ab") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        app.send_task(noop_celery.PING).get(timeout=60)
        yield Server(process)
    finally:
        _stop(process)
