"""Clauses that lean on the memory they correct for what they leave unsaid.

"生日记错了，是五月二十二号", "the anniversary's wrong, it's the 13th": the clause gives a new value
but names no attribute; the memory it corrects is the one holding a value of a compatible kind that
the rest of the message, the answer or the search points at, rewritten with the value in place so
it keeps its clean wording. "他在外国语学校读初二": the clause names no person but by a pronoun; said
of the one person the pronoun can stand for, it restates what the memory held of them.

A filler that is no value ("it's a honda civic", "是古筝") is left to the other rules: matched by the
sentence encoder's likeness to a phrase of a memory, it would change memories meant to be kept.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipeline.text.alignment import Alignment, as_memory, memory_slots, memory_subject, topic_terms, with_value
from pipeline.text.language import Language
from pipeline.text.lexicon import denies
from pipeline.text.numbers import ZH_NUMERALS, zh_numeral
from pipeline.text.references import ends_pointing
from pipeline.text.referents import find_pointer
from pipeline.text.values import compatible_kinds

_DATA = Path(__file__).parent / "data" / "bare_fillers.toml"

Likeness = Callable[[str, Sequence[str]], list[float]]

# How far the best memory must lead the best other one.
MIN_LEAD = 0.05
# What points at a memory: words the rest of the message shares with it ("生日记错了"), the answer
# naming its value, and the search's closeness to the statement.
TOPIC_WEIGHT = 0.3
ANSWER_WEIGHT = 0.2
CLOSENESS_WEIGHT = 0.2
_MAX_FILLER_WORDS = 5
# A clause about "he"/"她" replaces a memory about that person only when, said of them, it is this
# close to the memory: the same attribute with another value, not a new fact beside it.
MIN_SAME_ATTRIBUTE = 0.6


@dataclass(frozen=True)
class BareFiller:
    pronoun: str  # "" when the clause has none
    filler: str


@dataclass(frozen=True)
class _Grammar:
    opening: re.Pattern[str]
    not_fillers: frozenset[str]
    additive: re.Pattern[str]
    first_person: frozenset[str]
    counters: tuple[str, ...]
    particles: str
    endings: tuple[str, ...]
    filler_end: re.Pattern[str] | None
    neutral: frozenset[str]
    female: frozenset[str]
    male: frozenset[str]
    female_words: frozenset[str]
    male_words: frozenset[str]
    people: frozenset[str]


@lru_cache(maxsize=2)
def _grammar(language: Language) -> _Grammar:
    table = tomllib.loads(_DATA.read_text(encoding="utf-8"))["zh" if language == "zh" else "en"]
    words = sorted(table["openers"], key=len, reverse=True)
    if language == "zh":
        opening = re.compile("^(?:(?:" + "|".join(map(re.escape, words)) + r")[了啦呀啊呢哦吧嘛]*[，,！!。\s]*)+")
    else:
        opening = re.compile(r"(?i)^(?:(?:" + "|".join(map(re.escape, words)) + r")\b[\s,!.]*)+")
    return _Grammar(
        opening=opening,
        not_fillers=frozenset(table["not_fillers"]),
        additive=re.compile("(?i)^(?:" + "|".join(map(re.escape, table["additive"])) + ")"
                            + ("" if language == "zh" else r"\b")),
        first_person=frozenset(table["first_person"]),
        counters=tuple(sorted(table.get("counters", []), key=len, reverse=True)),
        particles=table.get("particles", ""),
        endings=tuple(table.get("endings", [])),
        filler_end=re.compile(r"(?i)\s+(?:" + "|".join(map(re.escape, table["filler_ends"])) + r")(?:\s|$).*$")
        if "filler_ends" in table else None,
        neutral=frozenset(table["neutral"]),
        female=frozenset(table["female"]),
        male=frozenset(table["male"]),
        female_words=frozenset(table["female_words"]),
        male_words=frozenset(table["male_words"]),
        people=frozenset(table["female_words"] + table["male_words"] + table["children"]),
    )


_EN_BARE = re.compile(
    r"(?i)^(?P<pronoun>it|that|this|its|thats|he|she)(?:\s+is|\s+was|['’]s|(?<=its)|(?<=thats))\s+"
    r"(?:actually\s+|now\s+|really\s+)?(?P<filler>(?:[^,;:!?]|(?<=\d):(?=\d))+?)"
    r"(?:\s+(?:now|actually|lol|lmao|haha|tho|though|btw|instead|then|these\s+days))*\s*[.!?]*$"
)
_ZH_BARE = re.compile(
    r"^(?P<pronoun>他|她|它|我|那个|这个|那|这)?(?P<verb>[\u4e00-\u9fff]{1,2}的)?(?:应该|其实|现在|一直|明明)?是"
    r"(?P<filler>[^，,。；;！!？?、\s]{1,14})$"
)


def _without_endings(filler: str, grammar: _Grammar) -> str:
    """"湖人球迷好吧。" → "湖人球迷": softening endings and particles, however they stack."""
    while filler:
        for ending in grammar.endings:
            if filler.endswith(ending):
                filler = filler[: -len(ending)]
                break
        else:
            if filler[-1] not in grammar.particles:
                return filler
            filler = filler[:-1]
    return filler


def bare_filler(clause: str, language: Language) -> BareFiller | None:
    """The pronoun and filler of a clause that says only "it/she is X" or "是X"; None otherwise."""
    grammar = _grammar(language)
    text = grammar.opening.sub("", clause.strip())
    if grammar.additive.match(text):
        return None
    if language == "zh":
        match = _ZH_BARE.match(_without_endings(text, grammar))
        if not match:
            return None
        filler = _without_endings(match.group("filler"), grammar)
        for counter in grammar.counters:
            if filler.startswith(counter) and len(filler) > len(counter):
                filler = filler[len(counter):]
                break
        filler = filler.removesuffix("的")  # "是建设银行的"
        if (not filler or filler.startswith(tuple(grammar.not_fillers)) or re.search("[是的我你]", filler)
                or ends_pointing(filler, language) or filler in grammar.people):
            return None  # a pointer ("另一家") or a person ("是个儿子") fills no attribute
        return BareFiller(match.group("pronoun") or "", filler)
    match = _EN_BARE.match(text)
    if not match:
        return None
    filler = re.sub(r"(?i)^(?:a|an|the)\s+", "", match.group("filler").strip())
    if grammar.filler_end is not None:
        filler = grammar.filler_end.sub("", filler)
    words = filler.split()
    if not words or len(words) > _MAX_FILLER_WORDS:
        return None
    first = words[0].casefold()
    if first in grammar.not_fillers or " ".join(words[:2]).casefold() in grammar.not_fillers or "'" in first:
        return None
    if ends_pointing(filler, language) or filler.casefold() in grammar.people or (len(words) == 1 and len(filler) < 3):
        return None
    return BareFiller(match.group("pronoun").casefold(), filler)


def _may_stand_for(pronoun: str, memory: str, language: Language) -> bool:
    """Whether the clause's pronoun can be whom the memory is about."""
    grammar = _grammar(language)
    subject = memory_subject(memory, language)
    about_the_user = not subject or subject in ("The user", "用户")
    if pronoun in grammar.first_person:
        return about_the_user  # "我养的是柯基": not the neighbour's
    if not pronoun or pronoun in grammar.neutral:
        return True  # "it's Meagan with an A" may be the sister's name
    if about_the_user:
        return False  # "she" is not the user
    relative = subject.removeprefix("用户的") if language == "zh" else subject.split()[-1].casefold()
    if pronoun in grammar.female:
        return not any(relative.endswith(word) for word in grammar.male_words)
    if pronoun in grammar.male:
        return not any(relative.endswith(word) for word in grammar.female_words)
    return True


