"""The four stages of a feedback job, as plain functions over their dependencies.

validate → classify → lookup → write. Each is deterministic for a given job and store
state, and write derives its point ids from the job id, so running a stage twice (a
worker died after writing, before acknowledging) gives the same result.
"""

from __future__ import annotations

import time
import uuid

from pipeline.analyzers.base import Analyzer
from pipeline.job import FeedbackJob
from pipeline.memory_index import MemoryIndex
from pipeline.memory_keys import memory_key_for
from pipeline.models import (
    AppliedChange,
    Classification,
    ConflictDecision,
    CorrectedStatement,
    LookupPlan,
    MemoryRecord,
    MemoryStatus,
    PlannedChange,
    RejectedWrite,
    ScopeKind,
    ScoredMemory,
    UpdateType,
    ValidityDecision,
)
from pipeline.text.continuity import says_unchanged
from pipeline.text.keyword import contains_term, replace_term, replacement_refusal
from pipeline.text.language import detect_language
from pipeline.text.lexicon import content_terms
from pipeline.text.subjects import subject_of
from pipeline.text.third_party import speaks_of_someone_else
from pipeline.text.values import value_texts
from pipeline.text.wellformed import defect_of_change, memory_defect

# How many hybrid-search candidates the conflict judgement sees per statement.
CONFLICT_CANDIDATES = 12
# Beyond the first few, a candidate whose meaning is this far from the statement's (dense cosine)
# is not judged: it shares neither topic nor wording, and the rules' work grows with every
# candidate they read. Measured on the development sets: no case's outcome changes.
CANDIDATE_LIKENESS_FLOOR = 0.2
CANDIDATES_ALWAYS_JUDGED = 4
_MEMORY_ID_NAMESPACE = uuid.UUID("6f1c9f3e-0d1b-4c53-9a52-5b2d0f6f7a10")


def validate(job: FeedbackJob, analyzer: Analyzer) -> ValidityDecision:
    return analyzer.judge_validity(job.feedback_content, job.context)


def classify(job: FeedbackJob, analyzer: Analyzer) -> Classification:
    return analyzer.classify(job.feedback_content, job.context)


class ReplacementRefused(Exception):
    """A keyword replacement that must not run (the message says why); nothing is written."""


class Unresolved(Exception):
    """Nothing the feedback says could be written as a complete memory; nothing is written."""

    def __init__(self, rejected: list[RejectedWrite]) -> None:
        self.rejected = rejected
        super().__init__(unresolved_reason(rejected))


def unresolved_reason(rejected: list[RejectedWrite]) -> str:
    reasons = "; ".join(f"{r.text!r}: {r.reason}" for r in rejected[:3])
    return f"no complete statement could be written ({reasons})"


def lookup(
    job: FeedbackJob, classification: Classification, index: MemoryIndex, analyzer: Analyzer
) -> list[PlannedChange]:
    """The changes to write. Raises ReplacementRefused for a keyword replacement of a function
    word, a single letter or with no target, and Unresolved when every change it found would
    write a broken memory."""
    plan = plan_lookup(job, classification, index, analyzer)
    if plan.rejected and not plan.changes:
        raise Unresolved(plan.rejected)
    return plan.changes


def plan_lookup(
    job: FeedbackJob, classification: Classification, index: MemoryIndex, analyzer: Analyzer
) -> LookupPlan:
    if classification.update_type is UpdateType.KEYWORD_REPLACE and classification.keyword:
        refusal = replacement_refusal(classification.keyword.original, classification.keyword.target)
        if refusal:
            raise ReplacementRefused(refusal)
        return _through_write_gate(_plan_keyword_replace(job, classification, index))
    return _through_write_gate(_plan_semantic_update(job, classification, index, analyzer))


