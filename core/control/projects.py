"""Projects (tenants) and their API keys. Keys are stored only as SHA-256 digests."""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid

from pydantic import BaseModel
from redis import Redis
from redis.asyncio import Redis as AsyncRedis


class ProjectExistsError(Exception):
    pass


class Project(BaseModel):
    id: str
    name: str
    created_at: float
    # None: the deployment's default applies.
    window_tokens: int | None = None
    window_seconds: float | None = None
    max_request_tokens: int | None = None
    # apply | review_uncertain | review_all (core.control.review.ReviewPolicy); None: apply.
    review_policy: str | None = None


# The project an API key belongs to, read in one round trip. KEYS: [the key's entry]; ARGV: [project key prefix]
_PROJECT_OF_KEY = """
local project_id = redis.call('GET', KEYS[1])
if not project_id then return {} end
return redis.call('HGETALL', ARGV[1] .. project_id)
"""


def hash_api_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


class ProjectRegistry:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix
        self._project_of_key = redis.register_script(_PROJECT_OF_KEY)

    @property
    def key_prefix(self) -> str:
        """A project's settings are the hash at this prefix followed by its id."""
        return f"{self._prefix}:project:"

    def _project_key(self, project_id: str) -> str:
        return f"{self.key_prefix}{project_id}"

    def _name_key(self, name: str) -> str:
        return f"{self._prefix}:project-name:{name}"

    def _api_key_key(self, digest: str) -> str:
        return f"{self._prefix}:apikey:{digest}"

    def create(self, name: str) -> tuple[Project, str]:
        """A new project and its first API key (returned once, stored hashed)."""
        project = Project(id=uuid.uuid4().hex, name=name, created_at=time.time())
        if not self._redis.set(self._name_key(name), project.id, nx=True):
            raise ProjectExistsError(f"a project named {name!r} already exists")
        fields = {k: v for k, v in project.model_dump(mode="json").items() if v is not None}
        self._redis.hset(self._project_key(project.id), mapping=fields)
        return project, self.issue_key(project.id)

    def set_limits(
        self,
        project_id: str,
        window_tokens: int | None = None,
        window_seconds: float | None = None,
        max_request_tokens: int | None = None,
    ) -> Project:
        """Set the given limits (others unchanged) and return the updated project."""
        given = {
            "window_tokens": window_tokens,
            "window_seconds": window_seconds,
            "max_request_tokens": max_request_tokens,
        }
        updates = {name: str(value) for name, value in given.items() if value is not None}
        if updates:
            self._redis.hset(self._project_key(project_id), mapping=updates)
        project = self.get(project_id)
        assert project is not None
        return project

    def set_field(self, project_id: str, name: str, value: str) -> Project:
        """Set one of the project's settings (a field of Project) and return the updated project."""
        if name not in Project.model_fields or name in {"id", "name", "created_at"}:
            raise ValueError(f"{name} is not a project setting")
        self._redis.hset(self._project_key(project_id), name, value)
        project = self.get(project_id)
        assert project is not None
        return project

    def project_of_key_digest(self, digest: str) -> str | None:
        """The project an API key (by its SHA-256 digest) belongs to, if it is still valid."""
        return self._redis.get(self._api_key_key(digest))

    def issue_key(self, project_id: str) -> str:
        api_key = "mf_" + secrets.token_urlsafe(32)
        self._redis.set(self._api_key_key(hash_api_key(api_key)), project_id)
        return api_key

    def authenticate(self, api_key: str) -> Project | None:
        keys, args = self.key_lookup(api_key)
        return _project_of_fields(self._project_of_key(keys=keys, args=args))

    def key_lookup(self, api_key: str) -> tuple[list[str], list[str]]:
        """The keys and arguments of the script that reads an API key's project."""
        return [self._api_key_key(hash_api_key(api_key))], [self._project_key("")]

    def key_check(self, redis: AsyncRedis) -> ApiKeyCheck:
        """`authenticate` on an asyncio client, for the API's event loop."""
        return ApiKeyCheck(self, redis)

    def get(self, project_id: str) -> Project | None:
        fields = self._redis.hgetall(self._project_key(project_id))
        return Project.model_validate(fields) if fields else None

    def by_name(self, name: str) -> Project | None:
        project_id = self._redis.get(self._name_key(name))
        return self.get(project_id) if project_id else None


class ApiKeyCheck:
    """The project of an API key, read on an asyncio client in the same one round trip as
    `ProjectRegistry.authenticate`: a request authenticates without a hand-over to a thread."""

    def __init__(self, registry: ProjectRegistry, redis: AsyncRedis) -> None:
        self._registry = registry
        self._script = redis.register_script(_PROJECT_OF_KEY)

    async def authenticate(self, api_key: str) -> Project | None:
        keys, args = self._registry.key_lookup(api_key)
        return _project_of_fields(await self._script(keys=keys, args=args))


def _project_of_fields(fields: list[str]) -> Project | None:
    """A project from the flat field/value list HGETALL gives a script; None for no fields."""
    return Project.model_validate(dict(zip(fields[::2], fields[1::2], strict=True))) if fields else None
