"""What the API and the backfill feeder agree on: the share of a project's token window a backfill
may take, the feeder's lease, and starting a feeder (by task name; the feeder is workers/backfill.py)."""

from __future__ import annotations

import uuid

from core.celery_app import BACKFILL_FEED_QUEUE, celery_app
from core.chains import BACKFILL_FEED
from core.control.batches import BatchStore
from core.token_windows import WindowLimits

# The share of a project's token window a backfill may take; the rest stays for interactive
# add/feedback, which would otherwise get 40309 for as long as the backfill runs.
WINDOW_SHARE = 0.8
LEASE_SECONDS = 120.0


def backfill_limits(limits: WindowLimits) -> WindowLimits:
    return WindowLimits(
        window_tokens=max(1, int(limits.window_tokens * WINDOW_SHARE)),
        window_seconds=limits.window_seconds,
        max_request_tokens=limits.max_request_tokens,
    )


def start_feeder(batches: BatchStore, project_id: str) -> bool:
    """Starts the project's feeder unless one holds the lease; True if this call started it."""
    token = uuid.uuid4().hex
    if not batches.acquire_lease(project_id, token, LEASE_SECONDS):
        return False
    celery_app.send_task(BACKFILL_FEED, args=(project_id, token), queue=BACKFILL_FEED_QUEUE)
    return True
