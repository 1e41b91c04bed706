"""What a feedback job's earlier stages decided, read back from its record.

Each stage records its result on the job record and hands the next stage only the job id, so no
task message carries feedback or memory text, and a resumed job sees exactly what a running one
would.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from core.control.jobs import FEEDBACK_STAGES, JobRecord
from pipeline import stages
from pipeline.models import Classification, PlannedChange, RejectedWrite

_SETTLED = {"done", "skipped"}


class FeedbackState(BaseModel):
    job_id: str
    valid: bool = True
    reason: str = ""
    classification: Classification | None = None
    plan: list[PlannedChange] = Field(default_factory=list)
    # Set when every change the lookup found was refused by the write gate.
    unresolved: str | None = None
    # The lowest confidence among the decisions so far.
    confidence: float = 1.0


def feedback_state(record: JobRecord) -> FeedbackState:
    state = FeedbackState(job_id=record.id)
    validate = _done(record, "validate")
    if validate is not None:
        state.valid, state.reason = bool(validate["valid"]), str(validate["reason"])
        state.confidence = min(state.confidence, float(validate.get("confidence", 1.0)))
    classify = _done(record, "classify")
    if classify is not None:
        state.classification = Classification.model_validate(_without_judgements(classify))
        state.confidence = min(state.confidence, state.classification.confidence)
    lookup = _done(record, "lookup")
    if lookup is not None:
        if "refused" in lookup:
            state.valid, state.reason = False, f"keyword replacement refused: {lookup['refused']}"
        state.plan = [PlannedChange.model_validate(change) for change in lookup.get("planned", [])]
        state.confidence = min([state.confidence, *(change.confidence for change in state.plan)])
        rejected = [RejectedWrite.model_validate(r) for r in lookup.get("rejected", [])]
        if rejected and not state.plan:
            state.unresolved = stages.unresolved_reason(rejected)
    return state


def next_stage(record: JobRecord) -> str:
    """The first stage not yet settled; write when every stage settled but the job never ended
    (the write's bookkeeping was lost)."""
    for stage in FEEDBACK_STAGES:
        recorded = record.stages.get(stage)
        if recorded is None or recorded.state not in _SETTLED:
            return stage
    return "write"


def _done(record: JobRecord, stage: str) -> dict[str, Any] | None:
    recorded = record.stages.get(stage)
    return recorded.detail if recorded is not None and recorded.state == "done" else None


def _without_judgements(detail: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in detail.items() if key != "judgements"}
