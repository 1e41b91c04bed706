"""The read lane against a real Redis: a read runs on a serving thread and its answer (or its
failure) comes back to the asker; a request whose asker gave up is dropped; with nobody serving,
the asker times out; the API closes its lane's connections when it shuts down."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import redis
from fastapi.testclient import TestClient

from api import dispatch
from api.app import create_app
from core.read_lane import ReadFailedError, ReadLane, ReadTimeoutError
from core.settings import get_settings
from tests.integration.conftest import TEST_REDIS_URL


def _double(n: int) -> int:
    return 2 * n


def _fail() -> None:
    raise ValueError("no such memory")


READS = {"test.double": _double, "test.fail": _fail}


@pytest.fixture
def lane(redis_client: redis.Redis, redis_prefix: str) -> ReadLane:
    # A lane of its own: the workers of a stack running on this prefix would take its requests.
    return ReadLane(redis_client, f"{redis_prefix}:lane-test")


@pytest.fixture
def served(lane: ReadLane) -> Iterator[list[int]]:
    """One serving thread; yields the number of requests it took."""
    stop, taken = threading.Event(), [0]

    def serve() -> None:
        while not stop.is_set():
            if lane.serve_one(READS, wait_seconds=0.2):
                taken[0] += 1

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield taken
    stop.set()
    thread.join(timeout=5)


def test_a_read_is_answered_with_its_result(lane: ReadLane, served: list[int]) -> None:
    assert lane.ask("test.double", [21], timeout=5) == 42
    assert [lane.ask("test.double", [n], timeout=5) for n in range(5)] == [0, 2, 4, 6, 8]


def test_a_failing_read_answers_with_its_failure(lane: ReadLane, served: list[int]) -> None:
    with pytest.raises(ReadFailedError, match="ValueError: no such memory"):
        lane.ask("test.fail", [], timeout=5)
    with pytest.raises(ReadFailedError, match="no read named test.unknown"):
        lane.ask("test.unknown", [], timeout=5)


def test_with_nobody_serving_the_asker_times_out_and_its_request_is_dropped_later(
    lane: ReadLane, redis_client: redis.Redis
) -> None:
    started = time.monotonic()
    with pytest.raises(ReadTimeoutError):
        lane.ask("test.double", [1], timeout=0.5)
    assert time.monotonic() - started < 3
    assert redis_client.llen(lane.requests_key) == 1
    # A server that comes later drops the stale request and answers nobody.
    assert lane.serve_one(READS, wait_seconds=0.2)
    assert redis_client.llen(lane.requests_key) == 0
    assert not list(redis_client.scan_iter(f"{lane.requests_key.rsplit(':', 1)[0]}:reply:*"))


def test_the_api_closes_its_read_lane_connections_when_it_shuts_down(
    monkeypatch: pytest.MonkeyPatch, redis_prefix: str
) -> None:
    monkeypatch.setenv("MEMFEED_REDIS_URL", TEST_REDIS_URL)
    monkeypatch.setenv("MEMFEED_REDIS_PREFIX", redis_prefix)
    get_settings.cache_clear()
    try:
        with TestClient(create_app()):
            lane_client = dispatch._read_lane_client()
            lane_client.ping()
            pool = lane_client.connection_pool
            assert any(c._sock is not None for c in pool._available_connections)
        assert all(c._sock is None for c in pool._available_connections)
        assert dispatch._read_lane_client.cache_info().currsize == 0
    finally:
        get_settings.cache_clear()
