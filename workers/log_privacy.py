"""No tenant's text in the worker's logs.

Celery logs each task's return value ("Task … succeeded in 0.1s: {…}") and hands its arguments to
handlers; our tasks' values and arguments carry memory text, feedback and search queries. A filter
on the worker's log handlers replaces them, keeping task names, ids, timings and outcomes, and of
a result only its job id and outcome.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from celery.signals import after_setup_logger, after_setup_task_logger

NOT_LOGGED = "<not logged>"
# The keys Celery's trace and strategy loggers put tasks' values and arguments under.
PRIVATE_FIELDS = frozenset({"return_value", "args", "kwargs", "retval", "result"})


class RedactTaskData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, Mapping):
            record.args = _redacted(record.args)
        data = getattr(record, "data", None)
        if isinstance(data, Mapping):
            record.data = _redacted(data)
        return True


def _redacted(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _private(key, value) for key, value in values.items()}


def _private(key: str, value: Any) -> Any:
    if key not in PRIVATE_FIELDS or (isinstance(value, str) and value.startswith(NOT_LOGGED)):
        return value
    return _summary(value) if key == "return_value" else NOT_LOGGED


# What a stage's result may show: the job it belongs to and how it ended (hex ids, fixed words and
# numbers, never free text).
_SAFE_RESULT_FIELDS = re.compile(
    r"'(job_id|outcome|valid|changes)': ('[0-9a-f]{1,64}'|'(?:applied|ignored|unresolved|failed)'|True|False|\d+)"
)


def _summary(result: Any) -> str:
    kept: dict[str, str] = {}
    for key, value in _SAFE_RESULT_FIELDS.findall(str(result)):
        kept.setdefault(key, value.strip("'"))
    return " ".join([NOT_LOGGED, *(f"{key}={value}" for key, value in kept.items())])


_FILTER = RedactTaskData()
# Where Celery logs tasks' values: filtered at the source too, whatever handlers are configured.
for _name in ("celery.app.trace", "celery.worker.strategy", "celery.worker.request"):
    logging.getLogger(_name).addFilter(_FILTER)


def protect(logger: logging.Logger) -> None:
    """Put the filter on each of the logger's handlers (records propagated from other loggers
    pass a handler's filters, not the logger's)."""
    for handler in logger.handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)


@after_setup_logger.connect
def _protect_root(logger: logging.Logger, **_: object) -> None:
    protect(logger)


@after_setup_task_logger.connect
def _protect_task_logger(logger: logging.Logger, **_: object) -> None:
    protect(logger)
