"""Nothing applied twice, nothing lost between concurrent corrections, full history, revert."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from api.client import MemfeedAPIError, MemfeedClient

from .conftest import Stack

PREFIX = "/api/openmem/v1"


def _post(stack: Stack, key: str, route: str, body: dict, **headers: str) -> httpx.Response:
    return httpx.post(f"{stack.base_url}{PREFIX}/{route}", json=body, timeout=30,
                      headers={"Authorization": f"Token {key}", **headers})


def _active(client: MemfeedClient, user_id: str) -> list[str]:
    return sorted(m["memory_value"] for m in client.get_memory(user_id, size=200)["memory_detail_list"])


def test_idempotency_key_accepts_a_request_once(stack: Stack, api_key: str, client: MemfeedClient, user_id: str) -> None:
    body = {"user_id": user_id, "feedback_content": "Please remember that I'm allergic to shellfish."}
    key = f"retry-{uuid.uuid4().hex}"

    first = _post(stack, api_key, "add/feedback", body, **{"Idempotency-Key": key}).json()["data"]
    client.wait(first["task_id"])
    again = _post(stack, api_key, "add/feedback", body, **{"Idempotency-Key": key}).json()["data"]

    assert again["task_id"] == first["task_id"] and again["status"] == "completed"
    assert [v for v in _active(client, user_id) if "shellfish" in v] == ["The user is allergic to shellfish."]
    other_body = _post(stack, api_key, "add/feedback", {**body, "feedback_content": "I like tea."},
                       **{"Idempotency-Key": key})
    assert other_body.status_code == 400 and other_body.json()["code"] == 40000
    assert "different request" in other_body.json()["message"]


def test_concurrent_corrections_of_one_memory_are_serialised(client: MemfeedClient, user_id: str) -> None:
    kb_id = client.create_knowledgebase("Roadmap")
    client.wait(client.add_knowledgebase_file(kb_id, [{"name": "plan.md",
                                                         "content": "Project Falcon ships in March and is led by Ann."}]))
    feedbacks = ["Replace 'Falcon' with 'Osprey' everywhere.", "Replace 'March' with 'April' everywhere.",
                 "Rename Ann to Anna everywhere."]

    with ThreadPoolExecutor(len(feedbacks)) as pool:
        task_ids = list(pool.map(
            lambda text: client.add_feedback(user_id, text, allow_knowledgebase_ids=[kb_id]), feedbacks))
    statuses = [client.wait(t) for t in task_ids]

    assert all(s["outcome"] == "applied" and len(s["changes"]) == 1 for s in statuses)
    # Every correction applied, one after the other, to the version before it: one head, no fork.
    current = client.search("Project ships", user_id, knowledgebase_ids=[kb_id])
    assert [m["memory_value"] for m in current] == ["Project Osprey ships in April and is led by Anna."]
    versions = client.post("get/memory/history", {"memory_id": current[0]["id"]})["versions"]
    assert len(versions) == 4
    assert [v["status"] for v in versions] == ["archived", "archived", "archived", "activated"]
    for older, newer in zip(versions, versions[1:]):
        assert older["superseded_by"] == newer["id"] and newer["supersedes"] == older["id"]


def test_history_names_the_job_of_every_version(client: MemfeedClient, user_id: str) -> None:
    stored = client.add_message(user_id, "c", [{"role": "user", "content": "I live in Berlin."}], async_mode=False)
    original = stored["memories"][0]["id"]
    first = client.wait(client.add_feedback(user_id, "I don't live in Berlin anymore, I moved to Munich."))
    second = client.wait(client.add_feedback(user_id, "Actually I live in Hamburg now, not Munich."))

    history = client.post("get/memory/history", {"memory_id": original})

    values = [v["memory_value"] for v in history["versions"]]
    assert values[0] == "The user lives in Berlin." and "Hamburg" in values[-1]
    assert [v["task_id"] for v in history["versions"][1:]] == [first["task_id"], second["task_id"]]
    assert history["versions"][0]["invalid_at"] is not None
    with pytest.raises(MemfeedAPIError) as unknown:
        client.post("get/memory/history", {"memory_id": str(uuid.uuid4())})
    assert unknown.value.code == 40400


def test_revert_restores_what_a_job_archived(stack: Stack, client: MemfeedClient, user_id: str) -> None:
    client.add_message(user_id, "c", [{"role": "user", "content": "I like swimming."}], async_mode=False)
    applied = client.wait(client.add_feedback(user_id, "Actually I don't like swimming."))
    assert _active(client, user_id) == ["The user does not like swimming."]

    revert = client.post("revert/feedback", {"task_id": applied["task_id"]})
    done = client.wait(revert["task_id"])

    assert done["status"] == "completed" and done["kind"] == "revert"
    [change] = done["changes"]
    assert change["before"] == "The user does not like swimming." and change["after"] == "The user likes swimming."
    assert _active(client, user_id) == ["The user likes swimming."]
    assert client.get_status(applied["task_id"])["reverted_by"] == revert["task_id"]
    again = client.post("revert/feedback", {"task_id": applied["task_id"]})
    assert again["task_id"] == revert["task_id"] and again["status"] == "completed"
    assert _active(client, user_id) == ["The user likes swimming."]

    ignored = client.wait(client.add_feedback(user_id, "thanks!"))
    with pytest.raises(MemfeedAPIError) as not_applied:
        client.post("revert/feedback", {"task_id": ignored["task_id"]})
    assert not_applied.value.code == 40000 and "ignored" in not_applied.value.message


def test_oversized_bodies_are_refused(stack: Stack, api_key: str) -> None:
    huge = {"user_id": "u1", "feedback_content": "x" * (11 * 1024 * 1024)}
    response = _post(stack, api_key, "add/feedback", huge)
    assert response.status_code == 413 and response.json()["code"] == 40000


def test_no_api_key_reaches_the_logs(stack: Stack, api_key: str, client: MemfeedClient, user_id: str) -> None:
    client.wait(client.add_feedback(user_id, "I moved to Oslo."))
    _post(stack, "mf_wrong-key-for-the-logs", "add/feedback", {"user_id": "u", "feedback_content": "x"})
    for log in ("api", "worker", "analysis-worker"):
        text = stack.logs(log)
        assert api_key not in text and "mf_wrong-key-for-the-logs" not in text
