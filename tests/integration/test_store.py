"""The store interface against the real embedded adapter (Qdrant Edge in a temp directory)."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from pipeline.embedding import MiniLMEmbedder
from pipeline.memory_index import MemoryIndex
from pipeline.models import MemoryRecord, MemoryStatus, ScopeKind, SearchScope
from pipeline.sparse import SparseEncoder
from pipeline.store.edge import EdgeMemoryStore


def memory(value: str, project: str = "p1", user: str | None = "u1", kb: str | None = None, **extra) -> MemoryRecord:
    kind = ScopeKind.KNOWLEDGEBASE if kb else (ScopeKind.USER if user else ScopeKind.PUBLIC)
    now = time.time()
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


def test_data_survives_reopening(tmp_path: Path, embedder: MiniLMEmbedder) -> None:
    store = EdgeMemoryStore(tmp_path / "shard")
    record = memory("The user likes tea.")
    MemoryIndex(store, embedder, SparseEncoder()).write([record])
    store.close()

    reopened = EdgeMemoryStore(tmp_path / "shard")
    try:
        assert reopened.get([record.id]) == [record]
    finally:
        reopened.close()


def test_ids_that_are_not_uuids_name_nothing(index: MemoryIndex) -> None:
    record = memory("The user likes tea.")
    index.write([record])
    assert index.store.get(["not-a-uuid", record.id]) == [record]
    index.store.delete(["not-a-uuid"])
    assert index.store.count() == 1
