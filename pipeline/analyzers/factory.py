"""Choosing the analyzer by name."""

from __future__ import annotations

from pipeline.analyzers.base import Analyzer
from pipeline.analyzers.offline import OfflineAnalyzer
from pipeline.embedding import Embedder

ANALYZER_NAMES = ("offline", "llm")


class AnalyzerUnavailableError(RuntimeError):
    pass


def build_analyzer(name: str, embedder: Embedder | None) -> Analyzer:
    if name == "offline":
        return OfflineAnalyzer(embedder)
    if name == "llm":
        raise AnalyzerUnavailableError("the llm analyzer is not available in this version; use 'offline'")
    raise AnalyzerUnavailableError(f"unknown analyzer {name!r}; choose one of {', '.join(ANALYZER_NAMES)}")
