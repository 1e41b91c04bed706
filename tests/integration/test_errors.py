"""Bad input gets a MemOS code and a clear message, never a 500, and nothing is enqueued."""

from __future__ import annotations

import httpx
import pytest

from api.client import MemfeedClient

from .conftest import Stack

PREFIX = "/api/openmem/v1"


def _post(stack: Stack, key: str | None, route: str, headers: dict | None = None, **kwargs) -> httpx.Response:
    headers = {**(headers or {}), **({"Authorization": f"Token {key}"} if key else {})}
    return httpx.post(f"{stack.base_url}{PREFIX}/{route}", headers=headers, timeout=30, **kwargs)


def _expect(response: httpx.Response, http_status: int, code: int) -> str:
    assert response.status_code == http_status, response.text
    body = response.json()
    assert body["code"] == code, body
    assert body["message"] and body["data"] is None
    return body["message"]


@pytest.mark.parametrize(
    ("body", "code", "mentions"),
    [
        ({"feedback_content": "I live in Rome."}, 40002, "user_id"),
        ({"user_id": "u1"}, 40002, "feedback_content"),
        ({"user_id": "u1", "feedback_content": ""}, 40002, "feedback_content"),
        ({"user_id": "u1", "feedback_content": "   "}, 40002, "feedback_content"),
        ({"user_id": None, "feedback_content": "I live in Rome."}, 40002, "user_id"),
        ({"user_id": 42, "feedback_content": "I live in Rome."}, 40000, "user_id"),
        ({"user_id": "u1", "feedback_content": ["a"]}, 40000, "feedback_content"),
        ({"user_id": "u1", "feedback_content": "x", "allow_knowledgebase_ids": "kb"}, 40000, "allow_knowledgebase_ids"),
        ({"user_id": "u1", "feedback_content": "x", "conversation_id": "c" * 101}, 40011, "conversation_id"),
    ],
)
def test_add_feedback_rejects_bad_fields(stack: Stack, api_key: str, body: dict, code: int, mentions: str) -> None:
    message = _expect(_post(stack, api_key, "add/feedback", json=body), 400, code)
    assert mentions in message


def test_body_that_is_not_json_or_not_an_object(stack: Stack, api_key: str) -> None:
    headers = {"Content-Type": "application/json"}
    _expect(_post(stack, api_key, "add/feedback", content=b"{not json", headers=headers), 400, 40000)
    _expect(_post(stack, api_key, "add/feedback", json=["user_id", "u1"]), 400, 40000)
    _expect(_post(stack, api_key, "search/memory", content=b"", headers=headers), 400, 40000)


def test_conversation_id_of_exactly_100_characters_is_accepted(client: MemfeedClient, user_id: str) -> None:
    status = client.wait(client.add_feedback(user_id, "thanks", conversation_id="c" * 100))
    assert status["status"] == "completed"


def test_missing_or_wrong_api_key(stack: Stack) -> None:
    body = {"user_id": "u1", "feedback_content": "I live in Rome."}
    _expect(_post(stack, None, "add/feedback", json=body), 401, 40100)
    _expect(_post(stack, "mf_not-a-real-key", "add/feedback", json=body), 401, 40100)
    response = httpx.post(f"{stack.base_url}{PREFIX}/add/feedback", json=body,
                          headers={"Authorization": "Basic abc"}, timeout=30)
    _expect(response, 401, 40100)


def test_unknown_task_id(stack: Stack, api_key: str) -> None:
    message = _expect(_post(stack, api_key, "get/status", json={"task_id": "no-such-task"}), 404, 40400)
    assert "no-such-task" in message
    _expect(_post(stack, api_key, "get/status", json={}), 400, 40002)


def test_knowledgebase_of_another_project(stack: Stack, api_key: str) -> None:
    other_key = stack.create_project()
    with MemfeedClient(stack.base_url, other_key) as other:
        foreign_kb = other.create_knowledgebase("Theirs")
    feedback = {"user_id": "u1", "feedback_content": "The limit is 5 days.", "allow_knowledgebase_ids": [foreign_kb]}
    assert foreign_kb in _expect(_post(stack, api_key, "add/feedback", json=feedback), 403, 50123)
    search = {"query": "limit", "user_id": "u1", "knowledgebase_ids": [foreign_kb]}
    _expect(_post(stack, api_key, "search/memory", json=search), 403, 50123)
    kb_file = {"knowledgebase_id": foreign_kb, "file": [{"name": "a.txt", "content": "Some text."}]}
    _expect(_post(stack, api_key, "add/knowledgebase-file", json=kb_file), 403, 50123)
    _expect(_post(stack, api_key, "delete/knowledgebase", json={"knowledgebase_id": foreign_kb}), 403, 50123)
    unknown = {**feedback, "allow_knowledgebase_ids": ["kb-that-does-not-exist"]}
    _expect(_post(stack, api_key, "add/feedback", json=unknown), 403, 50123)


