"""Runs inside the MemoryOS environment (not memfeed's): calls the official, unmodified MemOSClient
on request. One JSON line in: {"base_url", "api_key", "method", "kwargs"}; one JSON line out:
{"ok": true, "result": ...} or {"ok": false, "error": {"type", "message", "status", "body"}}.

The client is imported once (it takes seconds); everything it or its dependencies print goes to
stderr, so stdout carries only the answers."""

from __future__ import annotations

import json
import os
import sys
import traceback
from typing import Any

_answers = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
os.dup2(2, 1)
sys.stdout = sys.stderr

from memos.api.client import MemOSClient  # noqa: E402


def _plain(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    return value


def _error(exc: Exception) -> dict[str, Any]:
    response = getattr(exc, "response", None)
    body = None
    if response is not None:
        try:
            body = response.json()
        except ValueError:
            body = response.text[:2000]
    return {
        "type": type(exc).__name__,
        "message": str(exc)[:2000],
        "status": response.status_code if response is not None else None,
        "body": body,
    }


def main() -> None:
    _answers.write(json.dumps({"ready": True}) + "\n")
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            client = MemOSClient(api_key=request["api_key"], base_url=request["base_url"])
            result = getattr(client, request["method"])(**request.get("kwargs", {}))
            answer = {"ok": True, "result": _plain(result)}
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the test
            traceback.print_exc()
            answer = {"ok": False, "error": _error(exc)}
        _answers.write(json.dumps(answer) + "\n")


if __name__ == "__main__":
    main()