_ZH_COUNTED_NUMERAL = re.compile(f"[{ZH_NUMERALS}]+(?=[月日号点岁元块次年])")


def _with_digits(filler: str) -> str:
    """"五月二十二号" → "5月22号": a Chinese numeral before its unit, in digits, as memories write it."""
    return _ZH_COUNTED_NUMERAL.sub(lambda m: str(zh_numeral(m.group(0)) or m.group(0)), filler)


_EN_PERSON_PRONOUN = re.compile(r"(?i)^(?P<pronoun>he|she)(?:\s|['’]s\b)")
_ZH_PERSON_PRONOUN = re.compile(r"^(?P<pronoun>他|她)(?![们的])")


def _closest(similarities: Sequence[float]) -> int | None:
    """The memory the search found closest to the statement, if it found any close at all."""
    if not similarities or max(similarities) <= 0:
        return None
    return max(range(len(similarities)), key=lambda index: similarities[index])


def _said_of_a_person(
    clause: str, language: Language, memories: Sequence[str], answer: str, similarities: Sequence[float],
    likeness: Likeness, taken: set[int],
) -> Alignment | None:
    """"他在外国语学校读初二" against "用户的儿子在实验中学读初二": the clause, said of the one person
    its pronoun can stand for, states that person's attribute anew."""
    grammar = _grammar(language)
    text = grammar.opening.sub("", clause.strip())
    match = (_ZH_PERSON_PRONOUN if language == "zh" else _EN_PERSON_PRONOUN).match(text)
    if not match:
        return None
    if denies(text, language):
        return None  # "他早不学了": what ended is read as a change of state, not a new value
    pronoun = match.group("pronoun").casefold()
    people = [index for index, memory in enumerate(memories)
              if index not in taken and _may_stand_for(pronoun, memory, language)]
    if len({memory_subject(memories[index], language) for index in people}) != 1:
        return None  # nobody, or more than one person it could be
    # "he hates being called Jake" against "The user's partner is named Jake": it speaks of the name
    # the memory holds, it does not give another.
    people = [index for index in people if not any(
        value.kind == "name" and value.text.casefold() in text.casefold() for value in memory_slots(memories[index]))]
    if not people:
        return None
    rewritten = {index: as_memory(text, language, memories[index]) for index in people}
    closeness = {index: likeness(rewritten[index], [memories[index]])[0] for index in people}
    best = max(people, key=lambda index: closeness[index])
    rivals = [closeness[index] for index in people if index != best]
    if closeness[best] < MIN_SAME_ATTRIBUTE or (rivals and max(rivals) > closeness[best] - MIN_LEAD):
        return None
    if rewritten[best] == memories[best]:
        return None
    # Something besides the likeness must point at it: the search found it closest, or the answer
    # spoke of that person.
    relative = memory_subject(memories[best], language).removeprefix("用户的").split()[-1].casefold()
    if best != _closest(similarities) and not (answer and relative in answer.casefold()):
        return None
    return Alignment(best, rewritten[best], f"says of {memory_subject(memories[best], language)} what the memory held",
                     round(closeness[best] * 0.6, 2))


