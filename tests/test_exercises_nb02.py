"""Tests for mtl_helpers.exercises.nb02: each check can pass, can fail, and waits for None."""

from __future__ import annotations

import pytest
import torch

from mtl_helpers.exercises import not_answered
from mtl_helpers.exercises.nb02 import (
    check_fraction_gaining,
    check_new_task_descriptors,
    check_per_task_parameters,
)


def test_per_task_parameters() -> None:
    assert check_per_task_parameters(None, n_tasks=65, x_dim=2) == not_answered("Exercise 1")
    # 65 schools x (2 weights + 1 bias) = 195.
    assert check_per_task_parameters(195, n_tasks=65, x_dim=2) == "Exercise 1: correct"
    with pytest.raises(AssertionError, match=r"got 130; each linear model has one weight"):
        check_per_task_parameters(130, n_tasks=65, x_dim=2)


def test_new_task_descriptors() -> None:
    assert check_new_task_descriptors(None) == not_answered("Exercise 2")
    assert check_new_task_descriptors({"specification", "text"}) == "Exercise 2: correct"
    with pytest.raises(AssertionError, match=r"got \['one-hot', 'text'\]; which descriptors"):
        check_new_task_descriptors({"text", "one-hot"})
    with pytest.raises(AssertionError, match=r"expected a set of names, got list"):
        check_new_task_descriptors(["text", "specification"])


def test_fraction_gaining() -> None:
    per_task = torch.tensor([1.0, 2.0, 3.0, 4.0])
    shared = torch.tensor([0.5, 2.5, 2.0, 4.0])  # better on tasks 0 and 2: 2 / 4
    assert check_fraction_gaining(None, per_task, shared) == not_answered("Exercise 3")
    assert check_fraction_gaining(0.5, per_task, shared) == "Exercise 3: correct"
    # A tie (task 3) is not a gain, so 0.75 is wrong.
    with pytest.raises(AssertionError, match=r"got 0.75; compare the two \(T,\) error tensors"):
        check_fraction_gaining(0.75, per_task, shared)
    with pytest.raises(AssertionError, match=r"expected a float, got Tensor"):
        check_fraction_gaining(torch.tensor(0.5), per_task, shared)


def test_descriptor_check_names_an_unknown_descriptor() -> None:
    with pytest.raises(AssertionError, match=r"unknown descriptor name\(s\) \['foo'\]"):
        check_new_task_descriptors({"text", "specification", "foo"})
