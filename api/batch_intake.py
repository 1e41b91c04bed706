"""Accepting a batch of add/feedback bodies: each item is checked on its own, like a single
add/feedback, and an invalid or already-accepted item never stops the others."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import redis
from kombu.exceptions import OperationalError
from pydantic import ValidationError
from redis.client import Pipeline

from api.batch_schemas import AddFeedbackBatchItem
from api.errors import MemfeedError, classify_validation_error
from core.backfill import backfill_limits, start_feeder
from core.control import ControlPlane
from core.control.batches import BatchItem
from core.control.idempotency import IdempotencyConflictError
from core.control.jobs import FEEDBACK_STAGES
from core.control.projects import Project
from core.error_codes import ErrorCode
from core.settings import get_settings
from core.token_windows import window_limits
from pipeline.token_count import count_tokens


@dataclass
class _Intake:
    results: list[dict[str, Any]]
    accepted: list[BatchItem] = field(default_factory=list)
    invalid: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    claimed: list[tuple[str, str]] = field(default_factory=list)  # (idempotency key, job id)

    def reject(self, index: int, code: ErrorCode, message: str) -> None:
        entry = {"index": index, "status": "invalid", "code": int(code), "message": message}
        self.results[index] = entry
        self.invalid.append(entry)


def accept_batch(raw_items: list[Any], project: Project, control: ControlPlane) -> dict[str, Any]:
    intake = _Intake(results=[{} for _ in raw_items])
    parsed = _parse(raw_items, intake)
    _check_knowledgebases(parsed, project, control, intake)
    _check_tokens(parsed, project, intake)
    batch_id = uuid.uuid4().hex
    batches = control.batches
    try:
        _claim_and_record(parsed, project, control, intake)
        invalid = sorted(intake.invalid, key=lambda entry: entry["index"])
        batches.create(batch_id, project.id, len(raw_items), intake.accepted, invalid, intake.skipped)
        if intake.accepted:
            start_feeder(batches, project.id)
    except (redis.exceptions.RedisError, OperationalError) as exc:
        _undo_intake(project, control, intake)
        raise MemfeedError(ErrorCode.SAVE_FAILED, f"saving the batch failed: {exc}") from exc
    return {
        "batch_id": batch_id,
        "total": len(raw_items),
        "accepted": len(intake.accepted),
        "invalid": len(intake.invalid),
        "skipped": len(intake.skipped),
        "items": intake.results,
    }


def _undo_intake(project: Project, control: ControlPlane, intake: _Intake) -> None:
    """The batch is answered with an error: none of its jobs may run, no key stay claimed. If
    Redis fails for this too, each claim still has its job, which then runs once: a retry of the
    batch finds the claim and skips the item."""
    try:
        control.jobs.discard([item.job_id for item in intake.accepted])
        for key, job_id in intake.claimed:
            control.idempotency.release(project.id, key, job_id)
    except redis.exceptions.RedisError:
        pass


def _parse(raw_items: list[Any], intake: _Intake) -> dict[int, AddFeedbackBatchItem]:
    parsed: dict[int, AddFeedbackBatchItem] = {}
    for index, raw in enumerate(raw_items):
        if not isinstance(raw, dict):
            intake.reject(index, ErrorCode.BAD_REQUEST, "item must be a JSON object (an add/feedback body)")
            continue
        try:
            parsed[index] = AddFeedbackBatchItem.model_validate(raw)
        except ValidationError as exc:
            code, message = classify_validation_error(list(exc.errors()))
            intake.reject(index, code, message)
    return parsed


def _check_knowledgebases(
    parsed: dict[int, AddFeedbackBatchItem], project: Project, control: ControlPlane, intake: _Intake
) -> None:
    wanted = sorted({kb for item in parsed.values() for kb in item.allow_knowledgebase_ids})
    foreign = set(control.knowledgebases.foreign_ids(project.id, wanted))
    if not foreign:
        return
    for index, item in list(parsed.items()):
        theirs = [kb for kb in item.allow_knowledgebase_ids if kb in foreign]
        if theirs:
            del parsed[index]
            intake.reject(
                index,
                ErrorCode.KNOWLEDGEBASE_NOT_IN_PROJECT,
                f"knowledge base(s) not associated with this project: {', '.join(theirs)}",
            )


def _check_tokens(parsed: dict[int, AddFeedbackBatchItem], project: Project, intake: _Intake) -> None:
    limits = window_limits(project, get_settings())
    # An item must also fit in the backfill's share of the window, or it could never be released.
    most = min(limits.max_request_tokens, backfill_limits(limits).window_tokens)
    for index, item in list(parsed.items()):
        tokens = count_tokens(item.feedback_content)
        if tokens > most:
            del parsed[index]
            intake.reject(
                index, ErrorCode.REQUEST_TOO_LARGE, f"this item needs {tokens} tokens; the limit per item is {most}"
            )


def _claim_and_record(
    parsed: dict[int, AddFeedbackBatchItem], project: Project, control: ControlPlane, intake: _Intake
) -> None:
    keys = control.idempotency
    turns = get_settings().conversation_context_turns
    contexts: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for index, item in sorted(parsed.items()):
        job_id = uuid.uuid4().hex
        body = item.model_dump(mode="json", exclude={"idempotency_key"})
        context: list[dict[str, Any]] = []
        if item.conversation_id:
            seen_by = (item.conversation_id, item.user_id)
            if seen_by not in contexts:
                recent = control.conversations.recent(project.id, item.conversation_id, turns, user_id=item.user_id)
                contexts[seen_by] = [m.model_dump() for m in recent]
            context = contexts[seen_by]

        def record(pipe: Pipeline | None = None, job_id: str = job_id, body: dict = body, context: list = context) -> None:
            control.jobs.create(
                job_id, project.id, "feedback", body, context=context, stages=FEEDBACK_STAGES, pipe=pipe, track=False
            )

        if item.idempotency_key is None:
            record()
        else:
            try:
                claim = keys.claim(project.id, item.idempotency_key, job_id, body, record=record)
            except IdempotencyConflictError as exc:
                intake.reject(index, ErrorCode.BAD_REQUEST, str(exc))
                continue
            if not claim.first:
                entry = {"index": index, "status": "skipped", "task_id": claim.job_id}
                intake.results[index] = entry
                intake.skipped.append(entry)
                continue
            intake.claimed.append((item.idempotency_key, job_id))
        intake.results[index] = {"index": index, "status": "queued", "task_id": job_id}
        intake.accepted.append(BatchItem(index=index, job_id=job_id, tokens=count_tokens(item.feedback_content)))
