"""Server adapter: a Qdrant server or cluster through qdrant-client.

Every tenant lives in ONE collection, partitioned by the `project_id` payload field, which has
a keyword index with `is_tenant=True` (Qdrant's recommended multitenancy layout). Any number of
worker processes on any number of hosts may share the collection.

qdrant-client's local mode (`location=":memory:"` or `path=...`) runs the same code without a
server, for tests and development only: it is slow on large collections and not thread-safe.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from qdrant_client import QdrantClient, models
from qdrant_client.http.exceptions import UnexpectedResponse

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

DEFAULT_COLLECTION = "memfeed_memories"
# The collection's metadata key that names the embedder of its vectors.
EMBEDDER_METADATA = "memfeed_embedder"


class IncompatibleCollectionError(RuntimeError):
    """The collection exists but its vectors are not the ones memfeed writes."""


def to_filter(rule: PayloadRule) -> models.Filter:
    """The shared access rule in qdrant-client's filter types."""
    should = [models.Filter(must=[_condition(m) for m in group]) for group in rule.any_of]
    must: list[models.Condition] = [_condition(m) for m in rule.must]
    must += [_text_condition(t) for t in rule.text]
    must += [_range_condition(r) for r in rule.ranges]
    return models.Filter(must=must or None, should=should or None)


def _text_condition(text: TextMatch) -> models.Filter:
    either: list[models.Condition] = [
        models.FieldCondition(key=text.field, match=models.MatchSubstring(substring=s)) for s in text.substrings
    ]
    if text.words is not None:
        either.append(models.FieldCondition(key=text.field, match=models.MatchText(text=text.words)))
    return models.Filter(should=either)


def _range_condition(between: Between) -> models.FieldCondition:
    return models.FieldCondition(
        key=between.field, range=models.Range(gt=between.gt, gte=between.gte, lte=between.lte)
    )


def _condition(match: Match) -> models.FieldCondition:
    if len(match.values) == 1:
        return models.FieldCondition(key=match.field, match=models.MatchValue(value=match.values[0]))
    return models.FieldCondition(key=match.field, match=models.MatchAny(any=list(match.values)))


def scope_filter(scope: SearchScope, statuses: Sequence[MemoryStatus]) -> models.Filter:
    """What a scope may see (see base.scope_rule), as a qdrant-client filter."""
    return to_filter(scope_rule(scope, statuses))


# Prefix tokens find a term written against what follows it ("4500" in "4500mAh"); no stopwords or stemming.
TEXT_INDEX = models.TextIndexParams(
    type=models.TextIndexType.TEXT, tokenizer=models.TokenizerType.PREFIX, lowercase=True
)
INDEXED_FIELDS = (*KEYWORD_INDEXES, TEXT_FIELD, ORDER_FIELD)


def _index_schema(field: str) -> models.PayloadSchemaType | models.PayloadSchemaParams:
    if field == TENANT_FIELD:
        return models.KeywordIndexParams(type=models.KeywordIndexType.KEYWORD, is_tenant=True)
    if field == TEXT_FIELD:
        return TEXT_INDEX
    if field == ORDER_FIELD:
        return models.PayloadSchemaType.FLOAT
    return models.PayloadSchemaType.KEYWORD


def _index_is_current(field: str, existing: models.PayloadIndexInfo | None) -> bool:
    if existing is None:
        return False
    if field == TEXT_FIELD:
        return existing.data_type == models.PayloadSchemaType.TEXT
    if field == ORDER_FIELD:
        return existing.data_type == models.PayloadSchemaType.FLOAT
    if existing.data_type != models.PayloadSchemaType.KEYWORD:
        return False
    return field != TENANT_FIELD or bool(getattr(existing.params, "is_tenant", False))


def _is_local(client: QdrantClient) -> bool:
    options = client.init_options
    return options.get("location") == ":memory:" or options.get("path") is not None


def recorded_embedder(info: models.CollectionInfo) -> EmbedderIdentity:
    """The embedder a collection's vectors came from (collections that record none predate the
    record and hold all-MiniLM-L6-v2's)."""
    recorded = (info.config.metadata or {}).get(EMBEDDER_METADATA)
    return EmbedderIdentity.model_validate(recorded) if recorded else LEGACY_IDENTITY


