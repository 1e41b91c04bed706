"""Per-project token windows: an exact sliding window, decided atomically inside Redis.

Each admission is a member of a sorted set scored by Redis' own clock (milliseconds), its
member carrying its token count; a second key keeps the running total. One Lua script expires
what left the window, compares, and records: every API process and worker shares one count,
and no number of them can overshoot the budget.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass

from redis import Redis
from redis.asyncio import Redis as AsyncRedis

from core.control.projects import Project
from core.settings import Settings
from pipeline.token_budget import BudgetExhaustedError, RequestTooLargeError

# KEYS: [entries zset, running total, usage per minute (hash: minute since the epoch → tokens;
# "r" + minute → refused requests), kept for the console's chart]
# ARGV: [mode, budget, window_ms, tokens, member_id, old_member (settle only)]
# Returns {admitted (1/0/-1), used_after, retry_after_ms, now_ms}; -1: the request alone exceeds the budget.
_SCRIPT = """
local entries, total_key, usage = KEYS[1], KEYS[2], KEYS[3]
local mode, budget, window_ms = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local tokens, member_id = tonumber(ARGV[4]), ARGV[5]
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)

local function tokens_of(member)
  return tonumber(string.match(member, '^(%d+):'))
end

local expired = redis.call('ZRANGEBYSCORE', entries, '-inf', now - window_ms)
if #expired > 0 then
  local freed = 0
  for _, member in ipairs(expired) do freed = freed + tokens_of(member) end
  redis.call('ZREMRANGEBYSCORE', entries, '-inf', now - window_ms)
  redis.call('DECRBY', total_key, freed)
end
local used = tonumber(redis.call('GET', total_key) or '0')
local minute = tostring(math.floor(now / 60000))
local function record_usage(field, amount)
  redis.call('HINCRBY', usage, field, amount)
  redis.call('EXPIRE', usage, 172800)
end

if mode == 'settle' then
  local old_member = ARGV[6]
  local score = redis.call('ZSCORE', entries, old_member)
  local delta = tokens
  if score then
    redis.call('ZREM', entries, old_member)
    used = used - tokens_of(old_member)
    delta = tokens - tokens_of(old_member)
  else
    score = now
  end
  if delta ~= 0 then record_usage(minute, delta) end
  if tokens > 0 then
    redis.call('ZADD', entries, score, tokens .. ':' .. member_id)
    used = used + tokens
  end
  redis.call('SET', total_key, used, 'PX', window_ms * 2)
  redis.call('PEXPIRE', entries, window_ms * 2)
  return {1, used, 0, now}
end

if tokens > budget then
  record_usage('r' .. minute, 1)
  return {-1, used, 0, now}
end
if used + tokens > budget then
  record_usage('r' .. minute, 1)
  -- Walk the oldest admissions until enough of them will have left the window.
  local needed, freed, offset = used + tokens - budget, 0, 0
  while true do
    local page = redis.call('ZRANGE', entries, offset, offset + 99, 'WITHSCORES')
    if #page == 0 then return {0, used, window_ms, now} end
    for i = 1, #page, 2 do
      freed = freed + tokens_of(page[i])
      if freed >= needed then
        return {0, used, math.max(1, tonumber(page[i + 1]) + window_ms - now), now}
      end
    end
    offset = offset + 100
  end
