"""Configuration, from environment variables (MEMFEED_*) or a .env file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import AliasChoices, BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from pipeline.analyzers.llm_config import LLMConfig
from pipeline.embedding.config import EmbedderConfig

ConfigT = TypeVar("ConfigT", bound=BaseModel)


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

    # Dense vectors: the bundled multilingual model, an OpenAI-compatible embeddings endpoint, or a
    # local sentence-transformers model directory (`pip install 'memfeed[torch]'`).
    embedder: Literal["bundled", "openai", "sentence-transformers"] = "bundled"
    embedding_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("MEMFEED_EMBEDDING_BASE_URL", "OPENAI_BASE_URL")
    )
    embedding_api_key: str | None = Field(
        default=None, validation_alias=AliasChoices("MEMFEED_EMBEDDING_API_KEY", "OPENAI_API_KEY"), repr=False
    )
    embedding_model: str | None = None
    embedding_dimension: int | None = Field(default=None, gt=0)
    # Unset: EmbedderConfig's defaults.
    embedding_batch_size: int | None = Field(default=None, gt=0)
    embedding_timeout_seconds: float | None = Field(default=None, gt=0)
    embedding_max_retries: int | None = Field(default=None, ge=0)
    embedding_model_path: str | None = None
    embedding_threads: int | None = Field(default=None, gt=0)

    analyzer: Literal["offline", "llm"] = "offline"
    # The LLM analyzer: any OpenAI-compatible endpoint; OPENAI_BASE_URL / OPENAI_API_KEY are
    # used when memfeed's own variables are unset.
    llm_base_url: str | None = Field(default=None, validation_alias=AliasChoices("MEMFEED_LLM_BASE_URL", "OPENAI_BASE_URL"))
    llm_api_key: str | None = Field(default=None, validation_alias=AliasChoices("MEMFEED_LLM_API_KEY", "OPENAI_API_KEY"))
    llm_model: str = "gpt-4o-mini"
    llm_timeout_seconds: float = Field(default=30.0, gt=0)
    llm_max_attempts: int = Field(default=3, ge=1)
    llm_backoff_seconds: float = Field(default=0.5, ge=0)

    # Token windows: defaults for projects that set none of their own.
    window_tokens: int = Field(default=200_000, gt=0, description="Tokens a project may use per window.")
    window_seconds: float = Field(default=60.0, gt=0, description="Length of the sliding window.")
    max_request_tokens: int = Field(default=16_000, gt=0, description="Largest single request.")
    # MemOS's own cap on a search query.
    max_query_tokens: int = Field(default=4_000, gt=0, description="Largest search/memory query.")

    api_host: str = "127.0.0.1"
    api_port: int = 8000
    flower_port: int = 5555
    # Flower always asks for these (HTTP basic auth); unset, `memfeed up` generates a password
    # once and keeps it in the data directory.
    flower_user: str = Field(default="admin", pattern=r"^[A-Za-z0-9_.-]+$")
    flower_password: str | None = Field(default=None, repr=False, pattern=r"^[^,:\s]+$")
    worker_concurrency: int = 4
    # `memfeed up` runs the validate and classify stages in a worker process of their own (they
    # never open the store), beside the worker that owns the store. Off: the store's worker runs
    # every stage.
    analysis_worker: bool = True
    # What this worker process is: the one that opens the store (and runs whatever its queues
    # bring), or an analysis worker, which never opens it.
    worker_role: Literal["store", "analysis"] = "store"
    # Largest request body the API reads (knowledge-base files included).
    max_request_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    # A task a worker took but never acknowledged (it died) is delivered again after this;
    # it must be longer than any stage can run.
    visibility_timeout_seconds: int = Field(default=300, ge=1)
    # An unfinished job that has not progressed for this long is resumed from its last completed
    # stage (its next task may have been lost); after `job_max_resumes` it fails with a reason.
    job_stall_seconds: float = Field(default=600.0, gt=0)
    job_max_resumes: int = Field(default=5, ge=1)
    sweep_interval_seconds: float = Field(default=5.0, gt=0)
    # A worker refreshes its heartbeat this often; one silent for three beats is dead, and the
    # jobs it held are resumed by the next sweep.
    worker_heartbeat_seconds: float = Field(default=5.0, gt=0)
    # A job recorded this long ago whose first task no one reported enqueued is enqueued by the
    # sweeper (the broker refused it, or the API died in between).
    outbox_grace_seconds: float = Field(default=5.0, gt=0)
    # How long a finished job's record (get/status, revert), a batch's report and an idle
    # conversation's turns are kept; the memories and their versions stay in the store.
    job_retention_days: float = Field(default=30.0, gt=0)
    # How long the API waits for a worker to answer a synchronous read (search, get).
    read_timeout_seconds: float = 30.0
    # Threads each worker reserves for reads (search, get): reads never wait behind feedback stages.
    read_threads: int = Field(default=2, ge=1)
    # Turns of a conversation kept as context for feedback.
    conversation_context_turns: int = 10
    max_conversation_messages: int = 200
    # Log files in DATA_DIR/logs (mode 600): each one rotates at this size, keeping this many.
    log_max_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    log_backup_count: int = Field(default=5, ge=0)
    # An identical write (same route, same body) from one project within this many seconds gets
    # the first one's task or answer and is not applied again: MemOS clients retry without an
    # Idempotency-Key. 0 turns it off.
    duplicate_write_window_seconds: int = Field(default=60, ge=0)

    # `production` refuses to start the API without a console secret of its own.
    environment: Literal["development", "production"] = "development"
    # Signs the console's session cookies. Unset in development: generated once and kept in
    # DATA_DIR/console-secret (mode 600).
    console_secret: SecretStr | None = Field(default=None, repr=False)
    console_session_hours: float = Field(default=12.0, gt=0)
    # Under review_uncertain, a feedback job whose confidence is below this is held for review.
    review_confidence_threshold: float = Field(default=0.7, ge=0.0, le=1.0)
    # Webhooks: one POST's timeout, attempts before giving up (backoff doubling from the first
    # delay, at most the last), and how long a delivery in progress is left alone before the
    # sweeper sends it again (a worker died during it).
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    webhook_max_attempts: int = Field(default=8, ge=1)
    webhook_backoff_seconds: float = Field(default=2.0, gt=0)
    webhook_backoff_max_seconds: float = Field(default=600.0, gt=0)
    webhook_lease_seconds: float = Field(default=60.0, gt=0)

    def broker_url(self) -> str:
        return self.redis_url or "redis://127.0.0.1:6379/0"

    def llm_config(self) -> LLMConfig:
        return self._component_config(LLMConfig, "llm_")

    def embedder_config(self) -> EmbedderConfig:
        return self._component_config(EmbedderConfig, "embedding_", kind=self.embedder)

    def _component_config(self, config: type[ConfigT], prefix: str, **given: Any) -> ConfigT:
        """A component's configuration from the settings named `prefix` + its field names; what is
        unset keeps the component's own default."""
        values = {name: getattr(self, prefix + name) for name in config.model_fields if hasattr(self, prefix + name)}
        return config(**{name: value for name, value in values.items() if value is not None}, **given)

    def job_retention_seconds(self) -> int:
        return max(1, round(self.job_retention_days * 86400))

    def store_path(self) -> Path:
        return self.data_dir / "qdrant-edge"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
