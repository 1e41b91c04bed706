"""The service's log files: readable by its user only, rotated by size.

Each child process writes to a pipe; the supervisor copies every line into the child's log file
through one RotatingFileHandler, so a single writer decides when the file rotates.
"""

from __future__ import annotations

import logging
import os
import stat
import threading
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import IO

FILE_MODE = 0o600
DIRECTORY_MODE = 0o700
# A line longer than this is written in pieces (a child printing without newlines).
MAX_LINE_BYTES = 64 * 1024


def private_directory(path: Path) -> None:
    """Create `path` (mode 700) and take every other user's access to it and its files away,
    also for files an earlier version left with looser modes."""
    path.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
    os.chmod(path, DIRECTORY_MODE)
    for entry in path.iterdir():
        if entry.is_file() and not entry.is_symlink():
            os.chmod(entry, FILE_MODE)


class PrivateRotatingFileHandler(RotatingFileHandler):
    """A RotatingFileHandler whose files (new, rotated or found) are mode 600."""

    def _open(self) -> IO[str]:
        descriptor = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
        if stat.S_IMODE(os.fstat(descriptor).st_mode) != FILE_MODE:
            os.fchmod(descriptor, FILE_MODE)
        return os.fdopen(descriptor, "a", encoding=self.encoding or "utf-8", errors=self.errors or "replace")


def log_file_handler(path: Path, max_bytes: int, backup_count: int) -> PrivateRotatingFileHandler:
    handler = PrivateRotatingFileHandler(path, maxBytes=max_bytes, backupCount=backup_count, encoding="utf-8",
                                         errors="replace")
    handler.setFormatter(logging.Formatter("%(message)s"))
    return handler


def copy_lines(stream: IO[bytes], handler: logging.Handler) -> None:
    """Copy `stream` line by line into `handler` until end of file (the child exited)."""
    with stream:
        for raw in iter(lambda: stream.readline(MAX_LINE_BYTES), b""):
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            handler.handle(logging.makeLogRecord({"msg": line, "levelno": logging.INFO, "levelname": "INFO"}))


def start_copying(stream: IO[bytes], handler: logging.Handler, name: str) -> threading.Thread:
    thread = threading.Thread(target=copy_lines, args=(stream, handler), name=f"log-{name}", daemon=True)
    thread.start()
    return thread
