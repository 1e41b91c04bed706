"""MemOS error codes: those the API answers with, and those a failed job records."""

from __future__ import annotations

from enum import IntEnum


class ErrorCode(IntEnum):
    BAD_REQUEST = 40000  # not JSON, or a field of the wrong type
    MISSING_FIELD = 40002  # a required field is missing or empty
    CONVERSATION_ID_TOO_LONG = 40011
    UNAUTHORIZED = 40100
    NOT_FOUND = 40400
    REQUEST_TOO_LARGE = 40305
    WINDOW_EXHAUSTED = 40309
    KNOWLEDGEBASE_NOT_IN_PROJECT = 50123
    WORKER_FAILED = 50000
    SAVE_FAILED = 50145  # saving the feedback failed, or a job's memory write failed
    WORKER_TIMEOUT = 50400
    # A job that failed for good records what failed (get/status `error.code`):
    VALIDATE_FAILED = 50141
    CLASSIFY_FAILED = 50142
    LOOKUP_FAILED = 50143
    REVERT_FAILED = 50146
    EXTRACT_FAILED = 50147  # add/message: extracting memories from the messages
    INGEST_FAILED = 50148  # add/knowledgebase-file: ingesting the file
    JOB_STALLED = 50149  # the sweeper gave the job up after it stalled MEMFEED_JOB_MAX_RESUMES times
