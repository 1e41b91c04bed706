"""Search: search/memory latency through the stack (HTTP → API → reads queue → worker → Qdrant Edge)."""

from __future__ import annotations

import time
from typing import Any

import httpx

from api.client import API_PREFIX
from tests.bench.suite_common import summarize
from tests.bench.suite_stack import MemfeedStack


def search_memory(stack: MemfeedStack, api_key: str, queries: list[tuple[str, str]], warmup: int = 20,
                  ) -> dict[str, Any]:
    """One client, one request at a time: the latency a caller sees."""
    url = f"{stack.base_url}{API_PREFIX}/search/memory"
    timings, hits = [], 0
    with httpx.Client(headers={"Authorization": f"Token {api_key}"}, timeout=60) as client:
        for position, (user, query) in enumerate(queries[:warmup] + queries):
            started = time.perf_counter()
            response = client.post(url, json={"query": query, "user_id": user})
            elapsed = (time.perf_counter() - started) * 1000
            body = response.json()
            if response.status_code != 200 or body.get("code") != 0:
                raise RuntimeError(f"search/memory failed: {response.status_code} {body}")
            if position >= warmup:
                timings.append(elapsed)
                hits += len(body["data"]["memory_detail_list"])
    return {**summarize(timings), "mean_hits": round(hits / len(queries), 2)}
