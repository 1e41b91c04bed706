"""Worker start and stop: load the model and open the store once, flush it on the way out."""

from __future__ import annotations

import logging
import threading

from celery.signals import worker_init, worker_shutdown

from workers import resources
from workers.sweeper import start_sweeper

log = logging.getLogger(__name__)


_stop_sweeping = threading.Event()


@worker_init.connect
def _warm_up(**_: object) -> None:
    resources.warm_up()
    start_sweeper(_stop_sweeping)
    log.info("memfeed worker ready")


@worker_shutdown.connect
def _close(**_: object) -> None:
    _stop_sweeping.set()
    resources.close()
