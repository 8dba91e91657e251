"""Notebook 03's exercise checks: right answers pass, wrong ones fail, None waits."""

from __future__ import annotations

import pytest

from mtl_helpers.conditioning import ConcatConditioning, MultiHeadConditioning
from mtl_helpers.exercises import nb03
from mtl_helpers.models import count_parameters


def test_concat_cost() -> None:
    assert "not answered" in nb03.check_concat_cost(None)
    # The answer is what one more task really adds to the model the exercise names.
    cost = count_parameters(ConcatConditioning(2, 4, [16, 16], 1)) - count_parameters(
        ConcatConditioning(2, 3, [16, 16], 1)
    )
    assert nb03.check_concat_cost(cost) == "Exercise 1: correct"
    with pytest.raises(AssertionError, match="got 17"):
        nb03.check_concat_cost(17)
    with pytest.raises(AssertionError, match="expected an int, got str"):
        nb03.check_concat_cost("16")


def test_head_cost() -> None:
    assert "not answered" in nb03.check_head_cost(None)
    cost = count_parameters(MultiHeadConditioning(2, 4, [16, 16], 3)) - count_parameters(
        MultiHeadConditioning(2, 3, [16, 16], 3)
    )
    assert nb03.check_head_cost(cost) == "Exercise 2: correct"
    with pytest.raises(AssertionError, match="got 48"):
        nb03.check_head_cost(48)
    with pytest.raises(AssertionError, match="expected an int, got bool"):
        nb03.check_head_cost(True)


def test_film_without_scale() -> None:
    assert "not answered" in nb03.check_film_without_scale(None)
    assert nb03.check_film_without_scale("additive") == "Exercise 3: correct"
    assert nb03.check_film_without_scale("concat") == "Exercise 3: correct"
    with pytest.raises(AssertionError, match="got 'gating'"):
        nb03.check_film_without_scale("gating")
    with pytest.raises(AssertionError, match="expected one of concat, additive"):
        nb03.check_film_without_scale("bias")
