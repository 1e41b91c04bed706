"""The write stage against the real embedded store: version chain and idempotence."""

from __future__ import annotations

import time
import uuid

from pipeline import stages
from pipeline.analyzers.offline import OfflineAnalyzer
from pipeline.job import FeedbackJob
from pipeline.memory_index import MemoryIndex
from pipeline.models import (
    Classification,
    KeywordReplacement,
    MemoryRecord,
    MemoryStatus,
    PlannedChange,
    ScopeKind,
    SearchScope,
    UpdateType,
)

ALL_STATUSES = (MemoryStatus.ACTIVATED, MemoryStatus.ARCHIVED)


def job(**overrides) -> FeedbackJob:
    fields = {"job_id": uuid.uuid4().hex, "project_id": "p1", "user_id": "u1", "feedback_content": "..."}
    return FeedbackJob(**{**fields, **overrides})


def stored(index: MemoryIndex, value: str, **fields) -> MemoryRecord:
    defaults = {"id": str(uuid.uuid4()), "project_id": "p1", "user_id": "u1", "create_time": time.time()}
    record = MemoryRecord(**{**defaults, **fields}, memory_value=value)
    index.write([record])
    return record


def test_update_archives_the_old_version_and_links_both(index: MemoryIndex) -> None:
    old = stored(index, "The user lives in Berlin.", memory_key="Home")
    plan = [PlannedChange(action="update", memory_id=old.id, before=old.memory_value, after="The user lives in Munich.")]
    feedback = job()

    [change] = stages.write(feedback, plan, index)

    [archived, current] = index.store.get([old.id, change.new_memory_id])
    assert archived.status is MemoryStatus.ARCHIVED and archived.superseded_by == current.id
    assert archived.invalid_at is not None and archived.memory_value == "The user lives in Berlin."
    assert current.status is MemoryStatus.ACTIVATED and current.supersedes == old.id
    assert current.memory_key == "Home" and current.priority == old.priority + 1
    assert current.source_job_id == feedback.job_id


def test_running_the_write_stage_twice_changes_nothing_more(index: MemoryIndex) -> None:
    old = stored(index, "The user lives in Berlin.")
    plan = [
        PlannedChange(action="update", memory_id=old.id, before=old.memory_value, after="The user lives in Munich."),
        PlannedChange(action="add", after="The user is allergic to shellfish."),
    ]
    feedback = job()

    first = stages.write(feedback, plan, index)
    second = stages.write(feedback, plan, index)

    assert [c.new_memory_id for c in first] == [c.new_memory_id for c in second]
    everything = index.store.scroll_all(SearchScope(project_id="p1", user_id="u1"), statuses=ALL_STATUSES)
    assert len(everything) == 3
    active = index.store.scroll_all(SearchScope(project_id="p1", user_id="u1"))
    assert sorted(m.memory_value for m in active) == ["The user is allergic to shellfish.", "The user lives in Munich."]


def test_a_memory_already_superseded_by_another_job_is_left_alone(index: MemoryIndex) -> None:
    old = stored(index, "The user lives in Berlin.")
    plan = [PlannedChange(action="update", memory_id=old.id, before=old.memory_value, after="The user lives in Munich.")]
    stages.write(job(), plan, index)

    late = stages.write(job(), [plan[0].model_copy(update={"after": "The user lives in Hamburg."})], index)

    assert late == []
    active = index.store.scroll_all(SearchScope(project_id="p1", user_id="u1"))
    assert [m.memory_value for m in active] == ["The user lives in Munich."]


def test_keyword_lookup_plans_only_whole_words_in_scope(index: MemoryIndex) -> None:
    stored(index, "Ann manages the annual budget.")
    stored(index, "The user met Joanne at the conference.")
    stored(index, "Ann is the user's sister.", user_id="u2")
    stored(index, "Ann approves travel.", scope_kind=ScopeKind.KNOWLEDGEBASE, user_id=None, knowledgebase_id="kb1")
    classification = Classification(
        update_type=UpdateType.KEYWORD_REPLACE, keyword=KeywordReplacement(original="Ann", target="Anna")
    )

    plan = stages.lookup(job(), classification, index, analyzer=None)  # type: ignore[arg-type]

    assert [(c.before, c.after) for c in plan] == [("Ann manages the annual budget.", "Anna manages the annual budget.")]
    with_kb = stages.lookup(job(allow_knowledgebase_ids=["kb1"]), classification, index, analyzer=None)  # type: ignore[arg-type]
    assert len(with_kb) == 2 and {c.knowledgebase_id for c in with_kb} == {None, "kb1"}


