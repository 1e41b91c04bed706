"""A statement that gives an attribute a new value, against the memory that gives it the old one.

"my blood type is O negative" and the stored "User's blood type is A positive." say what the same
attribute of the same person is: "<whose> <attribute> is <value>" ("用户的直属领导是王总"). The value
need not be of a kind the value extractor knows ("O negative", "data scientist", "立早章"); the frame
itself says which slot it fills. The corrected memory is the memory's own sentence up to its copula,
followed by the new value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pipeline.text.alignment import Alignment
from pipeline.text.language import Language
from pipeline.text.lexicon import content_terms, denies
from pipeline.text.perspective import ADVERBS, finish_sentence
from pipeline.text.subjects import relation_of, same_subject, subject_of

# "<whose> <attribute> is <value>": the possessive names whose attribute it is.
_EN_FRAME = re.compile(r"^(?P<head>.*?(?:'s|’s|s'|\bof)\s+.+?)\s+(?P<copula>is|are)\s+(?P<value>.+?)[\s.!]*$", re.I)
_ZH_FRAME = re.compile(r"^(?P<head>.+?的.+?)(?P<copula>是|为)(?P<value>[^，,；;。]+?)[。！!]*$")
_EN_WHOSE = re.compile(r"^.*?(?:'s|’s|s'|\bof)\s+", re.I)
# Words before the value that are no part of it ("is now Tuesdays", "is actually 8%").
_EN_LEADING_ADVERB = re.compile(r"^(?:(?:" + "|".join(sorted(map(re.escape, ADVERBS), key=len, reverse=True)) + r")\s+)+", re.I)
_ZH_LEADING_ADVERB = re.compile(r"^(?:现在|目前|其实|已经|实际上|应该)+")
_EN_DENIED_VALUE = re.compile(r"^(?:not|no|never)\b", re.I)
# A value that goes on with a clause of its own is more than a value ("is 8%, not 6%").
_EN_VALUE_END = re.compile(r"\s*(?:[;(]|,(?!\d)|\s(?:not|instead|since|because|but)\b).*$", re.I)


@dataclass(frozen=True)
class Frame:
    head: str  # the memory's or statement's words up to the copula ("User's blood type")
    whose: str  # the English possessor, folded ("user", "tom"); in Chinese the subject tells
    copula: str
    value: str
    attribute: frozenset[str]  # content terms of the attribute ("blood", "type")


@lru_cache(maxsize=4096)
def frame_of(text: str, language: Language) -> Frame | None:
    """The attribute frame a sentence states, or None when it is no "<whose> <attribute> is <value>"."""
    text = text.strip()
    if language == "zh":
        match = _ZH_FRAME.match(text)
        if match is None:
            return None
        head = match.group("head")
        # Whose it is, the subject says: what precedes 的 also holds modifiers ("用户最喜欢的菜").
        whose, attribute = "", head.rsplit("的", 1)[1]
        value = _ZH_LEADING_ADVERB.sub("", match.group("value")).strip()
    else:
        match = _EN_FRAME.match(text)
        if match is None:
            return None
        head = match.group("head")
        attribute = _EN_WHOSE.sub("", head)
        whose = re.sub(r"^the\s+", "", head[: len(head) - len(attribute)].casefold().strip())
        whose = re.sub(r"(?:'s|’s|'|\s+of)$", "", whose).strip()
        value = _EN_VALUE_END.sub("", _EN_LEADING_ADVERB.sub("", match.group("value"))).strip()
        if _EN_DENIED_VALUE.match(value):
            return None
    terms = content_terms(attribute, language)
    if not terms or not value or relation_of(terms[-1]):
        return None  # "The user's sister is a nurse" says something of a person, not an attribute
    return Frame(head=head, whose=whose, copula=match.group("copula"), value=value, attribute=frozenset(terms))


def _same_attribute(said: Frame, held: Frame) -> bool:
    """The same terms, or one word more on one side ("student loan" and "student loan balance")."""
    smaller, larger = sorted((said.attribute, held.attribute), key=len)
    return smaller <= larger and len(larger - smaller) <= 1


def _new_value(said: Frame, held: Frame, language: Language) -> bool:
    mine = set(content_terms(said.value, language)) or {said.value.casefold()}
    theirs = set(content_terms(held.value, language)) or {held.value.casefold()}
    return not mine <= theirs


def restated_attribute(statement: str, language: Language, memories: list[str]) -> list[Alignment]:
    """The one memory that states the statement's attribute of the same subject with another value,
    rewritten with the new value; nothing when no memory, or more than one different memory, does."""
    said = frame_of(statement, language)
    if said is None or denies(statement, language):
        return []
    speaker = subject_of(statement, language)
    hits = []
    for index, memory in enumerate(memories):
        held = frame_of(memory, language)
        if (held is None or held.whose != said.whose or denies(memory, language) or not _same_attribute(said, held)
                or not same_subject(speaker, subject_of(memory, language)) or not _new_value(said, held, language)):
            continue
        hits.append((index, held))
    if len({memories[index].strip() for index, _ in hits}) != 1:
        return []
    return [
        Alignment(index, finish_sentence(f"{held.head}{held.copula}{said.value}" if language == "zh"
                                         else f"{held.head} {held.copula} {said.value}", language),
                  f"states its {' '.join(sorted(held.attribute))} as {held.value!r}, which the feedback says is "
                  f"{said.value!r}", 0.6)
        for index, held in hits
    ]
