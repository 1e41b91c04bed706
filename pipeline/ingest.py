"""Turning conversation turns and knowledge-base files into memories."""

from __future__ import annotations

import re
import time
import uuid

from pipeline.analyzers.base import Analyzer
from pipeline.memory_index import MemoryIndex
from pipeline.memory_keys import memory_key_for
from pipeline.models import MemoryRecord, Message, ScopeKind
from pipeline.text.sentences import split_sentences

_INGEST_NAMESPACE = uuid.UUID("0b7e4c8e-52a4-4b8e-9a55-2f3f1e6f0c21")
# A paragraph longer than this is stored sentence by sentence.
MAX_PARAGRAPH_CHARS = 400
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def ingest_messages(
    job_id: str,
    project_id: str,
    user_id: str | None,
    conversation_id: str | None,
    messages: list[Message],
    analyzer: Analyzer,
    index: MemoryIndex,
    agent_id: str | None = None,
    app_id: str | None = None,
    first_position: int = 0,
) -> list[MemoryRecord]:
    """The user's own statements in the turns become the user's (or, without a user, the agent's)
    memories. `first_position` numbers them on from an earlier call of the same job."""
    now = time.time()
    records: list[MemoryRecord] = []
    for message in messages:
        for fact in analyzer.extract_memories(message.content, message.role):
            records.append(
                MemoryRecord(
                    id=_ingested_id(job_id, first_position + len(records)),
                    project_id=project_id,
                    scope_kind=ScopeKind.USER,
                    user_id=user_id,
                    agent_id=agent_id,
                    app_id=app_id,
                    memory_key=memory_key_for(fact),
                    memory_value=fact,
                    conversation_id=conversation_id,
                    tags=["conversation"],
                    create_time=now,
                    update_time=now,
                    source_job_id=job_id,
                )
            )
    index.write(records)
    return records


def chunk_document(content: str) -> list[str]:
    """Paragraphs, with long paragraphs split into their sentences."""
    chunks: list[str] = []
    for paragraph in _PARAGRAPH_BREAK.split(content):
        paragraph = " ".join(paragraph.split())
        if not paragraph:
            continue
        if len(paragraph) <= MAX_PARAGRAPH_CHARS:
            chunks.append(paragraph)
        else:
            chunks.extend(s for s in split_sentences(paragraph) if s.strip())
    return chunks


def ingest_knowledgebase_file(
    job_id: str,
    project_id: str,
    knowledgebase_id: str,
    file_name: str,
    content: str,
    index: MemoryIndex,
    position: int = 0,
) -> list[MemoryRecord]:
    now = time.time()
    records = [
        MemoryRecord(
            id=_ingested_id(job_id, position * 100_000 + n),
            project_id=project_id,
            scope_kind=ScopeKind.KNOWLEDGEBASE,
            knowledgebase_id=knowledgebase_id,
            memory_key=f"{file_name} #{n + 1}",
            memory_value=chunk,
            tags=["knowledgebase", file_name],
            create_time=now,
            update_time=now,
            source_job_id=job_id,
        )
        for n, chunk in enumerate(chunk_document(content))
    ]
    index.write(records)
    return records


def _ingested_id(job_id: str, position: int) -> str:
    return str(uuid.uuid5(_INGEST_NAMESPACE, f"{job_id}:{position}"))