def test_a_replacement_that_would_break_a_memory_is_refused_but_a_stored_first_person_note_is_not(
    index: MemoryIndex,
) -> None:
    stored(index, "The user files tickets in Jira.")
    stored(index, "I export my Jira reports on Fridays.")
    into_first_person = Classification(
        update_type=UpdateType.KEYWORD_REPLACE, keyword=KeywordReplacement(original="Jira", target="Linear for me")
    )
    plan = stages.plan_lookup(job(), into_first_person, index, analyzer=None)  # type: ignore[arg-type]
    assert [c.after for c in plan.changes] == ["I export my Linear for me reports on Fridays."]
    assert [(r.text, r.reason) for r in plan.rejected] == [
        ("The user files tickets in Linear for me.", "written in the first person")]

    plain = Classification(update_type=UpdateType.KEYWORD_REPLACE, keyword=KeywordReplacement(original="Jira", target="Linear"))
    plan = stages.plan_lookup(job(), plain, index, analyzer=None)  # type: ignore[arg-type]
    assert sorted(c.after for c in plan.changes) == ["I export my Linear reports on Fridays.", "The user files tickets in Linear."]


def test_two_clauses_correcting_one_memory_make_one_corrected_memory(index: MemoryIndex) -> None:
    analyzer = OfflineAnalyzer(index.embedder)
    user = f"u-{uuid.uuid4().hex[:8]}"
    lesson = stored(index, "The user takes piano lessons every Tuesday.", user_id=user)
    stored(index, "The user lives in Hull.", user_id=user)
    feedback = job(user_id=user, feedback_content="two fixes: it's guitar not piano, and it's Fridays not Tuesdays")

    plan = stages.lookup(feedback, stages.classify(feedback, analyzer), index, analyzer)

    [update] = [change for change in plan if change.action == "update"]
    assert update.memory_id == lesson.id
    assert update.after == "The user takes guitar lessons every Friday."


def test_saying_a_stored_fact_still_holds_writes_nothing_for_it(index: MemoryIndex) -> None:
    analyzer = OfflineAnalyzer(index.embedder)
    user = f"u-{uuid.uuid4().hex[:8]}"
    job_memory = stored(index, "The user works as a nurse at St Mary's hospital.", user_id=user)
    stored(index, "The user lives in Leeds.", user_id=user)
    feedback = job(user_id=user, feedback_content="I'm a midwife now, not a nurse. still in Leeds though")

    plan = stages.lookup(feedback, stages.classify(feedback, analyzer), index, analyzer)

    assert [change.memory_id for change in plan] == [job_memory.id]
    assert "midwife" in plan[0].after

    fresh_user = f"u-{uuid.uuid4().hex[:8]}"
    stored(index, "The user works at a bank.", user_id=fresh_user)
    still_new = job(user_id=fresh_user, feedback_content="周末我还在做志愿者")
    added = stages.lookup(still_new, stages.classify(still_new, analyzer), index, analyzer)
    assert [change.action for change in added] == ["add"]  # nothing stored says it: it is a new fact


def test_a_clause_that_says_what_the_value_became_takes_the_place_of_one_that_only_says_it_changed(
    index: MemoryIndex,
) -> None:
    analyzer = OfflineAnalyzer(index.embedder)
    user = f"u-{uuid.uuid4().hex[:8]}"
    fee = stored(index, "用户的车位费是每月450元。", user_id=user)
    stored(index, "用户的车停在B1层。", user_id=user)
    phone = stored(index, "用户的手机号尾号是9043。", user_id=user)
    for feedback_content, memory, after in (("车位费早涨了，现在是600", fee, "用户的车位费是每月600元。"),
                                            ("换新号码了，尾号是5172", phone, "用户的手机号尾号是5172。")):
        feedback = job(user_id=user, feedback_content=feedback_content)

        plan = stages.lookup(feedback, stages.classify(feedback, analyzer), index, analyzer)

        [update] = [change for change in plan if change.action == "update"]
        assert update.memory_id == memory.id and update.after == after
