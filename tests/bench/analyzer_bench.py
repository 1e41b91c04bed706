"""Benchmark: the offline analyzer's cost per feedback, and a whole job through the pipeline.

    python -m tests.bench.analyzer_bench [--rounds N] [--json bench-results/analyzer.json]

Figures are printed with a same-process baseline (one embedding of one sentence), so the
ratios stay comparable on a shared, noisy machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from memfeed.evaluation import eval_runner
from memfeed.evaluation.cases import FeedbackCase, load_cases
from pipeline import stages
from pipeline.analyzers.offline import OfflineAnalyzer
from pipeline.models import Message

REPO = Path(__file__).resolve().parents[2]
CASE_FILES = [REPO.parent / "shared" / "eval" / "feedback_cases.jsonl", REPO / "tests" / "eval" / "own_cases.jsonl"]


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def describe(samples: list[float]) -> dict[str, float]:
    return {
        "n": len(samples),
        "p50_ms": round(percentile(samples, 0.50), 3),
        "p95_ms": round(percentile(samples, 0.95), 3),
        "mean_ms": round(statistics.fmean(samples), 3),
    }


def context_of(case: FeedbackCase) -> list[Message]:
    for conversation in case.setup.conversations:
        if conversation.conversation_id == case.feedback.conversation_id:
            return list(conversation.messages)
    return []


def analyzer_cost(analyzer: OfflineAnalyzer, cases: list[FeedbackCase], rounds: int) -> list[float]:
    """validate + classify + conflict judgement against the case's memories, per feedback."""
    from pipeline.models import MemoryRecord

    samples = []
    # The first round loads dictionaries (jieba) and fills caches: not timed.
    for round_number in range(rounds + 1):
        for case in cases:
            context = context_of(case)
            candidates = [
                MemoryRecord(id=str(i), project_id="bench", memory_value=m.memory_value)
                for i, m in enumerate(case.setup.memories)
            ]
            # Each timed feedback is classified anew, as a feedback the process has not seen would be.
            type(analyzer)._classified.cache_clear()
            started = time.perf_counter()
            if analyzer.judge_validity(case.feedback.feedback_content, context).valid:
                classification = analyzer.classify(case.feedback.feedback_content, context)
                for statement in classification.statements:
                    analyzer.judge_conflicts(statement, candidates, None, case.feedback.feedback_content, context)
            if round_number:
                samples.append((time.perf_counter() - started) * 1000)
    return samples


def whole_jobs(cases: list[FeedbackCase], rounds: int) -> tuple[list[float], list[float]]:
    """A job's four stages on the embedded store; the setup writes are not timed."""
    job_samples, embed_samples = [], []
    with eval_runner() as runner:
        runner.index.embedder.embed(["warm up"])
        for _ in range(rounds):
            for case in cases:
                project_id = f"bench-{time.perf_counter_ns()}"
                runner._write_setup(case, project_id)
                job = runner._job(case, project_id)
                started = time.perf_counter()
                validity = stages.validate(job, runner.analyzer)
                if validity.valid:
                    classification = stages.classify(job, runner.analyzer)
                    plan = stages.lookup(job, classification, runner.index, runner.analyzer)
                    stages.write(job, plan, runner.index)
                job_samples.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                runner.index.embedder.embed([case.feedback.feedback_content])
                embed_samples.append((time.perf_counter() - started) * 1000)
    return job_samples, embed_samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", type=Path, default=REPO / "bench-results" / "analyzer.json")
    args = parser.parse_args()

    cases = [case for path in CASE_FILES if path.exists() for case in load_cases(path)]
    rules_only = describe(analyzer_cost(OfflineAnalyzer(None), cases, args.rounds))
    with eval_runner() as runner:
        with_embeddings = describe(analyzer_cost(runner.analyzer, cases, args.rounds))  # type: ignore[arg-type]
    jobs, embeds = whole_jobs(cases, max(1, args.rounds // 2))
    job_figures, embed_figures = describe(jobs), describe(embeds)
    results = {
        "cases": len(cases),
        "analyzer_rules_only": rules_only,
        "analyzer_with_embeddings": with_embeddings,
        "whole_job": job_figures,
        "baseline_one_embedding": embed_figures,
        "whole_job_p50_over_one_embedding_p50": round(job_figures["p50_ms"] / embed_figures["p50_ms"], 2),
    }
    print(f"{'measure':<28}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'mean ms':>10}")
    for name in ("analyzer_rules_only", "analyzer_with_embeddings", "whole_job", "baseline_one_embedding"):
        figures = results[name]
        print(f"{name:<28}{figures['n']:>6}{figures['p50_ms']:>10}{figures['p95_ms']:>10}{figures['mean_ms']:>10}")
    print(f"whole job p50 / one embedding p50: {results['whole_job_p50_over_one_embedding_p50']}x")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2))
    print(f"written: {args.json}")


if __name__ == "__main__":
    main()
