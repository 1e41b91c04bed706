"""Which embedder to use and how to reach it (kept apart so configuration imports nothing heavy)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

EMBEDDER_NAMES = ("bundled", "openai", "sentence-transformers")


class EmbedderConfig(BaseModel):
    kind: Literal["bundled", "openai", "sentence-transformers"] = "bundled"
    # openai: any OpenAI-compatible /v1/embeddings endpoint (OpenAI, vLLM, Ollama, TEI).
    base_url: str | None = None
    api_key: str | None = Field(default=None, repr=False)
    model: str | None = None
    # Asked of the endpoint (models that support shortening) and checked on every answer.
    dimension: int | None = Field(default=None, gt=0)
    batch_size: int = Field(default=64, gt=0)
    timeout_seconds: float = Field(default=30.0, gt=0)
    max_retries: int = Field(default=3, ge=0)
    # sentence-transformers: a model directory on this machine (never fetched from a hub).
    model_path: str | None = None
    # BLAS threads of the bundled model, for the whole process. One: a worker's concurrency comes
    # from its task threads, and BLAS threads beyond the cores spin against them.
    threads: int = Field(default=1, gt=0)
