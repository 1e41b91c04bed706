"""The Redis control plane against a real Redis."""

from __future__ import annotations

import json
import uuid

import pytest
import redis

from core.control import ControlPlane
from core.control import jobs as core_jobs
from core.control import workers as core_workers
from core.control.jobs import JobEndedError, JobOutcome, JobStatus, StageRecord, StageTiming
from core.control.projects import ProjectExistsError, hash_api_key
from core.settings import Settings
from pipeline.models import Message


@pytest.fixture
def control(redis_client: redis.Redis, redis_prefix: str) -> ControlPlane:
    return ControlPlane(redis_client, Settings(redis_prefix=f"{redis_prefix}:cp{uuid.uuid4().hex[:4]}", max_conversation_messages=5))


def test_project_keys_are_stored_hashed_and_authenticate(control: ControlPlane, redis_client: redis.Redis) -> None:
    project, key = control.projects.create("acme")

    assert control.projects.authenticate(key) == project
    assert control.projects.authenticate(key + "x") is None
    stored_values = [redis_client.get(k) or "" for k in redis_client.scan_iter(f"{control.prefix}:apikey:*")]
    assert key not in " ".join(stored_values)
    assert redis_client.exists(f"{control.prefix}:apikey:{hash_api_key(key)}")
    with pytest.raises(ProjectExistsError):
        control.projects.create("acme")


def test_knowledgebases_belong_to_one_project(control: ControlPlane) -> None:
    kb = control.knowledgebases.create("p1", "Handbook")
    assert control.knowledgebases.foreign_ids("p1", [kb.id]) == []
    assert control.knowledgebases.foreign_ids("p2", [kb.id, "nope"]) == [kb.id, "nope"]
    assert not control.knowledgebases.delete("p2", kb.id)
    assert control.knowledgebases.delete("p1", kb.id)
    assert control.knowledgebases.get(kb.id) is None


def test_conversation_keeps_the_latest_turns(control: ControlPlane) -> None:
    for n in range(7):
        control.conversations.append("p1", "c1", "u1", [Message(role="user", content=f"turn {n}")])
    assert [m.content for m in control.conversations.recent("p1", "c1", 3, "u1")] == ["turn 4", "turn 5", "turn 6"]
    assert len(control.conversations.all("p1", "c1")) == 5
    assert control.conversations.recent("p2", "c1", 3, "u1") == []


def test_conversation_context_is_only_the_users_own_turns(control: ControlPlane) -> None:
    control.conversations.append("p1", "shared", "alice", [Message(role="user", content="I live in Rome")])
    control.conversations.append("p1", "shared", "mallory", [Message(role="user", content="Alice lives in Oslo")])
    control.conversations.append("p1", "shared", "alice", [Message(role="assistant", content="Noted: Rome")])
    assert [m.content for m in control.conversations.recent("p1", "shared", 5, "alice")] == ["I live in Rome", "Noted: Rome"]
    assert [m.content for m in control.conversations.recent("p1", "shared", 5, "mallory")] == ["Alice lives in Oslo"]


def test_job_record_lifecycle(control: ControlPlane) -> None:
    job_id = uuid.uuid4().hex
    control.jobs.create(job_id, "p1", "feedback", {"user_id": "u1"}, stages=("validate", "write"))
    control.jobs.set_stage(job_id, "validate", StageRecord(state="done", duration_ms=1.5, detail={"valid": True}))
    control.jobs.finish(job_id, JobOutcome.APPLIED, reason="1 change", update_type="semantic_update",
                        changes=[{"before": "a", "after": "b"}])

    record = control.jobs.get(job_id)
    assert record is not None
    assert record.status is JobStatus.COMPLETED and record.outcome is JobOutcome.APPLIED
    assert record.stages["validate"].detail == {"valid": True} and record.stages["write"].state == "pending"
    assert list(record.stages) == ["validate", "write"]
    assert record.changes == [{"before": "a", "after": "b"}]

    control.jobs.fail(job_id, 50145, "store unavailable")
    failed = control.jobs.get(job_id)
    assert failed is not None and failed.status is JobStatus.FAILED and failed.error_code == 50145
    assert control.jobs.get("missing") is None


