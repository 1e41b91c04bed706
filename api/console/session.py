"""Console sign-in: a signed, HttpOnly, SameSite=Strict session cookie naming the project and the
key it was opened with (by its digest, never the key), and a CSRF token for every form.

A session lasts while its key is valid: each request checks that the key's digest still maps to
the project, so a revoked key signs its sessions out.
"""

from __future__ import annotations

import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from core.control import ControlPlane
from core.control.projects import Project
from core.settings import Settings

SESSION_COOKIE = "memfeed_console"
# Set by the sign-in page; its form must carry the same nonce (no sign-in from another site).
LOGIN_COOKIE = "memfeed_console_login"
COOKIE_PATH = "/console"
MIN_SECRET_LENGTH = 32


class ConsoleSecretError(RuntimeError):
    pass


def console_secret(settings: Settings) -> str:
    """MEMFEED_CONSOLE_SECRET; in development, unset, one generated once in the data directory.
    Production refuses to run without a secret of its own."""
    secret = settings.console_secret.get_secret_value() if settings.console_secret is not None else ""
    if secret:
        if settings.environment == "production" and len(secret) < MIN_SECRET_LENGTH:
            raise ConsoleSecretError(f"MEMFEED_CONSOLE_SECRET must have at least {MIN_SECRET_LENGTH} characters "
                                     "in production")
        return secret
    if settings.environment == "production":
        raise ConsoleSecretError("MEMFEED_CONSOLE_SECRET is not set: production (MEMFEED_ENVIRONMENT) refuses to "
                                 "sign console sessions with a generated secret; set one of at least "
                                 f"{MIN_SECRET_LENGTH} random characters")
    return _generated_secret(settings.data_dir / "console-secret")


def _generated_secret(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


@dataclass(frozen=True)
class ConsoleSession:
    project: Project
    key_digest: str
    csrf: str

    @property
    def fingerprint(self) -> str:
        """How a decision records the key that made it (as api.review_actions.key_fingerprint)."""
        return "key:" + self.key_digest[:12]


class Sessions:
    def __init__(self, secret: str, max_age_seconds: int, secure_cookies: bool) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="memfeed-console-session")
        self._max_age = max_age_seconds
        self._secure = secure_cookies

    def open(self, response: Response, request: Request, project_id: str, key_digest: str) -> None:
        token = self._serializer.dumps({"p": project_id, "k": key_digest, "c": secrets.token_urlsafe(24)})
        self._set_cookie(response, request, SESSION_COOKIE, token, self._max_age)
        response.delete_cookie(LOGIN_COOKIE, path=COOKIE_PATH)

    def close(self, response: Response) -> None:
        response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict")

    def current(self, request: Request, control: ControlPlane) -> ConsoleSession | None:
        token = request.cookies.get(SESSION_COOKIE)
        if not token:
            return None
        try:
            data = self._serializer.loads(token, max_age=self._max_age)
        except BadSignature:
            return None
        if not isinstance(data, dict) or control.projects.project_of_key_digest(str(data.get("k"))) != data.get("p"):
            return None
        project = control.projects.get(data["p"])
        return ConsoleSession(project, data["k"], data["c"]) if project is not None else None

    @staticmethod
    def login_nonce(request: Request) -> str:
        return request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)

    def keep_login_nonce(self, response: Response, request: Request, nonce: str) -> None:
        self._set_cookie(response, request, LOGIN_COOKIE, nonce, 3600)

    @staticmethod
    def login_nonce_matches(request: Request, submitted: str) -> bool:
        expected = request.cookies.get(LOGIN_COOKIE)
        return bool(expected) and hmac.compare_digest(expected, submitted)

    def _set_cookie(self, response: Response, request: Request, name: str, value: str, max_age: int) -> None:
        response.set_cookie(name, value, max_age=max_age, path=COOKIE_PATH, httponly=True, samesite="strict",
                            secure=self._secure or request.url.scheme == "https")


def csrf_matches(session: ConsoleSession, submitted: str | None) -> bool:
    return bool(submitted) and hmac.compare_digest(session.csrf, submitted)
