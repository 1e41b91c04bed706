"""Task messages a worker or Redis lost hold of.

A task message a worker has taken but not acknowledged waits in the Redis transport's unacked
set; the transport itself puts it back only after the visibility timeout (minutes). A job task
message that has been unacknowledged for a heartbeat's expiry, whose job no live worker holds,
belongs to a worker that died: it goes back to the front of its queue now.

When Redis goes away, a message a worker had just taken can be lost outright (taken from its
queue, not yet recorded as unacknowledged). After an outage, every unfinished job that no message
names and no live worker holds is found, to be resumed.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from typing import Any

from redis import Redis

from core.celery_app import celery_app
from core.chains import JOB_TASKS
from core.metrics import queue_keys

log = logging.getLogger(__name__)


def job_of_message(raw: dict[str, Any]) -> str | None:
    """The job a task message carries, if it is a job task."""
    headers = raw.get("headers") or {}
    if headers.get("task") not in JOB_TASKS:
        return None
    body = raw.get("body", "")
    if (raw.get("properties") or {}).get("body_encoding") == "base64":
        body = base64.b64decode(body)
    try:
        args = json.loads(body)[0]
    except (ValueError, IndexError, TypeError):
        return None
    first = args[0] if args else None
    if isinstance(first, dict):
        return first.get("job_id")
    return first if isinstance(first, str) else None


def restore_orphaned_messages(held_by_live_workers: set[str], older_than_seconds: float) -> list[str]:
    """Put back every job task message unacknowledged for longer than `older_than_seconds`
    whose job no live worker holds; returns the jobs whose messages went back."""
    restored: list[str] = []
    with celery_app.connection_for_write() as connection:
        channel = connection.default_channel
        client = channel.client
        cutoff = time.time() - older_than_seconds
        tags = client.zrange(channel.unacked_index_key, 0, cutoff, byscore=True)
        for tag in tags:
            entry = client.hget(channel.unacked_key, tag)
            if entry is None:
                continue  # acknowledged meanwhile
            job_id = job_of_message(json.loads(entry)[0])
            if job_id is None or job_id in held_by_live_workers:
                continue
            channel.qos.restore_by_tag(tag, client=client, leftmost=True)
            restored.append(job_id)
    return restored


def jobs_with_a_message(redis: Redis, prefix: str, queues: tuple[str, ...]) -> set[str]:
    """Every job a task message names, waiting in a queue or taken and unacknowledged."""
    keys = queue_keys(prefix, queues)
    pipe = redis.pipeline(transaction=False)
    for key in keys.values():
        pipe.lrange(key, 0, -1)
    pipe.hvals(f"{prefix}:celery:unacked")
    *queued, unacked = pipe.execute()
    found: set[str] = set()
    for raw in (entry for entries in queued for entry in entries):
        job_id = job_of_message(json.loads(raw))
        if job_id:
            found.add(job_id)
    for entry in unacked:
        job_id = job_of_message(json.loads(entry)[0])
        if job_id:
            found.add(job_id)
    return found


def lost_jobs(
    unfinished: list[str], quiet_since: dict[str, float], with_a_message: set[str], held: set[str], quiet_seconds: float
) -> list[str]:
    """Unfinished jobs that no message names, no live worker holds, and that have not changed
    for `quiet_seconds` (a job between two stages has its next message in flight for a moment)."""
    cutoff = time.time() - quiet_seconds
    return [
        job_id
        for job_id in unfinished
        if job_id not in with_a_message and job_id not in held and quiet_since.get(job_id, cutoff) <= cutoff
    ]
