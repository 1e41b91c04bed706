"""The store interface against both adapters (the `index` and `open_store` fixtures run each test
on Qdrant Edge and on the server adapter in qdrant-client's local mode), then what only the server
adapter does: create and check its one shared collection."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from unittest.mock import patch

import pytest
from qdrant_client import QdrantClient, models
from qdrant_edge import UpdateOperation
from qdrant_client.http.exceptions import UnexpectedResponse

from pipeline.embedding import Embedder
from pipeline.embedding.bundled import USE_IDENTITY as IDENTITY
from pipeline.memory_index import MemoryIndex
from pipeline.models import MemoryRecord, MemoryStatus, ScopeKind, SearchScope
from pipeline.sparse import SparseEncoder, SparseVector
from pipeline.store.base import KEYWORD_INDEXES, ORDER_FIELD, SCOPE_KEY_FIELD, SCROLL_PAGE, TEXT_FIELD, MemoryStore
from pipeline.store.edge import EdgeMemoryStore
from pipeline.store.qdrant_server import (
    EMBEDDER_METADATA,
    TEXT_INDEX,
    IncompatibleCollectionError,
    QdrantServerMemoryStore,
)


def memory(value: str, project: str = "p1", user: str | None = "u1", kb: str | None = None, **extra) -> MemoryRecord:
    kind = ScopeKind.KNOWLEDGEBASE if kb else (ScopeKind.USER if user else ScopeKind.PUBLIC)
    # Qdrant Edge does not round-trip every float to the last digit (about one in eight
    # raw timestamps comes back 1e-7 s off); milliseconds do, so records compare equal.
    now = round(time.time(), 3)
    return MemoryRecord(
        id=str(uuid.uuid4()), project_id=project, scope_kind=kind, user_id=user if not kb else None,
        knowledgebase_id=kb, memory_value=value, create_time=now, update_time=now, **extra,
    )


def test_search_is_confined_to_the_scope(index: MemoryIndex) -> None:
    index.write([
        memory("The user likes swimming."),
        memory("The user likes swimming in lakes.", user="u2"),
        memory("The user likes swimming at night.", project="p2"),
        memory("Swimming pools close at 9 PM.", kb="kb-a"),
        memory("Swimming lessons cost 20 EUR.", kb="kb-b"),
        memory("Everyone may swim on Sundays.", user=None),
    ])
    own = index.search(SearchScope(project_id="p1", user_id="u1"), "swimming", 10)
    assert [h.memory.memory_value for h in own] == ["The user likes swimming."]

    with_kb = index.search(SearchScope(project_id="p1", user_id="u1", knowledgebase_ids=["kb-a"]), "swimming", 10)
    assert {h.memory.memory_value for h in with_kb} == {"The user likes swimming.", "Swimming pools close at 9 PM."}

    public = index.search(SearchScope(project_id="p1", user_id="u1", include_public=True), "swim", 10)
    assert "Everyone may swim on Sundays." in {h.memory.memory_value for h in public}

    assert index.search(SearchScope(project_id="p1"), "swimming", 10) == []


def test_the_current_version_outranks_an_older_memory_with_the_same_words(index: MemoryIndex) -> None:
    older = memory("The user's dentist is Dr. Patel at the Riverside dental clinic.")
    current = memory("The user's dentist appointment moved to Thursday at 3 PM.", priority=1)
    index.write([older, current, memory("The user's sister is a dentist.")])

    hits = index.search(SearchScope(project_id="p1", user_id="u1"), "Who is the user's dentist at the clinic?", 3)
    unboosted = sorted(hits, key=lambda h: -h.score)
    assert unboosted[0].memory == older  # the older memory shares more of the question's words ...
    assert hits[0].memory == current  # ... but the current version ranks first


def test_memories_matching_the_query_words_equally_are_ranked_by_meaning(index: MemoryIndex) -> None:
    # All three share the query's words ("user's dog") equally: the sparse list ties them, and the
    # order must come from meaning (the breed answers), the same on every run and for any ids.
    for _ in range(12):
        values = ["The user's dog is 7 years old.", "The user's dog is a beagle hound.", "The user's dog is named Pepper."]
        scope_user = uuid.uuid4().hex
        index.write([memory(v, user=scope_user, priority=1) for v in values])
        hits = index.search(SearchScope(project_id="p1", user_id=scope_user), "What breed is the user's dog?", 3)
        assert hits[0].memory.memory_value == "The user's dog is a beagle hound."


def test_a_denial_ranks_below_what_is_the_case_for_a_question_asking_what(index: MemoryIndex) -> None:
    denial = memory("The user is not allergic to peanuts.", priority=1)
    allergy = memory("The user is allergic to shellfish.", priority=1)
    index.write([denial, allergy, memory("The user's son is allergic to pollen.")])
    scope = SearchScope(project_id="p1", user_id="u1")

    assert index.search(scope, "What is the user allergic to?", 3)[0].memory == allergy
    assert index.search(scope, "用户对什么过敏？", 3)[0].memory == allergy
    # Asked yes or no, the denial is an answer like any other.
    assert index.search(scope, "Is the user allergic to peanuts?", 3)[0].memory == denial


def test_a_date_does_not_answer_where_or_who(index: MemoryIndex) -> None:
    flight = memory("The user's flight to Lisbon departs on 9 July.", priority=1)
    room = memory("The user booked a room at Casa Amarela in Lisbon.", priority=1)
    partner = memory("The user's partner is named Ines.", priority=1)
    anniversary = memory("The user's anniversary is on 3 May.", priority=1)
    index.write([flight, room, partner, anniversary])
    scope = SearchScope(project_id="p1", user_id="u1")

    assert index.search(scope, "Where is the user staying during the Lisbon trip?", 2)[0].memory == room
    assert index.search(scope, "What is the name of the user's partner?", 2)[0].memory == partner
    assert index.search(scope, "When does the user's flight to Lisbon depart?", 2)[0].memory == flight


def test_what_kind_of_value_a_question_asks_for() -> None:
    from pipeline.text.intent import asked_kinds

    assert asked_kinds("Where is the user staying in Vienna?").refuses == {"date"}
    assert asked_kinds("用户的年会在哪个城市办？").refuses == {"date"}
    assert asked_kinds("Who is the user's dentist?").refuses == {"date"}
    assert asked_kinds("What is the user's job?") is None
    assert asked_kinds("The user lives in Vienna.") is None  # no question


def test_search_answers_about_the_person_asked_for(index: MemoryIndex) -> None:
    index.write([
        memory("The user's sister lives in Calgary and loves living there."),
        memory("The user's brother lives in Calgary too."),
        memory("The user lives in Montreal."),
    ])
    scope = SearchScope(project_id="p1", user_id="u1")
    assert index.search(scope, "Where does the user live?", 1)[0].memory.memory_value == "The user lives in Montreal."
    asked_for_sister = index.search(scope, "Where does the user's sister live?", 3)
    assert asked_for_sister[0].memory.memory_value.startswith("The user's sister")


def test_chinese_queries_rank_by_shared_words(index: MemoryIndex) -> None:
    index.write([memory("用户的收货地址是北京市朝阳区。"), memory("用户喜欢在周末逛超市。"), memory("用户的公司在海淀区。")])
    hits = index.search(SearchScope(project_id="p1", user_id="u1"), "用户的收货地址是什么？", 3)
    assert hits[0].memory.memory_value == "用户的收货地址是北京市朝阳区。"


def test_archived_memories_are_not_returned(index: MemoryIndex) -> None:
    old, new = memory("The user lives in Berlin."), memory("The user lives in Munich.", priority=1)
    index.write([old, new])
    index.store.set_fields([old.id], {"status": MemoryStatus.ARCHIVED.value, "superseded_by": new.id})

    hits = index.search(SearchScope(project_id="p1", user_id="u1"), "Where does the user live?", 5)

    assert [h.memory.id for h in hits] == [new.id]
    [archived] = index.store.get([old.id])
    assert archived.status is MemoryStatus.ARCHIVED and archived.superseded_by == new.id
    everything = index.store.scroll_all(
        SearchScope(project_id="p1", user_id="u1"), statuses=(MemoryStatus.ACTIVATED, MemoryStatus.ARCHIVED)
    )
    assert {m.id for m in everything} == {old.id, new.id}


def test_exact_numbers_and_chinese_are_matched_lexically(index: MemoryIndex) -> None:
    index.write([
        memory("办公软件的采购上限为800元，适用于文档编辑和表格工具。", kb="kb-cn"),
        memory("差旅报销需要提供发票。", kb="kb-cn"),
        memory("The hotel budget per night is 500 CNY."),
        memory("The office software purchase limit is 800 CNY."),
    ])
    scope = SearchScope(project_id="p1", user_id="u1", knowledgebase_ids=["kb-cn"])

    top_zh = index.search(scope, "办公软件采购的报销上限是多少？", 3)[0]
    assert "800元" in top_zh.memory.memory_value
    top_number = index.search(scope, "what costs 500 CNY", 3)[0]
    assert "500 CNY" in top_number.memory.memory_value
    assert 0.0 <= top_number.relativity <= 1.0


def test_relativity_threshold_filters_weak_matches(index: MemoryIndex) -> None:
    index.write([memory("The user likes swimming."), memory("Quarterly tax filings are due in April.")])
    scope = SearchScope(project_id="p1", user_id="u1")
    strong = index.search(scope, "Does the user like swimming?", 5, min_relativity=0.5)
    assert [h.memory.memory_value for h in strong] == ["The user likes swimming."]


def test_writing_the_same_ids_twice_changes_nothing(index: MemoryIndex) -> None:
    records = [memory("The user likes tea."), memory("The user likes chess.")]
    index.write(records)
    index.write(records)
    assert index.store.count() == 2


def test_delete_and_delete_knowledgebase(index: MemoryIndex) -> None:
    mine, kb1, kb2 = memory("The user likes tea."), memory("Rule one.", kb="kb-x"), memory("Rule two.", kb="kb-x")
    other_project_kb = memory("Rule three.", project="p2", kb="kb-x")
    index.write([mine, kb1, kb2, other_project_kb])

    assert index.store.delete_knowledgebase("p1", "kb-x") == 2
    index.store.delete([mine.id])

    assert index.store.get([mine.id, kb1.id, kb2.id, other_project_kb.id]) == [other_project_kb]


def test_data_survives_reopening(open_store: Callable[[], MemoryStore], embedder: Embedder) -> None:
    store = open_store()
    record = memory("The user likes tea.")
    MemoryIndex(store, embedder, SparseEncoder()).write([record])
    store.close()

    reopened = open_store()
    try:
        assert reopened.get([record.id]) == [record]
    finally:
        reopened.close()


def _forget_scope_keys(store: MemoryStore, memory_ids: list[str]) -> None:
    """The memories' payloads as a version before scope keys wrote them."""
    if isinstance(store, EdgeMemoryStore):
        store._shard.update(UpdateOperation.delete_payload(memory_ids, [SCOPE_KEY_FIELD]))
    else:
        assert isinstance(store, QdrantServerMemoryStore)
        store.client.delete_payload(store.collection, keys=[SCOPE_KEY_FIELD], points=memory_ids, wait=True)


