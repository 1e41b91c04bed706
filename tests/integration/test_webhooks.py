"""Webhooks on the real stack: one signed delivery per finished job, to a real HTTP receiver, also
when the worker is killed in the middle of a delivery; and the sweeper's other follow-up, an
approval whose task was lost."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
import redis

from api.client import MemfeedAPIError, MemfeedClient
from core.control import ControlPlane
from core.control.review import ReviewState
from core.settings import Settings
from tests.support.webhook_receiver import Delivery, WebhookReceiver

from .conftest import Stack, launch_stack, stack_environment, stop_stack


def _verified(delivery: Delivery, secret: str) -> dict:
    """The Standard Webhooks check, written out: HMAC-SHA256 over "id.timestamp.body"."""
    headers = delivery.headers
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + delivery.body
    key = base64.b64decode(secret.removeprefix("whsec_"))
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert any(hmac.compare_digest(expected, sig) for sig in headers["webhook-signature"].split()), headers
    assert abs(time.time() - int(headers["webhook-timestamp"])) < 300
    return json.loads(delivery.body)


def test_each_finished_job_is_delivered_once_signed(stack: Stack) -> None:
    with WebhookReceiver() as receiver, MemfeedClient(stack.base_url, stack.create_project()) as client:
        with pytest.raises(MemfeedAPIError) as refused:
            client.post("webhook/set", {"url": "http://example.com/hook"})
        assert refused.value.code == 40000 and "https" in refused.value.message
        configured = client.post("webhook/set", {"url": receiver.url})
        secret = configured["secret"]
        assert secret.startswith("whsec_") and configured["url"] == receiver.url
        assert client.post("webhook/get", {})["secret"] is None  # shown once

        user = f"u-{uuid.uuid4().hex[:8]}"
        tasks = {
            client.add_feedback(user, "Please remember that my locker number is 41."): "applied",
            client.add_feedback(user, "thanks!"): "ignored",
        }
        for task_id in tasks:
            client.wait(task_id)
        deliveries = receiver.wait_for(len(tasks))
        events = {}
        for delivery in deliveries:
            event = _verified(delivery, secret)
            events[event["data"]["task_id"]] = (event["type"], event["data"]["outcome"], delivery.headers["webhook-id"])
        assert {task: outcome for task, (_, outcome, _) in events.items()} == tasks
        for task_id, (kind, outcome, webhook_id) in events.items():
            assert kind == f"feedback.{outcome}" and webhook_id == f"msg_{task_id}_{outcome}"
        # A revert is reported too, as the feedback it undid.
        applied = next(task for task, outcome in tasks.items() if outcome == "applied")
        revert = client.post("revert/feedback", {"task_id": applied})["task_id"]
        client.wait(revert)
        reverted = _verified(receiver.wait_for(3)[-1], secret)
        assert reverted["type"] == "feedback.reverted" and reverted["data"]["reverted_task_id"] == applied
        assert len(receiver.deliveries) == 3
        # The worker records a delivery once the receiver has answered: the count may trail it.
        deadline = time.monotonic() + 30
        while (status := client.post("webhook/get", {}))["delivered"] < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert status["last_status"] == "delivered" and status["last_http_status"] == 204
        assert status["delivered"] == 3 and status["failed"] == 0
        assert 'memfeed_webhook_attempts_total{result="delivered"}' in httpx.get(f"{stack.base_url}/metrics").text


def _worker_pids(stack: Stack) -> list[int]:
    port = stack.base_url.rsplit(":", 1)[1]
    found = subprocess.run(["pgrep", "-f", f"hostname memfeed-{port}@"], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


@pytest.fixture(scope="module")
def short_lease_stack(redis_prefix: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A stack that sends a delivery again 5 s after a dead worker took it (default: 70 s), and
    sweeps every second."""
    tmp_path = tmp_path_factory.mktemp("hooks")
    env = stack_environment(tmp_path, prefix=f"{redis_prefix}:hooks{uuid.uuid4().hex[:4]}")
    env.update({"MEMFEED_WEBHOOK_LEASE_SECONDS": "2", "MEMFEED_WEBHOOK_TIMEOUT_SECONDS": "3",
                "MEMFEED_SWEEP_INTERVAL_SECONDS": "1", "MEMFEED_WEBHOOK_BACKOFF_SECONDS": "0.5"})
    running = launch_stack(tmp_path, env)
    yield running
    stop_stack(running)


