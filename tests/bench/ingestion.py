"""Ingestion: add/feedback requests per second and latency, against a bare FastAPI LPUSH endpoint.

Both run under the same uvicorn command line and are driven by the same closed-loop httpx
clients. memfeed's workers are paused (SIGSTOP) while the API is measured, so on this small machine
the API is not competing with the pipeline for the cores, as the bare endpoint is not; the jobs
it enqueued are dropped from their first stage's queue, and from the index of unfinished jobs that
a worker's sweeper resumes, before the workers resume.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from api.client import API_PREFIX
from core.chains import STAGE_QUEUES
from tests.bench import corpus
from tests.bench.bare_app import LIST_SUFFIX
from tests.bench.http_load import closed_loop
from tests.bench.suite_common import delete_keys
from tests.bench.suite_stack import MemfeedStack, bare_api_server

BODIES = 2_000


def bare_endpoint(env: dict[str, str], log_dir: Path, concurrency: int, seconds: float) -> dict[str, Any]:
    with bare_api_server(env, log_dir / "bare-api.log") as server:
        result = closed_loop(f"{server.base_url}/lpush", corpus.feedback_bodies(BODIES), concurrency, seconds)
        figures = {**result.figures(), "peak_rss_mb": server.peak_rss_mb()}
    delete_keys(env["MEMFEED_REDIS_URL"], env["MEMFEED_REDIS_PREFIX"] + LIST_SUFFIX)
    return figures


def add_feedback(stack: MemfeedStack, api_key: str, redis_url: str, prefix: str, concurrency: int,
                 seconds: float) -> dict[str, Any]:
    with stack.worker_paused():
        result = closed_loop(f"{stack.base_url}{API_PREFIX}/add/feedback", corpus.feedback_bodies(BODIES),
                             concurrency, seconds, headers={"Authorization": f"Token {api_key}"})
        dropped = delete_keys(redis_url, f"{prefix}:celery:{STAGE_QUEUES['interactive']['validate']}*")
        # Every job of the phases before this one has finished: the unfinished are this phase's.
        delete_keys(redis_url, f"{prefix}:jobs:unfinished")
    return {**result.figures(), "queue_keys_dropped": dropped}