def test_memories_stored_without_a_scope_key_get_one_when_the_store_opens(
    open_store: Callable[[], MemoryStore], embedder: Embedder
) -> None:
    store = open_store()
    own, kb_memory = memory("The user likes tea."), memory("Tea costs 3 EUR.", kb="kb-a")
    public = memory("Tea time is 4 PM.", user=None)
    archived = memory("The user likes coffee.", status=MemoryStatus.ARCHIVED)
    MemoryIndex(store, embedder, SparseEncoder()).write([own, kb_memory, public, archived])
    _forget_scope_keys(store, [own.id, kb_memory.id, public.id, archived.id])
    assert store.scroll_all(SearchScope(project_id="p1", user_id="u1")) == []
    store.close()

    reopened = open_store()
    try:
        index = MemoryIndex(reopened, embedder, SparseEncoder())
        scope = SearchScope(project_id="p1", user_id="u1", knowledgebase_ids=["kb-a"], include_public=True)
        assert {h.memory.id for h in index.search(scope, "tea", 10)} == {own.id, kb_memory.id, public.id}
        everything = reopened.scroll_all(scope, statuses=(MemoryStatus.ACTIVATED, MemoryStatus.ARCHIVED))
        assert {m.id for m in everything} == {own.id, kb_memory.id, public.id, archived.id}
    finally:
        reopened.close()


