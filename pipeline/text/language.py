"""Language detection between English and Chinese."""

from __future__ import annotations

import re
from typing import Literal

Language = Literal["en", "zh"]

_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")
_QUOTED = re.compile(r"(['\"‘“「『])(.+?)(['\"’”」』])")


def is_cjk_char(char: str) -> bool:
    return bool(_CJK_CHAR.fullmatch(char))


def has_cjk(text: str) -> bool:
    return bool(_CJK_CHAR.search(text))


def detect_language(text: str) -> Language:
    """"zh" when Chinese characters outweigh Latin words outside quoted terms, or when the Latin
    words are only names (no English function word among them)."""
    unquoted = _QUOTED.sub(" ", text)
    sample = unquoted if unquoted.strip() else text
    cjk_chars = len(_CJK_CHAR.findall(sample))
    latin_words = _LATIN_WORD.findall(sample)
    if cjk_chars == 0:
        return "en"
    # A Chinese word is about two characters long.
    if cjk_chars / 2 >= len(latin_words):
        return "zh"
    # "换了台MacBook Pro": names in Chinese grammar; English has its function words around them.
    from pipeline.text.lexicon import EN_STOPWORDS  # lexicon reads this module

    return "en" if any(word.lower() in EN_STOPWORDS for word in latin_words) else "zh"
