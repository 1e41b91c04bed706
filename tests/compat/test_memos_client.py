"""An application written against MemOS works against memfeed by changing its base URL only:
the official client (MemoryOS 2.0.33's MemOSClient, unmodified, in its own environment) over
every method memfeed supports, its error paths, and its retries."""

from __future__ import annotations

import math
import uuid
from pathlib import Path

import httpx
import pytest

from tests.compat.conftest import MemOS, MemosCallError, MemosProcess, memos_base_url
from tests.compat.dropping_proxy import DroppingProxy
from tests.integration.conftest import Stack

# The first test may create the client's environment (pip install, ~1.5 min here).
pytestmark = pytest.mark.timeout(1800)

POLICY = (
    "The purchase limit for office software is 800 CNY.\n\n"
    "Travel must be booked through the company portal.\n\n"
    "Meals on business trips are reimbursed up to 150 CNY a day."
)


def _user() -> str:
    return f"u-{uuid.uuid4().hex[:10]}"


def _kb_memories(memos: MemOS, kb_id: str, query: str = "purchase limit travel meals") -> list[dict]:
    found = memos.search_memory(query=query, user_id=_user(), knowledgebase_ids=[kb_id], memory_limit_number=50)
    return [m for m in found["data"]["memory_detail_list"] if m.get("knowledgebase_id") == kb_id]


def test_messages_become_memories_and_search_finds_them(memos: MemOS) -> None:
    user, conversation = _user(), f"c-{uuid.uuid4().hex[:8]}"
    added = memos.add_message(
        user_id=user, conversation_id=conversation, async_mode=False,
        messages=[{"role": "user", "content": "I live in Lisbon."}, {"role": "assistant", "content": "Noted!"}],
    )
    assert added["code"] == 0 and added["data"]["success"] and added["data"]["status"] == "completed"
    status = memos.get_task_status(task_id=added["data"]["task_id"])["data"]
    assert status["status"] == "completed"
    assert any("Lisbon" in m["memory_value"] for m in status["memory_views"]["added"])

    # conversation_id is optional in MemOS.
    task = memos.add_message(user_id=user, messages=[{"role": "user", "content": "I like green tea."}])
    assert task["data"]["status"] == "running"
    assert memos.wait(task["data"]["task_id"])["status"] == "completed"

    hits = memos.search_memory(query="Where does the user live?", user_id=user)["data"]["memory_detail_list"]
    assert "Lisbon" in hits[0]["memory_value"]
    messages = memos.get_message(user_id=user, conversation_id=conversation)["data"]["message_detail_list"]
    assert [m["content"] for m in messages] == ["I live in Lisbon.", "Noted!"]


def test_feedback_corrects_and_task_status_shows_the_memory_views(memos: MemOS) -> None:
    user = _user()
    memos.add_message(user_id=user, conversation_id="c1", async_mode=False,
                      messages=[{"role": "user", "content": "I like swimming."}])
    accepted = memos.add_feedback(user_id=user, conversation_id="c1",
                                  feedback_content="Actually I don't like swimming.")
    assert accepted["data"]["success"] and accepted["data"]["status"] == "running"
    done = memos.wait(accepted["data"]["task_id"])
    assert done["status"] == "completed"
    [update] = done["memory_views"]["updated"]
    assert "swimming" in update["before"] and "not" in update["after"].lower()
    assert done["memory_views"]["archived"] == [update["supersedes"]]


def test_get_memory_pages_as_the_client_reads_them(memos: MemOS) -> None:
    user = _user()
    facts = ["I live in Oslo.", "I have a dog named Rex.", "I work as a nurse.", "My favourite color is green.",
             "I play the violin."]
    memos.add_message(user_id=user, async_mode=False, messages=[{"role": "user", "content": f} for f in facts])
    total = memos.get_memory(user_id=user, size=50)["data"]["total"]
    assert total >= 3
    page = memos.get_memory(user_id=user, page=2, size=2)["data"]
    assert page["current"] == 2 and page["size"] == 2 and page["total"] == total
    assert page["pages"] == math.ceil(total / 2) and len(page["memory_detail_list"]) == 2


