"""Checks for the exercises of notebook 06 (sampling tasks and scaling labels)."""

from __future__ import annotations

import math

from mtl_helpers.exercises import as_number, not_answered, passed, require


def check_temperature_probability(answer: object) -> str:
    """Exercise 1: p of the first task for sizes (4, 16) at temperature 2."""
    exercise = "Exercise 1"
    if answer is None:
        return not_answered(exercise)
    value = as_number(exercise, answer)
    require(
        exercise,
        math.isclose(value, 1 / 3, abs_tol=1e-3),
        f"{value:.4g} is not it. Raise each size to the power 1/τ, then divide by the sum of "
        "those powers.",
    )
    return passed(exercise)


def check_row_rate(answer: object) -> str:
    """Exercise 2: how much more often uniform task sampling uses a row of the 10-row task."""
    exercise = "Exercise 2"
    if answer is None:
        return not_answered(exercise)
    value = as_number(exercise, answer)
    require(
        exercise,
        math.isclose(value, 5.0, rel_tol=1e-6),
        f"{value:.4g} is not it. Pooled sampling uses each row at rate 1/N; drawing the task "
        "with probability p_i, then one of its n_i rows, gives p_i / n_i.",
    )
    return passed(exercise)


def check_square_root_temperature(answer: object) -> str:
    """Exercise 3: the temperature at which p_i ∝ √n_i."""
    exercise = "Exercise 3"
    if answer is None:
        return not_answered(exercise)
    value = as_number(exercise, answer)
    require(
        exercise,
        math.isclose(value, 2.0, rel_tol=1e-6),
        f"{value:.4g} is not it. p_i ∝ n_i^(1/τ); which τ makes 1/τ = 1/2?",
    )
    return passed(exercise)
