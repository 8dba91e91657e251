"""Automatic checks for the notebooks' exercises: one module per notebook (``nb01``, ...).

Each check takes the learner's answer. ``None`` means "not answered yet": the check returns a
short reminder instead of failing, so a fresh notebook runs top to bottom. Any other answer is
checked, and a wrong one raises ``AssertionError`` with a message "Exercise N: <hint>". The tests
call every check with a right and a wrong answer, so each one is known to be able to fail.
"""

from __future__ import annotations

import math

import torch

NOT_ANSWERED = "not answered yet: replace None with your answer and run the cell again"


def not_answered(exercise: str) -> str:
    """The message a check returns for an answer that is still ``None``."""
    return f"{exercise}: {NOT_ANSWERED}"


def passed(exercise: str) -> str:
    """The message a check returns for a right answer."""
    return f"{exercise}: correct"


def _scalar(answer: object) -> object:
    """A one-element answer computed with torch (``tensor(0.5)``) as a Python number."""
    if isinstance(answer, torch.Tensor) and answer.numel() == 1 and answer.dtype != torch.bool:
        return answer.item()
    return answer


def as_number(exercise: str, answer: object) -> float:
    """``answer`` as a float, or an AssertionError saying a number was expected.

    A one-element tensor counts as its number, so ``x.float().mean()`` can be given as it is.
    """
    value = _scalar(answer)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise AssertionError(
            f"{exercise}: expected a number, got {type(answer).__name__} {answer!r}"
        )
    return float(value)


def as_int(exercise: str, answer: object) -> int:
    """``answer`` as an int, or an AssertionError saying an int was expected.

    A one-element integer tensor counts as its number, so ``mask.sum()`` can be given as it is.
    """
    value = _scalar(answer)
    if isinstance(value, bool) or not isinstance(value, int):
        raise AssertionError(f"{exercise}: expected an int, got {type(answer).__name__} {answer!r}")
    return value


def as_pair(exercise: str, answer: object, what: str) -> tuple[object, object]:
    """``answer`` as a pair: a tuple or list of two, or a tensor of two numbers (its ``tolist()``).

    ``what`` says what the pair holds, for the message, e.g. ``"a pair (s, value)"``. The parts
    are returned as given; check them with ``as_number`` or ``as_int``.
    """
    if isinstance(answer, torch.Tensor) and answer.ndim == 1:
        answer = answer.tolist()
    require(
        exercise,
        isinstance(answer, (tuple, list)) and len(answer) == 2,
        f"expected {what}, got {answer!r}",
    )
    return answer[0], answer[1]


def require(exercise: str, condition: bool, hint: str) -> None:
    """Raise ``AssertionError("<exercise>: <hint>")`` unless ``condition`` holds.

    A plain ``assert`` would be skipped under ``python -O``, which would let every answer pass.
    """
    if not condition:
        raise AssertionError(f"{exercise}: {hint}")


def check_number(
    exercise: str,
    answer: object,
    expected: float,
    hint: str,
    *,
    abs_tol: float = 1e-3,
    rel_tol: float = 0.0,
) -> str:
    """The whole check of an answer that is one number: ``None`` waits, a number within the
    tolerance of ``expected`` passes, anything else raises "<exercise>: got <answer>; <hint>"."""
    if answer is None:
        return not_answered(exercise)
    value = as_number(exercise, answer)
    require(
        exercise,
        math.isclose(value, expected, abs_tol=abs_tol, rel_tol=rel_tol),
        f"got {value!r}; {hint}",  # every digit: 1000005.0 must not read as 1e+06
    )
    return passed(exercise)


def check_int(exercise: str, answer: object, expected: int, hint: str) -> str:
    """The whole check of an answer that is one int (a count): as ``check_number``, but exact."""
    if answer is None:
        return not_answered(exercise)
    value = as_int(exercise, answer)
    require(exercise, value == expected, f"got {value}; {hint}")
    return passed(exercise)
