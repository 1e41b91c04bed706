"""Job records: what get/status reports. One Redis hash per job, one field per stage."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field
from redis import Redis
from redis.client import Pipeline

from core.control.projects import ProjectRegistry
from core.control.workers import HeldJob
from core.metrics import Metrics

log = logging.getLogger(__name__)

FEEDBACK_STAGES = ("validate", "classify", "lookup", "write")


class JobStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


class JobOutcome(StrEnum):
    APPLIED = "applied"
    IGNORED = "ignored"
    # Valid feedback from which no complete memory could be written: nothing was written.
    UNRESOLVED = "unresolved"
    FAILED = "failed"
    # The project's review policy held the plan: nothing was written until an operator approves.
    HELD = "held"
    # A held plan an operator rejected: nothing was written.
    REJECTED = "rejected"


class StageRecord(BaseModel):
    state: str  # pending | running | done | skipped | failed
    started_at: float | None = None
    finished_at: float | None = None
    duration_ms: float | None = None
    analyzer: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict)


class JobRecord(BaseModel):
    id: str
    project_id: str
    kind: str
    status: JobStatus = JobStatus.RUNNING
    created_at: float
    updated_at: float
    request: dict[str, Any] = Field(default_factory=dict)
    context: list[dict[str, Any]] = Field(default_factory=list)
    stages: dict[str, StageRecord] = Field(default_factory=dict)
    outcome: JobOutcome | None = None
    reason: str | None = None
    update_type: str | None = None
    changes: list[dict[str, Any]] = Field(default_factory=list)
    result: dict[str, Any] | None = None
    error_code: int | None = None
    error_message: str | None = None
    reverted_by: str | None = None
    resumes: int = 0
    # The lowest confidence among the analyzer's decisions for this job (feedback jobs only).
    confidence: float | None = None
    # A held job's review: state pending | approved | rejected, when, by which key.
    review: dict[str, Any] | None = None


_JSON_FIELDS = ("request", "context", "changes", "result", "review")
# Called inside the transaction that settles a job, with the job id and the fields written (and
# the job's project_id and kind): what must happen exactly when a job ends (a webhook delivery
# falling due) joins that transaction. What it returns, if anything, runs once the transaction
# committed, with the results of the commands the hook added (never failing the caller).
SettleHook = Callable[[Pipeline, str, dict[str, Any]], Callable[[list[Any]], None] | None]
# KEYS: [job hash]; ARGV: [field, value]
_SET_IF_KEPT = """
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) + 1 end
return 0
"""
# A stage starting: unless the job has ended, mark the stage running, push back the job's stall
# deadline and return the whole record with the job's project's settings, in one round trip. The
# reply starts with the job's status ('missing' when there is no record); while it runs, the
# project's settings (a flat list) and the record's fields follow.
# With a third key, the worker running the stage also records that it holds the job (see
# core/control/workers.py), unless the job has ended.
# KEYS: [job hash, unfinished jobs, (the worker's held jobs)]
# ARGV: [stage field, stage record, now, stall deadline, job id, project key prefix]
_BEGIN_STAGE = """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'missing'} end
if status ~= 'running' then return {status} end
if KEYS[3] then redis.call('HINCRBY', KEYS[3], ARGV[5], 1) end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2], 'updated_at', ARGV[3])
redis.call('ZADD', KEYS[2], 'XX', ARGV[4], ARGV[5])
local project = redis.call('HGETALL', ARGV[6] .. redis.call('HGET', KEYS[1], 'project_id'))
return {status, project, redis.call('HGETALL', KEYS[1])}
"""

# A stage ending without ending its job, in one script (one command to send and one reply to read
# instead of a transaction's eight): record the stage (and any later one it settled), push back
# the job's stall deadline, count the stage's duration when it has one, and release the worker's
# hold on the job when it has one (as core/control/workers.py's _RELEASE does).
# KEYS: [job hash, unfinished jobs, (duration bucket, sum, count), (the worker's held jobs)]
# ARGV: [now, stall deadline, job id, duration field ('' for none), seconds, field, value, ...]
_END_STAGE = """
local fields = {'updated_at', ARGV[1]}
for i = 6, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('ZADD', KEYS[2], 'XX', ARGV[2], ARGV[3])
local held = 3
if ARGV[4] ~= '' then
  redis.call('HINCRBY', KEYS[3], ARGV[4], 1)
  redis.call('HINCRBYFLOAT', KEYS[4], ARGV[4], ARGV[5])
  redis.call('HINCRBY', KEYS[5], ARGV[4], 1)
  held = 6
