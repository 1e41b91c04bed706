"""The control plane in Redis: projects, keys, knowledge bases, conversations, jobs."""

from __future__ import annotations

from redis import Redis

from core.control.batches import BatchStore
from core.control.conversations import ConversationLog
from core.control.idempotency import IdempotencyKeys
from core.control.jobs import JobRecords
from core.control.kb_files import KnowledgebaseFiles
from core.control.knowledgebases import KnowledgebaseRegistry
from core.control.locks import LeasedLock
from core.control.projects import ProjectRegistry
from core.control.review import ReviewQueue
from core.control.webhooks import Webhooks
from core.control.workers import WorkerRegistry
from core.metrics import Metrics
from core.settings import Settings


class ControlPlane:
    def __init__(self, redis: Redis, settings: Settings) -> None:
        self.redis = redis
        self.prefix = settings.redis_prefix
        self.projects = ProjectRegistry(redis, self.prefix)
        self.knowledgebases = KnowledgebaseRegistry(redis, self.prefix)
        self.kb_files = KnowledgebaseFiles(redis, self.prefix)
        retention = settings.job_retention_seconds()
        self.conversations = ConversationLog(redis, self.prefix, settings.max_conversation_messages, retention)
        self.metrics = Metrics(redis, self.prefix)
        self.idempotency = IdempotencyKeys(redis, self.prefix, retention)
        self.jobs = JobRecords(redis, self.prefix, self.metrics, settings.job_stall_seconds, retention)
        self.batches = BatchStore(redis, self.prefix, retention)
        self.workers = WorkerRegistry(redis, self.prefix, settings.worker_heartbeat_seconds * 3)
        self.webhooks = Webhooks(redis, self.prefix, settings.webhook_lease_seconds)
        self.reviews = ReviewQueue(redis, self.prefix, self.jobs, self.webhooks, settings.webhook_lease_seconds,
                                   retention)
        self.jobs.add_settle_hook(self.reviews.settle_hook)
        self.jobs.add_settle_hook(self.webhooks.settle_hook)

    @classmethod
    def from_settings(cls, settings: Settings) -> ControlPlane:
        return cls(Redis.from_url(settings.broker_url(), decode_responses=True), settings)

    def lock(self, name: str) -> LeasedLock:
        return LeasedLock(self.redis, f"{self.prefix}:lock:{name}")
