"""Replies that only point at an option the conversation listed: "no, the second one", "是另一家".

The options come from the recent turns ("Is it the Hilton or the Marriott?", "乐动健身还是超级猩猩？");
the assistant's last answer holds the option it wrongly chose; the reply picks another. The
corrected statement is that answer with the chosen option in place of the wrong one.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipeline.text.keyword import contains_term
from pipeline.text.language import Language
from pipeline.text.lexicon import content_terms, is_negated, phrase_alternation
from pipeline.text.referents import numbered_items
from pipeline.text.sentences import split_sentences
from pipeline.text.values import extract_values
from pipeline.text.wellformed import is_confirmation

_DATA = Path(__file__).parent / "data" / "references.toml"
_OTHER = "other"
# How far back options are looked for: the question, the answer, and the turns before them.
_TURNS = 4


@dataclass(frozen=True)
class _Words:
    markers: re.Pattern[str]
    ordinals: dict[str, int]
    reference: re.Pattern[str]
    alternatives: re.Pattern[str]
    coordinators: re.Pattern[str]
    list_ends: re.Pattern[str]
    rejections: re.Pattern[str]


@lru_cache(maxsize=1)
def _words() -> dict[str, _Words]:
    data = tomllib.loads(_DATA.read_text(encoding="utf-8"))
    words = {}
    for language, table in data.items():
        pointers = {**{k: v for k, v in table["ordinals"].items()}, **{w: _OTHER for w in table["other"]}}
        boundary = (r"\b", r"\b") if language == "en" else ("", "")
        words[language] = _Words(
            markers=re.compile(rf"{boundary[0]}(?:{phrase_alternation(table['markers'])}){boundary[1]}", re.IGNORECASE),
            ordinals=pointers,
            reference=re.compile(rf"{boundary[0]}(?:{phrase_alternation(list(pointers))}){boundary[1]}", re.IGNORECASE),
            alternatives=re.compile(rf"\s*(?:{phrase_alternation(table['alternatives'])})\s*" if language == "zh"
                                    else rf"\s+(?:{phrase_alternation(table['alternatives'])})\s+", re.IGNORECASE),
            coordinators=_joiner(table["coordinators"], language),
            list_ends=re.compile(rf"{boundary[0]}(?:{phrase_alternation(table['list_ends'])}){boundary[1]}", re.IGNORECASE),
            rejections=re.compile(rf"{boundary[0]}(?:{phrase_alternation(table['rejections'])}){boundary[1]}", re.IGNORECASE),
        )
    return words


def _joiner(words: list[str], language: Language) -> re.Pattern[str]:
    if language == "zh":
        return re.compile(rf"\s*(?:{phrase_alternation(words)})\s*")
    return re.compile(rf"\s+(?:{phrase_alternation(words)})\s+", re.IGNORECASE)


def pointer_of(feedback: str, language: Language) -> int | str | None:
    """The option a reply points at (an index, or "other"), when pointing is what it does: one
    clause points, and nothing in the reply brings a value of its own ("第一个才对", "no, the
    second one is my fav"; not "第二个改到周六", which the other rules read)."""
    words = _words()[language]
    clauses = (_ZH_CLAUSE if language == "zh" else _CLAUSE).split(feedback)
    # A clause that only judges what is stored ("nights are right") brings no value of its own.
    judged = [clause for clause in clauses if not is_confirmation(clause)]
    if extract_values(words.reference.sub(" ", " , ".join(judged))):
        return None
    pointing = [
        clause for clause in clauses
        if words.reference.search(clause) and not is_negated(words.reference.sub(" ", clause), language)
        and not words.rejections.search(clause)
    ]
    if len(pointing) != 1:
        return None
    found = words.reference.search(pointing[0])
    assert found is not None
    key = next(k for k in words.ordinals if re.fullmatch(re.escape(k).replace(r"\ ", r"\s+"), found.group(0), re.I))
    return words.ordinals[key]


_CLAUSE = re.compile(r"[,;.!?，；。！？]+\s*")
# Typed Chinese often separates clauses with a space alone ("不对 是另一家").
_ZH_CLAUSE = re.compile(r"[,;.!?，；。！？\s]+")


# "FitZone on Elm Street and PowerHouse on King Road": a place after a preposition says where an
# option is; it is no option itself.
_EN_LOCATING = re.compile(r"(?i)\b(?:on|at|near|in)\s+(?:the\s+)?$")


def _located_by(sentence: str, start: int) -> bool:
    return bool(_EN_LOCATING.search(sentence[:start]))


def _options(sentence: str, language: Language) -> list[str]:
    """The alternatives a sentence offers: its values of one kind, else the phrases around "or"/"还是"."""
    values = extract_values(sentence)
    words = _words()[language]
    offered = words.alternatives.search(sentence)
    if offered:
        # "for my Kyoto trip, which hotel did I book, Hotel Granvia or The Thousand?": the values the
        # "or" joins, not every value of the sentence.
        before = sentence[: offered.start()].rstrip(" ，,")  # "…的Manner，或者…的Seesaw": that comma joins the two
        clause_start = max((m.end() for m in re.finditer(r"[，,：:；;]", before)), default=0)
        values = [v for v in values if v.start >= clause_start]
    kinds = [v.kind for v in values]
    for kind in dict.fromkeys(kinds):
        same = list(dict.fromkeys(v.text for v in values if v.kind == kind and not _located_by(sentence, v.start)))
        if len(same) >= 2:
            return same
    parts = words.alternatives.split(sentence.strip().rstrip("?？。.!！"))
    listed = len(parts) < 2
    if listed:
        parts = words.coordinators.split(sentence.strip().rstrip("?？。.!！"))
    if len(parts) < 2:
        return []
    separator = re.compile(r"[，,：:；;、]|是|选|去|在|用" if language == "zh" else r"[,:;]")
    first = separator.split(parts[0].rstrip(" ，,"))[-1].strip()
    last = re.split(r"[，,。.;；]", parts[-1])[0].strip()
    if listed:
        last = words.list_ends.split(last)[0].strip()
    options = [first, *[p.strip() for p in parts[1:-1]], last]
    # "海底捞（万达店）": an aside in brackets is not part of the option's name.
    options = [re.sub(r"[（(][^（()）]*[)）]", "", o).strip() for o in options]
    return [re.sub(r"^(?:the|a|an)\s+|[吗呢啊呀]$", "", o, flags=re.IGNORECASE) for o in options if o]


def _offered_options(
    turns: list[tuple[str, str]], language: Language, answer: str
) -> Iterator[tuple[str, list[str], str]]:
    """Each sentence of the recent turns that offers options, latest first, with its options and the
    one the answer held."""
    for _, content in reversed(turns):
        for sentence in split_sentences(content):
            options = _options(sentence, language)
            if len(options) < 2:
                continue
            wrong = _held_option(answer, options) or _stated_before(turns, options)
            if wrong is not None:
                yield sentence, options, wrong


def _resolve_description(
    described: set[str], language: Language, turns: list[tuple[str, str]], answer: str
) -> tuple[str, str] | None:
    for sentence, options, wrong in _offered_options(turns, language, answer):
        meant = _described_option(described, sentence, options, language)
        if meant is not None and meant != wrong:
            return wrong, meant
    return None


def _held_option(answer: str, options: list[str]) -> str | None:
    """The one option a sentence of the answer states."""
    for sentence in split_sentences(answer):
        # The sentence that lists the options may state the one held in a clause of its own.
        for part in [sentence, *re.split(r"[，,；;]", sentence)]:
            held = [o for o in options if contains_term(part, o)]
            if len(held) == 1:
                return held[0]
    return None


def _stated_before(turns: list[tuple[str, str]], options: list[str]) -> str | None:
    """An answer that only asks ("moved to June 12 or June 19?") holds no option; the value of their
    kind the assistant stated before it is the one being replaced."""
    kinds = {v.kind for option in options for v in extract_values(option)}
    if len(kinds) != 1:
        return None
    for role, content in reversed(turns[:-1]):
        if role != "assistant":
            continue
        stated = [v.text for v in extract_values(content) if v.kind in kinds and v.text not in options]
        if len(set(stated)) == 1:
            return stated[0]
    return None


def _numbered_options(answer: str) -> list[str]:
    """The names a numbered list offers ("1. Luigi's Trattoria, your favourite" → "Luigi's Trattoria")."""
    names = [re.split(r"\s*(?:[,，:：(（]|\s[-–—]\s)", item, maxsplit=1)[0].strip() for item in numbered_items(answer)]
    return names if all(names) and len(set(names)) == len(names) else []


@lru_cache(maxsize=1)
def _descriptor_pattern() -> re.Pattern[str]:
    heads = tomllib.loads(_DATA.read_text(encoding="utf-8"))["en"]["descriptor_heads"]
    return re.compile(rf"(?i)\b(?:{phrase_alternation(heads)})\s+(?P<said>[\w'’ -]{{3,40}}?)\s*(?:[,.!?]|$)")


def _descriptor_of(feedback: str, language: Language) -> set[str]:
    """The words an English reply points with ("the one on carver road" → carver, road), or none."""
    found = _descriptor_pattern().search(feedback) if language == "en" else None
    if found is None:
        return set()
    return {term for term in content_terms(found.group("said"), language) if len(term) > 1}


def _described_option(described: set[str], sentence: str, options: list[str], language: Language) -> str | None:
    """The one option whose side of the sentence says every word of the description: the words after
    it, up to the next option ("PulseBox on Carver Road")."""
    places = sorted((sentence.casefold().find(option.casefold()), option) for option in options)
    if any(start < 0 for start, _ in places):
        return None
    matching = []
    for position, (start, option) in enumerate(places):
        side = sentence[start + len(option):places[position + 1][0] if position + 1 < len(places) else len(sentence)]
        if described <= set(content_terms(side, language)) | set(content_terms(option, language)):
            matching.append(option)
    return matching[0] if len(matching) == 1 else None


def resolve_pointer(feedback: str, language: Language, context: list[tuple[str, str]]) -> tuple[str, str] | None:
    """(the option the answer wrongly chose, the option meant), or None."""
    pointer: int | str | None = pointer_of(feedback, language)
    described = _descriptor_of(feedback, language) if pointer is None else set()
    if pointer is None and not described:
        return None
    turns = context[-_TURNS:]
    answer = next((content for role, content in reversed(turns) if role == "assistant"), "")
    if not answer:
        return None
    if described:
        return _resolve_description(described, language, turns, answer)
    numbered = _numbered_options(answer)
    if len(numbered) == 2 and isinstance(pointer, int) and -2 <= pointer < 2:
        # "1. Luigi's, your favourite. 2. Casa Verde": pointing at one of two says the other was wrong.
        meant = numbered[pointer]
        return next(o for o in numbered if o != meant), meant
    for _, options, wrong in _offered_options(turns, language, answer):
        if pointer == _OTHER:
            others = [o for o in options if o != wrong]
            if len(others) != 1:
                continue
            meant = others[0]
        else:
            assert isinstance(pointer, int)
            if not -len(options) <= pointer < len(options):
                continue
            meant = options[pointer]
        if meant != wrong:
            return wrong, meant
    return None
