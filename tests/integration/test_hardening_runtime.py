"""Hardening of a running stack, with real `memfeed up` processes, Redis and worker:

- one `memfeed up` per data directory (a second one is refused and touches nothing; a lock left
  by a killed one blocks nothing);
- a worker that cannot open its store takes no task and says why it is not ready; the jobs
  submitted meanwhile complete, once, when the store opens;
- no tenant's text in any log file; log files private and rotated.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.client import MemfeedClient
from memfeed.data_dir_lock import LOCK_FILE

from .conftest import Stack, free_port, launch_stack, stack_environment, stop_stack


def _port(stack: Stack) -> str:
    return stack.base_url.rsplit(":", 1)[1]


def _pids(pattern: str) -> list[int]:
    found = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


def _worker_pids(stack: Stack) -> list[int]:
    return _pids(f"hostname memfeed-{_port(stack)}@")


def _stack_pids(port: int | str) -> list[int]:
    """The worker and the API of the stack on `port` (its children carry it on their command line)."""
    return _pids(f"hostname memfeed-{port}@") + _pids(f"uvicorn api.app:create_app .*--port {port} ")


def _wait_gone(pids: list[int], timeout: float) -> list[int]:
    deadline = time.monotonic() + timeout
    alive = pids
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = [pid for pid in alive if _alive(pid)]
    return alive


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purposes.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def _kill_all(pids: list[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _own_env(tmp_path: Path, redis_prefix: str, name: str) -> dict[str, str]:
    return stack_environment(tmp_path, prefix=f"{redis_prefix}:{name}{uuid.uuid4().hex[:4]}")


def _readyz(stack: Stack) -> httpx.Response:
    return httpx.get(f"{stack.base_url}/readyz", timeout=15)


def _remember_lockers(client: MemfeedClient, users: list[str], first: int) -> dict[str, tuple[str, int]]:
    return {user: (client.add_feedback(user, f"Please remember that my locker number is {n}."), n)
            for n, user in enumerate(users, start=first)}


def _check_exactly_once(client: MemfeedClient, tasks: dict[str, tuple[str, int]], timeout: float = 180) -> None:
    for user, (task_id, n) in tasks.items():
        status = client.wait(task_id, timeout=timeout)
        assert status["status"] == "completed", status
        values = [m["memory_value"] for m in client.get_memory(user)["memory_detail_list"]]
        assert values == [f"The user's locker number is {n}."], (user, values)


# M1 ----------------------------------------------------------------------------------------------


def _files_outside_store(data_dir: Path) -> dict[str, tuple[int, bytes]]:
    """Every file of the stack but its store and logs (which the running stack itself changes)."""
    files = {}
    for path in data_dir.rglob("*"):
        relative = path.relative_to(data_dir)
        if path.is_file() and relative.parts[0] not in ("qdrant-edge", "logs"):
            files[str(relative)] = (path.stat().st_mtime_ns, path.read_bytes())
    return files


def test_a_second_up_on_the_same_data_dir_is_refused_and_touches_nothing(tmp_path: Path, redis_prefix: str) -> None:
    env = _own_env(tmp_path, redis_prefix, "twice")
    first = launch_stack(tmp_path, env)
    try:
        before = _files_outside_store(tmp_path)
        logs_before = sorted(p.name for p in (tmp_path / "logs").iterdir())
        assert "runtime.json" in before and LOCK_FILE in before
        second_port = free_port()

        try:
            second = subprocess.run(
                [sys.executable, "-m", "memfeed.cli", "up", "--port", str(second_port), "--no-flower"],
                env=env, capture_output=True, text=True, timeout=60,
            )
        finally:
            _kill_all(_stack_pids(second_port))

        assert second.returncode != 0
        assert str(tmp_path.resolve()) in second.stderr, second.stderr
        assert f"pid {first.process.pid}" in second.stderr, second.stderr
        assert "ready" not in second.stdout + second.stderr
        assert _files_outside_store(tmp_path) == before, "runtime.json and the lock file are untouched"
        assert sorted(p.name for p in (tmp_path / "logs").iterdir()) == logs_before

        # The first stack goes on as if nothing happened.
        assert first.process.poll() is None
        assert _readyz(first).status_code == 200
        with MemfeedClient(first.base_url, first.create_project()) as client:
            _check_exactly_once(client, _remember_lockers(client, [f"twice-{uuid.uuid4().hex[:6]}"], 31))
    finally:
        stop_stack(first)
    assert not (tmp_path / "runtime.json").exists(), "the first stack cleaned up after itself"


def test_a_lock_left_by_a_killed_up_blocks_no_new_start(tmp_path: Path, redis_prefix: str) -> None:
    env = _own_env(tmp_path, redis_prefix, "killed")
    first = launch_stack(tmp_path, env)
    children = _stack_pids(_port(first))
    assert len(children) == 2
    os.kill(first.process.pid, signal.SIGKILL)
    first.process.wait(timeout=30)
    lock_file = tmp_path / LOCK_FILE
    try:
        assert lock_file.read_text().strip() == str(first.process.pid), "the lock file stays behind"
        # Its worker and API do not outlive it: an orphaned worker would keep the store and the queues.
        assert _wait_gone(children, timeout=60) == [], "the children of a killed `memfeed up` stop"

        second = launch_stack(tmp_path, env)
        try:
            assert lock_file.read_text().strip() == str(second.process.pid)
            assert _readyz(second).status_code == 200
            with MemfeedClient(second.base_url, second.create_project()) as client:
                _check_exactly_once(client, _remember_lockers(client, [f"killed-{uuid.uuid4().hex[:6]}"], 41))
        finally:
            stop_stack(second)
    finally:
        _kill_all(_stack_pids(_port(first)))


# M2 ----------------------------------------------------------------------------------------------


HOLD_SHARD = """
import sys
from qdrant_edge import EdgeShard
shard = EdgeShard.load(sys.argv[1])
print("held", flush=True)
sys.stdin.read()
shard.close()
"""


@pytest.fixture
def own_stack(redis_prefix: str, tmp_path: Path) -> Iterator[Stack]:
    running = launch_stack(tmp_path, _own_env(tmp_path, redis_prefix, "held"))
    yield running
    stop_stack(running)


def _hold_the_shard(store: Path) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLD_SHARD, str(store)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert holder.stdout is not None
    line = holder.stdout.readline()
    assert line.strip() == "held", line + holder.stdout.read()
    return holder


def test_a_worker_that_cannot_open_its_store_takes_no_task_and_its_jobs_complete_once_it_opens(
    own_stack: Stack,
) -> None:
    store = own_stack.data_dir / "qdrant-edge"
    with MemfeedClient(own_stack.base_url, own_stack.create_project()) as client:
        _check_exactly_once(client, _remember_lockers(client, [f"before-{uuid.uuid4().hex[:6]}"], 10))
        # The worker dies; before `memfeed up` restarts it, another process takes the shard.
        os.kill(own_stack.process.pid, signal.SIGSTOP)
        holder = None
        try:
            old_workers = _worker_pids(own_stack)
            for pid in old_workers:
                os.kill(pid, signal.SIGKILL)
            assert _wait_gone(old_workers, timeout=30) == []
            holder = _hold_the_shard(store)
        finally:
            os.kill(own_stack.process.pid, signal.SIGCONT)
        try:
            deadline = time.monotonic() + 90
            while True:  # the new worker starts, fails to open the store, and says so
                ready = _readyz(own_stack)
                if ready.status_code == 503 and "cannot open the embedded store" in ready.json()["workers"]:
                    break
                assert time.monotonic() < deadline, ready.text
                time.sleep(0.5)
            assert str(store) in ready.json()["workers"]
            assert ready.json()["status"] == "not ready"

            tasks = _remember_lockers(client, [f"held-{uuid.uuid4().hex[:6]}" for _ in range(4)], 20)
            time.sleep(8)  # time enough for a worker that takes tasks to run (and fail) them
            for task_id, _ in tasks.values():
                status = client.get_status(task_id)
                assert status["status"] == "running", status
                # Validate and classify run in the analysis worker, which needs no store.
                assert all(status["stages"][stage]["state"] == "pending" for stage in ("lookup", "write")), status
            assert _readyz(own_stack).status_code == 503
            assert _worker_pids(own_stack), "the worker waits for its store; it does not exit"
        finally:
            if holder is not None:
                holder.communicate(input="", timeout=30)

        _check_exactly_once(client, tasks)
        assert _readyz(own_stack).status_code == 200
    assert own_stack.process.poll() is None


# L3 ----------------------------------------------------------------------------------------------


SECRET_NAME = "Vexlebrandt"
SECRET_FEEDBACK = f"Please remember that my dentist is Dr. {SECRET_NAME}."
SECRET_MESSAGE = "I keep my spare key under the blue heron statue in the garden."
SECRET_QUERY = "where is the spare key hidden near the heron statue"
LOG_MAX_BYTES = 8192


def test_logs_hold_no_tenant_text_are_private_and_rotate(tmp_path: Path, redis_prefix: str) -> None:
    logs = tmp_path / "logs"
    logs.mkdir(mode=0o755)
    os.chmod(logs, 0o755)
    # Left by an earlier version with loose modes, the worker's log nearly full.
    (logs / "worker.log").write_text("an earlier run\n" * (LOG_MAX_BYTES // 16))
    (logs / "worker.log.1").write_text("an older run\n")
    (logs / "api.log").write_text("")
    for name in ("worker.log", "worker.log.1", "api.log"):
        os.chmod(logs / name, 0o644)
    env = _own_env(tmp_path, redis_prefix, "logs")
    env.update({"MEMFEED_LOG_MAX_BYTES": str(LOG_MAX_BYTES), "MEMFEED_LOG_BACKUP_COUNT": "50"})
    stack = launch_stack(tmp_path, env)
    try:
        user = f"logs-{uuid.uuid4().hex[:6]}"
        with MemfeedClient(stack.base_url, stack.create_project()) as client:
            client.add_message(user, "c1", [{"role": "user", "content": SECRET_MESSAGE}], async_mode=False)
            status = client.wait(client.add_feedback(user, SECRET_FEEDBACK))
            assert status["status"] == "completed" and status["outcome"] == "applied", status
            memories = [m["memory_value"] for m in client.get_memory(user)["memory_detail_list"]]
            assert any(SECRET_NAME in value for value in memories), memories
            assert any("heron" in value for value in memories), memories
            found = [m["memory_value"] for m in client.search(SECRET_QUERY, user)]
            assert any("heron" in value for value in found), found
            assert any(SECRET_NAME in m["memory_value"] for m in client.search("who is the user's dentist", user))
            # Enough tasks that the worker's log rotates during the run.
            for n in range(6):
                client.wait(client.add_feedback(user, f"Please remember that my locker number is {n}."))
    finally:
        stop_stack(stack)

    files = sorted(path for path in logs.iterdir())
    texts = {path.name: path.read_text(errors="replace") for path in files}
    for name, text in texts.items():
        for secret in (SECRET_NAME, "heron", "spare key", "locker number"):
            assert secret not in text, f"{secret!r} in {name}"
    worker_logs = "".join(text for name, text in texts.items() if name.startswith("worker.log"))
    # What an operator needs stays: task names, outcomes and timings.
    assert "Task memfeed.feedback.write[" in worker_logs and " succeeded in " in worker_logs
    # Reads are answered by the worker's read threads, not as Celery tasks: they announce what they serve.
    assert "read threads serve" in worker_logs and "memfeed.read.search" in worker_logs

    assert stat.S_IMODE(logs.stat().st_mode) == 0o700
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    rotated = [name for name in texts if name.startswith("worker.log.")]
    assert len(rotated) >= 2, sorted(texts)
    assert "an older run" in texts[f"worker.log.{len(rotated)}"], "older files move up, none is lost"
    assert all(path.stat().st_size <= LOG_MAX_BYTES for path in files if path.name.startswith("worker.log"))
