"""Identical writes (same route, same body) from one project within
MEMFEED_DUPLICATE_WRITE_WINDOW_SECONDS get the first write's task or answer, with no Idempotency-Key;
after the window, or from another project, or with another body, they are new writes."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
import redis

from tests.integration.conftest import Stack, launch_stack, stack_environment, stop_stack

PREFIX = "/api/openmem/v1"
SHORT_WINDOW_SECONDS = 2


def _post(stack: Stack, key: str, route: str, body: dict, **headers: str) -> dict:
    response = httpx.post(f"{stack.base_url}{PREFIX}/{route}", json=body, timeout=60,
                          headers={"Authorization": f"Token {key}", **headers})
    assert response.status_code == 200, response.text
    return response.json()["data"]


def _feedback(user: str) -> dict:
    return {"user_id": user, "feedback_content": "Please remember that I am allergic to peanuts."}


def test_an_identical_write_within_the_window_is_the_same_write(stack: Stack, api_key: str) -> None:
    user = f"u-{uuid.uuid4().hex[:8]}"
    first = _post(stack, api_key, "add/feedback", _feedback(user))
    again = _post(stack, api_key, "add/feedback", _feedback(user))
    assert again["task_id"] == first["task_id"]
    other_body = _post(stack, api_key, "add/feedback", {**_feedback(user), "conversation_id": "c2"})
    assert other_body["task_id"] != first["task_id"]
    other_project = _post(stack, stack.create_project(), "add/feedback", _feedback(user))
    assert other_project["task_id"] != first["task_id"]
    # An explicit Idempotency-Key keeps its own rules.
    keyed = _post(stack, api_key, "add/feedback", _feedback(user), **{"Idempotency-Key": uuid.uuid4().hex})
    assert keyed["task_id"] != first["task_id"]

    message = {"user_id": user, "messages": [{"role": "user", "content": "I live in Graz."}]}
    first_message = _post(stack, api_key, "add/message", message)
    assert _post(stack, api_key, "add/message", message)["task_id"] == first_message["task_id"]
    kb = {"knowledgebase_name": f"kb-{uuid.uuid4().hex[:6]}"}
    kb_id = _post(stack, api_key, "create/knowledgebase", kb)["id"]
    assert _post(stack, api_key, "create/knowledgebase", kb)["id"] == kb_id
    files = {"knowledgebase_id": kb_id, "file": [{"name": "a.md", "content": "The office opens at 9 am."}]}
    [added] = _post(stack, api_key, "add/knowledgebase-file", files)
    assert _post(stack, api_key, "add/knowledgebase-file", files)[0]["id"] == added["id"]


@pytest.fixture(scope="module")
def short_window_stack(
    redis_client: redis.Redis, redis_prefix: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    data_dir = tmp_path_factory.mktemp("memfeed-short-window")
    prefix = f"{redis_prefix}w"
    env = stack_environment(data_dir, prefix=prefix)
    env["MEMFEED_DUPLICATE_WRITE_WINDOW_SECONDS"] = str(SHORT_WINDOW_SECONDS)
    running = launch_stack(data_dir, env)
    yield running
    stop_stack(running)
    for key in redis_client.scan_iter(f"{prefix}:*", count=1000):
        redis_client.delete(key)


def test_after_the_window_the_same_write_is_a_new_one(short_window_stack: Stack) -> None:
    key = short_window_stack.create_project()
    user = f"u-{uuid.uuid4().hex[:8]}"
    first = _post(short_window_stack, key, "add/feedback", _feedback(user))
    assert _post(short_window_stack, key, "add/feedback", _feedback(user))["task_id"] == first["task_id"]
    time.sleep(SHORT_WINDOW_SECONDS + 0.5)
    assert _post(short_window_stack, key, "add/feedback", _feedback(user))["task_id"] != first["task_id"]
