"""Conversation turns, kept as context for feedback on that conversation."""

from __future__ import annotations

import json
import time

from redis import Redis

from pipeline.models import Message


class ConversationLog:
    def __init__(self, redis: Redis, prefix: str, max_messages: int, retention_seconds: int | None = None) -> None:
        self._redis = redis
        self._prefix = prefix
        self._max_messages = max_messages
        # A conversation nobody added to for this long is forgotten.
        self._retention_seconds = retention_seconds

    def _key(self, project_id: str, conversation_id: str) -> str:
        return f"{self._prefix}:conv:{project_id}:{conversation_id}"

    def append(self, project_id: str, conversation_id: str, user_id: str, messages: list[Message]) -> None:
        if not messages:
            return
        key = self._key(project_id, conversation_id)
        now = time.time()
        entries = [json.dumps({**m.model_dump(), "user_id": user_id, "time": now}) for m in messages]
        pipe = self._redis.pipeline()
        pipe.rpush(key, *entries)
        pipe.ltrim(key, -self._max_messages, -1)
        if self._retention_seconds:
            pipe.expire(key, self._retention_seconds)
        pipe.execute()

    def recent(self, project_id: str, conversation_id: str, turns: int, user_id: str) -> list[Message]:
        """The last `turns` turns this user added: another user's turns in the same conversation
        id are never their context."""
        own = [entry for entry in self.all(project_id, conversation_id) if entry.get("user_id") == user_id]
        return [Message.model_validate(entry) for entry in own[-turns:]]

    def all(self, project_id: str, conversation_id: str) -> list[dict]:
        return [json.loads(e) for e in self._redis.lrange(self._key(project_id, conversation_id), 0, -1)]
