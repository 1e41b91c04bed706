"""How a model's held-out decisions at a threshold are weighed when its threshold is chosen."""

from __future__ import annotations


def net_value(decisions: list[tuple[float, bool]], threshold: float, wrong_cost: float) -> tuple[float, int, int]:
    """Decisions are (probability, whether acting on it is right); acting means probability ≥
    threshold. Returns (right − wrong_cost × wrong, right, wrong)."""
    right = sum(1 for p, ok in decisions if p >= threshold and ok)
    wrong = sum(1 for p, ok in decisions if p >= threshold and not ok)
    return right - wrong_cost * wrong, right, wrong
