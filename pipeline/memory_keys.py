"""Short titles for memories (MemOS's memory_key) when none is given."""

from __future__ import annotations

from pipeline.text.language import has_cjk

_KEY_WORDS = 6
_KEY_CJK_CHARS = 12


def memory_key_for(text: str) -> str:
    stripped = text.strip().rstrip(".。!！")
    if has_cjk(stripped):
        return stripped[:_KEY_CJK_CHARS]
    return " ".join(stripped.split()[:_KEY_WORDS])
