"""Request dependencies: the control plane and the caller's project."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from api.errors import ErrorCode, MemfeedError
from memfeed.control import ControlPlane
from memfeed.control.projects import Project


def control_plane(request: Request) -> ControlPlane:
    return request.app.state.control


def current_project(
    control: Annotated[ControlPlane, Depends(control_plane)],
    authorization: Annotated[str | None, Header()] = None,
) -> Project:
    """`Authorization: Token <key>` (Bearer is accepted too) → the key's project."""
    scheme, _, key = (authorization or "").strip().partition(" ")
    if scheme.lower() not in {"token", "bearer"} or not key.strip():
        raise MemfeedError(ErrorCode.UNAUTHORIZED, "missing API key: send 'Authorization: Token <key>'")
    project = control.projects.authenticate(key.strip())
    if project is None:
        raise MemfeedError(ErrorCode.UNAUTHORIZED, "invalid API key")
    return project


ControlDep = Annotated[ControlPlane, Depends(control_plane)]
ProjectDep = Annotated[Project, Depends(current_project)]


def require_own_knowledgebases(control: ControlPlane, project: Project, kb_ids: list[str]) -> None:
    foreign = control.knowledgebases.foreign_ids(project.id, kb_ids)
    if foreign:
        raise MemfeedError(
            ErrorCode.KNOWLEDGEBASE_NOT_IN_PROJECT,
            f"knowledge base(s) not associated with this project: {', '.join(foreign)}",
        )
