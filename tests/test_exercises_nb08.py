"""Each exercise check of notebook 08 accepts the right answer, rejects a wrong one."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from mtl_helpers.exercises import nb08
from mtl_helpers.soft_sharing import adam_state_bytes, parameter_bytes


def test_penalty_by_hand() -> None:
    # 0.5 · ((1 − 2)² + (1 − 4)² + (2 − 4)²) = 0.5 · (1 + 9 + 4) = 7
    assert "not answered" in nb08.check_penalty_by_hand(None)
    assert "correct" in nb08.check_penalty_by_hand(7.0)
    with pytest.raises(AssertionError, match="squared differences"):
        nb08.check_penalty_by_hand(14.0)
    with pytest.raises(AssertionError, match=r"^Exercise 1: expected a number, got list"):
        nb08.check_penalty_by_hand([7.0])


def test_schools_agreeing() -> None:
    # Three λ (rows) by four schools (columns); each school's argmin over λ: 1, 1, 0, 2.
    val_errors = torch.tensor([[0.9, 0.8, 0.1, 0.5], [0.2, 0.3, 0.4, 0.6], [0.5, 0.9, 0.7, 0.2]])
    assert "not answered" in nb08.check_schools_agreeing(None, val_errors, 1)
    assert "correct" in nb08.check_schools_agreeing(2, val_errors, 1)
    assert "correct" in nb08.check_schools_agreeing(1, val_errors, 0)
    with pytest.raises(AssertionError, match=r"^Exercise 2: got 3; take the argmin"):
        nb08.check_schools_agreeing(3, val_errors, 1)
    with pytest.raises(AssertionError, match=r"^Exercise 2: expected an int, got float"):
        nb08.check_schools_agreeing(2.0, val_errors, 1)


def test_hard_bytes_matches_a_measured_model() -> None:
    # The expected count is written out in the check; measure it on the real modules, and check
    # that the notebook's T = 64 figure (7720 bytes) follows the same count.
    hard = nn.ModuleList([nn.Linear(2, 8), *(nn.Linear(8, 1) for _ in range(1000))])
    measured = parameter_bytes(hard) + adam_state_bytes(hard)
    assert 12 * (24 + 9 * 64) + 4 * (2 + 2 * 64) == 7720
    assert "not answered" in nb08.check_hard_bytes(None)
    assert "correct" in nb08.check_hard_bytes(measured)
    with pytest.raises(AssertionError, match=r"^Exercise 3: got 108288; each added head"):
        nb08.check_hard_bytes(12 * (24 + 9 * 1000))  # forgot Adam's step counters
    with pytest.raises(AssertionError, match=r"^Exercise 3: expected an int, got float"):
        nb08.check_hard_bytes(float(measured))
