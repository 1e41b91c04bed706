"""Bad input to the routes MemOS clients use gets a MemOS code and a clear message, never a 500."""

from __future__ import annotations

import httpx
import pytest

from tests.integration.conftest import Stack

PREFIX = "/api/openmem/v1"


def _expect(response: httpx.Response, status: int, code: int, mentions: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code and body["data"] is None, body
    assert mentions in body["message"], body


@pytest.mark.parametrize(
    ("route", "body", "code", "mentions"),
    [
        ("get/memory", {}, 40002, "user_id or agent_id"),
        ("get/memory", {"user_id": "u1", "filter": {"and": "x"}}, 40000, "filter"),
        ("delete/memory", {}, 40002, "delete condition"),
        ("delete/memory", {"filter": {}}, 40002, "filter"),
        ("delete/memory", {"memory_ids": ["m1"], "agent_id": "a1"}, 40000, "not both"),
        ("update/memory", {"memory_id": "m1"}, 40002, "content, title or status"),
        ("update/memory", {"memory_id": "m1", "status": "deleted"}, 40000, "status"),
        ("get/knowledgebase-file", {}, 40002, "exactly one of file_ids and knowledgebase_id"),
        ("get/knowledgebase-file", {"file_ids": ["f1"], "knowledgebase_id": "kb"}, 40000, "exactly one"),
        ("delete/knowledgebase-file", {"file_ids": []}, 40002, "file_ids"),
        ("add/knowledgebase-file", {"knowledgebase_id": "kb"}, 40002, "file"),
    ],
)
def test_bad_bodies(stack: Stack, api_key: str, route: str, body: dict, code: int, mentions: str) -> None:
    response = httpx.post(f"{stack.base_url}{PREFIX}/{route}", json=body, timeout=30,
                          headers={"Authorization": f"Token {api_key}"})
    _expect(response, 400, code, mentions)


def test_bad_uploads_and_ids(stack: Stack, api_key: str) -> None:
    headers = {"Authorization": f"Token {api_key}"}
    url = f"{stack.base_url}{PREFIX}/add/knowledgebase-file"
    no_kb = httpx.post(url, files=[("file", ("a.txt", b"Some text.", "text/plain"))], headers=headers, timeout=30)
    _expect(no_kb, 400, 40002, "knowledgebase_id")
    binary = httpx.post(url, params={"knowledgebase_id": "kb"}, headers=headers, timeout=30,
                        files=[("file", ("a.pdf", b"%PDF-\xff\xfe\x00", "application/pdf"))])
    _expect(binary, 400, 40000, "UTF-8")
    form_headers = {**headers, "Content-Type": "multipart/form-data; boundary=x"}
    broken = httpx.post(url, content=b"--x\r\nnot a part", headers=form_headers, timeout=30)
    assert broken.status_code == 400 and broken.json()["code"] in {40000, 40002}, broken.text
    foreign = httpx.post(url, params={"knowledgebase_id": "not-ours"}, headers=headers, timeout=30,
                         files=[("file", ("a.txt", b"Some text.", "text/plain"))])
    _expect(foreign, 403, 50123, "not-ours")

    long_id = httpx.get(f"{stack.base_url}{PREFIX}/get/memory/{'m' * 101}", headers=headers, timeout=30)
    assert long_id.status_code == 400 and long_id.json()["code"] == 40000, long_id.text
    unknown = httpx.get(f"{stack.base_url}{PREFIX}/get/memory/not-a-memory", headers=headers, timeout=30)
    _expect(unknown, 404, 40400, "not-a-memory")
    anonymous = httpx.get(f"{stack.base_url}{PREFIX}/get/memory/not-a-memory", timeout=30)
    assert anonymous.status_code == 401 and anonymous.json()["code"] == 40100