def _through_write_gate(changes: list[PlannedChange]) -> LookupPlan:
    """Only complete statements are written: a fragment, chat, a command or a kept denial is not.
    A defect the memory's stored text already has (a term replaced in a note kept in the first
    person) is the note's, not the change's."""
    plan = LookupPlan()
    for change in changes:
        defect = defect_of_change(change.after, change.before)
        if defect:
            plan.rejected.append(RejectedWrite(text=change.after, reason=defect, memory_id=change.memory_id))
        else:
            plan.changes.append(change)
    return plan


def _plan_keyword_replace(
    job: FeedbackJob, classification: Classification, index: MemoryIndex
) -> list[PlannedChange]:
    keyword = classification.keyword
    assert keyword is not None
    plan = []
    # The store narrows the scope to memories that may contain the term; contains_term decides.
    candidates = index.store.scroll_containing(job.scope(), keyword.original)
    for memory in sorted(candidates, key=lambda m: (m.create_time, m.id)):
        if contains_term(memory.memory_value, keyword.original):
            plan.append(
                PlannedChange(
                    action="update",
                    memory_id=memory.id,
                    before=memory.memory_value,
                    after=replace_term(memory.memory_value, keyword.original, keyword.target),
                    scope_kind=memory.scope_kind,
                    knowledgebase_id=memory.knowledgebase_id,
                    memory_key=memory.memory_key,
                    reason=f"contains '{keyword.original}'",
                    confidence=classification.confidence,
                )
            )
    return plan


def _plan_semantic_update(
    job: FeedbackJob, classification: Classification, index: MemoryIndex, analyzer: Analyzer
) -> list[PlannedChange]:
    plan: list[PlannedChange] = []
    additions: list[PlannedChange] = []
    superseded: set[str] = set()
    planned: dict[str, PlannedChange] = {}  # a superseded memory's accepted update
    planned_by: dict[str, CorrectedStatement] = {}  # and the statement it came from
    planned_statements: list[str] = []
    conversation_hits = _conversation_hits(job, index) if analyzer.retrieves_by_conversation else []
    for statement in classification.statements:
        hits = _worth_judging(index.search(job.scope(), statement.text, CONFLICT_CANDIDATES, remember_vectors=True,
                                           rerank_pool=CONFLICT_CANDIDATES))
        candidates = {hit.memory.id: hit.memory for hit in hits}
        # The search already compared each hit's stored vector with the statement's; a memory only
        # the conversation found has no similarity to the statement yet.
        similarity: dict[str, float | None] = {hit.memory.id: hit.relativity for hit in hits}
        for hit in conversation_hits:
            candidates.setdefault(hit.memory.id, hit.memory)
            similarity.setdefault(hit.memory.id, None)
        decisions = analyzer.judge_conflicts(
            statement, list(candidates.values()), [similarity[memory_id] for memory_id in candidates],
            job.feedback_content, job.context,
        )
        updates = []
        merged = False
        for decision in decisions:
            # The analyzer judges only what the scoped lookup gave it.
            memory = candidates.get(decision.memory_id)
            if memory is None or not decision.supersede:
                continue
            if memory.id in superseded:
                # "房租早涨了，现在是5200": a clause that says what the value became takes the place of
                # one that only said it changed.
                others = [other.memory_value for other in candidates.values() if other.id != memory.id]
                if _only_said_it_changed(planned_by[memory.id]) and _gives_the_value_instead(
                        planned[memory.id], _complete_text(decision.corrected_value, statement.text), decision, others):
                    merged = True
                    continue
                # "it's badminton not tennis, and it's Thursdays not Wednesdays": a second value of
                # a memory another clause already corrects goes into that correction.
                merged = _corrected_again(planned.get(memory.id), statement, memory, analyzer, job) or merged
                continue
            if speaks_of_someone_else(statement.text, memory.memory_value, job.feedback_content, statement.language):
                continue  # what the user says about another person never replaces what is known of the user
            after = _complete_text(decision.corrected_value, statement.text)
            change = PlannedChange(
                action="update",
                memory_id=memory.id,
                before=memory.memory_value,
                after=after,
                scope_kind=memory.scope_kind,
                knowledgebase_id=memory.knowledgebase_id,
                memory_key=memory.memory_key,
                reason=decision.reason,
                confidence=decision.confidence,
            )
            if memory_defect(after) is None:
                # A change the write gate will refuse leaves the memory to another statement.
                superseded.add(memory.id)
                planned[memory.id] = change
                planned_by[memory.id] = statement
            updates.append(change)
        repeated = any(_same_text(text, statement.text) for text in planned_statements)
        planned_statements.append(statement.text)
        if updates:
            plan.extend(updates)
        elif not repeated and not merged and not _confirms_what_is_stored(statement, hits):
            # A statement that repeats one already planned (whose update wins) adds nothing.
            knowledgebase_id = _knowledgebase_of_new_fact(job, statement, hits)
            additions.append(
                PlannedChange(
                    action="add",
                    after=statement.text,
                    scope_kind=ScopeKind.KNOWLEDGEBASE if knowledgebase_id else ScopeKind.USER,
                    knowledgebase_id=knowledgebase_id,
                    reason="contradicts nothing",
                    confidence=_confidence_of_addition(decisions),
                )
            )
    # An addition whose every content word a corrected memory already says ("用户结婚。" beside
    # "用户上个月结婚。") adds nothing.
    written = [_content_words(change.after) for change in plan]
    return plan + [add for add in additions if not any(_content_words(add.after) <= words for words in written)]