def test_a_status_change_moves_the_memory_to_its_new_scope_key(index: MemoryIndex) -> None:
    kept, archived = memory("The user likes tea."), memory("Tea costs 3 EUR.", kb="kb-a")
    index.write([kept, archived])
    scope = SearchScope(project_id="p1", user_id="u1", knowledgebase_ids=["kb-a"])

    index.store.set_fields([kept.id, archived.id], {"status": MemoryStatus.ARCHIVED.value})
    assert index.store.scroll_all(scope) == []
    index.store.set_fields([kept.id], {"status": MemoryStatus.ACTIVATED.value, "superseded_by": None})

    assert [m.id for m in index.store.scroll_all(scope)] == [kept.id]
    assert [m.id for m in index.store.scroll_all(scope, statuses=(MemoryStatus.ARCHIVED,))] == [archived.id]
    assert [h.memory.id for h in index.search(scope, "tea", 5)] == [kept.id]


def test_ids_that_are_not_uuids_name_nothing(index: MemoryIndex) -> None:
    record = memory("The user likes tea.")
    index.write([record])
    assert index.store.get(["not-a-uuid", record.id]) == [record]
    index.store.delete(["not-a-uuid"])
    assert index.store.count() == 1


def test_scroll_all_pages_through_everything(index: MemoryIndex) -> None:
    records = [memory(f"Fact number {i}.") for i in range(2 * SCROLL_PAGE + 3)]
    # Any vectors will do for a scroll; embedding a thousand texts would only slow the test down.
    dense = [[1.0] + [0.0] * (IDENTITY.dim - 1)] * len(records)
    index.store.upsert(records, dense, [SparseVector([1], [1.0])] * len(records))

    scrolled = index.store.scroll_all(SearchScope(project_id="p1", user_id="u1"))

    assert sorted(m.id for m in scrolled) == sorted(r.id for r in records)


