"""Worker start and stop: load the model and open the store once, flush it on the way out."""

from __future__ import annotations

import logging

from celery.signals import worker_init, worker_shutdown

from workers import resources

log = logging.getLogger(__name__)


@worker_init.connect
def _warm_up(**_: object) -> None:
    resources.warm_up()
    log.info("memfeed worker ready")


@worker_shutdown.connect
def _close(**_: object) -> None:
    resources.close()
