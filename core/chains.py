"""Task names and the feedback chain, importable without loading the pipeline."""

from __future__ import annotations

from typing import Literal

from core.celery_app import (
    ANALYSIS_QUEUE,
    BACKFILL_ANALYSIS_QUEUE,
    BACKFILL_QUEUE,
    FEEDBACK_QUEUE,
    celery_app,
)

VALIDATE = "memfeed.feedback.validate"
CLASSIFY = "memfeed.feedback.classify"
LOOKUP = "memfeed.feedback.lookup"
WRITE = "memfeed.feedback.write"

# Reads: answered by the workers' read threads (core/read_lane.py), not through the queues.
READ_TASK_PREFIX = "memfeed.read."
SEARCH = "memfeed.read.search"
GET_MEMORIES = "memfeed.read.get_memories"
DELETE_MEMORIES = "memfeed.ingest.delete_memories"
INGEST_MESSAGES = "memfeed.ingest.messages"
INGEST_KNOWLEDGEBASE_FILE = "memfeed.ingest.knowledgebase_file"
DELETE_KNOWLEDGEBASE = "memfeed.ingest.delete_knowledgebase"
PING = "memfeed.read.ping"
MEMORY_HISTORY = "memfeed.read.memory_history"
REVERT_FEEDBACK = "memfeed.feedback.revert"
# A held feedback job's plan, written once an operator approved it (workers/review_tasks.py).
APPLY_REVIEWED = "memfeed.feedback.apply_reviewed"
# One attempt to POST a job event to its project's webhook (workers/webhook_tasks.py).
DELIVER_WEBHOOK = "memfeed.webhook.deliver"
# MemOS client routes beyond the pipeline (workers/compat_tasks.py).
COMPAT_GET_MEMORY = "memfeed.read.get_memory_by_id"
COMPAT_SELECT_MEMORIES = "memfeed.read.select_memories"
COMPAT_DELETE_SELECTED = "memfeed.ingest.delete_selected"
COMPAT_UPDATE_MEMORY = "memfeed.ingest.update_memory"
COMPAT_DELETE_KB_FILES = "memfeed.ingest.delete_knowledgebase_files"
# One tick of a project's backfill feeder (workers/backfill.py; started by core/backfill.py).
BACKFILL_FEED = "memfeed.backfill.feed"


FEEDBACK_STAGE_TASKS = {"validate": VALIDATE, "classify": CLASSIFY, "lookup": LOOKUP, "write": WRITE}
# A job's lane: add/feedback's jobs, or a backfill's, which never hold an interactive job up.
Lane = Literal["interactive", "backfill"]
# Where each stage of a lane goes. Validate and classify read the job and the analyzer, never
# the store: they run in a worker process of their own, so the store's one worker process spends
# its interpreter on the lookup and the write only.
STAGE_QUEUES: dict[Lane, dict[str, str]] = {
    "interactive": {"validate": ANALYSIS_QUEUE, "classify": ANALYSIS_QUEUE, "lookup": FEEDBACK_QUEUE,
                    "write": FEEDBACK_QUEUE},
    "backfill": {"validate": BACKFILL_ANALYSIS_QUEUE, "classify": BACKFILL_ANALYSIS_QUEUE,
                 "lookup": BACKFILL_QUEUE, "write": BACKFILL_QUEUE},
}
# Tasks that carry a job (its id, or a state naming it) and record its progress.
JOB_TASKS = frozenset({*FEEDBACK_STAGE_TASKS.values(), INGEST_MESSAGES, INGEST_KNOWLEDGEBASE_FILE, REVERT_FEEDBACK})


def send_feedback_chain(job_id: str, first_stage: str = "validate", lane: Lane = "interactive") -> None:
    """Send a job's chain from `first_stage` on: that stage, carrying the stages after it as
    Celery's chain does (the next one last), without building and freezing a canvas per job.
    Every stage takes the job id and returns it; what the earlier stages decided is on the job
    record, and no result is subscribed to. Each stage goes to its queue in `lane`."""
    names = list(FEEDBACK_STAGE_TASKS)
    stages = names[names.index(first_stage):]
    queues = STAGE_QUEUES[lane]
    rest = [dict(celery_app.signature(FEEDBACK_STAGE_TASKS[stage], options={"queue": queues[stage]}))
            for stage in reversed(stages[1:])]
    celery_app.send_task(FEEDBACK_STAGE_TASKS[stages[0]], args=(job_id,), chain=rest or None, ignore_result=True,
                         queue=queues[stages[0]])