def test_threads_may_share_one_store(index: MemoryIndex) -> None:
    records = [memory(f"The user owns {i} books.") for i in range(16)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda r: index.write([r]), records))
        found = list(pool.map(lambda r: index.store.get([r.id]), records))
    assert found == [[r] for r in records]
    assert index.store.count() == len(records)


# --- the server adapter only ---------------------------------------------------------

quiet_local_mode = pytest.mark.filterwarnings("ignore:Payload indexes have no effect:UserWarning")


@quiet_local_mode
def test_server_store_creates_one_collection_with_a_tenant_index() -> None:
    client = QdrantClient(location=":memory:")
    with (
        patch.object(client, "create_collection", wraps=client.create_collection) as create_collection,
        patch.object(client, "create_payload_index", wraps=client.create_payload_index) as create_index,
    ):
        QdrantServerMemoryStore(client, "memories", IDENTITY)
        QdrantServerMemoryStore(client, "memories", IDENTITY)

    assert create_collection.call_count == 1
    assert client.get_collections().collections == [models.CollectionDescription(name="memories")]
    schemas = {call.kwargs["field_name"]: call.kwargs["field_schema"] for call in create_index.call_args_list}
    assert set(schemas) == {*KEYWORD_INDEXES, TEXT_FIELD, ORDER_FIELD}
    assert schemas["project_id"] == models.KeywordIndexParams(type=models.KeywordIndexType.KEYWORD, is_tenant=True)
    assert {schemas[f] for f in KEYWORD_INDEXES[1:]} == {models.PayloadSchemaType.KEYWORD}
    assert schemas[TEXT_FIELD] == TEXT_INDEX and TEXT_INDEX.tokenizer == models.TokenizerType.PREFIX
    assert schemas[ORDER_FIELD] == models.PayloadSchemaType.FLOAT


@quiet_local_mode
def test_server_store_creates_only_the_indexes_a_server_lacks() -> None:
    """Local mode reports no payload indexes, so pretend to be a server that has them."""
    client = QdrantClient(location=":memory:")
    QdrantServerMemoryStore(client, "memories", IDENTITY)
    info = client.get_collection("memories")
    info.payload_schema = {
        field: models.PayloadIndexInfo(data_type=models.PayloadSchemaType.KEYWORD, points=0)
        for field in KEYWORD_INDEXES
    } | {
        TEXT_FIELD: models.PayloadIndexInfo(data_type=models.PayloadSchemaType.TEXT, points=0),
        ORDER_FIELD: models.PayloadIndexInfo(data_type=models.PayloadSchemaType.FLOAT, points=0),
    }

    with (
        patch.object(client, "get_collection", return_value=info),
        patch.object(client, "create_payload_index") as create_index,
    ):
        QdrantServerMemoryStore(client, "memories", IDENTITY)

    # Every field is indexed, but project_id not as the tenant key: only that index is redone.
    [call] = create_index.call_args_list
    assert call.kwargs["field_name"] == "project_id" and call.kwargs["field_schema"].is_tenant


