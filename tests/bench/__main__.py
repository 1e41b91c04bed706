"""memfeed's benchmark suite: every benchmark against a baseline measured in the same run.

    python -m tests.bench [--large] [--redis-url redis://127.0.0.1:6379/15] [--json bench-results/suite.json]

Runs against a real Redis (its own key prefix in the given database), real workers (`memfeed up`)
and the embedded store (Qdrant Edge) in a temporary data directory:
- analyzer: the offline analyzer's cost per feedback vs one embedding (in process);
- ingestion: add/feedback at a fixed concurrency vs a bare FastAPI LPUSH endpoint;
- pipeline: feedback jobs end to end vs a chain of four no-op Celery tasks;
- search: search/memory at 10,000 memories (100,000 with --large) vs a direct Qdrant Edge
  query with the same filter, and qdrant-client's local mode at 10,000 for reference;
- memory: peak RSS (VmHWM) of the API and worker vs the baselines' processes.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import redis

from core.control.projects import ProjectRegistry
from core.settings import Settings
from pipeline.embedding import build_embedder
from tests.bench import corpus, ingestion, jobs, search, store_load
from tests.bench.analyzer_cost import offline_analyzer
from tests.bench.report import render
from tests.bench.suite_common import REPO, delete_keys, machine
from tests.bench.suite_stack import bench_environment, memfeed_stack

SMALL, LARGE = 10_000, 100_000


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="also search at 100,000 memories (adds ~2 minutes)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--concurrency", type=int, default=16, help="HTTP clients of the ingestion and burst runs")
    parser.add_argument("--seconds", type=float, default=8.0, help="measured seconds of each ingestion run")
    parser.add_argument("--jobs", type=int, default=300, help="feedback jobs (and no-op chains) per burst")
    parser.add_argument("--one-by-one", type=int, default=40, help="jobs measured one at a time")
    parser.add_argument("--memories", type=int, default=SMALL, help="memories of the default search run")
    parser.add_argument("--queries", type=int, default=300, help="search/memory requests per store size")
    parser.add_argument("--reference-queries", type=int, default=15, help="queries against qdrant-client local mode")
    parser.add_argument("--analyzer-rounds", type=int, default=1)
    parser.add_argument("--json", type=Path, default=REPO / "bench-results" / "suite.json")
    return parser.parse_args()


def _log(message: str, started: float) -> None:
    print(f"[{time.perf_counter() - started:6.1f} s] {message}", flush=True)


def _project(redis_url: str, prefix: str) -> tuple[str, str]:
    """A project with a token window far above the run's needs: the suite measures the system, not pacing."""
    registry = ProjectRegistry(redis.Redis.from_url(redis_url, decode_responses=True), prefix)
    project, api_key = registry.create(f"bench-{prefix}")
    registry.set_limits(project.id, window_tokens=10**12, max_request_tokens=10**6)
    return project.id, api_key


