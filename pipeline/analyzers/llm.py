"""The LLM analyzer: any OpenAI-compatible chat endpoint, with the offline analyzer as fallback.

Every call reserves tokens from the project's window first and settles with the usage the
endpoint reports. Timeouts, HTTP errors and answers that are not the expected JSON are retried
with backoff; after the last attempt the offline analyzer decides that judgement, and the trace
records why. A job never fails only because the LLM did; a spent token window is not a failure
either: BudgetExhaustedError goes up to the worker, which waits and retries.
"""

from __future__ import annotations

import difflib
import json
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

import openai
from pydantic import BaseModel, ValidationError

from pipeline.analyzers.base import Analyzer
from pipeline.analyzers.llm_answers import (
    ClassificationAnswer,
    ConflictsAnswer,
    ExtractionAnswer,
    ValidityAnswer,
)
from pipeline.analyzers.llm_prompts import messages
from pipeline.analyzers.trace import AnalyzerTrace, JudgementRecord
from pipeline.models import (
    Classification,
    ConflictDecision,
    CorrectedStatement,
    KeywordReplacement,
    MemoryRecord,
    Message,
    UpdateType,
    ValidityDecision,
)
from pipeline.text.language import detect_language
from pipeline.token_budget import RequestTooLargeError, TokenBudget, UnlimitedBudget
from pipeline.token_count import count_message_tokens

AnswerT = TypeVar("AnswerT", bound=BaseModel)
ResultT = TypeVar("ResultT")

MAX_ANSWER_TOKENS = 800
_RETRYABLE = (openai.APITimeoutError, openai.APIConnectionError, openai.RateLimitError, openai.InternalServerError)


