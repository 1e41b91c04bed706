"""The FastAPI application: MemOS-compatible routes under /api/openmem/v1."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.errors import install_error_handlers
from api.limits import BodySizeLimit
from api.routes import batch, feedback, health, knowledgebases, memories, messages
from memfeed.control import ControlPlane
from memfeed.settings import Settings, get_settings
from workers.token_windows import TokenWindows

API_PREFIX = "/api/openmem/v1"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.control = ControlPlane.from_settings(settings)
        app.state.token_windows = TokenWindows(app.state.control.redis, settings.redis_prefix)
        yield
        app.state.control.redis.close()

    app = FastAPI(title="memfeed", version="0.1.0", lifespan=lifespan)
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    for module in (feedback, batch, memories, messages, knowledgebases):
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(health.router)

    return app
