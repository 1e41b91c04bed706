"""Embedded adapter: Qdrant Edge, the Qdrant engine in-process, in one data directory.

A shard directory may be opened by one process only; the worker that owns it serves
every read and write through its thread pool.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from qdrant_edge import (
    CountRequest,
    Direction,
    Distance,
    EdgeConfig,
    EdgeShard,
    EdgeSparseVectorParams,
    EdgeVectorParams,
    FieldCondition,
    Filter,
    IsEmptyCondition,
    KeywordIndexParams,
    MatchAny,
    MatchSubstring,
    MatchText,
    MatchValue,
    Modifier,
    OrderBy,
    PayloadSchemaType,
    Point,
    Query,
    QueryBatchRequest,
    QueryRequest,
    RangeFloat,
    Record,
    ScrollRequest,
    TextIndexParams,
    TokenizerType,
    UpdateOperation,
)
from qdrant_edge import SparseVector as EdgeSparseVector

from pipeline.embedding.base import EmbedderIdentity
from pipeline.models import MemoryRecord, MemoryStatus, SearchScope
from pipeline.sparse import SparseVector
from pipeline.store.base import (
    DENSE_VECTOR,
    KEYWORD_INDEXES,
    LEGACY_IDENTITY,
    ORDER_FIELD,
    SCOPE_KEY_FIELD,
    SCOPE_KEY_PARTS,
    SCROLL_PAGE,
    SPARSE_VECTOR,
    TENANT_FIELD,
    TEXT_FIELD,
    Between,
    Match,
    NewestFirstPages,
    PayloadRule,
    StoredHit,
    StoreError,
    TextMatch,
    changes_scope_key,
    check_embedder,
    containing_rule,
    dense_of,
    fused_ranking,
    in_requested_order,
    knowledgebase_rule,
    payload_to_record,
    point_ids,
    prefetch_limit,
    raises_store_errors,
    record_to_payload,
    rekeyed_groups,
    scope_key_batches,
    scope_rule,
    vectors_wanted,
)


def scope_filter(scope: SearchScope, statuses: Sequence[MemoryStatus]) -> Filter:
    """What a scope may see (see base.scope_rule), as an Edge filter."""
    return to_filter(scope_rule(scope, statuses))


def to_filter(rule: PayloadRule) -> Filter:
    """The shared access rule in Qdrant Edge's filter types."""
    should = [Filter(must=[_condition(m) for m in group]) for group in rule.any_of]
    must: list[FieldCondition | Filter] = [_condition(m) for m in rule.must]
    must += [_text_condition(t) for t in rule.text]
    must += [_range_condition(r) for r in rule.ranges]
    return Filter(must=must or None, should=should or None)


def _text_condition(text: TextMatch) -> Filter:
    either = [FieldCondition(text.field, match=MatchSubstring(s)) for s in text.substrings]
    if text.words is not None:
        either.append(FieldCondition(text.field, match=MatchText(text.words)))
    return Filter(should=either)


def _range_condition(between: Between) -> FieldCondition:
    return FieldCondition(between.field, range=RangeFloat(gt=between.gt, gte=between.gte, lte=between.lte))


def candidate_requests(
    scope: SearchScope, dense: list[float], sparse: SparseVector, limit: int, statuses: Sequence[MemoryStatus],
) -> QueryBatchRequest:
    """The dense and the sparse candidates a hybrid search fuses (see base.fused_ranking), ids and scores only."""
    flt = scope_filter(scope, statuses)
    candidates = prefetch_limit(limit)
    queries = [QueryRequest(limit=candidates, query=Query.Nearest(dense, using=DENSE_VECTOR), filter=flt,
                            with_payload=False, with_vector=False)]
    if sparse.indices:
        queries.append(QueryRequest(limit=candidates, query=Query.Nearest(EdgeSparseVector(sparse.indices, sparse.values),
                                                                          using=SPARSE_VECTOR),
                                    filter=flt, with_payload=False, with_vector=False))
    return QueryBatchRequest(queries)


