"""The Celery application: Redis broker and result backend, one queue per role."""

from __future__ import annotations

from celery import Celery
from kombu import Queue

from core.settings import get_settings

FEEDBACK_QUEUE = "feedback"
READS_QUEUE = "reads"
INGEST_QUEUE = "ingest"
# Backfill: the feeder's ticks, and the stage chains of backfilled items.
BACKFILL_FEED_QUEUE = "backfill_feed"
BACKFILL_QUEUE = "backfill"
# The feedback stages that never open the store (validate, classify), of add/feedback and of
# backfill: the analysis worker's queues (core/chains.py sends each stage to its queue).
ANALYSIS_QUEUE = "analysis"
BACKFILL_ANALYSIS_QUEUE = "backfill_analysis"
ALL_QUEUES = (FEEDBACK_QUEUE, READS_QUEUE, INGEST_QUEUE, BACKFILL_FEED_QUEUE, BACKFILL_QUEUE, ANALYSIS_QUEUE,
              BACKFILL_ANALYSIS_QUEUE)


def create_celery_app() -> Celery:
    settings = get_settings()
    # Task modules are named, never imported here: a worker loads them, the API sends tasks by name.
    app = Celery(
        "memfeed",
        broker=settings.broker_url(),
        backend=settings.broker_url(),
        include=[
            "workers.stage_tasks", "workers.memory_tasks", "workers.compat_tasks", "workers.lifecycle", "workers.backfill",
            "workers.review_tasks", "workers.webhook_tasks",
        ],
    )
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_queues=[Queue(name) for name in ALL_QUEUES],
        task_default_queue=FEEDBACK_QUEUE,
        task_routes={
            "memfeed.feedback.*": {"queue": FEEDBACK_QUEUE},
            "memfeed.read.*": {"queue": READS_QUEUE},
            "memfeed.ingest.*": {"queue": INGEST_QUEUE},
            "memfeed.webhook.*": {"queue": INGEST_QUEUE},
            "memfeed.backfill.*": {"queue": BACKFILL_FEED_QUEUE},
        },
        # At-least-once: a task is acknowledged after it ran, and redelivered if its
        # worker died; the stages are idempotent, so that is exactly-once in effect.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        # Every key, queues included, under the deployment's prefix: two deployments on
        # one Redis database never take each other's tasks.
        broker_transport_options={
            "visibility_timeout": settings.visibility_timeout_seconds,
            "global_keyprefix": f"{settings.redis_prefix}:celery:",
        },
        result_backend_transport_options={"global_keyprefix": f"{settings.redis_prefix}:celery:"},
        result_expires=3600,
        task_track_started=True,
        # Flower follows every task from the worker's events (received, started, succeeded...).
        # No task-sent event: it would cost each add/feedback and each stage hand-over one more
        # publish, for a state Flower shows for milliseconds.
        worker_send_task_events=True,
        task_send_sent_event=False,
        # The worker publishes those events in batches (workers/event_batching.py).
        worker_consumer="workers.event_batching:EventBatchingConsumer",
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
    )
    return app


celery_app = create_celery_app()
