"""HTTP bodies of the backfill routes: add/feedback/batch and get/batch."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator

from api.schemas import AddFeedbackRequest, MemosRequest, RequiredId, _null_means_default

MAX_BATCH_ITEMS = 1_000
MAX_IDEMPOTENCY_KEY_LENGTH = 255


class AddFeedbackBatchItem(AddFeedbackRequest):
    """One add/feedback body, with an optional key that makes resending it harmless."""

    idempotency_key: Annotated[str, Field(max_length=MAX_IDEMPOTENCY_KEY_LENGTH)] | None = None

    @field_validator("idempotency_key")
    @classmethod
    def _key_not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must not be blank")
        return value


class GetBatchRequest(MemosRequest):
    batch_id: RequiredId
    # Which of the failed items to list (all counts are always complete).
    failed_offset: int = Field(default=0, ge=0)
    failed_limit: int = Field(default=100, ge=0, le=1_000)

    _defaults = field_validator("failed_offset", "failed_limit", mode="before")(classmethod(_null_means_default))
