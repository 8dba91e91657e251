"""Checks for the exercises of notebook 03 (conditioning a network on the task)."""

from __future__ import annotations

from mtl_helpers.conditioning import CONDITIONING_KINDS
from mtl_helpers.exercises import check_int, not_answered, passed, require


def check_concat_cost(answer: int | None) -> str:
    """Exercise 1: parameters one more task adds to ConcatConditioning(2, T, [16, 16], 1)."""
    # One more entry of z adds one more input column to the first layer: 16 weights, no bias.
    return check_int(
        "Exercise 1",
        answer,
        16,
        "z_i only meets the first layer, through one column of its weight matrix",
    )


def check_head_cost(answer: int | None) -> str:
    """Exercise 2: parameters one more task adds to MultiHeadConditioning(2, T, [16, 16], 3)."""
    # One more head: a (3, 16) weight and a (3,) bias, 16 * 3 + 3 = 51.
    return check_int("Exercise 2", answer, 51, "a head maps the trunk's 16 features to 3 outputs")


def check_film_without_scale(answer: str | None) -> str:
    """Exercise 3: FiLM with every γ fixed to 1 conditions each hidden layer additively."""
    exercise = "Exercise 3"
    if answer is None:
        return not_answered(exercise)
    require(
        exercise,
        answer in CONDITIONING_KINDS,
        f"expected one of {', '.join(CONDITIONING_KINDS)}, got {answer!r}",
    )
    # With γ = 1 a layer is ReLU(W h + b + β(z)): β(z) = W_β z + b_β is added before the ReLU,
    # the additive form (equal to concatenating z to that layer's input).
    require(
        exercise,
        answer in ("additive", "concat"),
        f"got {answer!r}; write out ReLU(γ(z) ⊙ (W h + b) + β(z)) with γ(z) = 1",
    )
    return passed(exercise)
