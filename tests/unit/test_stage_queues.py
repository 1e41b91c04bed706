"""Every queue a feedback stage is sent to has a worker: `memfeed up`'s two workers, its one
worker without the analysis worker, and docker-compose's server-mode worker."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.celery_app import ALL_QUEUES, ANALYSIS_QUEUE, BACKFILL_ANALYSIS_QUEUE, celery_app
from core.chains import FEEDBACK_STAGE_TASKS, STAGE_QUEUES, send_feedback_chain
from core.settings import Settings
from memfeed.stack import analysis_worker_command, worker_command

REPO = Path(__file__).resolve().parents[2]


def _queues(command: list[str]) -> set[str]:
    return set(command[command.index("--queues") + 1].split(","))


def _routed_queues() -> set[str]:
    return {queue for lane in STAGE_QUEUES.values() for queue in lane.values()}


def test_every_lane_sends_every_stage_somewhere() -> None:
    for lane in STAGE_QUEUES.values():
        assert set(lane) == set(FEEDBACK_STAGE_TASKS)
    assert _routed_queues() <= set(ALL_QUEUES)


def test_the_store_worker_never_takes_the_analysis_stages_when_an_analysis_worker_runs() -> None:
    settings = Settings(analysis_worker=True)
    store, analysis = _queues(worker_command(settings, "w")), _queues(analysis_worker_command(settings, "a"))
    assert analysis == {ANALYSIS_QUEUE, BACKFILL_ANALYSIS_QUEUE}
    assert not store & analysis
    assert _routed_queues() <= store | analysis
    for lane in STAGE_QUEUES.values():
        assert {lane["validate"], lane["classify"]} <= analysis
        assert {lane["lookup"], lane["write"]} <= store


def test_without_an_analysis_worker_one_worker_takes_every_stage() -> None:
    assert _routed_queues() <= _queues(worker_command(Settings(analysis_worker=False), "w"))


def test_the_server_mode_worker_takes_every_stage() -> None:
    compose = (REPO / "docker-compose.yml").read_text()
    [queues] = re.findall(r'"--queues",\s*"([^"]+)"', compose)
    assert _routed_queues() <= set(queues.split(","))


@pytest.mark.parametrize("lane", ["interactive", "backfill"])
@pytest.mark.parametrize("first_stage", list(FEEDBACK_STAGE_TASKS))
def test_a_chain_carries_each_stage_to_its_lane_queue(
    monkeypatch: pytest.MonkeyPatch, lane: str, first_stage: str,
) -> None:
    sent: list[dict] = []
    monkeypatch.setattr(celery_app, "send_task", lambda name, **options: sent.append({"task": name, **options}))
    send_feedback_chain("job-1", first_stage=first_stage, lane=lane)  # type: ignore[arg-type]
    [first] = sent
    stages = list(FEEDBACK_STAGE_TASKS)[list(FEEDBACK_STAGE_TASKS).index(first_stage):]
    assert first["task"] == FEEDBACK_STAGE_TASKS[stages[0]]
    assert first["queue"] == STAGE_QUEUES[lane][stages[0]]
    # Celery pops the chain's last element for the next task.
    carried = list(reversed(first["chain"] or []))
    assert [(s["task"], s["options"]["queue"]) for s in carried] == [
        (FEEDBACK_STAGE_TASKS[stage], STAGE_QUEUES[lane][stage]) for stage in stages[1:]
    ]
