"""Which one memory a change is about, when no memory contradicts the statement word for word.

"sold the civic, got a Tesla" never restates "drives a 2015 Honda Civic"; "年卡调价了，现在是3299"
never names "健身房年卡价格为2999元". Such feedback still points at one stored fact: by what
it says ended ("civic"), by the attribute a change of state ends (selling ends what one
drives), by a denied value, or by a new value of the same kind for the same attribute.

Each candidate gathers that evidence; only a clear single winner is superseded. A tie, or
no evidence, keeps every memory: adding the new fact beside an old one is the safe mistake.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any

from pipeline.text.keyword import contains_term, replace_term
from pipeline.text.language import Language, detect_language, has_cjk
from pipeline.text.lexicon import content_terms
from pipeline.text.life_events import mentions_term, stated_attributes
from pipeline.text.subjects import Subject, relation_of, relations_named, same_subject, subject_of
from pipeline.text.values import (
    Value,
    compatible_kinds,
    extract_values,
    same_value,
    styled_like,
    unit_family,
    value_kind,
)


@dataclass(frozen=True)
class ChangeEvidence:
    """What a statement's feedback says changed (see CorrectedStatement)."""

    text: str
    language: Language
    old_values: tuple[str, ...]
    new_values: tuple[str, ...]
    changed_attributes: tuple[str, ...]
    ended: tuple[str, ...]
    topic: tuple[str, ...]
    mentioned_values: tuple[str, ...]
    relations: tuple[str, ...]
    corrective: bool

    @classmethod
    def of(cls, statement: Any) -> ChangeEvidence:
        """From a corrected statement, which carries every one of these fields under its name."""
        values = {f.name: getattr(statement, f.name) for f in fields(cls)}
        return cls(**{name: tuple(v) if isinstance(v, list) else v for name, v in values.items()})


@dataclass(frozen=True)
class Target:
    index: int
    reason: str
    corrected_value: str | None


_NAMING_ANCHORS = {"ended", "denied", "mentioned"}


@dataclass(frozen=True)
class _Score:
    anchors: tuple[str, ...]
    ended_share: float  # how much of what ended the memory names
    overlap: int
    similarity: float

    def key(self) -> tuple[int, float, int, float]:
        # Evidence that names the memory's own content counts first; an attribute class or a
        # value of the same kind only weighs like a shared word ("seat limit raised to 10"
        # is about "supports up to 5 team members", not about "costs 12 USD").
        naming = len(_NAMING_ANCHORS & set(self.anchors))
        return (naming, self.ended_share, self.overlap + len(self.anchors) - naming, round(self.similarity, 2))


_CLOSING = re.compile(r"(?i:\b(?:close[sd]?|closing|ends?|until|till)\b)|关门|结束|到")
_OPENING = re.compile(r"(?i:\b(?:opens?|opening|starts?|from)\b)|开门|开始")


def _relation(subject: Subject) -> tuple[str, ...]:
    return subject.chain[1:]


def _subject_fits(statement: Subject, memory: Subject, named: tuple[str, ...], owned: set[str]) -> bool:
    """A memory about the user's son is only the target of feedback that names the son.

    A clause may leave the person unsaid ("我妈搬来深圳了，早就不在成都了"): then the one
    the feedback names elsewhere counts.
    """
    if _relation(memory) and _relation(statement) != _relation(memory):
        if statement.chain == ("we",):
            return same_subject(statement, memory)  # "we" is the user's household or team
        unsaid = not _relation(statement) and statement.chain in ((), ("user",))
        return unsaid and _relation(memory)[-1:] == tuple(named[-1:]) and len(set(named)) == 1
    if _relation(statement) and not _relation(memory) and memory.chain:
        # "our dog Rex passed away" is about "The user has a dog named Rex".
        return statement.chain[-1] in owned
    return same_subject(statement, memory)


