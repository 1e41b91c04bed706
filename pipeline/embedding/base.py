"""What every embedder offers, and the identity a store records of the one that wrote it."""

from __future__ import annotations

from typing import Protocol

import numpy as np
from pydantic import BaseModel, Field


class EmbeddingError(RuntimeError):
    """The embedder could not embed (an endpoint failed, a model is missing)."""


class EmbedderIdentity(BaseModel, frozen=True):
    """Which model wrote a store's vectors: vectors of two identities are not comparable."""

    model_id: str = Field(min_length=1)
    dim: int = Field(gt=0)

    def describe(self) -> str:
        return f"{self.model_id} ({self.dim}-d)"


class Embedder(Protocol):
    identity: EmbedderIdentity

    def embed(self, texts: list[str]) -> list[list[float]]:
        """Unit-length vectors, one per text, in order."""
        ...


def unit_rows(vectors: np.ndarray) -> list[list[float]]:
    """Rows scaled to unit length (a zero row stays zero), as plain lists."""
    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.ndim == 1:
        matrix = matrix[None, :]
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.where(norms == 0, 1.0, norms)).tolist()


def cosine(a: list[float], b: list[float]) -> float:
    va, vb = np.asarray(a), np.asarray(b)
    denom = float(np.linalg.norm(va) * np.linalg.norm(vb))
    return float(va @ vb) / denom if denom else 0.0


def cosines(query: list[float], vectors: list[list[float] | None]) -> list[float | None]:
    """The cosine of `query` with each vector (None where there is none), in one matrix product:
    a search compares its query with every hit."""
    present = [index for index, vector in enumerate(vectors) if vector]
    found: list[float | None] = [None] * len(vectors)
    if not present:
        return found
    matrix = np.asarray([vectors[index] for index in present], dtype=np.float32)
    target = np.asarray(query, dtype=np.float32)
    denominators = np.linalg.norm(matrix, axis=1) * float(np.linalg.norm(target))
    products = matrix @ target
    for position, index in enumerate(present):
        denominator = float(denominators[position])
        found[index] = float(products[position]) / denominator if denominator else 0.0
    return found