def _corrected_again(
    change: PlannedChange | None, statement: CorrectedStatement, memory: MemoryRecord, analyzer: Analyzer,
    job: FeedbackJob,
) -> bool:
    """Judge `statement` against the corrected text planned for `memory`; take its correction when it
    substitutes a value there (the sentence stays the planned one but for that value)."""
    if change is None:
        return False
    revised = memory.model_copy(update={"memory_value": change.after})
    decisions = analyzer.judge_conflicts(statement, [revised], [None], job.feedback_content, job.context)
    decision = next((d for d in decisions if d.memory_id == memory.id), None)
    if decision is None or not decision.supersede or decision.corrected_value is None:
        return False
    after = decision.corrected_value
    if memory_defect(after) is not None or _same_text(after, change.after) or not _one_value_apart(after, change.after):
        return False
    introduced_words = _content_words(change.after) - _content_words(memory.memory_value)
    introduced_values = set(value_texts(change.after)) - set(value_texts(memory.memory_value))
    if not (introduced_words <= _content_words(after) and introduced_values <= set(value_texts(after))):
        return False  # it would undo the first correction, not add a second value to it
    change.after = after
    change.reason = f"{change.reason}; {decision.reason}"
    change.confidence = min(change.confidence, decision.confidence)
    return True


def _only_said_it_changed(statement: CorrectedStatement) -> bool:
    """Neither a denial ("I'm not a student") nor an event that ends what is stored ("Biscuit
    passed away"), and no value of its own."""
    return not (statement.negated or statement.ended or statement.new_values)


def _gives_the_value_instead(
    change: PlannedChange, after: str, decision: ConflictDecision, other_memories: list[str]
) -> bool:
    """Take `after` for the planned change when the plan introduces no value the memory lacked and
    `after` is the memory's own sentence with a new value in it, one no other memory holds ("it's
    just Pepper and me now" names the cat another memory keeps, not a new name of the dog's)."""
    before = set(value_texts(change.before or ""))
    introduced = set(value_texts(after)) - before
    if set(value_texts(change.after)) - before or not introduced or memory_defect(after):
        return False
    if any(introduced & set(value_texts(other)) for other in other_memories):
        return False
    if not _one_value_apart(after, change.before or "") or _one_value_apart(change.after, change.before or ""):
        return False  # only the memory's own sentence with its value substituted
    change.after = after
    change.reason = decision.reason
    change.confidence = decision.confidence
    return True


def _one_value_apart(a: str, b: str) -> bool:
    """Two sentences that differ only where one value stands for another."""
    words_a, words_b = _content_words(a), _content_words(b)
    return len(words_a ^ words_b) <= 4 and len(words_a & words_b) >= 2


