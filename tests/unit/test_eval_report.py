"""The eval report: figures per check, language and tag; a sealed set's failures stay unprinted."""

from __future__ import annotations

from memfeed.evaluation.report import print_report, summarize
from memfeed.evaluation.runner import CaseResult, CheckResult


def _results() -> list[CaseResult]:
    return [
        CaseResult("c1", "en", [CheckResult("validity", True)], tags=["multi", "semantic"]),
        CaseResult("c2", "en", [CheckResult("validity", False, "judged valid")], tags=["multi", "invalid"]),
        CaseResult("c3", "zh", [CheckResult("validity", True)], tags=["multi"]),
        CaseResult("c4", "zh", [CheckResult("validity", True)], tags=["semantic"]),
    ]


def test_figures_per_tag_count_the_tags_that_enough_cases_carry() -> None:
    summary = summarize(_results())
    assert summary["by_tag"] == {"multi": {"passed": 2, "total": 3}}
    assert summary["by_language"] == {"en": {"passed": 1, "total": 2}, "zh": {"passed": 2, "total": 2}}


def test_figures_only_prints_no_case_and_no_reason() -> None:
    printed: list[str] = []
    print_report(_results(), printed.append, failures=False)
    assert not any("c2" in line or "judged valid" in line for line in printed)
    assert "  tag multi            2/3" in printed and printed[-1] == "accuracy: 0.750 (3/4)"

    printed.clear()
    print_report(_results(), printed.append)
    assert "FAIL c2" in printed and "  validity: judged valid" in printed
