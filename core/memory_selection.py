"""Which memories a MemOS `filter` selects (get/memory, delete/memory).

The grammar is MemOS's: {"and": [...]}, {"or": [...]}, or a dict of conditions that must all hold,
each `field: value` or `field: {op: value}`. Fields are memory fields; ops compare:
`in`, `contains` (a tag, or a substring of text), `gt`/`gte`/`lt`/`lte` (times as ISO 8601 or epoch
seconds). A filter only narrows what the caller's project holds: the project is never a field.
Pure: imported by the API (to refuse a bad filter with 40000) and by workers (to apply it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

FIELDS = {
    "id": "id",
    "memory_id": "id",
    "user_id": "user_id",
    "agent_id": "agent_id",
    "app_id": "app_id",
    "conversation_id": "conversation_id",
    "session_id": "conversation_id",
    "memory_type": "memory_type",
    "memory_key": "memory_key",
    "memory_value": "memory_value",
    "knowledgebase_id": "knowledgebase_id",
    "tags": "tags",
    "status": "status",
    "create_time": "create_time",
    "update_time": "update_time",
    "created_at": "create_time",
    "updated_at": "update_time",
}
TIME_FIELDS = {"create_time", "update_time"}
COMPARISONS = {"gt", "gte", "lt", "lte"}
OPERATORS = {"in", "contains", "eq", "ne", *COMPARISONS}
MAX_DEPTH = 8
MAX_CONDITIONS = 200

Predicate = Callable[[dict[str, Any]], bool]


class FilterError(ValueError):
    """The filter is not one memfeed understands; the message says what."""


def compile_filter(spec: Any) -> Predicate:
    """A predicate over a memory's fields (MemoryRecord.model_dump()), or FilterError."""
    count = [0]
    return _compile(spec, 0, count)


def _compile(spec: Any, depth: int, count: list[int]) -> Predicate:
    if depth > MAX_DEPTH:
        raise FilterError(f"filter is nested more than {MAX_DEPTH} levels deep")
    if not isinstance(spec, dict) or not spec:
        raise FilterError("filter must be a non-empty JSON object")
    if set(spec) & {"and", "or"}:
        if len(spec) != 1:
            raise FilterError("a filter with 'and' or 'or' must have only that key")
        [(kind, parts)] = spec.items()
        if not isinstance(parts, list) or not parts:
            raise FilterError(f"filter '{kind}' must be a non-empty list of conditions")
        compiled = [_compile(part, depth + 1, count) for part in parts]
        if kind == "and":
            return lambda memory: all(p(memory) for p in compiled)
        return lambda memory: any(p(memory) for p in compiled)
    conditions = [_condition(field, value, count) for field, value in spec.items()]
    return lambda memory: all(c(memory) for c in conditions)


def _condition(field: str, value: Any, count: list[int]) -> Predicate:
    count[0] += 1
    if count[0] > MAX_CONDITIONS:
        raise FilterError(f"filter has more than {MAX_CONDITIONS} conditions")
    if field not in FIELDS:
        raise FilterError(f"filter field '{field[:50]}' is not supported; fields: {', '.join(sorted(FIELDS))}")
    name = FIELDS[field]
    if not isinstance(value, dict):
        return _op(name, "eq", value)
    if not value:
        raise FilterError(f"filter condition on '{field}' is empty")
    checks = [_op(name, op, operand) for op, operand in value.items()]
    return lambda memory: all(c(memory) for c in checks)


def _op(name: str, op: str, operand: Any) -> Predicate:
    if op not in OPERATORS:
        raise FilterError(f"filter operator '{op[:20]}' is not supported; operators: {', '.join(sorted(OPERATORS))}")
    if name in TIME_FIELDS:
        return _time_op(name, op, operand)
    if op in COMPARISONS:
        raise FilterError(f"'{op}' compares times only (create_time, update_time)")
    if op == "in":
        if not isinstance(operand, list) or not all(isinstance(v, str | int | float | bool) for v in operand):
            raise FilterError(f"'in' on '{name}' needs a list of values")
        allowed = {str(v) for v in operand}
        return lambda memory: _values(memory, name) & allowed != set()
    if not isinstance(operand, str | int | float | bool) and operand is not None:
        raise FilterError(f"'{op}' on '{name}' needs a single value")
    wanted = None if operand is None else str(operand)
    if op == "contains":
        if wanted is None:
            raise FilterError(f"'contains' on '{name}' needs a value")
        if name == "tags":
            return lambda memory: wanted in _values(memory, name)
        return lambda memory: wanted in str(memory.get(name) or "")
    if op == "ne":
        return lambda memory: wanted not in _values(memory, name)
    if wanted is None:
        return lambda memory: memory.get(name) in (None, "", [])
    return lambda memory: wanted in _values(memory, name)


def _values(memory: dict[str, Any], name: str) -> set[str]:
    value = memory.get(name)
    if value is None:
        return set()
    if isinstance(value, list):
        return {str(v) for v in value}
    return {str(value)}


def _time_op(name: str, op: str, operand: Any) -> Predicate:
    if op in {"in", "contains"}:
        raise FilterError(f"'{op}' does not apply to '{name}'")
    moment = _epoch(name, operand)
    compare: dict[str, Callable[[float, float], bool]] = {
        "gt": float.__gt__, "gte": float.__ge__, "lt": float.__lt__, "lte": float.__le__,
        "eq": float.__eq__, "ne": float.__ne__,
    }
    check = compare[op]
    return lambda memory: check(float(memory.get(name) or 0.0), moment)


def _epoch(name: str, operand: Any) -> float:
    if isinstance(operand, bool):
        raise FilterError(f"'{name}' compares with a time (ISO 8601 or epoch seconds)")
    if isinstance(operand, int | float):
        return float(operand)
    if isinstance(operand, str):
        try:
            moment = datetime.fromisoformat(operand.replace("Z", "+00:00"))
        except ValueError as exc:
            message = f"'{name}' compares with a time (ISO 8601 or epoch seconds), not '{operand[:40]}'"
            raise FilterError(message) from exc
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.timestamp()
    raise FilterError(f"'{name}' compares with a time (ISO 8601 or epoch seconds)")
