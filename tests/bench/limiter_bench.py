"""Benchmark: the token-window limiter's cost per decision and its accuracy under contention.

    python -m tests.bench.limiter_bench [--redis-url URL] [--processes 8] [--seconds 3]

Cost is compared with a plain Redis INCR on the same connection (the floor of any shared
counter). Accuracy: several processes admit random-sized requests as fast as they can; every
admission's time (Redis' clock, as the limiter saw it) is recorded, and the largest total admitted inside any window-long span is
compared with the budget.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import statistics
import time
import uuid
from pathlib import Path

import redis

from core.token_windows import TokenWindows, WindowLimits

REPO = Path(__file__).resolve().parents[2]


def _timed(samples: int, action) -> list[float]:  # noqa: ANN001
    timings = []
    for _ in range(samples):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1e6)
    return timings


def cost_per_decision(url: str, prefix: str, samples: int) -> dict[str, float]:
    client = redis.Redis.from_url(url)
    windows = TokenWindows(client, prefix)
    limits = WindowLimits(window_tokens=10**12, window_seconds=60, max_request_tokens=10**6)
    project = uuid.uuid4().hex
    counter = f"{prefix}:bench:incr"
    _timed(200, lambda: client.incr(counter))  # warm up both paths
    _timed(200, lambda: windows.admit(project, 5, limits))
    baseline = _timed(samples, lambda: client.incr(counter))
    limiter = _timed(samples, lambda: windows.admit(project, 5, limits))
    return {
        "incr_p50_us": round(statistics.median(baseline), 1),
        "admit_p50_us": round(statistics.median(limiter), 1),
        "admit_p99_us": round(sorted(limiter)[int(0.99 * len(limiter))], 1),
        "admit_over_incr": round(statistics.median(limiter) / statistics.median(baseline), 2),
    }


def _hammer(url: str, prefix: str, project: str, limits: WindowLimits, seconds: float, seed: int, queue) -> None:  # noqa: ANN001
    windows = TokenWindows(redis.Redis.from_url(url), prefix)
    rng = random.Random(seed)
    admitted: list[tuple[float, int]] = []
    decisions = 0
    deadline = time.time() + seconds
    while time.time() < deadline:
        tokens = rng.randint(1, 50)
        decisions += 1
        decision = windows.admit(project, tokens, limits)
        if decision.admitted:
            admitted.append((decision.decided_at_ms / 1000, tokens))
    queue.put((admitted, decisions))


def max_in_any_window(events: list[tuple[float, int]], window: float) -> int:
    events = sorted(events)
    best = total = start = 0
    for end in range(len(events)):
        total += events[end][1]
        while events[end][0] - events[start][0] >= window:
            total -= events[start][1]
            start += 1
        best = max(best, total)
    return best


def contention(url: str, prefix: str, processes: int, seconds: float) -> dict[str, float]:
    limits = WindowLimits(window_tokens=5_000, window_seconds=1.0, max_request_tokens=50)
    project = uuid.uuid4().hex
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [context.Process(target=_hammer, args=(url, prefix, project, limits, seconds, seed, queue))
               for seed in range(processes)]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join()
    events = [event for admitted, _ in results for event in admitted]
    decisions = sum(d for _, d in results)
    admitted_tokens = sum(t for _, t in events)
    peak = max_in_any_window(events, limits.window_seconds)
    # Processes start staggered, so measure over the span admissions really covered; a sliding
    # window admits at most one budget per started window of that span.
    span = max(t for t, _ in events) - min(t for t, _ in events)
    ceiling = limits.window_tokens * (int(span // limits.window_seconds) + 1)
    return {
        "processes": processes,
        "seconds": seconds,
        "decisions": decisions,
        "decisions_per_second": round(decisions / seconds),
        "budget_per_window": limits.window_tokens,
        "peak_tokens_in_any_window": peak,
        "peak_over_budget": round(peak / limits.window_tokens, 3),
        "admitted_tokens": admitted_tokens,
        "span_seconds": round(span, 3),
        "utilisation": round(admitted_tokens / ceiling, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--samples", type=int, default=5_000)
    parser.add_argument("--json", type=Path, default=REPO / "bench-results" / "limiter.json")
    args = parser.parse_args()

    prefix = f"bench{uuid.uuid4().hex[:6]}"
    client = redis.Redis.from_url(args.redis_url)
    try:
        results = {
            "cost": cost_per_decision(args.redis_url, prefix, args.samples),
            "contention": contention(args.redis_url, prefix, args.processes, args.seconds),
        }
    finally:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
    for section, figures in results.items():
        print(section)
        for name, value in figures.items():
            print(f"  {name:<28} {value}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2))
    print(f"written: {args.json}")


if __name__ == "__main__":
    main()