def _confidence_of_addition(decisions: list[ConflictDecision]) -> float:
    """A new fact is as sure as the analyzer was that none of the candidates is what it corrects."""
    return min((decision.confidence for decision in decisions if not decision.supersede), default=1.0)


def _confirms_what_is_stored(statement: CorrectedStatement, hits: list[ScoredMemory]) -> bool:
    """"still in Cardiff tho", "还在深圳": a statement that says something stays as it was, about what
    a stored memory already says, confirms that memory; it is no new fact."""
    if not says_unchanged(statement.text, statement.language):
        return False
    said = set(content_terms(statement.text, statement.language))
    # At least half its words: "周末还在做家教" shares only a verb with "在腾讯做产品经理".
    return bool(said) and any(
        2 * len(said & set(content_terms(hit.memory.memory_value, statement.language))) >= len(said) for hit in hits
    )


def _content_words(text: str) -> set[str]:
    return set(content_terms(text, detect_language(text))) or {text}


# The conversation's last turns (the question and the answer the feedback reacts to) as a second
# query for candidates.
CONVERSATION_QUERY_TURNS = 2


def _conversation_hits(job: FeedbackJob, index: MemoryIndex) -> list[ScoredMemory]:
    turns = [m.content for m in job.context[-CONVERSATION_QUERY_TURNS:] if m.content.strip()]
    if not turns:
        return []
    limit = CONFLICT_CANDIDATES // 2
    return index.search(job.scope(), " ".join(turns), limit, remember_vectors=True, rerank_pool=limit)


def _worth_judging(hits: list[ScoredMemory]) -> list[ScoredMemory]:
    return [hit for position, hit in enumerate(hits)
            if position < CANDIDATES_ALWAYS_JUDGED or hit.relativity >= CANDIDATE_LIKENESS_FLOOR]


def _complete_text(corrected_value: str | None, statement_text: str) -> str:
    """The memory's own sentence with its value substituted, unless that came out broken and the
    statement itself is whole."""
    if corrected_value and (memory_defect(corrected_value) is None or memory_defect(statement_text) is not None):
        return corrected_value
    return statement_text


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()).rstrip(".。") == " ".join(b.casefold().split()).rstrip(".。")


def _knowledgebase_of_new_fact(
    job: FeedbackJob, statement: CorrectedStatement, hits: list[ScoredMemory]
) -> str | None:
    """The allowed knowledge base a new fact belongs to, or None for the user's own memories.

    A fact about a person stays with the user. Another (a policy, a price, opening hours) goes
    to the knowledge base of the most similar memory when that memory is a knowledge base's;
    when the fact names its own subject ("the purchase limit for office software …"), to the
    allowed knowledge base with the most similar memory, else the first allowed.
    """
    allowed = job.allow_knowledgebase_ids
    if not allowed or subject_of(statement.text, statement.language).chain:
        return None
    ranked = sorted(hits, key=lambda h: h.relativity, reverse=True)
    in_allowed = [h.memory.knowledgebase_id for h in ranked
                  if h.memory.scope_kind is ScopeKind.KNOWLEDGEBASE and h.memory.knowledgebase_id in allowed]
    if ranked and ranked[0].memory.scope_kind is ScopeKind.KNOWLEDGEBASE and in_allowed:
        return in_allowed[0]
    if statement.subject:
        return in_allowed[0] if in_allowed else allowed[0]
    return None


def new_memory_id(job_id: str, position: int) -> str:
    return str(uuid.uuid5(_MEMORY_ID_NAMESPACE, f"{job_id}:{position}"))


def _our_new_ids(job: FeedbackJob, plan: list[PlannedChange]) -> set[str]:
    return {new_memory_id(job.job_id, position) for position in range(len(plan))}


