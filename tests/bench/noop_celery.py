"""The pipeline baseline: a chain of four tasks that do nothing, on memfeed's broker settings.

    celery -A tests.bench.noop_celery worker ...   (started by the suite with memfeed's worker options)

Broker, result backend and key prefix come from MEMFEED_REDIS_URL and MEMFEED_REDIS_PREFIX, like
memfeed's own app; the delivery settings are copied from core.celery_app so both sides pay
for the same guarantees (late acks, prefetch 1, task events, started state).
"""

from __future__ import annotations

import os
import time

from celery import Celery, chain
from celery.canvas import Signature

QUEUE = "bench_noop"
STAGES = tuple(f"bench.noop.stage{i}" for i in range(1, 5))
PING = "bench.noop.ping"
_COPIED_SETTINGS = (
    "task_serializer", "result_serializer", "accept_content", "task_acks_late", "task_reject_on_worker_lost",
    "worker_prefetch_multiplier", "result_expires", "task_track_started", "worker_send_task_events",
    "task_send_sent_event", "broker_connection_retry_on_startup", "worker_hijack_root_logger",
)


def create_app(redis_url: str, prefix: str) -> Celery:
    from core.celery_app import celery_app as memfeed_app

    app = Celery("bench_noop", broker=redis_url, backend=redis_url)
    app.conf.update({name: memfeed_app.conf[name] for name in _COPIED_SETTINGS})
    keyprefix = f"{prefix}:celery:"
    app.conf.update(
        task_default_queue=QUEUE,
        broker_transport_options={**memfeed_app.conf.broker_transport_options, "global_keyprefix": keyprefix},
        result_backend_transport_options={"global_keyprefix": keyprefix},
    )
    for name in STAGES[:-1]:
        app.task(name=name)(_pass_on)
    app.task(name=STAGES[-1])(_finish)
    app.task(name=PING)(_pass_on)
    return app


def _pass_on(value: str = "") -> str:
    return value


def _finish(value: str) -> float:
    """The chain's end: when it finished, on this machine's clock."""
    return time.time()


def noop_chain(app: Celery, job_id: str) -> Signature:
    return chain(app.signature(STAGES[0], args=(job_id,)), *(app.signature(name) for name in STAGES[1:]))


app = create_app(os.environ.get("MEMFEED_REDIS_URL", "redis://127.0.0.1:6379/15"),
                 os.environ.get("MEMFEED_REDIS_PREFIX", "bench"))
