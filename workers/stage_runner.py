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

from core.control.jobs import (
    FEEDBACK_STAGES,
    JobEndedError,
    JobNotFoundError,
    JobOutcome,
    JobRecord,
    JobRecords,
    StageRecord,
    StageStart,
    StageTiming,
)
from core.error_codes import ErrorCode
from pipeline.analyzers.base import Analyzer
from pipeline.analyzers.trace import AnalyzerTrace
from pipeline.job import FeedbackJob
from pipeline.models import Message
from pipeline.store.base import StoreError
from pipeline.token_budget import BudgetExhaustedError
from workers import liveness, resources

log = logging.getLogger(__name__)

# What a job that ends with a stage failed for good records as its error code.
STAGE_FAILURE_CODES: dict[str, ErrorCode] = {
    "validate": ErrorCode.VALIDATE_FAILED,
    "classify": ErrorCode.CLASSIFY_FAILED,
    "lookup": ErrorCode.LOOKUP_FAILED,
    "write": ErrorCode.SAVE_FAILED,
    "revert": ErrorCode.REVERT_FAILED,
    "extract": ErrorCode.EXTRACT_FAILED,
    "ingest": ErrorCode.INGEST_FAILED,
}
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


def job_record(job_id: str) -> JobRecord:
    record = resources.control_plane().jobs.get(job_id)
    if record is None:
        raise JobNotFoundError(f"job {job_id} has no record")
    return record


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


class StageRun:
    """One stage of one job while it runs: the job's record as the stage found it, what the stage
    records, and how the job ends if it ends with this stage."""

    def __init__(self, start: StageStart, stage: str, started_at: float) -> None:
        self.record = start.record
        # The job's project's settings as the stage began (its review policy, for one).
        self.project_settings = start.project_settings
        self.stage = stage
        self.started_at = started_at
        self.detail: dict[str, Any] = {}
        # Whose judgements the stage records (set once the stage knows its analyzer).
        self.analyzer: Analyzer | None = None
        self.skipped = False
        self.settlement: dict[str, Any] | None = None
        self._later_stages_skipped: str | None = None

    def skip(self, why: str) -> None:
        """The stage had nothing to do."""
        self.skipped = True
        self.detail["reason"] = why

    def end_job(self, outcome: JobOutcome, reason: str, later_stages_skipped: str | None = None, **fields: Any) -> None:
        """The job ends with this stage, for `reason`: the stages after it are recorded skipped
        (for `later_stages_skipped`, else the same reason) and none of them runs."""
        self.settlement = JobRecords.settlement(outcome, reason=reason, **fields)
        self._later_stages_skipped = later_stages_skipped or reason

    def stage_records(self, finished_at: float) -> dict[str, StageRecord]:
        decided_by, judgements = _judgements(self.analyzer)
        if judgements:
            self.detail["judgements"] = judgements
        own = StageRecord(
            state="skipped" if self.skipped else "done",
            started_at=self.started_at,
            finished_at=finished_at,
            duration_ms=round((finished_at - self.started_at) * 1000, 3),
            analyzer=decided_by,
            detail=self.detail,
        )
        records = {self.stage: own}
        if self._later_stages_skipped is not None and self.stage in FEEDBACK_STAGES:
            later = FEEDBACK_STAGES[FEEDBACK_STAGES.index(self.stage) + 1:]
            skipped = StageRecord(state="skipped", started_at=finished_at, detail={"reason": self._later_stages_skipped})
            records |= {name: skipped for name in later}
        return records


@contextmanager
def running_stage(job_id: str, stage: str) -> Iterator[StageRun]:
    """A stage of a job, recorded in two round trips: one that marks it running and reads the job's
    record (raising JobEndedError if the job has ended meanwhile), and one, when the body
    completes, with how it ended, its duration and, if the job ends with it, the job's outcome. A body that raises records nothing (the task's failure handling takes over)."""
    jobs = resources.control_plane().jobs
    started = time.time()
    hold_key = liveness.stage_hold_key(job_id)
    run = StageRun(jobs.begin_stage(job_id, stage, started, hold_key=hold_key), stage, started)
    if hold_key is not None:
        liveness.held_by_stage(job_id)
    yield run
    finished = time.time()
    timing = None if run.skipped else StageTiming(stage=stage, seconds=finished - started)
    jobs.end_stage(run.record, run.stage_records(finished), timing, run.settlement,
                   release=liveness.release_with_stage_end(job_id))


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
        try:
            return super().__call__(*args, **kwargs)
        except JobEndedError as ended:
            # A late redelivery, or a resume that raced the original: the job is already settled.
            log.info("%s; %s does nothing", ended, self.name)
            self.request.chain = None
            return None
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
        code = STAGE_FAILURE_CODES.get(self.stage_name, ErrorCode.WORKER_FAILED)
        jobs.fail(job_id, code, f"stage {self.stage_name} failed: {type(exc).__name__}: {exc}")


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


def end_chain(task: Task) -> None:
    """The job ended with the stage `task` is running: no later stage is sent."""
    task.request.chain = None


__all__ = ["JobOutcome", "StageRun", "StageTask", "end_chain", "feedback_job", "job_record", "running_stage"]
