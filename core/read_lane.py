"""Reads answered by threads a worker reserves for them, over two Redis lists.

The API pushes a request and blocks on its own reply list; a worker's read thread pops the
request, runs the read and pushes the reply. Two round trips on each side, instead of a Celery
task's publish, result subscription and cleanup; and reads never queue behind feedback stages.
Reads change nothing, so a request whose asker gave up is dropped, never retried.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel
from redis import Redis
from redis.asyncio import Redis as AsyncRedis

# How long an unanswered reply list is kept for an asker that is still waiting, beyond its deadline.
REPLY_KEPT_SECONDS = 60


class ReadTimeoutError(TimeoutError):
    pass


class ReadFailedError(Exception):
    """The read raised on the worker; the message names the exception."""


class ReadRequest(BaseModel):
    id: str
    name: str
    args: list[Any]
    # After this (epoch seconds) nobody waits for the answer.
    deadline: float


class ReadLane:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix
        self.requests_key = f"{prefix}:reads:requests"

    def _reply_key(self, request_id: str) -> str:
        return f"{self._prefix}:reads:reply:{request_id}"

    def ask(self, name: str, args: list[Any], timeout: float) -> Any:
        """Run the read `name` on a worker and return its result."""
        request = self._request(name, args, timeout)
        return _result(self._asking(self._redis.pipeline(transaction=False), request, timeout).execute()[-1], timeout)

    async def ask_async(self, redis: AsyncRedis, name: str, args: list[Any], timeout: float) -> Any:
        """`ask` on an asyncio client: the API's event loop waits for the answer without a thread."""
        request = self._request(name, args, timeout)
        return _result((await self._asking(redis.pipeline(transaction=False), request, timeout).execute())[-1],
                       timeout)

    @staticmethod
    def _request(name: str, args: list[Any], timeout: float) -> ReadRequest:
        return ReadRequest(id=uuid.uuid4().hex, name=name, args=args, deadline=time.time() + timeout)

    def _asking(self, pipe: Any, request: ReadRequest, timeout: float) -> Any:
        # One round trip: the request goes out and the same connection then waits for the answer.
        pipe.lpush(self.requests_key, request.model_dump_json())
        # Requests nobody took (no worker running) do not outlive their askers for long.
        pipe.expire(self.requests_key, int(timeout) + REPLY_KEPT_SECONDS)
        pipe.blpop([self._reply_key(request.id)], timeout=timeout)
        return pipe

    def serve_one(self, reads: Mapping[str, Callable[..., Any]], wait_seconds: float) -> bool:
        """Answer the next request, waiting up to `wait_seconds` for one; False if none came."""
        taken = self._redis.blpop([self.requests_key], timeout=wait_seconds)
        if taken is None:
            return False
        request = ReadRequest.model_validate_json(taken[1])
        if time.time() > request.deadline:
            return True  # its asker has given up
        read = reads.get(request.name)
        try:
            if read is None:
                raise LookupError(f"this worker serves no read named {request.name}")
            reply = {"result": read(*request.args)}
        except Exception as exc:  # the asker gets the failure as its answer
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        key = self._reply_key(request.id)
        pipe = self._redis.pipeline(transaction=False)
        pipe.rpush(key, json.dumps(reply))
        pipe.expire(key, REPLY_KEPT_SECONDS)
        pipe.execute()
        return True


def _result(answered: Any, timeout: float) -> Any:
    """The read's result from the reply BLPOP took, or the error it stands for."""
    if answered is None:
        raise ReadTimeoutError(f"no worker answered within {timeout:g} s")
    reply = json.loads(answered[1])
    if "error" in reply:
        raise ReadFailedError(reply["error"])
    return reply["result"]
