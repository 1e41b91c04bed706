"""The analysis worker: `memfeed up` runs validate and classify in a worker process that never
opens the store, and lookup and write in the store's worker; without it, one worker runs all four."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from api.client import MemfeedClient
from core.chains import CLASSIFY, LOOKUP, VALIDATE, WRITE

from .conftest import Stack, launch_stack, stack_environment, stop_stack

CORRECTION = "Actually I don't like swimming, I like running."


def _received(log: str, task: str) -> set[str]:
    """The ids of the tasks named `task` that a worker's log says it received."""
    return set(re.findall(rf"Task {re.escape(task)}\[([0-9a-f-]+)\] received", log))


def _run_one_correction(client: MemfeedClient) -> dict:
    user = f"u-{uuid.uuid4().hex[:8]}"
    status = client.wait(client.add_feedback(user, CORRECTION), timeout=60)
    assert status["status"] == "completed", status
    return status


def test_validate_and_classify_run_in_the_analysis_worker(client: MemfeedClient, stack: Stack) -> None:
    _run_one_correction(client)
    batch = client.add_feedback_batch([{"user_id": f"b-{uuid.uuid4().hex[:8]}", "feedback_content": CORRECTION}])
    client.wait_batch(batch["batch_id"], timeout=60)
    analysis, store = stack.logs("analysis-worker"), stack.logs("worker")
    for task in (VALIDATE, CLASSIFY):
        assert len(_received(analysis, task)) >= 2, f"{task}: the analysis worker ran the job's and the batch's"
        assert not _received(store, task), f"{task} ran in the store's worker"
    for task in (LOOKUP, WRITE):
        assert len(_received(store, task)) >= 2
        assert not _received(analysis, task), f"{task} ran in the analysis worker"
    assert "opened" not in analysis, "the analysis worker never opens the store"


def test_without_an_analysis_worker_the_store_worker_runs_every_stage(redis_prefix: str, tmp_path: Path) -> None:
    env = stack_environment(tmp_path, prefix=f"{redis_prefix}:one-worker")
    env["MEMFEED_ANALYSIS_WORKER"] = "false"
    running = launch_stack(tmp_path, env)
    try:
        with MemfeedClient(running.base_url, running.create_project()) as client:
            _run_one_correction(client)
        store = running.logs("worker")
        for task in (VALIDATE, CLASSIFY, LOOKUP, WRITE):
            assert _received(store, task), task
        assert not running.logs("analysis-worker")
    finally:
        stop_stack(running)
