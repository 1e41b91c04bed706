"""Faults under load: workers killed mid-chain, Redis restarted. Every accepted job must end
completed (or failed with a reason), with no memory lost or written twice."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.client import MemfeedAPIError, MemfeedClient

from .conftest import Stack, free_port, launch_stack, stack_environment, stop_stack

# A task a killed worker held comes back after this many seconds; a job whose next task was
# lost is resumed after STALL seconds.
FAST_RECOVERY = {
    "MEMFEED_VISIBILITY_TIMEOUT_SECONDS": "4",
    "MEMFEED_JOB_STALL_SECONDS": "8",
    "MEMFEED_SWEEP_INTERVAL_SECONDS": "1",
}


def _worker_pids(stack: Stack) -> list[int]:
    port = stack.base_url.rsplit(":", 1)[1]
    found = subprocess.run(["pgrep", "-f", f"hostname memfeed-{port}@"], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


def _submit(client: MemfeedClient, users: list[str], first_number: int = 100) -> dict[str, tuple[str, int]]:
    """One new fact per user: afterwards each user must have exactly that one memory."""
    return {user: (client.add_feedback(user, f"Please remember that my locker number is {n}."), n)
            for n, user in enumerate(users, start=first_number)}


def _check_exactly_once(client: MemfeedClient, tasks: dict[str, tuple[str, int]]) -> None:
    for user, (task_id, n) in tasks.items():
        status = client.wait(task_id, timeout=240)
        assert status["status"] == "completed", status
        values = [m["memory_value"] for m in client.get_memory(user)["memory_detail_list"]]
        assert values == [f"The user's locker number is {n}."], (user, values)


@pytest.fixture
def fault_stack(redis_prefix: str, tmp_path: Path) -> Iterator[Stack]:
    env = stack_environment(tmp_path, prefix=f"{redis_prefix}:faults{uuid.uuid4().hex[:4]}")
    env.update(FAST_RECOVERY)
    running = launch_stack(tmp_path, env)
    yield running
    stop_stack(running)


def test_killed_workers_lose_nothing_and_apply_nothing_twice(fault_stack: Stack) -> None:
    with MemfeedClient(fault_stack.base_url, fault_stack.create_project()) as client:
        tasks = _submit(client, [f"locker-{uuid.uuid4().hex[:6]}" for _ in range(24)])
        kills = 0
        for _ in range(3):
            time.sleep(1.0)
            for pid in _worker_pids(fault_stack):
                os.kill(pid, signal.SIGKILL)
                kills += 1
            # The supervisor starts a new worker; let it get to work before the next kill.
            deadline = time.monotonic() + 60
            while not _worker_pids(fault_stack) and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(2.0)
        assert kills >= 3
        _check_exactly_once(client, tasks)
    assert fault_stack.process.poll() is None, "memfeed up kept running and restarted its worker"


def _start_redis(port: int, directory: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory),
         "--appendonly", "yes", "--appendfsync", "always", "--save", ""],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        if subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True).stdout.strip() == "PONG":
            return process
        time.sleep(0.1)
    raise RuntimeError("redis-server did not start")


def test_a_redis_restart_during_a_run_loses_no_accepted_job(tmp_path: Path) -> None:
    port = free_port()
    redis_dir = tmp_path / "redis"
    redis_dir.mkdir()
    redis_server = _start_redis(port, redis_dir)
    env = stack_environment(tmp_path, prefix="restart")
    env["MEMFEED_REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
    env.update(FAST_RECOVERY)
    stack = launch_stack(tmp_path, env)
    try:
        with MemfeedClient(stack.base_url, stack.create_project()) as client:
            users = [f"restart-{uuid.uuid4().hex[:6]}" for _ in range(12)]
            tasks = _submit(client, users[:6])
            subprocess.run(["redis-cli", "-p", str(port), "shutdown"], capture_output=True)
            redis_server.wait(timeout=30)
            with pytest.raises(MemfeedAPIError) as refused:
                client.add_feedback(users[6], "Please remember that my locker number is 106.")
            assert refused.value.code == 50145, "while Redis is down, feedback is refused, not lost"
            redis_server = _start_redis(port, redis_dir)
            deadline = time.monotonic() + 60
            while True:  # the API reconnects on its own
                try:
                    tasks.update(_submit(client, users[6:], first_number=106))
                    break
                except MemfeedAPIError:
                    assert time.monotonic() < deadline
                    time.sleep(0.5)
            _check_exactly_once(client, tasks)
    finally:
        stop_stack(stack)
        redis_server.terminate()
        redis_server.wait(timeout=30)


def test_a_job_whose_task_was_lost_is_resumed(fault_stack: Stack, redis_client) -> None:  # noqa: ANN001
    """As if the API process died between recording a job and enqueuing it."""
    from memfeed.control import ControlPlane
    from memfeed.control.jobs import FEEDBACK_STAGES
    from memfeed.settings import Settings

    prefix = fault_stack.env["MEMFEED_REDIS_PREFIX"]
    control = ControlPlane(redis_client, Settings(redis_prefix=prefix, job_stall_seconds=8))
    key = fault_stack.create_project()
    project = control.projects.authenticate(key)
    assert project is not None
    user = f"lost-{uuid.uuid4().hex[:6]}"
    job_id = uuid.uuid4().hex
    control.jobs.create(job_id, project.id, "feedback",
                        {"user_id": user, "feedback_content": "Please remember that my locker number is 7."},
                        stages=FEEDBACK_STAGES)

    with MemfeedClient(fault_stack.base_url, key) as client:
        status = client.wait(job_id, timeout=60)
        assert status["status"] == "completed"
        assert [m["memory_value"] for m in client.get_memory(user)["memory_detail_list"]] == [
            "The user's locker number is 7."]
    assert control.jobs.get(job_id).resumes == 1
