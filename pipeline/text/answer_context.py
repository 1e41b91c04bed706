"""The conversation behind a correction: which sentence it corrects and what the old value was.

"No, 6 PM" or "不对，周六下午3点就关门了" only make sense against the answer they reply to.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

from pipeline.text.intent import is_question
from pipeline.text.keyword import contains_term, replace_term, without_continuation
from pipeline.text.language import Language, detect_language, has_cjk
from pipeline.text.lexicon import content_terms, is_negated, zh_tokens
from pipeline.text.parsed import ParsedStatement, subject_label
from pipeline.text.perspective import finish_sentence, second_to_third_person, to_third_person
from pipeline.text.sentences import split_sentences
from pipeline.text.subjects import Subject, subject_of
from pipeline.text.values import compatible_kinds, complete_unit, extract_values, same_value, value_kind


def resolve_with_context(
    main: str, olds: list[str], news: list[str], language: Language, context: list[tuple[str, str]]
) -> ParsedStatement:
    """Anchor "It's X, not Y" / "No, 6 PM" on the conversation sentence it corrects.

    `main` is the feedback clause with its time adverbs already removed.
    """
    for role, content in reversed(context):
        for sentence in split_sentences(content):
            if is_question(sentence):
                continue
            if role == "assistant":
                sentence = reported_fact(sentence, language)
            resolved = _substitute_in(_clause_without(sentence, olds, news), olds, news)
            if resolved is None:
                continue
            text, used_olds = resolved
            if role == "user":
                text = to_third_person(text, language)
            else:
                text = second_to_third_person(text, language)
            statement_language = detect_language(text)
            return ParsedStatement(
                text=finish_sentence(text, statement_language),
                language=statement_language,
                subject=subject_label(text, statement_language),
                old_values=used_olds,
                new_values=news,
                negated=is_negated(text),
            )
    text = finish_sentence(to_third_person(main, language), language)
    return ParsedStatement(text=text, language=language, old_values=olds, new_values=news, subjectless=True)


_PREAMBLES = Path(__file__).parent / "data" / "answer_preambles.toml"


@lru_cache(maxsize=2)
def _preamble(language: Language) -> tuple[re.Pattern[str], re.Pattern[str]]:
    table = tomllib.loads(_PREAMBLES.read_text(encoding="utf-8"))["zh" if language == "zh" else "en"]
    words = "|".join(re.escape(w) for w in sorted(table["acknowledgements"], key=len, reverse=True))
    reports = "|".join(re.escape(w) for w in sorted(table["reporting"], key=len, reverse=True))
    if language == "zh":
        return (re.compile(rf"^\s*(?:{words})[，,！!。～~—–：:\s]+"),
                re.compile(rf"^\s*(?:{reports})[，,：:\s]*"))
    return (re.compile(rf"(?i)^\s*(?:{words})\s*[,!.:;—–-]+\s*(?=\S)"),
            re.compile(rf"(?i)^\s*(?:{reports})\b[\s,:—–-]*(?=\S)"))


def reported_fact(sentence: str, language: Language) -> str:
    """The fact an answer's sentence states, without the acknowledgement and the report of noting it
    before it ("Great — noted that you're in the Monday class." → "you're in the Monday class.")."""
    acknowledgement, report = _preamble(language)
    fact = sentence
    while True:
        if (reporting := report.match(fact)) is not None:
            fact = fact[reporting.end():]
            break
        if (opening := acknowledgement.match(fact)) is None:
            break
        fact = fact[opening.end():]
    if fact == sentence or not re.search(r"\w", fact):
        return sentence
    return fact[:1].upper() + fact[1:] if language != "zh" else fact


_CLAUSE_JOINT = re.compile(r"[,;，；]\s*(?:and\s+|but\s+|so\s+)?")


def _clause_without(sentence: str, olds: list[str], news: list[str]) -> str:
    """"You were deciding between FitHub and IronWorks, and you picked IronWorks": a sentence that
    lists the new value beside the old one states the old one in a clause of its own."""
    if not olds or not all(contains_term(sentence, value) for value in [*olds, *news]):
        return sentence
    clauses = [c for c in _CLAUSE_JOINT.split(sentence) if all(contains_term(c, old) for old in olds)
               and not any(contains_term(c, new) for new in news)]
    return clauses[0] if len(clauses) == 1 else sentence


def _substitute_in(sentence: str, olds: list[str], news: list[str]) -> tuple[str, list[str]] | None:
    if not news:
        return None
    if olds:
        if not all(contains_term(sentence, old) for old in olds[: len(news)]):
            return None
        text = sentence
        for old, new in zip(olds, news):
            text = replace_term(text, old, _without_what_follows(text, old, new))
        return text, olds
    # No denied value: replace the sentence's value of the same kind ("No, 6 PM").
    text, used = sentence, []
    for new in news:
        kind = value_kind(new)
        same_kind = [v for v in extract_values(text) if v.kind == kind and not same_value(v.text, new)]
        if len(same_kind) != 1:
            return None
        text = replace_term(text, same_kind[0].text, new)
        used.append(same_kind[0].text)
    return text, used


def _without_what_follows(text: str, old: str, new: str) -> str:
    """"太平洋保险" for the 平安 of "平安保险" is "太平洋": the sentence goes on with the ending."""
    if not has_cjk(new):
        return new
    found = text.find(old)
    return without_continuation(new, text[found + len(old):]) if found >= 0 else new


def last_answer(context: list[tuple[str, str]]) -> str:
    """The assistant's last turn: the answer a correction most likely replies to."""
    for role, content in reversed(context):
        if role == "assistant":
            return content
    return ""


