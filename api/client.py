"""A small Python client for memfeed's MemOS-compatible API."""

from __future__ import annotations

import time
from typing import Any

import httpx

API_PREFIX = "/api/openmem/v1"


class MemfeedAPIError(Exception):
    def __init__(self, code: int, message: str, http_status: int) -> None:
        super().__init__(f"{code}: {message} (HTTP {http_status})")
        self.code = code
        self.message = message
        self.http_status = http_status


class MemfeedClient:
    def __init__(self, base_url: str, api_key: str, timeout: float = 60.0) -> None:
        self._http = httpx.Client(
            base_url=base_url.rstrip("/") + API_PREFIX,
            headers={"Authorization": f"Token {api_key}"},
            timeout=timeout,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> MemfeedClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def post(self, route: str, body: dict[str, Any] | list[Any]) -> Any:
        response = self._http.post(f"/{route}", json=body)
        try:
            payload = response.json()
        except ValueError as exc:
            raise MemfeedAPIError(-1, response.text[:200], response.status_code) from exc
        if response.status_code != 200 or payload.get("code") != 0:
            raise MemfeedAPIError(payload.get("code", -1), payload.get("message", ""), response.status_code)
        return payload["data"]

    def add_feedback(self, user_id: str, feedback_content: str, **fields: Any) -> str:
        data = self.post("add/feedback", {"user_id": user_id, "feedback_content": feedback_content, **fields})
        return data["task_id"]

    def get_status(self, task_id: str) -> dict[str, Any]:
        return self.post("get/status", {"task_id": task_id})

    def wait(self, task_id: str, timeout: float = 120.0, interval: float = 0.2) -> dict[str, Any]:
        """Poll get/status until the task is completed or failed."""
        deadline = time.monotonic() + timeout
        while True:
            status = self.get_status(task_id)
            if status["status"] != "running":
                return status
            if time.monotonic() > deadline:
                raise TimeoutError(f"task {task_id} still running after {timeout:g} s")
            time.sleep(interval)

    def add_feedback_batch(self, items: list[Any]) -> dict[str, Any]:
        """Up to 1,000 add/feedback bodies (each may carry an `idempotency_key`) → batch_id and per-item results."""
        return self.post("add/feedback/batch", items)

    def get_batch(self, batch_id: str, failed_offset: int = 0, failed_limit: int = 100) -> dict[str, Any]:
        body = {"batch_id": batch_id, "failed_offset": failed_offset, "failed_limit": failed_limit}
        return self.post("get/batch", body)

    def wait_batch(self, batch_id: str, timeout: float = 300.0, interval: float = 0.5) -> dict[str, Any]:
        """Poll get/batch until no item is queued or running."""
        deadline = time.monotonic() + timeout
        while True:
            status = self.get_batch(batch_id)
            if status["done"]:
                return status
            if time.monotonic() > deadline:
                raise TimeoutError(f"batch {batch_id} not done after {timeout:g} s")
            time.sleep(interval)

    def search(self, query: str, user_id: str, **fields: Any) -> list[dict[str, Any]]:
        return self.post("search/memory", {"query": query, "user_id": user_id, **fields})["memory_detail_list"]

    def add_message(self, user_id: str, conversation_id: str, messages: list[dict[str, str]], **fields: Any) -> Any:
        body = {"user_id": user_id, "conversation_id": conversation_id, "messages": messages, **fields}
        return self.post("add/message", body)

    def get_memory(self, user_id: str, page: int = 1, size: int = 20) -> dict[str, Any]:
        return self.post("get/memory", {"user_id": user_id, "page": page, "size": size})

    def delete_memory(self, user_id: str, memory_ids: list[str]) -> dict[str, Any]:
        return self.post("delete/memory", {"user_id": user_id, "memory_ids": memory_ids})

    def create_knowledgebase(self, name: str, description: str = "") -> str:
        body = {"knowledgebase_name": name, "knowledgebase_description": description}
        return self.post("create/knowledgebase", body)["id"]

    def add_knowledgebase_file(self, knowledgebase_id: str, files: list[dict[str, str]]) -> str:
        """The task that ingests the files (`data` lists the files, each naming it)."""
        added = self.post("add/knowledgebase-file", {"knowledgebase_id": knowledgebase_id, "file": files})
        return added[0]["task_id"]

    def delete_knowledgebase(self, knowledgebase_id: str) -> Any:
        return self.post("delete/knowledgebase", {"knowledgebase_id": knowledgebase_id})
