"""Replays feedback cases through the real stages and store, and checks what they expect."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

from memfeed.evaluation.cases import FeedbackCase
from pipeline import stages
from pipeline.analyzers.base import Analyzer
from pipeline.job import FeedbackJob
from pipeline.memory_index import MemoryIndex
from pipeline.models import (
    AppliedChange,
    Classification,
    MemoryRecord,
    MemoryStatus,
    Message,
    ScopeKind,
    SearchScope,
)
from pipeline.text.wellformed import defect_of_change

CHECKS = ("validity", "update_type", "superseded", "kept", "contains", "excludes", "search_top1", "scope")
SEARCH_LIMIT = 5


@dataclass
class CheckResult:
    name: str
    passed: bool
    detail: str = ""


@dataclass
class CaseResult:
    case_id: str
    lang: str
    checks: list[CheckResult] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    error: str | None = None
    duration_ms: float = 0.0
    update_type: str | None = None
    changes: list[dict] = field(default_factory=list)
    # With the LLM analyzer: who decided each judgement, and why it fell back.
    judgements: list[dict] = field(default_factory=list)
    # What the write gate refused, whether that left nothing to write, and memories written
    # that are still broken (a fragment, chat, a command, a kept denial). A defect the stored text
    # already had (a keyword replaced in a memory kept in the first person) is not the writer's.
    rejected: list[dict] = field(default_factory=list)
    unresolved: bool = False
    broken: list[dict] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.error is None and all(c.passed for c in self.checks)


class EvalRunner:
    def __init__(self, index: MemoryIndex, analyzer: Analyzer, context_turns: int = 10) -> None:
        self.index = index
        self.analyzer = analyzer
        self.context_turns = context_turns

    def run(self, case: FeedbackCase) -> CaseResult:
        started = time.perf_counter()
        result = CaseResult(case.id, case.lang, tags=list(case.tags))
        try:
            self._run(case, result)
        except Exception as exc:  # a crash is a failed case, reported with the rest
            result.error = f"{type(exc).__name__}: {exc}"
        trace = getattr(self.analyzer, "trace", None)
        if trace is not None:
            result.judgements = [r.model_dump() for r in trace.drain()]
        result.duration_ms = (time.perf_counter() - started) * 1000
        return result

    def _run(self, case: FeedbackCase, result: CaseResult) -> None:
        project_id = f"eval-{uuid.uuid4().hex}"
        originals = self._write_setup(case, project_id)
        job = self._job(case, project_id)

        validity = stages.validate(job, self.analyzer)
        classification: Classification | None = None
        changes: list[AppliedChange] = []
        if validity.valid:
            classification = stages.classify(job, self.analyzer)
            lookup_plan = stages.plan_lookup(job, classification, self.index, self.analyzer)
            changes = stages.write(job, lookup_plan.changes, self.index)
            result.update_type = classification.update_type.value
            result.changes = [c.model_dump(mode="json") for c in changes]
            result.rejected = [r.model_dump(mode="json") for r in lookup_plan.rejected]
            result.unresolved = bool(lookup_plan.rejected) and not lookup_plan.changes
            result.broken = [
                {"text": c.after, "defect": defect}
                for c in changes if c.action == "add" or c.before != c.after
                if (defect := defect_of_change(c.after, c.before))
            ]

        expect = case.expect
        project_active = self._active_in_project(originals, changes)
        visible_active = self.index.store.scroll_all(job.scope())
        checks = result.checks
        checks.append(CheckResult("validity", validity.valid == expect.valid, f"judged valid={validity.valid}: {validity.reason}"))
        if expect.update_type and expect.valid:
            found = classification.update_type.value if classification else None
            checks.append(CheckResult("update_type", found == expect.update_type, f"found {found}"))
        if expect.superseded:
            # Per scope: the same sentence may rightly stay active for another user or base.
            active_in_scope = {(_scope_key(m), m.memory_value) for m in project_active}
            still = [
                ref for ref in expect.superseded
                if (_scope_key(originals[ref]), originals[ref].memory_value) in active_in_scope
            ]
            checks.append(CheckResult("superseded", not still, f"still active: {_refs(still, originals)}"))
        if expect.kept:
            active_by_id = {m.id: m for m in project_active}
            lost = [
                ref for ref in expect.kept
                if active_by_id.get(originals[ref].id, None) is None
                or active_by_id[originals[ref].id].memory_value != originals[ref].memory_value
            ]
            checks.append(CheckResult("kept", not lost, f"changed or archived: {_refs(lost, originals)}"))
        if expect.active_contains:
            texts = [m.memory_value.casefold() for m in visible_active]
            missing = [alts for alts in expect.active_contains if not any(a.casefold() in t for a in alts for t in texts)]
            checks.append(CheckResult("contains", not missing, f"no active memory contains {missing}; active: {_values(visible_active)}"))
        if expect.active_excludes:
            present = [s for s in expect.active_excludes if any(s.casefold() in m.memory_value.casefold() for m in visible_active)]
            checks.append(CheckResult("excludes", not present, f"still present: {present}; active: {_values(visible_active)}"))
        for search in expect.search:
            checks.append(self._check_search(project_id, search))
        checks.append(self._check_scope(job, changes, originals))

    def _write_setup(self, case: FeedbackCase, project_id: str) -> dict[str, MemoryRecord]:
        now = time.time()
        originals = {}
        for memory in case.setup.memories:
            in_kb = memory.knowledgebase_id is not None
            originals[memory.ref] = MemoryRecord(
                id=str(uuid.uuid4()),
                project_id=project_id,
                scope_kind=ScopeKind.KNOWLEDGEBASE if in_kb else ScopeKind.USER,
                user_id=None if in_kb else memory.user_id,
                knowledgebase_id=memory.knowledgebase_id,
                memory_key=memory.memory_key,
                memory_value=memory.memory_value,
                memory_type=memory.memory_type,
                create_time=now,
                update_time=now,
            )
        self.index.write(list(originals.values()))
        return originals

    def _job(self, case: FeedbackCase, project_id: str) -> FeedbackJob:
        feedback = case.feedback
        context: list[Message] = []
        for conversation in case.setup.conversations:
            if feedback.conversation_id and conversation.conversation_id == feedback.conversation_id:
                context = conversation.messages[-self.context_turns :]
        return FeedbackJob(
            job_id=uuid.uuid4().hex,
            project_id=project_id,
            user_id=feedback.user_id,
            feedback_content=feedback.feedback_content,
            conversation_id=feedback.conversation_id,
            context=context,
            allow_knowledgebase_ids=feedback.allow_knowledgebase_ids,
        )

    def _active_in_project(self, originals: dict[str, MemoryRecord], changes: list[AppliedChange]) -> list[MemoryRecord]:
        """Every active memory of the case's project: its setup plus what the feedback wrote."""
        ids = [m.id for m in originals.values()] + [c.new_memory_id for c in changes]
        return [m for m in self.index.store.get(ids) if m.status is MemoryStatus.ACTIVATED]

    def _check_search(self, project_id: str, search) -> CheckResult:  # noqa: ANN001
        scope = SearchScope(project_id=project_id, user_id=search.user_id, knowledgebase_ids=search.knowledgebase_ids)
        hits = self.index.search(scope, search.query, SEARCH_LIMIT)
        if not hits:
            return CheckResult("search_top1", False, f"{search.query!r}: no results")
        top = hits[0].memory.memory_value
        folded = top.casefold()
        ok = all(any(a.casefold() in folded for a in alts) for alts in search.top1_contains) and not any(
            e.casefold() in folded for e in search.top1_excludes
        )
        return CheckResult("search_top1", ok, f"{search.query!r}: top result {top!r}")

    def _check_scope(self, job: FeedbackJob, changes: list[AppliedChange], originals: dict[str, MemoryRecord]) -> CheckResult:
        """Every memory a case archived or wrote lies within the feedback's scope."""
        allowed_kbs = set(job.allow_knowledgebase_ids)

        def in_scope(memory: MemoryRecord) -> bool:
            if memory.scope_kind is ScopeKind.USER:
                return memory.user_id == job.user_id
            return memory.scope_kind is ScopeKind.KNOWLEDGEBASE and memory.knowledgebase_id in allowed_kbs

        touched_ids = [c.new_memory_id for c in changes] + [c.old_memory_id for c in changes if c.old_memory_id]
        outside = [m.memory_value for m in self.index.store.get(touched_ids) if not in_scope(m)]
        return CheckResult("scope", not outside, f"changed outside the feedback's scope: {outside}")


def _scope_key(memory: MemoryRecord) -> tuple[str, str | None, str | None]:
    return memory.scope_kind.value, memory.user_id, memory.knowledgebase_id


def _refs(refs: list[str], originals: dict[str, MemoryRecord]) -> list[str]:
    return [f"{ref} ({originals[ref].memory_value!r})" for ref in refs]


def _values(memories: list[MemoryRecord]) -> list[str]:
    return [m.memory_value for m in memories]