def plan_is_stale(job: FeedbackJob, plan: list[PlannedChange], index: MemoryIndex) -> bool:
    """Has another job superseded or removed a memory this plan updates since it was made?"""
    planned = [c.memory_id for c in plan if c.memory_id]
    if not planned:
        return False
    current = {m.id: m for m in index.store.get(planned)}
    ours = _our_new_ids(job, plan)
    return any(
        (memory := current.get(memory_id)) is None
        or (memory.status is not MemoryStatus.ACTIVATED and memory.superseded_by not in ours)
        for memory_id in planned
    )


def undo_write(job: FeedbackJob, plan: list[PlannedChange], index: MemoryIndex) -> None:
    """Take back a write that could not finish: no new version may stay without its
    predecessor archived, and no predecessor archived without its new version."""
    ours = sorted(_our_new_ids(job, plan))
    index.store.delete(ours)
    restored = [
        m.id
        for m in index.store.get([c.memory_id for c in plan if c.memory_id])
        if m.superseded_by in set(ours)
    ]
    index.store.set_fields(
        restored, {"status": MemoryStatus.ACTIVATED.value, "superseded_by": None, "invalid_at": None}
    )


def _corrected_key(old: MemoryRecord, corrected_value: str) -> str:
    """The title follows the value when it was made from the value; a key that names something
    else (a knowledge-base file's passage, "policy.md #2") stays."""
    if not old.memory_key or old.memory_key == memory_key_for(old.memory_value):
        return memory_key_for(corrected_value)
    return old.memory_key


def write(job: FeedbackJob, plan: list[PlannedChange], index: MemoryIndex) -> list[AppliedChange]:
    """Apply the plan: write each corrected version, then archive what it supersedes.

    The new version is written before its predecessor is archived, so an interruption
    leaves at worst both active, never a memory archived without its replacement; the
    retry then completes the archive.
    """
    now = time.time()
    olds = {m.id: m for m in index.store.get([c.memory_id for c in plan if c.memory_id])}
    new_records: list[MemoryRecord] = []
    archives: list[tuple[str, str]] = []
    applied: list[AppliedChange] = []
    for position, change in enumerate(plan):
        new_id = new_memory_id(job.job_id, position)
        old = olds.get(change.memory_id) if change.memory_id else None
        if old is not None and old.status is not MemoryStatus.ACTIVATED and old.superseded_by != new_id:
            # Someone else already replaced or removed it: nothing of ours to supersede.
            continue
        if old is not None:
            record = old.model_copy(
                update={
                    "id": new_id,
                    "memory_value": change.after,
                    "memory_key": _corrected_key(old, change.after),
                    "status": MemoryStatus.ACTIVATED,
                    "supersedes": old.id,
                    "superseded_by": None,
                    "invalid_at": None,
                    "source_job_id": job.job_id,
                    "priority": old.priority + 1,
                    "update_time": now,
                    "create_time": now,
                }
            )
            archives.append((old.id, new_id))
        else:
            record = MemoryRecord(
                id=new_id,
                project_id=job.project_id,
                scope_kind=change.scope_kind,
                user_id=job.user_id if change.scope_kind is ScopeKind.USER else None,
                knowledgebase_id=change.knowledgebase_id,
                agent_id=job.agent_id,
                app_id=job.app_id,
                memory_key=change.memory_key or memory_key_for(change.after),
                memory_value=change.after,
                conversation_id=job.conversation_id,
                tags=["feedback"],
                create_time=now,
                update_time=now,
                source_job_id=job.job_id,
                priority=1,
            )
        new_records.append(record)
        applied.append(
            AppliedChange(
                action=change.action,
                old_memory_id=old.id if old else None,
                new_memory_id=new_id,
                before=change.before,
                after=change.after,
                scope_kind=record.scope_kind,
                knowledgebase_id=record.knowledgebase_id,
            )
        )
    index.write(new_records)
    for old_id, new_id in archives:
        index.store.set_fields(
            [old_id],
            {
                "status": MemoryStatus.ARCHIVED.value,
                "superseded_by": new_id,
                "invalid_at": now,
                "update_time": now,
            },
        )
    return applied
