"""The processes of one memfeed deployment on this machine: API, worker, Flower."""

from __future__ import annotations

import os
import secrets
import sys
import time

import httpx
import redis
from celery.exceptions import TimeoutError as CeleryTimeoutError

from core.settings import Settings
from core.worker_readiness import ReadinessBoard, not_ready_reasons
from memfeed.logfiles import private_directory
from memfeed.supervisor import ManagedProcess

# Backfill has queues of its own: the worker takes from its queues in turn, so an interactive
# message waits for at most one backfill message, never for the whole backlog.
STAGE_QUEUES = "reads,feedback,ingest,backfill_feed,backfill"


def child_environment(settings: Settings, redis_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "MEMFEED_REDIS_URL": redis_url,
            "MEMFEED_DATA_DIR": str(settings.data_dir.resolve()),
            "MEMFEED_API_HOST": settings.api_host,
            "MEMFEED_API_PORT": str(settings.api_port),
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "TOKENIZERS_PARALLELISM": "false",
            # Output goes through a pipe to the supervisor: line by line, not in blocks lost in a crash.
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def worker_command(settings: Settings, name: str) -> list[str]:
    # Embedded mode: exactly one worker process owns the store, with a thread pool.
    return [
        sys.executable, "-m", "celery", "-A", "core.celery_app", "worker",
        "--pool", "threads",
        "--concurrency", str(settings.worker_concurrency),
        "--queues", STAGE_QUEUES,
        "--hostname", f"{name}@%h",
        "--loglevel", "INFO",
        "--task-events",
    ]


def flower_command(settings: Settings) -> list[str]:
    return [
        sys.executable, "-m", "celery", "-A", "core.celery_app", "flower",
        f"--port={settings.flower_port}",
        f"--address={settings.api_host}",
    ]


def api_command(settings: Settings) -> list[str]:
    return [
        sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",
        "--host", settings.api_host,
        "--port", str(settings.api_port),
        "--log-level", "warning",
    ]


def processes(settings: Settings, redis_url: str, with_flower: bool = True) -> list[ManagedProcess]:
    logs = settings.data_dir / "logs"
    private_directory(logs)
    env = child_environment(settings, redis_url)

    def managed_process(name: str, command: list[str], process_env: dict[str, str]) -> ManagedProcess:
        return ManagedProcess(name, command, logs / f"{name}.log", process_env,
                              log_max_bytes=settings.log_max_bytes, log_backups=settings.log_backup_count)

    managed = [
        managed_process("worker", worker_command(settings, f"memfeed-{settings.api_port}"), env),
        managed_process("api", api_command(settings), env),
    ]
    if with_flower:
        flower_env = dict(env)
        # Flower's API shows every tenant's tasks and can run any task: never without credentials,
        # which go by environment so that no process listing shows them.
        flower_env.pop("FLOWER_UNAUTHENTICATED_API", None)
        user, password = flower_credentials(settings)
        flower_env["FLOWER_BASIC_AUTH"] = f"{user}:{password}"
        managed.append(managed_process("flower", flower_command(settings), flower_env))
    return managed


FLOWER_PASSWORD_FILE = "flower-password"


def flower_credentials(settings: Settings) -> tuple[str, str]:
    """The configured user and password, or a password generated once and kept (mode 600) in the
    data directory."""
    if settings.flower_password:
        return settings.flower_user, settings.flower_password
    path = settings.data_dir / FLOWER_PASSWORD_FILE
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another `memfeed up` wrote it first
        else:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_urlsafe(18))
    return settings.flower_user, path.read_text().strip()


def wait_until_ready(base_url: str, settings: Settings, timeout: float = 120.0) -> None:
    """The API answers /healthz and a worker answers a ping through the queue."""
    from core.celery_app import celery_app
    from core.chains import PING

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    else:
        raise TimeoutError(f"the API did not answer at {base_url}/healthz within {timeout:g} s")
    remaining = max(1.0, deadline - time.monotonic())
    try:
        celery_app.send_task(PING).get(timeout=remaining)
    except CeleryTimeoutError:
        raise TimeoutError(f"no worker answered within {timeout:g} s{_workers_waiting(settings)}") from None


def _workers_waiting(settings: Settings) -> str:
    """Why the workers say they are not ready, if they say so."""
    try:
        client = redis.Redis.from_url(settings.broker_url(), decode_responses=True, socket_timeout=5)
        reasons = not_ready_reasons(ReadinessBoard(client, settings.redis_prefix).current())
    except redis.exceptions.RedisError:
        return ""
    return f" ({reasons})" if reasons else ""
