"""Checks for the exercises of notebook 08 (soft parameter sharing)."""

from __future__ import annotations

from collections.abc import Sequence

from mtl_helpers.exercises import not_answered, passed, require


def check_penalty_by_hand(answer: float | None) -> str:
    """Exercise 1: λ Σ_{i<j} (θ_i − θ_j)² for θ = 1, 2, 4 and λ = 0.5."""
    if answer is None:
        return not_answered("Exercise 1")
    require(isinstance(answer, (int, float)), f"expected a float, got {type(answer).__name__}")
    expected = 0.5 * ((1 - 2) ** 2 + (1 - 4) ** 2 + (2 - 4) ** 2)
    require(
        abs(answer - expected) < 1e-6,
        f"got {answer:.4g}; add the squared differences of the three pairs, then multiply by λ",
    )
    return passed("Exercise 1")


def check_best_lambda(
    answer: float | None, lams: Sequence[float], mean_errors: Sequence[float]
) -> str:
    """Exercise 2: the λ with the lowest mean validation error."""
    if answer is None:
        return not_answered("Exercise 2")
    best = min(zip(mean_errors, lams, strict=True))[1]
    require(
        answer == best, f"got {answer}; look for the smallest val MSE in the table of section 3"
    )
    return passed("Exercise 2")


def check_hard_bytes(answer: int | None, expected: int) -> str:
    """Exercise 3: bytes of parameters and Adam state for hard sharing with 64 tasks."""
    if answer is None:
        return not_answered("Exercise 3")
    require(isinstance(answer, int), f"expected an int, got {type(answer).__name__}")
    require(answer == expected, f"got {answer}; read the last line of the table in section 4")
    return passed("Exercise 3")