def test_optional_fields_may_be_null(stack: Stack, api_key: str) -> None:
    body = {
        "query": "where does the user live", "user_id": "u1", "knowledgebase_ids": None,
        "memory_limit_number": None, "relativity": None, "conversation_id": None, "filter": None,
        "include_preference": True,
    }
    response = _post(stack, api_key, "search/memory", json=body)
    assert response.status_code == 200 and response.json()["code"] == 0
    feedback = {"user_id": "u1", "feedback_content": "thanks", "conversation_id": None,
                "allow_knowledgebase_ids": None, "allow_public": None, "agent_id": None}
    response = _post(stack, api_key, "add/feedback", json=feedback)
    assert response.status_code == 200 and response.json()["data"]["status"] == "running"


@pytest.mark.parametrize(
    "route",
    ["add/feedback", "get/status", "search/memory", "add/message", "get/message", "get/memory",
     "delete/memory", "create/knowledgebase", "delete/knowledgebase", "add/knowledgebase-file"],
)
@pytest.mark.parametrize("body", [{}, {"user_id": 1}, {"user_id": ""}, [], "text", 3, None, {"messages": "x"}])
def test_no_route_answers_500_to_bad_input(stack: Stack, api_key: str, route: str, body: object) -> None:
    response = _post(stack, api_key, route, json=body)
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["code"] in {40000, 40002, 40011}


def test_malformed_input_is_refused_and_never_echoed_whole(stack: Stack, api_key: str) -> None:
    json_headers = {"Content-Type": "application/json"}
    deep = "[" * 1000 + "]" * 1000
    message = _expect(_post(stack, api_key, "add/feedback/batch", content=deep, headers=json_headers), 400, 40000)
    assert "nested too deeply" in message

    surrogate = '"I like \\ud800 tea"'
    for route, body in [
        ("search/memory", '{"user_id": "u1", "query": ' + surrogate + "}"),
        ("add/feedback", '{"user_id": "u1", "feedback_content": ' + surrogate + "}"),
        ("add/message", '{"user_id": "u1", "conversation_id": "c1", "messages": [{"role": "user", "content": '
                        + surrogate + "}]}"),
        ("add/feedback/batch", '[{"user_id": "u1", "feedback_content": ' + surrogate + "}]"),
    ]:
        response = _post(stack, api_key, route, content=body, headers=json_headers)
        if route.endswith("batch"):
            assert response.status_code == 200, response.text
            [item] = response.json()["data"]["items"]
            assert item["code"] == 40000 and "surrogate" in item["message"]
        else:
            assert "surrogate" in _expect(response, 400, 40000)

    huge = "x" * 100_000
    response = _post(stack, api_key, "get/status", json={"task_id": huge})
    assert "task_id" in _expect(response, 400, 40000) and len(response.text) < 1_000


@pytest.mark.parametrize(
    ("route", "body", "field"),
    [
        ("add/feedback", {"user_id": "u" * 101, "feedback_content": "I live in Rome."}, "user_id"),
        ("add/feedback", {"user_id": "u1", "feedback_content": "x", "agent_id": "a" * 101}, "agent_id"),
        ("add/feedback", {"user_id": "u1", "feedback_content": "x", "allow_knowledgebase_ids": ["k" * 101]},
         "allow_knowledgebase_ids"),
        ("search/memory", {"user_id": "u1", "query": "tea", "knowledgebase_ids": ["k" * 101]}, "knowledgebase_ids"),
        ("create/knowledgebase", {"knowledgebase_name": "n" * 201}, "knowledgebase_name"),
        ("delete/memory", {"user_id": "u1", "memory_ids": ["m" * 101]}, "memory_ids"),
    ],
)
def test_ids_and_names_are_bounded(stack: Stack, api_key: str, route: str, body: dict, field: str) -> None:
    message = _expect(_post(stack, api_key, route, json=body), 400, 40000)
    assert field in message and ("100" in message or "200" in message)
