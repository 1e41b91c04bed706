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
import redis

from api.client import MemfeedAPIError, MemfeedClient
from memfeed.stack import ANALYSIS_WORKER_NAME

from .conftest import Stack, free_port, launch_stack, stack_environment, stop_stack

# Every accepted job must be done within this many seconds after a fault ends, on the default
# settings (a 300 s visibility timeout, a 600 s stall time): a dead worker's jobs are resumed once
# its heartbeat lapses, a job the broker never got is sent on from the outbox.
RECOVERY_SECONDS = 60
# Only for the one test of the last resort: a message lost inside the broker.
SHORT_STALL = {"MEMFEED_JOB_STALL_SECONDS": "8", "MEMFEED_SWEEP_INTERVAL_SECONDS": "1"}


def _worker_pids(stack: Stack, name: str = "memfeed-") -> list[int]:
    """The store's worker, or with ANALYSIS_WORKER_NAME the validate and classify stages' worker."""
    port = stack.base_url.rsplit(":", 1)[1]
    found = subprocess.run(["pgrep", "-f", f"hostname {name}{port}@"], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


def _submit(client: MemfeedClient, users: list[str], first_number: int = 100) -> dict[str, tuple[str, int]]:
    """One new fact per user: afterwards each user must have exactly that one memory."""
    return {user: (client.add_feedback(user, f"Please remember that my locker number is {n}."), n)
            for n, user in enumerate(users, start=first_number)}


def _check_exactly_once(client: MemfeedClient, tasks: dict[str, tuple[str, int]], fault_ended: float) -> None:
    """Every job done within RECOVERY_SECONDS of the fault's end, each memory written once."""
    for user, (task_id, n) in tasks.items():
        remaining = max(1.0, fault_ended + RECOVERY_SECONDS - time.monotonic())
        status = client.wait(task_id, timeout=remaining)
        assert status["status"] == "completed", status
    print(f"every job done {time.monotonic() - fault_ended:.1f} s after the fault ended")
    for user, (task_id, n) in tasks.items():
        values = [m["memory_value"] for m in client.get_memory(user)["memory_detail_list"]]
        assert values == [f"The user's locker number is {n}."], (user, values)


def _stack(redis_prefix: str, tmp_path: Path, **settings: str) -> Iterator[Stack]:
    env = stack_environment(tmp_path, prefix=f"{redis_prefix}:faults{uuid.uuid4().hex[:4]}")
    env.update(settings)
    running = launch_stack(tmp_path, env)
    yield running
    stop_stack(running)


@pytest.fixture
def fault_stack(redis_prefix: str, tmp_path: Path) -> Iterator[Stack]:
    """A stack on the default recovery settings."""
    yield from _stack(redis_prefix, tmp_path)


@pytest.fixture
def short_stall_stack(redis_prefix: str, tmp_path: Path) -> Iterator[Stack]:
    yield from _stack(redis_prefix, tmp_path, **SHORT_STALL)


def _until_a_worker_holds_a_job(redis_client: redis.Redis, prefix: str, pids: list[int], timeout: float = 30) -> None:
    """Until one of these worker processes holds a job's task."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(redis_client.hlen(key) for pid in pids for key in redis_client.scan_iter(f"{prefix}:worker:*:{pid}:jobs")):
            return
        time.sleep(0.01)


@pytest.mark.parametrize("name", ["memfeed-", ANALYSIS_WORKER_NAME], ids=["store worker", "analysis worker"])
def test_killed_workers_lose_nothing_and_apply_nothing_twice(
    fault_stack: Stack, redis_client: redis.Redis, name: str,
) -> None:
    prefix = fault_stack.env["MEMFEED_REDIS_PREFIX"]
    with MemfeedClient(fault_stack.base_url, fault_stack.create_project()) as client:
        tasks: dict = {}
        kills = 0
        for _ in range(3):
            # Work for each round (a round's jobs may all be done before the next one), and each
            # kill lands while the worker holds a job's task.
            tasks |= _submit(client, [f"locker-{uuid.uuid4().hex[:6]}" for _ in range(40)])
            _until_a_worker_holds_a_job(redis_client, prefix, _worker_pids(fault_stack, name))
            for pid in _worker_pids(fault_stack, name):
                os.kill(pid, signal.SIGKILL)
                kills += 1
            # The supervisor starts a new worker; let it get to work before the next kill.
            deadline = time.monotonic() + 60
            while not _worker_pids(fault_stack, name) and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(2.0)
        assert kills >= 3
        _check_exactly_once(client, tasks, fault_ended=time.monotonic())
    # Whichever worker swept gave them back.
    given_back = sum(fault_stack.logs(name).count("taken by a worker that died") for name in ("worker", "analysis-worker"))
    print(f"{given_back} task(s) of dead workers queued again")
    assert given_back >= 1, "a worker died holding a job task, which went back to the queue"
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
    stack = launch_stack(tmp_path, env)
    try:
        key = stack.create_project()
        with MemfeedClient(stack.base_url, key) as client:
            users = [f"restart-{uuid.uuid4().hex[:6]}" for _ in range(12)]
            tasks = _submit(client, users[:6])
            # As if a worker had taken this job's message from its queue just as Redis went down:
            # a job that no message names. After the outage it is found and resumed.
            lost_key, lost_user, lost_job, _ = _record_directly(
                stack, redis.Redis(port=port, decode_responses=True), stall_seconds=600, outbox=False, api_key=key
            )
            tasks[lost_user] = (lost_job, 7)
            subprocess.run(["redis-cli", "-p", str(port), "shutdown"], capture_output=True)
            redis_server.wait(timeout=30)
            with pytest.raises(MemfeedAPIError) as refused:
                client.add_feedback(users[6], "Please remember that my locker number is 106.")
            assert refused.value.code == 50145, "while Redis is down, feedback is refused, not lost"
            redis_server = _start_redis(port, redis_dir)
            fault_ended = time.monotonic()
            deadline = time.monotonic() + 60
            while True:  # the API reconnects on its own
                try:
                    tasks.update(_submit(client, users[6:], first_number=106))
                    break
                except MemfeedAPIError:
                    assert time.monotonic() < deadline
                    time.sleep(0.5)
            _check_exactly_once(client, tasks, fault_ended)
    finally:
        stop_stack(stack)
        redis_server.terminate()
        redis_server.wait(timeout=30)


def _record_directly(
    stack: Stack, redis_client, stall_seconds: float, outbox: bool, api_key: str | None = None  # noqa: ANN001
) -> tuple[str, str, str, object]:
    """A feedback job recorded as the API records it, its first task never enqueued."""
    from core.control import ControlPlane
    from core.control.jobs import FEEDBACK_STAGES
    from core.settings import Settings

    prefix = stack.env["MEMFEED_REDIS_PREFIX"]
    control = ControlPlane(redis_client, Settings(redis_prefix=prefix, job_stall_seconds=stall_seconds))
    key = api_key or stack.create_project()
    project = control.projects.authenticate(key)
    assert project is not None
    user = f"lost-{uuid.uuid4().hex[:6]}"
    job_id = uuid.uuid4().hex
    control.jobs.create(job_id, project.id, "feedback",
                        {"user_id": user, "feedback_content": "Please remember that my locker number is 7."},
                        stages=FEEDBACK_STAGES, outbox=outbox)
    return key, user, job_id, control


def test_a_job_the_api_recorded_but_never_enqueued_runs_from_the_outbox(fault_stack: Stack, redis_client) -> None:  # noqa: ANN001
    """As if the API process died between recording a job and enqueuing it."""
    key, user, job_id, control = _record_directly(fault_stack, redis_client, stall_seconds=600, outbox=True)
    recorded = time.monotonic()
    with MemfeedClient(fault_stack.base_url, key) as client:
        status = client.wait(job_id, timeout=RECOVERY_SECONDS)
        assert status["status"] == "completed"
        print(f"the job ran {time.monotonic() - recorded:.1f} s after it was recorded")
        assert [m["memory_value"] for m in client.get_memory(user)["memory_detail_list"]] == [
            "The user's locker number is 7."]
    assert control.jobs.get(job_id).resumes == 0


def test_a_job_whose_task_was_lost_is_resumed(short_stall_stack: Stack, redis_client) -> None:  # noqa: ANN001
    """The last resort: a job that stopped progressing (a message lost inside the broker)."""
    key, user, job_id, control = _record_directly(short_stall_stack, redis_client, stall_seconds=8, outbox=False)
    with MemfeedClient(short_stall_stack.base_url, key) as client:
        status = client.wait(job_id, timeout=60)
        assert status["status"] == "completed"
        assert [m["memory_value"] for m in client.get_memory(user)["memory_detail_list"]] == [
            "The user's locker number is 7."]
    assert control.jobs.get(job_id).resumes == 1