def test_a_lock_is_renewed_while_held_and_freed_when_its_holder_dies(redis_client: redis.Redis, redis_prefix: str) -> None:
    import time

    from core.control.locks import LeasedLock, LockNotAcquiredError

    name = f"{redis_prefix}:lock:test-{uuid.uuid4().hex[:6]}"
    with LeasedLock(redis_client, name, lease=0.6):
        time.sleep(1.5)  # longer than the lease: renewal keeps it
        with pytest.raises(LockNotAcquiredError), LeasedLock(redis_client, name, lease=0.6, wait=0.3):
            pass
    # A holder that died without releasing: nobody renews, the lease runs out.
    redis_client.lock(name, timeout=0.6).acquire()
    started = time.monotonic()
    with LeasedLock(redis_client, name, lease=0.6, wait=5):
        assert time.monotonic() - started < 1.5


@pytest.mark.parametrize("settles", [False, True])
def test_a_stage_end_releases_the_workers_hold_in_its_transaction(control: ControlPlane, settles: bool) -> None:
    job_id = uuid.uuid4().hex
    control.jobs.create(job_id, "p1", "feedback", {"user_id": "u1"}, stages=("validate", "write"))
    workers = control.workers
    workers.beat("w1")
    workers.hold("w1", job_id)
    workers.hold("w1", job_id)  # the next stage's task, received before this one ended
    released: list[str] = []
    durations = json.dumps({"stage": "validate"})
    counted_before = control.metrics.histogram("memfeed_stage_duration_seconds").get(durations, ([], 0.0))[1]
    start = control.jobs.begin_stage(job_id, "validate", 1.0)
    settlement = control.jobs.settlement(JobOutcome.IGNORED, reason="not feedback") if settles else None
    control.jobs.end_stage(start.record, {"validate": StageRecord(state="done")}, StageTiming(stage="validate", seconds=0.2),
                           settlement, release=workers.held("w1", job_id, lambda: released.append("validate")))
    assert workers.held_by_live_workers() == {job_id}
    assert released == ["validate"]
    assert control.jobs.get(job_id).stages["validate"].state == "done"

    # Redis does not have the scripts (it restarted): the release is still made, nothing else
    # changes. Scripts with a text of their own stand for ones Redis forgot.
    workers._release = control.redis.register_script(f"{core_workers._RELEASE}-- {uuid.uuid4().hex}\n")
    control.jobs._end_stage = control.redis.register_script(f"{core_jobs._END_STAGE}-- {uuid.uuid4().hex}\n")
    start = control.jobs.begin_stage(job_id, "write", 2.0) if not settles else start
    control.jobs.end_stage(start.record, {"write": StageRecord(state="done")}, None, settlement,
                           release=workers.held("w1", job_id, lambda: released.append("write")))
    assert workers.held_by_live_workers() == set()
    assert released == ["validate", "write"]
    assert control.jobs.get(job_id).stages["write"].state == "done"
    if not settles:
        assert control.jobs.status(job_id) == JobStatus.RUNNING
        assert job_id in control.redis.zrange(f"{control.prefix}:jobs:unfinished", 0, -1)
    counted = control.metrics.histogram("memfeed_stage_duration_seconds")[durations][1]
    assert counted == pytest.approx(counted_before + 0.2)


def test_a_stage_start_holds_the_job_for_its_worker_unless_the_job_ended(control: ControlPlane) -> None:
    job_id = uuid.uuid4().hex
    control.jobs.create(job_id, "p1", "feedback", {"user_id": "u1"}, stages=("validate",))
    workers = control.workers
    workers.beat("w1")
    key = workers.held_jobs_key("w1")
    control.jobs.begin_stage(job_id, "validate", 1.0, hold_key=key)
    assert workers.held_by_live_workers() == {job_id}
    workers.release("w1", job_id)
    control.jobs.finish(job_id, JobOutcome.IGNORED, reason="not feedback")
    with pytest.raises(JobEndedError):
        control.jobs.begin_stage(job_id, "validate", 2.0, hold_key=key)
    assert workers.held_by_live_workers() == set()
