"""Tests for mtl_helpers.exercises.nb05: each check waits for None, passes and can fail."""

from __future__ import annotations

import math

import pytest

from mtl_helpers.exercises import not_answered, passed
from mtl_helpers.exercises.nb05 import check_dro_step, check_uncertainty_minimum, check_unit_factor


def test_unit_factor() -> None:
    assert check_unit_factor(None) == not_answered("Exercise 1")
    # An error of e kg is 1000 e g; squared: 1000² = 1e6.
    assert check_unit_factor(1e6) == passed("Exercise 1")
    assert check_unit_factor(1_000_000) == passed("Exercise 1")
    with pytest.raises(AssertionError, match=r"^Exercise 1: got 1000\.0; .*squares it"):
        check_unit_factor(1000)
    with pytest.raises(AssertionError, match="expected a number, got str"):
        check_unit_factor("1e6")


def test_uncertainty_minimum() -> None:
    exercise = "Exercise 2"
    assert check_uncertainty_minimum(None) == not_answered(exercise)
    # s* = log 0.1 = −2.302585; value ½ (1 + log 0.1) = −0.651293.
    assert check_uncertainty_minimum((math.log(0.1), -0.651293)) == passed(exercise)
    assert check_uncertainty_minimum([-2.3026, -0.6513]) == passed(exercise)
    with pytest.raises(
        AssertionError, match=r"^Exercise 2: got s = .*, which is not the minimiser"
    ):
        check_uncertainty_minimum((0.1, -0.6513))
    with pytest.raises(AssertionError, match=r"^Exercise 2: got the value 0\.5; put your s back"):
        check_uncertainty_minimum((-2.3026, 0.5))
    with pytest.raises(AssertionError, match=r"expected a pair \(s, value\)"):
        check_uncertainty_minimum(-2.3026)


def test_dro_step() -> None:
    exercise = "Exercise 3"
    assert check_dro_step(None) == not_answered(exercise)
    # (0.5 e¹, 0.5 e²) / (0.5 e + 0.5 e²) = (1/(1+e), e/(1+e)) = (0.2689, 0.7311).
    assert check_dro_step((0.2689, 0.7311)) == passed(exercise)
    with pytest.raises(
        AssertionError, match=r"^Exercise 3: got \(0.3333, 0.6667\); multiply each weight"
    ):
        check_dro_step((1 / 3, 2 / 3))  # forgot the exponential: weights ∝ losses
    with pytest.raises(AssertionError, match="expected two weights"):
        check_dro_step((0.2, 0.3, 0.5))
    with pytest.raises(AssertionError, match="expected a number, got NoneType"):
        check_dro_step((None, 0.7))
