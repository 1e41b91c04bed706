"""`memfeed demo` finds a `memfeed up` started on another port instead of starting a second stack."""

from __future__ import annotations

import subprocess
import sys

from core.settings import Settings
from memfeed.running_stacks import running_stacks

from .conftest import Stack


def test_a_stack_on_another_port_is_found_with_its_data_dir_and_redis(stack: Stack) -> None:
    found = {s.base_url: s for s in running_stacks(Settings())}

    assert stack.base_url in found, found
    ours = found[stack.base_url]
    assert ours.pid == stack.process.pid
    assert ours.data_dir == stack.data_dir.resolve()
    assert ours.redis_url == stack.env["MEMFEED_REDIS_URL"]
    assert ours.redis_prefix == stack.env["MEMFEED_REDIS_PREFIX"]


def test_the_demo_says_where_it_runs(stack: Stack) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "memfeed.cli", "demo", "--url", stack.base_url],
        env={**stack.env, "COLUMNS": "200"}, capture_output=True, text=True, timeout=280,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"demo: running against {stack.base_url}" in result.stdout
    assert f"4/4 scenarios as expected (at {stack.base_url})" in result.stdout
