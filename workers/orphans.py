"""Messages a dead worker took from the broker, given back at once.

A task message a worker has taken but not acknowledged waits in the Redis transport's unacked
set; the transport itself puts it back only after the visibility timeout (minutes). A job task
message that has been unacknowledged for a heartbeat's expiry, whose job no live worker holds,
belongs to a worker that died: it goes back to the front of its queue now.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from typing import Any

from workers.celery_app import celery_app
from workers.chains import JOB_TASKS

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
