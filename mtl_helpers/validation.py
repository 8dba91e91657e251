"""Input checks shared by every module: each names the argument, the value and what was expected.

Introduced implicitly everywhere; notebook 01 shows one of its messages on purpose.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import torch


def check_tensor(
    name: str, value: object, *, ndim: int | None = None, dtype_kind: str | None = None
) -> torch.Tensor:
    """Return ``value`` if it is a tensor of ``ndim`` dimensions, else raise TypeError/ValueError.

    ``dtype_kind`` is ``"float"`` or ``"int"`` to ask for a floating or an integer dtype.
    """
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    if ndim is not None and value.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {tuple(value.shape)}")
    if dtype_kind == "float" and not value.is_floating_point():
        raise TypeError(f"{name} must have a floating dtype, got {value.dtype}")
    if dtype_kind == "int" and (
        value.is_floating_point() or value.is_complex() or value.dtype == torch.bool
    ):
        raise TypeError(f"{name} must have an integer dtype, got {value.dtype}")
    return value


def check_scalar_tensor(name: str, value: object) -> torch.Tensor:
    """Return ``value`` if it is a 0-dimensional floating tensor (a loss, a penalty), else raise."""
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a scalar tensor, got {type(value).__name__} {value!r}")
    if value.ndim != 0:
        raise ValueError(
            f"{name} must be a scalar (0-dimensional) tensor, got shape {tuple(value.shape)}; "
            "reduce it with .sum() or .mean()"
        )
    if not value.is_floating_point():
        raise TypeError(f"{name} must be a floating tensor, got dtype {value.dtype}")
    return value


def check_numbers(name: str, values: object) -> torch.Tensor:
    """``values`` as a (k,) float32 tensor, from a 1-D real tensor or a sequence of numbers.

    Bools, strings and non-finite entries are refused, naming the first bad entry.
    """
    if isinstance(values, torch.Tensor):
        check_tensor(name, values, ndim=1)
        if values.dtype == torch.bool or values.is_complex():
            raise TypeError(f"{name} must hold real numbers, got dtype {values.dtype}")
    elif isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise TypeError(
            f"{name} must be a (k,) tensor or a sequence of numbers, got "
            f"{type(values).__name__} {values!r}"
        )
    else:
        for position, value in enumerate(values):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError(
                    f"{name}[{position}] must be a number, got {type(value).__name__} {value!r}"
                )
    return check_finite(name, torch.as_tensor(values, dtype=torch.float32))


def check_finite(name: str, value: torch.Tensor) -> torch.Tensor:
    """Raise ValueError naming the first non-finite entry of ``value``."""
    bad = ~torch.isfinite(value)
    if bool(bad.any()):
        index = tuple(int(i) for i in torch.nonzero(bad)[0]) if value.ndim else ()
        entry = (value[index] if index else value).detach()
        raise ValueError(
            f"{name} must be finite, got {float(entry)} at index {index} "
            f"(shape {tuple(value.shape)})"
        )
    return value


def check_nonnegative(name: str, value: torch.Tensor) -> torch.Tensor:
    """Raise ValueError if any entry of ``value`` is NaN or negative."""
    check_finite(name, value)
    if bool((value < 0).any()):
        index = tuple(int(i) for i in torch.nonzero(value < 0)[0])
        raise ValueError(
            f"{name} must be non-negative, got {float(value[index].detach())} at index {index}"
        )
    return value


# How far from 1 the sum of simplex weights may be; float32 sums of a few entries stay well inside.
SIMPLEX_TOLERANCE = 1e-4


def check_simplex(name: str, weights: object) -> torch.Tensor:
    """Return ``weights`` if it is a (k,) float tensor, non-negative, summing to one; else raise."""
    check_tensor(name, weights, ndim=1, dtype_kind="float")
    if len(weights) == 0:
        raise ValueError(f"{name} must hold at least one weight, got an empty tensor")
    check_nonnegative(name, weights)
    total = float(weights.detach().sum())
    if abs(total - 1) > SIMPLEX_TOLERANCE:
        raise ValueError(f"{name} must sum to 1 (a point of the simplex), got sum {total:.6g}")
    return weights


def check_same_length(name_a: str, a: torch.Tensor, name_b: str, b: torch.Tensor) -> None:
    """Raise ValueError if ``a`` and ``b`` differ in their first dimension."""
    if a.shape[:1] != b.shape[:1]:
        raise ValueError(
            f"{name_a} and {name_b} must have the same first dimension, got shapes "
            f"{tuple(a.shape)} and {tuple(b.shape)}"
        )


def check_same_shape(name_a: str, a: torch.Tensor, name_b: str, b: torch.Tensor) -> None:
    """Raise ValueError if ``a`` and ``b`` differ in shape (no broadcasting)."""
    if a.shape != b.shape:
        raise ValueError(
            f"{name_a} and {name_b} must have the same shape, got {tuple(a.shape)} and "
            f"{tuple(b.shape)}"
        )


def check_positive_int(name: str, value: object) -> int:
    """Return ``value`` if it is an int ≥ 1, else raise."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")
    return value


def check_positive_float(name: str, value: object) -> float:
    """Return ``value`` as a float if it is a finite number > 0, else raise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value}")
    return float(value)


def check_nonnegative_float(name: str, value: object) -> float:
    """Return ``value`` as a float if it is a finite number ≥ 0 (not a bool), else raise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number ≥ 0, got {value}")
    return float(value)


def check_real(name: str, value: object) -> float:
    """Return ``value`` as a float if it is a finite real number (not a bool), else raise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    return float(value)


def check_generator(name: str, value: object) -> torch.Generator:
    """Return ``value`` if it is a ``torch.Generator``, else raise TypeError.

    ``None`` is refused too: every random draw in this package comes from a generator the caller
    seeded, so that a re-run gives the same numbers.
    """
    if not isinstance(value, torch.Generator):
        raise TypeError(
            f"{name} must be a torch.Generator (e.g. torch.Generator().manual_seed(0)), "
            f"got {type(value).__name__} {value!r}"
        )
    return value


def check_choice(name: str, value: object, choices: Iterable[object]) -> object:
    """Return the entry of ``choices`` equal to ``value``, else raise ValueError listing them.

    Returns the listed entry itself (``3`` for ``3.0``). A bool never matches a number, although
    Python counts ``True == 1``.
    """
    options = list(choices)
    for option in options:
        if option == value and isinstance(value, bool) == isinstance(option, bool):
            return option
    listed = ", ".join(repr(c) for c in options)
    raise ValueError(f"unknown {name} {value!r}; expected one of: {listed}")


def task_index(name: str, value: object, task_names: Sequence[str]) -> int:
    """Turn a task name or index into an index, raising with the valid names if it is unknown."""
    if isinstance(value, str):
        if value not in task_names:
            listed = ", ".join(repr(t) for t in task_names)
            raise ValueError(
                f"unknown {name} {value!r}; expected one of: {listed} "
                f"(or an index 0..{len(task_names) - 1})"
            )
        return list(task_names).index(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(
            f"{name} must be a task name or index, got {type(value).__name__} {value!r}"
        )
    if not 0 <= value < len(task_names):
        raise ValueError(
            f"{name} must be in 0..{len(task_names) - 1} (tasks: {', '.join(task_names)}), "
            f"got {value}"
        )
    return value
