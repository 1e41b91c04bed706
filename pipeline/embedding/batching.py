"""Concurrent callers share model calls: what arrives while one batch is being embedded is
embedded together in the next, and a text seen recently is not embedded again."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from pipeline.embedding.base import Embedder, EmbedderIdentity


@dataclass
class _Request:
    texts: list[str]
    vectors: list[list[float]] | None = None
    error: BaseException | None = None
    done: bool = False
    missing: list[str] = field(default_factory=list)
    # Vectors already cached when the request came in (the cache may evict them meanwhile).
    known: dict[str, list[float]] = field(default_factory=dict)


class BatchingEmbedder:
    """Wraps any embedder. No thread of its own: the first waiting caller embeds for everyone
    waiting (up to `max_batch` texts), the others sleep until their vectors are there."""

    def __init__(self, inner: Embedder, max_batch: int = 64, cache_size: int = 4096, handed_size: int = 256) -> None:
        self.inner = inner
        self.identity: EmbedderIdentity = inner.identity
        self._max_batch = max_batch
        # float32 rows: a vector as a list of Python floats takes eight times the memory.
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        # Vectors a store handed back with its hits, kept as they came for the few moments until the
        # caller that searched embeds those texts (most never are): converting each to float32 on
        # the way in and back to a list on the way out cost more than the judgement they serve.
        self._handed: OrderedDict[str, list[float]] = OrderedDict()
        self._handed_size = handed_size
        self._pending: list[_Request] = []
        self._busy = False
        self._cond = threading.Condition()
        self.model_calls = 0

    def embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        request = _Request(list(texts))
        with self._cond:
            for text in dict.fromkeys(request.texts):
                if text in self._cache:
                    self._cache.move_to_end(text)
                    request.known[text] = self._cache[text].tolist()
                elif text in self._handed:
                    request.known[text] = self._handed[text]
                else:
                    request.missing.append(text)
            if not request.missing:
                return [request.known[t] for t in request.texts]
            self._pending.append(request)
            while not request.done:
                if self._busy:
                    self._cond.wait()
                    continue
                batch = self._take_batch()
                self._busy = True
                self._cond.release()
                try:
                    self._embed_batch(batch)
                finally:
                    self._cond.acquire()
                    self._busy = False
                    self._cond.notify_all()
            if request.error is not None:
                raise request.error
            return request.vectors or []

    def remember(self, texts: list[str], vectors: list[list[float] | None]) -> None:
        """Vectors of this embedder's that a store handed back with its hits: a later call for the
        same texts needs no model call."""
        with self._cond:
            for text, vector in zip(texts, vectors, strict=True):
                if vector is not None and text not in self._cache:
                    self._handed[text] = vector
                    self._handed.move_to_end(text)
            while len(self._handed) > self._handed_size:
                self._handed.popitem(last=False)

    def _take_batch(self) -> list[_Request]:
        batch, size = [], 0
        while self._pending and (not batch or size + len(self._pending[0].missing) <= self._max_batch):
            request = self._pending.pop(0)
            batch.append(request)
            size += len(request.missing)
        return batch

    def _embed_batch(self, batch: list[_Request]) -> None:
        texts = list(dict.fromkeys(t for request in batch for t in request.missing))
        try:
            vectors = self.inner.embed(texts)
            self.model_calls += 1
        except BaseException as exc:  # noqa: BLE001 - handed to each caller, who raises it
            with self._cond:
                for request in batch:
                    request.error, request.done = exc, True
            return
        with self._cond:
            for text, vector in zip(texts, vectors, strict=True):
                self._remember(text, vector)
            found = dict(zip(texts, vectors, strict=True))
            for request in batch:
                request.vectors = [found[t] if t in found else request.known[t] for t in request.texts]
                request.done = True

    def _remember(self, text: str, vector: list[float]) -> None:
        self._cache[text] = np.asarray(vector, dtype=np.float32)
        self._cache.move_to_end(text)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
