"""Sentence and clause splitting for English and Chinese punctuation."""

from __future__ import annotations

import re

from pipeline.text.language import has_cjk

# Split after terminal punctuation; a period only ends a sentence before whitespace
# (so "Acme Inc.'s" and "3.5" stay whole).
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])\s*|(?<=\.)\s+|\n+")
# An emoji between two stretches of text ends a sentence: "i dont speak german 😅 took one semester".
_EMOJI_BETWEEN = re.compile("(?<=\\S)\\s*[\U0001F300-\U0001FAFF\u2600-\u27BF]+[\uFE0F\u200D]*\\s+(?=\\S)")
_CLAUSE_SEP = re.compile(r"\s*[，,、]\s*|\s*[—–]\s+|\s+-\s+")


_ABBREVIATION_END = re.compile(
    r"(?:\b(?:(?i:Mr|Mrs|Ms|Dr|Prof)|St|Jr|Sr|Inc|Corp|Co|Ltd|vs|etc|approx|No)|\b[A-Z]|\be\.g|\bi\.e)\.$"
)


_DENIAL_OPENING = re.compile(r"(?i:not\s)|不是")


def _bare(denial: str) -> bool:
    """"not a latte ☕", "不是拿铁": a denial too short to stand as a sentence of its own."""
    words = re.sub(r"[^\w\s]", " ", denial).split()
    return not re.search(r"[，,；;]", denial) and (len(denial) <= 8 if has_cjk(denial) else len(words) <= 4)


def break_at_emoji(text: str) -> str:
    return _EMOJI_BETWEEN.sub(". ", text.strip())


def split_sentences(text: str) -> list[str]:
    text = break_at_emoji(text)
    parts = [part.strip() for part in _SENTENCE_END.split(text) if part and part.strip()]
    sentences: list[str] = []
    for part in parts:
        # "Dr. Lee" and "Acme Inc. ships" are one sentence.
        if sentences and _ABBREVIATION_END.search(sentences[-1]):
            sentences[-1] = f"{sentences[-1]} {part}"
        elif sentences and _DENIAL_OPENING.match(part) and _bare(part):
            # "flat white!! not a latte", "是美式啦☕ 不是拿铁": the denial is the second half of one contrast.
            while len(sentences) > 1 and not re.search(r"\w", sentences[-1]):
                sentences.pop()  # the rest of a "!!"
            comma = "，" if part.startswith("不") else ", "
            sentences[-1] = f"{strip_terminal_punctuation(sentences[-1])}{comma}{part}"
        else:
            sentences.append(part)
    return sentences


def split_clauses(sentence: str) -> list[str]:
    """Comma-level pieces of one sentence (both ASCII and CJK commas)."""
    parts = _CLAUSE_SEP.split(sentence.strip())
    return [part.strip() for part in parts if part and part.strip()]


def strip_terminal_punctuation(text: str) -> str:
    return text.strip().rstrip("。！？!?.;；,，、~～…").strip()
