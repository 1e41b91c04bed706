"""Knowledge-base files: what add/knowledgebase-file received, so that get/ and
delete/knowledgebase-file can name a file. Its memories are in the store, written by the file's task."""

from __future__ import annotations

import uuid

from pydantic import BaseModel
from redis import Redis
from redis.client import Pipeline

_FILE_NAMESPACE = uuid.UUID("5d8e2f4a-7c1b-4e0a-9f3d-6b2a8c1e4f70")


def file_id_for(task_id: str, position: int) -> str:
    """A file's id follows from its task: a repeated request answers with the same ids."""
    return uuid.uuid5(_FILE_NAMESPACE, f"{task_id}:{position}").hex


class KnowledgebaseFileRecord(BaseModel):
    id: str
    project_id: str
    knowledgebase_id: str
    name: str
    type: str | None = None
    size: int = 0  # characters of text
    task_id: str
    position: int = 0  # in its add/knowledgebase-file request
    created_at: float


class KnowledgebaseFiles:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix

    def _key(self, file_id: str) -> str:
        return f"{self._prefix}:kbfile:{file_id}"

    def _index(self, project_id: str, kb_id: str) -> str:
        return f"{self._prefix}:kbfiles:{project_id}:{kb_id}"

    def add(self, files: list[KnowledgebaseFileRecord], pipe: Pipeline | None = None) -> None:
        """Given a transaction's `pipe`, the writes join it."""
        writes = pipe if pipe is not None else self._redis.pipeline()
        for record in files:
            writes.set(self._key(record.id), record.model_dump_json())
            # Oldest first; files of one request in their order.
            writes.zadd(self._index(record.project_id, record.knowledgebase_id),
                        {record.id: record.created_at + record.position * 1e-6})
        if pipe is None:
            writes.execute()

    def get(self, project_id: str, file_ids: list[str]) -> list[KnowledgebaseFileRecord]:
        """The project's files among these ids, in their order; another project's are unknown."""
        if not file_ids:
            return []
        found = []
        for raw in self._redis.mget([self._key(i) for i in file_ids]):
            if raw is None:
                continue
            record = KnowledgebaseFileRecord.model_validate_json(raw)
            if record.project_id == project_id:
                found.append(record)
        return found

    def page(self, project_id: str, kb_id: str, offset: int, limit: int) -> tuple[list[KnowledgebaseFileRecord], int]:
        index = self._index(project_id, kb_id)
        pipe = self._redis.pipeline()
        pipe.zcard(index)
        pipe.zrange(index, offset, offset + limit - 1)
        total, ids = pipe.execute()
        return self.get(project_id, list(ids)), int(total)

    def delete(self, files: list[KnowledgebaseFileRecord]) -> None:
        if not files:
            return
        pipe = self._redis.pipeline()
        for record in files:
            pipe.delete(self._key(record.id))
            pipe.zrem(self._index(record.project_id, record.knowledgebase_id), record.id)
        pipe.execute()

    def delete_knowledgebase(self, project_id: str, kb_id: str) -> None:
        index = self._index(project_id, kb_id)
        ids = self._redis.zrange(index, 0, -1)
        pipe = self._redis.pipeline()
        for file_id in ids:
            pipe.delete(self._key(file_id))
        pipe.delete(index)
        pipe.execute()
