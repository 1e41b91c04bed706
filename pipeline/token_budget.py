"""What an analyzer needs from a token budget: reserve before an LLM call, settle after."""

from __future__ import annotations

from typing import Protocol


class BudgetExhaustedError(Exception):
    """The project's window cannot take the call now; try again after `retry_after_seconds`."""

    def __init__(self, retry_after_seconds: float) -> None:
        super().__init__(f"token window exhausted; retry after {retry_after_seconds:.1f} s")
        self.retry_after_seconds = retry_after_seconds


class RequestTooLargeError(Exception):
    """One call needs more tokens than the project allows per request: waiting cannot help."""


class TokenBudget(Protocol):
    def reserve(self, estimated_tokens: int) -> str:
        """A reservation id; BudgetExhaustedError when the window is spent for now,
        RequestTooLargeError when the call could never fit."""
        ...

    def settle(self, reservation: str, used_tokens: int) -> None: ...


class UnlimitedBudget:
    def reserve(self, estimated_tokens: int) -> str:
        return ""

    def settle(self, reservation: str, used_tokens: int) -> None:
        return None
