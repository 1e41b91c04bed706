"""`memfeed eval` on the sample case set and on our own held-out cases."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from memfeed.evaluation import run_cases
from memfeed.evaluation.cases import load_cases
from memfeed.evaluation.report import summarize

REPO = Path(__file__).resolve().parents[2]
SAMPLE_CASES = REPO / "tests" / "eval" / "sample_cases.jsonl"


def _run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "memfeed.cli", "eval", *args],
                          capture_output=True, text=True, timeout=600, cwd=REPO)


def test_eval_command_scores_the_sample(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    result = _run_cli(str(SAMPLE_CASES), "--json", str(report))

    assert result.returncode == 0, result.stderr
    last_line = result.stdout.strip().splitlines()[-1]
    assert last_line.startswith("accuracy: ")
    accuracy = float(last_line.split()[1])
    assert accuracy >= 0.95, result.stdout
    details = json.loads(report.read_text())
    assert details["total"] == len(load_cases(SAMPLE_CASES)) and len(details["cases"]) == details["total"]
    assert details["by_check"]["scope"]["passed"] == details["by_check"]["scope"]["total"]


# Floors just under the measured accuracy of each of our sets, so a change that makes the
# analyzer worse fails here. Every set was first scored when it was new, then used to improve the
# analyzer; the first-contact figures (README, "Analyzer quality") are the honest estimate of
# accuracy on feedback phrased in ways nobody anticipated.
CASE_SETS = {
    "own_cases": 0.96,
    "holdout_cases": 0.92,
    "final_cases": 0.85,
    "informal_cases": 0.9,
    "informal2_cases": 0.79,
    "fresh_cases": 0.73,
    "fresh2_cases": 0.73,
    "fresh3_cases": 0.8,
    "fresh4_cases": 0.67,
    "fresh5_cases": 0.64,
    "fresh6_cases": 0.72,
    "fresh7_cases": 0.66,
    "fresh8_cases": 0.78,
    "fresh9_cases": 0.82,
    "fresh10_cases": 0.82,
    "fresh11_cases": 0.6,
    "fresh12_cases": 0.59,
    "fresh13_cases": 0.67,
    "fresh14_cases": 0.64,
    "fresh15_cases": 0.7,
    "fresh16_cases": 0.59,
    "fresh17_cases": 0.59,
    "fresh18_cases": 0.69,
    "fresh19_cases": 0.53,
    "fresh20_cases": 0.65,
    "fresh21_cases": 0.71,
    "fresh22_cases": 0.70,
    "fresh23_cases": 0.69,
    "fresh24_cases": 0.80,
    "fresh25_cases": 0.85,
    "fresh26_cases": 0.80,
    "fresh27_cases": 0.66,
    "fresh28_cases": 0.70,
    "fresh29_cases": 0.64,
    "fresh30_cases": 0.69,
    "fresh31_cases": 0.64,
    "fresh32_cases": 0.60,
    "fresh33_cases": 0.60,
    "fresh34_cases": 0.64,
    "fresh35_cases": 0.72,
    "fresh36_cases": 0.73,
    "fresh37_cases": 0.62,
    "fresh38_cases": 0.54,
    "fresh39_cases": 0.54,
    "fresh40_cases": 0.72,
    "fresh41_cases": 0.68,
    "fresh42_cases": 0.67,
    "fresh43_cases": 0.66,
    "fresh44_cases": 0.64,
    "fresh45_cases": 0.59,
    "fresh46_cases": 0.79,
    "fresh47_cases": 0.69,
    "fresh48_cases": 0.72,
    "fresh49_cases": 0.64,
    "fresh50_cases": 0.72,
    "fresh51_cases": 0.83,
    "fresh52_cases": 0.67,
    "fresh53_cases": 0.64,
    "fresh54_cases": 0.73,
    "fresh55_cases": 0.80,
    "fresh56_cases": 0.71,
    "fresh57_cases": 0.75,
    "fresh58_cases": 0.79,
    "fresh59_cases": 0.71,
    "fresh60_cases": 0.73,
    "fresh61_cases": 0.72,
    "fresh62_cases": 0.76,
    "fresh63_cases": 0.73,
    "fresh64_cases": 0.70,
    "fresh65_cases": 0.60,
    "fresh66_cases": 0.63,
    "fresh67_cases": 0.69,
    "fresh68_cases": 0.75,
}
# Cases of a set in which the analyzer changes a memory that was to be kept, as measured on this
# version (the memory-centric alignment substitutes a value in a related memory in a few of them,
# and the supersession model replaces a memory a statement only restates in informal2:
# README, "How good the offline analyzer is"). A change may lower these, never raise them.
KEPT_VIOLATIONS = {
    "own_cases": 1, "final_cases": 1, "informal_cases": 1, "informal2_cases": 1,
    "fresh2_cases": 4, "fresh3_cases": 2, "fresh4_cases": 0, "fresh5_cases": 1, "fresh6_cases": 1, "fresh7_cases": 0,
    "fresh8_cases": 1, "fresh9_cases": 1, "fresh10_cases": 0, "fresh11_cases": 2, "fresh12_cases": 3, "fresh13_cases": 0,
    "fresh14_cases": 1, "fresh15_cases": 3, "fresh16_cases": 0, "fresh17_cases": 3,
    "fresh18_cases": 2, "fresh19_cases": 2, "fresh20_cases": 1, "fresh21_cases": 1,
    "fresh22_cases": 1, "fresh23_cases": 4, "fresh24_cases": 0, "fresh25_cases": 3, "fresh26_cases": 1,
    "fresh27_cases": 2, "fresh28_cases": 0, "fresh29_cases": 0,
    "fresh30_cases": 1, "fresh31_cases": 1, "fresh32_cases": 2, "fresh33_cases": 4, "fresh34_cases": 2,
    "fresh35_cases": 0, "fresh36_cases": 1, "fresh37_cases": 3, "fresh38_cases": 2, "fresh39_cases": 0, "fresh40_cases": 4, "fresh41_cases": 0, "fresh42_cases": 0, "fresh43_cases": 1,
    "fresh44_cases": 1, "fresh45_cases": 3, "fresh46_cases": 0, "fresh47_cases": 2,
    "fresh48_cases": 5, "fresh49_cases": 2, "fresh50_cases": 7,
    "fresh51_cases": 0, "fresh52_cases": 0, "fresh53_cases": 1, "fresh54_cases": 2, "fresh55_cases": 0, "fresh56_cases": 1, "fresh57_cases": 2, "fresh58_cases": 2, "fresh59_cases": 1,
    "fresh60_cases": 4, "fresh61_cases": 1, "fresh62_cases": 0, "fresh63_cases": 2, "fresh64_cases": 3,
    "fresh65_cases": 1, "fresh66_cases": 1, "fresh67_cases": 0, "fresh68_cases": 1,
}


@pytest.mark.parametrize(("name", "floor"), CASE_SETS.items())
def test_our_case_sets(name: str, floor: float) -> None:
    cases = load_cases(REPO / "tests" / "eval" / f"{name}.jsonl")
    assert len(cases) >= 40 and {c.lang for c in cases} == {"en", "zh"}

    results = run_cases(cases)
    summary = summarize(results)

    failures = [(r.case_id, [c.detail for c in r.checks if not c.passed], r.error) for r in results if not r.passed]
    assert summary["accuracy"] >= floor, failures
    # Whatever the score: nothing outside a feedback's scope changes, no memory meant to be kept
    # is touched (beyond what a held-out set measured), and feedback judged invalid never writes.
    scope, kept = summary["by_check"]["scope"], summary["by_check"]["kept"]
    assert scope["passed"] == scope["total"], failures
    assert kept["total"] - kept["passed"] <= KEPT_VIOLATIONS.get(name, 0), failures
    # The write gate lets no fragment, chat, command or kept denial into memory.
    assert summary["broken_memories"] == 0, [(r.case_id, r.broken) for r in results if r.broken]
    judged_invalid = [r for r in results if r.update_type is None and r.error is None]
    assert judged_invalid and all(r.changes == [] for r in judged_invalid), "invalid feedback never writes"


def test_a_defect_the_stored_text_already_had_is_not_counted_as_written() -> None:
    from memfeed.evaluation.cases import FeedbackCase

    def case(memory: str, feedback: str) -> FeedbackCase:
        return FeedbackCase.model_validate({"id": "c", "lang": "en", "setup": {"memories": [
            {"ref": "m1", "user_id": "u1", "memory_value": memory}]},
            "feedback": {"user_id": "u1", "feedback_content": feedback}, "expect": {"valid": True}})

    kept_person, = run_cases([case("I post my standup notes in Slack.", "Replace Slack with Teams everywhere")])
    assert kept_person.changes and kept_person.changes[0]["after"] == "I post my standup notes in Teams."
    assert kept_person.broken == []

    introduced, = run_cases([case("The user posts standup notes in Slack.", "Replace 'The user' with 'I' everywhere")])
    assert [b["defect"] for b in introduced.broken] == ["written in the first person"] or not introduced.changes


def test_eval_exits_non_zero_when_it_cannot_run(tmp_path: Path) -> None:
    missing = _run_cli(str(tmp_path / "nope.jsonl"))
    assert missing.returncode != 0 and "cannot read" in missing.stderr
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "x"}\n')
    assert _run_cli(str(broken)).returncode != 0
    if SAMPLE_CASES.exists():
        unknown = _run_cli(str(SAMPLE_CASES), "--analyzer", "magic")
        assert unknown.returncode != 0 and "unknown analyzer" in unknown.stderr


def test_eval_with_the_llm_analyzer_uses_the_same_settings(tmp_path: Path) -> None:
    from tests.support.scripted_llm import Reply, ScriptedLLM

    case = {"id": "llm-1", "lang": "en", "setup": {"memories": [
        {"ref": "m1", "user_id": "u1", "memory_value": "The user lives in Berlin."}]},
        "feedback": {"user_id": "u1", "feedback_content": "I moved to Munich."},
        "expect": {"valid": True, "superseded": ["m1"], "active_contains": [["Munich"]]}}
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps(case) + "\n")
    with ScriptedLLM(lambda judgement, data: {
        "validity": {"valid": True},
        "classify": {"update_type": "semantic_update", "statements": [{"text": "The user lives in Munich."}]},
        "conflicts": {"decisions": [{"memory_id": c["id"], "supersede": True} for c in data.get("candidates", [])]},
    }[judgement]) as llm:
        llm.queue("validity", Reply(status=500), Reply(status=500), Reply(status=500))
        result = subprocess.run(
            [sys.executable, "-m", "memfeed.cli", "eval", str(cases), "--analyzer", "llm"],
            capture_output=True, text=True, timeout=300, cwd=REPO,
            env={**os.environ, "MEMFEED_LLM_BASE_URL": llm.base_url, "MEMFEED_LLM_API_KEY": "k",
                 "MEMFEED_LLM_BACKOFF_SECONDS": "0"},
        )
    assert result.returncode == 0, result.stderr
    assert "llm judgements: 3, fell back to offline: 1" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "accuracy: 1.000 (1/1)"
    assert {r.judgement for r in llm.requests} == {"validity", "classify", "conflicts"}