def run(args: argparse.Namespace, started: float) -> dict[str, Any]:
    small = args.memories
    prefix = f"bench{uuid.uuid4().hex[:8]}"
    results: dict[str, Any] = {
        "machine": machine(),
        "load_average_at_start": os.getloadavg(),
        "settings": {"concurrency": args.concurrency, "ingestion_seconds": args.seconds, "burst_jobs": args.jobs,
                     "one_by_one_jobs": args.one_by_one, "queries": args.queries, "redis_url": args.redis_url,
                     "worker": "memfeed's: --pool threads --concurrency 4 (MEMFEED_WORKER_CONCURRENCY)"},
    }
    with tempfile.TemporaryDirectory(prefix="memfeed-suite-") as tmp:
        data_dir, log_dir = Path(tmp) / "data", Path(tmp)
        env = bench_environment(args.redis_url, prefix, data_dir)
        baseline_env = bench_environment(args.redis_url, f"{prefix}base", data_dir)
        try:
            _log("analyzer: offline analyzer per feedback", started)
            results["analyzer"] = offline_analyzer(args.analyzer_rounds)

            _log("baselines: bare FastAPI LPUSH, four no-op Celery tasks", started)
            bare = ingestion.bare_endpoint(baseline_env, log_dir, args.concurrency, args.seconds)
            noop = jobs.noop_chains(baseline_env, log_dir, args.jobs, args.one_by_one)

            _log(f"store: embedding and writing {small:,} memories for {corpus.USERS} users", started)
            project_id, api_key = _project(args.redis_url, prefix)
            store_path = Settings(data_dir=data_dir).store_path()
            embedder = build_embedder()
            vectors, embed_seconds = store_load.embed_sentences(embedder, corpus.memory_sentences(small))
            write_seconds = store_load.write_memories(store_path, project_id, vectors, 0, small)
            queries = corpus.search_queries(args.queries)
            prepared, query_embedding = store_load.query_vectors(embedder, project_id, queries)
            search_results: dict[str, Any] = {str(small): {
                "preload": {"embed_seconds": round(embed_seconds, 1), "write_seconds": round(write_seconds, 1),
                            "distinct_sentences": small},
                "query_embedding_in_process": query_embedding,
                "baseline_edge": store_load.direct_edge_latency(store_path, prepared),
            }}
            _log("store: qdrant-client local mode, for reference", started)
            search_results[str(small)]["reference_qdrant_client_local"] = store_load.qdrant_local_latency(
                project_id, vectors, prepared[:args.reference_queries])

            _log("memfeed up: search, pipeline, ingestion", started)
            with memfeed_stack(env) as stack:
                search_results[str(small)]["memfeed"] = search.search_memory(stack, api_key, queries)
                _log("pipeline", started)
                pipeline = jobs.memfeed_jobs(stack, api_key, args.redis_url, prefix, args.jobs, args.one_by_one,
                                             args.concurrency)
                _log("ingestion (worker paused)", started)
                ingested = ingestion.add_feedback(stack, api_key, args.redis_url, prefix, args.concurrency,
                                                  args.seconds)
                memory = stack.peak_rss()
            results["ingestion"] = {"memfeed": ingested, "baseline": bare}
            results["pipeline"] = {"memfeed": pipeline, "baseline": noop}
            results["memory"] = {**memory, "bare_api_peak_rss_mb": bare.pop("peak_rss_mb"),
                                 "noop_worker_peak_rss_mb": noop.pop("peak_rss_mb")}

            if args.large:
                _log(f"store: {LARGE:,} memories (vectors of the {small:,} sentences reused)", started)
                write_seconds = store_load.write_memories(store_path, project_id, vectors, small, LARGE)
                search_results[str(LARGE)] = {
                    "preload": {"write_seconds": round(write_seconds, 1), "distinct_sentences": small,
                                "note": f"{LARGE:,} memories reuse the vectors of {small:,} distinct sentences; "
                                        "each copy belongs to another user, with its own id and times"},
                    "baseline_edge": store_load.direct_edge_latency(store_path, prepared),
                }
                with memfeed_stack(env) as stack:
                    search_results[str(LARGE)]["memfeed"] = search.search_memory(stack, api_key, queries)
                    results["memory"]["large"] = stack.peak_rss()
            results["search"] = search_results
        finally:
            delete_keys(args.redis_url, f"{prefix}*")
    return results


def main() -> None:
    args = _parse()
    started = time.perf_counter()
    results = run(args, started)
    results["run_seconds"] = round(time.perf_counter() - started, 1)
    results["load_average_at_end"] = os.getloadavg()
    print()
    print(render(results))
    m = results["machine"]
    print(f"\nmachine: {m['nproc']} CPUs ({m['cpu_model']}), {m['ram_gb']} GB RAM; run took {results['run_seconds']} s; "
          f"load average {results['load_average_at_start'][0]:.2f} at start, {results['load_average_at_end'][0]:.2f} at end")
    if str(LARGE) in results.get("search", {}):
        print(f"note: {results['search'][str(LARGE)]['preload']['note']}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"written: {args.json}")


if __name__ == "__main__":
    main()
