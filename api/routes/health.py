"""Liveness, readiness and Prometheus metrics (outside the MemOS base path)."""

from __future__ import annotations

import redis
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from api import dispatch
from api.errors import MemfeedError
from core.celery_app import ALL_QUEUES
from core.chains import PING
from core.control import ControlPlane
from core.metrics import queue_keys, render
from core.worker_readiness import ReadinessBoard, not_ready_reasons

router = APIRouter()
READY_PING_SECONDS = 3.0


@router.get("/healthz")
def healthz() -> dict:
    """The API process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """Redis answers and at least one worker takes tasks from the queue."""
    checks: dict[str, str] = {}
    try:
        request.app.state.control.redis.ping()
        checks["redis"] = "ok"
    except redis.exceptions.RedisError as exc:
        checks["redis"] = f"unreachable: {exc}"
    if checks["redis"] == "ok":
        checks["workers"] = _workers_check(request.app.state.control)
    else:
        checks["workers"] = "unknown: Redis is unreachable"
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse({"status": "ready" if ready else "not ready", **checks}, status_code=200 if ready else 503)


def _workers_check(control: ControlPlane) -> str:
    """ok when a worker answers a ping through the queue; else why not, in the workers' words
    (a worker waiting for its store takes no task, so the ping alone would only time out)."""
    try:
        reports = ReadinessBoard(control.redis, control.prefix).current()
    except redis.exceptions.RedisError:
        reports = []
    if reports and not any(report.ready for report in reports):
        return not_ready_reasons(reports)
    try:
        dispatch.call(PING, timeout=READY_PING_SECONDS)
    except MemfeedError as exc:
        waiting = not_ready_reasons(reports)
        return f"{exc.message}; {waiting}" if waiting else exc.message
    return "ok"


@router.get("/metrics")
def metrics(request: Request) -> Response:
    control = request.app.state.control
    body = render(control.metrics, queue_keys(control.prefix, ALL_QUEUES))
    return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")
