"""`memfeed reindex`: move the configured store to the configured embedder.

Embedded mode copies the shard into a sibling directory and swaps the two once every memory is
verified; server mode copies the collection into a new one and points the configured name at it
(a Qdrant alias), then drops the old collection. Run it with memfeed stopped (embedded mode
refuses while a worker holds the shard).
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from core.settings import Settings
from pipeline.embedding.base import Embedder, EmbedderIdentity
from pipeline.reindex import Progress, ReindexState, copy_memories


@dataclass(frozen=True)
class ReindexReport:
    source: EmbedderIdentity | None
    target: EmbedderIdentity
    memories: int
    resumed_at: int = 0
    previous: str | None = None

    def summary(self) -> str:
        if self.source is None:
            return f"reindex: no store yet; it will be created for {self.target.describe()}"
        if self.source == self.target and not self.memories:
            return f"reindex: nothing to do, the store already holds vectors of {self.target.describe()}"
        line = f"reindex: {self.memories} memories re-embedded from {self.source.describe()} to {self.target.describe()}"
        if self.resumed_at:
            line += f" (resumed after {self.resumed_at})"
        if self.previous:
            line += f"; the previous store is kept at {self.previous}"
        return line


def reindex(settings: Settings, embedder: Embedder, batch_size: int = 128, keep_previous: bool = False,
            progress: Progress = lambda done, total: None, client=None) -> ReindexReport:  # noqa: ANN001
    if settings.vector_store == "server":
        from qdrant_client import QdrantClient

        qdrant = client or QdrantClient(url=settings.qdrant_url, api_key=settings.qdrant_api_key)
        return reindex_collection(qdrant, settings.qdrant_collection, embedder, batch_size, progress)
    return reindex_shard(settings.store_path(), embedder, batch_size, keep_previous, progress)


# --- embedded: a shard directory --------------------------------------------------------


def reindex_shard(path: Path, embedder: Embedder, batch_size: int = 128, keep_previous: bool = False,
                  progress: Progress = lambda done, total: None) -> ReindexReport:
    from pipeline.store.edge import EdgeMemoryStore, recorded_embedder

    target_path = path.with_name(path.name + ".reindex")
    state_file = path.with_name(path.name + ".reindex.json")
    previous = path.with_name(path.name + ".previous")
    state = _load_state(state_file, embedder.identity)
    if state is not None and state.done and target_path.is_dir():
        # Interrupted between verification and the swap: only the swap is left.
        return _swap_shards(path, target_path, previous, state_file, state, keep_previous)

    recorded = recorded_embedder(path)
    if recorded is None:
        return ReindexReport(source=None, target=embedder.identity, memories=0)
    if recorded == embedder.identity:
        return ReindexReport(source=recorded, target=embedder.identity, memories=0)
    if state is None or state.source != recorded:
        shutil.rmtree(target_path, ignore_errors=True)
        state = ReindexState(source=recorded, target=embedder.identity)
    resumed_at = state.copied
    source = EdgeMemoryStore(path, recorded)
    try:
        target = EdgeMemoryStore(target_path, embedder.identity)
        try:
            state = copy_memories(source, target, embedder, state, lambda s: state_file.write_text(s.model_dump_json()),
                                  batch_size, progress)
        finally:
            target.close()
    finally:
        source.close()
    report = _swap_shards(path, target_path, previous, state_file, state, keep_previous)
    return ReindexReport(report.source, report.target, report.memories, resumed_at, report.previous)


def _swap_shards(path: Path, target_path: Path, previous: Path, state_file: Path, state: ReindexState,
                 keep_previous: bool) -> ReindexReport:
    shutil.rmtree(previous, ignore_errors=True)
    if path.exists():
        path.rename(previous)
    target_path.rename(path)
    state_file.unlink(missing_ok=True)
    if not keep_previous:
        shutil.rmtree(previous, ignore_errors=True)
    return ReindexReport(state.source, state.target, state.copied, previous=str(previous) if keep_previous else None)


def _load_state(state_file: Path, target: EmbedderIdentity) -> ReindexState | None:
    if not state_file.is_file():
        return None
    state = ReindexState.model_validate(json.loads(state_file.read_text()))
    return state if state.target == target else None


# --- server: a collection behind an alias ---------------------------------------------


REINDEX_METADATA = "memfeed_reindex"


def reindex_collection(client, name: str, embedder: Embedder, batch_size: int = 128,  # noqa: ANN001
                       progress: Progress = lambda done, total: None) -> ReindexReport:
    from qdrant_client import models

    from pipeline.store.qdrant_server import QdrantServerMemoryStore, recorded_embedder

    if not client.collection_exists(name):
        return ReindexReport(source=None, target=embedder.identity, memories=0)
    recorded = recorded_embedder(client.get_collection(name))
    if recorded == embedder.identity:
        return ReindexReport(source=recorded, target=embedder.identity, memories=0)
    current = _aliased_collection(client, name)
    target_name = f"{name}--{_slug(embedder.identity)}"
    state = None
    if client.collection_exists(target_name):
        saved = (client.get_collection(target_name).config.metadata or {}).get(REINDEX_METADATA)
        state = ReindexState.model_validate(saved) if saved else None
        if state is None or state.source != recorded:
            client.delete_collection(target_name)
            state = None
    state = state or ReindexState(source=recorded, target=embedder.identity)
    resumed_at = state.copied
    source = QdrantServerMemoryStore(client, name, recorded)
    target = QdrantServerMemoryStore(client, target_name, embedder.identity)
    state = copy_memories(
        source, target, embedder, state,
        lambda s: client.update_collection(target_name, metadata={REINDEX_METADATA: s.model_dump(mode="json")}),
        batch_size, progress,
    )
    client.update_collection(target_name, metadata={REINDEX_METADATA: None})
    if current is None:
        # The configured name is a collection itself: it gives way to an alias of the new one.
        client.delete_collection(name)
        client.update_collection_aliases(change_aliases_operations=[
            models.CreateAliasOperation(create_alias=models.CreateAlias(collection_name=target_name, alias_name=name)),
        ])
    else:
        client.update_collection_aliases(change_aliases_operations=[
            models.DeleteAliasOperation(delete_alias=models.DeleteAlias(alias_name=name)),
            models.CreateAliasOperation(create_alias=models.CreateAlias(collection_name=target_name, alias_name=name)),
        ])
        client.delete_collection(current)
    return ReindexReport(recorded, embedder.identity, state.copied, resumed_at)


def _aliased_collection(client, name: str) -> str | None:  # noqa: ANN001
    """The collection `name` is an alias of, or None when it is a collection itself."""
    for alias in client.get_aliases().aliases:
        if alias.alias_name == name:
            return alias.collection_name
    return None


def _slug(identity: EmbedderIdentity) -> str:
    return re.sub(r"[^a-z0-9]+", "-", identity.model_id.lower()).strip("-")[:60] + f"-{identity.dim}"
