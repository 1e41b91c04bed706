"""Closed-loop HTTP load with httpx: a fixed number of clients, each sending its next request as
soon as the previous one was answered."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.bench.suite_common import summarize


@dataclass
class LoadResult:
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0

    def figures(self) -> dict[str, Any]:
        return {
            "requests": len(self.latencies_ms),
            "errors": self.errors,
            "requests_per_second": round(len(self.latencies_ms) / self.seconds, 1),
            **summarize(self.latencies_ms),
        }


def _accepted(response: httpx.Response) -> bool:
    return response.status_code == 200 and response.json().get("code") == 0


async def _closed_loop(url: str, headers: dict[str, str], bodies: Iterable[Any], concurrency: int,
                       warmup: float, seconds: float) -> LoadResult:
    source = itertools.cycle(bodies)
    result = LoadResult(seconds)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=60) as client:
        measure_from = time.perf_counter() + warmup
        stop_at = measure_from + seconds

        async def one_client() -> None:
            while (started := time.perf_counter()) < stop_at:
                try:
                    ok = _accepted(await client.post(url, json=next(source)))
                except httpx.HTTPError:
                    ok = False
                if started < measure_from:
                    continue
                if ok:
                    result.latencies_ms.append((time.perf_counter() - started) * 1000)
                else:
                    result.errors += 1

        await asyncio.gather(*(one_client() for _ in range(concurrency)))
    return result


def closed_loop(url: str, bodies: Iterable[Any], concurrency: int, seconds: float, warmup: float = 1.0,
                headers: dict[str, str] | None = None) -> LoadResult:
    """`concurrency` clients for `warmup` + `seconds`; only requests started after the warm-up count."""
    return asyncio.run(_closed_loop(url, headers or {}, list(bodies), concurrency, warmup, seconds))


async def _post_all(url: str, headers: dict[str, str], bodies: list[Any], concurrency: int) -> list[tuple[float, Any]]:
    pending = iter(bodies)
    sent: list[tuple[float, Any]] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=60) as client:

        async def one_client() -> None:
            for body in pending:
                started = time.time()
                response = await client.post(url, json=body)
                response.raise_for_status()
                sent.append((started, response.json()["data"]))

        await asyncio.gather(*(one_client() for _ in range(concurrency)))
    return sent


def post_all(url: str, bodies: list[Any], concurrency: int, headers: dict[str, str] | None = None,
             ) -> list[tuple[float, Any]]:
    """Every body once, by `concurrency` clients; (wall-clock time the POST started, response data) each."""
    return asyncio.run(_post_all(url, headers or {}, bodies, concurrency))
