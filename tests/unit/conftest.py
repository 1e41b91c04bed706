"""Shared by the analyzer's unit tests."""

from __future__ import annotations

import pytest

from pipeline.analyzers.offline import OfflineAnalyzer


@pytest.fixture(scope="module")
def analyzer() -> OfflineAnalyzer:
    return OfflineAnalyzer()
