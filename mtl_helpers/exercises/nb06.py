"""Checks for the exercises of notebook 06 (sampling tasks and scaling labels)."""

from __future__ import annotations

from mtl_helpers.exercises import check_number


def check_temperature_probability(answer: object) -> str:
    """Exercise 1: p of the first task for sizes (4, 16) at temperature 2."""
    # 4^(1/2) / (4^(1/2) + 16^(1/2)) = 2 / 6 = 1/3.
    return check_number(
        "Exercise 1",
        answer,
        1 / 3,
        "raise each size to the power 1/τ, then divide by the sum of those powers",
    )


def check_row_rate(answer: object) -> str:
    """Exercise 2: how much more often uniform task sampling uses a row of the 10-row task."""
    return check_number(
        "Exercise 2",
        answer,
        5.0,
        "pooled sampling uses each row at rate 1/N; drawing the task with probability p_i, then "
        "one of its n_i rows, gives p_i / n_i",
    )


def check_square_root_temperature(answer: object) -> str:
    """Exercise 3: the temperature at which p_i ∝ √n_i."""
    return check_number("Exercise 3", answer, 2.0, "p_i ∝ n_i^(1/τ); which τ makes 1/τ = 1/2?")
