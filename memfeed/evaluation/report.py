"""Scores and readable reports of an evaluation run."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from memfeed.evaluation.runner import CHECKS, CaseResult

# A tag is reported on its own once this many cases carry it.
TAG_REPORTED_FROM = 3


def _passed_of(results: list[CaseResult], group: Callable[[CaseResult], list[str]]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for result in results:
        for key in group(result):
            tally = counts.setdefault(key, {"passed": 0, "total": 0})
            tally["total"] += 1
            tally["passed"] += int(result.passed)
    return counts


def summarize(results: list[CaseResult]) -> dict[str, Any]:
    by_check = {name: {"passed": 0, "total": 0} for name in CHECKS}
    for result in results:
        for check in result.checks:
            by_check[check.name]["total"] += 1
            by_check[check.name]["passed"] += int(check.passed)
    passed = sum(r.passed for r in results)
    by_tag = _passed_of(results, lambda result: result.tags)
    return {
        "accuracy": passed / len(results) if results else 0.0,
        "passed": passed,
        "total": len(results),
        "by_check": {name: counts for name, counts in by_check.items() if counts["total"]},
        "by_language": _passed_of(results, lambda result: [result.lang]),
        "by_tag": {tag: counts for tag, counts in sorted(by_tag.items()) if counts["total"] >= TAG_REPORTED_FROM},
        "broken_memories": sum(len(r.broken) for r in results),
        "refused_writes": sum(len(r.rejected) for r in results),
        "unresolved": sum(r.unresolved for r in results),
    }


def print_report(
    results: list[CaseResult], echo: Callable[[str], None] = print, failures: bool = True
) -> dict[str, Any]:
    """The failures (unless `failures` is off: a sealed set is scored without reading them),
    then the figures, the accuracy last."""
    for result in results:
        if result.passed or not failures:
            continue
        echo(f"FAIL {result.case_id}")
        if result.error:
            echo(f"  error: {result.error}")
        for check in result.checks:
            if not check.passed:
                echo(f"  {check.name}: {check.detail}")
    summary = summarize(results)
    echo("checks:")
    for name, counts in summary["by_check"].items():
        echo(f"  {name:<12} {counts['passed']}/{counts['total']}")
    for lang, counts in sorted(summary["by_language"].items()):
        echo(f"  lang {lang:<7} {counts['passed']}/{counts['total']}")
    for tag, counts in summary["by_tag"].items():
        echo(f"  tag {tag:<16} {counts['passed']}/{counts['total']}")
    for result in results:
        for broken in result.broken:
            echo(f"BROKEN {result.case_id}: " + (f"{broken['text']!r} ({broken['defect']})" if failures else broken["defect"]))
    echo(f"broken memories written: {summary['broken_memories']}; writes refused by the gate: "
         f"{summary['refused_writes']}; unresolved jobs: {summary['unresolved']}")
    judgements = [j for r in results for j in r.judgements]
    if judgements:
        fallbacks = [j for j in judgements if j["fallback_reason"]]
        echo(f"llm judgements: {len(judgements)}, fell back to offline: {len(fallbacks)}")
    echo(f"accuracy: {summary['accuracy']:.3f} ({summary['passed']}/{summary['total']})")
    return summary


def write_json_report(results: list[CaseResult], path: Path) -> None:
    report = {
        **summarize(results),
        "cases": [
            {
                "id": r.case_id,
                "lang": r.lang,
                "passed": r.passed,
                "error": r.error,
                "duration_ms": round(r.duration_ms, 2),
                "update_type": r.update_type,
                "changes": r.changes,
                "judgements": r.judgements,
                "rejected": r.rejected,
                "unresolved": r.unresolved,
                "broken": r.broken,
                "checks": [{"name": c.name, "passed": c.passed, "detail": c.detail} for c in r.checks],
            }
            for r in results
        ],
    }
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
