"""A scripted OpenAI-compatible chat-completions server for tests (the only stand-in allowed).

Each request's judgement is read from the system prompt ("TASK: <name>"); the test queues
replies per judgement: a JSON answer, raw text, an HTTP status, or a delay before a reply.
With nothing queued, `default(judgement, data)` answers.
"""

from __future__ import annotations

import json
import re
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.support.loopback_http import LoopbackJSONServer

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
    system: str = ""


class ScriptedLLM(LoopbackJSONServer):
    def __init__(self, default: Callable[[str, dict[str, Any]], Any] | None = None) -> None:
        super().__init__()
        self.default = default or (lambda judgement, data: {})
        self.queued: dict[str, deque[Reply]] = defaultdict(deque)
        self.requests: list[SeenRequest] = []

    def queue(self, judgement: str, *replies: Reply) -> None:
        with self._lock:
            self.queued[judgement].extend(replies)

    def seen(self, judgement: str) -> list[SeenRequest]:
        return [r for r in self.requests if r.judgement == judgement]

    def _next_reply(self, judgement: str, data: dict[str, Any]) -> Reply:
        with self._lock:
            if self.queued[judgement]:
                return self.queued[judgement].popleft()
        return Reply(self.default(judgement, data))

    def answer(self, path: str, body: dict[str, Any], headers: Any) -> tuple[int, dict[str, Any]]:
        system = next((m["content"] for m in body["messages"] if m["role"] == "system"), "")
        judgement = (re.search(r"TASK: (\w+)", system) or [None, "unknown"])[1]
        user = next((m["content"] for m in body["messages"] if m["role"] == "user"), "{}")
        data = json.loads(user)
        with self._lock:
            self.requests.append(SeenRequest(judgement, data, body.get("model", ""), system))
        reply = self._next_reply(judgement, data)
        if reply.delay:
            time.sleep(reply.delay)
        if reply.status != 200:
            return reply.status, {"error": {"message": f"scripted {reply.status}", "type": "server_error"}}
        content = reply.body if isinstance(reply.body, str) else json.dumps(reply.body, ensure_ascii=False)
        return 200, {
            "id": "chatcmpl-scripted", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model", "scripted"),
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
            "usage": reply.usage,
        }
