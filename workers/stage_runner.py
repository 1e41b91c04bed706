"""Shared plumbing of the stage tasks: loading the job, timing and recording a stage."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis
from celery import Task

from memfeed.control.jobs import JobOutcome, JobRecord, JobStatus, StageRecord
from pipeline.analyzers.base import Analyzer
from pipeline.analyzers.trace import AnalyzerTrace
from pipeline.job import FeedbackJob
from pipeline.models import Message
from pipeline.token_budget import BudgetExhaustedError
from workers import resources

# Failures worth another try: the broker, Redis or the disk hiccuped.
RETRYABLE_ERRORS: tuple[type[BaseException], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    OSError,
)
WRITE_FAILED = 50145


class JobNotFoundError(Exception):
    pass


def job_record(job_id: str) -> JobRecord:
    record = resources.control_plane().jobs.get(job_id)
    if record is None:
        raise JobNotFoundError(f"job {job_id} has no record")
    return record


def load_feedback_job(job_id: str) -> FeedbackJob:
    record = job_record(job_id)
    request = record.request
    return FeedbackJob(
        job_id=job_id,
        project_id=record.project_id,
        user_id=request["user_id"],
        feedback_content=request["feedback_content"],
        conversation_id=request.get("conversation_id"),
        context=[Message.model_validate(m) for m in record.context],
        allow_knowledgebase_ids=request.get("allow_knowledgebase_ids") or [],
        allow_public=bool(request.get("allow_public")),
        agent_id=request.get("agent_id"),
        app_id=request.get("app_id"),
    )


def _judgements(analyzer: Analyzer | None) -> tuple[str | None, list[dict[str, Any]]]:
    """Which analyzer decided (an LLM analyzer may have fallen back) and each call's record."""
    if analyzer is None:
        return None, []
    trace: AnalyzerTrace | None = getattr(analyzer, "trace", None)
    records = trace.drain() if trace else []
    deciders = sorted({r.decided_by for r in records}) or [analyzer.name]
    return "+".join(deciders), [r.model_dump() for r in records]


@contextmanager
def recorded_stage(job_id: str, stage: str, analyzer: Analyzer | None = None) -> Iterator[dict[str, Any]]:
    """Marks the stage running, yields a dict for its detail, then marks it done."""
    jobs = resources.control_plane().jobs
    started = time.time()
    name = analyzer.name if analyzer else None
    jobs.set_stage(job_id, stage, StageRecord(state="running", started_at=started, analyzer=name))
    detail: dict[str, Any] = {}
    yield detail
    decided_by, judgements = _judgements(analyzer)
    if judgements:
        detail["judgements"] = judgements
    finished = time.time()
    resources.control_plane().metrics.observe("memfeed_stage_duration_seconds", {"stage": stage}, finished - started)
    jobs.set_stage(
        job_id,
        stage,
        StageRecord(
            state="done",
            started_at=started,
            finished_at=finished,
            duration_ms=round((finished - started) * 1000, 3),
            analyzer=decided_by,
            detail=detail,
        ),
    )


def skip_stage(job_id: str, stage: str, why: str) -> None:
    resources.control_plane().jobs.set_stage(
        job_id, stage, StageRecord(state="skipped", started_at=time.time(), detail={"reason": why})
    )


class StageTask(Task):
    """A feedback stage: retried on transient errors; a final failure fails the job."""

    autoretry_for = RETRYABLE_ERRORS
    retry_backoff = True
    retry_backoff_max = 30
    max_retries = 5
    acks_late = True
    stage_name = ""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except BudgetExhaustedError as exc:
            # The project's token window is spent: wait for it, however long; never fail.
            job_id = _job_id_of(args)
            if job_id:
                resources.control_plane().jobs.set_stage(
                    job_id,
                    self.stage_name,
                    StageRecord(state="waiting", detail={"reason": str(exc), "retry_after": exc.retry_after_seconds}),
                )
            raise self.retry(countdown=max(1.0, exc.retry_after_seconds), max_retries=None, exc=exc) from exc

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:  # noqa: ANN001
        job_id = _job_id_of(args)
        if not job_id:
            return
        jobs = resources.control_plane().jobs
        jobs.set_stage(
            job_id,
            self.stage_name,
            StageRecord(state="failed", finished_at=time.time(), detail={"error": f"{type(exc).__name__}: {exc}"}),
        )
        jobs.fail(job_id, WRITE_FAILED, f"stage {self.stage_name} failed: {type(exc).__name__}: {exc}")


def _job_id_of(args: tuple[Any, ...]) -> str | None:
    if not args:
        return None
    first = args[0]
    if isinstance(first, dict):
        return first.get("job_id")
    return first if isinstance(first, str) else None


def is_finished(job_id: str) -> bool:
    record = resources.control_plane().jobs.get(job_id)
    return record is not None and record.status is not JobStatus.RUNNING


__all__ = ["JobOutcome", "StageTask", "job_record", "load_feedback_job", "recorded_stage", "skip_stage", "is_finished"]
