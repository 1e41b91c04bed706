"""Shared by the analyzer's unit tests."""

from __future__ import annotations

import pytest

from pipeline.analyzers.offline import OfflineAnalyzer


@pytest.fixture(scope="module")
def analyzer() -> OfflineAnalyzer:
    return OfflineAnalyzer()


@pytest.fixture(scope="module")
def embedded_analyzer() -> OfflineAnalyzer:
    """The analyzer as a running service has it: with the bundled sentence encoder."""
    from pipeline.embedding import build_embedder

    return OfflineAnalyzer(build_embedder())
