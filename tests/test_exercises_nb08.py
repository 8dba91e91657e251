"""Each exercise check of notebook 08 accepts the right answer, rejects a wrong one."""

from __future__ import annotations

import pytest

from mtl_helpers.exercises import nb08


def test_penalty_by_hand() -> None:
    # 0.5 · ((1 − 2)² + (1 − 4)² + (2 − 4)²) = 0.5 · (1 + 9 + 4) = 7
    assert "not answered" in nb08.check_penalty_by_hand(None)
    assert "correct" in nb08.check_penalty_by_hand(7.0)
    with pytest.raises(AssertionError, match="squared differences"):
        nb08.check_penalty_by_hand(14.0)
    with pytest.raises(AssertionError, match="expected a float, got list"):
        nb08.check_penalty_by_hand([7.0])


def test_best_lambda() -> None:
    lams, errors = [0.0, 0.1, 1.0], [0.7, 0.5, 0.6]
    assert "not answered" in nb08.check_best_lambda(None, lams, errors)
    assert "correct" in nb08.check_best_lambda(0.1, lams, errors)
    with pytest.raises(AssertionError, match=r"got 1\.0"):
        nb08.check_best_lambda(1.0, lams, errors)


def test_hard_bytes() -> None:
    assert "not answered" in nb08.check_hard_bytes(None, 7720)
    assert "correct" in nb08.check_hard_bytes(7720, 7720)
    with pytest.raises(AssertionError, match="got 26368"):
        nb08.check_hard_bytes(26368, 7720)
    with pytest.raises(AssertionError, match="expected an int, got float"):
        nb08.check_hard_bytes(7720.0, 7720)
