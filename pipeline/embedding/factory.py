"""Building the configured embedder."""

from __future__ import annotations

from pipeline.embedding.base import Embedder, EmbedderIdentity, EmbeddingError
from pipeline.embedding.batching import BatchingEmbedder
from pipeline.embedding.config import EmbedderConfig


def build_embedder(config: EmbedderConfig | None = None, client=None) -> BatchingEmbedder:  # noqa: ANN001
    """The configured embedder, shared by a process's threads (batched, with a small cache)."""
    config = config or EmbedderConfig()
    inner: Embedder
    if config.kind == "bundled":
        from pipeline.embedding.bundled import UniversalSentenceEncoder

        inner = UniversalSentenceEncoder(threads=config.threads)
    elif config.kind == "openai":
        from pipeline.embedding.openai_endpoint import OpenAIEmbedder

        inner = OpenAIEmbedder(config, client=client)
    elif config.kind == "sentence-transformers":
        from pipeline.embedding.local_model import SentenceTransformerEmbedder

        inner = SentenceTransformerEmbedder(config.model_path, batch_size=config.batch_size)
    else:  # pragma: no cover - the config's Literal refuses it first
        raise EmbeddingError(f"unknown embedder {config.kind!r}")
    return BatchingEmbedder(inner, max_batch=config.batch_size)


def embedder_identity(config: EmbedderConfig) -> EmbedderIdentity:
    """The identity the configured embedder will have, without loading a model where avoidable."""
    if config.kind == "bundled":
        from pipeline.embedding.bundled import USE_IDENTITY

        return USE_IDENTITY
    return build_embedder(config).identity
