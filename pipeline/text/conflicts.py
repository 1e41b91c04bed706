"""Does a corrected statement supersede a stored memory? Lexical rules, one optional signal.

A memory is superseded only when it states the same attribute of the same subject with a
different value or the opposite polarity. Attribute overlap is measured in content lemmas
(stopwords and values removed); an embedding similarity, when given, can only confirm a
borderline lexical match, never create one from nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.text.keyword import contains_term, replace_term
from pipeline.text.language import Language, detect_language
from pipeline.text.lexicon import content_terms, en_words, is_negated, lemma, zh_tokens
from pipeline.text.values import Value, complete_unit, extract_values, same_value, value_kind

# Embedding similarity above which a partial attribute overlap counts as the same attribute.
SAME_ATTRIBUTE_SIMILARITY = 0.75
SAME_CLAIM_SIMILARITY = 0.85

_EN_FUNCTIONAL_FRAMES = {
    ("live", "in"), ("live", "at"), ("work", "as"), ("work", "at"), ("work", "for"),
    ("work", "in"), ("born", "in"), ("bor", "in"), ("marri", "to"), ("call",), ("nam",),
    ("driv",), ("studi", "at"), ("study", "at"), ("base", "in"), ("bas", "in"),
}
_ZH_FUNCTIONAL_FRAMES = {"住", "住在", "在", "叫", "名叫", "姓", "为", "是", "到", "于"}
_USER_SUBJECT = re.compile(r"^\s*(?:the\s+user|用户)(?!['’]s|的)", re.IGNORECASE)


@dataclass(frozen=True)
class StatementFacts:
    text: str
    language: Language
    old_values: tuple[str, ...] = ()
    new_values: tuple[str, ...] = ()
    negated: bool = False


@dataclass(frozen=True)
class Verdict:
    supersede: bool
    reason: str
    corrected_value: str | None = None


def _attribute_terms(text: str, language: Language, extra_values: tuple[str, ...] = ()) -> set[str]:
    values = [v.text for v in extract_values(text)] + list(extra_values)
    return set(content_terms(text, language, values))


def _substitute(memory: str, pairs: list[tuple[str, str]]) -> str:
    corrected = memory
    for old, new in pairs:
        corrected = replace_term(corrected, old, new)
    return corrected


def _value_pairs(statement: StatementFacts, memory: str) -> list[tuple[str, str]]:
    """(value in memory, value to write) for the statement's denied values found in it."""
    pairs = []
    for index, old in enumerate(statement.old_values):
        if not contains_term(memory, old):
            continue
        if index < len(statement.new_values):
            pairs.append((old, statement.new_values[index]))
        elif len(statement.new_values) == 1:
            pairs.append((old, statement.new_values[0]))
    return pairs


def _coverage(statement_terms: set[str], memory_terms: set[str]) -> float:
    if not statement_terms:
        return 0.0
    return len(statement_terms & memory_terms) / len(statement_terms)


def _frame_before(text: str, value: Value, language: Language) -> tuple[str, ...]:
    """The one or two words right before a value ("lives in" for "lives in Berlin")."""
    before = text[: value.start]
    if language == "zh":
        tokens = [t for t in zh_tokens(before) if t.strip() and not re.fullmatch(r"\W+", t)]
        return tuple(tokens[-1:])
    words = [w.lower() for w in en_words(before)][-2:]
    return tuple(lemma(w) if i == 0 and len(words) == 2 else w for i, w in enumerate(words))


def _denied_value_rule(
    statement: StatementFacts, memory: str, similarity: float | None
) -> Verdict | None:
    hits = [old for old in statement.old_values if contains_term(memory, old)]
    if not hits:
        return None
    fresh = [new for new in statement.new_values if contains_term(memory, new)]
    if fresh and not any(same_value(new, old) for new in fresh for old in hits):
        return None
    language = statement.language
    statement_terms = _attribute_terms(statement.text, language, statement.old_values + statement.new_values)
    memory_terms = _attribute_terms(memory, language, statement.old_values)
    coverage = _coverage(statement_terms, memory_terms)
    if statement_terms:
        same_attribute = coverage > 0.5 or (
            coverage > 0 and similarity is not None and similarity >= SAME_ATTRIBUTE_SIMILARITY
        )
    else:
        # Nothing but the values ("It's John Smith, not Jon Smith"): trust distinctive names only.
        same_attribute = all(value_kind(hit) == "name" and len(hit) >= 3 for hit in hits)
    if not same_attribute:
        return Verdict(False, f"mentions {hits[0]!r} but about a different attribute")
    pairs = _value_pairs(statement, memory)
    corrected = _substitute(memory, pairs) if pairs else statement.text
    return Verdict(True, f"states {hits[0]!r}, which the feedback corrects", corrected)