end
redis.call('ZADD', entries, now, tokens .. ':' .. member_id)
redis.call('SET', total_key, used + tokens, 'PX', window_ms * 2)
redis.call('PEXPIRE', entries, window_ms * 2)
record_usage(minute, tokens)
return {1, used + tokens, 0, now}
"""


@dataclass(frozen=True)
class WindowLimits:
    window_tokens: int
    window_seconds: float
    max_request_tokens: int


@dataclass(frozen=True)
class Decision:
    admitted: bool
    used: int
    retry_after_seconds: float = 0.0
    over_request_limit: bool = False
    reservation: str | None = None
    # Redis' clock when it decided, in milliseconds.
    decided_at_ms: int = 0

    @property
    def retry_after_header(self) -> str:
        return str(max(1, math.ceil(self.retry_after_seconds)))


@dataclass(frozen=True)
class Admission:
    """One call of the window script that admits tokens."""

    keys: list[str]
    args: list
    reservation: str

    def decision(self, reply: list) -> Decision:
        admitted, used, retry_ms, now_ms = reply
        if admitted == -1:
            return Decision(admitted=False, used=int(used), over_request_limit=True, decided_at_ms=int(now_ms))
        return Decision(
            admitted=admitted == 1,
            used=int(used),
            retry_after_seconds=int(retry_ms) / 1000,
            reservation=self.reservation if admitted == 1 else None,
            decided_at_ms=int(now_ms),
        )


class TokenWindows:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix
        self._script = redis.register_script(_SCRIPT)

    def _keys(self, project_id: str) -> list[str]:
        base = f"{self._prefix}:window:{project_id}"
        return [f"{base}:entries", f"{base}:total", self.usage_key(project_id)]

    def usage_key(self, project_id: str) -> str:
        return f"{self._prefix}:window:{project_id}:usage"

    def admit(self, project_id: str, tokens: int, limits: WindowLimits) -> Decision:
        """Take `tokens` from the window now, or say when enough will have freed up."""
        admission = self.admission(project_id, tokens, limits)
        if isinstance(admission, Decision):
            return admission
        return admission.decision(self._script(keys=admission.keys, args=admission.args))

    def admission(self, project_id: str, tokens: int, limits: WindowLimits) -> Admission | Decision:
        """What the script is asked to admit `tokens`, or the decision when no script is needed."""
        if tokens > limits.max_request_tokens:
            return Decision(admitted=False, used=0, over_request_limit=True)
        member_id = uuid.uuid4().hex
        return Admission(
            keys=self._keys(project_id),
            args=["admit", limits.window_tokens, _window_ms(limits), tokens, member_id],
            reservation=f"{tokens}:{member_id}",
        )

    def on(self, redis: AsyncRedis) -> AsyncTokenWindows:
        """`admit` on an asyncio client, for the API's event loop."""
        return AsyncTokenWindows(self, redis)

    def settle(self, project_id: str, reservation: str, actual_tokens: int, limits: WindowLimits) -> int:
        """Replace a reservation by what was really used (which may exceed the estimate)."""
        _, used, _, _ = self._script(
            keys=self._keys(project_id),
            args=["settle", limits.window_tokens, _window_ms(limits), max(0, actual_tokens), uuid.uuid4().hex,
                  reservation],
        )
        return int(used)

    def used(self, project_id: str) -> int:
        return int(self._redis.get(self._keys(project_id)[1]) or 0)


class AsyncTokenWindows:
    """Admission to the same windows through an asyncio client: the same script, one round trip."""

    def __init__(self, windows: TokenWindows, redis: AsyncRedis) -> None:
        self._windows = windows
        self._script = redis.register_script(_SCRIPT)

    async def admit(self, project_id: str, tokens: int, limits: WindowLimits) -> Decision:
        admission = self._windows.admission(project_id, tokens, limits)
        if isinstance(admission, Decision):
            return admission
        return admission.decision(await self._script(keys=admission.keys, args=admission.args))


def _window_ms(limits: WindowLimits) -> int:
    return max(1, int(limits.window_seconds * 1000))


def window_limits(project: Project, settings: Settings) -> WindowLimits:
    """The project's own limits where it has them, the deployment's defaults elsewhere."""
    return WindowLimits(
        window_tokens=project.window_tokens or settings.window_tokens,
        window_seconds=project.window_seconds or settings.window_seconds,
        max_request_tokens=project.max_request_tokens or settings.max_request_tokens,
    )


class ProjectTokenBudget:
    """A project's window as the LLM analyzer sees it: reserve before a call, settle after."""

    def __init__(self, windows: TokenWindows, project_id: str, limits: WindowLimits) -> None:
        self._windows = windows
        self._project_id = project_id
        self._limits = limits

    def reserve(self, estimated_tokens: int) -> str:
        decision = self._windows.admit(self._project_id, estimated_tokens, self._limits)
        if decision.over_request_limit:
            raise RequestTooLargeError(f"{estimated_tokens} tokens exceed the per-request limit")
        if not decision.admitted or decision.reservation is None:
            raise BudgetExhaustedError(decision.retry_after_seconds)
        return decision.reservation

    def settle(self, reservation: str, used_tokens: int) -> None:
        if reservation:
            self._windows.settle(self._project_id, reservation, used_tokens, self._limits)
