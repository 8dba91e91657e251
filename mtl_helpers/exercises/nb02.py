"""Checks for the exercises of notebook 02 (single-task versus multi-task learning)."""

from __future__ import annotations

import torch

from mtl_helpers.exercises import not_answered, passed, require


def check_per_task_parameters(answer: int | None, n_tasks: int, x_dim: int) -> str:
    """Exercise 1: parameters of ``n_tasks`` linear models from ``x_dim`` inputs to one output."""
    if answer is None:
        return not_answered("Exercise 1")
    expected = n_tasks * (x_dim + 1)
    require(
        answer == expected, f"got {answer}; each linear model has one weight per input and one bias"
    )
    return passed("Exercise 1")


def check_new_task_descriptors(answer: set[str] | None) -> str:
    """Exercise 2: the descriptors that describe a task rather than only naming it."""
    if answer is None:
        return not_answered("Exercise 2")
    require(isinstance(answer, set), f"expected a set of names, got {type(answer).__name__}")
    known = {"index", "one-hot", "learned", "text", "specification"}
    unknown = sorted(str(name) for name in answer - known)
    require(not unknown, f"unknown descriptor name(s) {unknown}; choose from {sorted(known)}")
    expected = {"text", "specification"}
    require(
        answer == expected,
        f"got {sorted(answer)}; which descriptors could be written down for a school that was "
        "not in the training data, in terms the model has seen?",
    )
    return passed("Exercise 2")


def check_fraction_gaining(
    answer: float | None, per_task_error: torch.Tensor, shared_error: torch.Tensor
) -> str:
    """Exercise 3: fraction of tasks whose shared-model error is below their own model's."""
    if answer is None:
        return not_answered("Exercise 3")
    expected = float((shared_error < per_task_error).float().mean())
    require(isinstance(answer, (int, float)), f"expected a float, got {type(answer).__name__}")
    require(
        abs(answer - expected) < 1e-3,
        f"got {answer:.4g}; compare the two (T,) error tensors element by element",
    )
    return passed("Exercise 3")
