"""Any OpenAI-compatible /v1/embeddings endpoint: OpenAI, vLLM, Ollama, TEI, LiteLLM, ..."""

from __future__ import annotations

from pipeline.embedding.base import EmbedderIdentity, EmbeddingError, unit_rows
from pipeline.embedding.config import EmbedderConfig


class OpenAIEmbedder:
    """Embeds in batches of `batch_size`; the client retries timeouts, 429 and 5xx with backoff.

    The dimension is part of the identity: the configured one, or the one the endpoint answers
    with first (a store then records it). An answer of another size is refused.
    """

    def __init__(self, config: EmbedderConfig, client=None) -> None:  # noqa: ANN001 - an openai.OpenAI
        if not config.model:
            raise EmbeddingError("the openai embedder needs MEMFEED_EMBEDDING_MODEL")
        if not config.dimension:
            raise EmbeddingError(
                "the openai embedder needs MEMFEED_EMBEDDING_DIMENSION (the size of the model's vectors), "
                "so that a store can be created before the first call"
            )
        self._config = config
        self._client = client or _client(config)
        self.identity = EmbedderIdentity(model_id=f"openai:{config.model}", dim=config.dimension)

    def embed(self, texts: list[str]) -> list[list[float]]:
        import openai

        vectors: list[list[float]] = []
        size = self._config.batch_size
        for start in range(0, len(texts), size):
            batch = [text if text.strip() else " " for text in texts[start:start + size]]
            try:
                response = self._client.embeddings.create(model=self._config.model, input=batch, **self._dimension_arg())
            except openai.OpenAIError as exc:
                # The message names the endpoint's answer, never the key.
                raise EmbeddingError(f"embeddings endpoint failed: {type(exc).__name__}: {exc}") from exc
            rows = sorted(response.data, key=lambda item: item.index)
            if len(rows) != len(batch):
                raise EmbeddingError(f"embeddings endpoint answered {len(rows)} vectors for {len(batch)} texts")
            for row in rows:
                if len(row.embedding) != self.identity.dim:
                    raise EmbeddingError(
                        f"embeddings endpoint answered {len(row.embedding)}-d vectors, configured {self.identity.dim}-d "
                        "(MEMFEED_EMBEDDING_DIMENSION)"
                    )
            vectors.extend(unit_rows([row.embedding for row in rows]))
        return vectors

    def _dimension_arg(self) -> dict[str, int]:
        # Only OpenAI's text-embedding-3 models take `dimensions`; others refuse the field.
        return {"dimensions": self.identity.dim} if self._config.model.startswith("text-embedding-3") else {}


def _client(config: EmbedderConfig):  # noqa: ANN202 - openai.OpenAI
    import openai

    if not config.api_key and not config.base_url:
        raise EmbeddingError(
            "the openai embedder needs MEMFEED_EMBEDDING_API_KEY (or OPENAI_API_KEY) and, for a local server, "
            "MEMFEED_EMBEDDING_BASE_URL"
        )
    return openai.OpenAI(
        base_url=config.base_url,
        api_key=config.api_key or "not-needed",
        timeout=config.timeout_seconds,
        max_retries=config.max_retries,
    )