def test_get_memory_by_agent_and_by_filter(memos: MemOS) -> None:
    user, agent = _user(), f"agent-{uuid.uuid4().hex[:8]}"
    memos.add_message(user_id=user, agent_id=agent, conversation_id="with-agent", async_mode=False,
                      messages=[{"role": "user", "content": "I live in Bergen."}])
    memos.add_message(user_id=user, conversation_id="without-agent", async_mode=False,
                      messages=[{"role": "user", "content": "I drive a Volvo."}])
    by_agent = memos.get_memory(agent_id=agent)["data"]["memory_detail_list"]
    assert len(by_agent) == 1 and "Bergen" in by_agent[0]["memory_value"]
    filtered = memos.get_memory(user_id=user, filter={"conversation_id": "without-agent"})["data"]
    assert filtered["total"] == 1 and "Volvo" in filtered["memory_detail_list"][0]["memory_value"]


def test_an_agents_own_memories_and_turns_for_several_users(memos: MemOS) -> None:
    agent, users = f"agent-{uuid.uuid4().hex[:8]}", [_user(), _user()]
    memos.add_message(agent_id=agent, async_mode=False, messages=[{"role": "user", "content": "I prefer window seats."}])
    found = memos.search_memory(query="seat preference", agent_id=agent)["data"]["memory_detail_list"]
    assert [m["memory_value"] for m in found] == ["The user prefers window seats."]
    assert found[0]["user_id"] is None
    assert memos.search_memory(query="seat preference", user_id=users[0])["data"]["memory_detail_list"] == []

    memos.add_message(user_id=users, conversation_id="shared", async_mode=False,
                      messages=[{"role": "user", "content": "I live in Tromsø."}])
    for user in users:
        [memory] = memos.search_memory(query="where does the user live", user_id=user)["data"]["memory_detail_list"]
        assert "Tromsø" in memory["memory_value"] and memory["user_id"] == user


def test_get_one_memory_and_update_it(memos: MemOS) -> None:
    user = _user()
    added = memos.add_message(user_id=user, async_mode=False, messages=[{"role": "user", "content": "I live in Rome."}])
    memory_id = added["data"]["memories"][0]["id"] if "memories" in added["data"] else None
    if memory_id is None:
        memory_id = memos.get_memory(user_id=user)["data"]["memory_detail_list"][0]["id"]
    one = memos.get_memory_by_id(memid=memory_id)
    assert one["code"] == 0 and one["data"]["id"] == memory_id and "Rome" in one["data"]["memory_value"]

    updated = memos.update_memory(memory_id=memory_id, content="The user lives in Milan.")
    assert updated["code"] == 0 and updated["data"]["memory_value"] == "The user lives in Milan."
    new_id = updated["data"]["id"]
    assert new_id != memory_id and updated["data"]["supersedes"] == memory_id
    assert memos.get_memory_by_id(memid=memory_id)["data"]["status"] == "archived"
    current = memos.get_memory(user_id=user)["data"]["memory_detail_list"]
    assert [m["id"] for m in current] == [new_id]

    retitled = memos.update_memory(memory_id=new_id, title="residence")
    assert retitled["data"]["id"] == new_id and retitled["data"]["memory_key"] == "residence"
    archived = memos.update_memory(memory_id=new_id, status="archived")
    assert archived["data"]["status"] == "archived"
    assert memos.get_memory(user_id=user)["data"]["total"] == 0


def test_delete_memory_by_each_condition(memos: MemOS) -> None:
    def remember(user: str, text: str, conversation: str = "c") -> str:
        memos.add_message(user_id=user, conversation_id=conversation, async_mode=False,
                          messages=[{"role": "user", "content": text}])
        return memos.get_memory(user_id=user, filter={"memory_value": {"contains": text.split()[-1].rstrip(".")}}
                                )["data"]["memory_detail_list"][0]["id"]

    user = _user()
    first = remember(user, "I live in Paris.")
    keep = remember(user, "I own a bicycle.")
    assert memos.delete_memory(memory_ids=[first])["data"]["success"]
    assert [m["id"] for m in memos.get_memory(user_id=user)["data"]["memory_detail_list"]] == [keep]

    by_user = _user()
    remember(by_user, "I live in Vienna.")
    remember(by_user, "I have a cat.")
    assert memos.delete_memory(user_ids=[by_user])["data"]["success"]
    assert memos.get_memory(user_id=by_user)["data"]["total"] == 0
    assert memos.get_memory(user_id=user)["data"]["total"] == 1  # another user's are untouched

    by_filter = _user()
    remember(by_filter, "I live in Prague.", conversation="drop")
    remember(by_filter, "I speak Czech.", conversation="keep")
    memos.delete_memory(filter={"and": [{"user_id": by_filter}, {"conversation_id": "drop"}]})
    left = memos.get_memory(user_id=by_filter)["data"]["memory_detail_list"]
    assert len(left) == 1 and "Czech" in left[0]["memory_value"]


