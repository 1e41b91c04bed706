"""A job is accepted exactly when its record is written: a refused enqueue still runs it once,
a refused record leaves nothing behind, and context is only the feedback user's own turns.

The refusals are real: a second API process connects as a Redis ACL user that may not write the
broker's queues (or the job records), beside the test stack's own API and worker."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
import redis

from api.client import API_PREFIX, MemfeedClient

from .conftest import TEST_REDIS_URL, Stack, free_port

LOCKER = "Please remember that my locker number is {n}."


@pytest.fixture
def restricted_api(stack: Stack, redis_client: redis.Redis, request: pytest.FixtureRequest) -> Iterator[str]:
    """An API process of the stack's deployment whose Redis user may not write keys matching
    the marked pattern (after the deployment's prefix)."""
    denied_initial = request.param
    prefix = stack.env["MEMFEED_REDIS_PREFIX"]
    user, password = f"memfeed-test-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    # Reads everywhere; writes to every key of the deployment except those starting with the letter.
    redis_client.execute_command(
        "ACL", "SETUSER", user, "on", f">{password}", "+@all", "%R~*", f"~{prefix}:[^{denied_initial}]*", "&*"
    )
    url = TEST_REDIS_URL.replace("redis://", f"redis://{user}:{password}@", 1)
    port = free_port()
    env = dict(stack.env, MEMFEED_REDIS_URL=url)
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--port", str(port), "--log-level", "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline and process.poll() is None, "the restricted API did not start"
            time.sleep(0.2)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=30)
        redis_client.execute_command("ACL", "DELUSER", user)


def _post_feedback(base_url: str, api_key: str, user: str, text: str, key: str) -> httpx.Response:
    return httpx.post(
        f"{base_url}{API_PREFIX}/add/feedback",
        json={"user_id": user, "feedback_content": text},
        headers={"Authorization": f"Token {api_key}", "Idempotency-Key": key},
        timeout=30,
    )


def _memories(client: MemfeedClient, user: str) -> list[str]:
    return [m["memory_value"] for m in client.get_memory(user)["memory_detail_list"]]


@pytest.mark.parametrize("restricted_api", ["c"], indirect=True)  # the broker's keys: prefix:celery:*
def test_a_refused_enqueue_still_runs_the_job_once(
    stack: Stack, api_key: str, client: MemfeedClient, user_id: str, restricted_api: str
) -> None:
    text = LOCKER.format(n=31)
    first = _post_feedback(restricted_api, api_key, user_id, text, "locker-31")
    assert first.status_code == 200, first.text
    task_id = first.json()["data"]["task_id"]
    # The client retries, as clients do; the retry names the same job.
    again = _post_feedback(stack.base_url, api_key, user_id, text, "locker-31")
    assert again.json()["data"]["task_id"] == task_id

    started = time.monotonic()
    status = client.wait(task_id, timeout=60)
    assert status["status"] == "completed", status
    print(f"a job whose enqueue was refused completed {time.monotonic() - started:.1f} s after it was accepted")
    time.sleep(8)  # long enough for a second delivery, were there one
    assert _memories(client, user_id) == ["The user's locker number is 31."]


@pytest.mark.parametrize("restricted_api", ["j"], indirect=True)  # job records: prefix:job:*, prefix:jobs:*
def test_a_refused_record_leaves_nothing_behind(
    stack: Stack, api_key: str, client: MemfeedClient, user_id: str, redis_client: redis.Redis, restricted_api: str
) -> None:
    prefix = stack.env["MEMFEED_REDIS_PREFIX"]
    text = LOCKER.format(n=32)
    refused = _post_feedback(restricted_api, api_key, user_id, text, "locker-32")
    assert refused.status_code == 500 and refused.json()["code"] == 50145, refused.text
    # Neither a claim of the key nor a job: the retry starts the one and only job.
    retried = _post_feedback(stack.base_url, api_key, user_id, text, "locker-32")
    task_id = retried.json()["data"]["task_id"]
    assert client.wait(task_id, timeout=60)["status"] == "completed"
    time.sleep(8)
    assert _memories(client, user_id) == ["The user's locker number is 32."]
    outbox = redis_client.zrange(f"{prefix}:jobs:outbox", 0, -1)
    assert task_id not in outbox


def test_feedback_context_is_only_the_users_own_turns(
    stack: Stack, api_key: str, client: MemfeedClient, redis_client: redis.Redis
) -> None:
    conversation = f"shared-{uuid.uuid4().hex[:6]}"
    alice, mallory = f"alice-{uuid.uuid4().hex[:6]}", f"mallory-{uuid.uuid4().hex[:6]}"
    client.add_message(alice, conversation, [{"role": "user", "content": "I live in Rome."}], async_mode=False)
    client.add_message(mallory, conversation, [{"role": "user", "content": "My password is hunter2."}],
                       async_mode=False)
    task_id = client.add_feedback(alice, "Actually I live in Milan, not Rome.", conversation_id=conversation)
    client.wait(task_id, timeout=60)
    context = redis_client.hget(f"{stack.env['MEMFEED_REDIS_PREFIX']}:job:{task_id}", "context")
    assert "I live in Rome." in context
    assert "hunter2" not in context
