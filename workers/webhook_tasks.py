"""Delivering job events to a project's webhook: one POST per attempt, retried with backoff.

A delivery never blocks or fails a stage: it is its own task, on the ingest queue, started after
the job settled. Its entry stays due until the receiver answered 2xx or the attempts ran out. A
failed attempt moves the entry's due time by the backoff, and the sweeper sends it again then (no
message waits in the broker for minutes); a worker killed during the POST loses nothing either,
since the entry falls due again once its lease ran out (the receiver sees the same webhook-id).
"""

from __future__ import annotations

import logging
import time

import httpx

from core.celery_app import celery_app
from core.chains import DELIVER_WEBHOOK
from core.control.webhooks import payload, signature, webhook_id
from core.settings import get_settings
from workers import resources
from workers.stage_runner import TRANSIENT_INFRASTRUCTURE_ERRORS

log = logging.getLogger(__name__)


def _attempts_key() -> str:
    return f"{resources.control_plane().prefix}:webhooks:attempts"


@celery_app.task(name=DELIVER_WEBHOOK, acks_late=True, ignore_result=True, max_retries=20,
                 autoretry_for=TRANSIENT_INFRASTRUCTURE_ERRORS, retry_backoff=True, retry_backoff_max=30)
def deliver_webhook(entry: str) -> str:
    control = resources.control_plane()
    webhooks = control.webhooks
    if not webhooks.pending(entry):
        return "already delivered"
    job_id, _, event = entry.partition(":")
    record = control.jobs.get(job_id)
    config = webhooks.get(record.project_id) if record is not None else None
    if record is None or config is None:
        webhooks.done(entry)
        return "nothing to deliver"
    settings = get_settings()
    webhooks.lease(entry, settings.webhook_timeout_seconds + settings.webhook_lease_seconds)
    attempt = int(control.redis.hincrby(_attempts_key(), entry, 1))
    body = payload(record, event)
    message_id = webhook_id(entry)
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "user-agent": "memfeed-webhooks",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(config.secret, message_id, timestamp, body),
    }
    http_status: int | None = None
    try:
        response = httpx.post(config.url, content=body, headers=headers,
                              timeout=settings.webhook_timeout_seconds, follow_redirects=False)
        http_status = response.status_code
        error = None if response.is_success else f"the receiver answered HTTP {response.status_code}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"
    if error is None:
        _finish(entry, record.project_id, "delivered", http_status)
        return "delivered"
    if attempt >= settings.webhook_max_attempts:
        log.warning("webhook %s given up after %d attempts: %s", message_id, attempt, error)
        _finish(entry, record.project_id, "failed", http_status, error)
        return "given up"
    backoff = min(settings.webhook_backoff_seconds * 2 ** (attempt - 1), settings.webhook_backoff_max_seconds)
    webhooks.lease(entry, backoff)
    webhooks.record_attempt(record.project_id, entry, "retrying", http_status, error)
    control.metrics.inc("memfeed_webhook_attempts_total", {"result": "retrying"})
    return f"retrying in {backoff:g} s"


def _finish(entry: str, project_id: str, status: str, http_status: int | None, error: str | None = None) -> None:
    control = resources.control_plane()
    control.webhooks.record_attempt(project_id, entry, status, http_status, error)
    control.metrics.inc("memfeed_webhook_attempts_total", {"result": status})
    control.webhooks.done(entry)
    control.redis.hdel(_attempts_key(), entry)
