"""Labelled pairs for the supersession model come from replaying cases through the real stages."""

from __future__ import annotations

import json
from pathlib import Path

from training.collect_supersession_pairs import _rows
from training.measure_sets import NEVER_FITTED

REPO = Path(__file__).resolve().parents[2]


def test_pairs_carry_the_case_labels(tmp_path: Path) -> None:
    case = {"id": "t1", "lang": "en", "setup": {"memories": [
        {"ref": "m1", "user_id": "u1", "memory_value": "The user lives in Leeds."},
        {"ref": "m2", "user_id": "u1", "memory_value": "The user has a cat named Tom."},
        {"ref": "m3", "user_id": "u2", "memory_value": "The user lives in Leeds."}]},
        "feedback": {"user_id": "u1", "feedback_content": "I live in York, not Leeds."},
        "expect": {"valid": True, "superseded": ["m1"], "kept": ["m2", "m3"]}}
    cases = tmp_path / "t_cases.jsonl"
    cases.write_text(json.dumps(case) + "\n", encoding="utf-8")
    rows = _rows(cases)
    # Only the feedback's own scope is judged: the other user's identical sentence never appears.
    assert {row["memory"] for row in rows} == {"The user lives in Leeds.", "The user has a cat named Tom."}
    by_memory = {row["memory"]: row for row in rows}
    assert by_memory["The user lives in Leeds."]["label"] is True
    assert by_memory["The user has a cat named Tom."]["label"] is False
    assert by_memory["The user has a cat named Tom."]["kept"] is True
    assert all(row["set"] == "t" and row["statement"]["text"] for row in rows)


def test_the_shipped_pairs_come_from_development_sets_only() -> None:
    sealed = NEVER_FITTED
    pairs = REPO / "training" / "data" / "supersession_pairs.jsonl"
    sets = {json.loads(line)["set"] for line in pairs.read_text(encoding="utf-8").splitlines()}
    assert sets and not sets & sealed


def test_the_state_change_sweep_reads_development_cases_only() -> None:
    from training.sweep_state_changes import _default_files

    files = _default_files()
    assert files and all(path.exists() for path in files)
    sealed = {f"{name}_cases.jsonl" for name in NEVER_FITTED}
    assert not sealed & {path.name for path in files}
    assert any(path.parent.name == "state_change_cases" for path in files)
