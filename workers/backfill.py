"""The backfill feeder: releases a project's batches into the stage chains, paced and bounded.

One feeder runs per project (a lease in Redis). Each tick it
1. counts the items in flight (released, job not finished), reconciling finished ones;
2. releases up to MAX_IN_FLIGHT minus that, a chunk at a time, oldest batch first, charging each
   item's tokens to the project's window as it goes;
3. schedules its next tick: soon while there is more to release, after the window's Retry-After
   when the window refused an item, never once everything is released.
Backfilled items run the ordinary four-stage chain and job records, on the `backfill` queue: a
worker takes from its queues in turn, so interactive work never waits behind the backlog.
"""

from __future__ import annotations

import redis
from kombu.exceptions import OperationalError

from core.backfill import LEASE_SECONDS, backfill_limits
from core.celery_app import BACKFILL_FEED_QUEUE, celery_app
from core.chains import BACKFILL_FEED, send_feedback_chain
from core.error_codes import ErrorCode
from core.settings import get_settings
from core.token_windows import TokenWindows, window_limits
from workers import resources

# Items read from a batch at once.
CHUNK_SIZE = 100
# Released but unfinished items per project: enough to keep every worker thread busy, few
# enough that the broker holds a short backfill queue and interactive work never waits long.
MAX_IN_FLIGHT = 200
# Between ticks while the in-flight bound is reached.
POLL_SECONDS = 0.2


@celery_app.task(
    name=BACKFILL_FEED,
    acks_late=True,
    ignore_result=True,
    # Redis or the broker hiccuped: try the tick again rather than leave the batch unfed.
    autoretry_for=(redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OperationalError),
    retry_backoff=True,
    retry_backoff_max=30,
    max_retries=20,
)
def feed(project_id: str, token: str) -> None:
    delay = feed_once(project_id, token)
    if delay is not None:
        feed.apply_async(args=(project_id, token), countdown=delay, queue=BACKFILL_FEED_QUEUE)


def feed_once(project_id: str, token: str) -> float | None:
    """One tick; returns the seconds until the next one, or None when this feeder is done."""
    control = resources.control_plane()
    batches = control.batches
    if not batches.hold_lease(project_id, token, LEASE_SECONDS):
        return None  # another feeder took over
    project = control.projects.get(project_id)
    if project is None:
        batches.drop_lease(project_id, token)
        return None
    limits = window_limits(project, get_settings())
    windows: TokenWindows = resources.token_windows()
    room = MAX_IN_FLIGHT - batches.in_flight(project_id)
    while room > 0:
        batch_id = batches.head(project_id)
        if batch_id is None:
            batches.drop_lease(project_id, token)
            # A batch queued between the look and the drop found the lease still held.
            if batches.has_pending(project_id) and batches.acquire_lease(project_id, token, LEASE_SECONDS):
                continue
            return None
        items = batches.unreleased(batch_id, min(CHUNK_SIZE, room))
        if not items:
            batches.drop_head(project_id, batch_id)
            continue
        for item in items:
            decision = windows.admit(project_id, item.tokens, backfill_limits(limits))
            if decision.over_request_limit:
                # Limits were lowered after the batch was accepted: this item can never run.
                control.jobs.fail(
                    item.job_id,
                    ErrorCode.REQUEST_TOO_LARGE,
                    f"this item needs {item.tokens} tokens, more than the project's limits now allow",
                )
            elif not decision.admitted:
                wait = max(POLL_SECONDS, decision.retry_after_seconds)
                batches.hold_lease(project_id, token, LEASE_SECONDS + wait)
                return wait
            else:
                # Enqueued before it is marked released: a crash in between re-releases the
                # item (its stages are idempotent) instead of losing it. Only a released item is
                # the sweepers' to resume.
                control.jobs.track(item.job_id)
                # The same four stages as add/feedback, each on its backfill queue.
                send_feedback_chain(item.job_id, lane="backfill")
            batches.mark_released(batch_id, item)
            room -= 1
    return POLL_SECONDS
