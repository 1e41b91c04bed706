"""Token windows against a real Redis, from many processes at once, and through HTTP."""

from __future__ import annotations

import multiprocessing
import random
import time
import uuid

import httpx
import pytest
import redis

from api.client import MemfeedAPIError, MemfeedClient
from core.token_windows import TokenWindows, WindowLimits

from .conftest import TEST_REDIS_URL, Stack


def _hammer(prefix: str, project_id: str, limits: WindowLimits, seconds: float, seed: int, queue) -> None:  # noqa: ANN001
    windows = TokenWindows(redis.Redis.from_url(TEST_REDIS_URL), prefix)
    rng = random.Random(seed)
    admitted = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        tokens = rng.randint(1, 20)
        if windows.admit(project_id, tokens, limits).admitted:
            admitted += tokens
    queue.put(admitted)


def test_eight_processes_never_get_more_than_the_budget(redis_prefix: str) -> None:
    limits = WindowLimits(window_tokens=2_000, window_seconds=30, max_request_tokens=100)
    project = uuid.uuid4().hex
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [
        context.Process(target=_hammer, args=(redis_prefix, project, limits, 2.0, seed, queue)) for seed in range(8)
    ]
    for worker in workers:
        worker.start()
    # Meanwhile another project is served as if nothing happened.
    windows = TokenWindows(redis.Redis.from_url(TEST_REDIS_URL), redis_prefix)
    other = uuid.uuid4().hex
    assert all(windows.admit(other, 10, limits).admitted for _ in range(50))
    totals = [queue.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)

    admitted = sum(totals)
    assert admitted <= limits.window_tokens
    assert admitted > limits.window_tokens - 20, "the budget is used, not left idle"
    assert windows.used(project) == admitted
    assert windows.used(other) == 500


def test_the_window_slides_and_recovers(redis_client: redis.Redis, redis_prefix: str) -> None:
    windows = TokenWindows(redis_client, redis_prefix)
    limits = WindowLimits(window_tokens=100, window_seconds=1.0, max_request_tokens=100)
    project = uuid.uuid4().hex
    assert windows.admit(project, 60, limits).admitted
    time.sleep(0.5)
    assert windows.admit(project, 40, limits).admitted

    refused = windows.admit(project, 30, limits)
    assert not refused.admitted and refused.used == 100
    # The first 60 tokens leave the window about 0.5 s from now.
    assert 0.3 <= refused.retry_after_seconds <= 0.6
    time.sleep(refused.retry_after_seconds + 0.05)
    assert windows.admit(project, 30, limits).admitted
    assert windows.used(project) == 70


def test_request_larger_than_allowed(redis_client: redis.Redis, redis_prefix: str) -> None:
    windows = TokenWindows(redis_client, redis_prefix)
    project = uuid.uuid4().hex
    per_request = windows.admit(project, 51, WindowLimits(1_000, 60, 50))
    assert per_request.over_request_limit and not per_request.admitted
    beyond_budget = windows.admit(project, 200, WindowLimits(100, 60, 500))
    assert beyond_budget.over_request_limit
    assert windows.used(project) == 0


def test_settling_a_reservation_charges_the_real_usage(redis_client: redis.Redis, redis_prefix: str) -> None:
    windows = TokenWindows(redis_client, redis_prefix)
    limits = WindowLimits(window_tokens=1_000, window_seconds=60, max_request_tokens=1_000)
    project = uuid.uuid4().hex
    reservation = windows.admit(project, 300, limits).reservation
    assert reservation is not None

    assert windows.settle(project, reservation, 120, limits) == 120
    second = windows.admit(project, 500, limits)
    assert second.admitted and second.reservation
    # Real usage may exceed the estimate: it is charged all the same.
    assert windows.settle(project, second.reservation, 950, limits) == 1_070
    assert not windows.admit(project, 1, limits).admitted


def _job_keys(redis_client: redis.Redis, stack: Stack) -> int:
    return sum(1 for _ in redis_client.scan_iter(f"{stack.env['MEMFEED_REDIS_PREFIX']}:job:*", count=1000))


def test_http_rejections_enqueue_nothing(stack: Stack, redis_client: redis.Redis, user_id: str) -> None:
    name = f"tight-{uuid.uuid4().hex[:8]}"
    created = stack.cli("project", "create", name, "--window-tokens", "25", "--window-seconds", "60",
                        "--max-request-tokens", "30")
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip().splitlines()[-1]
    with MemfeedClient(stack.base_url, key) as client:
        jobs_before = _job_keys(redis_client, stack)
        with pytest.raises(MemfeedAPIError) as too_large:
            client.add_feedback(user_id, "word " * 40)
        assert too_large.value.code == 40305 and too_large.value.http_status == 413

        client.add_feedback(user_id, "I live in Rome now, not Milan.")  # 9 tokens
        client.add_feedback(user_id, "My daughter is nine years old, not seven.")  # 11: 20 of 25 used
        with pytest.raises(MemfeedAPIError) as exhausted:
            client.add_feedback(user_id, "I drink green tea every morning before work.")
        assert exhausted.value.code == 40309 and exhausted.value.http_status == 429
        assert _job_keys(redis_client, stack) == jobs_before + 2

    response = httpx.post(f"{stack.base_url}/api/openmem/v1/add/feedback", timeout=30,
                          headers={"Authorization": f"Token {key}"},
                          json={"user_id": user_id, "feedback_content": "I moved to Oslo last week, not Bergen."})
    assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1
    assert response.json()["code"] == 40309 and "retry after" in response.json()["message"]

    limits = stack.cli("project", "limits", name, "--window-tokens", "100000")
    assert limits.returncode == 0 and "100000 tokens per 60 s" in limits.stdout
    with MemfeedClient(stack.base_url, key) as client:
        client.add_feedback(user_id, "I drink green tea every morning before work.")


def test_search_queries_are_bounded_and_charged_to_the_window(stack: Stack, user_id: str) -> None:
    name = f"reads-{uuid.uuid4().hex[:8]}"
    created = stack.cli("project", "create", name, "--window-tokens", "40", "--window-seconds", "60")
    assert created.returncode == 0, created.stderr
    with MemfeedClient(stack.base_url, created.stdout.strip().splitlines()[-1]) as client:
        with pytest.raises(MemfeedAPIError) as too_long:
            client.search("where " * 4_001, user_id)
        assert too_long.value.code == 40305 and too_long.value.http_status == 413
        assert "at most 4000 tokens" in str(too_long.value)

        client.search("Where does the user live now?", user_id)  # 7 tokens
        client.search("What does the user like to drink in the morning?", user_id)  # 11: 18 of 40
        with pytest.raises(MemfeedAPIError) as exhausted:
            client.search("Which car does the user drive to work every day, and since when?", user_id)
            client.search("What is the user's favourite colour, and has it changed recently?", user_id)
        assert exhausted.value.code == 40309 and exhausted.value.http_status == 429