def _value_change(evidence: ChangeEvidence, memory: str) -> tuple[Value, Value] | None:
    """(memory value, statement value): a different value of the same kind."""
    statement_values = [
        v for v in extract_values(evidence.text) if not any(same_value(v.text, o) for o in evidence.old_values)
    ]
    # A value both sides mention ("Leo" in "Leo started at Maplewood") says who, not what changed.
    memory_values = [m for m in extract_values(memory) if not contains_term(evidence.text, m.text)]
    for new in statement_values:
        if contains_term(memory, new.text) or any(same_value(new.text, m.text) for m in memory_values):
            continue
        same_kind = [m for m in memory_values if compatible_kinds(m.kind, new.kind) and m.kind != "name"]
        if new.kind == "name":
            same_kind = [m for m in memory_values if m.kind == "name"]
        if len(same_kind) > 1:
            # "password is Tulip2023" in "The guest Wi-Fi password is Tulip2023": the value
            # after the same word as the new one.
            same_kind = [m for m in same_kind if _word_before(memory, m) == _word_before(evidence.text, new)] or same_kind
        if len(same_kind) == 1:
            return same_kind[0], new
        if len(same_kind) == 2 and new.kind == "time":
            # A range ("from 6 AM to 9 PM"): closing changes its end, opening its start.
            if _CLOSING.search(evidence.text):
                return same_kind[1], new
            if _OPENING.search(evidence.text):
                return same_kind[0], new
    return None


_NOT_A_NAME = {"the", "a", "an", "it", "this", "that", "there", "he", "she", "they", "we", "i", "my", "our"}


def _leading_name(text: str) -> str | None:
    """"Leo turned 8": a statement led by a name is about whoever the memory calls that."""
    match = re.match(r"^([A-Z][a-z]+)\b(?!['’]s\s+(?:husband|wife|son|daughter|mother|father|brother|sister))", text)
    if not match or match.group(1).lower() in _NOT_A_NAME:
        return None
    return match.group(1)


_EN_THING_SUBJECT = re.compile(
    r"^(?:(?:on|in|at|from)\s+\w+,?\s+)?(?:the|a|an|our|their|its)\s+(?P<thing>(?:[\w\-']+\s+){0,3}?[\w\-']+)\s+"
    r"(?:is|are|was|were|has|have|had|closes?|opens?|costs?|starts?|ends?|takes?|runs?|lasts?|must|should|can|"
    r"will|may|supports?|requires?|offers?|allows?|includes?|weighs?|holds?)\b",
    re.IGNORECASE,
)


def different_things(statement: str, memory: str) -> bool:
    """"The gym closes at 11 PM" is not about "The library closes at 10 PM"."""
    ours, theirs = _EN_THING_SUBJECT.match(statement), _EN_THING_SUBJECT.match(memory)
    if not ours or not theirs:
        return False
    return not set(content_terms(ours.group("thing"), "en")) & set(content_terms(theirs.group("thing"), "en"))


def _mentions_old_value(evidence: ChangeEvidence, memory: str) -> bool:
    """"现在是3299，之前那个2999…": the feedback names the memory's value beside a new one."""
    new_kinds = [value_kind(new) for new in evidence.new_values]
    for mentioned in evidence.mentioned_values:
        if any(same_value(mentioned, new) for new in evidence.new_values) or value_kind(mentioned) == "name":
            continue
        if not any(compatible_kinds(value_kind(mentioned), kind) for kind in new_kinds):
            continue
        if any(same_value(mentioned, value.text) or contains_term(value.text, mentioned) for value in extract_values(memory)):
            return True
    return False


def statement_coverage(text: str, language: Language, memory: str) -> float:
    """Share of a statement's own words (values and people aside) that the memory has."""
    values = [v.text for v in extract_values(text)]
    terms = [t for t in content_terms(text, language, values) if not relation_of(t)]
    if not terms:
        return 0.0
    return sum(1 for term in terms if mentions_term(memory, term)) / len(terms)


def _word_before(text: str, value: Value) -> str:
    words = re.findall(r"[\w']+", text[: value.start])
    return words[-1].lower() if words else ""


