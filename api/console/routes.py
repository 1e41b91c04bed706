"""The console's pages. Every page reads through the same control plane and worker tasks as the
API, scoped to the signed-in project; every POST carries the session's CSRF token."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from api import dispatch
from api.batch_schemas import GetBatchRequest
from api.console import queries
from api.console.diff import diff
from api.console.session import ConsoleSession, Sessions, console_secret, csrf_matches
from api.deps import charge_tokens, control_plane
from api.errors import MemfeedError
from api.presenters import iso_time, memory_detail
from api.review_actions import decide
from api.routes.batch import _batch_status
from api.routes.feedback import start_revert
from api.routes.webhooks import webhook_view
from core.chains import COMPAT_SELECT_MEMORIES, GET_MEMORIES, MEMORY_HISTORY, SEARCH
from core.control import ControlPlane
from core.control.jobs import JobOutcome, JobStatus
from core.control.projects import hash_api_key
from core.control.review import ReviewPolicy, ReviewState
from core.control.webhooks import WebhookURLError
from core.settings import Settings, get_settings
from core.token_windows import window_limits
from pipeline.models import SearchScope
from pipeline.token_count import count_tokens

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals["when"] = lambda epoch: (iso_time(epoch) or "")[:19].replace("T", " ")
templates.env.globals["diff"] = diff
router = APIRouter(prefix="/console", include_in_schema=False)
ControlDep = Annotated[ControlPlane, Depends(control_plane)]
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
OUTCOMES = [o.value for o in JobOutcome]
STATUSES = [s.value for s in JobStatus]
KINDS = ["feedback", "revert", "add_message", "knowledgebase_file"]


class LoginRequired(Exception):
    pass


class CsrfRefused(Exception):
    pass


def install_console(app: FastAPI, settings: Settings) -> None:
    """Mount the console; a production deployment without a secret of its own is refused
    (ConsoleSecretError), so the API does not start."""
    app.state.console_sessions = Sessions(console_secret(settings), round(settings.console_session_hours * 3600),
                                          secure_cookies=settings.environment == "production")
    app.include_router(router)
    app.mount("/console/static", StaticFiles(directory=HERE / "static"), name="console-static")

    @app.exception_handler(LoginRequired)
    async def _to_login(request: Request, _: LoginRequired) -> Response:
        return RedirectResponse("/console/login", status_code=303)

    @app.exception_handler(CsrfRefused)
    async def _refuse(request: Request, _: CsrfRefused) -> Response:
        return page(request, "error.html", None, status_code=403,
                    message="The form's security token is missing or stale: reload the page and try again.")


def _sessions(request: Request) -> Sessions:
    return request.app.state.console_sessions


def signed_in(request: Request, control: ControlDep) -> ConsoleSession:
    session = _sessions(request).current(request, control)
    if session is None:
        raise LoginRequired
    return session


SessionDep = Annotated[ConsoleSession, Depends(signed_in)]
CsrfField = Annotated[str, Form()]


def page(request: Request, template: str, session: ConsoleSession | None, status_code: int = 200,
         **context: Any) -> HTMLResponse:
    context = {"session": session, "project": session.project if session else None,
               "csrf": session.csrf if session else "", "notice": request.query_params.get("notice", ""), **context}
    response = templates.TemplateResponse(request, template, context, status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    return response


def _back(path: str, notice: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?{urlencode({'notice': notice})}", status_code=303)


def _require_csrf(session: ConsoleSession, csrf: str) -> None:
    if not csrf_matches(session, csrf):
        raise CsrfRefused


# Sign-in ------------------------------------------------------------------------------------------


@router.get("")
def console_home() -> RedirectResponse:
    return RedirectResponse("/console/jobs", status_code=303)


def _login_page(request: Request, error: str = "", status_code: int = 200) -> HTMLResponse:
    sessions = _sessions(request)
    nonce = sessions.login_nonce(request)
    response = page(request, "login.html", None, status_code=status_code, nonce=nonce, error=error)
    sessions.keep_login_nonce(response, request, nonce)
    return response


@router.get("/login")
def login_form(request: Request) -> HTMLResponse:
    return _login_page(request)


@router.post("/login")
def login(request: Request, control: ControlDep, api_key: Annotated[str, Form()] = "",
          nonce: Annotated[str, Form()] = "") -> Response:
    sessions = _sessions(request)
    if not sessions.login_nonce_matches(request, nonce):
        return _login_page(request, "The sign-in form expired: please try again.", status_code=403)
    project = control.projects.authenticate(api_key.strip()) if api_key.strip() else None
    if project is None:
        return _login_page(request, "Unknown API key.", status_code=401)
    response = RedirectResponse("/console/jobs", status_code=303)
    sessions.open(response, request, project.id, hash_api_key(api_key.strip()))
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep, csrf: CsrfField = "") -> Response:
    _require_csrf(session, csrf)
    response = RedirectResponse("/console/login", status_code=303)
    _sessions(request).close(response)
    return response


# Jobs ------------------------------------------------------------------------------------------


def _filters(request: Request) -> queries.JobFilters:
    params = request.query_params
    return queries.JobFilters(**{name: params.get(name, "").strip()[:100] for name in vars(queries.JobFilters())})


@router.get("/jobs")
def jobs_page(request: Request, session: SessionDep, control: ControlDep) -> HTMLResponse:
    filters = _filters(request)
    jobs = queries.recent_jobs(control, session.project.id, filters)
    return page(request, "jobs.html", session, jobs=jobs, filters=filters, outcomes=OUTCOMES, statuses=STATUSES,
                kinds=KINDS, rows_url="/console/jobs/rows?" + urlencode(filters.query()))


@router.get("/jobs/rows")
def job_rows(request: Request, session: SessionDep, control: ControlDep) -> HTMLResponse:
    """The table's rows alone: what the jobs page fetches to stay live."""
    jobs = queries.recent_jobs(control, session.project.id, _filters(request))
    return page(request, "_job_rows.html", session, jobs=jobs)


