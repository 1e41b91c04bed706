"""The `memfeed up` processes running on this machine (Linux /proc), with where they answer.

So that a command such as `memfeed demo` can use a stack started with `--port` or `--data-dir`
instead of starting a second one. What a process was started with is read from its command line,
then its initial environment, then the defaults; a process of another user is not readable and so
not found.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from core.settings import Settings

PROC = Path("/proc")


@dataclass(frozen=True)
class RunningStack:
    pid: int
    base_url: str
    data_dir: Path
    # The initial environment's Redis settings, when it had them.
    redis_url: str | None
    redis_prefix: str | None


def running_stacks(defaults: Settings) -> list[RunningStack]:
    found = []
    for entry in PROC.iterdir() if PROC.is_dir() else []:
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
            if not _is_memfeed_up(argv):
                continue
            environ = _environ(entry)
            cwd = (entry / "cwd").resolve()
        except OSError:
            continue
        found.append(_describe(int(entry.name), argv, environ, cwd, defaults))
    return sorted(found, key=lambda stack: stack.pid)


def _is_memfeed_up(argv: list[str]) -> bool:
    for position, arg in enumerate(argv):
        name = Path(arg).name
        if name == "memfeed" or (arg == "memfeed.cli" and position > 0 and argv[position - 1] == "-m"):
            return position + 1 < len(argv) and argv[position + 1] == "up"
    return False


def _environ(entry: Path) -> dict[str, str]:
    pairs = (entry / "environ").read_bytes().decode(errors="replace").split("\0")
    return dict(pair.split("=", 1) for pair in pairs if "=" in pair)


def _option(argv: list[str], name: str) -> str | None:
    for position, arg in enumerate(argv):
        if arg == name and position + 1 < len(argv):
            return argv[position + 1]
        if arg.startswith(f"{name}="):
            return arg.split("=", 1)[1]
    return None


def _describe(pid: int, argv: list[str], environ: dict[str, str], cwd: Path, defaults: Settings) -> RunningStack:
    host = _option(argv, "--host") or environ.get("MEMFEED_API_HOST") or defaults.api_host
    port = _option(argv, "--port") or environ.get("MEMFEED_API_PORT") or str(defaults.api_port)
    data_dir = Path(_option(argv, "--data-dir") or environ.get("MEMFEED_DATA_DIR") or "memfeed-data")
    if host in {"0.0.0.0", "::"}:
        host = "127.0.0.1"
    return RunningStack(
        pid=pid,
        base_url=f"http://{host}:{port}",
        data_dir=data_dir if data_dir.is_absolute() else cwd / data_dir,
        redis_url=environ.get("MEMFEED_REDIS_URL") or environ.get("REDIS_URL"),
        redis_prefix=environ.get("MEMFEED_REDIS_PREFIX"),
    )