def _polarity_rule(statement: StatementFacts, memory: str, similarity: float | None) -> Verdict | None:
    if statement.negated == is_negated(memory, detect_language(memory)):
        return None
    statement_terms = set(content_terms(statement.text, statement.language))
    memory_terms = set(content_terms(memory, statement.language))
    if not statement_terms or not memory_terms:
        return None
    shared = statement_terms & memory_terms
    jaccard = len(shared) / len(statement_terms | memory_terms)
    same_claim = (statement_terms <= memory_terms or memory_terms <= statement_terms) and jaccard >= 0.5
    if not same_claim and similarity is not None:
        same_claim = _coverage(statement_terms, memory_terms) >= 0.5 and similarity >= SAME_CLAIM_SIMILARITY
    if not same_claim:
        return None
    return Verdict(True, "states the opposite of the feedback", statement.text)


def _numeric_compatible(a: Value, b: Value) -> bool:
    if a.kind == b.kind:
        return True
    numeric = {a.kind, b.kind} - {"name"}
    return len(numeric) == 2 and "number" in numeric


def _replacement_for(memory_value: Value, statement_value: Value) -> str:
    if statement_value.kind == "number" and memory_value.kind != "number":
        return complete_unit(statement_value.text, memory_value.text)
    return statement_value.text


def _changed_value_rule(statement: StatementFacts, memory: str) -> Verdict | None:
    """Same attribute, same frame, a different value of the same kind ("closes at 9 PM")."""
    language = statement.language
    statement_values = extract_values(statement.text)
    memory_values = extract_values(memory)
    if not statement_values or not memory_values:
        return None
    statement_terms = _attribute_terms(statement.text, language)
    memory_terms = _attribute_terms(memory, language)
    if not statement_terms or _coverage(statement_terms, memory_terms) < 1.0:
        return None
    pairs: list[tuple[str, str]] = []
    for s_value in statement_values:
        if contains_term(memory, s_value.text):
            continue
        for m_value in memory_values:
            if not _numeric_compatible(s_value, m_value) or same_value(s_value.text, m_value.text):
                continue
            frames_match = _frame_before(statement.text, s_value, language) == _frame_before(
                memory, m_value, language
            )
            if frames_match or statement_terms == memory_terms:
                pairs.append((m_value.text, _replacement_for(m_value, s_value)))
                break
    if not pairs:
        return None
    return Verdict(True, f"gives {pairs[0][0]!r} for the same attribute", _substitute(memory, pairs))


def _token_sequence(text: str, language: Language) -> list[str]:
    if language == "zh":
        return [t for t in zh_tokens(text) if t.strip() and not re.fullmatch(r"[\W_]+", t)]
    return [w.lower() for w in en_words(text)]


def _functional_frame(before: list[str], language: Language, subject_is_user: bool) -> bool:
    if not before:
        return False
    if language == "zh":
        last = before[-1]
        if last in ("是", "为") and subject_is_user:
            return False
        return last in _ZH_FUNCTIONAL_FRAMES or "".join(before[-2:]) in _ZH_FUNCTIONAL_FRAMES
    last = before[-1]
    if last in ("is", "are", "was", "were"):
        return not subject_is_user
    if len(before) >= 2 and (lemma(before[-2]), last) in _EN_FUNCTIONAL_FRAMES:
        return True
    return (lemma(last),) in _EN_FUNCTIONAL_FRAMES or (last in ("a", "an", "the") and len(before) >= 3
                                                      and (lemma(before[-3]), before[-2]) in _EN_FUNCTIONAL_FRAMES)


def _single_slot_rule(statement: StatementFacts, memory: str) -> Verdict | None:
    """Sentences identical except one short slot after a single-valued frame ("住在X")."""
    language = statement.language
    if statement.negated != is_negated(memory, language):
        return None
    left = _token_sequence(statement.text, language)
    right = _token_sequence(memory, language)
    prefix = 0
    while prefix < min(len(left), len(right)) and left[prefix] == right[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < min(len(left), len(right)) - prefix
        and left[len(left) - 1 - suffix] == right[len(right) - 1 - suffix]
    ):
        suffix += 1
    new_slot = left[prefix : len(left) - suffix]
    old_slot = right[prefix : len(right) - suffix]
    if not new_slot or not old_slot or len(new_slot) > 3 or len(old_slot) > 3:
        return None
    if any(is_negated(token, language) for token in new_slot + old_slot):
        return None
    subject_is_user = bool(_USER_SUBJECT.match(statement.text))
    if not _functional_frame(left[:prefix], language, subject_is_user):
        return None
    return Verdict(True, "gives a different value for the same single-valued attribute", statement.text)


def judge_statement_against_memory(
    statement: StatementFacts, memory: str, similarity: float | None = None
) -> Verdict:
    """Whether `memory` is superseded by `statement`; when in doubt, keep it."""
    if memory.strip().lower() == statement.text.strip().lower():
        return Verdict(False, "already states the corrected fact")
    for rule in (
        lambda: _denied_value_rule(statement, memory, similarity),
        lambda: _polarity_rule(statement, memory, similarity),
        lambda: _changed_value_rule(statement, memory),
        lambda: _single_slot_rule(statement, memory),
    ):
        verdict = rule()
        if verdict is not None:
            return verdict
    return Verdict(False, "related but compatible: a different attribute or no contradiction")
