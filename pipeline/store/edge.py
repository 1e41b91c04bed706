"""Embedded adapter: Qdrant Edge, the Qdrant engine in-process, in one data directory.

A shard directory may be opened by one process only; the worker that owns it serves
every read and write through its thread pool.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from qdrant_edge import (
    CountRequest,
    Distance,
    EdgeConfig,
    EdgeShard,
    EdgeSparseVectorParams,
    EdgeVectorParams,
    FieldCondition,
    Filter,
    Fusion,
    KeywordIndexParams,
    MatchAny,
    MatchValue,
    Modifier,
    PayloadSchemaType,
    Point,
    Prefetch,
    Query,
    QueryRequest,
    ScrollRequest,
    UpdateOperation,
)
from qdrant_edge import SparseVector as EdgeSparseVector

from pipeline.embedding import DENSE_DIM
from pipeline.models import MemoryRecord, MemoryStatus, ScopeKind, SearchScope
from pipeline.sparse import SparseVector
from pipeline.store.base import (
    DENSE_VECTOR,
    KEYWORD_INDEXES,
    SPARSE_VECTOR,
    StoredHit,
    payload_to_record,
    record_to_payload,
)

RRF_K = 60
_SCROLL_PAGE = 512


def scope_filter(scope: SearchScope, statuses: Sequence[MemoryStatus]) -> Filter:
    """Project, status and the union of what the caller may see: the only access rule."""
    visible: list[Any] = []
    if scope.user_id:
        own = [
            FieldCondition("scope_kind", match=MatchValue(ScopeKind.USER.value)),
            FieldCondition("user_id", match=MatchValue(scope.user_id)),
        ]
        if scope.agent_id:
            own.append(FieldCondition("agent_id", match=MatchValue(scope.agent_id)))
        if scope.app_id:
            own.append(FieldCondition("app_id", match=MatchValue(scope.app_id)))
        visible.append(Filter(must=own))
    if scope.knowledgebase_ids:
        visible.append(
            Filter(
                must=[
                    FieldCondition("scope_kind", match=MatchValue(ScopeKind.KNOWLEDGEBASE.value)),
                    FieldCondition("knowledgebase_id", match=MatchAny(list(scope.knowledgebase_ids))),
                ]
            )
        )
    if scope.include_public:
        visible.append(FieldCondition("scope_kind", match=MatchValue(ScopeKind.PUBLIC.value)))
    if not visible:
        # Nothing visible: a condition no point satisfies.
        visible.append(FieldCondition("project_id", match=MatchValue("\x00none")))
    return Filter(
        must=[
            FieldCondition("project_id", match=MatchValue(scope.project_id)),
            FieldCondition("status", match=MatchAny([s.value for s in statuses])),
        ],
        should=visible,
    )


class EdgeMemoryStore:
    def __init__(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        config = EdgeConfig(
            vectors={DENSE_VECTOR: EdgeVectorParams(size=DENSE_DIM, distance=Distance.Cosine)},
            sparse_vectors={SPARSE_VECTOR: EdgeSparseVectorParams(modifier=Modifier.Idf)},
        )
        if any(path.iterdir()):
            self._shard = EdgeShard.load(str(path))
        else:
            self._shard = EdgeShard.create(str(path), config)
            self._create_indexes()
        self._write_lock = threading.Lock()

    def _create_indexes(self) -> None:
        self._shard.update(
            UpdateOperation.create_field_index("project_id", KeywordIndexParams(is_tenant=True))
        )
        for field in KEYWORD_INDEXES[1:]:
            self._shard.update(UpdateOperation.create_field_index(field, PayloadSchemaType.Keyword))

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
        if memory_ids:
            with self._write_lock:
                self._shard.update(UpdateOperation.set_payload(list(memory_ids), fields))

    def get(self, memory_ids: Sequence[str]) -> list[MemoryRecord]:
        point_ids = _point_ids(memory_ids)
        if not point_ids:
            return []
        records = self._shard.retrieve(point_ids, with_payload=True, with_vector=False)
        by_id = {str(r.id): payload_to_record(r.id, r.payload or {}) for r in records}
        return [by_id[i] for i in memory_ids if i in by_id]

    def hybrid_search(
        self,
        scope: SearchScope,
        dense: list[float],
        sparse: SparseVector,
        limit: int,
        statuses: Sequence[MemoryStatus] = (MemoryStatus.ACTIVATED,),
    ) -> list[StoredHit]:
        flt = scope_filter(scope, statuses)
        candidates = max(limit * 4, 20)
        prefetches = [Prefetch(limit=candidates, query=Query.Nearest(dense, using=DENSE_VECTOR), filter=flt)]
        if sparse.indices:
            prefetches.append(
                Prefetch(
                    limit=candidates,
                    query=Query.Nearest(EdgeSparseVector(sparse.indices, sparse.values), using=SPARSE_VECTOR),
                    filter=flt,
                )
            )
        hits = self._shard.query(
            QueryRequest(
                limit=limit,
                prefetches=prefetches,
                query=Fusion.Rrf(k=RRF_K),
                filter=flt,
                with_payload=True,
                with_vector=[DENSE_VECTOR],
            )
        )
        return [
            StoredHit(
                memory=payload_to_record(hit.id, hit.payload or {}),
                fused_score=float(hit.score),
                dense_vector=_dense_of(hit.vector),
            )
            for hit in hits
        ]

    def scroll_all(
        self,
        scope: SearchScope,
        statuses: Sequence[MemoryStatus] = (MemoryStatus.ACTIVATED,),
    ) -> list[MemoryRecord]:
        flt = scope_filter(scope, statuses)
        records: list[MemoryRecord] = []
        offset = None
        while True:
            page, offset = self._shard.scroll(
                ScrollRequest(offset=offset, limit=_SCROLL_PAGE, filter=flt, with_payload=True, with_vector=False)
            )
            records.extend(payload_to_record(r.id, r.payload or {}) for r in page)
            if offset is None:
                return records

    def delete(self, memory_ids: Sequence[str]) -> None:
        point_ids = _point_ids(memory_ids)
        if point_ids:
            with self._write_lock:
                self._shard.update(UpdateOperation.delete_points(point_ids))

    def delete_knowledgebase(self, project_id: str, knowledgebase_id: str) -> int:
        flt = Filter(
            must=[
                FieldCondition("project_id", match=MatchValue(project_id)),
                FieldCondition("scope_kind", match=MatchValue(ScopeKind.KNOWLEDGEBASE.value)),
                FieldCondition("knowledgebase_id", match=MatchValue(knowledgebase_id)),
            ]
        )
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


def _point_ids(memory_ids: Sequence[str]) -> list[str]:
    """Memory ids are UUIDs; anything else names no point (and Qdrant would reject it)."""
    valid = []
    for memory_id in memory_ids:
        try:
            valid.append(str(uuid.UUID(memory_id)))
        except (ValueError, TypeError, AttributeError):
            continue
    return valid


def _dense_of(vector: Any) -> list[float] | None:
    if isinstance(vector, dict):
        value = vector.get(DENSE_VECTOR)
        return list(value) if value is not None else None
    return None
