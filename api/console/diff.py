"""Before → after of a memory as a diff: words for Latin scripts, characters for CJK."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")
# A word, a run of spaces, or any other single character.
_LATIN_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class Segment:
    kind: str  # same | removed | added
    text: str


def tokens(text: str) -> list[str]:
    """Characters when the text holds CJK (it has no spaces between words), else words."""
    if _CJK.search(text):
        return list(text)
    return _LATIN_TOKEN.findall(text)


def diff(before: str | None, after: str | None) -> list[Segment]:
    old, new = tokens(before or ""), tokens(after or "")
    segments: list[Segment] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if operation == "equal":
            segments.append(Segment("same", "".join(old[old_start:old_end])))
            continue
        if old_end > old_start:
            segments.append(Segment("removed", "".join(old[old_start:old_end])))
        if new_end > new_start:
            segments.append(Segment("added", "".join(new[new_start:new_end])))
    return segments