# Prefix tokens find a term written against what follows it ("4500" in "4500mAh"); no stopwords or stemming.
TEXT_INDEX = TextIndexParams(tokenizer=TokenizerType.Prefix, lowercase=True)


def _condition(match: Match) -> FieldCondition:
    if len(match.values) == 1:
        return FieldCondition(match.field, match=MatchValue(match.values[0]))
    return FieldCondition(match.field, match=MatchAny(list(match.values)))


# Beside the shard's own files: which embedder wrote its vectors.
IDENTITY_FILE = "memfeed-store.json"


def recorded_embedder(path: Path) -> EmbedderIdentity | None:
    """The embedder a shard directory's vectors came from; None for a directory with no shard."""
    identity_file = path / IDENTITY_FILE
    if identity_file.is_file():
        return EmbedderIdentity.model_validate(json.loads(identity_file.read_text())["embedder"])
    if path.is_dir() and (path / "edge_config.json").exists():
        return LEGACY_IDENTITY
    return None


def check_shard_embedder(path: Path, embedder: EmbedderIdentity) -> EmbedderIdentity | None:
    """The shard's recorded embedder (None: no shard yet); EmbedderMismatchError if it is not `embedder`."""
    recorded = recorded_embedder(path)
    if recorded is not None:
        check_embedder(f"the embedded store {path}", recorded, embedder)
    return recorded


# Threads of the shard's search pool. A worker's shard holds one or two segments, so a second thread
# has nothing to search in parallel, and handing a query to it and back costs a third more CPU per
# query (1.40 → 1.06 ms at 100,000 memories, measured in process); the worker's own threads already
# run queries side by side.
SEARCH_THREADS = 1


def shard_config(dim: int) -> EdgeConfig:
    """The shard's vectors (a dense one of `dim` dimensions and a sparse one) and search threads."""
    return EdgeConfig(
        vectors={DENSE_VECTOR: EdgeVectorParams(size=dim, distance=Distance.Cosine)},
        sparse_vectors={SPARSE_VECTOR: EdgeSparseVectorParams(modifier=Modifier.Idf)},
        max_search_threads=SEARCH_THREADS,
    )


def _load(path: Path, config: EdgeConfig) -> EdgeShard:
    """The shard in `path`, with `config`'s search settings; a shard whose stored vectors the
    config does not describe (written by an older version) is opened as it is."""
    try:
        return EdgeShard.load(str(path), config)
    except Exception:  # noqa: BLE001 - incompatible with the config: open it unchanged (or fail again)
        return EdgeShard.load(str(path))