class LLMFailure(Exception):
    def __init__(self, message: str, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


# A memory id the model garbled counts as an offered one only when it is this close to exactly one.
ID_REPAIR_SIMILARITY = 0.9
# A rewrite that keeps less of the memory than this, for a statement that changes one value, is
# not the memory corrected but another text: the statement is written instead.
REWRITE_KEEPS_AT_LEAST = 0.5
# Conversation turns the conflicts judgement sees beside the feedback.
CONFLICT_CONTEXT_TURNS = 4


class LLMAnalyzer:
    name = "llm"
    retrieves_by_conversation = True

    def __init__(
        self,
        client: openai.OpenAI,
        model: str,
        fallback: Analyzer,
        budget: TokenBudget | None = None,
        trace: AnalyzerTrace | None = None,
        max_attempts: int = 3,
        backoff_seconds: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = client
        self._model = model
        self._fallback = fallback
        self._budget = budget or UnlimitedBudget()
        self.trace = trace or AnalyzerTrace()
        self._max_attempts = max_attempts
        self._backoff_seconds = backoff_seconds
        self._sleep = sleep

    # --- the four judgements ---------------------------------------------------------

    def judge_validity(self, feedback: str, context: list[Message]) -> ValidityDecision:
        return self._judge(
            "validity",
            feedback,
            {"feedback": feedback, "context": [m.model_dump() for m in context]},
            ValidityAnswer,
            lambda a: ValidityDecision(valid=a.valid, reason=a.reason or ("valid" if a.valid else "not a correction"),
                                       confidence=1.0 if a.confidence is None else a.confidence),
            lambda: self._fallback.judge_validity(feedback, context),
        )

    def classify(self, feedback: str, context: list[Message]) -> Classification:
        language = detect_language(feedback)

        def convert(answer: ClassificationAnswer) -> Classification:
            if answer.update_type == "keyword_replace":
                assert answer.original and answer.target
                return Classification(
                    update_type=UpdateType.KEYWORD_REPLACE,
                    keyword=KeywordReplacement(original=answer.original, target=answer.target),
                )
            return Classification(
                update_type=UpdateType.SEMANTIC_UPDATE,
                statements=[
                    CorrectedStatement(
                        text=s.text, language=language, old_values=s.old_values, new_values=s.new_values,
                        negated=s.negated,
                    )
                    for s in answer.statements
                ],
            )

        return self._judge(
            "classify",
            feedback,
            {"feedback": feedback, "context": [m.model_dump() for m in context]},
            ClassificationAnswer,
            convert,
            lambda: self._fallback.classify(feedback, context),
        )

    def judge_conflicts(
        self,
        statement: CorrectedStatement,
        candidates: list[MemoryRecord],
        similarities: Sequence[float | None] | None = None,
        feedback: str = "",
        context: Sequence[Message] = (),
    ) -> list[ConflictDecision]:
        if not candidates:
            return []
        offered = {c.id: c for c in candidates}

        def convert(answer: ConflictsAnswer) -> list[ConflictDecision]:
            # Ids the model invents are dropped: it judges only what the scoped lookup offered.
            seen: set[str] = set()
            decisions = []
            for item in answer.decisions:
                memory_id = _offered_id(item.memory_id, offered)
                if memory_id is None or memory_id in seen:
                    continue
                seen.add(memory_id)
                corrected = item.corrected_value if item.supersede else None
                reason = item.reason or "llm"
                if corrected and _rewrites_too_much(statement, offered[memory_id].memory_value, corrected):
                    corrected, reason = None, f"{reason}; its rewrite changed most of the memory, so the statement is written"
                decisions.append(ConflictDecision(
                    memory_id=memory_id, supersede=item.supersede, reason=reason, corrected_value=corrected,
                    confidence=1.0 if item.confidence is None else item.confidence,
                ))
            return decisions

        data = {
            "statement": statement.text,
            "old_values": statement.old_values,
            "new_values": statement.new_values,
            "feedback": feedback,
            "context": [m.model_dump() for m in list(context)[-CONFLICT_CONTEXT_TURNS:]],
            "candidates": [{"id": c.id, "memory": c.memory_value} for c in candidates],
        }
        return self._judge(
            "conflicts", statement.text, data, ConflictsAnswer, convert,
            lambda: self._fallback.judge_conflicts(statement, candidates, similarities, feedback, context),
        )

    def extract_memories(self, text: str, role: str) -> list[str]:
        if role != "user":
            return []
        return self._judge(
            "extract", text, {"text": text, "role": role}, ExtractionAnswer,
            lambda a: [m.strip() for m in a.memories if m.strip()],
            lambda: self._fallback.extract_memories(text, role),
        )

    # --- one judgement: budget, attempts, validation, fallback ------------------------

    def _judge(
        self,
        judgement: str,
        text_for_language: str,
        data: dict,
        schema: type[AnswerT],
        convert: Callable[[AnswerT], ResultT],
        fallback: Callable[[], ResultT],
    ) -> ResultT:
        prompt = messages(judgement, detect_language(text_for_language), data)
        record = JudgementRecord(judgement=judgement, decided_by="llm")
        failure = ""
        for attempt in range(1, self._max_attempts + 1):
            record.attempts = attempt
            try:
                answer = self._call(prompt, schema, record)
                result = convert(answer)
                self.trace.add(record)
                return result
            except LLMFailure as exc:
                failure = str(exc)
                if not exc.retryable:
                    break
                if attempt < self._max_attempts:
                    self._sleep(self._backoff_seconds * 2 ** (attempt - 1))
        record.decided_by = self._fallback.name
        record.fallback_reason = f"llm failed {record.attempts} time(s): {failure}"
        self.trace.add(record)
        return fallback()

    def _call(self, prompt: list[dict[str, str]], schema: type[AnswerT], record: JudgementRecord) -> AnswerT:
        estimate = count_message_tokens([m["content"] for m in prompt]) + MAX_ANSWER_TOKENS
        try:
            reservation = self._budget.reserve(estimate)
        except RequestTooLargeError as exc:
            raise LLMFailure(
                f"the call needs about {estimate} tokens, more than the project allows per request", retryable=False
            ) from exc
        used = 0
        try:
            response = self._client.chat.completions.create(
                model=self._model,
                messages=prompt,  # type: ignore[arg-type]
                temperature=0,
                max_tokens=MAX_ANSWER_TOKENS,
                response_format={"type": "json_object"},
            )
            if response.usage:
                record.prompt_tokens += response.usage.prompt_tokens
                record.completion_tokens += response.usage.completion_tokens
                used = response.usage.total_tokens
            else:
                used = estimate
            content = response.choices[0].message.content or ""
            return schema.model_validate(json.loads(_strip_code_fence(content)))
        except openai.InternalServerError as exc:
            raise LLMFailure(f"HTTP {exc.status_code}: {exc.message}") from exc
        except _RETRYABLE as exc:
            raise LLMFailure(f"{type(exc).__name__}: {exc}") from exc
        except openai.APIStatusError as exc:
            raise LLMFailure(f"HTTP {exc.status_code}: {exc.message}") from exc
        except (ValueError, ValidationError, IndexError, AssertionError) as exc:
            raise LLMFailure(f"answer is not the expected JSON: {str(exc)[:200]}") from exc
        finally:
            self._budget.settle(reservation, used)


def _offered_id(answered: str, offered: dict[str, MemoryRecord]) -> str | None:
    """The offered id the model meant: the same, or the one offered id it is very close to."""
    if answered in offered:
        return answered
    close = difflib.get_close_matches(answered, list(offered), n=2, cutoff=ID_REPAIR_SIMILARITY)
    return close[0] if len(close) == 1 else None


def _rewrites_too_much(statement: CorrectedStatement, memory: str, rewrite: str) -> bool:
    if len(statement.new_values) > 1:
        return False
    return difflib.SequenceMatcher(None, memory, rewrite).ratio() < REWRITE_KEEPS_AT_LEAST


def _strip_code_fence(content: str) -> str:
    """Some servers wrap JSON in a markdown fence even when asked for a JSON object."""
    stripped = content.strip()
    if stripped.startswith("```"):
        stripped = stripped.split("\n", 1)[1] if "\n" in stripped else ""
        stripped = stripped.rsplit("```", 1)[0]
    return stripped
