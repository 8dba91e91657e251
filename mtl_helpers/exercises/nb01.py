"""Checks for the exercises of notebook 01 (what a task is)."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from mtl_helpers.exercises import check_int, check_number, not_answered, passed, require


def check_multiple_of_3(answer: torch.Tensor | None, digits: torch.Tensor) -> str:
    """Exercise 1: 0/1 float labels, 1 where the digit is 0, 3, 6 or 9; digits: (n,) int64."""
    exercise = "Exercise 1"
    if answer is None:
        return not_answered(exercise)
    require(
        exercise,
        isinstance(answer, torch.Tensor),
        f"expected a tensor, got {type(answer).__name__}",
    )
    require(
        exercise,
        answer.shape == digits.shape,
        f"expected one label per image, shape {tuple(digits.shape)}, got {tuple(answer.shape)}",
    )
    require(
        exercise,
        answer.is_floating_point(),
        f"expected float 0/1 labels, got dtype {answer.dtype}",
    )
    expected = (digits % 3 == 0).float()
    wrong = int((answer != expected).sum())
    require(
        exercise,
        wrong == 0,
        f"{wrong} labels differ; a digit d is a multiple of 3 when d % 3 == 0: 0, 3, 6 and 9",
    )
    return passed(exercise)


def check_same_label_fraction(answer: float | None, digits: torch.Tensor) -> str:
    """Exercise 2: fraction of images whose parity label equals their multiple-of-3 label."""
    expected = float(((digits % 2).float() == (digits % 3 == 0).float()).float().mean())
    return check_number(
        "Exercise 2",
        answer,
        expected,
        "compare the two 0/1 label tensors element by element and average",
    )


def check_smallest_n(answer: int | None, sizes: Sequence[int], gaps: Sequence[float]) -> str:
    """Exercise 3: the smallest training size whose train-test gap is below 0.2."""
    exercise = "Exercise 3"
    if answer is None:
        return not_answered(exercise)
    below = [n for n, gap in zip(sizes, gaps, strict=True) if gap < 0.2]
    require(exercise, below, "no size has a gap below 0.2 in these results")
    return check_int(exercise, answer, below[0], "look at the printed gaps in section 5")