def test_a_worker_killed_mid_delivery_loses_no_delivery(short_lease_stack: Stack) -> None:
    stack = short_lease_stack
    with WebhookReceiver(hold_first=True) as receiver, MemfeedClient(stack.base_url, stack.create_project()) as client:
        secret = client.post("webhook/set", {"url": receiver.url})["secret"]
        task_id = client.add_feedback(f"u-{uuid.uuid4().hex[:8]}", "Please remember that my locker number is 7.")
        client.wait(task_id)
        receiver.wait_for(1)  # the worker is now inside the POST, which the receiver holds
        pids = _worker_pids(stack)
        assert pids
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        receiver.release.set()
        deliveries = receiver.wait_for(2, timeout=60)
        assert {d.headers["webhook-id"] for d in deliveries} == {f"msg_{task_id}_applied"}
        assert all(_verified(d, secret)["data"]["task_id"] == task_id for d in deliveries)
        _last_status(client, "delivered")


def _last_status(client: MemfeedClient, wanted: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while (status := client.post("webhook/get", {}))["last_status"] != wanted and time.monotonic() < deadline:
        time.sleep(0.1)
    assert status["last_status"] == wanted, status
    return status


def test_a_refused_delivery_is_retried_with_the_same_id(short_lease_stack: Stack) -> None:
    stack = short_lease_stack
    with WebhookReceiver(refuse_first=True) as receiver, MemfeedClient(stack.base_url, stack.create_project()) as client:
        secret = client.post("webhook/set", {"url": receiver.url})["secret"]
        task_id = client.add_feedback(f"u-{uuid.uuid4().hex[:8]}", "thanks!")
        client.wait(task_id)
        first, second = receiver.wait_for(2)
        assert first.headers["webhook-id"] == second.headers["webhook-id"] == f"msg_{task_id}_ignored"
        assert _verified(second, secret)["data"]["outcome"] == "ignored"
        status = _last_status(client, "delivered")
        assert status["delivered"] == 1 and status["failed"] == 0


def test_held_approved_and_rejected_corrections_are_each_reported(stack: Stack) -> None:
    with WebhookReceiver() as receiver, MemfeedClient(stack.base_url, stack.create_project()) as client:
        secret = client.post("webhook/set", {"url": receiver.url})["secret"]
        client.post("review/policy", {"policy": "review_all"})
        user = f"u-{uuid.uuid4().hex[:8]}"
        client.add_message(user, "c1", [{"role": "user", "content": "I like swimming."}], async_mode=False)
        approved, rejected = (client.wait(client.add_feedback(user, f"Replace 'swimming' with '{sport}' in my memories."))
                              ["task_id"] for sport in ("cycling", "rowing"))
        client.post("review/approve", {"task_id": approved})
        client.post("review/reject", {"task_id": rejected})
        deliveries = receiver.wait_for(4)
        events = sorted((_verified(d, secret)["data"]["task_id"], d.headers["webhook-id"]) for d in deliveries)
        assert events == sorted([(approved, f"msg_{approved}_held"), (approved, f"msg_{approved}_applied"),
                                 (rejected, f"msg_{rejected}_held"), (rejected, f"msg_{rejected}_rejected")])
        applied = next(_verified(d, secret) for d in deliveries if d.headers["webhook-id"].endswith("_applied"))
        assert applied["data"]["review"]["state"] == "approved" and len(applied["data"]["changes"]) == 1


def test_an_approval_whose_task_never_ran_is_written_by_the_sweeper(short_lease_stack: Stack,
                                                                    redis_client: redis.Redis) -> None:
    """The approval is recorded in Redis (as the API does) but its task is never sent: the sweeper
    sends it once the lease ran out, and the plan is written once."""
    stack = short_lease_stack
    with MemfeedClient(stack.base_url, stack.create_project()) as client:
        client.post("review/policy", {"policy": "review_all"})
        user = f"u-{uuid.uuid4().hex[:8]}"
        client.add_message(user, "c1", [{"role": "user", "content": "I like swimming."}], async_mode=False)
        held = client.wait(client.add_feedback(user, "Replace 'swimming' with 'cycling' in my memories."))
        control = ControlPlane(redis_client, Settings(redis_prefix=stack.env["MEMFEED_REDIS_PREFIX"]))
        record = control.jobs.get(held["task_id"])
        assert record is not None and control.reviews.decide(record, ReviewState.APPROVED, "key:test", "api").changed
        deadline = time.monotonic() + 30
        while (status := client.get_status(held["task_id"]))["outcome"] != "applied" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert status["outcome"] == "applied" and len(status["changes"]) == 1
        assert [m["memory_value"] for m in client.get_memory(user)["memory_detail_list"]] == ["The user likes cycling."]
        assert control.reviews.apply_due() == []
