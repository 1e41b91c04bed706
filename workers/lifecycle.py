"""Worker start and stop: open the store and load the model before taking any task, flush the
store on the way out. An analysis worker never opens the store: it loads the analyzer only."""

from __future__ import annotations

import logging
import threading

from celery.signals import celeryd_after_setup, worker_ready, worker_shutdown

from core.settings import get_settings
from core.worker_readiness import ReadinessBoard
from workers import (
    liveness,
    log_privacy,  # noqa: F401 - its signal handlers keep tenants' text out of the logs
    read_threads,
    resources,
)
from workers.readiness import ReadinessReporter, open_patiently
from workers.sweeper import start_sweeper

log = logging.getLogger(__name__)


_stop_sweeping = threading.Event()
_reporter: ReadinessReporter | None = None


# Sent once logging is set up and before the worker consumes from any queue: while this waits for
# the store, the worker takes no task (a task it took could only fail). Celery logs and swallows
# an exception a receiver raises, so open_patiently never raises one.
@celeryd_after_setup.connect
def _warm_up(sender: object, **_: object) -> None:
    global _reporter
    control = resources.control_plane()
    _reporter = ReadinessReporter(ReadinessBoard(control.redis, control.prefix), str(sender))
    _reporter.start()
    analysis = get_settings().worker_role == "analysis"
    if analysis:
        resources.warm_up_analysis()
        _reporter.set(False, "the analyzer is loaded; connecting to the broker")
    else:
        open_patiently(resources.warm_up, _reporter)
        _reporter.set(False, "the store is open; connecting to the broker")
    liveness.start(_stop_sweeping)
    # Every worker sweeps (one at a time, under a lease): a worker that starts again audits for
    # the messages that died with it, which only Redis knows of.
    start_sweeper(_stop_sweeping)
    if not analysis:
        read_threads.start(_stop_sweeping)


@worker_ready.connect
def _ready(**_: object) -> None:
    if _reporter is not None:
        _reporter.set(True)
    log.info("memfeed worker ready")


@worker_shutdown.connect
def _close(**_: object) -> None:
    _stop_sweeping.set()
    liveness.stop()
    if _reporter is not None:
        _reporter.stop()
    resources.close()
