"""Checks for the exercises of notebook 02 (single-task versus multi-task learning)."""

from __future__ import annotations

import torch

from mtl_helpers.exercises import (
    as_int,
    as_pair,
    check_number,
    not_answered,
    passed,
    require,
)


def check_parameter_counts(answer: tuple[int, int] | None) -> str:
    """Exercise 1: (per-task, one-hot) parameter counts for 10 input features and 100 schools."""
    exercise = "Exercise 1"
    if answer is None:
        return not_answered(exercise)
    pair = as_pair(exercise, answer, "a pair of ints (per_task, one_hot)")
    per_task, one_hot = (as_int(exercise, part) for part in pair)
    # Per task: 100 models with 10 weights and 1 bias each, 100 · 11 = 1100.
    require(
        exercise,
        per_task == 100 * (10 + 1),
        f"per-task count {per_task} is off; each school's linear model has one weight per "
        "feature and one bias",
    )
    # One-hot: one linear layer on [x; z] with 10 + 100 inputs and one bias, 111.
    require(
        exercise,
        one_hot == 10 + 100 + 1,
        f"one-hot count {one_hot} is off; one linear layer reads the 10 features and the "
        "100 entries of z, plus one bias",
    )
    return passed(exercise)


def check_new_task_descriptors(answer: set[str] | None) -> str:
    """Exercise 2: the descriptors that describe a task rather than only naming it."""
    exercise = "Exercise 2"
    if answer is None:
        return not_answered(exercise)
    require(
        exercise,
        isinstance(answer, set),
        f"expected a set of names, got {type(answer).__name__}",
    )
    known = {"index", "one-hot", "learned", "text", "specification"}
    unknown = sorted(str(name) for name in answer - known)
    require(
        exercise,
        not unknown,
        f"unknown descriptor name(s) {unknown}; choose from {sorted(known)}",
    )
    expected = {"text", "specification"}
    require(
        exercise,
        answer == expected,
        f"got {sorted(answer)}; which descriptors could be written down for a school that was "
        "not in the training data, in terms the model has seen?",
    )
    return passed(exercise)


def check_fraction_losing(answer: float | None, gain: torch.Tensor, small: torch.Tensor) -> str:
    """Exercise 3: the fraction of the small schools (``small``, (T,) bool) with ``gain`` < 0."""
    return check_number(
        "Exercise 3",
        answer,
        float((gain[small] < 0).float().mean()),
        "keep the entries of gain where small is True, then take the fraction of them below 0",
    )
