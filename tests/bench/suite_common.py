"""What every part of the benchmark suite shares: statistics, process memory, the machine."""

from __future__ import annotations

import os
import platform
import statistics
from pathlib import Path
from typing import Any

import redis

from memfeed.stack import ANALYSIS_WORKER_NAME

REPO = Path(__file__).resolve().parents[2]


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summarize(samples_ms: list[float]) -> dict[str, float]:
    """n, p50, p95, p99 and mean of latencies in milliseconds."""
    if not samples_ms:
        return {"n": 0}
    return {
        "n": len(samples_ms),
        "p50_ms": round(percentile(samples_ms, 0.50), 3),
        "p95_ms": round(percentile(samples_ms, 0.95), 3),
        "p99_ms": round(percentile(samples_ms, 0.99), 3),
        "mean_ms": round(statistics.fmean(samples_ms), 3),
    }


def ratio(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 2) if denominator else None


# Processes ------------------------------------------------------------------------------------


def proc_status_bytes(pid: int, field_name: str) -> int:
    """A /proc/PID/status size (VmRSS, VmHWM) in bytes; 0 once the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def peak_rss_mb(pid: int) -> float:
    return round(proc_status_bytes(pid, "VmHWM") / 2**20, 1)


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command may contain spaces and parentheses: the ppid follows the last ")".
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def stack_processes(pid: int) -> dict[str, int]:
    """The processes `memfeed up` (process `pid`) started, by role: "api", "worker" (the store's)
    and, unless it runs without one, "analysis worker"."""
    roles: dict[str, int] = {}
    for child in children_of(pid):
        command = cmdline(child)
        if "celery" in command and " worker" in command:
            roles["analysis worker" if ANALYSIS_WORKER_NAME in command else "worker"] = child
        elif "uvicorn" in command:
            roles["api"] = child
    return roles


# Redis ----------------------------------------------------------------------------------------


def delete_keys(redis_url: str, pattern: str) -> int:
    client = redis.Redis.from_url(redis_url)
    removed = 0
    for key in client.scan_iter(pattern, count=1000):
        removed += client.delete(key)
    client.close()
    return removed


# The machine ----------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu_model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu_model = line.split(":", 1)[1].strip()
            break
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "ram_gb": round(mem_kb / 2**20, 1),
        "cpu_model": cpu_model,
        "python": platform.python_version(),
        "kernel": platform.release(),
    }
