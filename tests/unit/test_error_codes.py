"""Which MemOS code a validation failure maps to."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from api.errors import classify_validation_error
from api.schemas import AddFeedbackRequest, SearchMemoryRequest
from core.error_codes import ErrorCode


def code_for(model, body) -> tuple[ErrorCode, str]:
    with pytest.raises(ValidationError) as failure:
        model.model_validate(body)
    errors = [{**e, "loc": ("body", *e["loc"])} for e in failure.value.errors()]
    return classify_validation_error(errors)


def test_missing_beats_wrong_type_when_both_occur() -> None:
    code, message = code_for(AddFeedbackRequest, {"user_id": 5})
    assert code is ErrorCode.MISSING_FIELD and "feedback_content" in message


def test_blank_text_is_missing() -> None:
    assert code_for(AddFeedbackRequest, {"user_id": " \t", "feedback_content": "x"})[0] is ErrorCode.MISSING_FIELD


def test_long_conversation_id_has_its_own_code() -> None:
    body = {"user_id": "u", "feedback_content": "x", "conversation_id": "c" * 101}
    assert code_for(AddFeedbackRequest, body)[0] is ErrorCode.CONVERSATION_ID_TOO_LONG


def test_out_of_range_numbers_are_bad_requests() -> None:
    code, message = code_for(SearchMemoryRequest, {"query": "q", "user_id": "u", "memory_limit_number": 0})
    assert code is ErrorCode.BAD_REQUEST and "memory_limit_number" in message


def test_invalid_json_and_non_objects() -> None:
    assert classify_validation_error([{"type": "json_invalid", "loc": ("body", 1)}])[0] is ErrorCode.BAD_REQUEST
    assert classify_validation_error([{"type": "model_attributes_type", "loc": ("body",)}])[0] is ErrorCode.BAD_REQUEST


def test_nulls_for_optional_fields_take_defaults() -> None:
    request = SearchMemoryRequest.model_validate(
        {"query": "q", "user_id": "u", "knowledgebase_ids": None, "memory_limit_number": None, "relativity": None}
    )
    assert request.knowledgebase_ids == [] and request.memory_limit_number == 6 and request.relativity == 0.0
