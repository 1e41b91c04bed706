"""Labelled (statement, candidate memory) pairs for the supersession model, drawn from case sets.

    python -m training.collect_supersession_pairs tests/eval/own_cases.jsonl ... > training/data/supersession_pairs.jsonl

Each case is replayed through the real stages on a fresh embedded store (as `memfeed eval` does);
every time the offline analyzer judges a statement against its candidates, one row per candidate
is written: the statement, the candidate memory, the feedback, the conversation's last answer,
the lookup's similarity, whether the rules superseded it, and the label the case gives (the
memory is one the case expects superseded). A memory several statements met is labelled for the
statement closest to it only.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from memfeed.evaluation import eval_runner
from memfeed.evaluation.cases import load_cases
from pipeline.models import ConflictDecision, CorrectedStatement, MemoryRecord, Message
from pipeline.text.answer_context import last_answer


class _Recorder:
    """Wraps the offline analyzer; judges conflicts by its rules only and keeps the inputs and the
    rules' answer of every judgement."""

    def __init__(self, analyzer: Any) -> None:
        self._analyzer = analyzer
        self.calls: list[dict[str, Any]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._analyzer, name)

    def judge_conflicts(
        self,
        statement: CorrectedStatement,
        candidates: list[MemoryRecord],
        similarities: Sequence[float | None] | None = None,
        feedback: str = "",
        context: Sequence[Message] = (),
    ) -> list[ConflictDecision]:
        # The rules alone: the model is fitted on what they leave, so its own choices must not feed it.
        decisions = self._analyzer.judge_by_rules(statement, candidates, similarities, feedback, context)
        superseded = {d.memory_id for d in decisions if d.supersede}
        self.calls.append({
            "statement": statement.model_dump(mode="json"),
            "feedback": feedback,
            "answer": last_answer([(m.role, m.content) for m in context]),
            "candidates": [
                {"memory": c.memory_value, "owner": c.knowledgebase_id or c.user_id,
                 "similarity": s, "rules_supersede": c.id in superseded}
                for c, s in zip(candidates, similarities or [None] * len(candidates), strict=True)
            ],
        })
        return decisions


def _rows(case_file: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    set_name = case_file.name.removesuffix("_cases.jsonl")
    with eval_runner() as runner:
        recorder = _Recorder(runner.analyzer)
        runner.analyzer = recorder  # type: ignore[assignment]
        for case in load_cases(case_file):
            if not case.expect.valid or case.expect.update_type == "keyword_replace":
                continue
            recorder.calls.clear()
            runner.run(case)
            # The same sentence may be stored for another user or base: a memory is its text and owner.
            refs = {(m.memory_value, m.knowledgebase_id or m.user_id): m.ref for m in case.setup.memories}
            superseded = set(case.expect.superseded)
            # A superseded memory is the positive of the statement most similar to it.
            best: dict[str, tuple[float, int]] = {}
            for number, call in enumerate(recorder.calls):
                for candidate in call["candidates"]:
                    ref = refs.get((candidate["memory"], candidate["owner"]))
                    if ref in superseded:
                        score = candidate["similarity"] or 0.0
                        if ref not in best or score > best[ref][0]:
                            best[ref] = (score, number)
            for number, call in enumerate(recorder.calls):
                for candidate in call["candidates"]:
                    ref = refs.get((candidate["memory"], candidate["owner"]))
                    # Another statement's target: superseding it here is neither right nor wrong.
                    label = (best[ref][1] == number) if ref in superseded else False
                    if ref in superseded and not label:
                        label = None
                    rows.append({
                        "set": set_name, "case": case.id, "lang": case.lang, "call": number,
                        "statement": call["statement"], "feedback": call["feedback"], "answer": call["answer"],
                        "memory": candidate["memory"], "similarity": candidate["similarity"],
                        "rules_supersede": candidate["rules_supersede"],
                        "label": label, "kept": ref in set(case.expect.kept),
                    })
    return rows


def main(paths: list[str]) -> None:
    for path in paths:
        for row in _rows(Path(path)):
            print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
