"""A statement that gives an attribute a new value, against the memory that gives it the old one.

"my blood type is O negative" and the stored "User's blood type is A positive." say what the same
attribute of the same person is: "<whose> <attribute> is <value>" ("用户的直属领导是王总"). The value
need not be of a kind the value extractor knows ("O negative", "data scientist", "立早章"); the frame
itself says which slot it fills. The corrected memory is the memory's own sentence up to its copula,
followed by the new value. Without a copula, the same words up to a short value at the end ("The
user is allergic to peanuts." and "…to shellfish.", "用户在公司做前端开发" and "…做产品经理") frame the
slot too, where the message says something is wrong or changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pipeline.text.alignment import Alignment
from pipeline.text.language import Language
from pipeline.text.lexicon import content_terms, denies, jieba_tagger
from pipeline.text.perspective import ADVERBS, finish_sentence
from pipeline.text.subjects import relation_of, same_subject, subject_of

# "<whose> <attribute> is <value>": the possessive names whose attribute it is.
_EN_FRAME = re.compile(r"^(?P<head>.*?(?:'s|’s|s'|\bof)\s+.+?)\s+(?P<copula>is|are)\s+(?P<value>.+?)[\s.!]*$", re.I)
_ZH_FRAME = re.compile(r"^(?P<head>[^，,；;。]+?)(?P<copula>是|为|在|叫)(?P<value>[^，,；;。]+?)[。！!]*$")
# A head without 的 names the speaker's attribute bare ("公司在漕河泾", "工资卡也是工商银行的"): the
# subject and the adverbs around it are no part of the attribute.
_ZH_BARE_HEAD = re.compile(r"^(?:用户|我)?(?P<attribute>.+?)(?:也|都|还|就|其实|现在|已经|一直|倒)*$")
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
        whose = ""
        if "的" in head:
            attribute = head.rsplit("的", 1)[1]
        else:
            attribute = _ZH_BARE_HEAD.match(head).group("attribute")  # type: ignore[union-attr]
            if not _ends_on_a_noun(attribute):
                return None  # "用户总是…", "用户现在…": the copula's character is part of a word
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


def _ends_on_a_noun(phrase: str) -> bool:
    words = list(jieba_tagger().cut(phrase))
    return bool(words) and words[-1].word == phrase[-len(words[-1].word):] and (
        words[-1].flag.startswith("n") or words[-1].flag == "vn")


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


# The words a shared frame must hold besides its subject ("is allergic to", "在公司做").
_MIN_SHARED_CONTENT = 1
_MIN_SHARED_WORDS = 3
_MAX_VALUE_WORDS = 3
_EN_SUBJECT = re.compile(r"^(?:the\s+)?user\b", re.I)


def _words(text: str, language: Language) -> list[str]:
    text = text.strip().rstrip("。.!！")
    if language == "zh":
        return [w.word for w in jieba_tagger().cut(text)]
    return _EN_SUBJECT.sub("user", text).split()


def _shared_prefix(a: list[str], b: list[str]) -> int:
    size = 0
    for x, y in zip(a, b):
        if x.casefold() != y.casefold():
            break
        size += 1
    return size


def restated_frame(statement: str, language: Language, memories: list[str]) -> list[Alignment]:
    """"The user is allergic to tree nuts." against "The user is allergic to peanuts.": the same
    words up to the value, another value at the end. The one memory sharing the longest such frame
    (three words or more, one of them a content word besides the subject) gets the new value."""
    if denies(statement, language):
        return []
    said = _words(statement, language)
    best: list[tuple[int, int]] = []
    for index, memory in enumerate(memories):
        if denies(memory, language):
            continue
        held = _words(memory, language)
        shared = _shared_prefix(said, held)
        said_tail, held_tail = said[shared:], held[shared:]
        joiner = "" if language == "zh" else " "
        frame_terms = [t for t in content_terms(joiner.join(held[:shared]), language) if t.casefold() not in ("user", "用户")]
        if (shared < _MIN_SHARED_WORDS or len(frame_terms) < _MIN_SHARED_CONTENT or not said_tail or not held_tail
                or len(held_tail) > _MAX_VALUE_WORDS or len(said_tail) > _MAX_VALUE_WORDS + 1):
            continue
        if set(content_terms(joiner.join(said_tail), language)) <= set(content_terms(joiner.join(held_tail), language)):
            continue  # nothing new at the end
        best.append((shared, index))
    if not best:
        return []
    longest = max(shared for shared, _ in best)
    chosen = [index for shared, index in best if shared == longest]
    if len({memories[index].strip() for index in chosen}) != 1:
        return []
    joiner = "" if language == "zh" else " "
    found = []
    for index in chosen:
        held = _words(memories[index], language)
        prefix = memories[index].strip()
        # The memory's own words up to the value, then the statement's value.
        cut = _prefix_end(memories[index], held[:longest], language)
        new_value = joiner.join(said[longest:])
        found.append(Alignment(index, finish_sentence(prefix[:cut].rstrip() + joiner + new_value, language),
                               f"says '{prefix[:cut].strip()}' with another value: '{new_value}'", 0.5))
    return found


def _prefix_end(memory: str, words: list[str], language: Language) -> int:
    """Where in the memory's text its first `words` end."""
    position = 0
    for word in words:
        found = memory.find(word, position) if language == "zh" else memory.casefold().find(word.casefold(), position)
        if found < 0:
            found = position
        position = found + len(word)
    return position
