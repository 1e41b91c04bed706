"""Request dependencies: the control plane and the caller's project."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from api.errors import MemfeedError
from core.control import ControlPlane
from core.control.projects import Project
from core.error_codes import ErrorCode
from core.settings import get_settings
from core.token_windows import Decision, WindowLimits, window_limits


async def control_plane(request: Request) -> ControlPlane:
    # A coroutine: FastAPI runs a plain function dependency in its thread pool, a hand-over to a
    # thread and back on every request for what is an attribute read.
    return request.app.state.control


async def current_project(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> Project:
    """`Authorization: Token <key>` (Bearer is accepted too) → the key's project. A coroutine on
    an asyncio client: the key is checked without a hand-over to a thread and back."""
    scheme, _, key = (authorization or "").strip().partition(" ")
    if scheme.lower() not in {"token", "bearer"} or not key.strip():
        raise MemfeedError(ErrorCode.UNAUTHORIZED, "missing API key: send 'Authorization: Token <key>'")
    project = await request.app.state.key_check.authenticate(key.strip())
    if project is None:
        raise MemfeedError(ErrorCode.UNAUTHORIZED, "invalid API key")
    return project


def charge_tokens(request: Request, project: Project, tokens: int) -> None:
    """Take the request's tokens from the project's window, or refuse it (nothing is enqueued)."""
    limits = window_limits(project, get_settings())
    decision = request.app.state.token_windows.admit(project.id, tokens, limits)
    if not decision.admitted:
        request.app.state.control.metrics.inc(_REJECTIONS, _rejection_labels(decision))
    _refuse_unless_admitted(decision, tokens, limits)


async def charge_tokens_async(request: Request, project: Project, tokens: int) -> None:
    """`charge_tokens` on the event loop, the refusal counted without blocking it."""
    limits = window_limits(project, get_settings())
    decision = await request.app.state.token_windows_async.admit(project.id, tokens, limits)
    if not decision.admitted:
        writes = request.app.state.redis_async.pipeline(transaction=False)
        request.app.state.control.metrics.inc(_REJECTIONS, _rejection_labels(decision), pipe=writes)
        await writes.execute()
    _refuse_unless_admitted(decision, tokens, limits)


_REJECTIONS = "memfeed_token_window_rejections_total"


def _rejection_labels(decision: Decision) -> dict[str, str]:
    code = ErrorCode.REQUEST_TOO_LARGE if decision.over_request_limit else ErrorCode.WINDOW_EXHAUSTED
    return {"code": str(int(code))}


def _refuse_unless_admitted(decision: Decision, tokens: int, limits: WindowLimits) -> None:
    if decision.over_request_limit:
        raise MemfeedError(
            ErrorCode.REQUEST_TOO_LARGE,
            f"this request needs {tokens} tokens; the limit per request is {limits.max_request_tokens}",
        )
    if not decision.admitted:
        raise MemfeedError(
            ErrorCode.WINDOW_EXHAUSTED,
            f"the project's token window is used up ({decision.used} of {limits.window_tokens} tokens "
            f"in {limits.window_seconds:g} s); retry after {decision.retry_after_header} s",
            headers={"Retry-After": decision.retry_after_header},
        )


ControlDep = Annotated[ControlPlane, Depends(control_plane)]
ProjectDep = Annotated[Project, Depends(current_project)]


def require_own_knowledgebases(control: ControlPlane, project: Project, kb_ids: list[str]) -> None:
    foreign = control.knowledgebases.foreign_ids(project.id, kb_ids)
    if foreign:
        raise MemfeedError(
            ErrorCode.KNOWLEDGEBASE_NOT_IN_PROJECT,
            f"knowledge base(s) not associated with this project: {', '.join(foreign)}",
        )
