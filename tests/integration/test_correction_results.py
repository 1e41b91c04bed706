"""What a correction leaves behind: a keyword replacement that finds nothing says so (over HTTP),
and a corrected memory's title (memory_key) follows its new value."""

from __future__ import annotations

import time
import uuid

from api.client import MemfeedClient
from pipeline import stages
from pipeline.job import FeedbackJob
from pipeline.memory_index import MemoryIndex
from pipeline.memory_keys import memory_key_for
from pipeline.models import MemoryRecord, PlannedChange


def test_a_keyword_replacement_that_finds_nothing_is_ignored_with_its_reason(
    client: MemfeedClient, user_id: str
) -> None:
    client.add_message(user_id, "c-food", [{"role": "user", "content": "我住在南京。"}], async_mode=False)

    status = client.wait(client.add_feedback(user_id, "将'扬州炒饭'统一替换为'南京烤鸭'"))

    assert status["status"] == "completed"
    assert status["outcome"] == "ignored"
    assert status["reason"] == "no memory in scope contains '扬州炒饭'"
    assert status["update_type"] == "keyword_replace"
    assert status["changes"] == []
    # The lookup found nothing to write: the job ended there, the write stage never ran.
    assert status["stages"]["lookup"]["state"] == "done"
    assert status["stages"]["write"]["state"] == "skipped"
    values = [m["memory_value"] for m in client.get_memory(user_id)["memory_detail_list"]]
    assert values and all("南京烤鸭" not in v for v in values)


def test_invalid_feedback_ends_at_validate_and_no_later_stage_runs(client: MemfeedClient, user_id: str) -> None:
    status = client.wait(client.add_feedback(user_id, "thanks, that was helpful!"))

    assert (status["status"], status["outcome"]) == ("completed", "ignored"), status
    stages_of_job = status["stages"]
    assert stages_of_job["validate"]["state"] == "done" and stages_of_job["validate"]["duration_ms"] is not None
    for later in ("classify", "lookup", "write"):
        # Recorded skipped in validate's own transaction: never started, no duration.
        assert stages_of_job[later]["state"] == "skipped", stages_of_job
        assert stages_of_job[later]["duration_ms"] is None
        assert stages_of_job[later]["detail"]["reason"] == status["reason"]


def test_a_keyword_replacement_with_something_to_replace_is_applied(client: MemfeedClient, user_id: str) -> None:
    client.add_message(user_id, "c-food", [{"role": "user", "content": "我喜欢吃扬州炒饭。"}], async_mode=False)

    status = client.wait(client.add_feedback(user_id, "将'扬州炒饭'统一替换为'南京烤鸭'"))

    assert status["outcome"] == "applied" and status["reason"] == "1 change(s) written", status
    [memory] = client.get_memory(user_id)["memory_detail_list"]
    assert "南京烤鸭" in memory["memory_value"] and memory["memory_key"] == memory_key_for(memory["memory_value"])


def test_a_corrected_memory_gets_a_key_made_from_its_new_value(client: MemfeedClient, user_id: str) -> None:
    client.add_message(user_id, "0610", [{"role": "user", "content": "我喜欢游泳"}], async_mode=False)
    [before] = client.get_memory(user_id)["memory_detail_list"]
    assert before["memory_key"] == "用户喜欢游泳", before

    status = client.wait(client.add_feedback(user_id, "实际上我不喜欢游泳", conversation_id="0610"))

    assert status["outcome"] == "applied", status
    [after] = client.get_memory(user_id)["memory_detail_list"]
    assert after["memory_value"] == "用户不喜欢游泳。"
    assert after["memory_key"] == "用户不喜欢游泳"


def _stored(index: MemoryIndex, value: str, **fields: object) -> MemoryRecord:
    record = MemoryRecord(id=str(uuid.uuid4()), project_id="p1", user_id="u1", create_time=time.time(),
                          memory_value=value, **fields)
    index.write([record])
    return record


def test_the_write_stage_recomputes_a_derived_key_and_keeps_a_given_one(index: MemoryIndex) -> None:
    derived = _stored(index, "The user lives in Berlin.", memory_key=memory_key_for("The user lives in Berlin."))
    passage = _stored(index, "The purchase limit for office software is 800 CNY.", memory_key="policy.md #1")
    plan = [
        PlannedChange(action="update", memory_id=derived.id, before=derived.memory_value,
                      after="The user lives in Munich since May."),
        PlannedChange(action="update", memory_id=passage.id, before=passage.memory_value,
                      after="The purchase limit for office software is 600 CNY."),
    ]
    job = FeedbackJob(job_id=uuid.uuid4().hex, project_id="p1", user_id="u1", feedback_content="...")

    changes = stages.write(job, plan, index)

    moved, limit = index.store.get([c.new_memory_id for c in changes])
    assert moved.memory_key == "The user lives in Munich since"
    assert limit.memory_key == "policy.md #1"


def test_a_job_records_how_sure_the_analyzer_was(client: MemfeedClient, user_id: str) -> None:
    client.add_message(user_id, "c-conf", [{"role": "user", "content": "I live in Leeds."}], async_mode=False)

    replacement = client.wait(client.add_feedback(user_id, "Replace 'Leeds' with 'York' everywhere"))
    correction = client.wait(client.add_feedback(user_id, "I live in Bath, not York."))
    chat = client.wait(client.add_feedback(user_id, "thanks!"))

    for status in (replacement, correction, chat):
        assert 0.0 < status["confidence"] <= 1.0, status
    # A quoted replacement is surer than a correction the rules had to read, a denied value that a
    # memory holds surer than a guess.
    assert replacement["confidence"] > correction["confidence"] > 0.5
    assert [s["outcome"] for s in (replacement, correction, chat)] == ["applied", "applied", "ignored"]
