"""Memories with their vectors: embeds on the way in, hybrid-searches on the way out."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from pipeline.embedding import Embedder
from pipeline.embedding.base import cosines
from pipeline.models import MemoryRecord, MemoryStatus, ScoredMemory, SearchScope
from pipeline.sparse import SparseEncoder
from pipeline.store.base import RRF_K, MemoryStore
from pipeline.text.intent import asked_kinds, asks_for_a_value
from pipeline.text.language import detect_language
from pipeline.text.lexicon import denies
from pipeline.text.subjects import Subject, person_asked_about, same_person, subject_of
from pipeline.text.values import extract_values

# Hits fetched before the reranking cuts them to the limit asked for.
RERANK_POOL = 20
# In units of the fused (RRF) score: what ranking three places higher in both the dense and the
# sparse list is worth at the top. A current version (a correction's, or a fact feedback added)
# gains this; a denial ("The user is not allergic to peanuts.") loses it when the question asks
# for a value ("What is the user allergic to?"), since it names no value.
RANK_STEP = 2 * (1 / (RRF_K + 1) - 1 / (RRF_K + 4))


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
        remember_vectors: bool = False,
        rerank_pool: int = RERANK_POOL,
    ) -> list[ScoredMemory]:
        """`remember_vectors`: hand the hits' stored vectors to the embedder's cache, for a caller
        that will embed the hits' texts next (the conflict judgement). `rerank_pool`: how many
        fused hits the ranking below weighs before the cut to `limit`. An answer to a question may
        rank low in the fused list; the conflict lookup judges the fused top `limit` itself."""
        [dense] = self.embedder.embed([query])
        pool = max(limit, rerank_pool)
        remember = getattr(self.embedder, "remember", None) if remember_vectors else None
        hits = self.store.hybrid_search(scope, dense, self.sparse.encode_query(query), pool, statuses,
                                        with_vectors=remember is not None)
        if remember is not None:
            remember([_indexed_text(hit.memory) for hit in hits], [hit.dense_vector for hit in hits])
        computed = cosines(dense, [hit.dense_vector if hit.similarity is None else None for hit in hits])
        similarities = [hit.similarity if hit.similarity is not None else cosine for hit, cosine in zip(hits, computed)]
        results = [
            ScoredMemory(memory=hit.memory, score=hit.fused_score, relativity=max(0.0, similarity or 0.0))
            for hit, similarity in zip(hits, similarities, strict=True)
        ]
        # About the person asked for first ("Where does the user live?" is not answered by
        # "The user's sister lives in Calgary"), then the fused rank adjusted for what is current
        # and what answers; among equals the one closer in meaning (ranks tie in the fused score
        # when one leads the dense list and the other the sparse one), the higher priority, the newer.
        asked = person_asked_about(query)
        value_question = asks_for_a_value(query)
        # "Where is the user staying?" is not answered by "… departs on 21 June"; a question of a kind
        # that wants a value (data/question_kinds.toml) is not answered by a memory without one when
        # another hit has one.
        kinds_asked = asked_kinds(query)
        wanted_held = kinds_asked is not None and bool(kinds_asked.wants) and any(
            kinds_asked.wants & _value_kinds(r.memory.memory_value) for r in results)

        def rank(result: ScoredMemory) -> tuple[bool, float, float, int, float]:
            memory = result.memory
            subject, is_denial = _ranking_traits(memory.memory_value)
            score = result.score + (RANK_STEP if memory.priority > 0 else 0.0)
            if value_question and is_denial:
                score -= RANK_STEP
            if kinds_asked is not None:
                held = _value_kinds(memory.memory_value)
                if kinds_asked.refuses & held or (wanted_held and not kinds_asked.wants & held):
                    score -= RANK_STEP
            return (not same_person(asked, subject), -round(score, 9),
                    -round(result.relativity, 6), -memory.priority, -memory.create_time)

        results.sort(key=rank)
        return [r for r in results if r.relativity >= min_relativity][:limit]


# The same memories come back query after query: what ranking reads of each is kept.
@lru_cache(maxsize=8192)
def _ranking_traits(text: str) -> tuple[Subject, bool]:
    """Whom the memory is about, and whether it denies something."""
    language = detect_language(text)
    return subject_of(text, language), denies(text, language)


@lru_cache(maxsize=8192)
def _value_kinds(text: str) -> frozenset[str]:
    return frozenset(value.kind for value in extract_values(text))


def _indexed_text(record: MemoryRecord) -> str:
    return record.memory_value
