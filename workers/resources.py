"""What a worker process builds once and shares between its threads."""

from __future__ import annotations

import logging
import threading
from functools import lru_cache

from memfeed.control import ControlPlane
from memfeed.settings import get_settings
from pipeline.analyzers.base import Analyzer
from pipeline.analyzers.factory import build_analyzer
from pipeline.embedding import MiniLMEmbedder
from pipeline.memory_index import MemoryIndex
from pipeline.sparse import SparseEncoder
from pipeline.store.base import MemoryStore

log = logging.getLogger(__name__)
# Threads of one worker share these; the first caller builds each one.
_build_lock = threading.RLock()
_store: MemoryStore | None = None


def _built_once(factory):
    cached = lru_cache(maxsize=1)(factory)

    def get():
        with _build_lock:
            return cached()

    get.cache_clear = cached.cache_clear
    return get


@_built_once
def control_plane() -> ControlPlane:
    return ControlPlane.from_settings(get_settings())


@_built_once
def embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder()


def store() -> MemoryStore:
    global _store
    with _build_lock:
        if _store is None:
            settings = get_settings()
            if settings.vector_store == "server":
                raise NotImplementedError("the Qdrant server adapter is not available yet")
            from pipeline.store.edge import EdgeMemoryStore

            _store = EdgeMemoryStore(settings.store_path())
            log.info("opened embedded store at %s", settings.store_path())
        return _store


@_built_once
def memory_index() -> MemoryIndex:
    return MemoryIndex(store(), embedder(), SparseEncoder())


@_built_once
def analyzer() -> Analyzer:
    return build_analyzer(get_settings().analyzer, embedder())


def warm_up() -> None:
    """Open the store and load the model before the first job, not during it."""
    memory_index()
    embedder().embed(["warm up"])
    analyzer()


def close() -> None:
    global _store
    with _build_lock:
        if _store is not None:
            _store.close()
            _store = None
        memory_index.cache_clear()
