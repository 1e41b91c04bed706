"""Choose the state-change thresholds (`pipeline/text/state_changes.py`) on development cases.

    python -m training.sweep_state_changes [case files ...]

Replays the cases (by default the development sets and `training/data/state_change_cases/`, 669
messages that helpers labelled with the memory each one ends, if any) once per candidate setting
and prints, per setting, the cases passed and the memories meant to be kept that were changed.
A memory wrongly ended weighs three times a case lost. Never pass the sealed sets: they measure
the choice, they must not make it.
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

from memfeed.evaluation import run_cases
from memfeed.evaluation.cases import load_cases
from memfeed.evaluation.report import summarize
from pipeline.text import state_changes

REPO = Path(__file__).resolve().parents[1]
DEVELOPMENT_SETS = (
    "own", "holdout", "final", "informal", "informal2", "fresh", "fresh2", "fresh3", "fresh4", "fresh5", "fresh6",
    "fresh7", "fresh8", "fresh9", "fresh10", "fresh11",
)
GRID = {
    "EVENT_LIKENESS": (0.4, 0.45, 0.5),
    "STATE_LIKENESS": (0.55, 0.6),
    "STATE_MARGIN": (0.15, 0.2),
    "RIVAL_FLOOR": (-1.0, 0.45, 0.5),
}
WRONG_SUPERSESSION_COST = 3


def _default_files() -> list[Path]:
    return [REPO / "tests" / "eval" / f"{name}_cases.jsonl" for name in DEVELOPMENT_SETS] + sorted(
        (REPO / "training" / "data" / "state_change_cases").glob("*_cases.jsonl")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", type=Path)
    args = parser.parse_args()
    cases = [case for path in (args.cases or _default_files()) for case in load_cases(path)]
    print(f"{len(cases)} cases")
    for values in itertools.product(*GRID.values()):
        for name, value in zip(GRID, values, strict=True):
            setattr(state_changes, name, value)
        summary = summarize(run_cases(cases))
        kept = summary["by_check"]["kept"]
        wrongly_changed = kept["total"] - kept["passed"]
        score = summary["passed"] - WRONG_SUPERSESSION_COST * wrongly_changed
        setting = ", ".join(f"{name}={value}" for name, value in zip(GRID, values, strict=True))
        print(f"{setting}: passed {summary['passed']}, kept memories changed {wrongly_changed}, score {score}")


if __name__ == "__main__":
    main()