def _value_alignment(
    clause: str, found: BareFiller, everything: Sequence[str], language: Language, memories: Sequence[str],
    answer: str, similarities: Sequence[float], taken: set[int],
) -> Alignment | None:
    """The memory a bare value corrects: one holding a value of its kind, about someone the clause
    can speak of, that something points at."""
    said = memory_slots(found.filler)
    if len(said) != 1 or said[0].kind == "name" or len(said[0].text) < len(found.filler.strip()) - 2:
        return None  # no value, or more than one: the other rules' to read
    rest = " ".join(other for other in everything if other != clause) + " " + clause.replace(found.filler, " ")
    rest_terms = topic_terms(rest, language)
    # "门牌号不对，是188号": when the rest of the message names a topic some memories share, the
    # value belongs to one of them.
    on_topic = {index for index, memory in enumerate(memories) if rest_terms & topic_terms(memory, language)}
    closest = _closest(similarities)
    scored: list[tuple[float, int, tuple[int, int]]] = []
    for index, memory in enumerate(memories):
        if index in taken or found.filler.casefold() in memory.casefold() or denies(memory, language):
            continue  # a value put into a denial ("用户对花生不过敏") would deny the new one
        if not _may_stand_for(found.pronoun, memory, language) or (on_topic and index not in on_topic):
            continue
        closeness = similarities[index] if index < len(similarities) else 0.0
        for held in memory_slots(memory):
            if held.kind == "name" or not compatible_kinds(held.kind, said[0].kind) or held.text == said[0].text:
                continue
            named = bool(answer) and held.text in answer
            # Something must point at it: the rest of the message's topic, the answer naming the value
            # it holds, or the search finding it closest to the statement.
            if index in on_topic or named or index == closest:
                weight = TOPIC_WEIGHT * (index in on_topic) + ANSWER_WEIGHT * named + CLOSENESS_WEIGHT * closeness
                scored.append((weight, index, (held.start, held.end)))
    if not scored:
        return None
    scored.sort(reverse=True)
    best, index, span = scored[0]
    if any(score > best - MIN_LEAD for score, other, _ in scored if other != index):
        return None  # two memories hold a value of its kind: which one is meant is not said
    memory = memories[index]
    return Alignment(index, with_value(memory, span, found.filler),
                     f"gives {found.filler!r} where the memory holds {memory[span[0]:span[1]]!r}", 0.6)


def complete_by_memory(
    clause_texts: Sequence[str], everything: Sequence[str], language: Language, memories: Sequence[str],
    answer: str, similarities: Sequence[float], likeness: Likeness | None, corrective: bool = True,
) -> list[Alignment]:
    """For each clause that leans on a memory (a bare filler, or a pronoun's predicate in a message
    that corrects), the memory it completes, rewritten."""
    alignments: list[Alignment] = []
    taken: set[int] = set()
    # "最后那个记错了，我学的是德语": which memory a filler goes to, the pointer says.
    pointed = find_pointer(" ".join(everything), language) is not None
    for clause in clause_texts:
        found = None if pointed else bare_filler(clause, language)
        if found is not None:
            if language == "zh":
                found = BareFiller(found.pronoun, _with_digits(found.filler))
            aligned = _value_alignment(clause, found, everything, language, memories, answer, similarities, taken)
        else:
            aligned = (_said_of_a_person(clause, language, memories, answer, similarities, likeness, taken)
                       if likeness and corrective else None)
        if aligned is not None:
            taken.add(aligned.memory_index)
            alignments.append(aligned)
    return alignments
