"""MemOS routes outside memory correction: each answers 40400 in the envelope, naming what memfeed
does instead, so a MemOS client gets a clear error rather than a bare 404."""

from __future__ import annotations

from fastapi import APIRouter

from api.errors import MemfeedError
from core.error_codes import ErrorCode

router = APIRouter()

# The MemOS client's routes (MemoryOS 2.0.33) that memfeed does not implement.
UNSUPPORTED_ROUTES = ("chat", "rerank", "extract/memory", "bind/profile_template", "edit/profile", "delete/profile")


def _not_supported(route: str):  # noqa: ANN202 - a FastAPI endpoint
    def endpoint() -> dict:
        raise MemfeedError(
            ErrorCode.NOT_FOUND,
            f"{route} is not supported by memfeed: it corrects and serves memories (add/message, add/feedback, "
            "search/memory, get/memory, knowledge bases); chat, rerank, extraction and profiles are MemOS features "
            "it does not implement",
        )

    endpoint.__name__ = f"unsupported_{route.replace('/', '_')}"
    return endpoint


for _route in UNSUPPORTED_ROUTES:
    router.add_api_route(f"/{_route}", _not_supported(_route), methods=["POST"], include_in_schema=False)
