"""Memories with their vectors: embeds on the way in, hybrid-searches on the way out."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.embedding import Embedder, cosine
from pipeline.models import MemoryRecord, MemoryStatus, ScoredMemory, SearchScope
from pipeline.sparse import SparseEncoder
from pipeline.store.base import MemoryStore


class MemoryIndex:
    def __init__(self, store: MemoryStore, embedder: Embedder, sparse: SparseEncoder) -> None:
        self.store = store
        self.embedder = embedder
        self.sparse = sparse

    def write(self, records: Sequence[MemoryRecord]) -> None:
        """Insert or replace records; ids decide, so writing twice changes nothing."""
        if not records:
            return
        texts = [_indexed_text(r) for r in records]
        dense = self.embedder.embed(texts)
        sparse = [self.sparse.encode_document(t) for t in texts]
        self.store.upsert(records, dense, sparse)

    def search(
        self,
        scope: SearchScope,
        query: str,
        limit: int,
        min_relativity: float = 0.0,
        statuses: Sequence[MemoryStatus] = (MemoryStatus.ACTIVATED,),
    ) -> list[ScoredMemory]:
        [dense] = self.embedder.embed([query])
        hits = self.store.hybrid_search(scope, dense, self.sparse.encode_query(query), limit, statuses)
        results = [
            ScoredMemory(
                memory=hit.memory,
                score=hit.fused_score,
                relativity=max(0.0, cosine(dense, hit.dense_vector)) if hit.dense_vector else 0.0,
            )
            for hit in hits
        ]
        # Fused rank first; among equal ranks a correction outranks older versions.
        results.sort(key=lambda r: (-round(r.score, 9), -r.memory.priority))
        return [r for r in results if r.relativity >= min_relativity]


def _indexed_text(record: MemoryRecord) -> str:
    return record.memory_value