@quiet_local_mode
def test_a_server_collection_written_before_the_text_and_order_indexes_gets_them() -> None:
    client = QdrantClient(location=":memory:")
    QdrantServerMemoryStore(client, "memories", IDENTITY)
    info = client.get_collection("memories")
    info.payload_schema = {
        field: models.PayloadIndexInfo(data_type=models.PayloadSchemaType.KEYWORD, points=0)
        for field in KEYWORD_INDEXES
    }
    info.payload_schema["project_id"] = models.PayloadIndexInfo(
        data_type=models.PayloadSchemaType.KEYWORD,
        params=models.KeywordIndexParams(type=models.KeywordIndexType.KEYWORD, is_tenant=True),
        points=0,
    )

    with (
        patch.object(client, "get_collection", return_value=info),
        patch.object(client, "create_payload_index") as create_index,
    ):
        QdrantServerMemoryStore(client, "memories", IDENTITY)

    schemas = {call.kwargs["field_name"]: call.kwargs["field_schema"] for call in create_index.call_args_list}
    assert schemas == {TEXT_FIELD: TEXT_INDEX, ORDER_FIELD: models.PayloadSchemaType.FLOAT}


@quiet_local_mode
def test_a_server_without_substring_matching_reads_the_whole_scope_for_a_term() -> None:
    """Local mode has `match.substring`; pretend to be an older server that refuses it."""
    client = QdrantClient(location=":memory:")
    refused = UnexpectedResponse(400, "Bad Request", b'{"status": {"error": "unknown variant `substring`"}}', {})
    with patch.object(client, "count", side_effect=refused):
        store = QdrantServerMemoryStore(client, "memories", IDENTITY)
    records = [memory("用户喜欢扬州炒饭。"), memory("The user likes coffee."), memory("扬州炒饭", user="u2")]
    store.upsert(records, [[1.0] + [0.0] * (IDENTITY.dim - 1)] * 3, [SparseVector([1], [1.0])] * 3)

    found = store.scroll_containing(SearchScope(project_id="p1", user_id="u1"), "炒饭")

    assert {m.id for m in found} == {records[0].id, records[1].id}


@quiet_local_mode
def test_a_second_server_store_on_the_same_collection_shares_its_data(embedder: Embedder) -> None:
    client = QdrantClient(location=":memory:")
    first = QdrantServerMemoryStore(client, "memories", IDENTITY)
    other_collection = QdrantServerMemoryStore(client, "elsewhere", IDENTITY)
    record = memory("The user likes tea.")
    MemoryIndex(first, embedder, SparseEncoder()).write([record])

    second = QdrantServerMemoryStore(client, "memories", IDENTITY)

    assert second.get([record.id]) == [record] and second.count() == 1
    hits = MemoryIndex(second, embedder, SparseEncoder()).search(SearchScope(project_id="p1", user_id="u1"), "tea", 5)
    assert [h.memory for h in hits] == [record]
    assert other_collection.count() == 0


_DENSE = models.VectorParams(size=IDENTITY.dim, distance=models.Distance.COSINE)
_SPARSE = models.SparseVectorParams(modifier=models.Modifier.IDF)


@quiet_local_mode
@pytest.mark.parametrize(
    ("dense", "sparse"),
    [
        (_DENSE.model_copy(update={"size": 3}), _SPARSE),
        (_DENSE.model_copy(update={"distance": models.Distance.DOT}), _SPARSE),
        (_DENSE, models.SparseVectorParams()),
        (_DENSE, None),
    ],
    ids=["dense-size", "dense-distance", "sparse-without-idf", "no-sparse"],
)
def test_server_store_refuses_a_collection_with_other_vectors(
    dense: models.VectorParams, sparse: models.SparseVectorParams | None
) -> None:
    client = QdrantClient(location=":memory:")
    client.create_collection(
        "memories", vectors_config={"dense": dense}, sparse_vectors_config={"sparse": sparse} if sparse else None,
        metadata={EMBEDDER_METADATA: IDENTITY.model_dump()},
    )
    with pytest.raises(IncompatibleCollectionError):
        QdrantServerMemoryStore(client, "memories", IDENTITY)