def _overlap(evidence: ChangeEvidence, memory: str) -> int:
    values = [v.text for v in extract_values(evidence.text)]
    terms = set(content_terms(evidence.text, evidence.language, values)) | set(evidence.topic)
    # Names the feedback mentions are topic too ("traded in my Mazda" and "drives a Mazda 3").
    terms |= {value.lower() for value in evidence.mentioned_values if value_kind(value) == "name"}
    # The person a fact is about ("son") says whose attribute it is, not which one.
    subject_relations = set(subject_of(evidence.text, evidence.language).chain[1:])
    subject_relations |= set(subject_of(memory, detect_language(memory)).chain[1:])
    shared_words = sum(
        1 for term in terms
        if relation_of(term) not in subject_relations and mentions_term(memory, term)
    )
    # A value both state ("wednesdays and fridays, not mondays" against "Mondays and Fridays")
    # puts them in the same list.
    shared_values = sum(1 for value in values if value_kind(value) != "name" and contains_term(memory, value))
    return shared_words + shared_values


def _score(evidence: ChangeEvidence, memory: str, similarity: float | None) -> _Score | None:
    language = evidence.language
    memory_subject = subject_of(memory, detect_language(memory))
    owned = set(relations_named(memory, detect_language(memory)))
    named_here = _leading_name(evidence.text)
    # Case matters: "Leo" names the son in "The user's son Leo"; "Pool" does not name "the pool".
    statement_subject = subject_of(evidence.text, language)
    subjectless = not statement_subject.chain and not statement_subject.identifiers
    # "no its 7:30" answering "Leo's practice starts at 7:00": the answer names whose it is.
    memory_names = [value.text for value in extract_values(memory) if value.kind == "name" and len(value.text) >= 2]
    named_in_memory = (
        bool(named_here and re.search(rf"\b{named_here}\b", memory))
        # "我和小林分手了": the statement names the person the memory is about.
        or (language == "zh" and any(name in evidence.text for name in memory_names if has_cjk(name)))
        or (subjectless and any(name.lower() in evidence.topic for name in memory_names))
    )
    # "Forti那个不用了": the thing that ended is the statement's subject and the memory's topic.
    ended_topic = bool(evidence.ended) and not memory_subject.chain and all(
        mentions_term(memory, term) for term in evidence.ended
    )
    if not (named_in_memory or ended_topic) and not _subject_fits(
        statement_subject, memory_subject, evidence.relations if language == "zh" else (), owned
    ):
        return None
    if not statement_subject.chain and not memory_subject.chain and different_things(evidence.text, memory):
        return None
    anchors: list[str] = []
    ended_share = 0.0
    if evidence.ended:
        ended_share = sum(1 for term in evidence.ended if mentions_term(memory, term)) / len(evidence.ended)
        if ended_share >= 0.5:
            anchors.append("ended")
    denied = [old for old in evidence.old_values if contains_term(memory, old)]
    if denied:
        anchors.append("denied")
    elif _mentions_old_value(evidence, memory):
        anchors.append("mentioned")
    if stated_attributes(memory) & set(evidence.changed_attributes):
        anchors.append("attribute")
    change = _value_change(evidence, memory)
    if change is not None:
        anchors.append("value")
    if not anchors:
        return None
    overlap = _overlap(evidence, memory)
    related_person = bool(_relation(memory_subject))
    # Only what ended names its memory outright. Anything else also needs a shared attribute
    # word ("not penicillin" vs "is allergic to penicillin"; "not 800 CNY" alone may be any
    # budget's), or the same relative with a new amount ("儿子6岁" vs "儿子今年5岁").
    same_person_changed = related_person and change is not None and (
        change[1].kind != "name" or "attribute" in anchors
    )
    if "ended" not in anchors and not overlap and not same_person_changed:
        return None
    if not (_NAMING_ANCHORS & set(anchors)) and not (evidence.corrective or related_person):
        # Feedback that says nothing changed: only a new amount for the same attribute of
        # the same named thing ("X200 battery is 150 min" against "… 120 minutes").
        same_thing = bool(subject_of(evidence.text, language).identifiers & memory_subject.identifiers)
        same_kind = change is not None and change[1].kind != "name" and unit_family(change[0].kind) == unit_family(
            change[1].kind
        )
        if not (same_kind and (same_thing or statement_coverage(evidence.text, evidence.language, memory) > 0.5)):
            return None
    return _Score(tuple(anchors), ended_share, overlap, similarity or 0.0)


