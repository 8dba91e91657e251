"""Tests for mtl_helpers.exercises.nb06: each check waits for None, passes and can fail."""

from __future__ import annotations

import pytest

from mtl_helpers.exercises import not_answered, passed
from mtl_helpers.exercises.nb06 import (
    check_row_rate,
    check_square_root_temperature,
    check_temperature_probability,
)


def test_temperature_probability() -> None:
    exercise = "Exercise 1"
    assert check_temperature_probability(None) == not_answered(exercise)
    # √4 = 2, √16 = 4: p = 2 / (2 + 4) = 1/3.
    assert check_temperature_probability(1 / 3) == passed(exercise)
    assert check_temperature_probability(0.3333) == passed(exercise)
    with pytest.raises(AssertionError, match=r"^Exercise \d: got 0\.2; "):
        check_temperature_probability(0.2)  # 4 / 20: proportional, T = 1
    with pytest.raises(AssertionError, match="expected a number, got list"):
        check_temperature_probability([1 / 3, 2 / 3])


def test_row_rate() -> None:
    exercise = "Exercise 2"
    assert check_row_rate(None) == not_answered(exercise)
    # Pooled: 1/100 per row. Uniform: 0.5 / 10 = 1/20 per row of the small task: 5 times.
    assert check_row_rate(5) == passed(exercise)
    with pytest.raises(AssertionError, match=r"^Exercise \d: got 0\.2; "):
        check_row_rate(0.2)
    with pytest.raises(AssertionError, match="expected a number, got bool"):
        check_row_rate(True)


def test_square_root_temperature() -> None:
    exercise = "Exercise 3"
    assert check_square_root_temperature(None) == not_answered(exercise)
    # n^(1/τ) = n^(1/2) when τ = 2.
    assert check_square_root_temperature(2) == passed(exercise)
    with pytest.raises(AssertionError, match=r"^Exercise 3: got 0\.5; "):
        check_square_root_temperature(0.5)
