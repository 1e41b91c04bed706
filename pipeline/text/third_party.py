"""Statements about someone other than the person a memory is about.

Bob's "alice doesn't live in Berlin anymore" says nothing about where Bob lives, and "my colleague
Tom works at Amazon" nothing about the user's sister: such a statement may be stored as what it
is, but it never supersedes the other person's memory.
"""

from __future__ import annotations

import re

from pipeline.text.language import Language
from pipeline.text.lexicon import jieba_tagger
from pipeline.text.life_events import changed_attributes, mentions_term, stated_attributes
from pipeline.text.subjects import subject_of

_EN_SPEAKER = re.compile(r"\b(?:i|i'm|i've|i'd|i'll|me|my|mine|myself|we|we're|our|ours|us)\b", re.IGNORECASE)
_EN_WITH_THE_SPEAKER = re.compile(r"\b(?:and|&)\s+(?:i|me)\b|\b(?:i|me)\s+and\b", re.IGNORECASE)
_ZH_WITH_THE_SPEAKER = re.compile(r"(?:我|用户)(?:和|跟|与)")
# Openers that cannot be a person's name: determiners, pronouns of things, chat words, verbs.
_EN_NOT_A_NAME = set(
    """the a an this that these those it its it's there here which what who you your u ur they their
    them he she his her him one some all no yes yeah nope lol btw actually also so and but or now
    is are was were has have had does did will would can could should lives live works work moved""".split()
)
# What is said of a person rather than a thing: where they live, work or study, whom they are with.
_PERSON_ATTRIBUTES = frozenset({"residence", "employment", "school", "relationship"})
# Parts of speech that may stand before a Chinese clause's subject: adverbs, times, conjunctions,
# particles, punctuation.
_ZH_BEFORE_SUBJECT = frozenset({"d", "t", "c", "y", "e", "x", "zg", "uj"})
_ZH_THIRD_PERSON = ("他", "她")


def speaks_of_someone_else(statement: str, memory: str, message: str, language: Language) -> bool:
    """Whether `statement` (one clause of the user's `message`) is about another person than the
    memory: a named person or a relative against a memory about the user, or two different
    relatives ("the sister" is not "the colleague")."""
    memory_chain = subject_of(memory, language).chain
    chain = subject_of(statement, language).chain
    with_the_speaker = (_ZH_WITH_THE_SPEAKER if language == "zh" else _EN_WITH_THE_SPEAKER).search(statement)
    if len(chain) > 1 and len(memory_chain) > 1 and chain[0] == memory_chain[0]:
        shorter = min(len(chain), len(memory_chain))
        return chain[:shorter] != memory_chain[:shorter] and not with_the_speaker
    if memory_chain != ("user",) or with_the_speaker:
        return False
    if len(chain) > 1 and chain[0] == "user":
        return _about_the_person(statement)
    if chain:
        return False
    if language == "zh":
        return _zh_names_someone(statement, memory, message)
    return _en_names_someone(statement, memory, message)


def _about_the_person(statement: str) -> bool:
    """"my sister lives in Rome" is about the sister; "the user's dentist appointment is on
    Thursday" is about the user's appointment."""
    return bool(_PERSON_ATTRIBUTES & (stated_attributes(statement) | set(changed_attributes(statement))))


def _en_names_someone(statement: str, memory: str, message: str) -> bool:
    """No word of the speaker in the whole message, a one-word opener the memory does not
    mention, and a person's attribute after it: "alice lives in Rome"."""
    if _EN_SPEAKER.search(message):
        return False
    words = re.findall(r"[A-Za-z][A-Za-z'’\-]*", statement)
    if len(words) < 2:
        return False
    opener = re.sub(r"['’]s$", "", words[0].lower())
    if opener in _EN_NOT_A_NAME or mentions_term(memory, opener):
        return False
    return _about_the_person(statement)


def _zh_names_someone(statement: str, memory: str, message: str) -> bool:
    """No 我 in the whole message, and the clause's subject is a person's name the memory does
    not mention, or 他/她: "小王不住北京了"."""
    if "我" in message or "咱" in message:
        return False
    for pair in jieba_tagger().lcut(statement):
        if pair.flag in _ZH_BEFORE_SUBJECT or not pair.word.strip():
            continue
        if pair.word in _ZH_THIRD_PERSON:
            return True
        return pair.flag == "nr" and pair.word not in memory
    return False
