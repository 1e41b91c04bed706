"""The project's webhook: its URL (the signing secret is shown once, when set) and its last delivery."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import ControlDep, ProjectDep
from api.errors import MemfeedError, answer
from api.schemas import MemosRequest, RequiredText
from core.control.webhooks import WebhookConfig, WebhookURLError
from core.error_codes import ErrorCode

router = APIRouter()


class SetWebhookRequest(MemosRequest):
    url: RequiredText


def webhook_view(config: WebhookConfig | None, secret: str | None = None) -> dict:
    if config is None:
        return {"url": None, "secret": None, "last_status": None, "last_http_status": None, "last_error": None,
                "last_attempt_at": None, "last_event": None, "delivered": 0, "failed": 0}
    view = config.model_dump(exclude={"secret", "created_at"})
    return {**view, "secret": secret}


@router.post("/webhook/set")
def set_webhook(body: SetWebhookRequest, project: ProjectDep, control: ControlDep) -> JSONResponse:
    """Register the URL called when a job ends; the answer carries its new signing secret, once."""
    try:
        secret = control.webhooks.configure(project.id, body.url)
    except WebhookURLError as exc:
        raise MemfeedError(ErrorCode.BAD_REQUEST, f"url: {exc}") from exc
    return answer(webhook_view(control.webhooks.get(project.id), secret))


@router.post("/webhook/get")
def get_webhook(project: ProjectDep, control: ControlDep) -> JSONResponse:
    return answer(webhook_view(control.webhooks.get(project.id)))


@router.post("/webhook/delete")
def delete_webhook(project: ProjectDep, control: ControlDep) -> JSONResponse:
    control.webhooks.remove(project.id)
    return answer(webhook_view(None))
