"""Finished jobs are kept for the retention window and then leave nothing in Redis; revert and
get/status say so clearly afterwards, and the memories and their versions stay."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from api.client import MemfeedAPIError, MemfeedClient

from .conftest import Stack, launch_stack, stack_environment, stop_stack

RETENTION_DAYS = 0.0001  # 8.64 s


@pytest.fixture(scope="module")
def short_retention_stack(redis_prefix: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir = tmp_path_factory.mktemp("retention")
    env = stack_environment(data_dir, prefix=f"{redis_prefix}:ret{uuid.uuid4().hex[:4]}")
    env["MEMFEED_JOB_RETENTION_DAYS"] = str(RETENTION_DAYS)
    running = launch_stack(data_dir, env)
    yield running
    stop_stack(running)


def _keys_mentioning(redis_client: redis.Redis, prefix: str, needle: str) -> list[str]:
    found = []
    for key in redis_client.scan_iter(f"{prefix}:*", count=1000):
        kind = redis_client.type(key)
        if kind == "string":
            content = [redis_client.get(key) or ""]
        elif kind == "hash":
            content = [f"{k}={v}" for k, v in redis_client.hgetall(key).items()]
        elif kind == "zset":
            content = redis_client.zrange(key, 0, -1)
        elif kind == "set":
            content = list(redis_client.smembers(key))
        elif kind == "list":
            content = redis_client.lrange(key, 0, -1)
        else:
            content = []
        if needle in key or any(needle in str(item) for item in content):
            found.append(key)
    return found


def test_a_finished_job_is_kept_for_the_window_then_leaves_nothing(
    short_retention_stack: Stack, redis_client: redis.Redis
) -> None:
    stack = short_retention_stack
    prefix = stack.env["MEMFEED_REDIS_PREFIX"]
    user = f"ret-{uuid.uuid4().hex[:6]}"
    with MemfeedClient(stack.base_url, stack.create_project()) as client:
        client.add_message(user, "c", [{"role": "user", "content": "I like swimming."}], async_mode=False)
        response = client.post("add/feedback", {"user_id": user, "feedback_content": "Actually I don't like swimming."})
        job_id = response["task_id"]
        applied = client.wait(job_id)
        assert applied["outcome"] == "applied"
        [change] = applied["changes"]
        usage = redis_client.memory_usage(f"{prefix}:job:{job_id}")
        print(f"a finished feedback job's record takes {usage} bytes of Redis while it is kept")
        assert usage is not None and usage < 16_384

        deadline = time.monotonic() + RETENTION_DAYS * 86400 + 10
        while redis_client.exists(f"{prefix}:job:{job_id}") and time.monotonic() < deadline:
            time.sleep(0.5)

        assert _keys_mentioning(redis_client, prefix, job_id) == []
        with pytest.raises(MemfeedAPIError) as gone:
            client.get_status(job_id)
        assert gone.value.code == 40400 and "MEMFEED_JOB_RETENTION_DAYS" in gone.value.message
        with pytest.raises(MemfeedAPIError) as too_late:
            client.post("revert/feedback", {"task_id": job_id})
        assert too_late.value.code == 40400 and "MEMFEED_JOB_RETENTION_DAYS" in too_late.value.message
        # The memories and their versions remain.
        history = client.post("get/memory/history", {"user_id": user, "memory_id": change["new_memory_id"]})
        assert {v["memory_value"] for v in history["versions"]} == {change["before"], change["after"]}
        assert any(v["task_id"] == job_id for v in history["versions"])
        assert [m["memory_value"] for m in client.get_memory(user)["memory_detail_list"]] == [change["after"]]
