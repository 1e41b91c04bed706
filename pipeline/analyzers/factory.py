"""Choosing and building the analyzer by name."""

from __future__ import annotations

from pipeline.analyzers.base import Analyzer
from pipeline.analyzers.llm_config import LLMConfig
from pipeline.analyzers.offline import OfflineAnalyzer
from pipeline.analyzers.trace import AnalyzerTrace
from pipeline.embedding import Embedder
from pipeline.token_budget import TokenBudget

ANALYZER_NAMES = ("offline", "llm")


class AnalyzerUnavailableError(RuntimeError):
    pass


def openai_client(config: LLMConfig):  # noqa: ANN201 - openai is imported only when used
    """One client per process: it holds the connection pool."""
    import openai

    if not config.api_key and not config.base_url:
        raise AnalyzerUnavailableError(
            "the llm analyzer needs MEMFEED_LLM_API_KEY (or OPENAI_API_KEY) and, for a local server, "
            "MEMFEED_LLM_BASE_URL"
        )
    # Retries are the analyzer's own (they also cover answers that are not valid JSON).
    return openai.OpenAI(
        base_url=config.base_url, api_key=config.api_key or "not-needed", timeout=config.timeout_seconds,
        max_retries=0,
    )


def build_analyzer(
    name: str,
    embedder: Embedder | None,
    llm: LLMConfig | None = None,
    client=None,  # noqa: ANN001 - an openai.OpenAI, shared across jobs
    budget: TokenBudget | None = None,
    trace: AnalyzerTrace | None = None,
    offline: Analyzer | None = None,
) -> Analyzer:
    offline = offline or OfflineAnalyzer(embedder)
    if name == "offline":
        return offline
    if name == "llm":
        from pipeline.analyzers.llm import LLMAnalyzer

        config = llm or LLMConfig()
        return LLMAnalyzer(
            client or openai_client(config), config.model, fallback=offline, budget=budget, trace=trace,
            max_attempts=config.max_attempts, backoff_seconds=config.backoff_seconds,
        )
    raise AnalyzerUnavailableError(f"unknown analyzer {name!r}; choose one of {', '.join(ANALYZER_NAMES)}")
