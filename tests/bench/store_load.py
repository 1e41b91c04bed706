"""Memories written straight into a stack's data directory, and the store queried without the stack.

Only one process may open a Qdrant Edge shard, so everything here runs while no stack does:
preload, measure the direct query, close, and only then start `memfeed up` on the directory.
"""

from __future__ import annotations

import time
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path

from qdrant_edge import EdgeShard

from pipeline.embedding import Embedder
from pipeline.embedding.bundled import USE_IDENTITY
from pipeline.memory_keys import memory_key_for
from pipeline.models import MemoryRecord, MemoryStatus, SearchScope
from pipeline.sparse import SparseEncoder, SparseVector
from pipeline.store.base import DENSE_VECTOR, fused_ranking
from pipeline.store.edge import EdgeMemoryStore, candidate_requests
from pipeline.store.qdrant_server import QdrantServerMemoryStore
from tests.bench import corpus
from tests.bench.suite_common import summarize

UPSERT_BATCH = 1_000
SEARCH_LIMIT = 6  # search/memory's default memory_limit_number


@dataclass
class Vectors:
    """Sentences with their dense and sparse vectors, computed once and reused."""

    texts: list[str]
    dense: list[list[float]]
    sparse: list[SparseVector]


def embed_sentences(embedder: Embedder, texts: list[str]) -> tuple[Vectors, float]:
    """The vectors memfeed's MemoryIndex would compute; returns them and the seconds spent."""
    started = time.perf_counter()
    dense = embedder.embed(texts)
    encoder = SparseEncoder()
    sparse = [encoder.encode_document(t) for t in texts]
    return Vectors(texts, dense, sparse), time.perf_counter() - started


def _record(project_id: str, position: int, text: str, user: str) -> MemoryRecord:
    created = time.time() - position
    return MemoryRecord(
        id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{project_id}/{position}")),
        project_id=project_id,
        user_id=user,
        memory_key=memory_key_for(text),
        memory_value=text,
        create_time=created,
        update_time=created,
    )


def write_memories(store_path: Path, project_id: str, vectors: Vectors, start: int, stop: int) -> float:
    """Memories number `start`..`stop` of the project, spread over the users; seconds spent.

    Memory i reuses the vectors of sentence i mod len(vectors); each reuse goes to another user,
    so no user holds the same sentence twice.
    """
    store = EdgeMemoryStore(store_path, USE_IDENTITY)
    distinct = len(vectors.texts)
    started = time.perf_counter()
    try:
        for offset in range(start, stop, UPSERT_BATCH):
            positions = range(offset, min(stop, offset + UPSERT_BATCH))
            sources = [p % distinct for p in positions]
            records = [_record(project_id, p, vectors.texts[s], corpus.user_id(p + p // distinct))
                       for p, s in zip(positions, sources, strict=True)]
            store.upsert(records, [vectors.dense[s] for s in sources], [vectors.sparse[s] for s in sources])
    finally:
        store.close()
    return time.perf_counter() - started


@dataclass
class QueryVectors:
    scope: SearchScope
    dense: list[float]
    sparse: SparseVector


def query_vectors(embedder: Embedder, project_id: str, queries: list[tuple[str, str]]) -> tuple[
        list[QueryVectors], dict[str, float]]:
    """Each query embedded as the worker does it (dense + sparse), with the time that took per query.
    The model itself is called every time: the queries repeat, and a cached vector is no embedding."""
    encoder = SparseEncoder()
    model = getattr(embedder, "inner", embedder)
    prepared, timings = [], []
    for user, text in queries:
        started = time.perf_counter()
        [dense] = model.embed([text])
        sparse = encoder.encode_query(text)
        timings.append((time.perf_counter() - started) * 1000)
        prepared.append(QueryVectors(SearchScope(project_id=project_id, user_id=user), dense, sparse))
    return prepared, summarize(timings)


def direct_edge_latency(store_path: Path, queries: list[QueryVectors], warmup: int = 20) -> dict[str, float]:
    """The shard's own query time, in this process, for the calls EdgeMemoryStore.hybrid_search makes
    (the candidate lists, then the fused hits' payloads and vectors): no embedding, no queue, no HTTP."""
    shard = EdgeShard.load(str(store_path))

    def hybrid(query: QueryVectors) -> list:
        ranked = shard.query_batch(candidate_requests(query.scope, query.dense, query.sparse, SEARCH_LIMIT,
                                                      (MemoryStatus.ACTIVATED,)))
        fused = fused_ranking([[(str(hit.id), hit.score) for hit in hits] for hits in ranked], SEARCH_LIMIT)
        return shard.retrieve([point_id for point_id, _ in fused], with_payload=True, with_vector=[DENSE_VECTOR])

    try:
        for query in queries[:warmup]:
            hybrid(query)
        timings = []
        hits = 0
        for query in queries:
            started = time.perf_counter()
            hits += len(hybrid(query))
            timings.append((time.perf_counter() - started) * 1000)
        points = shard.info().points_count
    finally:
        shard.close()
    return {**summarize(timings), "points": points, "mean_hits": round(hits / len(queries), 2)}


def qdrant_local_latency(project_id: str, vectors: Vectors, queries: list[QueryVectors]) -> dict[str, float]:
    """qdrant-client's local mode (in memory) with the same memories and queries, for reference."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Payload indexes have no effect", UserWarning)
        store = QdrantServerMemoryStore.local(USE_IDENTITY)
    try:
        started = time.perf_counter()
        for offset in range(0, len(vectors.texts), UPSERT_BATCH):
            positions = range(offset, min(len(vectors.texts), offset + UPSERT_BATCH))
            records = [_record(project_id, p, vectors.texts[p], corpus.user_id(p)) for p in positions]
            store.upsert(records, vectors.dense[positions.start:positions.stop],
                         vectors.sparse[positions.start:positions.stop])
        load_seconds = time.perf_counter() - started
        timings = []
        for query in queries:
            started = time.perf_counter()
            store.hybrid_search(query.scope, query.dense, query.sparse, SEARCH_LIMIT)
            timings.append((time.perf_counter() - started) * 1000)
        points = store.count()
    finally:
        store.close()
    return {**summarize(timings), "points": points, "load_seconds": round(load_seconds, 1)}
