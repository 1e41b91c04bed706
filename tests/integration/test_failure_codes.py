"""A failed job's error code says what failed: each stage its own, the sweeper's give-up another."""

from __future__ import annotations

import uuid

import pytest
import redis

from core.celery_app import celery_app
from core.control import ControlPlane
from core.control.jobs import JobStatus
from core.error_codes import ErrorCode
from core.settings import Settings
from workers import memory_tasks, stage_tasks  # noqa: F401 - registers the stage tasks
from workers import resources, sweeper
from workers.stage_runner import STAGE_FAILURE_CODES, StageTask

EXPECTED = {
    "validate": 50141,
    "classify": 50142,
    "lookup": 50143,
    "write": 50145,
    "revert": 50146,
    "extract": 50147,
    "ingest": 50148,
}


@pytest.fixture
def control(redis_client: redis.Redis, redis_prefix: str, monkeypatch: pytest.MonkeyPatch) -> ControlPlane:
    plane = ControlPlane(redis_client, Settings(redis_prefix=f"{redis_prefix}:codes{uuid.uuid4().hex[:4]}"))
    monkeypatch.setattr(resources, "control_plane", lambda: plane)
    return plane


def _stage_tasks() -> dict[str, StageTask]:
    return {task.stage_name: task for task in celery_app.tasks.values() if isinstance(task, StageTask)}


def test_every_stage_task_has_a_code_of_its_own() -> None:
    assert set(_stage_tasks()) == set(STAGE_FAILURE_CODES)
    assert {stage: int(code) for stage, code in STAGE_FAILURE_CODES.items()} == EXPECTED
    assert len(set(EXPECTED.values())) == len(EXPECTED)


@pytest.mark.parametrize("stage", sorted(EXPECTED))
def test_a_stage_that_failed_for_good_fails_its_job_with_its_code(
    stage: str, control: ControlPlane, monkeypatch: pytest.MonkeyPatch
) -> None:
    task = _stage_tasks()[stage]
    monkeypatch.setattr(task, "compensate", None)  # the write's undo needs a store; not what is tested
    job_id = uuid.uuid4().hex
    control.jobs.create(job_id, "p1", "feedback", {"user_id": "u1"}, stages=(stage,))

    task.on_failure(RuntimeError("disk on fire"), "task-id", (job_id,), {}, None)

    record = control.jobs.get(job_id)
    assert record is not None and record.status is JobStatus.FAILED
    assert record.error_code == EXPECTED[stage]
    assert record.error_message == f"stage {stage} failed: RuntimeError: disk on fire"
    assert record.stages[stage].state == "failed"


def test_a_job_the_sweeper_gives_up_fails_as_stalled(control: ControlPlane, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sweeper, "get_settings", lambda: Settings(job_max_resumes=1))
    job_id = uuid.uuid4().hex
    control.jobs.create(job_id, "p1", "feedback", {"user_id": "u1"}, stages=("validate",))
    control.jobs.postpone(job_id)  # resumed once already

    assert sweeper.resume(job_id) == "given up"

    record = control.jobs.get(job_id)
    assert record is not None and record.status is JobStatus.FAILED
    assert record.error_code == ErrorCode.JOB_STALLED == 50149
    assert "given up" in (record.error_message or "")
