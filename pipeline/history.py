"""A memory's versions, and taking a correction back."""

from __future__ import annotations

import time

from pipeline.models import AppliedChange, MemoryRecord, MemoryStatus
from pipeline.store.base import MemoryStore, linked_versions_rule

MAX_VERSIONS = 500


def memory_history(store: MemoryStore, project_id: str, memory_id: str) -> list[MemoryRecord]:
    """Every version linked to this memory (before and after it, reverted ones included), oldest
    first; empty when the memory is not the project's."""
    [start] = store.get([memory_id]) or [None]
    if start is None or start.project_id != project_id:
        return []
    versions = {start.id: start}
    frontier = [start.id]
    while frontier and len(versions) < MAX_VERSIONS:
        linked = store.scroll(linked_versions_rule(project_id, frontier))
        pointed = [i for m in versions.values() for i in (m.supersedes, m.superseded_by) if i and i not in versions]
        linked += [m for m in store.get(pointed) if m.project_id == project_id]
        frontier = [m.id for m in linked if m.id not in versions]
        versions.update((m.id, m) for m in linked)
    return sorted(versions.values(), key=lambda m: (m.create_time, m.id))


def revert_changes(store: MemoryStore, changes: list[AppliedChange]) -> list[dict]:
    """Restore what a job archived and archive what it wrote.

    A version that a later job has superseded since is left alone (reverting it would break the
    later correction); it is reported as skipped. Running this twice changes nothing more.
    """
    now = time.time()
    written = {m.id: m for m in store.get([c.new_memory_id for c in changes])}
    outcome = []
    for change in changes:
        new = written.get(change.new_memory_id)
        entry = {"action": "revert", "archived": change.new_memory_id, "restored": change.old_memory_id,
                 "before": change.after, "after": change.before}
        if new is None:
            outcome.append({**entry, "skipped": "the corrected memory no longer exists"})
            continue
        already = new.status is MemoryStatus.ARCHIVED and new.superseded_by == change.old_memory_id
        if new.status is not MemoryStatus.ACTIVATED and not already:
            outcome.append({**entry, "skipped": f"superseded since by {new.superseded_by}"})
            continue
        # Restore first, then archive: an interruption leaves both visible, never neither.
        if change.old_memory_id:
            store.set_fields([change.old_memory_id], {
                "status": MemoryStatus.ACTIVATED.value, "superseded_by": None, "invalid_at": None, "update_time": now,
            })
        if not already:
            store.set_fields([new.id], {
                "status": MemoryStatus.ARCHIVED.value, "superseded_by": change.old_memory_id, "invalid_at": now,
                "update_time": now,
            })
        outcome.append(entry)
    return outcome
