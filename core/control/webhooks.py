"""Webhooks: one URL per project, called when a job ends, signed the Standard Webhooks way.

A delivery falls due in the same Redis transaction that settles the job (a settle hook of
JobRecords), as an entry of one sorted set scored by when it may next be sent. A worker's
delivery task takes an entry, leases it (moves its score past the POST's timeout), POSTs and
removes it; an entry whose lease ran out (its worker died mid-delivery) is sent again by the
sweeper. The webhook id is the same for every attempt of one job event, so a receiver that saw
an attempt twice deduplicates it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import secrets
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel
from redis import Redis
from redis.client import Pipeline

# An entry falls due only if its project has a webhook, decided inside the settling transaction.
# KEYS: [the project's webhook, due entries]; ARGV: [entry, when it may be sent]
_DUE_IF_CONFIGURED = """
if redis.call('HEXISTS', KEYS[1], 'url') == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
return 1
"""
# Jobs whose end a webhook reports.
REPORTED_KINDS = frozenset({"feedback", "revert"})
SECRET_PREFIX = "whsec_"


class WebhookURLError(ValueError):
    pass


class WebhookConfig(BaseModel):
    url: str
    secret: str
    created_at: float
    last_status: str | None = None  # delivered | retrying | failed
    last_http_status: int | None = None
    last_error: str | None = None
    last_attempt_at: float | None = None
    last_event: str | None = None
    delivered: int = 0
    failed: int = 0


def check_url(url: str) -> str:
    """An https URL, or http to this machine's loopback (a receiver beside memfeed)."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        raise WebhookURLError("the webhook URL must be an absolute https:// URL")
    if len(url) > 2000:
        raise WebhookURLError("the webhook URL is over 2000 characters")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise WebhookURLError("plain http is allowed only to a loopback address (127.0.0.1, ::1, localhost); use https")
    return url


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signature(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed by the secret's base64-decoded bytes."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def event_name(kind: str, outcome: str | None) -> str:
    return "reverted" if kind == "revert" else (outcome or "ended")


def webhook_id(entry: str) -> str:
    """Stable per job event: every attempt of one delivery carries the same id."""
    job_id, _, event = entry.partition(":")
    return f"msg_{job_id}_{event}"


class Webhooks:
    def __init__(self, redis: Redis, prefix: str, lease_seconds: float = 60.0) -> None:
        self._redis = redis
        self._prefix = prefix
        self._lease_seconds = lease_seconds
        self.due_key = f"{prefix}:webhooks:due"
        # Sends an entry's delivery task now (set by the processes that can reach the workers).
        self.dispatcher: Callable[[str], None] | None = None

    def config_key(self, project_id: str) -> str:
        return f"{self._prefix}:project:{project_id}:webhook"

    # Configuration ------------------------------------------------------------------------------

    def configure(self, project_id: str, url: str) -> str:
        """Register (or replace) the project's URL; returns its new signing secret (shown once)."""
        secret = new_secret()
        key = self.config_key(project_id)
        pipe = self._redis.pipeline()
        pipe.delete(key)
        pipe.hset(key, mapping={"url": check_url(url), "secret": secret, "created_at": repr(time.time())})
        pipe.execute()
        return secret

    def remove(self, project_id: str) -> bool:
        return bool(self._redis.delete(self.config_key(project_id)))

    def get(self, project_id: str) -> WebhookConfig | None:
        raw = self._redis.hgetall(self.config_key(project_id))
        return WebhookConfig.model_validate(raw) if raw.get("url") else None

    # Deliveries -----------------------------------------------------------------------------------

    def due_in(self, pipe: Pipeline, project_id: str, job_id: str, event: str) -> str:
        """Inside the caller's transaction: the project's webhook is due for this job event, if the
        project has one (the command's result, 1 or 0, says). Returns the entry."""
        entry = f"{job_id}:{event}"
        # EVAL, not EVALSHA: a pipeline with a registered script first asks whether Redis has it.
        pipe.eval(_DUE_IF_CONFIGURED, 2, self.config_key(project_id), self.due_key, entry,
                  time.time() + self._lease_seconds)
        return entry

    def settle_hook(self, pipe: Pipeline, job_id: str, settled: dict[str, Any]) -> Callable[[list[Any]], None] | None:
        kind, project_id = settled.get("kind"), settled.get("project_id")
        if kind not in REPORTED_KINDS or not project_id:
            return None
        outcome = settled.get("outcome")
        entry = self.due_in(pipe, project_id, job_id, event_name(kind, getattr(outcome, "value", outcome)))
        dispatcher = self.dispatcher
        if dispatcher is None:
            return None

        def send_if_due(results: list[Any]) -> None:
            if results and results[-1] == 1:
                dispatcher(entry)

        return send_if_due

    def lease(self, entry: str, seconds: float | None = None) -> bool:
        """Take an entry for one attempt (or postpone it); False if it is no longer due at all."""
        until = time.time() + (self._lease_seconds if seconds is None else seconds)
        return bool(self._redis.zadd(self.due_key, {entry: until}, xx=True, ch=True)) or self.pending(entry)

    def pending(self, entry: str) -> bool:
        return self._redis.zscore(self.due_key, entry) is not None

    def done(self, entry: str) -> None:
        self._redis.zrem(self.due_key, entry)

    def overdue(self, limit: int = 100) -> list[str]:
        """Entries whose lease ran out: never sent, or their worker died during the POST."""
        return self._redis.zrangebyscore(self.due_key, "-inf", time.time(), start=0, num=limit)

    def record_attempt(
        self, project_id: str, entry: str, status: str, http_status: int | None = None, error: str | None = None
    ) -> None:
        key = self.config_key(project_id)
        if not self._redis.exists(key):
            return
        fields = {"last_status": status, "last_http_status": http_status, "last_error": (error or "")[:300] or None,
                  "last_attempt_at": repr(time.time()), "last_event": webhook_id(entry)}
        pipe = self._redis.pipeline()
        pipe.hset(key, mapping={name: str(value) for name, value in fields.items() if value is not None})
        missing = [name for name, value in fields.items() if value is None]
        if missing:
            pipe.hdel(key, *missing)
        if status in {"delivered", "failed"}:
            pipe.hincrby(key, status, 1)
        pipe.execute()


def payload(record: Any, event: str) -> bytes:
    """The JSON body of a job event (a JobRecord's summary; no memory text beyond the changes)."""
    data = {
        "task_id": record.id,
        "kind": record.kind,
        "status": record.status.value,
        "outcome": record.outcome.value if record.outcome else None,
        "reason": record.reason,
        "update_type": record.update_type,
        "confidence": record.confidence,
        "review": record.review,
        "user_id": record.request.get("user_id"),
        "changes": record.changes,
        "reverted_task_id": record.request.get("task_id") if record.kind == "revert" else None,
        "create_time": record.created_at,
        "update_time": record.updated_at,
    }
    body = {"type": f"{record.kind}.{event}" if record.kind != "revert" else "feedback.reverted",
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.updated_at)), "data": data}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
