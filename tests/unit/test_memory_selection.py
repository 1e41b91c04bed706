"""The MemOS filter grammar that get/memory and delete/memory accept (core/memory_selection.py)."""

from __future__ import annotations

import pytest

from core.memory_selection import FilterError, compile_filter

MEMORY = {
    "id": "m1", "user_id": "u1", "agent_id": "a1", "conversation_id": "c1", "memory_type": "LongTermMemory",
    "memory_value": "The user lives in Oslo.", "tags": ["conversation"], "create_time": 1_700_000_000.0,
}


@pytest.mark.parametrize(
    ("spec", "matches"),
    [
        ({"user_id": "u1"}, True),
        ({"user_id": "u2"}, False),
        ({"user_id": "u1", "conversation_id": "c2"}, False),
        ({"session_id": "c1"}, True),
        ({"and": [{"user_id": "u1"}, {"agent_id": "a1"}]}, True),
        ({"or": [{"user_id": "u2"}, {"tags": {"contains": "conversation"}}]}, True),
        ({"user_id": {"in": ["u3", "u1"]}}, True),
        ({"memory_value": {"contains": "Oslo"}}, True),
        ({"create_time": {"gte": "2023-11-14T00:00:00Z", "lt": 1_800_000_000}}, True),
        ({"create_time": {"gt": "2024-01-01"}}, False),
        ({"app_id": None}, True),
        ({"user_id": {"ne": "u1"}}, False),
    ],
)
def test_conditions(spec: dict, matches: bool) -> None:
    assert compile_filter(spec)(MEMORY) is matches


@pytest.mark.parametrize(
    ("spec", "mentions"),
    [
        ({}, "non-empty"),
        ([{"user_id": "u1"}], "non-empty JSON object"),
        ({"project_id": "p2"}, "project_id"),
        ({"and": {"user_id": "u1"}}, "list"),
        ({"and": [], "user_id": "u1"}, "only that key"),
        ({"user_id": {"gt": "u1"}}, "times only"),
        ({"user_id": {"regex": ".*"}}, "regex"),
        ({"create_time": {"gte": "yesterday"}}, "ISO 8601"),
        ({"user_id": {"in": "u1"}}, "list"),
    ],
)
def test_what_is_refused(spec: object, mentions: str) -> None:
    with pytest.raises(FilterError) as refused:
        compile_filter(spec)
    assert mentions in str(refused.value)


def test_depth_is_bounded() -> None:
    spec: dict = {"user_id": "u1"}
    for _ in range(20):
        spec = {"and": [spec]}
    with pytest.raises(FilterError, match="nested"):
        compile_filter(spec)
