"""The data directory's lock, the log files' rotation and modes, and the worker's log filter."""

from __future__ import annotations

import logging
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from memfeed.data_dir_lock import LOCK_FILE, DataDirInUseError, DataDirLock
from memfeed.logfiles import private_directory
from memfeed.supervisor import ManagedProcess

HOLD_LOCK = """
import sys, time
from pathlib import Path
from memfeed.data_dir_lock import DataDirLock
DataDirLock(Path(sys.argv[1])).acquire()
print("locked", flush=True)
time.sleep(600)
"""


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_lock_refuses_a_second_holder_naming_the_first(tmp_path: Path) -> None:
    repo = Path(__file__).resolve().parents[2]
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(tmp_path)], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(repo)})
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(DataDirInUseError) as refused:
            DataDirLock(tmp_path).acquire()
        assert refused.value.holder_pid == holder.pid
        assert str(tmp_path.resolve()) in str(refused.value) and f"pid {holder.pid}" in str(refused.value)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    # The kernel released the lock of the killed holder; its file stays behind and blocks nothing.
    assert (tmp_path / LOCK_FILE).exists()
    with DataDirLock(tmp_path) as lock:
        assert (tmp_path / LOCK_FILE).read_text().strip() == str(os.getpid())
        assert _mode(lock.path) == 0o600
    again = DataDirLock(tmp_path)
    again.acquire()
    again.release()


def test_a_child_log_rotates_by_size_and_every_file_is_private(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir(mode=0o755)
    os.chmod(logs, 0o755)
    (logs / "child.log").write_text("from before\n")
    (logs / "child.log.1").write_text("from long before\n")
    for path in logs.iterdir():
        os.chmod(path, 0o644)
    private_directory(logs)
    assert _mode(logs) == 0o700 and {_mode(path) for path in logs.iterdir()} == {0o600}

    script = (
        "import sys\n"
        "for n in range(400): print(f'line {n:04d} ' + 'x' * 90)\n"
        "sys.stdout.flush()\n"
        "print('last', file=sys.stderr)"
    )
    child = ManagedProcess("child", [sys.executable, "-c", script], logs / "child.log", env={},
                           log_max_bytes=4096, log_backups=3)
    child.start()
    assert child.process is not None
    child.process.wait(timeout=30)
    child.stop()

    names = sorted(path.name for path in logs.iterdir())
    assert names == ["child.log", "child.log.1", "child.log.2", "child.log.3"]
    for path in logs.iterdir():
        assert _mode(path) == 0o600, path.name
        assert path.stat().st_size <= 4096, path.name
    newest = (logs / "child.log").read_text()
    assert newest.endswith("last\n"), "stderr goes to the same file, line by line"
    assert "line 0399" in newest
    older = (logs / "child.log.1").read_text()
    assert older.splitlines()[-1].startswith("line 0"), "no line is split across files"


def test_the_worker_log_filter_keeps_task_results_and_arguments_out() -> None:
    from celery.app import trace

    from workers.log_privacy import NOT_LOGGED, RedactTaskData

    secret = "The user's dentist is Dr. Vexlebrandt."
    context = {"id": "abc", "name": "memfeed.read.search", "return_value": repr([{"memory_value": secret}]),
               "runtime": 0.01, "args": repr(("scope", secret)), "kwargs": "{}"}
    record = logging.LogRecord("celery.app.trace", logging.INFO, __file__, 1, trace.LOG_SUCCESS, (context,), None)
    record.data = dict(context)

    assert RedactTaskData().filter(record)

    message = record.getMessage()
    assert secret not in message and "Vexlebrandt" not in str(record.data)
    assert message == f"Task memfeed.read.search[abc] succeeded in 0.01s: {NOT_LOGGED}"


def test_of_a_stage_result_only_its_job_and_outcome_are_logged() -> None:
    from celery.app import trace

    from workers.log_privacy import NOT_LOGGED, RedactTaskData

    result = {"job_id": "0f3a", "valid": True, "reason": "I moved to Vexlebrandt", "outcome": "applied", "changes": 2,
              "plan": [{"text": "'outcome': 'Vexlebrandt'"}]}
    context = {"id": "abc", "name": "memfeed.feedback.write", "return_value": repr(result), "runtime": 0.5,
               "args": "()", "kwargs": "{}"}
    record = logging.LogRecord("celery.app.trace", logging.INFO, __file__, 1, trace.LOG_SUCCESS, (context,), None)

    # Applied once by the logger and once by the handler: the second pass keeps the first's summary.
    assert RedactTaskData().filter(record) and RedactTaskData().filter(record)

    assert record.getMessage() == (
        f"Task memfeed.feedback.write[abc] succeeded in 0.5s: {NOT_LOGGED} job_id=0f3a valid=True outcome=applied "
        "changes=2"
    )
