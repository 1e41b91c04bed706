"""Knowledge bases: each belongs to exactly one project."""

from __future__ import annotations

import time
import uuid

from pydantic import BaseModel
from redis import Redis


class Knowledgebase(BaseModel):
    id: str
    project_id: str
    name: str
    description: str = ""
    created_at: float


class KnowledgebaseRegistry:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix

    def _key(self, kb_id: str) -> str:
        return f"{self._prefix}:kb:{kb_id}"

    def _project_set(self, project_id: str) -> str:
        return f"{self._prefix}:project:{project_id}:kbs"

    def create(self, project_id: str, name: str, description: str = "", kb_id: str | None = None) -> Knowledgebase:
        kb = Knowledgebase(
            id=kb_id or uuid.uuid4().hex,
            project_id=project_id,
            name=name,
            description=description,
            created_at=time.time(),
        )
        if not self._redis.hsetnx(self._key(kb.id), "project_id", project_id):
            raise ValueError(f"knowledge base {kb.id} already exists")
        pipe = self._redis.pipeline()
        pipe.hset(self._key(kb.id), mapping=kb.model_dump(mode="json"))
        pipe.sadd(self._project_set(project_id), kb.id)
        pipe.execute()
        return kb

    def get(self, kb_id: str) -> Knowledgebase | None:
        fields = self._redis.hgetall(self._key(kb_id))
        return Knowledgebase.model_validate(fields) if fields.get("name") is not None else None

    def foreign_ids(self, project_id: str, kb_ids: list[str]) -> list[str]:
        """The ids among kb_ids that are not knowledge bases of this project."""
        if not kb_ids:
            return []
        owned = self._redis.smismember(self._project_set(project_id), kb_ids)
        return [kb_id for kb_id, is_owned in zip(kb_ids, owned) if not is_owned]

    def delete(self, project_id: str, kb_id: str) -> bool:
        if self.foreign_ids(project_id, [kb_id]):
            return False
        pipe = self._redis.pipeline()
        pipe.delete(self._key(kb_id))
        pipe.srem(self._project_set(project_id), kb_id)
        pipe.execute()
        return True
