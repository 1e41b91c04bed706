"""A sentence-transformers model from a directory on this machine (`pip install 'memfeed[torch]'`)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from pipeline.embedding.base import EmbedderIdentity, EmbeddingError, unit_rows


class SentenceTransformerEmbedder:
    """Loaded once from `model_path`; never fetched from a hub."""

    def __init__(self, model_path: str | None, batch_size: int = 32) -> None:
        if not model_path or not Path(model_path).is_dir():
            raise EmbeddingError(
                f"the sentence-transformers embedder needs MEMFEED_EMBEDDING_MODEL_PATH, a model directory "
                f"(got {model_path!r})"
            )
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbeddingError("sentence-transformers is not installed: pip install 'memfeed[torch]'") from exc
        self._model = SentenceTransformer(model_path, device="cpu")
        self._batch_size = batch_size
        dim = self._model.get_sentence_embedding_dimension()
        self.identity = EmbedderIdentity(model_id=f"sentence-transformers:{Path(model_path).resolve().name}", dim=dim)
        # Torch modules are not safe to call from several threads at once.
        self._encode_lock = threading.Lock()

    def embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        with self._encode_lock:
            vectors = self._model.encode(
                list(texts), batch_size=self._batch_size, convert_to_numpy=True, show_progress_bar=False
            )
        return unit_rows(vectors)
