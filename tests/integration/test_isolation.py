"""One project can neither read nor change another's memories or knowledge bases; one user's
feedback changes only that user's memories and what it explicitly allows."""

from __future__ import annotations

import uuid

import pytest

from api.client import MemfeedAPIError, MemfeedClient

from .conftest import Stack


@pytest.fixture
def two_projects(stack: Stack) -> tuple[MemfeedClient, MemfeedClient]:
    first = MemfeedClient(stack.base_url, stack.create_project())
    second = MemfeedClient(stack.base_url, stack.create_project())
    yield first, second
    first.close()
    second.close()


def _values(client: MemfeedClient, user_id: str) -> list[str]:
    return sorted(m["memory_value"] for m in client.get_memory(user_id, size=200)["memory_detail_list"])


def test_projects_do_not_see_or_change_each_other(two_projects: tuple[MemfeedClient, MemfeedClient]) -> None:
    first, second = two_projects
    shared_user = f"same-user-{uuid.uuid4().hex[:6]}"
    first.add_message(shared_user, "c", [{"role": "user", "content": "I like swimming."}], async_mode=False)
    second.add_message(shared_user, "c", [{"role": "user", "content": "I live in Oslo."}], async_mode=False)

    assert _values(first, shared_user) == ["The user likes swimming."]
    assert _values(second, shared_user) == ["The user lives in Oslo."]
    assert all("swimming" not in r["memory_value"] for r in second.search("swimming", shared_user))

    status = second.wait(second.add_feedback(shared_user, "Actually I don't like swimming."))
    assert status["outcome"] == "applied"
    assert all(c["action"] == "add" for c in status["changes"]), "nothing of the other project was superseded"
    assert _values(first, shared_user) == ["The user likes swimming."]

    second.wait(second.add_feedback(shared_user, "Replace 'swimming' with 'diving' everywhere."))
    assert _values(first, shared_user) == ["The user likes swimming."]


def test_tasks_and_knowledgebases_are_private(two_projects: tuple[MemfeedClient, MemfeedClient]) -> None:
    first, second = two_projects
    kb_id = first.create_knowledgebase("Secret handbook")
    first.wait(first.add_knowledgebase_file(kb_id, [{"name": "h.md", "content": "Project Falcon has a budget of 2 million."}]))
    task_id = first.add_feedback("u1", "thanks")

    with pytest.raises(MemfeedAPIError) as unknown_task:
        second.get_status(task_id)
    assert unknown_task.value.code == 40400
    with pytest.raises(MemfeedAPIError) as foreign_kb:
        second.search("Falcon budget", "u1", knowledgebase_ids=[kb_id])
    assert foreign_kb.value.code == 50123
    with pytest.raises(MemfeedAPIError):
        second.add_feedback("u1", "Replace 'Project Falcon' with 'Project Osprey'.", allow_knowledgebase_ids=[kb_id])
    with pytest.raises(MemfeedAPIError):
        second.delete_knowledgebase(kb_id)

    results = first.search("Falcon budget", "anyone", knowledgebase_ids=[kb_id])
    assert results and "Project Falcon" in results[0]["memory_value"]


def test_feedback_changes_only_its_users_memories_and_allowed_knowledgebases(
    client: MemfeedClient, user_id: str
) -> None:
    other_user = f"{user_id}-other"
    kb_id = client.create_knowledgebase("Engineering")
    client.wait(client.add_knowledgebase_file(kb_id, [{"name": "eng.md", "content": "Project Falcon ships in March."}]))
    client.add_message(user_id, "c", [{"role": "user", "content": "I lead Project Falcon."}], async_mode=False)
    client.add_message(other_user, "c", [{"role": "user", "content": "I review Project Falcon."}], async_mode=False)

    status = client.wait(client.add_feedback(user_id, "Replace 'Project Falcon' with 'Project Osprey' everywhere."))

    assert [c["after"] for c in status["changes"]] == ["The user leads Project Osprey."]
    assert _values(client, other_user) == ["The user reviews Project Falcon."]
    kb_now = client.search("When does the project ship?", user_id, knowledgebase_ids=[kb_id])
    assert "Project Falcon ships in March." in [r["memory_value"] for r in kb_now]

    status = client.wait(client.add_feedback(user_id, "Replace 'Project Falcon' with 'Project Osprey' everywhere.",
                                             allow_knowledgebase_ids=[kb_id]))
    assert [c["after"] for c in status["changes"]] == ["Project Osprey ships in March."]
    assert _values(client, other_user) == ["The user reviews Project Falcon."]
