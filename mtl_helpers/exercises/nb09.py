"""Checks for the exercises of notebook 09 (task grouping and data-mixture weights)."""

from __future__ import annotations

import math

from mtl_helpers.exercises import (
    as_number,
    as_pair,
    check_int,
    check_number,
    not_answered,
    passed,
    require,
)


def check_affinity(answer: float | None) -> str:
    """Exercise 1: Z[3, 1] for L_1 = (θ − 1)² + 1, L_3 = (θ + 1)² + 1 at θ = 0, η = 0.1."""
    # ∇L_3(0) = 2, so θ moves to −0.2; L_1 goes from 2 to 1.2² + 1 = 2.44, and
    # 1 − 2.44 / 2 = −0.22.
    return check_number(
        "Exercise 1",
        answer,
        -0.22,
        "step θ against the gradient of L_3, then compare L_1 before and after",
        abs_tol=1e-6,
    )


def check_splits(answer: int | None) -> str:
    """Exercise 2: the number of splits of 6 tasks into 3 non-empty groups, S(6, 3)."""
    # S(6, 3) = (3^6 − 3 · 2^6 + 3 · 1^6) / 3! = (729 − 192 + 3) / 6 = 90.
    return check_int(
        "Exercise 2",
        answer,
        90,
        "groups have no order and no group may be empty (3^6 / 3! over-counts)",
    )


def check_doremi(answer: tuple[float, float] | list[float] | None) -> str:
    """Exercise 3: one DoReMi step from (0.5, 0.5) with excess (ln 3, 0), η = 1, c = 0.2."""
    exercise = "Exercise 3"
    if answer is None:
        return not_answered(exercise)
    pair = as_pair(exercise, answer, "a pair of numbers")
    answer = tuple(as_number(exercise, value) for value in pair)
    # Before smoothing: (0.5 · 3, 0.5 · 1) / 2 = (0.75, 0.25); then 0.8 · that + 0.2 · 0.5.
    expected = (0.7, 0.3)
    require(
        exercise,
        all(math.isclose(a, e, abs_tol=1e-4) for a, e in zip(answer, expected, strict=True)),
        f"got {tuple(answer)}; multiply by exp(η λ), normalise, then mix in c of the uniform",
    )
    return passed(exercise)


def check_clip(answer: str | None) -> str:
    """Exercise 4: why the excess loss is clipped at zero (a letter)."""
    exercise = "Exercise 4"
    if answer is None:
        return not_answered(exercise)
    require(
        exercise,
        isinstance(answer, str) and answer.strip().lower() in {"a", "b", "c"},
        f"expected 'a', 'b' or 'c', got {answer!r}",
    )
    require(
        exercise,
        answer.strip().lower() == "b",
        f"got {answer!r}; exp(η λ) is positive for any λ, and losses are finite either way: think "
        "of what a negative per-symbol excess would do to its domain's average",
    )
    return passed(exercise)
