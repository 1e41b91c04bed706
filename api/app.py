"""The FastAPI application: MemOS-compatible routes under /api/openmem/v1."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI
from redis.asyncio import Redis as AsyncRedis

from api.console.routes import install_console
from api.dispatch import close_read_lane
from api.docs_ui import install_docs
from api.errors import install_error_handlers
from api.limits import BodySizeLimit
from api.openapi import install_openapi
from api.routes import batch, feedback, health, knowledgebases, memories, messages, review, unsupported, webhooks
from core.control import ControlPlane
from core.settings import Settings, get_settings
from core.token_windows import TokenWindows

API_PREFIX = "/api/openmem/v1"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.control = ControlPlane.from_settings(settings)
        app.state.token_windows = TokenWindows(app.state.control.redis, settings.redis_prefix)
        # What the event loop awaits itself (API keys, search's window and read) instead of
        # handing a request to a thread: the same scripts and lists on an asyncio client.
        app.state.redis_async = AsyncRedis.from_url(settings.broker_url(), decode_responses=True)
        app.state.key_check = app.state.control.projects.key_check(app.state.redis_async)
        app.state.token_windows_async = app.state.token_windows.on(app.state.redis_async)
        yield
        close_read_lane()
        await app.state.redis_async.aclose()
        app.state.control.redis.close()

    # /docs and /redoc come from install_docs, with local assets instead of a CDN's.
    app = FastAPI(title="memfeed", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None)
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    for module in (feedback, batch, memories, messages, knowledgebases, review, webhooks, unsupported):
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(health.router)
    install_console(app, settings)
    install_docs(app)
    install_openapi(app, API_PREFIX)

    return app
