"""The one small interface every vector-store adapter implements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pipeline.models import MemoryRecord, MemoryStatus, SearchScope
from pipeline.sparse import SparseVector

DENSE_VECTOR = "dense"
SPARSE_VECTOR = "sparse"
# Payload fields that get an index: the tenant key first.
KEYWORD_INDEXES = ("project_id", "status", "scope_kind", "user_id", "knowledgebase_id")


@dataclass(frozen=True)
class StoredHit:
    memory: MemoryRecord
    fused_score: float
    dense_vector: list[float] | None


class MemoryStore(Protocol):
    def upsert(
        self,
        records: Sequence[MemoryRecord],
        dense: Sequence[list[float]],
        sparse: Sequence[SparseVector],
    ) -> None: ...

    def set_fields(self, memory_ids: Sequence[str], fields: dict[str, Any]) -> None: ...

    def get(self, memory_ids: Sequence[str]) -> list[MemoryRecord]: ...

    def hybrid_search(
        self,
        scope: SearchScope,
        dense: list[float],
        sparse: SparseVector,
        limit: int,
        statuses: Sequence[MemoryStatus] = (MemoryStatus.ACTIVATED,),
    ) -> list[StoredHit]: ...

    def scroll_all(
        self,
        scope: SearchScope,
        statuses: Sequence[MemoryStatus] = (MemoryStatus.ACTIVATED,),
    ) -> list[MemoryRecord]: ...

    def delete(self, memory_ids: Sequence[str]) -> None: ...

    def delete_knowledgebase(self, project_id: str, knowledgebase_id: str) -> int: ...

    def count(self) -> int: ...

    def close(self) -> None: ...


def record_to_payload(record: MemoryRecord) -> dict[str, Any]:
    payload = record.model_dump(mode="json", exclude={"id"})
    return payload


def payload_to_record(point_id: Any, payload: dict[str, Any]) -> MemoryRecord:
    return MemoryRecord(id=str(point_id), **payload)