def _own_job(control: ControlPlane, session: ConsoleSession, job_id: str):  # noqa: ANN202 - a JobRecord
    record = control.jobs.get(job_id[:100])
    return record if record is not None and record.project_id == session.project.id else None


@router.get("/jobs/{job_id}")
def job_page(request: Request, job_id: str, session: SessionDep, control: ControlDep) -> HTMLResponse:
    record = _own_job(control, session, job_id)
    if record is None:
        return page(request, "error.html", session, status_code=404,
                    message=f"No task {job_id} in this project (or its record expired).")
    return page(request, "job.html", session, job=record, stages=queries.stage_timeline(record),
                proposed=queries.proposed_changes(record), total_ms=_total_ms(record))


def _total_ms(record) -> float:  # noqa: ANN001
    ends = [s.finished_at for s in record.stages.values() if s.finished_at]
    return max(1.0, ((max(ends) if ends else record.updated_at) - record.created_at) * 1000)


def _decide(request: Request, job_id: str, session: ConsoleSession, control: ControlPlane, csrf: str,
            state: ReviewState) -> Response:
    _require_csrf(session, csrf)
    try:
        decision = decide(control, session.project, job_id, state, session.fingerprint, "console")
    except MemfeedError as exc:
        return _back(f"/console/jobs/{job_id}", exc.message)
    verb = "approved: the plan is being written" if state is ReviewState.APPROVED else "rejected: nothing written"
    back = request.query_params.get("back", "")
    return _back(back if back.startswith("/console/") else f"/console/jobs/{job_id}",
                 f"Task {job_id} {verb}" if decision.changed else f"Task {job_id} was already {decision.state}")


@router.post("/jobs/{job_id}/approve")
def approve(request: Request, job_id: str, session: SessionDep, control: ControlDep, csrf: CsrfField = "") -> Response:
    return _decide(request, job_id, session, control, csrf, ReviewState.APPROVED)


@router.post("/jobs/{job_id}/reject")
def reject(request: Request, job_id: str, session: SessionDep, control: ControlDep, csrf: CsrfField = "") -> Response:
    return _decide(request, job_id, session, control, csrf, ReviewState.REJECTED)


@router.post("/jobs/{job_id}/revert")
def revert(job_id: str, session: SessionDep, control: ControlDep, csrf: CsrfField = "") -> Response:
    _require_csrf(session, csrf)
    try:
        revert_id = start_revert(job_id[:100], session.project, control)["task_id"]
    except MemfeedError as exc:
        return _back(f"/console/jobs/{job_id}", exc.message)
    return _back(f"/console/jobs/{revert_id}", f"Reverting task {job_id}")


# Memories ----------------------------------------------------------------------------------------


@router.get("/memories")
def memories_page(request: Request, session: SessionDep, control: ControlDep) -> HTMLResponse:
    params = request.query_params
    user_id = params.get("user_id", "").strip()[:100]
    kb_id = params.get("knowledgebase_id", "").strip()[:100]
    query = params.get("q", "").strip()[:2000]
    memories: list[dict[str, Any]] = []
    error = ""
    timeout = get_settings().read_timeout_seconds
    try:
        if kb_id and control.knowledgebases.foreign_ids(session.project.id, [kb_id]):
            error = f"No knowledge base {kb_id} in this project."
        elif query and (user_id or kb_id):
            charge_tokens(request, session.project, count_tokens(query))
            scope = SearchScope(project_id=session.project.id, user_id=user_id or f"console:{session.project.id}",
                                knowledgebase_ids=[kb_id] if kb_id else [])
            hits = dispatch.call(SEARCH, scope.model_dump(mode="json"), query, 20, 0.0, timeout=timeout)
            memories = [memory_detail(hit) for hit in hits]
        elif user_id and not kb_id:
            scope = SearchScope(project_id=session.project.id, user_id=user_id)
            memories = [memory_detail(m) for m in
                        dispatch.call(GET_MEMORIES, scope.model_dump(mode="json"), 1, 100, timeout=timeout)["items"]]
        elif kb_id:
            selection = {"user_id": None, "agent_id": None, "filter": {"knowledgebase_id": kb_id}}
            memories = [memory_detail(m) for m in dispatch.call(COMPAT_SELECT_MEMORIES, session.project.id,
                                                                selection, 1, 100, timeout=timeout)["items"]]
    except MemfeedError as exc:
        error = exc.message
    return page(request, "memories.html", session, memories=memories, user_id=user_id, knowledgebase_id=kb_id,
                query=query, error=error, searched=bool(user_id or kb_id))


