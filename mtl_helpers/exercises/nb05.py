"""Checks for the exercises of notebook 05 (how much each task counts)."""

from __future__ import annotations

import math

from mtl_helpers.exercises import as_number, as_pair, check_number, not_answered, passed, require


def check_unit_factor(answer: object) -> str:
    """Exercise 1: a mass loss in grams² against the same loss in kilograms²."""
    return check_number(
        "Exercise 1",
        answer,
        1e6,
        "a prediction error of e kg is 1000 e g, and the mean squared error squares it",
        rel_tol=1e-6,
    )


def check_uncertainty_minimum(answer: object) -> str:
    """Exercise 2: (s*, value) minimising ½ e^(−s) L + ½ s for L = 0.1."""
    exercise = "Exercise 2"
    if answer is None:
        return not_answered(exercise)
    pair = as_pair(exercise, answer, "a pair (s, value)")
    s, value = (as_number(exercise, part) for part in pair)
    require(
        exercise,
        math.isclose(s, math.log(0.1), abs_tol=1e-3),
        f"got s = {s:.4g}, which is not the minimiser; set the derivative −½ e^(−s) L + ½ to "
        "zero and solve for s",
    )
    require(
        exercise,
        math.isclose(value, 0.5 * (1 + math.log(0.1)), abs_tol=1e-3),
        f"got the value {value:.4g}; put your s back into ½ e^(−s) L + ½ s",
    )
    return passed(exercise)


def check_dro_step(answer: object) -> str:
    """Exercise 3: the group-DRO weights after one step from (0.5, 0.5), losses (1, 2), η = 1."""
    exercise = "Exercise 3"
    if answer is None:
        return not_answered(exercise)
    pair = as_pair(exercise, answer, "two weights")
    first, second = (as_number(exercise, part) for part in pair)
    expected = (1 / (1 + math.e), math.e / (1 + math.e))
    require(
        exercise,
        math.isclose(first, expected[0], abs_tol=1e-3)
        and math.isclose(second, expected[1], abs_tol=1e-3),
        f"got ({first:.4g}, {second:.4g}); multiply each weight by exp(η L_i), then divide by "
        "the sum so the weights add up to 1",
    )
    return passed(exercise)
