"""Each exercise check of notebook 07 accepts the right answer, rejects a wrong one."""

from __future__ import annotations

import pytest

from mtl_helpers.exercises import nb07


def test_pcgrad_by_hand() -> None:
    # g1·g2 = −2: g1^PC = (2, 0) + (−1, 1) = (1, 1); g2^PC = (−1, 1) + ½(2, 0) = (0, 1); sum (1, 2)
    assert "not answered" in nb07.check_pcgrad_by_hand(None)
    assert "correct" in nb07.check_pcgrad_by_hand([1.0, 2.0])
    with pytest.raises(AssertionError, match="project each gradient"):
        nb07.check_pcgrad_by_hand([1.0, 1.0])
    with pytest.raises(AssertionError, match="expected two numbers"):
        nb07.check_pcgrad_by_hand([1.0])


def test_mgda_weight() -> None:
    # w1 = (‖g2‖² − g1·g2) / ‖g1 − g2‖² = (4 − 0) / (1 + 4) = 0.8
    assert "not answered" in nb07.check_mgda_weight(None)
    assert "correct" in nb07.check_mgda_weight(0.8)
    with pytest.raises(AssertionError, match="clipped to"):
        nb07.check_mgda_weight(0.2)
    with pytest.raises(AssertionError, match=r"^Exercise 2: expected a number, got str"):
        nb07.check_mgda_weight("0.8")


def test_smallest_hurting_angle() -> None:
    angles, gaps = [0, 30, 60, 90], [-0.1, 0.02, 0.2, 0.5]
    assert "not answered" in nb07.check_smallest_hurting_angle(None, angles, gaps)
    assert "correct" in nb07.check_smallest_hurting_angle(30, angles, gaps)
    with pytest.raises(AssertionError, match="got 60"):
        nb07.check_smallest_hurting_angle(60, angles, gaps)
    with pytest.raises(AssertionError, match="no angle has a positive gap"):
        nb07.check_smallest_hurting_angle(0, angles, [-1.0] * 4)


def test_pcgrad_check_asks_for_two_numbers_when_given_one() -> None:
    with pytest.raises(AssertionError, match="expected two numbers"):
        nb07.check_pcgrad_by_hand(1.0)
