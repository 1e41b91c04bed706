"""Test-run wiring shared by every test directory: how tests spread over xdist workers."""

from __future__ import annotations

import pytest

# Modules that measure time or kill processes: they run one after another on one worker, so a
# second worker's load never squeezes their deadlines. Every other module stays whole on one
# worker (its stack is started once).
# Two such groups, so that with three workers the kills and the deadlines run side by side.
TIMING_SENSITIVE = {
    "test_faults.py": "kills", "test_hardening_runtime.py": "kills", "test_runtime.py": "kills",
    "test_delivery.py": "deadlines", "test_backfill.py": "deadlines", "test_token_windows.py": "deadlines",
    "test_retention.py": "deadlines", "test_reliability.py": "deadlines",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        # The MemOS client suite shares one client process.
        group = TIMING_SENSITIVE.get(item.path.name) or ("compat" if "compat" in item.path.parts else str(item.path))
        item.add_marker(pytest.mark.xdist_group(group))
