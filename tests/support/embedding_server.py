"""An OpenAI-compatible /v1/embeddings server for tests, answering with a real model's vectors
(the bundled one, as a self-hosted TEI or vLLM would answer with theirs). Statuses can be queued
to exercise retries; every request is recorded."""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class EmbeddingServer:
    def __init__(self, embed: Callable[[list[str]], list[list[float]]], model: str = "test-embedder") -> None:
        self.embed = embed
        self.model = model
        self.statuses: deque[int] = deque()
        self.requests: list[dict[str, Any]] = []
        self.authorizations: list[str | None] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> EmbeddingServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                with server._lock:
                    server.requests.append(body)
                    server.authorizations.append(self.headers.get("Authorization"))
                    status = server.statuses.popleft() if server.statuses else 200
                if self.path.rstrip("/") != "/v1/embeddings":
                    status = 404
                if status != 200:
                    self._send(status, {"error": {"message": f"scripted {status}", "type": "test"}})
                    return
                texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
                vectors = server.embed(texts)
                self._send(200, {
                    "object": "list",
                    "model": body.get("model", server.model),
                    # Out of order on purpose: clients must sort by index.
                    "data": [{"object": "embedding", "index": i, "embedding": v} for i, v in reversed(list(enumerate(vectors)))],
                    "usage": {"prompt_tokens": sum(len(t) for t in texts), "total_tokens": sum(len(t) for t in texts)},
                })

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
