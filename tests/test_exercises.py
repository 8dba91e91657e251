"""Rules every exercise check follows, checked over all of them at once."""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Callable

import pytest
import torch

from mtl_helpers.exercises import (
    NOT_ANSWERED,
    as_int,
    as_number,
    as_pair,
    check_int,
    check_number,
    nb01,
    nb05,
    nb07,
    not_answered,
    passed,
    require,
)
from mtl_helpers.weighting import group_dro_weights

MODULES = [f"mtl_helpers.exercises.nb{number:02d}" for number in range(1, 10)]
# Values for the arguments a check takes besides the answer, by argument name.
CONTEXT = {
    "digits": torch.arange(10),
    "sizes": [10, 20],
    "gaps": [0.3, 0.1],
    "gain": torch.tensor([-0.1, 0.2]),
    "small": torch.tensor([True, False]),
    "angles": [0.0, 90.0],
    "gaps_at_largest_n": [-0.1, 0.2],
    "val_errors": torch.tensor([[0.1, 0.2], [0.3, 0.1]]),
    "chosen": 0,
}


def _checks() -> list[tuple[str, Callable[..., str]]]:
    found = []
    for name in MODULES:
        module = importlib.import_module(name)
        for attribute, function in vars(module).items():
            if attribute.startswith("check_") and inspect.getmodule(function) is module:
                found.append((f"{name.rsplit('.', 1)[1]}.{attribute}", function))
    return found


CHECKS = _checks()


def _call(check: Callable[..., str], answer: object) -> str:
    parameters = list(inspect.signature(check).parameters)[1:]
    return check(answer, *(CONTEXT[name] for name in parameters))


def _label(check: Callable[..., str]) -> str:
    match = re.match(r"(Exercise \d+):", inspect.getdoc(check) or "")
    assert match, f"{check.__name__}'s docstring should start with 'Exercise N:'"
    return match.group(1)


def test_every_notebook_has_three_or_four_checks() -> None:
    for name in MODULES:
        count = sum(1 for label, _ in CHECKS if label.startswith(name.rsplit(".", 1)[1] + "."))
        assert 3 <= count <= 4, f"{name} has {count} checks"


@pytest.mark.parametrize(("name", "check"), CHECKS, ids=[name for name, _ in CHECKS])
def test_check_waits_for_none_and_names_its_exercise_on_a_wrong_answer(
    name: str, check: Callable[..., str]
) -> None:
    label = _label(check)
    assert _call(check, None) == not_answered(label)
    # An answer of no sensible type is rejected with a message that starts with the exercise.
    with pytest.raises(AssertionError, match=rf"^{label}: "):
        _call(check, object())


def test_helpers_prefix_their_messages_with_the_exercise() -> None:
    assert not_answered("Exercise 2") == f"Exercise 2: {NOT_ANSWERED}"
    assert passed("Exercise 2") == "Exercise 2: correct"
    require("Exercise 2", True, "never shown")
    with pytest.raises(AssertionError, match=r"^Exercise 2: a hint$"):
        require("Exercise 2", False, "a hint")
    assert as_number("Exercise 1", 3) == 3.0
    with pytest.raises(AssertionError, match=r"^Exercise 1: expected a number, got bool"):
        as_number("Exercise 1", True)
    assert as_int("Exercise 1", 4) == 4
    with pytest.raises(AssertionError, match=r"^Exercise 1: expected an int, got float 4.0"):
        as_int("Exercise 1", 4.0)


def test_check_number_and_check_int_are_whole_checks() -> None:
    assert check_number("Exercise 3", None, 0.5, "hint") == not_answered("Exercise 3")
    assert check_number("Exercise 3", 0.5004, 0.5, "hint") == passed("Exercise 3")
    with pytest.raises(AssertionError, match=r"^Exercise 3: got 0\.502; halve it$"):
        check_number("Exercise 3", 0.502, 0.5, "halve it")  # outside the default 1e-3
    # rel_tol scales with the expected value: 1e6 ± 1 passes at 1e-6, 1e6 + 3 does not.
    assert check_number("Exercise 1", 1e6 + 1, 1e6, "h", rel_tol=1e-6) == passed("Exercise 1")
    with pytest.raises(AssertionError, match=r"^Exercise 1: got 1000003\.0; h$"):
        check_number("Exercise 1", 1e6 + 3, 1e6, "h", rel_tol=1e-6, abs_tol=0.0)
    assert check_int("Exercise 2", None, 7, "hint") == not_answered("Exercise 2")
    assert check_int("Exercise 2", 7, 7, "hint") == passed("Exercise 2")
    with pytest.raises(AssertionError, match=r"^Exercise 2: got 8; count again$"):
        check_int("Exercise 2", 8, 7, "count again")
    with pytest.raises(AssertionError, match=r"^Exercise 2: expected an int, got float 7.0"):
        check_int("Exercise 2", 7.0, 7, "hint")


def test_pairs_may_be_given_as_a_tensor() -> None:
    # A learner checking a hand calculation with a helper gets a tensor back; it is a pair too.
    assert as_pair("Exercise 3", torch.tensor([0.25, 0.75]), "two weights") == (0.25, 0.75)
    assert as_pair("Exercise 3", [1, 2], "two weights") == (1, 2)
    with pytest.raises(AssertionError, match=r"^Exercise 3: expected two weights, got \[1, 2, 3\]"):
        as_pair("Exercise 3", torch.tensor([1, 2, 3]), "two weights")
    with pytest.raises(AssertionError, match=r"^Exercise 3: expected two weights, got 'ab'"):
        as_pair("Exercise 3", "ab", "two weights")
    assert nb05.check_dro_step(
        group_dro_weights(torch.tensor([0.5, 0.5]), torch.tensor([1.0, 2.0]), step_size=1.0)
    ) == passed("Exercise 3")


def test_answers_typed_as_strings_are_named_as_strings() -> None:
    with pytest.raises(AssertionError, match=r"^Exercise 3: expected an int, got str '100'"):
        nb01.check_smallest_n("100", [10, 100], [0.5, 0.1])
    with pytest.raises(AssertionError, match=r"^Exercise 3: expected an int, got str '30'"):
        nb07.check_smallest_hurting_angle("30", [0.0, 30.0], [-0.1, 0.2])
    with pytest.raises(AssertionError, match=r"^Exercise 1: expected a number, got str '1'"):
        nb07.check_pcgrad_by_hand(["1", "2"])


def test_one_element_tensors_count_as_their_number() -> None:
    # What a learner computes with torch: a mean, a count.
    assert as_number("Exercise 2", torch.tensor([True, False]).float().mean()) == 0.5
    assert as_int("Exercise 2", torch.tensor([True, True, False]).sum()) == 2
    assert check_int("Exercise 2", torch.tensor(7), 7, "hint") == passed("Exercise 2")
    with pytest.raises(AssertionError, match=r"^Exercise 2: expected an int, got Tensor"):
        as_int("Exercise 2", torch.tensor(2.0))
    with pytest.raises(AssertionError, match=r"^Exercise 2: expected a number, got Tensor"):
        as_number("Exercise 2", torch.tensor(True))
    with pytest.raises(AssertionError, match=r"^Exercise 2: expected a number, got Tensor"):
        as_number("Exercise 2", torch.tensor([0.5, 0.5]))
    # Every digit of a wrong answer is shown: 1000005.0 must not read as 1e+06.
    with pytest.raises(AssertionError, match=r"^Exercise 1: got 1000005\.0; "):
        nb05.check_unit_factor(1000005.0)
