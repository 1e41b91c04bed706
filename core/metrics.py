"""Service metrics kept in Redis, so that every API process and worker adds to one set of
figures, and any API process can render all of them for Prometheus at /metrics."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from redis import Redis
from redis.asyncio.client import Pipeline as AsyncPipeline
from redis.client import Pipeline

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

COUNTERS = {
    "memfeed_jobs_total": ("Finished jobs by kind and outcome.", ("kind", "outcome")),
    "memfeed_token_window_rejections_total": ("Requests refused by a project's token window.", ("code",)),
    "memfeed_webhook_attempts_total": ("Webhook POSTs by result: delivered, retrying, failed (given up).", ("result",)),
}
HISTOGRAMS = {
    "memfeed_stage_duration_seconds": ("Time of each pipeline stage.", ("stage",)),
    "memfeed_search_duration_seconds": ("search/memory as the API answers it, worker included.", ()),
}


def _labels_key(labels: dict[str, str]) -> str:
    return json.dumps(labels, sort_keys=True)


class Metrics:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = f"{prefix}:metrics"

    def inc(
        self, name: str, labels: dict[str, str], amount: float = 1.0, pipe: Pipeline | AsyncPipeline | None = None
    ) -> None:
        """Add to a counter, at once or as part of the caller's pipeline `pipe`."""
        (pipe if pipe is not None else self._redis).hincrbyfloat(f"{self._prefix}:{name}", _labels_key(labels), amount)

    def observe(
        self, name: str, labels: dict[str, str], seconds: float, pipe: Pipeline | AsyncPipeline | None = None
    ) -> None:
        """Count a duration in its histogram, at once or as part of the caller's pipeline `pipe`."""
        (bucket, total, count), key = self.observation_keys(name, labels, seconds)
        writes = pipe if pipe is not None else self._redis.pipeline(transaction=False)
        writes.hincrby(bucket, key, 1)
        writes.hincrbyfloat(total, key, seconds)
        writes.hincrby(count, key, 1)
        if pipe is None:
            writes.execute()

    def observation_keys(self, name: str, labels: dict[str, str], seconds: float) -> tuple[list[str], str]:
        """Where `observe` counts a duration: its bucket, sum and count hashes and their field, for a
        script that counts it as part of other work."""
        bucket = next((str(b) for b in LATENCY_BUCKETS if seconds <= b), "+Inf")
        base = f"{self._prefix}:{name}"
        return [f"{base}:bucket:{bucket}", f"{base}:sum", f"{base}:count"], _labels_key(labels)

    def counter_values(self, name: str) -> dict[str, float]:
        return {k: float(v) for k, v in self._redis.hgetall(f"{self._prefix}:{name}").items()}

    def histogram(self, name: str) -> dict[str, tuple[list[tuple[str, float]], float]]:
        """Per label set: cumulative buckets and the sum."""
        bounds = [*map(str, LATENCY_BUCKETS), "+Inf"]
        pipe = self._redis.pipeline(transaction=False)
        for bound in bounds:
            pipe.hgetall(f"{self._prefix}:{name}:bucket:{bound}")
        pipe.hgetall(f"{self._prefix}:{name}:sum")
        *per_bucket, sums = pipe.execute()
        series = {}
        for key, total in sums.items():
            running, buckets = 0.0, []
            for bound, counts in zip(bounds, per_bucket):
                running += float(counts.get(key, 0))
                buckets.append((bound, running))
            series[key] = (buckets, float(total))
        return series


class _RedisCollector:
    def __init__(self, metrics: Metrics, queue_keys: dict[str, str]) -> None:
        self._metrics = metrics
        self._queue_keys = queue_keys

    def collect(self) -> Iterator:  # noqa: ANN201 - prometheus metric families
        for name, (documentation, label_names) in COUNTERS.items():
            family = CounterMetricFamily(name.removesuffix("_total"), documentation, labels=list(label_names))
            for key, value in self._metrics.counter_values(name).items():
                labels = json.loads(key)
                family.add_metric([labels.get(n, "") for n in label_names], value)
            yield family
        for name, (documentation, label_names) in HISTOGRAMS.items():
            family = HistogramMetricFamily(name, documentation, labels=list(label_names))
            for key, (buckets, total) in self._metrics.histogram(name).items():
                labels = json.loads(key)
                family.add_metric([labels.get(n, "") for n in label_names], buckets, total)
            yield family
        depth = GaugeMetricFamily("memfeed_queue_depth", "Tasks waiting in each queue.", labels=["queue"])
        redis = self._metrics._redis
        for queue, key in self._queue_keys.items():
            depth.add_metric([queue], float(redis.llen(key)))
        yield depth


def render(metrics: Metrics, queue_keys: dict[str, str]) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_RedisCollector(metrics, queue_keys))  # type: ignore[arg-type]
    return generate_latest(registry)


def queue_keys(prefix: str, queues: Sequence[str]) -> dict[str, str]:
    """Redis list of each Celery queue, under the deployment's key prefix."""
    return {queue: f"{prefix}:celery:{queue}" for queue in queues}
