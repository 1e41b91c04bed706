"""Shared plumbing of the stage tasks: loading the job, timing and recording a stage."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import redis
from celery import Task
from kombu.exceptions import OperationalError

from memfeed.control.jobs import JobOutcome, JobRecord, JobStatus, StageRecord
from pipeline.analyzers.base import Analyzer
from pipeline.analyzers.trace import AnalyzerTrace
from pipeline.job import FeedbackJob
from pipeline.models import Message
from pipeline.store.base import StoreError
from pipeline.token_budget import BudgetExhaustedError
from workers import resources

log = logging.getLogger(__name__)

WRITE_FAILED = 50145
# Failures of the plumbing (Redis or the broker unreachable), whether inside a stage or while
# Celery stores its outcome or publishes the next stage: never a reason to fail a job.
TRANSIENT_INFRASTRUCTURE_ERRORS: tuple[type[BaseException], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    OperationalError,
    ConnectionError,
)
# Failures a stage retries with backoff: the plumbing, the disk, or the vector store.
RETRYABLE_ERRORS: tuple[type[BaseException], ...] = (*TRANSIENT_INFRASTRUCTURE_ERRORS, OSError, StoreError)
MAX_INFRASTRUCTURE_RETRIES = 50
# Publishing the retry waits for the broker to come back, for about two minutes.
PATIENT_PUBLISH = {"max_retries": 60, "interval_start": 0.5, "interval_step": 0.5, "interval_max": 2.0}


class JobNotFoundError(Exception):
    pass


def job_record(job_id: str) -> JobRecord:
    record = resources.control_plane().jobs.get(job_id)
    if record is None:
        raise JobNotFoundError(f"job {job_id} has no record")
    return record


def load_feedback_job(job_id: str) -> FeedbackJob:
    return feedback_job(job_record(job_id))


def feedback_job(record: JobRecord) -> FeedbackJob:
    request = record.request
    return FeedbackJob(
        job_id=record.id,
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
    # Stages hand their output to the next stage directly; nothing reads stored results.
    ignore_result = True
    stage_name = ""
    # Called with the stage's input when the stage has failed for good.
    compensate: Callable[[Any], None] | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        job_id = _job_id_of(args)
        if job_id and _has_ended(job_id):
            # A late redelivery, or a resume that raced the original: the job is already settled.
            log.info("job %s has ended; %s does nothing", job_id, self.name)
            self.request.chain = None
            return None
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
                    expect_progress_in=exc.retry_after_seconds,
                )
            raise self.retry(countdown=max(1.0, exc.retry_after_seconds), max_retries=None, exc=exc) from exc

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:  # noqa: ANN001
        job_id = _job_id_of(args)
        if not job_id:
            return
        if isinstance(exc, TRANSIENT_INFRASTRUCTURE_ERRORS) and self._retry_after_outage(exc, args, kwargs):
            return
        if self.compensate is not None and args:
            try:
                self.compensate(args[0])
            except Exception:  # the job is reported failed either way; the undo is logged
                log.exception("could not undo the failed %s of job %s", self.stage_name, job_id)
        jobs = resources.control_plane().jobs
        jobs.set_stage(
            job_id,
            self.stage_name,
            StageRecord(state="failed", finished_at=time.time(), detail={"error": f"{type(exc).__name__}: {exc}"}),
        )
        jobs.fail(job_id, WRITE_FAILED, f"stage {self.stage_name} failed: {type(exc).__name__}: {exc}")


    def _retry_after_outage(self, exc: BaseException, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
        """Run the stage again (its chain kept) once the broker takes messages again."""
        if self.request.retries >= MAX_INFRASTRUCTURE_RETRIES:
            return False
        try:
            self.retry(args=args, kwargs=kwargs, exc=exc, countdown=1, max_retries=None, throw=False,
                       retry_policy=PATIENT_PUBLISH)
        except Exception:  # the broker stayed away: the job fails, with the reason
            log.exception("could not re-enqueue stage %s after an outage", self.stage_name)
            return False
        log.warning("stage %s will run again after an infrastructure error: %s", self.stage_name, exc)
        return True


def _job_id_of(args: tuple[Any, ...]) -> str | None:
    if not args:
        return None
    first = args[0]
    if isinstance(first, dict):
        return first.get("job_id")
    return first if isinstance(first, str) else None


def _has_ended(job_id: str) -> bool:
    status = resources.control_plane().jobs.status(job_id)
    return status is not None and status is not JobStatus.RUNNING


__all__ = ["JobOutcome", "StageTask", "feedback_job", "job_record", "load_feedback_job", "recorded_stage", "skip_stage"]
