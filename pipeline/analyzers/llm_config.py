"""Where and how to reach the LLM (kept apart so configuration imports nothing heavy)."""

from __future__ import annotations

from pydantic import BaseModel


class LLMConfig(BaseModel):
    base_url: str | None = None
    api_key: str | None = None
    model: str = "gpt-4o-mini"
    timeout_seconds: float = 30.0
    max_attempts: int = 3
    backoff_seconds: float = 0.5
