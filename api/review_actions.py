"""Approving and rejecting held jobs, for the API routes and the console alike."""

from __future__ import annotations

import logging
from typing import Any

from api import dispatch
from api.errors import MemfeedError
from api.presenters import iso_time
from core.chains import APPLY_REVIEWED, DELIVER_WEBHOOK
from core.control import ControlPlane
from core.control.jobs import JobRecord
from core.control.projects import Project, hash_api_key
from core.control.review import Decision, ReviewError, ReviewState
from core.error_codes import ErrorCode
from core.settings import get_settings

log = logging.getLogger(__name__)


def key_fingerprint(api_key: str) -> str:
    """How a decision records the key that made it: never the key, a short digest of it."""
    return "key:" + hash_api_key(api_key)[:12]


def held_job(control: ControlPlane, project: Project, task_id: str) -> JobRecord:
    record = control.jobs.get(task_id)
    if record is None or record.project_id != project.id:
        days = get_settings().job_retention_days
        raise MemfeedError(ErrorCode.NOT_FOUND, f"unknown task_id: {task_id} (no such task, or its record expired "
                                                f"after {days:g} days)")
    return record


def decide(control: ControlPlane, project: Project, task_id: str, state: ReviewState, by: str, via: str) -> Decision:
    """One decision on a held job; repeating it changes nothing, the opposite one is refused."""
    record = held_job(control, project, task_id)
    try:
        decision = control.reviews.decide(record, state, by, via)
    except ReviewError as exc:
        raise MemfeedError(ErrorCode.BAD_REQUEST, str(exc)) from exc
    if not decision.changed and decision.state != state.value:
        raise MemfeedError(ErrorCode.BAD_REQUEST, f"task {task_id} was already {decision.state} in review")
    if decision.changed:
        _send_followup(state, task_id)
    return decision


def _send_followup(state: ReviewState, task_id: str) -> None:
    """The apply task, or the rejection's webhook; if the broker refuses, the sweeper sends it."""
    try:
        if state is ReviewState.APPROVED:
            dispatch.enqueue(APPLY_REVIEWED, task_id)
        else:
            dispatch.enqueue(DELIVER_WEBHOOK, f"{task_id}:rejected")
    except Exception as exc:  # recorded in Redis already: the sweeper relays it
        log.warning("review of %s recorded; its follow-up waits for the sweeper: %s", task_id, exc)


def held_summary(record: JobRecord) -> dict[str, Any]:
    lookup = record.stages.get("lookup")
    planned = lookup.detail.get("planned", []) if lookup is not None else []
    return {
        "task_id": record.id,
        "user_id": record.request.get("user_id"),
        "feedback_content": record.request.get("feedback_content"),
        "update_type": record.update_type,
        "confidence": record.confidence,
        "reason": record.reason,
        "review": record.review,
        "proposed_changes": [
            {"action": c["action"], "memory_id": c.get("memory_id"), "before": c.get("before"), "after": c["after"],
             "confidence": c.get("confidence", 1.0), "reason": c.get("reason", "")}
            for c in planned
        ],
        "create_time": iso_time(record.created_at),
    }
