"""Bulk backfill against the real stack: add/feedback/batch, get/batch, the feeder, the CLI."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import pytest
import redis

from api.client import MemfeedAPIError, MemfeedClient
from core.control.batches import BatchItem, BatchStore
from core.control.jobs import JobOutcome, JobRecords
from core.control.projects import ProjectRegistry

from .conftest import Stack

CORRECTION = "Actually I don't like swimming."
SMALL_TALK = "thanks!"


def _correction(user: str, n: int = 0) -> dict:
    return {"user_id": user, "feedback_content": f"Actually I don't like swimming number {n}."}


def test_a_batch_runs_every_item_and_reports_invalid_ones_per_index(client: MemfeedClient, stack: Stack) -> None:
    own_kb = client.create_knowledgebase("Policies")
    with MemfeedClient(stack.base_url, stack.create_project()) as other:
        foreign_kb = other.create_knowledgebase("Theirs")
    user = f"u-{uuid.uuid4().hex[:8]}"
    items = [
        {"user_id": user, "feedback_content": CORRECTION},
        {"user_id": user, "feedback_content": SMALL_TALK},
        {"feedback_content": CORRECTION},  # no user_id
        "not an object",
        {"user_id": user, "feedback_content": CORRECTION, "allow_knowledgebase_ids": [foreign_kb]},
        {"user_id": user, "feedback_content": CORRECTION, "conversation_id": "c" * 101},
        {"user_id": user, "feedback_content": 5},
        {"user_id": f"{user}-2", "feedback_content": CORRECTION, "allow_knowledgebase_ids": [own_kb],
         "conversation_id": None, "allow_public": None},
    ]
    submitted = client.add_feedback_batch(items)
    assert (submitted["total"], submitted["accepted"], submitted["invalid"], submitted["skipped"]) == (8, 3, 5, 0)
    results = submitted["items"]
    assert [r["index"] for r in results] == list(range(8))
    assert [r["status"] for r in results] == ["queued", "queued", *["invalid"] * 5, "queued"]
    assert [r.get("code") for r in results[2:7]] == [40002, 40000, 50123, 40011, 40000]
    assert "user_id" in results[2]["message"] and foreign_kb in results[4]["message"]

    status = client.wait_batch(submitted["batch_id"], timeout=120)
    assert status["done"]
    assert (status["queued"], status["running"], status["completed"], status["ignored"], status["failed"]) == (
        0, 0, 2, 1, 0
    )
    assert [i["index"] for i in status["invalid_items"]] == [2, 3, 4, 5, 6]
    assert status["failed_items"] == []
    # Every item's task_id is an ordinary task.
    outcomes = [client.get_status(results[i]["task_id"]) for i in (0, 1, 7)]
    assert [o["status"] for o in outcomes] == ["completed"] * 3
    assert [o["outcome"] for o in outcomes] == ["applied", "ignored", "applied"]
    assert len(outcomes[0]["stages"]) == 4


@pytest.mark.parametrize(
    ("body", "code", "fragment"),
    [
        ([{"user_id": "u", "feedback_content": "x"}] * 1001, 40000, "at most 1000"),
        ({"user_id": "u", "feedback_content": "x"}, 40000, "JSON list"),
        ([], 40002, "empty"),
    ],
)
def test_a_malformed_batch_is_refused_as_a_whole(client: MemfeedClient, body: object, code: int, fragment: str) -> None:
    with pytest.raises(MemfeedAPIError) as refused:
        client.post("add/feedback/batch", body)  # type: ignore[arg-type]
    assert refused.value.code == code and fragment in refused.value.message
    assert refused.value.http_status == 400


def test_a_body_that_is_not_json_is_refused(stack: Stack, api_key: str) -> None:
    import httpx

    response = httpx.post(
        f"{stack.base_url}/api/openmem/v1/add/feedback/batch",
        content=b"[{not json",
        headers={"Authorization": f"Token {api_key}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400 and response.json()["code"] == 40000


def test_an_item_whose_key_was_accepted_is_skipped(client: MemfeedClient, user_id: str) -> None:
    key = uuid.uuid4().hex
    # A user each: no item's outcome depends on whether another one's memory was written first.
    items = [{**_correction(f"{user_id}-1", 1), "idempotency_key": f"{key}-1"},
             {**_correction(f"{user_id}-2", 2), "idempotency_key": f"{key}-2"}]
    first = client.add_feedback_batch(items)
    again = client.add_feedback_batch([*items, {**_correction(f"{user_id}-3", 3), "idempotency_key": f"{key}-3"}])
    assert [r["status"] for r in again["items"]] == ["skipped", "skipped", "queued"]
    assert [r["task_id"] for r in again["items"][:2]] == [r["task_id"] for r in first["items"]]
    assert again["skipped"] == 2 and again["accepted"] == 1
    status = client.wait_batch(again["batch_id"], timeout=120)
    assert (status["completed"], status["skipped"]) == (1, 2), json.dumps(status)
    assert [s["task_id"] for s in status["skipped_items"]] == [r["task_id"] for r in first["items"]]


def test_another_project_cannot_read_a_batch(client: MemfeedClient, stack: Stack, user_id: str) -> None:
    batch_id = client.add_feedback_batch([_correction(user_id)])["batch_id"]
    with MemfeedClient(stack.base_url, stack.create_project()) as other:
        with pytest.raises(MemfeedAPIError) as unknown:
            other.get_batch(batch_id)
        assert unknown.value.code == 40400 and unknown.value.http_status == 404
        with pytest.raises(MemfeedAPIError) as missing:
            other.get_batch("no-such-batch")
        assert missing.value.code == 40400
    assert client.get_batch(batch_id)["total"] == 1


def test_failed_items_are_listed_with_their_error(
    stack: Stack, redis_client: redis.Redis, redis_prefix: str
) -> None:
    """A job that failed in a stage is counted as failed and listed with its MemOS code."""
    api_key = stack.create_project()
    project = ProjectRegistry(redis_client, redis_prefix).authenticate(api_key)
    assert project is not None
    jobs = JobRecords(redis_client, redis_prefix)
    batches = BatchStore(redis_client, redis_prefix)
    items = [BatchItem(index=i, job_id=uuid.uuid4().hex, tokens=5) for i in range(2)]
    for item in items:
        jobs.create(item.job_id, project.id, "feedback", {"user_id": "u", "feedback_content": "x"})
    batch_id = uuid.uuid4().hex
    batches.create(batch_id, project.id, total=2, items=items, invalid_items=[], skipped_items=[])
    for item in items:
        batches.mark_released(batch_id, item)
    jobs.finish(items[0].job_id, JobOutcome.APPLIED)
    jobs.fail(items[1].job_id, 50145, "stage write failed: StoreError: disk full")

    with MemfeedClient(stack.base_url, api_key) as client:
        status = client.get_batch(batch_id)
        # Counted once, however often it is read.
        assert client.get_batch(batch_id)["failed"] == 1
    assert (status["completed"], status["failed"], status["running"], status["done"]) == (1, 1, 0, True)
    assert status["failed_items"] == [
        {"index": 1, "task_id": items[1].job_id, "code": 50145, "message": "stage write failed: StoreError: disk full"}
    ]


def test_the_feeder_paces_a_batch_to_the_token_window_and_leaves_room_for_interactive_feedback(
    stack: Stack,
) -> None:
    name = f"paced-{uuid.uuid4().hex[:8]}"
    created = stack.cli("project", "create", name, "--window-tokens", "100", "--window-seconds", "2")
    assert created.returncode == 0, created.stderr
    with MemfeedClient(stack.base_url, created.stdout.strip().splitlines()[-1]) as client:
        # About 13 tokens each: the backfill's 80 % of the window releases 6 items per 2 s.
        items = [_correction(f"p-{i}", i) for i in range(18)]
        started = time.monotonic()
        batch_id = client.add_feedback_batch(items)["batch_id"]
        time.sleep(0.5)
        assert client.get_batch(batch_id)["queued"] > 0, "the window holds the rest back"
        interactive = client.add_feedback("p-interactive", CORRECTION)  # the window's remaining 20 %
        status = client.wait_batch(batch_id, timeout=120)
        elapsed = time.monotonic() - started
        assert status["completed"] == 18 and status["failed"] == 0
        assert elapsed >= 3.5, f"18 items should need three windows, took {elapsed:.1f} s"
        assert client.wait(interactive)["outcome"] == "applied"


def test_interactive_feedback_overtakes_a_backlog(
    client: MemfeedClient, redis_client: redis.Redis, redis_prefix: str
) -> None:
    batch_id = client.add_feedback_batch([_correction(f"b-{i}", i) for i in range(120)])["batch_id"]
    backfill_queue = f"{redis_prefix}:celery:backfill"
    deadline = time.monotonic() + 30
    # The feeder paces the batch: wait until part of it is running and part waits on its queue.
    # One reading of the queue decides, not a second one a moment later (the worker drains it meanwhile).
    waiting = 0
    while time.monotonic() < deadline:
        waiting = redis_client.llen(backfill_queue)
        if waiting and client.get_batch(batch_id)["running"]:
            break
        time.sleep(0.05)
    # The backlog sits on the backfill queue, not the interactive one.
    assert waiting > 0
    started = time.monotonic()
    outcome = client.wait(client.add_feedback(f"i-{uuid.uuid4().hex[:6]}", CORRECTION), timeout=60)
    took = time.monotonic() - started
    backlog = client.get_batch(batch_id)
    assert outcome["outcome"] == "applied"
    assert not backlog["done"], f"the interactive job waited for the whole backlog ({took:.1f} s)"
    client.wait_batch(batch_id, timeout=300)


def _write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_cli_backfill_waits_reports_bad_lines_and_resumes(stack: Stack, api_key: str, tmp_path: Path) -> None:
    user = f"cli-{uuid.uuid4().hex[:8]}"
    lines = [
        json.dumps({"user_id": user, "feedback_content": CORRECTION}),
        json.dumps({"user_id": user, "feedback_content": SMALL_TALK}),
        "{not json",
        json.dumps(["an", "array"]),
        "",
        json.dumps({"user_id": user}),
        json.dumps({"user_id": f"{user}-b", "feedback_content": "我不喜欢游泳"}),
        json.dumps({"user_id": f"{user}-c", "feedback_content": "Actually I don't like tennis."}),
    ]
    path = _write_lines(tmp_path / "feedback.jsonl", lines)
    args = ("backfill", str(path), "--url", stack.base_url, "--api-key", api_key, "--wait", "--batch-size", "2")

    first = stack.cli(*args)
    output = first.stdout.strip().splitlines()
    assert output[-1] == "backfill: total=7 completed=3 ignored=1 failed=3 skipped=0", first.stdout + first.stderr
    assert any(line.startswith("line 3: 40000") for line in output)
    assert any(line.startswith("line 4: 40000") for line in output)
    assert any(line.startswith("line 6: 40002") and "feedback_content" in line for line in output)
    assert first.returncode == 1  # some lines failed

    rerun = stack.cli(*args)
    assert rerun.stdout.strip().splitlines()[-1] == "backfill: total=7 completed=0 ignored=0 failed=3 skipped=4"


def test_cli_backfill_without_wait_and_a_bad_key(stack: Stack, api_key: str, tmp_path: Path) -> None:
    user = f"cli-{uuid.uuid4().hex[:8]}"
    path = _write_lines(tmp_path / "ok.jsonl", [json.dumps(_correction(user, i)) for i in range(3)])
    sent = stack.cli("backfill", str(path), "--url", stack.base_url, "--api-key", api_key)
    assert sent.returncode == 0, sent.stderr
    assert sent.stdout.strip().splitlines()[-1] == "backfill: total=3 queued=3 failed=0 skipped=0"
    refused = stack.cli("backfill", str(path), "--url", stack.base_url, "--api-key", "mf_wrong")
    assert refused.returncode == 2 and "40100" in refused.stderr
