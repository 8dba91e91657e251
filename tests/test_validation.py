"""Tests for mtl_helpers.validation: every check accepts good input and names bad input."""

from __future__ import annotations

import math

import pytest
import torch

from mtl_helpers.validation import (
    check_choice,
    check_finite,
    check_generator,
    check_nonnegative,
    check_nonnegative_float,
    check_numbers,
    check_positive_float,
    check_positive_int,
    check_real,
    check_same_length,
    check_same_shape,
    check_scalar_tensor,
    check_simplex,
    check_tensor,
    task_index,
)


def test_check_tensor_returns_the_same_tensor() -> None:
    value = torch.zeros(2, 3)
    assert check_tensor("x", value, ndim=2, dtype_kind="float") is value
    counts = torch.arange(4)
    assert check_tensor("counts", counts, ndim=1, dtype_kind="int") is counts


def test_check_tensor_rejects_non_tensors() -> None:
    with pytest.raises(TypeError, match=r"x must be a torch.Tensor, got list"):
        check_tensor("x", [1.0, 2.0])


def test_check_tensor_rejects_wrong_ndim() -> None:
    with pytest.raises(ValueError, match=r"x must have 2 dimension\(s\), got shape \(3,\)"):
        check_tensor("x", torch.zeros(3), ndim=2)


@pytest.mark.parametrize(
    ("value", "kind", "message"),
    [
        (torch.arange(3), "float", r"y must have a floating dtype, got torch.int64"),
        (torch.zeros(3), "int", r"y must have an integer dtype, got torch.float32"),
        (torch.zeros(3, dtype=torch.bool), "int", r"y must have an integer dtype, got torch.bool"),
        (
            torch.zeros(3, dtype=torch.complex64),
            "int",
            r"y must have an integer dtype, got torch.complex64",
        ),
    ],
)
def test_check_tensor_rejects_wrong_dtype_kind(
    value: torch.Tensor, kind: str, message: str
) -> None:
    with pytest.raises(TypeError, match=message):
        check_tensor("y", value, dtype_kind=kind)


def test_check_finite_passes_finite_and_names_first_bad_entry() -> None:
    good = torch.tensor([1.0, -2.0])
    assert check_finite("w", good) is good
    # Row-major order: (0, 1) holds inf and comes before the NaN at (1, 0).
    bad = torch.tensor([[0.0, math.inf], [math.nan, 1.0]])
    with pytest.raises(
        ValueError, match=r"w must be finite, got inf at index \(0, 1\) \(shape \(2, 2\)\)"
    ):
        check_finite("w", bad)


def test_check_finite_on_a_scalar() -> None:
    with pytest.raises(
        ValueError, match=r"loss must be finite, got nan at index \(\) \(shape \(\)\)"
    ):
        check_finite("loss", torch.tensor(math.nan))


def test_check_nonnegative() -> None:
    good = torch.tensor([0.0, 2.0])
    assert check_nonnegative("task_weights", good) is good
    with pytest.raises(
        ValueError, match=r"task_weights must be non-negative, got -0.5 at index \(1,\)"
    ):
        check_nonnegative("task_weights", torch.tensor([1.0, -0.5, -2.0]))
    with pytest.raises(ValueError, match=r"task_weights must be finite, got nan at index \(0,\)"):
        check_nonnegative("task_weights", torch.tensor([math.nan, 1.0]))


def test_check_same_length() -> None:
    check_same_length("x", torch.zeros(4, 2), "y", torch.zeros(4))
    with pytest.raises(
        ValueError,
        match=r"x and y must have the same first dimension, got shapes \(4, 2\) and \(3,\)",
    ):
        check_same_length("x", torch.zeros(4, 2), "y", torch.zeros(3))


def test_check_same_shape_does_not_broadcast() -> None:
    check_same_shape("a", torch.zeros(2, 3), "b", torch.ones(2, 3))
    with pytest.raises(
        ValueError, match=r"a and b must have the same shape, got \(2, 1\) and \(2,\)"
    ):
        check_same_shape("a", torch.zeros(2, 1), "b", torch.zeros(2))


def test_check_positive_int() -> None:
    assert check_positive_int("steps", 1) == 1
    with pytest.raises(ValueError, match=r"steps must be at least 1, got 0"):
        check_positive_int("steps", 0)
    with pytest.raises(TypeError, match=r"steps must be an int, got float 2.0"):
        check_positive_int("steps", 2.0)
    with pytest.raises(TypeError, match=r"steps must be an int, got bool True"):
        check_positive_int("steps", True)


def test_check_positive_float() -> None:
    value = check_positive_float("lr", 3)
    assert value == 3.0
    assert isinstance(value, float)
    for bad in (0, -1.0, math.inf, math.nan):
        with pytest.raises(ValueError, match=r"lr must be a finite number > 0, got"):
            check_positive_float("lr", bad)
    with pytest.raises(TypeError, match=r"lr must be a number, got str '0.1'"):
        check_positive_float("lr", "0.1")
    with pytest.raises(TypeError, match=r"lr must be a number, got bool False"):
        check_positive_float("lr", False)


def test_check_choice_lists_the_options() -> None:
    assert check_choice("loss", "mse", ("mse", "bce")) == "mse"
    with pytest.raises(ValueError, match=r"unknown loss 'l1'; expected one of: 'mse', 'bce'"):
        check_choice("loss", "l1", ("mse", "bce"))


