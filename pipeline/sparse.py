"""Sparse lexical vectors: Qdrant's BM25 (multilingual: CJK segmentation, stemming) plus numbers.

Qdrant's tokenizer drops bare numbers, yet "600 CNY" versus "800 CNY" is exactly what a
correction hinges on, so every number is added as a token of its own.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from dataclasses import dataclass

from qdrant_edge import Bm25, Bm25Config, TokenizerType

_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
# Memories are single sentences: a short expected length keeps BM25's length
# normalisation from penalising every document.
_AVERAGE_MEMORY_TOKENS = 12.0


@dataclass(frozen=True)
class SparseVector:
    indices: list[int]
    values: list[float]


def _number_token_index(number: str) -> int:
    digest = hashlib.blake2b(f"num:{number}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") & 0x7FFFFFFF


def _number_tokens(text: str) -> Counter[int]:
    return Counter(_number_token_index(n.replace(",", "")) for n in _NUMBER.findall(text))


class SparseEncoder:
    def __init__(self) -> None:
        self._bm25 = Bm25(
            Bm25Config(
                tokenizer=TokenizerType.Multilingual,
                language="english",
                avg_len=_AVERAGE_MEMORY_TOKENS,
            )
        )

    def encode_document(self, text: str) -> SparseVector:
        words = self._bm25.embed_document(text)
        weights = dict(zip(words.indices, words.values))
        for index, count in _number_tokens(text).items():
            weights[index] = weights.get(index, 0.0) + 1.0 + math.log(count) + 0.6
        return _sorted(weights)

    def encode_query(self, text: str) -> SparseVector:
        words = self._bm25.embed_query(text)
        weights = dict(zip(words.indices, words.values))
        for index in _number_tokens(text):
            weights[index] = 1.0
        return _sorted(weights)


def _sorted(weights: dict[int, float]) -> SparseVector:
    indices = sorted(weights)
    return SparseVector(indices=indices, values=[float(weights[i]) for i in indices])
