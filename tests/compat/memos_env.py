"""The official MemOS Python client (MemoryOS) in a virtual environment of its own, outside memfeed's:
it is large (~660 MB, with its own pins of fastapi, pydantic, redis, ...) and cannot share .venv.
Created on first use under MEMFEED_COMPAT_CACHE (default ~/.cache/memfeed-compat), reused after."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

MEMOS_PACKAGE = "MemoryOS"
MEMOS_VERSION = "2.0.33"
READY_MARKER = ".memfeed-ready"
INSTALL_TIMEOUT_SECONDS = 1800


class MemosInstallError(RuntimeError):
    """pip could not install the client; the message carries pip's output."""


def cache_dir() -> Path:
    return Path(os.environ.get("MEMFEED_COMPAT_CACHE") or Path.home() / ".cache" / "memfeed-compat")


def env_dir() -> Path:
    return cache_dir() / f"memoryos-{MEMOS_VERSION}"


def ensure_memos_python() -> tuple[Path, float | None]:
    """The environment's python, and how long creating it took (None: it was there already)."""
    target = env_dir()
    python = target / "bin" / "python"
    marker = target / READY_MARKER
    cache_dir().mkdir(parents=True, exist_ok=True)
    # One installer at a time: a second test run waits for the first one's environment.
    with open(cache_dir() / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.exists() and python.exists():
            return python, None
        started = time.monotonic()
        shutil.rmtree(target, ignore_errors=True)
        _run([sys.executable, "-m", "venv", str(target)], "creating the virtual environment")
        _run([str(python), "-m", "pip", "install", "--disable-pip-version-check", "--no-input",
              f"{MEMOS_PACKAGE}=={MEMOS_VERSION}"], f"pip install {MEMOS_PACKAGE}=={MEMOS_VERSION}")
        seconds = time.monotonic() - started
        installed = {"package": f"{MEMOS_PACKAGE}=={MEMOS_VERSION}", "install_seconds": round(seconds, 1)}
        marker.write_text(json.dumps(installed))
        return python, seconds


def _run(command: list[str], what: str) -> None:
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired as exc:
        raise MemosInstallError(f"{what} took over {INSTALL_TIMEOUT_SECONDS} s:\n{exc.stdout}\n{exc.stderr}") from exc
    if result.returncode != 0:
        output = (result.stdout + "\n" + result.stderr)[-20_000:]
        raise MemosInstallError(f"{what} failed (exit {result.returncode}):\n{output}")
