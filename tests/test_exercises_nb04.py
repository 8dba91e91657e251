"""Notebook 04's exercise checks: right answers pass, wrong ones fail, None waits."""

from __future__ import annotations

import pytest

from mtl_helpers.architectures import CrossStitchNet, HardSharing
from mtl_helpers.exercises import nb04
from mtl_helpers.models import count_parameters


def test_identity_stitch() -> None:
    assert "not answered" in nb04.check_identity_stitch(None)
    assert nb04.check_identity_stitch("independent") == "Exercise 1: correct"
    assert nb04.check_identity_stitch("Independent networks") == "Exercise 1: correct"
    with pytest.raises(AssertionError, match="got 'hard sharing'"):
        nb04.check_identity_stitch("hard sharing")
    with pytest.raises(AssertionError, match="expected a name"):
        nb04.check_identity_stitch(1)


def test_stitch_parameters() -> None:
    assert "not answered" in nb04.check_stitch_parameters(None)
    model = CrossStitchNet(96, [64, 64, 64], [10, 10, 10])
    answer = sum(s.numel() for s in model.stitches)
    assert nb04.check_stitch_parameters(answer) == "Exercise 2: correct"
    with pytest.raises(AssertionError, match="got 12"):
        nb04.check_stitch_parameters(12)
    with pytest.raises(AssertionError, match="expected an int"):
        nb04.check_stitch_parameters(27.0)


def test_third_task_cost() -> None:
    assert "not answered" in nb04.check_third_task_cost(None)
    cost = count_parameters(HardSharing(96, [64, 64], [10, 10, 10])) - count_parameters(
        HardSharing(96, [64, 64], [10, 10])
    )
    assert nb04.check_third_task_cost(cost) == "Exercise 3: correct"
    with pytest.raises(AssertionError, match="got 640"):
        nb04.check_third_task_cost(640)
