"""An OpenAI-compatible /v1/embeddings server for tests, answering with a real model's vectors
(the bundled one, as a self-hosted TEI or vLLM would answer with theirs). Statuses can be queued
to exercise retries; every request is recorded."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from tests.support.loopback_http import LoopbackJSONServer


class EmbeddingServer(LoopbackJSONServer):
    def __init__(self, embed: Callable[[list[str]], list[list[float]]], model: str = "test-embedder") -> None:
        super().__init__()
        self.embed = embed
        self.model = model
        self.statuses: deque[int] = deque()
        self.requests: list[dict[str, Any]] = []
        self.authorizations: list[str | None] = []

    def answer(self, path: str, body: dict[str, Any], headers: Any) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests.append(body)
            self.authorizations.append(headers.get("Authorization"))
            status = self.statuses.popleft() if self.statuses else 200
        if path.rstrip("/") != "/v1/embeddings":
            status = 404
        if status != 200:
            return status, {"error": {"message": f"scripted {status}", "type": "test"}}
        texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
        vectors = self.embed(texts)
        return 200, {
            "object": "list",
            "model": body.get("model", self.model),
            # Out of order on purpose: clients must sort by index.
            "data": [{"object": "embedding", "index": i, "embedding": v} for i, v in reversed(list(enumerate(vectors)))],
            "usage": {"prompt_tokens": sum(len(t) for t in texts), "total_tokens": sum(len(t) for t in texts)},
        }