end
if KEYS[held] and redis.call('HINCRBY', KEYS[held], ARGV[3], -1) <= 0 then
  redis.call('HDEL', KEYS[held], ARGV[3])
end
return 1
"""

# Joined writes' handler, with where their commands are among the transaction's.
_Joined = tuple[Callable[[list[Any]], None], int, int]


def _execute(pipe: Pipeline, joined_at: _Joined | None) -> list[Any]:
    """Run the transaction; the joined writes' results go to their handler, any other command's
    error raises."""
    if joined_at is None:
        return pipe.execute()
    results = pipe.execute(raise_on_error=False)
    handle, first, end = joined_at
    for position, result in enumerate(results):
        if isinstance(result, Exception) and not first <= position < end:
            raise result
    handle(results[first:end])
    return results


class JobNotFoundError(Exception):
    pass


class JobEndedError(Exception):
    """A stage of a job that has already ended (a late redelivery, or a resume that raced it)."""

    def __init__(self, job_id: str, status: JobStatus) -> None:
        super().__init__(f"job {job_id} has ended ({status.value})")
        self.status = status


class StageStart(BaseModel):
    """What a stage starts from: the job's record, and its project's settings as they are now."""

    record: JobRecord
    project_settings: dict[str, str]


class StageTiming(BaseModel):
    """A stage's duration, observed in the transaction that records the stage."""

    stage: str
    seconds: float