def test_a_project_never_touches_another_projects_memories(
    memos: MemOS, memos_process: MemosProcess, stack: Stack
) -> None:
    user = _user()
    memos.add_message(user_id=user, async_mode=False, messages=[{"role": "user", "content": "I live in Turin."}])
    [memory] = memos.get_memory(user_id=user)["data"]["memory_detail_list"]
    other = MemOS(memos_process, memos_base_url(stack), stack.create_project())

    assert other.delete_memory(memory_ids=[memory["id"]])["data"]["success"]
    other.delete_memory(user_ids=[user])
    other.delete_memory(filter={"user_id": user})
    with pytest.raises(MemosCallError) as unknown:
        other.update_memory(memory_id=memory["id"], content="The user lives in Naples.")
    assert unknown.value.status == 404 and unknown.value.code == 40400
    with pytest.raises(MemosCallError) as unseen:
        other.get_memory_by_id(memid=memory["id"])
    assert unseen.value.status == 404 and unseen.value.code == 40400
    assert memos.get_memory(user_id=user)["data"]["memory_detail_list"][0]["id"] == memory["id"]
    assert other.get_memory(user_id=user)["data"]["total"] == 0


def test_knowledgebase_files_json_and_form(memos: MemOS, tmp_path: Path) -> None:
    kb_id = memos.create_knowledgebase(knowledgebase_name="Finance", knowledgebase_description="policies")["data"]["id"]
    policy = [{"name": "policy.md", "content": POLICY}]
    [added] = memos.add_knowledgebase_file_json(knowledgebase_id=kb_id, file=policy)["data"]
    assert added["name"] == "policy.md" and added["status"] == "running"
    assert memos.wait(added["task_id"])["status"] == "completed"
    assert len(_kb_memories(memos, kb_id)) == 3

    upload = tmp_path / "holidays.txt"
    upload.write_text("The office is closed on national holidays.\n\nThe office opens at 9 am.", encoding="utf-8")
    [form_file] = memos.add_knowledgebase_file_form(knowledgebase_id=kb_id, files=[str(upload)])["data"]
    assert form_file["name"] == "holidays.txt"
    memos.wait(form_file["task_id"])

    listed = memos.get_knowledgebase_file(knowledgebase_id=kb_id)["data"]
    assert listed["total"] == 2 and [f["name"] for f in listed["file_detail_list"]] == ["policy.md", "holidays.txt"]
    assert all(f["status"] == "completed" for f in listed["file_detail_list"])
    by_id = memos.get_knowledgebase_file(file_ids=[form_file["id"]])["data"]["file_detail_list"]
    assert [f["id"] for f in by_id] == [form_file["id"]]

    assert memos.delete_knowledgebase_file(file_ids=[added["id"]])["data"]["success"]
    left = _kb_memories(memos, kb_id, "purchase limit travel meals office")
    assert left and all("office" in m["memory_value"] for m in left)  # the policy's memories are gone
    assert [f["id"] for f in memos.get_knowledgebase_file(knowledgebase_id=kb_id)["data"]["file_detail_list"]] == [
        form_file["id"]]
    assert memos.delete_knowledgebase(knowledgebase_id=kb_id)["data"]["success"]


