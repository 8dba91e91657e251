"""Each check of notebook 09's exercises accepts the right answer and rejects wrong ones."""

from __future__ import annotations

import pytest

from mtl_helpers.exercises import NOT_ANSWERED, nb09

CHECKS = [
    # (check, right answer, wrong answers)
    (nb09.check_affinity, -0.22, [-0.625, 0.22, -0.2, "x"]),
    (nb09.check_splits, 90, [729, 121, 90.0, True]),
    (nb09.check_doremi, (0.7, 0.3), [(0.75, 0.25), (0.7,), "0.7, 0.3", ("a", "b")]),
    (nb09.check_clip, "b", ["a", "c", 2]),
]


@pytest.mark.parametrize(("check", "right", "wrong"), CHECKS)
def test_check_accepts_right_and_rejects_wrong(check, right, wrong):
    assert check(None).endswith(NOT_ANSWERED)
    assert check(right).endswith("correct")
    for answer in wrong:
        with pytest.raises(AssertionError):
            check(answer)


def test_doremi_check_accepts_a_list_and_rounding():
    assert nb09.check_doremi([0.70001, 0.29999]).endswith("correct")
    assert nb09.check_clip(" B ").endswith("correct")


def test_clip_check_asks_for_one_of_the_three_letters() -> None:
    with pytest.raises(AssertionError, match=r"expected 'a', 'b' or 'c', got 'd'"):
        nb09.check_clip("d")