class JobRecords:
    """Job records, plus an index of unfinished jobs by the time they are due to progress."""

    def __init__(
        self,
        redis: Redis,
        prefix: str,
        metrics: Metrics | None = None,
        stall_seconds: float = 600,
        retention_seconds: int | None = None,
    ) -> None:
        self._redis = redis
        # Where the projects' settings are: a stage starts with its job's.
        self._project_key_prefix = ProjectRegistry(redis, prefix).key_prefix
        self._prefix = prefix
        self._metrics = metrics
        self._stall_seconds = stall_seconds
        # A finished job's record is removed this long after it finished.
        self._retention_seconds = retention_seconds
        self._set_if_kept = redis.register_script(_SET_IF_KEPT)
        self._begin_stage = redis.register_script(_BEGIN_STAGE)
        self._end_stage = redis.register_script(_END_STAGE)
        self._unfinished = f"{prefix}:jobs:unfinished"
        # Jobs recorded but not yet known to be enqueued, by the time they were recorded: the
        # record and this entry are written together, so an accepted job is never only a record.
        self._outbox = f"{prefix}:jobs:outbox"
        self._settle_hooks: list[SettleHook] = []

    def add_settle_hook(self, hook: SettleHook) -> None:
        self._settle_hooks.append(hook)

    def project_index_key(self, project_id: str) -> str:
        """A project's jobs by the time they were recorded (the console lists them from it)."""
        return f"{self._prefix}:project:{project_id}:jobs"

    def _key(self, job_id: str) -> str:
        return f"{self._prefix}:job:{job_id}"

    def create(
        self,
        job_id: str,
        project_id: str,
        kind: str,
        request: dict[str, Any],
        context: list[dict[str, Any]] | None = None,
        stages: tuple[str, ...] = (),
        outbox: bool = False,
        pipe: Pipeline | None = None,
        track: bool = True,
    ) -> JobRecord:
        """Record a job. With `outbox`, the job is also due for delivery: whoever enqueues its
        first task calls `delivered`; the sweeper enqueues whatever stays undelivered. Given a
        transaction's `pipe`, the writes join it instead of running at once. Without `track`, the
        sweepers leave the job alone until `track` is called (a batch item the feeder has not
        released yet)."""
        now = time.time()
        record = JobRecord(
            id=job_id,
            project_id=project_id,
            kind=kind,
            created_at=now,
            updated_at=now,
            request=request,
            context=context or [],
            stages={name: StageRecord(state="pending") for name in stages},
        )
        fields: dict[str, str] = {
            "id": job_id,
            "project_id": project_id,
            "kind": kind,
            "status": record.status.value,
            "created_at": repr(now),
            "updated_at": repr(now),
            "request": json.dumps(request),
            "context": json.dumps(record.context),
            "stage_order": json.dumps(list(stages)),
        }
        for name, stage in record.stages.items():
            fields[f"stage:{name}"] = stage.model_dump_json()
        writes = pipe if pipe is not None else self._redis.pipeline()
        writes.hset(self._key(job_id), mapping=fields)
        index = self.project_index_key(project_id)
        writes.zadd(index, {job_id: now})
        if self._retention_seconds:
            # A job's record outlives its creation by its run time plus the retention: entries older
            # than that are gone, and an idle project's index goes with its last record.
            writes.zremrangebyscore(index, "-inf", now - self._retention_seconds - self._stall_seconds)
            writes.expire(index, self._retention_seconds)
        if track:
            writes.zadd(self._unfinished, {job_id: now + self._stall_seconds})
        if outbox:
            writes.zadd(self._outbox, {job_id: now})
        if pipe is None:
            writes.execute()
        return record

    def track(self, job_id: str) -> None:
        """From now on the job is due to progress (its first task is about to be sent)."""
        self._redis.zadd(self._unfinished, {job_id: time.time() + self._stall_seconds})

    def discard(self, job_ids: list[str]) -> None:
        """Remove jobs recorded for a request that was answered with an error after all."""
        if not job_ids:
            return
        pipe = self._redis.pipeline()
        pipe.delete(*(self._key(job_id) for job_id in job_ids))
        pipe.zrem(self._unfinished, *job_ids)
        pipe.zrem(self._outbox, *job_ids)
        pipe.execute()

    def delivered(self, job_id: str) -> None:
        self._redis.zrem(self._outbox, job_id)

    def undelivered(self, older_than_seconds: float, limit: int = 100) -> list[str]:
        """Jobs recorded at least this long ago whose first task nobody reported enqueued."""
        due = time.time() - older_than_seconds
        return self._redis.zrangebyscore(self._outbox, "-inf", due, start=0, num=limit)

    def get(self, job_id: str) -> JobRecord | None:
        return self._parsed(self._redis.hgetall(self._key(job_id)))

    def get_many(self, job_ids: list[str]) -> list[JobRecord | None]:
        """The records of these jobs in one round trip (None for those that expired)."""
        pipe = self._redis.pipeline(transaction=False)
        for job_id in job_ids:
            pipe.hgetall(self._key(job_id))
        return [self._parsed(raw) for raw in pipe.execute()]

    def begin_stage(self, job_id: str, stage: str, started_at: float, hold_key: str | None = None) -> StageStart:
        """Mark a stage running and read the job's record and its project's settings, in one
        round trip; with `hold_key` (a worker's held jobs), the worker holds the job from then on.
        Raises JobEndedError when the job has already ended, JobNotFoundError when it has no
        record (and nothing is held)."""
        running = StageRecord(state="running", started_at=started_at)
        reply = self._begin_stage(
            keys=[self._key(job_id), self._unfinished, *([hold_key] if hold_key else [])],
            args=[f"stage:{stage}", running.model_dump_json(), repr(started_at), started_at + self._stall_seconds,
                  job_id, self._project_key_prefix],
        )
        status = reply[0]
        if status == "missing":
            raise JobNotFoundError(f"job {job_id} has no record")
        if status != JobStatus.RUNNING.value:
            raise JobEndedError(job_id, JobStatus(status))
        project, fields = reply[1], reply[2]
        record = self._parsed(dict(zip(fields[::2], fields[1::2], strict=True)))
        assert record is not None
        return StageStart(record=record, project_settings=dict(zip(project[::2], project[1::2], strict=True)))

    def end_stage(
        self,
        record: JobRecord,
        stages: dict[str, StageRecord],
        timing: StageTiming | None = None,
        settlement: dict[str, Any] | None = None,
        release: HeldJob | None = None,
    ) -> None:
        """Record how a stage ended (with any later stage it settled), atomically with its timing,
        the release of the worker's hold on the job (`release`) and, when the job ends with this
        stage, the job's settlement (see `settlement`): one script, or one transaction when the
        job settles."""
        now = time.time()
        fields = {f"stage:{name}": stage.model_dump_json() for name, stage in stages.items()}
        if settlement is None:
            self._end_stage_script(record.id, fields, now, timing, release)
            return
        pipe = self._redis.pipeline()
        joined_at = None
        if release is not None:
            joined_at = (release.join(pipe), 0, len(pipe))
        pipe.hset(self._key(record.id), mapping=fields | {"updated_at": repr(now)})
        if timing is not None and self._metrics is not None:
            self._metrics.observe("memfeed_stage_duration_seconds", {"stage": timing.stage}, timing.seconds, pipe=pipe)
        self._settle(record.id, settlement, pipe=pipe, project_id=record.project_id, kind=record.kind,
                     joined_at=joined_at)
        if release is not None:
            release.released()

    def _end_stage_script(self, job_id: str, fields: dict[str, str], now: float, timing: StageTiming | None,
                          release: HeldJob | None) -> None:
        keys = [self._key(job_id), self._unfinished]
        duration_field, seconds = "", 0.0
        if timing is not None and self._metrics is not None:
            histogram, duration_field = self._metrics.observation_keys(
                "memfeed_stage_duration_seconds", {"stage": timing.stage}, timing.seconds)
            keys += histogram
            seconds = timing.seconds
        if release is not None:
            keys.append(release.key)
        args: list[str | float] = [repr(now), now + self._stall_seconds, job_id, duration_field, repr(seconds)]
        for name, value in fields.items():
            args += [name, value]
        self._end_stage(keys=keys, args=args)
        if release is not None:
            release.released()

    @staticmethod
    def settlement(
        outcome: JobOutcome,
        reason: str | None = None,
        update_type: str | None = None,
        changes: list[dict[str, Any]] | None = None,
        result: dict[str, Any] | None = None,
        confidence: float | None = None,
        review: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The fields a completed job ends with."""
        return dict(
            status=JobStatus.COMPLETED,
            outcome=outcome,
            reason=reason,
            update_type=update_type,
            changes=changes or [],
            confidence=confidence,
            **({"result": result} if result is not None else {}),
            **({"review": review} if review is not None else {}),
        )

    @staticmethod
    def _parsed(raw: dict[str, str]) -> JobRecord | None:
        if not raw:
            return None
        data: dict[str, Any] = {}
        stages: dict[str, Any] = {}
        for field, value in raw.items():
            if field.startswith("stage:"):
                stages[field.removeprefix("stage:")] = json.loads(value)
            elif field in _JSON_FIELDS:
                data[field] = json.loads(value)
            else:
                data[field] = value
        # Stages in pipeline order, whatever order the hash returns its fields in.
        order = json.loads(data.pop("stage_order", "[]"))
        data["stages"] = {name: stages[name] for name in order if name in stages} | stages
        return JobRecord.model_validate(data)

    def status(self, job_id: str) -> JobStatus | None:
        value = self._redis.hget(self._key(job_id), "status")
        return JobStatus(value) if value else None

    def set_stage(self, job_id: str, stage: str, record: StageRecord, expect_progress_in: float = 0.0) -> None:
        """Record a stage; the job is due to progress again within the stall time (plus any wait)."""
        now = time.time()
        pipe = self._redis.pipeline()
        pipe.hset(self._key(job_id), mapping={f"stage:{stage}": record.model_dump_json(), "updated_at": repr(now)})
        pipe.zadd(self._unfinished, {job_id: now + expect_progress_in + self._stall_seconds}, xx=True)
        pipe.execute()

    def overdue(self, limit: int = 100) -> list[str]:
        """Unfinished jobs that have not progressed in time: their next task may have been lost."""
        return self._redis.zrangebyscore(self._unfinished, "-inf", time.time(), start=0, num=limit)

    def unfinished_last_changes(self, limit: int = 100_000) -> dict[str, float]:
        """Every unfinished job (up to `limit`), with when its record last changed."""
        job_ids = self._redis.zrange(self._unfinished, 0, limit - 1)
        pipe = self._redis.pipeline(transaction=False)
        for job_id in job_ids:
            pipe.hget(self._key(job_id), "updated_at")
        return {job_id: float(updated or 0) for job_id, updated in zip(job_ids, pipe.execute(), strict=True)}

    def postpone(self, job_id: str) -> int:
        """Give a resumed job another stall period; returns how often it was resumed."""
        pipe = self._redis.pipeline()
        pipe.zadd(self._unfinished, {job_id: time.time() + self._stall_seconds}, xx=True)
        pipe.hincrby(self._key(job_id), "resumes", 1)
        return int(pipe.execute()[1])

    def mark_reverted(self, job_id: str, revert_job_id: str) -> bool:
        """Record the revert on the job it undid, if that record is still kept (an expired record
        is never recreated); False if it is gone."""
        return bool(self._set_if_kept(keys=[self._key(job_id)], args=["reverted_by", revert_job_id]))

    def _settle(
        self,
        job_id: str,
        fields: dict[str, Any],
        pipe: Pipeline | None = None,
        project_id: str | None = None,
        kind: str | None = None,
        joined_at: _Joined | None = None,
    ) -> None:
        """A job's last write: its outcome, and the start of its retention period, joined to the
        caller's transaction `pipe` if given. Without the job's project and kind, they are read."""
        if project_id is None or kind is None:
            project_id, kind = self._redis.hmget(self._key(job_id), ["project_id", "kind"])
        pipe = pipe if pipe is not None else self._redis.pipeline()
        pipe.zrem(self._unfinished, job_id)
        pipe.hset(self._key(job_id), mapping=self._encoded(fields))
        if self._retention_seconds:
            pipe.expire(self._key(job_id), self._retention_seconds)
        if self._metrics is not None:
            outcome = fields["outcome"]
            self._metrics.inc("memfeed_jobs_total", {"kind": kind or "unknown", "outcome": outcome.value}, pipe=pipe)
        settled = {**fields, "project_id": project_id, "kind": kind}
        after_commit = []
        for hook in self._settle_hooks:
            first = len(pipe)
            action = hook(pipe, job_id, settled)
            if action is not None:
                after_commit.append((action, first, len(pipe)))
        results = _execute(pipe, joined_at)
        for action, first, end in after_commit:
            try:
                action(results[first:end])
            except Exception:  # a follow-up (sending a webhook task) is retried by the sweeper
                log.exception("after settling job %s", job_id)

    @staticmethod
    def _encoded(fields: dict[str, Any]) -> dict[str, str]:
        encoded = {"updated_at": repr(time.time())}
        for name, value in fields.items():
            if name in _JSON_FIELDS:
                encoded[name] = json.dumps(value)
            elif value is not None:
                encoded[name] = str(value.value if isinstance(value, StrEnum) else value)
        return encoded

    def forget_unfinished(self, job_id: str) -> None:
        self._redis.zrem(self._unfinished, job_id)

    def finish(self, job_id: str, outcome: JobOutcome, **fields: Any) -> None:
        """Settle a completed job now; `fields` are those of `settlement`."""
        self._settle(job_id, self.settlement(outcome, **fields))

    def fail(self, job_id: str, code: int, message: str) -> None:
        self._settle(
            job_id,
            dict(
                status=JobStatus.FAILED,
                outcome=JobOutcome.FAILED,
                error_code=int(code),
                error_message=message,
                reason=message,
            ),
        )
