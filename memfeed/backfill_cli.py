"""`memfeed backfill FILE.jsonl`: replays collected feedback through add/feedback/batch.

Each line is an add/feedback body. It is sent with an idempotency key derived from its position
and content, so running the same file again skips every line that was accepted before: an
interrupted backfill is resumed by simply rerunning it.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from api.client import MemfeedAPIError, MemfeedClient

SUBMIT_ATTEMPTS = 6
POLL_SECONDS = 0.5
# Batches polled per round while waiting; they are released oldest first.
POLLED_BATCHES = 3


class BackfillAborted(Exception):
    """The server refused the backfill as a whole (bad key, unreachable)."""


@dataclass
class SentBatch:
    batch_id: str
    line_of_index: list[int]
    accepted: int
    completed: int = 0
    ignored: int = 0
    failed: int = 0
    failures_reported: int = 0
    done: bool = False

    @property
    def finished(self) -> int:
        return self.completed + self.ignored + self.failed


@dataclass
class Tally:
    total: int
    rejected: int = 0  # bad lines and items the server found invalid
    skipped: int = 0
    accepted: int = 0
    batches: list[SentBatch] = field(default_factory=list)

    @property
    def completed(self) -> int:
        return sum(b.completed for b in self.batches)

    @property
    def ignored(self) -> int:
        return sum(b.ignored for b in self.batches)

    @property
    def failed(self) -> int:
        return self.rejected + sum(b.failed for b in self.batches)

    def progressed(self, waiting: bool) -> int:
        handled = sum(b.finished for b in self.batches) if waiting else self.accepted
        return self.rejected + self.skipped + handled


class ItemsPerSecond(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.1f} items/s" if speed else "– items/s", style="progress.data.speed")


def line_key(line_number: int, line: str) -> str:
    return hashlib.sha256(f"{line_number}\n{line}".encode()).hexdigest()


def read_items(path: Path, report: Callable[[str], None]) -> Iterator[tuple[int, dict[str, Any]] | int]:
    """(line number, body with its idempotency key) per good line; the line number alone per bad one."""
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, raw in enumerate(lines, start=1):
            line = raw.rstrip("\r\n")
            if not line.strip():
                continue
            try:
                body = json.loads(line)
            except json.JSONDecodeError as exc:
                report(f"line {number}: 40000 not valid JSON ({exc.msg})")
                yield number
                continue
            if not isinstance(body, dict):
                report(f"line {number}: 40000 not a JSON object (an add/feedback body)")
                yield number
                continue
            body.setdefault("idempotency_key", line_key(number, line))
            yield number, body


def count_items(path: Path) -> int:
    with path.open(encoding="utf-8", errors="replace") as lines:
        return sum(1 for line in lines if line.strip())


def run_backfill(path: Path, url: str, api_key: str, wait: bool, batch_size: int) -> int:
    """Returns the exit status: 0 all went through, 1 some items failed, 2 the backfill was refused."""
    console = Console(stderr=True)
    tally = Tally(total=count_items(path))
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        ItemsPerSecond(),
        TimeRemainingColumn(),
        TextColumn("failed {task.fields[failed]}"),
    )
    with MemfeedClient(url, api_key) as client, Progress(*columns, console=console, redirect_stdout=False, redirect_stderr=False) as progress:
        bar = progress.add_task("sending", total=tally.total, failed=0)

        def report(message: str) -> None:
            if sys.stdout.isatty():
                progress.console.print(message, markup=False, highlight=False, soft_wrap=True)  # above the bar
            else:
                print(message, flush=True)

        def refresh() -> None:
            progress.update(bar, completed=tally.progressed(wait), failed=tally.failed)

        try:
            _send_all(client, path, batch_size, tally, report, refresh)
            if wait:
                progress.update(bar, description="waiting")
                _wait_all(client, tally, report, refresh)
        except BackfillAborted as exc:
            progress.stop()
            console.print(f"error: {exc}; rerun the same command to resume", markup=False)
            return 2
        refresh()
    if wait:
        print(
            f"backfill: total={tally.total} completed={tally.completed} ignored={tally.ignored} "
            f"failed={tally.failed} skipped={tally.skipped}",
            flush=True,
        )
    else:
        print("batches: " + " ".join(b.batch_id for b in tally.batches), flush=True)
        print(f"backfill: total={tally.total} queued={tally.accepted} failed={tally.failed} skipped={tally.skipped}",
              flush=True)
    return 1 if tally.failed else 0


def _send_all(
    client: MemfeedClient,
    path: Path,
    batch_size: int,
    tally: Tally,
    report: Callable[[str], None],
    refresh: Callable[[], None],
) -> None:
    chunk: list[tuple[int, dict[str, Any]]] = []
    for entry in read_items(path, report):
        if isinstance(entry, int):
            tally.rejected += 1
            refresh()
            continue
        chunk.append(entry)
        if len(chunk) >= batch_size:
            _send(client, chunk, tally, report)
            chunk = []
            refresh()
    if chunk:
        _send(client, chunk, tally, report)
        refresh()


def _send(client: MemfeedClient, chunk: list[tuple[int, dict[str, Any]]], tally: Tally,
          report: Callable[[str], None]) -> None:
    data = _with_retries(lambda: client.add_feedback_batch([body for _, body in chunk]))
    lines = [number for number, _ in chunk]
    for item in data["items"]:
        status = item["status"]
        if status == "invalid":
            tally.rejected += 1
            report(f"line {lines[item['index']]}: {item['code']} {item['message']}")
        elif status == "skipped":
            tally.skipped += 1
    tally.accepted += data["accepted"]
    tally.batches.append(SentBatch(data["batch_id"], lines, data["accepted"], done=data["accepted"] == 0))


def _wait_all(client: MemfeedClient, tally: Tally, report: Callable[[str], None], refresh: Callable[[], None]) -> None:
    while True:
        open_batches = [b for b in tally.batches if not b.done]
        if not open_batches:
            return
        for batch in open_batches[:POLLED_BATCHES]:
            status = _with_retries(
                lambda b=batch: client.get_batch(b.batch_id, failed_offset=b.failures_reported, failed_limit=1000)
            )
            batch.completed, batch.ignored, batch.failed = status["completed"], status["ignored"], status["failed"]
            for failure in status["failed_items"]:
                report(
                    f"line {batch.line_of_index[failure['index']]}: {failure['code']} {failure['message']} "
                    f"(task {failure['task_id']})"
                )
            batch.failures_reported += len(status["failed_items"])
            batch.done = status["done"] and batch.failures_reported >= batch.failed
        refresh()
        if any(not b.done for b in tally.batches):
            time.sleep(POLL_SECONDS)


def _with_retries(call: Callable[[], Any]) -> Any:
    """Retries what may pass (connection trouble, 429, 5xx); a refusal (bad key, 4xx) aborts."""
    delay = 0.5
    for attempt in range(1, SUBMIT_ATTEMPTS + 1):
        try:
            return call()
        except MemfeedAPIError as exc:
            retryable = exc.http_status == 429 or exc.http_status >= 500
            if not retryable or attempt == SUBMIT_ATTEMPTS:
                raise BackfillAborted(f"the server answered {exc.code}: {exc.message}") from exc
        except httpx.HTTPError as exc:
            if attempt == SUBMIT_ATTEMPTS:
                raise BackfillAborted(f"cannot reach memfeed: {exc}") from exc
        time.sleep(delay)
        delay = min(delay * 2, 10.0)
    raise AssertionError("unreachable")