def last_question(context: list[tuple[str, str]]) -> str:
    """The user's turn the assistant's last answer replied to."""
    answered = False
    for role, content in reversed(context):
        if role == "assistant":
            answered = True
        elif answered and role == "user":
            return content
    return ""


def old_values_from_context(
    statement: ParsedStatement, context: list[tuple[str, str]]
) -> tuple[list[tuple[str, str]], str]:
    """(old, new) pairs: values the last assistant answer gave for what the statement changes.

    Values the answer already states ("周六" in both) anchor the attribute and are not changes.
    """
    if statement.old_values or not statement.new_values:
        return [], ""
    terms = set(content_terms(statement.text, statement.language, statement.new_values))
    if not terms:
        return [], ""
    for role, content in reversed(context):
        if role != "assistant":
            continue
        for sentence in split_sentences(content):
            sentence_values = extract_values(sentence)
            shared = terms & set(content_terms(sentence, statement.language, [v.text for v in sentence_values]))
            if len(shared) < max(1, (len(terms) + 1) // 2):
                continue
            pairs: list[tuple[str, str]] = []
            own = statement.new_values
            for new in statement.new_values:
                if any(same_value(v.text, new) for v in sentence_values):
                    continue
                kind = value_kind(new)
                # Values both sentences state ("Shanghai") anchor the attribute; they are not old.
                olds = list(dict.fromkeys(
                    v.text for v in sentence_values
                    if (v.kind == kind or (kind != "name" and compatible_kinds(v.kind, kind)))
                    and not any(same_value(v.text, o) for o in own)
                ))
                if len(olds) > 1:
                    olds = _same_neighbour(statement.text, new, sentence, olds) or olds
                if len(olds) > 1 and kind == "name":
                    return [], ""  # which name it replaces is a guess: better none
                pairs += [(old, complete_unit(new, old) if kind == "number" else new) for old in olds]
            if pairs:
                return pairs, sentence
        break
    return [], ""


def _same_neighbour(text: str, new: str, sentence: str, olds: list[str]) -> list[str]:
    """The old value followed by the same word as the new one ("下午3点关门" ~ "下午5点关门")."""
    after_new = _next_word(text, new)
    return [old for old in olds if after_new and _next_word(sentence, old) == after_new]


def _next_word(text: str, value: str) -> str:
    """The first word after `value` (after the last occurrence that has one)."""
    found = ""
    for match in re.finditer(re.escape(value), text):
        rest = re.sub(r"^[\s就才都也还已经]+", "", text[match.end() :])
        if not rest or re.match(r"[，,。.;；]", rest):
            continue
        words = zh_tokens(rest[:6]) if has_cjk(rest[:1]) else rest.split()[:1]
        found = words[0].lower() if words else found
    return found


def anchor_on_answer(statement: ParsedStatement, sentence: str, pairs: list[tuple[str, str]]) -> None:
    """ "周六下午3点就关门" names no subject: restate the answer it corrects with the new value."""
    if subject_of(statement.text, statement.language) != Subject(()):
        return
    text = second_to_third_person(sentence)
    for old, new in pairs:
        text = replace_term(text, old, new)
    language = detect_language(text)
    statement.text = finish_sentence(text, language)
    statement.language = language
