"""Pipeline: feedback jobs end to end, against a chain of four no-op Celery tasks on the same broker.

Two measures on each side:
- burst: N jobs posted by concurrent clients at once; jobs per second from the first POST to the
  last completion, and each job's time from its POST to its completion (queueing included);
- one at a time: the next job is posted when the previous one completed, so its time from POST
  to completion is the pipeline's own latency.
Completion times are taken where the work finished (memfeed's job record `updated_at`, written
by the worker that finished the job; the no-op chain's last task returns its clock), so polling
intervals do not count.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import redis
from celery.result import AsyncResult

from api.client import API_PREFIX
from tests.bench import corpus, noop_celery
from tests.bench.http_load import post_all
from tests.bench.suite_common import summarize
from tests.bench.suite_stack import MemfeedStack, noop_worker


def _throughput(sent: list[float], finished: list[float]) -> dict[str, Any]:
    elapsed = max(finished) - min(sent)
    latencies = [(end - start) * 1000 for start, end in zip(sent, finished, strict=True)]
    figures = summarize(latencies)
    return {
        "jobs": len(sent),
        "seconds": round(elapsed, 2),
        "jobs_per_second": round(len(sent) / elapsed, 1),
        "latency_p50_ms": figures["p50_ms"],
        "latency_p95_ms": figures["p95_ms"],
    }


# memfeed ------------------------------------------------------------------------------------------


class JobWatcher:
    """Reads job records straight from Redis: cheaper than get/status, and the same fields."""

    def __init__(self, redis_url: str, prefix: str) -> None:
        self._redis = redis.Redis.from_url(redis_url, decode_responses=True)
        self._prefix = prefix

    def wait(self, job_ids: list[str], timeout: float, interval: float) -> dict[str, tuple[float, str]]:
        """job id → (time it completed, outcome), once every job completed or failed."""
        done: dict[str, tuple[float, str]] = {}
        deadline = time.monotonic() + timeout
        waiting = list(job_ids)
        while waiting:
            pipe = self._redis.pipeline(transaction=False)
            for job_id in waiting:
                pipe.hmget(f"{self._prefix}:job:{job_id}", "status", "updated_at", "outcome")
            still = []
            for job_id, (status, updated_at, outcome) in zip(waiting, pipe.execute(), strict=True):
                if status in ("completed", "failed"):
                    done[job_id] = (float(updated_at), outcome or status)
                else:
                    still.append(job_id)
            waiting = still
            if waiting:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{len(waiting)} feedback jobs still running after {timeout:g} s")
                time.sleep(interval)
        return done


def memfeed_jobs(stack: MemfeedStack, api_key: str, redis_url: str, prefix: str, burst: int, one_by_one: int,
                 concurrency: int) -> dict[str, Any]:
    url = f"{stack.base_url}{API_PREFIX}/add/feedback"
    headers = {"Authorization": f"Token {api_key}"}
    watcher = JobWatcher(redis_url, prefix)

    sent = post_all(url, list(corpus.feedback_bodies(burst, seed=21)), concurrency, headers)
    done = watcher.wait([data["task_id"] for _, data in sent], timeout=600, interval=0.05)
    burst_figures = _throughput([start for start, _ in sent], [done[data["task_id"]][0] for _, data in sent])
    burst_figures["outcomes"] = dict(Counter(outcome for _, outcome in done.values()))

    # A body sent before is the same feedback retried: add/feedback answers with the earlier job,
    # finished long ago, which is no latency. Only new feedback is timed.
    seen = {data["task_id"] for _, data in sent}
    latencies: list[float] = []
    repeated = 0
    with httpx.Client(headers=headers, timeout=60) as client:
        for body in corpus.feedback_bodies(one_by_one * 4, seed=23):
            if len(latencies) == one_by_one:
                break
            started = time.time()
            task_id = client.post(url, json=body).json()["data"]["task_id"]
            if task_id in seen:
                repeated += 1
                continue
            seen.add(task_id)
            finished, _ = watcher.wait([task_id], timeout=60, interval=0.002)[task_id]
            latencies.append((finished - started) * 1000)
    return {"burst": burst_figures, "one_at_a_time": {**summarize(latencies), "retries_skipped": repeated}}


# the no-op chain ----------------------------------------------------------------------------------


def _wait_results(results: list[AsyncResult], timeout: float, interval: float) -> list[float]:
    """Each chain's return value (its finishing time), read from the result backend by polling,
    as memfeed's job records are read."""
    finished: dict[str, float] = {}
    deadline = time.monotonic() + timeout
    while len(finished) < len(results):
        for result in results:
            if result.id not in finished and result.ready():
                finished[result.id] = float(result.get(timeout=1))
        if len(finished) < len(results):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(results) - len(finished)} no-op chains unfinished after {timeout:g} s")
            time.sleep(interval)
    return [finished[result.id] for result in results]


def noop_chains(env: dict[str, str], log_dir: Path, burst: int, one_by_one: int) -> dict[str, Any]:
    app = noop_celery.create_app(env["MEMFEED_REDIS_URL"], env["MEMFEED_REDIS_PREFIX"])
    with noop_worker(env, log_dir / "noop-worker.log") as worker:
        sent, results = [], []
        for _ in range(burst):
            sent.append(time.time())
            results.append(noop_celery.noop_chain(app, uuid.uuid4().hex).apply_async())
        burst_figures = _throughput(sent, _wait_results(results, timeout=600, interval=0.05))

        latencies = []
        for _ in range(one_by_one):
            started = time.time()
            result = noop_celery.noop_chain(app, uuid.uuid4().hex).apply_async()
            [finished_at] = _wait_results([result], timeout=60, interval=0.002)
            latencies.append((finished_at - started) * 1000)
        peak = worker.peak_rss_mb()
    return {"burst": burst_figures, "one_at_a_time": summarize(latencies), "peak_rss_mb": peak}
