"""Redis resolution and process supervision, with real processes."""

from __future__ import annotations

import stat
import sys
import time
from pathlib import Path

import pytest

from memfeed import redis_runtime
from memfeed.supervisor import ManagedProcess, Supervisor

from .conftest import free_port


def test_private_redis_is_append_only_inside_the_data_dir(tmp_path: Path) -> None:
    runtime = redis_runtime.start_private_redis(tmp_path, free_port())
    try:
        assert redis_runtime.answers(runtime.url)
        import redis

        client = redis.Redis.from_url(runtime.url)
        assert client.config_get("appendonly")["appendonly"] == "yes"
        assert Path(client.config_get("dir")["dir"]) == (tmp_path / "redis").resolve()
        client.set("k", "v")
        client.bgrewriteaof()
        time.sleep(0.5)
    finally:
        runtime.stop()
    # Its files hold every tenant's memories: the service user's alone.
    assert stat.S_IMODE((tmp_path / "redis").stat().st_mode) == 0o700
    for path in (tmp_path / "redis").rglob("*"):
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
    assert not redis_runtime.answers(runtime.url)


def test_configured_url_wins(tmp_path: Path) -> None:
    assert redis_runtime.resolve("redis://example.invalid:1/0", tmp_path).url == "redis://example.invalid:1/0"


def test_missing_redis_server_gives_install_instructions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(redis_runtime.RedisUnavailableError, match="apt-get install redis-server"):
        redis_runtime.start_private_redis(tmp_path, free_port())


def test_supervisor_restarts_a_process_that_dies(tmp_path: Path) -> None:
    marker = tmp_path / "starts"
    script = f"open({str(marker)!r}, 'a').write('x'); import time; time.sleep(0.2)"
    child = ManagedProcess("short-lived", [sys.executable, "-c", script], tmp_path / "child.log", env={})
    supervisor = Supervisor([child])
    supervisor.start_all()
    import threading

    watcher = threading.Thread(target=supervisor.watch, daemon=True)
    watcher.start()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and (not marker.exists() or len(marker.read_text()) < 2):
        time.sleep(0.1)
    supervisor.stop()
    watcher.join(timeout=5)
    assert len(marker.read_text()) >= 2, "the process was started again after it exited"
