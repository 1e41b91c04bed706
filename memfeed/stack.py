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

# Backfill has queues of its own: a worker takes from its queues in turn, so an interactive
# message waits for at most one backfill message, never for the whole backlog.
STORE_QUEUES = "reads,feedback,ingest,backfill_feed,backfill"
ANALYSIS_QUEUES = "analysis,backfill_analysis"
# The analysis worker's Celery name begins so (then the API's port), the store's worker's "memfeed-".
ANALYSIS_WORKER_NAME = "memfeed-analysis-"


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


def worker_command(settings: Settings, name: str, queues: str | None = None) -> list[str]:
    """The store's worker: in embedded mode exactly one worker process owns the store, with a
    thread pool. Without an analysis worker it also runs the analysis stages."""
    if queues is None:
        queues = STORE_QUEUES if settings.analysis_worker else f"{STORE_QUEUES},{ANALYSIS_QUEUES}"
    return [
        sys.executable, "-m", "celery", "-A", "core.celery_app", "worker",
        "--pool", "threads",
        "--concurrency", str(settings.worker_concurrency),
        "--queues", queues,
        "--hostname", f"{name}@%h",
        "--loglevel", "INFO",
        "--task-events",
    ]


def analysis_worker_command(settings: Settings, name: str) -> list[str]:
    """The worker of the validate and classify stages; it never opens the store."""
    return worker_command(settings, name, ANALYSIS_QUEUES)


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

    store_env = {**env, "MEMFEED_WORKER_ROLE": "store"}
    managed = [managed_process("worker", worker_command(settings, f"memfeed-{settings.api_port}"), store_env)]
    if settings.analysis_worker:
        analysis_env = {**env, "MEMFEED_WORKER_ROLE": "analysis"}
        managed.append(managed_process(
            "analysis-worker", analysis_worker_command(settings, f"{ANALYSIS_WORKER_NAME}{settings.api_port}"), analysis_env,
        ))
    managed.append(managed_process("api", api_command(settings), env))
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
    """The API answers /healthz and each worker answers a ping through one of its queues."""
    from core.celery_app import ANALYSIS_QUEUE, READS_QUEUE, celery_app
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
    # The store's worker answers on the reads queue; the analysis worker, if any, on its own.
    queues = [READS_QUEUE, *([ANALYSIS_QUEUE] if settings.analysis_worker else [])]
    for queue in queues:
        remaining = max(1.0, deadline - time.monotonic())
        try:
            celery_app.send_task(PING, queue=queue).get(timeout=remaining)
        except CeleryTimeoutError:
            raise TimeoutError(
                f"no worker answered on the {queue} queue within {timeout:g} s{_workers_waiting(settings)}"
            ) from None


def _workers_waiting(settings: Settings) -> str:
    """Why the workers say they are not ready, if they say so."""
    try:
        client = redis.Redis.from_url(settings.broker_url(), decode_responses=True, socket_timeout=5)
        reasons = not_ready_reasons(ReadinessBoard(client, settings.redis_prefix).current())
    except redis.exceptions.RedisError:
        return ""
    return f" ({reasons})" if reasons else ""
