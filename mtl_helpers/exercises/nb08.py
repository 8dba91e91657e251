"""Checks for the exercises of notebook 08 (soft parameter sharing)."""

from __future__ import annotations

import torch

from mtl_helpers.exercises import (
    check_int,
    check_number,
)


def check_penalty_by_hand(answer: float | None) -> str:
    """Exercise 1: λ Σ_{i<j} (θ_i − θ_j)² for θ = 1, 2, 4 and λ = 0.5."""
    return check_number(
        "Exercise 1",
        answer,
        0.5 * ((1 - 2) ** 2 + (1 - 4) ** 2 + (2 - 4) ** 2),
        "add the squared differences of the three pairs, then multiply by λ",
        abs_tol=1e-6,
    )


def check_schools_agreeing(answer: int | None, val_errors: torch.Tensor, chosen: int) -> str:
    """Exercise 2: how many schools' own best λ (argmin of ``val_errors``, (L, T)) is ``chosen``."""
    return check_int(
        "Exercise 2",
        answer,
        int((val_errors.argmin(dim=0) == chosen).sum()),
        "take the argmin of val_errors over the λ axis (dim=0) and count the schools where it "
        "equals best",
    )


def check_hard_bytes(answer: int | None) -> str:
    """Exercise 3: bytes of parameters and Adam state of hard sharing (2 → 8, 8 → 1), T = 1000."""
    # Parameters: trunk 2·8 + 8 = 24, each head 8 + 1 = 9, so 24 + 9000 = 9024 numbers, each
    # stored once as a value and twice in Adam's moments: 3 · 4 bytes = 12 bytes per number.
    # Adam also keeps one 4-byte step counter per parameter tensor: 2 + 2 · 1000 = 2002 tensors.
    return check_int(
        "Exercise 3",
        answer,
        12 * (24 + 9 * 1000) + 4 * (2 + 2 * 1000),
        "each added head adds the same number of bytes: find it from two rows of the table in "
        "section 4, or count 12 bytes per parameter plus Adam's 4-byte step counter per "
        "parameter tensor",
    )
