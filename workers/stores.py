"""The configured vector store, opened for an embedder, and what it records about its vectors."""

from __future__ import annotations

from core.settings import Settings
from pipeline.embedding.base import EmbedderIdentity
from pipeline.store.base import MemoryStore


def open_store(settings: Settings, embedder: EmbedderIdentity) -> MemoryStore:
    """Raises EmbedderMismatchError when the store holds another embedder's vectors."""
    if settings.vector_store == "server":
        from pipeline.store.qdrant_server import QdrantServerMemoryStore

        if not settings.qdrant_url:
            raise RuntimeError("MEMFEED_VECTOR_STORE=server needs MEMFEED_QDRANT_URL")
        return QdrantServerMemoryStore.from_url(
            settings.qdrant_url, embedder, settings.qdrant_api_key, settings.qdrant_collection
        )
    from pipeline.store.edge import EdgeMemoryStore

    return EdgeMemoryStore(settings.store_path(), embedder)


def describe_store(settings: Settings) -> str:
    if settings.vector_store == "server":
        return f"Qdrant at {settings.qdrant_url}, collection {settings.qdrant_collection}"
    return f"embedded store at {settings.store_path()}"
