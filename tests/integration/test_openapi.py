"""/openapi.json tells the truth: typed answers that real answers match field for field, the
errors the API really gives (no 422), the API-key security scheme and a description per operation."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import httpx
import pytest
import jsonschema_rs

from api.client import MemfeedClient

from .conftest import Stack

PREFIX = "/api/openmem/v1"


@pytest.fixture(scope="module")
def openapi(stack: Stack) -> dict[str, Any]:
    return httpx.get(f"{stack.base_url}/openapi.json", timeout=10).json()


def _memos_operations(openapi: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """By path; a path has one method here (the GET one is named with its method)."""
    return {path if method == "post" else f"{method.upper()} {path}": operation
            for path, operations in openapi["paths"].items() if path.startswith(PREFIX)
            for method, operation in operations.items()}


def test_no_operation_documents_an_error_it_never_gives(openapi: dict[str, Any]) -> None:
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            assert "422" not in operation["responses"], (method, path)
    assert "HTTPValidationError" not in openapi["components"]["schemas"]


def test_every_operation_has_a_description(openapi: dict[str, Any]) -> None:
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            assert len(operation.get("description", "")) > 20, (method, path)


def test_memos_operations_are_secured_typed_and_list_their_errors(openapi: dict[str, Any]) -> None:
    schemes = openapi["components"]["securitySchemes"]
    assert schemes["MemOSToken"] == {**schemes["MemOSToken"], "type": "apiKey", "in": "header", "name": "Authorization"}
    operations = _memos_operations(openapi)
    assert len(operations) >= 14
    for path, operation in operations.items():
        assert {"MemOSToken": []} in operation["security"], path
        assert all(p["name"].lower() != "authorization" for p in operation.get("parameters", [])), path
        responses = operation["responses"]
        assert {"200", "400", "401", "500"} <= set(responses), path
        assert "40000" in responses["400"]["description"], path
        if "requestBody" in operation:
            assert "40002" in responses["400"]["description"] and "40000" in responses["413"]["description"], path
        assert "40100" in responses["401"]["description"], path
        assert "50000" in responses["500"]["description"] and "50145" in responses["500"]["description"], path
        ref = responses["200"]["content"]["application/json"]["schema"]["$ref"]
        assert ref != "#/components/schemas/Envelope", f"{path} answers an untyped envelope"
    assert "40011" in operations[f"{PREFIX}/add/feedback"]["responses"]["400"]["description"]
    for route in ("get/status", "revert/feedback", "get/batch", "get/memory/history"):
        assert "40400" in operations[f"{PREFIX}/{route}"]["responses"]["404"]["description"], route
    for route in ("add/feedback", "search/memory", "add/message", "add/knowledgebase-file"):
        responses = operations[f"{PREFIX}/{route}"]["responses"]
        assert "40305" in responses["413"]["description"] and "40309" in responses["429"]["description"], route
    for route in ("search/memory", "get/memory", "delete/memory", "get/memory/history", "add/message"):
        assert "50400" in operations[f"{PREFIX}/{route}"]["responses"]["504"]["description"], route
    batch_body = operations[f"{PREFIX}/add/feedback/batch"]["requestBody"]["content"]["application/json"]["schema"]
    assert batch_body["type"] == "array"


def _closed(schema: Any) -> Any:
    """The schema with every object closed: a field the document does not name fails validation."""
    if isinstance(schema, dict):
        closed = {key: _closed(value) for key, value in schema.items()}
        if "properties" in closed and "additionalProperties" not in closed:
            closed["additionalProperties"] = False
        return closed
    if isinstance(schema, list):
        return [_closed(item) for item in schema]
    return schema


def _check(openapi: dict[str, Any], stack: Stack, key: str, route: str, body: Any) -> dict[str, Any]:
    response = httpx.post(f"{stack.base_url}{PREFIX}/{route}", json=body, timeout=60,
                          headers={"Authorization": f"Token {key}"})
    documented = openapi["paths"][f"{PREFIX}/{route}"]["post"]["responses"][str(response.status_code)]
    schema = {**documented["content"]["application/json"]["schema"],
              "components": _closed(copy.deepcopy(openapi["components"]))}
    errors = [f"{list(e.instance_path)}: {e.message}"
              for e in jsonschema_rs.Draft202012Validator(schema).iter_errors(response.json())]
    assert not errors, (route, response.status_code, response.json(), errors)
    return response.json()["data"]


def test_real_answers_match_the_documented_shapes(
    openapi: dict[str, Any], stack: Stack, api_key: str, client: MemfeedClient
) -> None:
    user = f"user-{uuid.uuid4().hex[:10]}"
    kb = _check(openapi, stack, api_key, "create/knowledgebase",
                {"knowledgebase_name": "Finance", "knowledgebase_description": "rules"})["id"]
    [added_file] = _check(openapi, stack, api_key, "add/knowledgebase-file", {"knowledgebase_id": kb, "file": [
        {"name": "policy.md", "content": "The purchase limit for office software is 800 CNY."}]})
    file_task = added_file["task_id"]
    client.wait(file_task)
    _check(openapi, stack, api_key, "get/status", {"task_id": file_task})
    added = _check(openapi, stack, api_key, "add/message", {
        "user_id": user, "conversation_id": "c1", "async_mode": False,
        "messages": [{"role": "user", "content": "I live in Rome."}]})
    assert added["memories"]
    _check(openapi, stack, api_key, "add/message", {
        "user_id": user, "conversation_id": "c1", "messages": [{"role": "user", "content": "I like tea."}]})
    _check(openapi, stack, api_key, "get/message", {"user_id": user, "conversation_id": "c1"})
    task = _check(openapi, stack, api_key, "add/feedback", {
        "user_id": user, "feedback_content": "I live in Milan now, not in Rome.", "conversation_id": "c1"})["task_id"]
    status = client.wait(task)
    assert status["outcome"] == "applied", status
    _check(openapi, stack, api_key, "get/status", {"task_id": task})
    hits = _check(openapi, stack, api_key, "search/memory",
                  {"query": "Where does the user live?", "user_id": user, "knowledgebase_ids": [kb]})
    _check(openapi, stack, api_key, "get/memory", {"user_id": user})
    corrected = status["changes"][0]["new_memory_id"]
    _check(openapi, stack, api_key, "get/memory/history", {"memory_id": corrected})
    revert = _check(openapi, stack, api_key, "revert/feedback", {"task_id": task})["task_id"]
    client.wait(revert)
    _check(openapi, stack, api_key, "get/status", {"task_id": revert})
    batch = _check(openapi, stack, api_key, "add/feedback/batch",
                   [{"user_id": user, "feedback_content": "thanks!"}, {"user_id": ""}])
    client.wait_batch(batch["batch_id"])
    _check(openapi, stack, api_key, "get/batch", {"batch_id": batch["batch_id"]})
    _check(openapi, stack, api_key, "delete/memory",
           {"user_id": user, "memory_ids": [hits["memory_detail_list"][0]["id"], "no-such-id"]})
    _check(openapi, stack, api_key, "delete/knowledgebase", {"knowledgebase_id": kb})
    # The errors are documented as they come.
    _check(openapi, stack, api_key, "get/status", {"task_id": "no-such-task"})
    _check(openapi, stack, api_key, "get/status", {})
    _check(openapi, stack, "wrong-key", "get/memory", {"user_id": user})