def test_the_clients_retries_never_write_twice(memos: MemOS, memos_process: MemosProcess, stack: Stack) -> None:
    with DroppingProxy(stack.base_url) as proxy:
        through = MemOS(memos_process, memos_base_url(proxy.base_url), memos.api_key)
        kb_id = through.create_knowledgebase(knowledgebase_name="Retried")["data"]["id"]

        proxy.drop_answers("/add/knowledgebase-file", count=2)
        [file] = through.add_knowledgebase_file_json(
            knowledgebase_id=kb_id, file=[{"name": "policy.md", "content": POLICY}])["data"]
        assert proxy.forwarded["/api/openmem/v1/add/knowledgebase-file"] == 3  # the client tried three times
        memos.wait(file["task_id"])
        assert len(_kb_memories(memos, kb_id)) == 3  # one copy of the file's three paragraphs
        assert memos.get_knowledgebase_file(knowledgebase_id=kb_id)["data"]["total"] == 1

        user = _user()
        proxy.drop_answers("/add/message")
        task = through.add_message(user_id=user, messages=[{"role": "user", "content": "I live in Kyoto."}])
        memos.wait(task["data"]["task_id"])
        assert memos.get_memory(user_id=user)["data"]["total"] == 1

        proxy.drop_answers("/add/feedback")
        accepted = through.add_feedback(user_id=user, feedback_content="Actually I live in Osaka, not Kyoto.")
        done = memos.wait(accepted["data"]["task_id"])
        assert done["status"] == "completed"
        assert memos.get_memory(user_id=user)["data"]["total"] == 1  # one correction, not two

        proxy.drop_answers("/create/knowledgebase")
        again = through.create_knowledgebase(knowledgebase_name="Once")["data"]["id"]
        assert proxy.forwarded["/api/openmem/v1/create/knowledgebase"] == 3
        assert memos.get_knowledgebase_file(knowledgebase_id=again)["data"]["total"] == 0


def test_errors_carry_memfeeds_codes(memos: MemOS, memos_process: MemosProcess, stack: Stack) -> None:
    def failure(client: MemOS, method: str, **kwargs: object) -> MemosCallError:
        with pytest.raises(MemosCallError) as caught:
            getattr(client, method)(**kwargs)
        return caught.value

    bad_key = MemOS(memos_process, memos_base_url(stack), "not-a-key")
    error = failure(bad_key, "search_memory", query="tea", user_id="u1")
    assert error.status == 401 and error.code == 40100

    for method, kwargs in [
        ("chat", {"user_id": "u1", "conversation_id": "c1", "query": "hello"}),
        ("rerank", {"query": "tea", "documents": ["green tea", "coffee"]}),
        ("extract_memory", {"messages": [{"role": "user", "content": "I like tea."}]}),
        ("bind_profile_template", {"bind_list": [{"user_id": "u1", "profile_template_id": "t"}]}),
        ("edit_profile", {"profile_template_id": "t", "user_id": "u1", "metadata": {"a": 1}}),
        ("delete_profile", {"profile_template_id": "t", "user_id": "u1"}),
    ]:
        error = failure(memos, method, **kwargs)
        assert error.status == 404 and error.code == 40400, (method, error.body)
        assert "not supported by memfeed" in error.body["message"] and error.body["data"] is None

    error = failure(memos, "get_memory_by_id", memid=str(uuid.uuid4()))
    assert error.status == 404 and error.code == 40400
    error = failure(memos, "delete_memory", filter={"colour": "red"})
    assert error.status == 400 and error.code == 40000 and "colour" in error.body["message"]
    error = failure(memos, "get_knowledgebase_file", knowledgebase_id="not-this-projects")
    assert error.status == 403 and error.code == 50123
    error = failure(memos, "add_message", user_id=_user(), messages=[{"role": "user", "content": ""}])
    assert error.status == 400 and error.code == 40002
    error = failure(memos, "add_feedback", user_id="u1", feedback_content="x", conversation_id="c" * 101)
    assert error.status == 400 and error.code == 40011
    # The client checks for a user or an agent itself; a raw request with neither gets memfeed's code.
    response = httpx.post(memos_base_url(stack) + "/search/memory", json={"query": "tea"},
                          headers={"Authorization": f"Token {memos.api_key}"})
    assert response.status_code == 400 and response.json()["code"] == 40002
    assert "user_id or agent_id" in response.json()["message"]
