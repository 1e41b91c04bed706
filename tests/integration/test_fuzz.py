"""The HTTP API fuzzed from its own OpenAPI schema with schemathesis' generators: valid and
invalid bodies alike never get a 500, and every rejection carries a MemOS code."""

from __future__ import annotations

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from .conftest import Stack

MEMOS_CODES = {40000, 40002, 40011, 40100, 40305, 40309, 40400, 50123}
EXAMPLES_PER_OPERATION_AND_MODE = 15


def _memos_operations(stack: Stack) -> list[schemathesis.APIOperation]:
    schema = schemathesis.openapi.from_url(f"{stack.base_url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    # Operational endpoints answer plain JSON or Prometheus text, not the MemOS envelope.
    return [op for op in operations if op.path.startswith("/api/openmem/v1/")]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_no_500_and_memos_codes(stack: Stack, mode: GenerationMode) -> None:
    operations = _memos_operations(stack)
    assert len(operations) >= 10
    # A project of its own: fuzzed bodies set review policies and webhooks, which other tests must not see.
    headers = {"Authorization": f"Token {stack.create_project()}"}
    nothing_to_violate = []
    for operation in operations:

        @settings(max_examples=EXAMPLES_PER_OPERATION_AND_MODE, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def check(case: schemathesis.Case) -> None:
            response = case.call(base_url=stack.base_url, headers=headers, timeout=60)
            assert response.status_code < 500, (operation.label, case.body, response.text)
            body = response.json()
            if response.status_code >= 400:
                assert body["code"] in MEMOS_CODES and body["message"], (operation.label, case.body, body)
            else:
                assert body["code"] == 0

        try:
            check()
        except Unsatisfiable:
            # Negative mode: a schema with nothing left to violate (every field optional, any type).
            nothing_to_violate.append(operation.label)
    print(f"{mode.value}: {len(operations)} operations, nothing to violate in {nothing_to_violate}")
    assert len(nothing_to_violate) <= len(operations) // 4, nothing_to_violate


def test_the_schema_covers_every_memos_route(stack: Stack) -> None:
    paths = set(httpx.get(f"{stack.base_url}/openapi.json", timeout=10).json()["paths"])
    for route in ("add/feedback", "get/status", "search/memory", "add/message", "get/message", "get/memory",
                  "delete/memory", "create/knowledgebase", "delete/knowledgebase", "add/knowledgebase-file",
                  "get/memory/history", "revert/feedback"):
        assert f"/api/openmem/v1/{route}" in paths
