"""Dense sentence embeddings behind one interface: a bundled multilingual model (the default),
any OpenAI-compatible embeddings endpoint, or a local sentence-transformers model."""

from pipeline.embedding.base import Embedder, EmbedderIdentity, EmbeddingError, cosine
from pipeline.embedding.config import EMBEDDER_NAMES, EmbedderConfig
from pipeline.embedding.factory import build_embedder, embedder_identity

__all__ = [
    "EMBEDDER_NAMES",
    "Embedder",
    "EmbedderConfig",
    "EmbedderIdentity",
    "EmbeddingError",
    "build_embedder",
    "cosine",
    "embedder_identity",
]