def test_check_choice_returns_the_listed_entry_and_never_matches_a_bool() -> None:
    result = check_choice("n_groups", 3.0, [1, 2, 3])
    assert result == 3 and type(result) is int
    with pytest.raises(ValueError, match=r"unknown n_groups True; expected one of: 1, 2, 3"):
        check_choice("n_groups", True, [1, 2, 3])
    with pytest.raises(ValueError, match=r"unknown n '50'; expected one of: 10, 50"):
        check_choice("n", "50", [10, 50])
    assert check_choice("flag", True, [False, True]) is True


def test_check_real_accepts_finite_numbers_only() -> None:
    assert check_real("noise", 2) == 2.0
    assert check_real("noise", -0.5) == -0.5
    with pytest.raises(TypeError, match=r"noise must be a number, got str '1'"):
        check_real("noise", "1")
    with pytest.raises(TypeError, match=r"noise must be a number, got bool True"):
        check_real("noise", True)
    with pytest.raises(ValueError, match=r"noise must be a finite number, got nan"):
        check_real("noise", math.nan)


def test_check_generator_refuses_seeds_and_none() -> None:
    generator = torch.Generator().manual_seed(0)
    assert check_generator("generator", generator) is generator
    with pytest.raises(TypeError, match=r"generator must be a torch.Generator .*got int 42"):
        check_generator("generator", 42)
    with pytest.raises(TypeError, match=r"generator must be a torch.Generator .*got NoneType"):
        check_generator("generator", None)


def test_task_index_by_name_and_number() -> None:
    names = ("a", "b", "c")
    assert task_index("task", "c", names) == 2
    assert task_index("task", 1, names) == 1
    with pytest.raises(
        ValueError, match=r"unknown task 'd'; expected one of: 'a', 'b', 'c' \(or an index 0\.\.2\)"
    ):
        task_index("task", "d", names)
    with pytest.raises(ValueError, match=r"task must be in 0..2 \(tasks: a, b, c\), got 3"):
        task_index("task", 3, names)
    with pytest.raises(ValueError, match=r"got -1"):
        task_index("task", -1, names)
    with pytest.raises(TypeError, match=r"task must be a task name or index, got float"):
        task_index("task", 1.0, names)
    with pytest.raises(TypeError, match=r"got bool"):
        task_index("task", True, names)


def test_check_simplex_accepts_a_point_and_names_what_is_wrong() -> None:
    weights = torch.tensor([0.25, 0.75])
    assert check_simplex("weights", weights) is weights
    with pytest.raises(
        ValueError, match=r"weights must sum to 1 \(a point of the simplex\), got sum 0\.6"
    ):
        check_simplex("weights", torch.tensor([0.3, 0.3]))
    with pytest.raises(
        ValueError, match=r"weights must be non-negative, got -0\.5 at index \(0,\)"
    ):
        check_simplex("weights", torch.tensor([-0.5, 1.5]))
    with pytest.raises(ValueError, match="weights must hold at least one weight"):
        check_simplex("weights", torch.zeros(0))


def test_task_index_shows_a_value_of_the_wrong_type() -> None:
    with pytest.raises(TypeError, match=r"task must be a task name or index, got float 1\.0"):
        task_index("task", 1.0, ["a", "b"])


def test_check_scalar_tensor_wants_one_float_value() -> None:
    loss = torch.tensor(0.5)
    assert check_scalar_tensor("penalty", loss) is loss
    with pytest.raises(TypeError, match=r"penalty must be a scalar tensor, got float 0.5"):
        check_scalar_tensor("penalty", 0.5)
    with pytest.raises(ValueError, match=r"penalty must be a scalar \(0-dimensional\) tensor, got"):
        check_scalar_tensor("penalty", torch.ones(2))
    with pytest.raises(
        TypeError, match=r"penalty must be a floating tensor, got dtype torch.int64"
    ):
        check_scalar_tensor("penalty", torch.tensor(1))


def test_check_numbers_accepts_lists_and_1d_tensors_of_finite_reals() -> None:
    assert torch.equal(check_numbers("scales", [1, 2.5]), torch.tensor([1.0, 2.5]))
    assert check_numbers("scales", torch.tensor([3, 4])).dtype == torch.float32
    with pytest.raises(TypeError, match=r"scales\[1\] must be a number, got bool True"):
        check_numbers("scales", [1.0, True])
    with pytest.raises(TypeError, match=r"scales must be a \(k,\) tensor or a sequence of numbers"):
        check_numbers("scales", "12")
    with pytest.raises(TypeError, match=r"scales must hold real numbers, got dtype torch.bool"):
        check_numbers("scales", torch.tensor([True]))
    with pytest.raises(ValueError, match=r"scales must have 1 dimension\(s\), got shape \(1, 2\)"):
        check_numbers("scales", torch.ones(1, 2))
    with pytest.raises(ValueError, match=r"scales must be finite, got inf at index \(0,\)"):
        check_numbers("scales", [math.inf])


def test_check_nonnegative_float_allows_zero_and_refuses_negatives() -> None:
    assert check_nonnegative_float("lam", 0) == 0.0
    assert check_nonnegative_float("lam", 2.5) == 2.5
    with pytest.raises(ValueError, match=r"lam must be a finite number ≥ 0, got -1"):
        check_nonnegative_float("lam", -1)
    with pytest.raises(ValueError, match=r"lam must be a finite number ≥ 0, got inf"):
        check_nonnegative_float("lam", math.inf)
    with pytest.raises(TypeError, match=r"lam must be a number, got str '1'"):
        check_nonnegative_float("lam", "1")
