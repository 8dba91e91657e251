"""Exercise checks keep rejecting wrong answers when Python runs with -O (asserts stripped)."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
from mtl_helpers.exercises import nb01, nb02, nb03, nb04, nb05, nb06, nb07, nb08, nb09
import torch
wrong = [
    lambda: nb02.check_parameter_counts((1, 1)),
    lambda: nb03.check_concat_cost(17),
    lambda: nb04.check_stitch_parameters(1),
    lambda: nb05.check_unit_factor(3.0),
    lambda: nb06.check_square_root_temperature(3.0),
    lambda: nb07.check_mgda_weight(0.2),
    lambda: nb08.check_penalty_by_hand(-1.0),
    lambda: nb09.check_splits(15),
    lambda: nb01.check_same_label_fraction(0.0, torch.arange(10)),
]
caught = 0
for call in wrong:
    try:
        call()
    except AssertionError:
        caught += 1
print(caught, len(wrong))
"""


def test_wrong_answers_fail_even_without_asserts() -> None:
    result = subprocess.run(
        [sys.executable, "-O", "-c", SCRIPT], capture_output=True, text=True, check=True
    )
    caught, total = result.stdout.split()
    assert caught == total, f"only {caught} of {total} wrong answers were rejected under -O"