# Where something is: the memory's whole place after its frame, and the new place.
_MEMORY_PLACE = re.compile(
    r"^(?P<head>.*?(?:\b(?:located\s+(?:at|in)|address\s+is|lives\s+(?:at|in)|based\s+(?:at|in))\s+|"
    r"地址是|地址为|位于|住在))(?P<place>[^。.]+?)(?P<end>[。.]?)$",
    re.IGNORECASE,
)
_NEW_PLACE = re.compile(
    r"(?:\b(?:new\s+)?address\s+is|\b(?:moved|relocated)\s+to|新地址(?:是|为)?|地址(?:改成|改为|换成|是|为)|"
    r"搬(?:到|去)了?)\s*[:：]?\s*(?P<place>[^。.!！]+?)\s*[。.!！]?$",
    re.IGNORECASE,
)


def _corrected_place(evidence: ChangeEvidence, memory: str) -> str | None:
    """"新地址：浦东新区张江路500号" against "…的地址是徐汇区漕溪北路88号": the whole place goes."""
    old, new = _MEMORY_PLACE.match(memory), _NEW_PLACE.search(evidence.text)
    if not old or not new or "residence" not in evidence.changed_attributes:
        return None
    return f"{old.group('head')}{new.group('place').strip()}{old.group('end')}"


def _ended_name_swap(evidence: ChangeEvidence, memory: str) -> str | None:
    """"Forti那个不用了…换成EasyConnect": the name that ended gives way to the one the feedback brings."""
    if not evidence.ended:
        return None
    ended_names = [
        value for value in extract_values(memory)
        if value.kind == "name" and any(mentions_term(value.text, term) for term in evidence.ended)
    ]
    fresh = [
        value for value in dict.fromkeys(evidence.mentioned_values)
        if value_kind(value) == "name" and not contains_term(memory, value)
        and not any(mentions_term(value, term) for term in evidence.ended)
    ]
    if len(ended_names) != 1 or len(fresh) != 1:
        return None
    return replace_term(memory, ended_names[0].text, fresh[0])


def _corrected(evidence: ChangeEvidence, memory: str) -> str | None:
    """The memory with its value swapped for the new one, when that is unambiguous."""
    place = _corrected_place(evidence, memory)
    if place is not None:
        return place
    change = _value_change(evidence, memory)
    if change is None:
        return _ended_name_swap(evidence, memory)
    old, new = change
    if new.kind == "name" and old.kind == "name" and len(evidence.new_values) != 1:
        return None
    if evidence.ended and any(mentions_term(memory, term) for term in evidence.ended):
        # "traded in the civic, i drive a 2022 rav4 now": the whole fact ended, not its year.
        return _ended_name_swap(evidence, memory)
    return replace_term(memory, old.text, styled_like(new.text, old.text))


def pick_targets(
    evidence: ChangeEvidence, memories: list[str], similarities: list[float | None]
) -> list[Target]:
    scored = [
        (index, score)
        for index, (memory, similarity) in enumerate(zip(memories, similarities))
        if (score := _score(evidence, memory, similarity)) is not None
    ]
    if not scored:
        return []
    best_key = max(score.key() for _, score in scored)
    best = [(index, score) for index, score in scored if score.key() == best_key]
    if len({memories[index].strip().lower() for index, _ in best}) != 1:
        return []  # two different memories fit equally well: keep both
    # The same fact stored twice goes together.
    return [
        Target(
            index=index,
            reason="the fact this change ends (" + ", ".join(score.anchors) + ")",
            corrected_value=_corrected(evidence, memories[index]),
        )
        for index, score in best
    ]