@router.get("/memories/{memory_id}")
def memory_page(request: Request, memory_id: str, session: SessionDep, control: ControlDep) -> HTMLResponse:
    try:
        versions = dispatch.call(MEMORY_HISTORY, session.project.id, memory_id[:100],
                                 timeout=get_settings().read_timeout_seconds)
    except MemfeedError as exc:
        return page(request, "error.html", session, status_code=502, message=exc.message)
    if not versions:
        return page(request, "error.html", session, status_code=404, message=f"No memory {memory_id} in this project.")
    tasks = {v.get("source_job_id"): _own_job(control, session, v["source_job_id"])
             for v in versions if v.get("source_job_id")}
    return page(request, "memory.html", session, memory_id=memory_id, versions=versions, tasks=tasks)


# Batches, token windows ----------------------------------------------------------------------------------


@router.get("/batches")
def batches_page(request: Request, session: SessionDep, control: ControlDep) -> HTMLResponse:
    batches = []
    for batch_id in queries.recent_batch_ids(control, session.project.id):
        try:
            batches.append(_batch_status(GetBatchRequest(batch_id=batch_id), session.project, control))
        except MemfeedError:  # expired with the retention
            continue
    return page(request, "batches.html", session, batches=batches)


@router.get("/tokens")
def tokens_page(request: Request, session: SessionDep, control: ControlDep) -> HTMLResponse:
    windows = request.app.state.token_windows
    bars = queries.usage_per_minute(control, windows.usage_key(session.project.id))
    limits = window_limits(session.project, get_settings())
    return page(request, "tokens.html", session, bars=bars, limits=limits, used=windows.used(session.project.id),
                peak=max([b.tokens for b in bars] + [1]), total=sum(b.tokens for b in bars),
                refused=sum(b.refused for b in bars))


# Review queue, settings ------------------------------------------------------------------------


@router.get("/review")
def review_page(request: Request, session: SessionDep, control: ControlDep) -> HTMLResponse:
    held, total = control.reviews.pending(session.project.id, 0, 100)
    return page(request, "review.html", session, held=[(job, queries.proposed_changes(job)) for job in held],
                total=total, policy=session.project.review_policy or ReviewPolicy.APPLY.value,
                threshold=get_settings().review_confidence_threshold)


@router.get("/settings")
def settings_page(request: Request, session: SessionDep, control: ControlDep) -> HTMLResponse:
    return _settings(request, session, control)


def _settings(request: Request, session: ConsoleSession, control: ControlPlane, secret: str | None = None,
              error: str = "", status_code: int = 200) -> HTMLResponse:
    project = control.projects.get(session.project.id) or session.project
    return page(request, "settings.html", session, status_code=status_code,
                webhook=webhook_view(control.webhooks.get(project.id)), secret=secret, error=error,
                policy=project.review_policy or ReviewPolicy.APPLY.value, policies=[p.value for p in ReviewPolicy],
                threshold=get_settings().review_confidence_threshold)


@router.post("/settings/webhook")
def set_webhook(request: Request, session: SessionDep, control: ControlDep, csrf: CsrfField = "",
                url: Annotated[str, Form()] = "") -> Response:
    _require_csrf(session, csrf)
    try:
        secret = control.webhooks.configure(session.project.id, url)
    except WebhookURLError as exc:
        return _settings(request, session, control, error=str(exc), status_code=400)
    # The secret is shown in this answer only: it is never stored where a page could show it again.
    return _settings(request, session, control, secret=secret)


@router.post("/settings/webhook/remove")
def remove_webhook(session: SessionDep, control: ControlDep, csrf: CsrfField = "") -> Response:
    _require_csrf(session, csrf)
    control.webhooks.remove(session.project.id)
    return _back("/console/settings", "Webhook removed")


@router.post("/settings/review")
def set_review_policy(session: SessionDep, control: ControlDep, csrf: CsrfField = "",
                      policy: Annotated[str, Form()] = "") -> Response:
    _require_csrf(session, csrf)
    try:
        chosen = ReviewPolicy(policy)
    except ValueError:
        return _back("/console/settings", f"Unknown review policy {policy[:40]!r}")
    control.projects.set_field(session.project.id, "review_policy", chosen.value)
    return _back("/console/settings", f"Review policy: {chosen.value}")
