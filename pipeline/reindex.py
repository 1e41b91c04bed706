"""Re-embedding a store's memories into a store for another embedder, resumably.

Every memory is copied, whatever its project, status or version, with its id and payload as they
are; only the dense vector is new (the sparse one is recomputed from the same text). Progress is
saved after every batch, so a run that was interrupted goes on from the last saved page.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel

from pipeline.embedding.base import Embedder, EmbedderIdentity
from pipeline.memory_index import MemoryIndex
from pipeline.sparse import SparseEncoder
from pipeline.store.base import MemoryStore


class ReindexState(BaseModel):
    source: EmbedderIdentity
    target: EmbedderIdentity
    next_offset: str | None = None
    copied: int = 0
    done: bool = False


class ReindexVerificationError(RuntimeError):
    """The new store does not hold every memory of the old one as it was."""


Progress = Callable[[int, int], None]  # (memories just copied, total)


def copy_memories(
    source: MemoryStore,
    target: MemoryStore,
    embedder: Embedder,
    state: ReindexState,
    save: Callable[[ReindexState], None],
    batch_size: int = 128,
    progress: Progress = lambda done, total: None,
) -> ReindexState:
    """Copies what `state` says is left, re-embedded with `embedder`, then verifies the whole copy."""
    total = source.count()
    progress(state.copied, total)
    index = MemoryIndex(target, embedder, SparseEncoder())
    while not state.done:
        records, next_offset = source.scroll_page(state.next_offset, batch_size)
        index.write(records)
        state = state.model_copy(
            update={"next_offset": next_offset, "copied": state.copied + len(records), "done": next_offset is None}
        )
        save(state)
        progress(len(records), total)
    verify_copy(source, target)
    return state


def verify_copy(source: MemoryStore, target: MemoryStore, batch_size: int = 512) -> int:
    """Every memory of `source` is in `target` with the same fields; returns how many there are."""
    checked, offset = 0, None
    while True:
        records, offset = source.scroll_page(offset, batch_size)
        copies = {r.id: r for r in target.get([r.id for r in records])}
        differing = [r.id for r in records if copies.get(r.id) != r]
        if differing:
            raise ReindexVerificationError(
                f"{len(differing)} memories are missing or differ in the new store, e.g. {differing[:3]}"
            )
        checked += len(records)
        if offset is None:
            break
    if target.count() != checked:
        raise ReindexVerificationError(f"the new store holds {target.count()} memories, the old one {checked}")
    return checked
