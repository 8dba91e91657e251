"""Checks for the exercises of notebook 07 (negative transfer and gradient surgery)."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from mtl_helpers.exercises import (
    as_number,
    as_pair,
    check_int,
    check_number,
    not_answered,
    passed,
    require,
)
from mtl_helpers.gradients import min_norm_weights, pcgrad


def check_pcgrad_by_hand(answer: Sequence[float] | None) -> str:
    """Exercise 1: PCGrad's summed direction for g_1 = (2, 0), g_2 = (−1, 1)."""
    exercise = "Exercise 1"
    if answer is None:
        return not_answered(exercise)
    pair = as_pair(exercise, answer, "two numbers such as (0.5, 1.5)")
    expected = pcgrad(torch.tensor([[2.0, 0.0], [-1.0, 1.0]], dtype=torch.float64))
    got = torch.tensor([as_number(exercise, v) for v in pair], dtype=torch.float64)
    require(
        exercise,
        torch.allclose(got, expected, atol=1e-3),
        f"got {answer}; project each gradient onto the plane normal to the other, "
        "g_i − (g_i·g_j / ‖g_j‖²) g_j, then add the two",
    )
    return passed(exercise)


def check_mgda_weight(answer: float | None) -> str:
    """Exercise 2: MGDA's weight on g_1 for g_1 = (1, 0), g_2 = (0, 2)."""
    grads = torch.tensor([[1.0, 0.0], [0.0, 2.0]], dtype=torch.float64)
    return check_number(
        "Exercise 2",
        answer,
        float(min_norm_weights((grads @ grads.T).numpy())[0]),
        "use w_1 = (‖g_2‖² − g_1·g_2) / ‖g_1 − g_2‖², clipped to [0, 1]",
    )


def check_smallest_hurting_angle(
    answer: int | None, angles: Sequence[float], gaps_at_largest_n: Sequence[float]
) -> str:
    """Exercise 3: the smallest angle whose gap at the largest n is positive."""
    exercise = "Exercise 3"
    if answer is None:
        return not_answered(exercise)
    hurting = [a for a, gap in zip(angles, gaps_at_largest_n, strict=True) if gap > 0]
    require(exercise, hurting, "no angle has a positive gap in these results")
    return check_int(
        exercise,
        answer,
        int(hurting[0]),
        "gaps[:, -1] holds the gap of each angle at the largest n; find the first one above 0",
    )
