"""A scripted OpenAI-compatible chat-completions server for tests (the only stand-in allowed).

Each request's judgement is read from the system prompt ("TASK: <name>"); the test queues
replies per judgement: a JSON answer, raw text, an HTTP status, or a delay before a reply.
With nothing queued, `default(judgement, data)` answers.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

USAGE = {"prompt_tokens": 120, "completion_tokens": 30, "total_tokens": 150}


@dataclass
class Reply:
    body: Any = None  # a dict/list is sent as JSON content; a str as raw content
    status: int = 200
    delay: float = 0.0
    usage: dict[str, int] = field(default_factory=lambda: dict(USAGE))


@dataclass
class SeenRequest:
    judgement: str
    data: dict[str, Any]
    model: str


class ScriptedLLM:
    def __init__(self, default: Callable[[str, dict[str, Any]], Any] | None = None) -> None:
        self.default = default or (lambda judgement, data: {})
        self.queued: dict[str, deque[Reply]] = defaultdict(deque)
        self.requests: list[SeenRequest] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def queue(self, judgement: str, *replies: Reply) -> None:
        with self._lock:
            self.queued[judgement].extend(replies)

    def seen(self, judgement: str) -> list[SeenRequest]:
        return [r for r in self.requests if r.judgement == judgement]

    def __enter__(self) -> ScriptedLLM:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next_reply(self, judgement: str, data: dict[str, Any]) -> Reply:
        with self._lock:
            if self.queued[judgement]:
                return self.queued[judgement].popleft()
        return Reply(self.default(judgement, data))

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        llm = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                request = json.loads(self.rfile.read(length))
                system = next((m["content"] for m in request["messages"] if m["role"] == "system"), "")
                judgement = (re.search(r"TASK: (\w+)", system) or [None, "unknown"])[1]
                user = next((m["content"] for m in request["messages"] if m["role"] == "user"), "{}")
                data = json.loads(user)
                with llm._lock:
                    llm.requests.append(SeenRequest(judgement, data, request.get("model", "")))
                reply = llm._next_reply(judgement, data)
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.status != 200:
                    self._send(reply.status, {"error": {"message": f"scripted {reply.status}", "type": "server_error"}})
                    return
                content = reply.body if isinstance(reply.body, str) else json.dumps(reply.body, ensure_ascii=False)
                self._send(200, {
                    "id": "chatcmpl-scripted", "object": "chat.completion", "created": int(time.time()),
                    "model": request.get("model", "scripted"),
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": content}}],
                    "usage": reply.usage,
                })

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a scripted timeout)

        return Handler
