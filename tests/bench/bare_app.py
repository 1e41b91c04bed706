"""The ingestion baseline: a FastAPI endpoint that parses a JSON body and does one Redis LPUSH.

    uvicorn tests.bench.bare_app:create_app --factory ...   (started by the suite with memfeed's uvicorn options)

A plain `def` route with a synchronous Redis client, like memfeed's add/feedback, so both run in
the same thread pool of the same server.
"""

from __future__ import annotations

import json
import os
from typing import Any

import redis
from fastapi import FastAPI

LIST_SUFFIX = ":bare:lpush"


def create_app() -> FastAPI:
    client = redis.Redis.from_url(os.environ["MEMFEED_REDIS_URL"])
    key = os.environ["MEMFEED_REDIS_PREFIX"] + LIST_SUFFIX
    app = FastAPI()

    @app.post("/lpush")
    def lpush(body: dict[str, Any]) -> dict[str, Any]:
        client.lpush(key, json.dumps(body))
        return {"code": 0, "message": "ok", "data": {"success": True}}

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
