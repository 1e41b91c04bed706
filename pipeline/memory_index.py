"""Memories with their vectors: embeds on the way in, hybrid-searches on the way out."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.embedding import Embedder, cosine
from pipeline.models import MemoryRecord, MemoryStatus, ScoredMemory, SearchScope
from pipeline.sparse import SparseEncoder
from pipeline.store.base import MemoryStore
from pipeline.text.language import detect_language
from pipeline.text.subjects import person_asked_about, same_person, subject_of

# Hits fetched before the person-aware ordering cuts them to the limit asked for.
RERANK_POOL = 20


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
        pool = max(limit, RERANK_POOL)
        hits = self.store.hybrid_search(scope, dense, self.sparse.encode_query(query), pool, statuses)
        results = [
            ScoredMemory(
                memory=hit.memory,
                score=hit.fused_score,
                relativity=max(0.0, cosine(dense, hit.dense_vector)) if hit.dense_vector else 0.0,
            )
            for hit in hits
        ]
        # About the person asked for first ("Where does the user live?" is not answered by
        # "The user's sister lives in Calgary"), then fused rank; among equal ranks a
        # correction outranks older versions.
        asked = person_asked_about(query)
        results.sort(key=lambda r: (
            not same_person(asked, subject_of(r.memory.memory_value, detect_language(r.memory.memory_value))),
            -round(r.score, 9),
            -r.memory.priority,
        ))
        return [r for r in results if r.relativity >= min_relativity][:limit]


def _indexed_text(record: MemoryRecord) -> str:
    return record.memory_value
