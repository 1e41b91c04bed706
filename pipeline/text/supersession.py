"""Which candidate memory a statement supersedes when no rule says so: gradient-boosted trees
over similarity and alignment evidence.

The rules decide when a value aligns or a known change of state ends a fact. What they leave is a
statement written beside its candidates; this model scores each candidate from what the rules and
the embedder measure (how close the statement, the whole feedback and the conversation's answer are
to it and to the other candidates; shared words and value kinds; denial and change cues), and the
best candidate is superseded when its probability clears the model's threshold. The weights are
data (`data/supersession_model.json`), fitted by `training/train_supersession.py` on labelled
pairs (`training/data/supersession_pairs.jsonl`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from pipeline.embedding.base import EmbedderIdentity
from pipeline.text.boosted_trees import BoostedTrees
from pipeline.text.continuity import adds_beside, says_in_addition, says_unchanged
from pipeline.text.language import Language
from pipeline.text.lexicon import content_terms, denies
from pipeline.text.life_events import changed_attributes, says_something_changed, stated_attributes
from pipeline.text.model_files import model_data
from pipeline.text.subjects import same_subject, subject_of
from pipeline.text.targeting import different_things
from pipeline.text.values import compatible_kinds, extract_values, same_value

MODEL_FILE = "supersession_model.json"


@dataclass(frozen=True)
class StatementView:
    """What the model reads of a statement and of the message it came from."""

    text: str
    language: Language
    old_values: tuple[str, ...]
    new_values: tuple[str, ...]
    negated: bool
    corrective: bool
    feedback: str
    answer: str


@dataclass(frozen=True)
class CandidateView:
    memory: str
    similarity: float  # the statement's cosine to the memory
    feedback_similarity: float  # the whole feedback's
    answer_similarity: float | None  # the conversation's last answer's; None without one


def _share(part: Sequence[str], whole: Sequence[str]) -> float:
    return len(set(part) & set(whole)) / len(set(part)) if part else 0.0


def _letters(text: str, language: Language) -> list[str]:
    """Chinese characters, or English words, of a text: how much two texts share, tokeniser aside."""
    if language == "zh":
        return [c for c in text if "\u4e00" <= c <= "\u9fff" or c.isdigit()]
    return re.findall(r"[a-z0-9]+", text.casefold())


def _margin(values: Sequence[float], index: int) -> float:
    others = [value for position, value in enumerate(values) if position != index]
    return values[index] - max(others) if others else values[index]


def features(statement: StatementView, candidates: Sequence[CandidateView]) -> list[list[float]]:
    """One feature row per candidate, in FEATURE_NAMES order."""
    language = statement.language
    statement_terms = content_terms(statement.text, language)
    feedback_terms = content_terms(statement.feedback, language) if statement.feedback else statement_terms
    statement_values = [value.kind for value in extract_values(statement.text)]
    feedback_denies = denies(statement.feedback or statement.text, language)
    changed = says_something_changed(statement.feedback or statement.text)
    attributes = set(changed_attributes(statement.feedback or statement.text))
    statement_subject = subject_of(statement.text, language)
    statement_letters = _letters(statement.text, language)
    continuing = says_unchanged(statement.text, language)
    adding = says_in_addition(statement.feedback or statement.text, language)
    similarities = [candidate.similarity for candidate in candidates]
    feedback_similarities = [candidate.feedback_similarity for candidate in candidates]
    answer_similarities = [candidate.answer_similarity or 0.0 for candidate in candidates]
    rows = []
    for index, candidate in enumerate(candidates):
        memory_terms = content_terms(candidate.memory, language)
        memory_values = extract_values(candidate.memory)
        rows.append([
            candidate.similarity,
            _margin(similarities, index),
            float(similarities[index] >= max(similarities)),
            candidate.feedback_similarity,
            _margin(feedback_similarities, index),
            answer_similarities[index],
            _margin(answer_similarities, index) if candidate.answer_similarity is not None else 0.0,
            float(candidate.answer_similarity is not None),
            _share(memory_terms, statement_terms),
            _share(memory_terms, feedback_terms),
            _share(statement_terms, memory_terms),
            float(any(compatible_kinds(a, b.kind) for a in statement_values for b in memory_values)),
            float(any(same_value(new, value.text) for new in statement.new_values for value in memory_values)),
            float(any(same_value(old, value.text) for old in statement.old_values for value in memory_values)),
            float(bool(memory_values)),
            float(statement.negated),
            float(feedback_denies),
            float(changed),
            float(bool(attributes & stated_attributes(candidate.memory))),
            float(statement.corrective),
            float(same_subject(statement_subject, subject_of(candidate.memory, language))),
            float(language == "zh"),
            float(continuing),
            float(adding),
            float(min(5, len(set(statement_terms) - set(memory_terms)))),
            _share(statement_letters, _letters(candidate.memory, language)),
        ])
    return rows


def eligible(statement: StatementView, memory: str) -> bool:
    """Whether the model may weigh the memory at all. A statement about another thing ("The pool
    closes at 9 PM" beside "The gym closes at 10 PM") never replaces it, however close; nor does one
    that says something stays as it was ("still in Cardiff") or comes in addition ("serves
    breakfast too"; "拍子也换成李宁的了" says the racket changed too)."""
    if says_unchanged(statement.text, statement.language) or adds_beside(statement.text, statement.language):
        return False
    return not different_things(statement.text, memory)


FEATURE_NAMES = (
    "similarity", "similarity_margin", "most_similar", "feedback_similarity", "feedback_margin",
    "answer_similarity", "answer_margin", "has_answer", "memory_terms_in_statement",
    "memory_terms_in_feedback", "statement_terms_in_memory", "value_kind_shared", "memory_holds_new_value",
    "memory_holds_denied_value", "memory_has_values", "statement_negated", "feedback_denies",
    "feedback_says_changed", "changed_attribute_stated", "corrective", "same_subject", "chinese",
    "statement_continues", "feedback_adds", "statement_novel_terms", "statement_letters_in_memory",
)


@dataclass(frozen=True)
class SupersessionModel:
    embedder: EmbedderIdentity  # whose similarities it was fitted on
    names: tuple[str, ...]
    trees: BoostedTrees
    threshold: float

    def probabilities(self, rows: Sequence[Sequence[float]]) -> list[float]:
        return self.trees.probabilities(rows)

    def choose(self, statement: StatementView, candidates: Sequence[CandidateView]) -> tuple[int, float] | None:
        """The candidate the statement supersedes and the model's probability, or None. The model
        weighs candidates against each other: a lone candidate has nothing to be weighed against."""
        if len(candidates) < 2:
            return None
        probabilities = [
            p if eligible(statement, candidate.memory) else 0.0
            for p, candidate in zip(self.probabilities(features(statement, candidates)), candidates, strict=True)
        ]
        best = max(range(len(candidates)), key=probabilities.__getitem__)
        return (best, probabilities[best]) if probabilities[best] >= self.threshold else None


@lru_cache(maxsize=1)
def _shipped() -> SupersessionModel | None:
    raw = model_data(MODEL_FILE)
    if raw is None:
        return None
    return SupersessionModel(
        embedder=EmbedderIdentity.model_validate(raw["embedder"]), names=tuple(raw["names"]),
        trees=BoostedTrees.from_data(raw["trees"]), threshold=float(raw["threshold"]),
    )


def supersession_model(embedder: EmbedderIdentity) -> SupersessionModel | None:
    """The shipped model, or None when it was fitted on another embedder's similarities (another
    model's cosines have another scale) or on other features."""
    model = _shipped()
    if model is None or model.embedder != embedder or model.names != FEATURE_NAMES:
        return None
    return model
