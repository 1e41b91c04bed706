"""The review queue on the real stack: a held correction changes nothing until approved, then is
written exactly once however often and concurrently it is approved; a rejected one changes nothing."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from api.client import MemfeedAPIError as MemfeedError, MemfeedClient

from .conftest import Stack


@pytest.fixture(scope="module")
def reviewed(stack: Stack) -> Iterator[tuple[MemfeedClient, str]]:
    """A project of its own whose policy holds every correction for review."""
    name = f"review-{uuid.uuid4().hex[:8]}"
    api_key = stack.create_project(name)
    result = stack.cli("project", "review", name, "--policy", "review_all")
    assert result.returncode == 0 and "review_all" in result.stdout, result.stderr
    with MemfeedClient(stack.base_url, api_key) as client:
        yield client, name


def _memories(client: MemfeedClient, user: str) -> list[str]:
    return sorted(m["memory_value"] for m in client.get_memory(user)["memory_detail_list"])


def _held(client: MemfeedClient, user: str, redis_client=None, prefix: str = "") -> dict[str, Any]:  # noqa: ANN001
    client.add_message(user, "c1", [{"role": "user", "content": "I like swimming."}], async_mode=False)
    task_id = client.add_feedback(user, "Replace 'swimming' with 'cycling' in my memories.")
    status = client.wait(task_id)
    assert status["status"] == "completed" and status["outcome"] == "held", status
    assert status["review"]["state"] == "pending" and status["changes"] == []
    if redis_client is not None:
        # Ended: no sweeper resumes it, and its record expires with the retention like any finished job.
        assert redis_client.zscore(f"{prefix}:jobs:unfinished", status["task_id"]) is None
        assert 0 < redis_client.ttl(f"{prefix}:job:{status['task_id']}") <= 30 * 86400
    return status


def _until_outcome(client: MemfeedClient, task_id: str, outcome: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get_status(task_id)
        if status["outcome"] == outcome:
            return status
        time.sleep(0.1)
    raise AssertionError(f"{task_id} never reached {outcome}: {status}")


def test_a_held_correction_changes_nothing_until_approved_then_applies_once(reviewed, redis_client,
                                                                          redis_prefix) -> None:  # noqa: ANN001
    client, _ = reviewed
    user = f"u-{uuid.uuid4().hex[:8]}"
    status = _held(client, user, redis_client, redis_prefix)
    task_id = status["task_id"]
    assert _memories(client, user) == ["The user likes swimming."]
    listed = client.post("review/list", {})
    assert listed["policy"] == "review_all"
    [item] = [i for i in listed["items"] if i["task_id"] == task_id]
    assert item["proposed_changes"][0]["after"] == "The user likes cycling."

    # Approved twice at once and once more afterwards: one decision, one write.
    answers: list[dict[str, Any]] = []
    threads = [threading.Thread(target=lambda: answers.append(client.post("review/approve", {"task_id": task_id})))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a["changed"] for a in answers) == [False, False, False, True]
    assert {a["state"] for a in answers} == {"approved"}
    applied = _until_outcome(client, task_id, "applied")
    assert client.post("review/approve", {"task_id": task_id})["changed"] is False
    assert applied["status"] == "completed" and len(applied["changes"]) == 1
    assert applied["review"]["state"] == "approved" and applied["review"]["decided_by"].startswith("key:")
    assert applied["review"]["applied_at"] >= applied["review"]["decided_at"]
    assert _memories(client, user) == ["The user likes cycling."]
    history = client.post("get/memory/history", {"memory_id": applied["changes"][0]["new_memory_id"]})
    assert [v["memory_value"] for v in history["versions"]] == ["The user likes swimming.", "The user likes cycling."]
    assert task_id not in {i["task_id"] for i in client.post("review/list", {})["items"]}
    with pytest.raises(MemfeedError) as refused:
        client.post("review/reject", {"task_id": task_id})
    assert refused.value.code == 40000 and "already approved" in refused.value.message


def test_a_rejected_correction_leaves_every_memory_as_it_was(reviewed) -> None:
    client, _ = reviewed
    user = f"u-{uuid.uuid4().hex[:8]}"
    task_id = _held(client, user)["task_id"]
    first = client.post("review/reject", {"task_id": task_id})
    again = client.post("review/reject", {"task_id": task_id})
    assert (first["changed"], again["changed"]) == (True, False) and first["state"] == "rejected"
    status = client.get_status(task_id)
    assert status["outcome"] == "rejected" and status["review"]["state"] == "rejected"
    assert _memories(client, user) == ["The user likes swimming."]
    with pytest.raises(MemfeedError) as refused:
        client.post("review/approve", {"task_id": task_id})
    assert refused.value.code == 40000


def test_review_uncertain_applies_a_confident_correction_and_errors_are_memos_codes(stack: Stack) -> None:
    name = f"review-u-{uuid.uuid4().hex[:8]}"
    api_key = stack.create_project(name)
    with MemfeedClient(stack.base_url, api_key) as client:
        assert client.post("review/policy", {"policy": "review_uncertain"})["policy"] == "review_uncertain"
        user = f"u-{uuid.uuid4().hex[:8]}"
        client.add_message(user, "c1", [{"role": "user", "content": "I like swimming."}], async_mode=False)
        status = client.wait(client.add_feedback(user, "Replace 'swimming' with 'cycling' in my memories."))
        assert status["outcome"] == "applied" and status["confidence"] >= 0.7 and status["review"] is None
        for route, body, code in (("review/approve", {"task_id": "nope"}, 40400),
                                  ("review/approve", {"task_id": status["task_id"]}, 40000),
                                  ("review/reject", {}, 40002),
                                  ("review/policy", {"policy": "sometimes"}, 40000)):
            with pytest.raises(MemfeedError) as refused:
                client.post(route, body)
            assert refused.value.code == code, (route, body, refused.value.message)


def test_an_approval_replans_a_plan_another_correction_made_stale(reviewed) -> None:
    client, _ = reviewed
    user = f"u-{uuid.uuid4().hex[:8]}"
    client.add_message(user, "c1", [{"role": "user", "content": "I like swimming."}], async_mode=False)
    first, second = (client.wait(client.add_feedback(user, f"Replace 'swimming' with '{sport}' in my memories."))
                     for sport in ("cycling", "rowing"))
    assert first["outcome"] == second["outcome"] == "held"
    client.post("review/approve", {"task_id": first["task_id"]})
    _until_outcome(client, first["task_id"], "applied")
    # The second plan would supersede the version the first one archived: under the lock it is
    # planned again, finds no 'swimming' left, and writes nothing (never two competing versions).
    client.post("review/approve", {"task_id": second["task_id"]})
    replanned = _until_outcome(client, second["task_id"], "ignored")
    assert replanned["stages"]["write"]["detail"]["replanned"]
    assert replanned["changes"] == [] and _memories(client, user) == ["The user likes cycling."]
