"""Finding the Redis to use, or starting a private one inside the data directory."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import redis

from memfeed.logfiles import private_directory

LOCAL_REDIS_URL = "redis://127.0.0.1:6379/0"
PRIVATE_REDIS_PORT = 6399
INSTALL_HINT = (
    "memfeed needs Redis and found none: REDIS_URL is not set, nothing answers on 127.0.0.1:6379, "
    "and there is no redis-server on PATH. Install Redis (Debian/Ubuntu: `sudo apt-get install "
    "redis-server`; macOS: `brew install redis`) or point REDIS_URL at a running server."
)


class RedisUnavailableError(RuntimeError):
    pass


@dataclass
class RedisRuntime:
    url: str
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def answers(url: str, timeout: float = 0.5) -> bool:
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        return bool(client.ping())
    except (redis.exceptions.RedisError, OSError, ValueError):
        return False


def _runtime_file(data_dir: Path) -> Path:
    return data_dir / "runtime.json"


def record_runtime(data_dir: Path, redis_url: str) -> None:
    _runtime_file(data_dir).write_text(json.dumps({"redis_url": redis_url}))


def clear_runtime(data_dir: Path) -> None:
    _runtime_file(data_dir).unlink(missing_ok=True)


def recorded_url(data_dir: Path) -> str | None:
    try:
        return json.loads(_runtime_file(data_dir).read_text())["redis_url"]
    except (OSError, ValueError, KeyError):
        return None


def resolve(configured_url: str | None, data_dir: Path, start_private: bool = True) -> RedisRuntime:
    """REDIS_URL if set; else a Redis on 127.0.0.1:6379; else the data directory's private one."""
    if configured_url:
        return RedisRuntime(configured_url)
    if answers(LOCAL_REDIS_URL):
        return RedisRuntime(LOCAL_REDIS_URL)
    private_url = f"redis://127.0.0.1:{PRIVATE_REDIS_PORT}/0"
    running = recorded_url(data_dir)
    if running and answers(running):
        return RedisRuntime(running)
    if answers(private_url):
        return RedisRuntime(private_url)
    if not start_private:
        raise RedisUnavailableError(INSTALL_HINT)
    return start_private_redis(data_dir, PRIVATE_REDIS_PORT)


def start_private_redis(data_dir: Path, port: int) -> RedisRuntime:
    binary = shutil.which("redis-server")
    if binary is None:
        raise RedisUnavailableError(INSTALL_HINT)
    redis_dir = (data_dir / "redis").resolve()
    redis_dir.mkdir(parents=True, exist_ok=True)
    # Its append-only file holds every tenant's memories in the clear: readable by us alone.
    private_directory(redis_dir)
    log_path = redis_dir / "redis.log"
    process = subprocess.Popen(
        [
            binary,
            "--bind", "127.0.0.1",
            "--port", str(port),
            "--dir", str(redis_dir),
            "--appendonly", "yes",
            "--appendfsync", "everysec",
            "--maxmemory-policy", "noeviction",
            "--save", "",
            "--logfile", str(log_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        umask=0o077,
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RedisUnavailableError(f"redis-server exited with {process.returncode}; see {log_path}")
        if answers(url):
            return RedisRuntime(url, process, log_path)
        time.sleep(0.1)
    process.kill()
    raise RedisUnavailableError(f"redis-server did not answer on port {port}; see {log_path}")
