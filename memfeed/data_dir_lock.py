"""One `memfeed up` per data directory: an advisory lock held for the life of the process.

The kernel releases an flock when its holder exits, however it exits (kill -9 included), so a lock
file left behind never blocks the next start. The file only tells who holds the lock.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

LOCK_FILE = "memfeed-up.lock"


class DataDirInUseError(RuntimeError):
    def __init__(self, data_dir: Path, holder_pid: int | None) -> None:
        self.data_dir = data_dir
        self.holder_pid = holder_pid
        holder = f"pid {holder_pid}" if holder_pid else "pid unknown"
        super().__init__(
            f"the data directory {data_dir} is in use by another `memfeed up` ({holder}); "
            "stop that one first, or give this one another --data-dir"
        )


class DataDirLock:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir.resolve()
        self.path = self.data_dir / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> None:
        """Raises DataDirInUseError, naming the holder, when another process holds the lock."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_pid(fd)
            os.close(fd)
            raise DataDirInUseError(self.data_dir, holder) from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        # The file stays: unlinking it would let a process that opened it just before lock a
        # file no one else can find.
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> DataDirLock:
        self.acquire()
        return self

    def __exit__(self, *_: object) -> None:
        self.release()


def _read_pid(fd: int) -> int | None:
    try:
        return int(os.pread(fd, 32, 0).decode().strip())
    except (OSError, ValueError):
        return None
