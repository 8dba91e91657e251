"""Checks for the exercises of notebook 04 (architectures between all and nothing shared)."""

from __future__ import annotations

from mtl_helpers.exercises import as_int, not_answered, passed, require


def check_identity_stitch(answer: str | None) -> str:
    """Exercise 1: cross-stitch with every α = I computes the independent networks."""
    if answer is None:
        return not_answered("Exercise 1")
    require(isinstance(answer, str), f"expected a name (str), got {type(answer).__name__}")
    require(
        answer.strip().lower() in ("independent", "independent networks"),
        f"got {answer!r}; with α = I, what does task t read from the other column?",
    )
    return passed("Exercise 1")


def check_stitch_parameters(answer: int | None) -> str:
    """Exercise 2: CrossStitchNet(96, [64, 64, 64], [10, 10, 10]) has 3 units of 3×3 entries."""
    if answer is None:
        return not_answered("Exercise 2")
    as_int("Exercise 2", answer)
    # One (T, T) unit after each of the 3 hidden layers, T = 3 tasks: 3 · 3 · 3 = 27.
    require(answer == 27, f"got {answer}; one (T, T) matrix follows every hidden layer")
    return passed("Exercise 2")


def check_third_task_cost(answer: int | None) -> str:
    """Exercise 3: a third task adds one head Linear(64, 10) to HardSharing(96, [64, 64], ...)."""
    if answer is None:
        return not_answered("Exercise 3")
    as_int("Exercise 3", answer)
    # The trunk is shared; a new head has a (10, 64) weight and a (10,) bias: 640 + 10 = 650.
    require(answer == 650, f"got {answer}; only a new head is added, the trunk is shared")
    return passed("Exercise 3")
