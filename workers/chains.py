"""Task names and the feedback chain, importable without loading the pipeline."""

from __future__ import annotations

from celery import chain
from celery.canvas import Signature

from workers.celery_app import celery_app

VALIDATE = "memfeed.feedback.validate"
CLASSIFY = "memfeed.feedback.classify"
LOOKUP = "memfeed.feedback.lookup"
WRITE = "memfeed.feedback.write"

SEARCH = "memfeed.read.search"
GET_MEMORIES = "memfeed.read.get_memories"
DELETE_MEMORIES = "memfeed.ingest.delete_memories"
INGEST_MESSAGES = "memfeed.ingest.messages"
INGEST_KNOWLEDGEBASE_FILE = "memfeed.ingest.knowledgebase_file"
DELETE_KNOWLEDGEBASE = "memfeed.ingest.delete_knowledgebase"
PING = "memfeed.read.ping"


def feedback_chain(job_id: str) -> Signature:
    """validate → classify → lookup → write; each stage's result feeds the next."""
    return chain(
        celery_app.signature(VALIDATE, args=(job_id,)),
        celery_app.signature(CLASSIFY),
        celery_app.signature(LOOKUP),
        celery_app.signature(WRITE),
    )
