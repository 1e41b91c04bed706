"""The HTTP side of the MemOS error codes: their statuses, the envelope they travel in, and how
validation errors map to them."""

from __future__ import annotations

import logging
from typing import Any

import redis
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from kombu.exceptions import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.error_codes import ErrorCode

log = logging.getLogger(__name__)

_HTTP_STATUS = {
    ErrorCode.BAD_REQUEST: 400,
    ErrorCode.MISSING_FIELD: 400,
    ErrorCode.CONVERSATION_ID_TOO_LONG: 400,
    ErrorCode.UNAUTHORIZED: 401,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.REQUEST_TOO_LARGE: 413,
    ErrorCode.WINDOW_EXHAUSTED: 429,
    ErrorCode.KNOWLEDGEBASE_NOT_IN_PROJECT: 403,
    ErrorCode.WORKER_FAILED: 500,
    ErrorCode.SAVE_FAILED: 500,
    ErrorCode.WORKER_TIMEOUT: 504,
}

CONVERSATION_ID_MAX = 100


class MemfeedError(Exception):
    def __init__(self, code: ErrorCode, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.headers = headers


def envelope(data: Any = None, code: int = 0, message: str = "ok") -> dict[str, Any]:
    return {"code": code, "message": message, "data": data}


def answer(data: Any = None) -> JSONResponse:
    """A success envelope, rendered as it is: a handler returning the dict would have FastAPI validate
    and re-encode it against the handler's return annotation on every request (a third of the API's
    CPU per search/memory). The documented shapes are api/responses.py's."""
    return JSONResponse(envelope(data))


# An error message quotes what it refers to; a quoted input is cut short, never echoed whole.
MAX_ERROR_MESSAGE = 300


def error_response(code: ErrorCode, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    if len(message) > MAX_ERROR_MESSAGE:
        message = message[: MAX_ERROR_MESSAGE - 1] + "…"
    return JSONResponse(envelope(None, int(code), message), status_code=_HTTP_STATUS[code], headers=headers)


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p != "body"]
    return ".".join(parts) or "body"


def classify_validation_error(errors: list[dict[str, Any]]) -> tuple[ErrorCode, str]:
    """The most telling MemOS code among pydantic's errors, with a readable message."""
    best: tuple[ErrorCode, str] | None = None
    for error in errors:
        kind, loc = error.get("type", ""), tuple(error.get("loc", ()))
        field = _field_name(loc)
        if kind == "json_invalid":
            return ErrorCode.BAD_REQUEST, "request body is not valid JSON"
        if loc in {("body",), ()} and kind in {"missing", "model_attributes_type", "dict_type"}:
            return ErrorCode.BAD_REQUEST, "request body must be a JSON object"
        if field == "conversation_id" and kind == "string_too_long":
            return (
                ErrorCode.CONVERSATION_ID_TOO_LONG,
                f"conversation_id must be at most {CONVERSATION_ID_MAX} characters",
            )
        if kind in {"missing", "empty_value", "string_too_short", "too_short"} or (
            "input" in error and error["input"] is None
        ):
            candidate = (ErrorCode.MISSING_FIELD, f"{field} is required and must not be empty")
        else:
            candidate = (ErrorCode.BAD_REQUEST, f"{field}: {error.get('msg', 'invalid value')}")
        if best is None or (best[0] is ErrorCode.BAD_REQUEST and candidate[0] is ErrorCode.MISSING_FIELD):
            best = candidate
    return best or (ErrorCode.BAD_REQUEST, "invalid request")


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(MemfeedError)
    async def _memfeed_error(_: Request, exc: MemfeedError) -> JSONResponse:
        return error_response(exc.code, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        code, message = classify_validation_error(list(exc.errors()))
        return error_response(code, message)

    @app.exception_handler(redis.exceptions.RedisError)
    @app.exception_handler(OperationalError)
    async def _control_plane_down(_: Request, exc: Exception) -> JSONResponse:
        return error_response(ErrorCode.SAVE_FAILED, f"the queue or control plane (Redis) is unavailable: {exc}")

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return error_response(ErrorCode.WORKER_FAILED, f"internal error: {type(exc).__name__}")

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = ErrorCode.NOT_FOUND if exc.status_code == 404 else ErrorCode.BAD_REQUEST
        return JSONResponse(envelope(None, int(code), str(exc.detail)), status_code=exc.status_code)


def http_status(code: ErrorCode) -> int:
    """The HTTP status a MemOS code is answered with."""
    return _HTTP_STATUS[code]
