"""The threads a worker reserves for reads: each answers requests of the read lane with the
worker's read tasks (memfeed.read.*), run in place."""

from __future__ import annotations

import logging
import threading

from redis.exceptions import RedisError

from core.celery_app import celery_app
from core.chains import READ_TASK_PREFIX
from core.read_lane import ReadLane
from core.settings import get_settings
from workers import resources

log = logging.getLogger(__name__)
# How long a read thread blocks on an empty lane before it looks at the stop flag again.
WAIT_SECONDS = 1.0


def start(stop: threading.Event) -> list[threading.Thread]:
    control = resources.control_plane()
    lane = ReadLane(control.redis, control.prefix)
    reads = {name: task.run for name, task in celery_app.tasks.items() if name.startswith(READ_TASK_PREFIX)}
    threads = [
        threading.Thread(target=_serve, args=(lane, reads, stop), name=f"memfeed-reads-{n}", daemon=True)
        for n in range(get_settings().read_threads)
    ]
    for thread in threads:
        thread.start()
    log.info("%d read threads serve %s", len(threads), ", ".join(sorted(reads)))
    return threads


def _serve(lane: ReadLane, reads: dict, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            lane.serve_one(reads, WAIT_SECONDS)
        except RedisError as exc:  # Redis away: wait for it like every other part of the worker
            log.warning("read lane: %s", exc)
            stop.wait(1.0)
        except Exception:  # a malformed request: drop it, keep serving
            log.exception("read lane: a request could not be answered")
