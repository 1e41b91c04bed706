"""Counting tokens offline.

tiktoken fetches its encodings on first use, which a machine without internet cannot do, so
memfeed estimates instead, deliberately on the high side of OpenAI's cl100k/o200k encodings:

- every CJK character (Han, kana, hangul) is one token;
- a run of Latin letters is one token per started 5 characters ("the" 1, "purchase" 2);
- a run of digits is one token per started 3 digits ("600" 1, "2026" 2);
- every other visible character (punctuation, symbols) is one token;
- each chat message adds 4 tokens of framing.

A budget enforced with this estimate is never looser than one enforced with the real encoding
for ordinary text; the LLM's reported usage settles the difference after each call.
"""

from __future__ import annotations

import math
import re

MESSAGE_OVERHEAD_TOKENS = 4
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_TOKEN_RUNS = re.compile(
    rf"(?P<cjk>[{_CJK}])"
    rf"|(?P<latin>[^\W\d_{_CJK}]+)"
    r"|(?P<digits>\d+)"
    r"|(?P<other>[^\s])"
)


def count_tokens(text: str) -> int:
    total = 0
    for match in _TOKEN_RUNS.finditer(text):
        kind = match.lastgroup
        if kind == "latin":
            total += math.ceil(len(match.group()) / 5)
        elif kind == "digits":
            total += math.ceil(len(match.group()) / 3)
        else:
            total += 1
    return total


def count_message_tokens(contents: list[str]) -> int:
    return sum(count_tokens(c) + MESSAGE_OVERHEAD_TOKENS for c in contents)
