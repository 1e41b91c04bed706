"""What the sweeper sends on besides jobs: webhook deliveries and approved reviews whose task was
lost (a worker died during it, or the broker refused it)."""

from __future__ import annotations

import logging

from core.celery_app import celery_app
from core.chains import APPLY_REVIEWED, DELIVER_WEBHOOK
from core.settings import get_settings
from workers import resources

log = logging.getLogger(__name__)


def relay_webhooks() -> int:
    """Send again every webhook delivery whose lease ran out; returns how many."""
    webhooks = resources.control_plane().webhooks
    overdue = webhooks.overdue()
    for entry in overdue:
        webhooks.lease(entry)
        celery_app.send_task(DELIVER_WEBHOOK, args=(entry,))
    if overdue:
        log.warning("%d webhook deliveries sent again", len(overdue))
    return len(overdue)


def relay_approved_reviews() -> int:
    """Send again the approvals whose plan is still unwritten after a lease; returns how many."""
    reviews = resources.control_plane().reviews
    waiting = reviews.apply_due(older_than_seconds=get_settings().webhook_lease_seconds)
    for job_id in waiting:
        reviews.postpone_apply(job_id)
        celery_app.send_task(APPLY_REVIEWED, args=(job_id,))
    return len(waiting)
