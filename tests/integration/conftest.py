"""A real stack for the integration tests: `memfeed up` with its Celery worker (threads pool),
the embedded Qdrant Edge store in a temporary directory, and a real Redis database of its own.

Store-level tests run against both store adapters: Qdrant Edge, and the server adapter on
qdrant-client's local mode (no Qdrant server runs here)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from api.client import MemfeedClient
from pipeline.embedding import Embedder, build_embedder
from pipeline.memory_index import MemoryIndex
from pipeline.sparse import SparseEncoder
from pipeline.store.base import MemoryStore
from pipeline.store.edge import EdgeMemoryStore
from pipeline.store.qdrant_server import QdrantServerMemoryStore

TEST_REDIS_URL = os.environ.get("MEMFEED_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
REPO_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stack_environment(data_dir: Path, prefix: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "MEMFEED_REDIS_URL": TEST_REDIS_URL,
            "MEMFEED_REDIS_PREFIX": prefix,
            "MEMFEED_DATA_DIR": str(data_dir),
            "PYTHONPATH": str(REPO_ROOT),
        }
    )
    return env


@pytest.fixture(scope="session")
def redis_client() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(TEST_REDIS_URL, decode_responses=True)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.fail(f"integration tests need Redis at {TEST_REDIS_URL}: {exc}")
    yield client


@pytest.fixture(scope="session")
def redis_prefix(redis_client: redis.Redis) -> Iterator[str]:
    """This run's keys, control plane and Celery alike; other runs on the same Redis are untouched."""
    prefix = f"mft{uuid.uuid4().hex[:8]}"
    yield prefix
    for key in redis_client.scan_iter(f"{prefix}:*", count=1000):
        redis_client.delete(key)


class Stack:
    def __init__(self, base_url: str, env: dict[str, str], data_dir: Path, process: subprocess.Popen) -> None:
        self.base_url = base_url
        self.env = env
        self.data_dir = data_dir
        self.process = process

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "memfeed.cli", *args], env=self.env, capture_output=True, text=True, timeout=120
        )

    def create_project(self, name: str | None = None) -> str:
        result = self.cli("project", "create", name or f"test-{uuid.uuid4().hex[:10]}")
        assert result.returncode == 0, result.stderr
        return result.stdout.strip().splitlines()[-1]

    def logs(self, name: str) -> str:
        path = self.data_dir / "logs" / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""


def launch_stack(data_dir: Path, env: dict[str, str]) -> Stack:
    """`memfeed up` (API and worker, no Flower) on a free port; returns once it is ready."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "memfeed.cli", "up", "--port", str(port), "--no-flower"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    output = []
    deadline = time.monotonic() + 180
    for line in process.stdout:
        output.append(line)
        if "ready" in line or time.monotonic() > deadline:
            break
    if process.poll() is not None or not any("ready" in line for line in output):
        process.kill()
        pytest.fail("memfeed up did not start:\n" + "".join(output))
    return Stack(f"http://127.0.0.1:{port}", env, data_dir, process)


def stop_stack(stack: Stack) -> None:
    stack.process.terminate()
    try:
        stack.process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        stack.process.kill()


@pytest.fixture(scope="session")
def stack(redis_prefix: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir = tmp_path_factory.mktemp("memfeed-data")
    running = launch_stack(data_dir, stack_environment(data_dir, prefix=redis_prefix))
    yield running
    stop_stack(running)


@pytest.fixture(scope="session")
def api_key(stack: Stack) -> str:
    return stack.create_project()


@pytest.fixture
def client(stack: Stack, api_key: str) -> Iterator[MemfeedClient]:
    with MemfeedClient(stack.base_url, api_key) as memfeed:
        yield memfeed


@pytest.fixture
def user_id() -> str:
    return f"user-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return build_embedder()


# Local mode warns that payload indexes do nothing there; the adapter creates them for servers.
_LOCAL_INDEX_WARNING = "ignore:Payload indexes have no effect:UserWarning"


@pytest.fixture(params=["edge", pytest.param("server", marks=pytest.mark.filterwarnings(_LOCAL_INDEX_WARNING))])
def store_kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def open_store(store_kind: str, tmp_path: Path, embedder: Embedder) -> Callable[[], MemoryStore]:
    """Opens this test's store; opening it again after close() sees the same data."""

    def open_() -> MemoryStore:
        if store_kind == "edge":
            return EdgeMemoryStore(tmp_path / "shard", embedder.identity)
        return QdrantServerMemoryStore.local(embedder.identity, tmp_path / "qdrant")

    return open_


@pytest.fixture
def index(open_store: Callable[[], MemoryStore], embedder: Embedder) -> Iterator[MemoryIndex]:
    """A fresh store of each adapter in a temporary directory, with the real embedder."""
    store = open_store()
    yield MemoryIndex(store, embedder, SparseEncoder())
    store.close()
