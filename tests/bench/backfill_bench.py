"""Benchmark: bulk backfill through add/feedback/batch against one add/feedback per item.

    python -m tests.bench.backfill_bench [--items 10000] [--single-items 1000] [--redis-url URL]

Each phase starts its own stack (`memfeed up`, offline analyzer, embedded store in a temporary
directory, its own Redis key prefix in database 12 by default), so peak memory is per phase.
Throughput is end to end: from the first request until every item's job has finished. Memory:
peak RSS (VmHWM) of the API and both worker processes, and their RSS sampled during the run, which
shows whether memory stays flat as the batch grows.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis

from api.client import MemfeedClient
from tests.bench.suite_common import proc_status_bytes, stack_processes
from tests.integration.conftest import free_port

REPO = Path(__file__).resolve().parents[2]
BATCH_LIMIT = 1_000
TEMPLATES = (
    "Actually I don't like {thing}.",
    "The purchase limit for {thing} is {n} CNY, not {m} CNY.",
    "My favourite sport is {thing} now.",
    "我不喜欢{cn}",
    "thanks!",
)
THINGS = ("swimming", "tennis", "office software", "hiking", "chess", "coffee", "jazz", "cycling")
CN_THINGS = ("游泳", "咖啡", "爬山", "下棋")


def feedback_items(count: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    items = []
    for i in range(count):
        template = rng.choice(TEMPLATES)
        content = template.format(thing=rng.choice(THINGS), cn=rng.choice(CN_THINGS), n=rng.randint(1, 999),
                                  m=rng.randint(1000, 1999))
        items.append({"user_id": f"bench-user-{i % 1000}", "feedback_content": content})
    return items


# Processes ------------------------------------------------------------------------------------


@dataclass
class RunningStack:
    base_url: str
    env: dict[str, str]
    process: subprocess.Popen
    pids: dict[str, int]
    samples: dict[str, list[int]] = field(default_factory=dict)

    def cli(self, *args: str) -> str:
        result = subprocess.run([sys.executable, "-m", "memfeed.cli", *args], env=self.env, capture_output=True,
                                text=True, timeout=120, check=True)
        return result.stdout

    def memory(self) -> dict[str, Any]:
        figures: dict[str, Any] = {}
        for name, pid in self.pids.items():
            series = self.samples.get(name) or [0]
            figures[name] = {
                "peak_rss_mb": round(proc_status_bytes(pid, "VmHWM") / 2**20, 1),
                "rss_sampled_min_mb": round(min(series) / 2**20, 1),
                "rss_sampled_max_mb": round(max(series) / 2**20, 1),
                # RSS at the start, at each quarter of the run and at its end: flat, or growing.
                "rss_by_quarter_mb": [round(series[min(len(series) - 1, q * len(series) // 4)] / 2**20, 1)
                                      for q in range(5)],
            }
        return figures


@contextmanager
def running_stack(redis_url: str) -> Iterator[RunningStack]:
    prefix = f"bench{uuid.uuid4().hex[:6]}"
    with tempfile.TemporaryDirectory(prefix="memfeed-bench-") as data_dir:
        port = free_port()
        env = {
            **os.environ,
            "MEMFEED_REDIS_URL": redis_url,
            "MEMFEED_REDIS_PREFIX": prefix,
            "MEMFEED_DATA_DIR": data_dir,
            "MEMFEED_ANALYZER": "offline",
            "PYTHONPATH": str(REPO),
            "HF_HUB_OFFLINE": "1",
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "memfeed.cli", "up", "--port", str(port), "--no-flower"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        assert process.stdout is not None
        for line in process.stdout:
            if "ready" in line:
                break
        else:
            raise RuntimeError(f"memfeed up did not start; logs in {data_dir}/logs")
        # Keep reading its output, or a full pipe would block it.
        threading.Thread(target=process.stdout.read, daemon=True).start()
        pids = stack_processes(process.pid)
        stack = RunningStack(f"http://127.0.0.1:{port}", env, process, pids)
        stop_sampling = threading.Event()
        sampler = threading.Thread(target=_sample, args=(stack, stop_sampling), daemon=True)
        sampler.start()
        try:
            yield stack
        finally:
            stop_sampling.set()
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
            client = redis.Redis.from_url(redis_url)
            for key in client.scan_iter(f"{prefix}:*", count=1000):
                client.delete(key)


def _sample(stack: RunningStack, stop: threading.Event) -> None:
    while not stop.wait(0.5):
        for name, pid in stack.pids.items():
            stack.samples.setdefault(name, []).append(proc_status_bytes(pid, "VmRSS"))


def _project_key(stack: RunningStack) -> str:
    # A window far above the run's needs: the benchmark measures the system, not the pacing.
    out = stack.cli("project", "create", f"bench-{uuid.uuid4().hex[:6]}", "--window-tokens", "1000000000")
    return out.strip().splitlines()[-1]


# Phases ---------------------------------------------------------------------------------------


def run_batch_phase(redis_url: str, count: int) -> dict[str, Any]:
    items = feedback_items(count)
    with running_stack(redis_url) as stack, MemfeedClient(stack.base_url, _project_key(stack)) as client:
        started = time.perf_counter()
        batch_ids = []
        for offset in range(0, count, BATCH_LIMIT):
            batch_ids.append(client.add_feedback_batch(items[offset:offset + BATCH_LIMIT])["batch_id"])
        submitted = time.perf_counter() - started
        totals = {"completed": 0, "ignored": 0, "failed": 0}
        for batch_id in batch_ids:
            status = client.wait_batch(batch_id, timeout=24 * 3600, interval=0.5)
            for name in totals:
                totals[name] += status[name]
        elapsed = time.perf_counter() - started
        return {
            "items": count,
            "requests": len(batch_ids),
            "submit_seconds": round(submitted, 2),
            "end_to_end_seconds": round(elapsed, 2),
            "items_per_second": round(count / elapsed, 1),
            **totals,
            "memory": stack.memory(),
        }


def run_single_phase(redis_url: str, count: int, concurrency: int) -> dict[str, Any]:
    items = feedback_items(count)
    with running_stack(redis_url) as stack:
        api_key = _project_key(stack)
        local = threading.local()

        def send(item: dict[str, Any]) -> str:
            if not hasattr(local, "client"):
                local.client = MemfeedClient(stack.base_url, api_key)
            return local.client.add_feedback(**item)

        started = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            task_ids = list(pool.map(send, items))
        submitted = time.perf_counter() - started
        outcomes: dict[str, int] = {}
        with MemfeedClient(stack.base_url, api_key) as client:
            waiting = list(task_ids)
            while waiting:
                still = []
                for task_id in waiting:
                    status = client.get_status(task_id)
                    if status["status"] == "running":
                        still.append(task_id)
                    else:
                        outcomes[status["outcome"]] = outcomes.get(status["outcome"], 0) + 1
                waiting = still
                if waiting:
                    time.sleep(0.5)
        elapsed = time.perf_counter() - started
        return {
            "items": count,
            "requests": count,
            "client_threads": concurrency,
            "submit_seconds": round(submitted, 2),
            "end_to_end_seconds": round(elapsed, 2),
            "items_per_second": round(count / elapsed, 1),
            "outcomes": outcomes,
            "memory": stack.memory(),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000, help="items pushed through add/feedback/batch")
    parser.add_argument("--single-items", type=int, default=None,
                        help="items sent one add/feedback each (default: min(items, 1000))")
    parser.add_argument("--client-threads", type=int, default=8, help="concurrent add/feedback senders")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--json", type=Path, default=REPO / "bench-results" / "backfill.json")
    args = parser.parse_args()
    single_items = args.single_items if args.single_items is not None else min(args.items, 1_000)

    results = {
        "worker_concurrency": int(os.environ.get("MEMFEED_WORKER_CONCURRENCY", "4")),
        "batch": run_batch_phase(args.redis_url, args.items),
        "single": run_single_phase(args.redis_url, single_items, args.client_threads),
    }
    for phase in ("batch", "single"):
        figures = results[phase]
        memory = figures.pop("memory")
        print(phase)
        for name, value in figures.items():
            print(f"  {name:<22} {value}")
        for process, numbers in memory.items():
            print(f"  {process + ' memory':<22} peak {numbers['peak_rss_mb']} MB, sampled "
                  f"{numbers['rss_sampled_min_mb']}–{numbers['rss_sampled_max_mb']} MB, by quarter of the run "
                  f"{' → '.join(map(str, numbers['rss_by_quarter_mb']))} MB")
        figures["memory"] = memory
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"written: {args.json}")


if __name__ == "__main__":
    main()
