"""Configuration, from environment variables (MEMFEED_*) or a .env file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MEMFEED_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path("./memfeed-data"), description="Embedded store, private Redis, logs.")
    redis_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("MEMFEED_REDIS_URL", "REDIS_URL"),
        description="Broker, result backend and control plane. Unset: 127.0.0.1:6379 or a private redis-server.",
    )
    redis_prefix: str = Field(default="mf", description="Prefix of every control-plane key in Redis.")

    vector_store: Literal["embedded", "server"] = "embedded"
    qdrant_url: str | None = None
    qdrant_api_key: str | None = None
    qdrant_collection: str = "memfeed_memories"

    analyzer: Literal["offline", "llm"] = "offline"

    # Token windows: defaults for projects that set none of their own.
    window_tokens: int = Field(default=200_000, gt=0, description="Tokens a project may use per window.")
    window_seconds: float = Field(default=60.0, gt=0, description="Length of the sliding window.")
    max_request_tokens: int = Field(default=16_000, gt=0, description="Largest single request.")

    api_host: str = "127.0.0.1"
    api_port: int = 8000
    flower_port: int = 5555
    worker_concurrency: int = 4
    # How long the API waits for a worker to answer a synchronous read (search, get).
    read_timeout_seconds: float = 30.0
    # Turns of a conversation kept as context for feedback.
    conversation_context_turns: int = 10
    max_conversation_messages: int = 200

    def broker_url(self) -> str:
        return self.redis_url or "redis://127.0.0.1:6379/0"

    def store_path(self) -> Path:
        return self.data_dir / "qdrant-edge"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