@raises_store_errors
class QdrantServerMemoryStore(NewestFirstPages):
    """One collection (or an alias of one); a collection written by another embedder is refused
    (EmbedderMismatchError)."""

    def __init__(self, client: QdrantClient, collection: str, embedder: EmbedderIdentity) -> None:
        self._client = client
        self._collection = collection
        self._embedder = embedder
        # A server handles concurrent requests itself; local mode shares plain dicts between threads.
        self._serial: AbstractContextManager[Any] = threading.RLock() if _is_local(client) else nullcontext()
        with self._serial:
            self._ensure_collection()
            self._substring_matching = self._supports_substring_matching()

    @classmethod
    def from_url(
        cls,
        url: str,
        embedder: EmbedderIdentity,
        api_key: str | None = None,
        collection: str = DEFAULT_COLLECTION,
        timeout: int | None = None,
    ) -> QdrantServerMemoryStore:
        return cls(QdrantClient(url=url, api_key=api_key, timeout=timeout), collection, embedder)

    @classmethod
    def local(
        cls, embedder: EmbedderIdentity, path: Path | str | None = None, collection: str = DEFAULT_COLLECTION
    ) -> QdrantServerMemoryStore:
        """qdrant-client's local mode: in memory, or persisted under `path`. Tests and development only."""
        return cls(local_client(path), collection, embedder)

    @property
    def client(self) -> QdrantClient:
        return self._client

    @property
    def collection(self) -> str:
        return self._collection

    @property
    def embedder(self) -> EmbedderIdentity:
        return self._embedder

    # --- collection ------------------------------------------------------------------

    def _ensure_collection(self) -> None:
        """Create the collection and its indexes if missing; safe to run from many workers at once."""
        if not self._client.collection_exists(self._collection):
            try:
                self._client.create_collection(
                    self._collection,
                    vectors_config={
                        DENSE_VECTOR: models.VectorParams(size=self._embedder.dim, distance=models.Distance.COSINE)
                    },
                    sparse_vectors_config={SPARSE_VECTOR: models.SparseVectorParams(modifier=models.Modifier.IDF)},
                    metadata={EMBEDDER_METADATA: self._embedder.model_dump()},
                )
            except (UnexpectedResponse, ValueError):
                # Another worker created it in the meantime (server: 409, local mode: ValueError).
                if not self._client.collection_exists(self._collection):
                    raise
        info = self._client.get_collection(self._collection)
        check_embedder(f"Qdrant collection {self._collection!r}", recorded_embedder(info), self._embedder)
        self._check_vectors(info)
        for field in INDEXED_FIELDS:
            # Local mode reports no payload indexes, so there every construction asks again (a no-op).
            if not _index_is_current(field, info.payload_schema.get(field)):
                self._client.create_payload_index(
                    self._collection, field_name=field, field_schema=_index_schema(field), wait=True
                )
        self._add_missing_scope_keys()

    def _add_missing_scope_keys(self) -> None:
        """The scope key of every memory written before memories had one (safe to run from many
        workers at once: each writes the same keys)."""
        for key, ids in scope_key_batches(self._unkeyed_pages()):
            self._client.set_payload(self._collection, payload={SCOPE_KEY_FIELD: key}, points=ids, wait=True)

    def _unkeyed_pages(self) -> Iterator[list[Any]]:
        unkeyed = models.Filter(must=[models.IsEmptyCondition(is_empty=models.PayloadField(key=SCOPE_KEY_FIELD))])
        offset: models.ExtendedPointId | None = None
        while True:
            page, offset = self._client.scroll(self._collection, scroll_filter=unkeyed, limit=SCROLL_PAGE,
                                               offset=offset, with_payload=list(SCOPE_KEY_PARTS), with_vectors=False)
            yield page
            if offset is None:
                return

    def _supports_substring_matching(self) -> bool:
        """Servers older than `match.substring` refuse a filter that uses it (HTTP 400)."""
        probe = models.Filter(
            must=[
                models.FieldCondition(key=TENANT_FIELD, match=models.MatchValue(value="\x00none")),
                models.FieldCondition(key=TEXT_FIELD, match=models.MatchSubstring(substring="probe")),
            ]
        )
        try:
            self._client.count(self._collection, count_filter=probe, exact=True)
        except UnexpectedResponse:
            return False
        return True

    def _check_vectors(self, info: models.CollectionInfo) -> None:
        params = info.config.params
        dense = params.vectors.get(DENSE_VECTOR) if isinstance(params.vectors, dict) else None
        sparse = (params.sparse_vectors or {}).get(SPARSE_VECTOR)
        problems = []
        dim = self._embedder.dim
        if dense is None or dense.size != dim or dense.distance != models.Distance.COSINE:
            problems.append(f"{DENSE_VECTOR!r} must be a {dim}-dimensional cosine vector, found {dense}")
        if sparse is None or sparse.modifier != models.Modifier.IDF:
            problems.append(f"{SPARSE_VECTOR!r} must be a sparse vector with the IDF modifier, found {sparse}")
        if problems:
            raise IncompatibleCollectionError(f"collection {self._collection!r}: " + "; ".join(problems))

    # --- MemoryStore -----------------------------------------------------------------

    def upsert(
        self,
        records: Sequence[MemoryRecord],
        dense: Sequence[list[float]],
        sparse: Sequence[SparseVector],
    ) -> None:
        points = [
            models.PointStruct(
                id=record.id,
                vector={
                    DENSE_VECTOR: list(d),
                    SPARSE_VECTOR: models.SparseVector(indices=s.indices, values=s.values),
                },
                payload=record_to_payload(record),
            )
            for record, d, s in zip(records, dense, sparse, strict=True)
        ]
        if points:
            with self._serial:
                self._client.upsert(self._collection, points=points, wait=True)

    def set_fields(self, memory_ids: Sequence[str], fields: dict[str, Any]) -> None:
        if not memory_ids:
            return
        with self._serial:
            if not changes_scope_key(fields):
                self._client.set_payload(self._collection, payload=fields, points=list(memory_ids), wait=True)
                return
            # A new status (or owner) changes the memory's scope key with it.
            stored = self._client.retrieve(self._collection, ids=point_ids(memory_ids),
                                           with_payload=list(SCOPE_KEY_PARTS), with_vectors=False)
            payloads = {str(p.id): p.payload or {} for p in stored}
            for key, ids in rekeyed_groups(payloads, fields).items():
                self._client.set_payload(self._collection, payload={**fields, SCOPE_KEY_FIELD: key}, points=ids,
                                         wait=True)
            if missing := [m for m in memory_ids if m not in payloads]:
                self._client.set_payload(self._collection, payload=fields, points=missing, wait=True)

    def get(self, memory_ids: Sequence[str]) -> list[MemoryRecord]:
        ids = point_ids(memory_ids)
        if not ids:
            return []
        with self._serial:
            points = self._client.retrieve(self._collection, ids=ids, with_payload=True, with_vectors=False)
        return in_requested_order(memory_ids, (payload_to_record(p.id, p.payload or {}) for p in points))

    def hybrid_search(
        self,
        scope: SearchScope,
        dense: list[float],
        sparse: SparseVector,
        limit: int,
        statuses: Sequence[MemoryStatus] = (MemoryStatus.ACTIVATED,),
        with_vectors: bool = True,
    ) -> list[StoredHit]:
        flt = scope_filter(scope, statuses)
        candidates = prefetch_limit(limit)
        requests = [models.QueryRequest(query=list(dense), using=DENSE_VECTOR, filter=flt, limit=candidates)]
        if sparse.indices:
            requests.append(models.QueryRequest(
                query=models.SparseVector(indices=sparse.indices, values=sparse.values),
                using=SPARSE_VECTOR, filter=flt, limit=candidates,
            ))
        with self._serial:
            ranked = self._client.query_batch_points(self._collection, requests=requests)
            dense_scores = {str(hit.id): hit.score for hit in ranked[0].points}
            fused = fused_ranking([[(str(hit.id), hit.score) for hit in response.points] for response in ranked], limit)
            wanted = set(vectors_wanted(fused, dense_scores, with_vectors))
            points = {
                str(point.id): point
                for point in self._client.retrieve(self._collection, ids=[point_id for point_id, _ in fused],
                                                   with_payload=True, with_vectors=[DENSE_VECTOR] if wanted else False)
            }
        return [
            StoredHit(
                memory=payload_to_record(point_id, points[point_id].payload or {}),
                fused_score=score,
                dense_vector=dense_of(points[point_id].vector) if point_id in wanted else None,
                similarity=dense_scores.get(point_id),
            )
            for point_id, score in fused if point_id in points
        ]

    def scroll_all(
        self,
        scope: SearchScope,
        statuses: Sequence[MemoryStatus] = (MemoryStatus.ACTIVATED,),
    ) -> list[MemoryRecord]:
        return self.scroll(scope_rule(scope, statuses))

    def scroll(self, rule: PayloadRule) -> list[MemoryRecord]:
        return [payload_to_record(p.id, p.payload or {}) for p in self._points(rule, with_payload=True)]

    def _points(self, rule: PayloadRule, with_payload: bool | list[str]) -> Iterator[models.Record]:
        """Every point the rule matches, read a page at a time, with the payload asked for."""
        flt = to_filter(rule)
        offset: models.ExtendedPointId | None = None
        while True:
            with self._serial:
                page, offset = self._client.scroll(
                    self._collection,
                    scroll_filter=flt,
                    limit=SCROLL_PAGE,
                    offset=offset,
                    with_payload=with_payload,
                    with_vectors=False,
                )
            yield from page
            if offset is None:
                return

    def scroll_containing(self, scope: SearchScope, text: str) -> list[MemoryRecord]:
        if not text.strip():
            return []
        if not self._substring_matching:
            # Without verbatim matching no filter finds "炒饭" inside "用户喜欢扬州炒饭": the scope is read whole.
            return self.scroll_all(scope)
        return self.scroll(containing_rule(scope, text))

    def _ordered_times(self, rule: PayloadRule, offset: int, limit: int) -> list[float]:
        order = models.OrderBy(key=ORDER_FIELD, direction=models.Direction.DESC)
        with self._serial:
            response = self._client.query_points(
                self._collection,
                query=models.OrderByQuery(order_by=order),
                query_filter=to_filter(rule),
                offset=offset,
                limit=limit,
                with_payload=False,
                with_vectors=False,
            )
        return [float(hit.order_value) for hit in response.points if hit.order_value is not None]

    def _update_times(self, rule: PayloadRule) -> list[tuple[str, float]]:
        points = self._points(rule, with_payload=[ORDER_FIELD])
        return [(str(p.id), float((p.payload or {})[ORDER_FIELD])) for p in points]

    def _count_matching(self, rule: PayloadRule) -> int:
        with self._serial:
            return self._client.count(self._collection, count_filter=to_filter(rule), exact=True).count

    def scroll_page(self, offset: str | None, limit: int) -> tuple[list[MemoryRecord], str | None]:
        with self._serial:
            page, next_offset = self._client.scroll(
                self._collection, limit=limit, offset=offset, with_payload=True, with_vectors=False
            )
        records = [payload_to_record(p.id, p.payload or {}) for p in page]
        return records, (str(next_offset) if next_offset is not None else None)

    def delete(self, memory_ids: Sequence[str]) -> None:
        ids = point_ids(memory_ids)
        if ids:
            with self._serial:
                self._client.delete(self._collection, points_selector=models.PointIdsList(points=ids), wait=True)

    def delete_knowledgebase(self, project_id: str, knowledgebase_id: str) -> int:
        flt = to_filter(knowledgebase_rule(project_id, knowledgebase_id))
        with self._serial:
            # Not atomic on a server: a point written between count and delete is deleted uncounted.
            removed = self._client.count(self._collection, count_filter=flt, exact=True).count
            self._client.delete(self._collection, points_selector=models.FilterSelector(filter=flt), wait=True)
        return removed

    def count(self) -> int:
        with self._serial:
            return self._client.count(self._collection, exact=True).count

    def close(self) -> None:
        with self._serial:
            self._client.close()


def local_client(path: Path | str | None = None) -> QdrantClient:
    """qdrant-client's local mode, usable from any thread (the store serialises every call)."""
    if path is None:
        return QdrantClient(location=":memory:", force_disable_check_same_thread=True)
    return QdrantClient(path=str(path), force_disable_check_same_thread=True)
