"""Checks for the exercises of notebook 04 (architectures between all and nothing shared)."""

from __future__ import annotations

from mtl_helpers.exercises import check_int, not_answered, passed, require


def check_identity_stitch(answer: str | None) -> str:
    """Exercise 1: cross-stitch with every α = I computes the independent networks."""
    exercise = "Exercise 1"
    if answer is None:
        return not_answered(exercise)
    require(
        exercise, isinstance(answer, str), f"expected a name (str), got {type(answer).__name__}"
    )
    require(
        exercise,
        answer.strip().lower() in ("independent", "independent networks"),
        f"got {answer!r}; with α = I, what does task t read from the other column?",
    )
    return passed(exercise)


def check_stitch_parameters(answer: int | None) -> str:
    """Exercise 2: CrossStitchNet(96, [64, 64, 64], [10, 10, 10]) has 3 units of 3×3 entries."""
    # One (T, T) unit after each of the 3 hidden layers, T = 3 tasks: 3 · 3 · 3 = 27.
    return check_int("Exercise 2", answer, 27, "one (T, T) matrix follows every hidden layer")


def check_third_task_cost(answer: int | None) -> str:
    """Exercise 3: a third task adds one head Linear(64, 10) to HardSharing(96, [64, 64], ...)."""
    # The trunk is shared; a new head has a (10, 64) weight and a (10,) bias: 640 + 10 = 650.
    return check_int("Exercise 3", answer, 650, "only a new head is added, the trunk is shared")
