"""Misspellings of the words a memory holds, read as those words.

"its a toyta camry not a corola", "im not alergic to penuts": the feedback names what the memory
says, misspelled. The memory is clean text, so a lowercase word of the message that is no English
word and is one edit (a letter missing, added, changed or two swapped) from exactly one word of the
candidate memories is that word. Names written with care (capitalised), words of four letters or
fewer, and words the message also writes correctly are left as they are: "it's Sarah not Sara"
names two people.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz.distance import OSA

from pipeline.text.lexicon import english_vocabulary

MIN_LENGTH = 5

_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*")


def _inflected(word: str, other: str) -> bool:
    """"watercolors" and "watercolor": one is the other's plural, no misspelling."""
    return word == other + "s" or other == word + "s"


def _is_english(folded: str, vocabulary: frozenset[str]) -> bool:
    return folded in vocabulary or (folded.endswith("s") and folded[:-1] in vocabulary)  # "thursdays"


def repaired(text: str, memories: Sequence[str]) -> str:
    """`text` with each misspelt word of the memories written as the memories write it."""
    held = {word.casefold(): word for memory in memories for word in _WORD.findall(memory) if len(word) >= MIN_LENGTH}
    if not held:
        return text
    written = {word.casefold() for word in _WORD.findall(text)}
    vocabulary = english_vocabulary()

    def repair(match: re.Match[str]) -> str:
        word = match.group(0)
        folded = word.casefold()
        if (len(word) < MIN_LENGTH or word != word.lower() or folded in held or _is_english(folded, vocabulary)
                or not word.isalpha()):
            return word
        near = [original for key, original in held.items()
                if key not in written and abs(len(key) - len(folded)) <= 1 and OSA.distance(folded, key, score_cutoff=1) <= 1
                and not _inflected(folded, key)]
        if len(near) != 1:
            return word
        return near[0]

    return _WORD.sub(repair, text)
