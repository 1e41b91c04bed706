"""What the console's pages show, read from the control plane (never from the store directly)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from core.control import ControlPlane
from core.control.jobs import JobRecord

MAX_LISTED_JOBS = 200
# Jobs scanned (newest first) to find the page of those matching the filters.
MAX_SCANNED_JOBS = 2000


@dataclass
class JobFilters:
    status: str = ""
    outcome: str = ""
    kind: str = ""
    user_id: str = ""
    knowledgebase_id: str = ""
    since: str = ""  # datetime-local, in UTC
    until: str = ""

    def query(self) -> dict[str, str]:
        return {name: value for name, value in vars(self).items() if value}

    def matches(self, job: JobRecord) -> bool:
        request = job.request
        kbs = set(request.get("allow_knowledgebase_ids") or [])
        if request.get("knowledgebase_id"):
            kbs.add(request["knowledgebase_id"])
        return (
            (not self.status or job.status.value == self.status)
            and (not self.outcome or (job.outcome is not None and job.outcome.value == self.outcome))
            and (not self.kind or job.kind == self.kind)
            and (not self.user_id or request.get("user_id") == self.user_id)
            and (not self.knowledgebase_id or self.knowledgebase_id in kbs)
        )


def _epoch(value: str) -> float | None:
    """A datetime-local value, read as UTC (the console shows every time in UTC)."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC).timestamp()
    except ValueError:
        return None


def recent_jobs(control: ControlPlane, project_id: str, filters: JobFilters,
                limit: int = MAX_LISTED_JOBS) -> list[JobRecord]:
    """The project's jobs, newest first, that match the filters (expired ones leave the index)."""
    key = control.jobs.project_index_key(project_id)
    low = _epoch(filters.since)
    high = _epoch(filters.until)
    job_ids = control.redis.zrevrangebyscore(key, high if high is not None else "+inf",
                                             low if low is not None else "-inf", start=0, num=MAX_SCANNED_JOBS)
    found, gone = [], []
    for start in range(0, len(job_ids), 100):
        chunk = job_ids[start:start + 100]
        for job_id, record in zip(chunk, control.jobs.get_many(chunk), strict=True):
            if record is None:
                gone.append(job_id)
            elif filters.matches(record) and len(found) < limit:
                found.append(record)
        if len(found) >= limit:
            break
    if gone:
        control.redis.zrem(key, *gone)
    return found


@dataclass
class StageView:
    name: str
    state: str
    offset_ms: float
    duration_ms: float | None
    decided_by: str | None
    tokens: int
    attempts: int
    fallback: list[str] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)


def stage_timeline(job: JobRecord) -> list[StageView]:
    """Each stage relative to the job's creation, with who decided and the tokens its calls used."""
    views = []
    for name, stage in job.stages.items():
        judgements = stage.detail.get("judgements", [])
        decided = sorted({j.get("decided_by", "") for j in judgements if j.get("decided_by")})
        fallback = [j["fallback_reason"] for j in judgements if j.get("fallback_reason")]
        decided_by = stage.analyzer
        if fallback:
            decided_by = f"{'+'.join(decided) or stage.analyzer} (fallback)"
        views.append(StageView(
            name=name,
            state=stage.state,
            offset_ms=max(0.0, ((stage.started_at or job.created_at) - job.created_at) * 1000),
            duration_ms=stage.duration_ms,
            decided_by=decided_by,
            tokens=sum(int(j.get("prompt_tokens", 0)) + int(j.get("completion_tokens", 0)) for j in judgements),
            attempts=sum(int(j.get("attempts", 0)) for j in judgements),
            fallback=fallback,
            detail={k: v for k, v in stage.detail.items() if k not in {"judgements", "planned"}},
        ))
    return views


def proposed_changes(job: JobRecord) -> list[dict[str, Any]]:
    lookup = job.stages.get("lookup")
    return list(lookup.detail.get("planned", [])) if lookup is not None else []


@dataclass(frozen=True)
class UsageBar:
    minute: int  # minutes since the epoch
    tokens: int
    refused: int


def usage_per_minute(control: ControlPlane, usage_key: str, minutes: int = 120) -> list[UsageBar]:
    """The last `minutes` minutes of admitted tokens and refused requests (older buckets dropped)."""
    raw = control.redis.hgetall(usage_key)
    now = int(time.time() // 60)
    stale = [f for f in raw if int(f.lstrip("r") or 0) < now - 2 * 24 * 60]
    if stale:
        control.redis.hdel(usage_key, *stale)
    return [UsageBar(minute, max(0, int(raw.get(str(minute), 0))), int(raw.get(f"r{minute}", 0)))
            for minute in range(now - minutes + 1, now + 1)]


def recent_batch_ids(control: ControlPlane, project_id: str, limit: int = 50) -> list[str]:
    return control.redis.zrevrange(control.batches.project_index_key(project_id), 0, limit - 1)
