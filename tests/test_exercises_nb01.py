"""Tests for mtl_helpers.exercises.nb01: each check can pass, can fail, and waits for None."""

from __future__ import annotations

import pytest
import torch

from mtl_helpers.exercises import NOT_ANSWERED, not_answered, passed
from mtl_helpers.exercises.nb01 import (
    check_multiple_of_3,
    check_same_label_fraction,
    check_smallest_n,
)

DIGITS = torch.tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])


def test_messages() -> None:
    assert not_answered("Exercise 9") == f"Exercise 9: {NOT_ANSWERED}"
    assert "replace None" in NOT_ANSWERED
    assert passed("Exercise 9") == "Exercise 9: correct"


def test_multiple_of_3() -> None:
    assert check_multiple_of_3(None, DIGITS) == not_answered("Exercise 1")
    # 0, 3, 6 and 9 are multiples of 3.
    right = torch.tensor([1.0, 0, 0, 1, 0, 0, 1, 0, 0, 1])
    assert check_multiple_of_3(right, DIGITS) == "Exercise 1: correct"


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        # Forgetting that 0 is a multiple of 3: one label differs.
        (
            torch.tensor([0.0, 0, 0, 1, 0, 0, 1, 0, 0, 1]),
            r"^Exercise 1: 1 labels differ; a digit d is a multiple of 3 when d % 3 == 0",
        ),
        (torch.tensor([1, 0, 0, 1, 0, 0, 1, 0, 0, 1]), r"expected float 0/1 labels"),
        (torch.ones(9), r"expected one label per image, shape \(10,\), got \(9,\)"),
        ([1.0, 0.0], r"expected a tensor, got list"),
    ],
)
def test_multiple_of_3_wrong_answers(answer: object, message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        check_multiple_of_3(answer, DIGITS)


def test_same_label_fraction() -> None:
    assert check_same_label_fraction(None, DIGITS) == not_answered("Exercise 2")
    # Digits 0..9: parity 0101010101, multiple of 3 1001001001; they agree at 2, 3, 4, 8, 9,
    # so the fraction is 5 / 10.
    assert check_same_label_fraction(0.5, DIGITS) == "Exercise 2: correct"
    assert check_same_label_fraction(0.5004, DIGITS) == "Exercise 2: correct"
    with pytest.raises(AssertionError, match=r"got 0.502; compare the two 0/1 label tensors"):
        check_same_label_fraction(0.502, DIGITS)
    with pytest.raises(AssertionError, match=r"got 0.3; compare the two 0/1 label tensors"):
        check_same_label_fraction(0.3, DIGITS)
    with pytest.raises(AssertionError, match=r"^Exercise 2: expected a number, got str"):
        check_same_label_fraction("0.5", DIGITS)


def test_smallest_n() -> None:
    sizes = [10, 30, 100, 300]
    gaps = [0.5, 0.25, 0.15, 0.05]
    assert check_smallest_n(None, sizes, gaps) == not_answered("Exercise 3")
    assert check_smallest_n(100, sizes, gaps) == "Exercise 3: correct"
    with pytest.raises(AssertionError, match=r"got 300; look at the printed gaps"):
        check_smallest_n(300, sizes, gaps)
    with pytest.raises(AssertionError, match=r"no size has a gap below 0.2"):
        check_smallest_n(10, sizes, [0.5, 0.4, 0.3, 0.2])
