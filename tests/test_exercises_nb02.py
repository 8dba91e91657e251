"""Tests for mtl_helpers.exercises.nb02: each check can pass, can fail, and waits for None."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from mtl_helpers.conditioning import ConcatConditioning
from mtl_helpers.exercises import not_answered
from mtl_helpers.exercises.nb02 import (
    check_fraction_losing,
    check_new_task_descriptors,
    check_parameter_counts,
)
from mtl_helpers.models import DescriptorModel, PerTaskModels, count_parameters


def test_parameter_counts_match_the_models_they_describe() -> None:
    assert check_parameter_counts(None) == not_answered("Exercise 1")
    # The counts the check expects are those of real models with 10 features and 100 schools.
    per_task = PerTaskModels(lambda _: nn.Linear(10, 1), n_tasks=100)
    one_hot = DescriptorModel(ConcatConditioning(10, 100, [], 1), torch.eye(100))
    counts = (count_parameters(per_task), count_parameters(one_hot))
    assert counts == (1100, 111)
    assert check_parameter_counts(counts) == "Exercise 1: correct"
    assert check_parameter_counts(list(counts)) == "Exercise 1: correct"
    with pytest.raises(AssertionError, match=r"^Exercise 1: per-task count 1000 is off"):
        check_parameter_counts((1000, 111))  # forgot the biases
    with pytest.raises(AssertionError, match=r"^Exercise 1: one-hot count 11 is off"):
        check_parameter_counts((1100, 11))  # forgot z
    with pytest.raises(AssertionError, match=r"^Exercise 1: expected a pair of ints"):
        check_parameter_counts(1211)
    with pytest.raises(AssertionError, match=r"^Exercise 1: expected an int, got float"):
        check_parameter_counts((1100.0, 111))


def test_new_task_descriptors() -> None:
    assert check_new_task_descriptors(None) == not_answered("Exercise 2")
    assert check_new_task_descriptors({"specification", "text"}) == "Exercise 2: correct"
    with pytest.raises(AssertionError, match=r"got \['one-hot', 'text'\]; which descriptors"):
        check_new_task_descriptors({"text", "one-hot"})
    with pytest.raises(AssertionError, match=r"expected a set of names, got list"):
        check_new_task_descriptors(["text", "specification"])


def test_fraction_losing() -> None:
    gain = torch.tensor([-0.1, 0.2, -0.3, 0.0, 0.5])
    small = torch.tensor([True, True, True, True, False])  # small gains: -0.1, 0.2, -0.3, 0.0
    assert check_fraction_losing(None, gain, small) == not_answered("Exercise 3")
    assert check_fraction_losing(0.5, gain, small) == "Exercise 3: correct"
    # A gain of exactly 0 is not a loss (0.75 would count it), and the large school does not
    # count (2 / 5 = 0.4 would be over all schools).
    for wrong in (0.75, 0.4):
        with pytest.raises(AssertionError, match=r"^Exercise 3: got 0\.\d+; keep the entries"):
            check_fraction_losing(wrong, gain, small)
    # The mean computed with torch may be given as it is.
    assert check_fraction_losing(torch.tensor(0.5), gain, small) == "Exercise 3: correct"
    with pytest.raises(AssertionError, match=r"^Exercise 3: expected a number, got str '0.5'"):
        check_fraction_losing("0.5", gain, small)


def test_descriptor_check_names_an_unknown_descriptor() -> None:
    with pytest.raises(AssertionError, match=r"unknown descriptor name\(s\) \['foo'\]"):
        check_new_task_descriptors({"text", "specification", "foo"})
