"""What the store selects on its own, against both adapters (the `index` and `open_store` fixtures run
each test on Qdrant Edge and on the server adapter in qdrant-client's local mode): the memories that
may contain a term, and one page of a user's memories, newest update first."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Sequence

import pytest
from qdrant_edge import UpdateOperation

from pipeline.embedding.bundled import USE_IDENTITY as IDENTITY
from pipeline.memory_index import MemoryIndex
from pipeline.models import MemoryRecord, MemoryStatus, ScopeKind, SearchScope
from pipeline.sparse import SparseVector
from pipeline.store.base import ORDER_FIELD, TEXT_FIELD, MemoryStore
from pipeline.store.edge import EdgeMemoryStore
from pipeline.text.keyword import contains_term

CORPUS = (
    "The user likes coffee.",
    "Coffee is the user's morning drink.",
    "The user buys COFFEE beans from Kenya.",
    "The user prefers coffeehouse blends.",
    "User 1 likes green tea.",
    "User 12 likes black tea.",
    "user  1 sent the report on Monday.",
    "The winner was User\n1 again.",
    "User 1st place went to Ann.",
    "The phone battery is 4500mAh.",
    "The battery lasts 45000 hours.",
    "用户喜欢扬州炒饭。",
    "他说扬州炒饭很好吃但是太油了",
    "扬州人喜欢吃炒饭",
    "我喜欢Python编程",
    "我用python写脚本",
    "The user writes Python at work.",
    "用户的iPhone手机坏了",
    "The user's iphone broke last week.",
    "Ann's annual plan is ready.",
    "The annual report is due.",
    "The user works in IT.",
    "It is fine to call after 6 PM.",
    "扬州 炒饭 是一道名菜",
    "Élodie moved to Zürich.",
    "The user moved to zürich in 2020.",
)
TERMS = (
    "coffee", "Coffee", "User 1", "User 12", "4500", "扬州炒饭", "炒饭", "州炒", "扬州 炒饭", "Python",
    "python", "iPhone", "Ann", "IT", "Zürich", "Élodie", "1", "tea", "吃炒饭",
)


def memory(
    value: str, project: str = "p1", user: str | None = "u1", kb: str | None = None, update_time: float = 1.0,
    status: MemoryStatus = MemoryStatus.ACTIVATED,
) -> MemoryRecord:
    kind = ScopeKind.KNOWLEDGEBASE if kb else (ScopeKind.USER if user else ScopeKind.PUBLIC)
    return MemoryRecord(
        id=str(uuid.uuid4()), project_id=project, scope_kind=kind, user_id=user if not kb else None,
        knowledgebase_id=kb, memory_value=value, create_time=update_time, update_time=update_time, status=status,
    )


def put(store: MemoryStore, records: Sequence[MemoryRecord]) -> None:
    """Any vectors will do for what is selected by payload; embedding every text would only slow the test down."""
    dense = [[1.0] + [0.0] * (IDENTITY.dim - 1)] * len(records)
    store.upsert(records, dense, [SparseVector([1], [1.0])] * len(records))


def ids(records: Sequence[MemoryRecord]) -> set[str]:
    return {r.id for r in records}


def test_the_store_finds_every_memory_that_contains_the_term(index: MemoryIndex) -> None:
    store = index.store
    put(store, [memory(text) for text in CORPUS])
    scope = SearchScope(project_id="p1", user_id="u1")
    everything = store.scroll_all(scope)

    for term in TERMS:
        found = store.scroll_containing(scope, term)
        expected = {m.id for m in everything if contains_term(m.memory_value, term)}
        assert expected <= ids(found), f"{term!r}: the store missed memories that contain it"
        assert {m.id for m in found if contains_term(m.memory_value, term)} == expected
        assert expected, f"{term!r} should be in the corpus"


def test_the_store_narrows_the_scope(index: MemoryIndex) -> None:
    store = index.store
    put(store, [memory(text) for text in CORPUS])

    found = store.scroll_containing(SearchScope(project_id="p1", user_id="u1"), "扬州炒饭")

    # Whole-token and verbatim matches leave out most of the scope.
    assert len(found) <= 3
    assert store.scroll_containing(SearchScope(project_id="p1", user_id="u1"), "   ") == []


def test_the_term_filter_keeps_to_the_scope_and_to_active_memories(index: MemoryIndex) -> None:
    store = index.store
    own = memory("The user likes 扬州炒饭 and coffee.")
    in_allowed_kb = memory("扬州炒饭 costs 30 CNY; coffee 20 CNY.", kb="kb-a")
    public = memory("Everyone likes 扬州炒饭 and coffee.", user=None)
    outside = [
        memory("The user likes 扬州炒饭 and coffee.", user="u2"),
        memory("The user likes 扬州炒饭 and coffee.", project="p2"),
        memory("扬州炒饭 costs 30 CNY; coffee 20 CNY.", kb="kb-b"),
        memory("扬州炒饭 costs 30 CNY; coffee 20 CNY.", project="p2", kb="kb-a"),
        memory("The user liked 扬州炒饭 and coffee.", status=MemoryStatus.ARCHIVED),
    ]
    put(store, [own, in_allowed_kb, public, *outside])

    for term in ("扬州炒饭", "coffee"):
        user_only = store.scroll_containing(SearchScope(project_id="p1", user_id="u1"), term)
        assert ids(user_only) == {own.id}
        wider = SearchScope(project_id="p1", user_id="u1", knowledgebase_ids=["kb-a"], include_public=True)
        assert ids(store.scroll_containing(wider, term)) == {own.id, in_allowed_kb.id, public.id}


def page_through(store: MemoryStore, scope: SearchScope, size: int) -> list[MemoryRecord]:
    pages: list[MemoryRecord] = []
    offset = 0
    while page := store.newest_first(scope, offset, size):
        assert len(page) <= size
        pages += page
        offset += size
    return pages


@pytest.mark.parametrize("size", [1, 7, 50])
def test_pages_list_every_memory_once_newest_first(index: MemoryIndex, size: int) -> None:
    store = index.store
    rng = random.Random(7)
    # Memories written together share their update time: many ties, ordered by id.
    own = [memory(f"Fact number {i}.", update_time=1_700_000_000.0 + rng.randint(0, 6)) for i in range(45)]
    others = [
        memory("Someone else's fact.", user="u2", update_time=1_700_000_003.0),
        memory("Another project's fact.", project="p2", update_time=1_700_000_003.0),
        memory("An archived fact.", status=MemoryStatus.ARCHIVED, update_time=1_700_000_003.0),
        memory("A knowledge base fact.", kb="kb-a", update_time=1_700_000_003.0),
    ]
    put(store, rng.sample(own + others, len(own + others)))
    scope = SearchScope(project_id="p1", user_id="u1")

    listed = page_through(store, scope, size)

    assert [m.id for m in listed] == [m.id for m in sorted(own, key=lambda m: (-m.update_time, m.id))]
    assert listed == sorted(own, key=lambda m: (-m.update_time, m.id))
    assert store.count_in(scope) == len(own)
    assert store.newest_first(scope, len(own), size) == []


def test_a_page_follows_a_memory_that_was_updated(index: MemoryIndex) -> None:
    store = index.store
    first, second = memory("First fact.", update_time=10.0), memory("Second fact.", update_time=20.0)
    put(store, [first, second])
    store.set_fields([first.id], {"update_time": 30.0})

    scope = SearchScope(project_id="p1", user_id="u1")
    assert [m.id for m in store.newest_first(scope, 0, 10)] == [first.id, second.id]


def test_an_embedded_store_written_before_the_text_and_order_indexes_gets_them(
    store_kind: str, open_store: Callable[[], MemoryStore]
) -> None:
    if store_kind != "edge":
        pytest.skip("the server adapter's index creation is checked in test_store")
    store = open_store()
    assert isinstance(store, EdgeMemoryStore)
    put(store, [memory("The user likes coffee.", update_time=5.0), memory("用户喜欢扬州炒饭。", update_time=6.0)])
    for field in (TEXT_FIELD, ORDER_FIELD):
        store._shard.update(UpdateOperation.delete_field_index(field))
    assert TEXT_FIELD not in store._shard.info().payload_schema
    store.close()

    reopened = open_store()
    try:
        assert isinstance(reopened, EdgeMemoryStore)
        schema = reopened._shard.info().payload_schema
        assert {TEXT_FIELD, ORDER_FIELD} <= set(schema)
        scope = SearchScope(project_id="p1", user_id="u1")
        assert [m.memory_value for m in reopened.newest_first(scope, 0, 10)] == [
            "用户喜欢扬州炒饭。", "The user likes coffee."
        ]
        assert [m.memory_value for m in reopened.scroll_containing(scope, "Coffee")] == ["The user likes coffee."]
    finally:
        reopened.close()