@raises_store_errors
class EdgeMemoryStore(NewestFirstPages):
    """Opens the shard in `path` (creating it for `embedder` if there is none); a shard written by
    another embedder is refused (EmbedderMismatchError)."""

    def __init__(self, path: Path, embedder: EmbedderIdentity) -> None:
        path.mkdir(parents=True, exist_ok=True)
        if check_shard_embedder(path, embedder) is not None:
            try:
                self._shard = _load(path, shard_config(embedder.dim))
            except Exception as exc:  # noqa: BLE001 - held by another process, or unreadable for now
                raise StoreError(f"cannot open the embedded store {path}: {exc}") from exc
            self._create_missing_indexes()
        else:
            self._shard = EdgeShard.create(str(path), shard_config(embedder.dim))
            self._create_indexes()
            (path / IDENTITY_FILE).write_text(json.dumps({"embedder": embedder.model_dump()}))
        self._embedder = embedder
        self._write_lock = threading.Lock()

    @property
    def embedder(self) -> EmbedderIdentity:
        return self._embedder

    def _create_indexes(self) -> None:
        self._shard.update(UpdateOperation.create_field_index(TENANT_FIELD, KeywordIndexParams(is_tenant=True)))
        for field in KEYWORD_INDEXES[1:]:
            self._shard.update(UpdateOperation.create_field_index(field, PayloadSchemaType.Keyword))
        self._create_missing_indexes()

    def _create_missing_indexes(self) -> None:
        """The text, order and scope-key indexes, which shards written before them lack, and the
        scope key of every memory written without one."""
        existing = self._shard.info().payload_schema
        if TEXT_FIELD not in existing:
            self._shard.update(UpdateOperation.create_field_index(TEXT_FIELD, TEXT_INDEX))
        if ORDER_FIELD not in existing:
            self._shard.update(UpdateOperation.create_field_index(ORDER_FIELD, PayloadSchemaType.Float))
        if SCOPE_KEY_FIELD not in existing:
            self._shard.update(UpdateOperation.create_field_index(SCOPE_KEY_FIELD, PayloadSchemaType.Keyword))
        self._add_missing_scope_keys()

    def _add_missing_scope_keys(self) -> None:
        for key, ids in scope_key_batches(self._unkeyed_pages()):
            self._shard.update(UpdateOperation.set_payload(ids, {SCOPE_KEY_FIELD: key}))

    def _unkeyed_pages(self) -> Iterator[list[Any]]:
        unkeyed = Filter(must=[IsEmptyCondition(SCOPE_KEY_FIELD)])
        offset = None
        while True:
            page, offset = self._shard.scroll(ScrollRequest(
                offset=offset, limit=SCROLL_PAGE, filter=unkeyed, with_payload=list(SCOPE_KEY_PARTS), with_vector=False
            ))
            yield page
            if offset is None:
                return

    def upsert(
        self,
        records: Sequence[MemoryRecord],
        dense: Sequence[list[float]],
        sparse: Sequence[SparseVector],
    ) -> None:
        points = [
            Point(
                record.id,
                {
                    DENSE_VECTOR: list(d),
                    SPARSE_VECTOR: EdgeSparseVector(s.indices, s.values),
                },
                record_to_payload(record),
            )
            for record, d, s in zip(records, dense, sparse, strict=True)
        ]
        if points:
            with self._write_lock:
                self._shard.update(UpdateOperation.upsert_points(points))

    def set_fields(self, memory_ids: Sequence[str], fields: dict[str, Any]) -> None:
        if not memory_ids:
            return
        with self._write_lock:
            if not changes_scope_key(fields):
                self._shard.update(UpdateOperation.set_payload(list(memory_ids), fields))
                return
            # A new status (or owner) changes the memory's scope key with it.
            stored = self._shard.retrieve(point_ids(memory_ids), with_payload=list(SCOPE_KEY_PARTS), with_vector=False)
            payloads = {str(r.id): r.payload or {} for r in stored}
            for key, ids in rekeyed_groups(payloads, fields).items():
                self._shard.update(UpdateOperation.set_payload(ids, {**fields, SCOPE_KEY_FIELD: key}))
            if missing := [m for m in memory_ids if m not in payloads]:
                self._shard.update(UpdateOperation.set_payload(missing, fields))

    def get(self, memory_ids: Sequence[str]) -> list[MemoryRecord]:
        ids = point_ids(memory_ids)
        if not ids:
            return []
        records = self._shard.retrieve(ids, with_payload=True, with_vector=False)
        return in_requested_order(memory_ids, (payload_to_record(r.id, r.payload or {}) for r in records))

    def hybrid_search(
        self,
        scope: SearchScope,
        dense: list[float],
        sparse: SparseVector,
        limit: int,
        statuses: Sequence[MemoryStatus] = (MemoryStatus.ACTIVATED,),
        with_vectors: bool = True,
    ) -> list[StoredHit]:
        # Candidates are keyed by their UUIDs' integers, turned into ids only for the fused few: some
        # 160 candidates a query, and a UUID's text or hash is a Python call each time. Integers order
        # as the ids' text does, so fusion breaks ties the same way.
        ranked = [[(hit.id.int, hit.score) for hit in hits]
                  for hits in self._shard.query_batch(candidate_requests(scope, dense, sparse, limit, statuses))]
        dense_scores = dict(ranked[0])
        fused = fused_ranking(ranked, limit)
        wanted = vectors_wanted(fused, dense_scores, with_vectors)
        every_vector = len(wanted) == len(fused)
        records = {
            record.id.int: record
            for record in self._shard.retrieve([uuid.UUID(int=key) for key, _ in fused], with_payload=True,
                                               with_vector=[DENSE_VECTOR] if every_vector else False)
        }
        if every_vector:
            vectors = {key: dense_of(record.vector) for key, record in records.items()}
        else:  # the few hits only the sparse candidates held, if any
            vectors = {record.id.int: dense_of(record.vector)
                       for record in (self._shard.retrieve([uuid.UUID(int=key) for key in wanted], with_payload=False,
                                                           with_vector=[DENSE_VECTOR]) if wanted else [])}
        return [
            StoredHit(
                memory=payload_to_record(records[key].id, records[key].payload or {}),
                fused_score=score,
                dense_vector=vectors.get(key),
                similarity=dense_scores.get(key),
            )
            for key, score in fused if key in records
        ]

    def scroll_all(
        self,
        scope: SearchScope,
        statuses: Sequence[MemoryStatus] = (MemoryStatus.ACTIVATED,),
    ) -> list[MemoryRecord]:
        return self.scroll(scope_rule(scope, statuses))

    def scroll(self, rule: PayloadRule) -> list[MemoryRecord]:
        return [payload_to_record(r.id, r.payload or {}) for r in self._points(rule, with_payload=True)]

    def _points(self, rule: PayloadRule, with_payload: bool | list[str]) -> Iterator[Record]:
        """Every point the rule matches, read a page at a time, with the payload asked for."""
        flt = to_filter(rule)
        offset = None
        while True:
            page, offset = self._shard.scroll(
                ScrollRequest(
                    offset=offset, limit=SCROLL_PAGE, filter=flt, with_payload=with_payload, with_vector=False
                )
            )
            yield from page
            if offset is None:
                return

    def scroll_containing(self, scope: SearchScope, text: str) -> list[MemoryRecord]:
        if not text.strip():
            return []
        return self.scroll(containing_rule(scope, text))

    def _ordered_times(self, rule: PayloadRule, offset: int, limit: int) -> list[float]:
        hits = self._shard.query(
            QueryRequest(
                limit=limit,
                offset=offset,
                query=OrderBy(ORDER_FIELD, direction=Direction.Desc),
                filter=to_filter(rule),
                with_payload=False,
                with_vector=False,
            )
        )
        return [float(hit.order_value) for hit in hits if hit.order_value is not None]

    def _update_times(self, rule: PayloadRule) -> list[tuple[str, float]]:
        points = self._points(rule, with_payload=[ORDER_FIELD])
        return [(str(r.id), float((r.payload or {})[ORDER_FIELD])) for r in points]

    def _count_matching(self, rule: PayloadRule) -> int:
        return self._shard.count(CountRequest(filter=to_filter(rule), exact=True))

    def scroll_page(self, offset: str | None, limit: int) -> tuple[list[MemoryRecord], str | None]:
        page, next_offset = self._shard.scroll(
            ScrollRequest(offset=offset, limit=limit, with_payload=True, with_vector=False)
        )
        records = [payload_to_record(r.id, r.payload or {}) for r in page]
        return records, (str(next_offset) if next_offset is not None else None)

    def delete(self, memory_ids: Sequence[str]) -> None:
        ids = point_ids(memory_ids)
        if ids:
            with self._write_lock:
                self._shard.update(UpdateOperation.delete_points(ids))

    def delete_knowledgebase(self, project_id: str, knowledgebase_id: str) -> int:
        flt = to_filter(knowledgebase_rule(project_id, knowledgebase_id))
        with self._write_lock:
            removed = self._shard.count(CountRequest(filter=flt, exact=True))
            self._shard.update(UpdateOperation.delete_points_by_filter(flt))
        return removed

    def count(self) -> int:
        return self._shard.info().points_count

    def close(self) -> None:
        with self._write_lock:
            self._shard.flush()
            self._shard.close()
