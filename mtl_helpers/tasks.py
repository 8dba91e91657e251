"""A task as the lecture defines it: T_i = {p_i(x), p_i(y|x), L_i}.

Introduced in notebook 01. A :class:`Task` is a distribution, not a data set: it can *draw* as
many labelled examples as asked. A finite data set fits this view as the empirical distribution
over its rows; a task defined by a sampler and a labelling rule fits it directly. What a training
loop consumes is a finite draw, a :class:`TaskData`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from mtl_helpers.validation import (
    check_choice,
    check_finite,
    check_generator,
    check_positive_int,
    check_same_length,
    check_tensor,
)

LOSS_NAMES = ("cross_entropy", "bce", "mse")
METRIC_NAMES = {"cross_entropy": "accuracy", "bce": "accuracy", "mse": "mse"}


def _check_class_dtype(name: str, value: torch.Tensor) -> None:
    """Raise TypeError unless ``value`` holds int64 class indices, the dtype cross-entropy needs."""
    check_tensor(name, value, dtype_kind="int")
    if value.dtype != torch.int64:
        raise TypeError(
            f"{name} must have dtype torch.int64 (torch.long) for loss 'cross_entropy', got "
            f"{value.dtype}; convert it with .long()"
        )


def check_prediction_target(loss: str, prediction: torch.Tensor, target: torch.Tensor) -> None:
    """Raise unless ``prediction`` and ``target`` fit ``loss`` exactly (see :func:`task_loss`).

    Checks shapes (no broadcasting), dtypes, at least one example, finite predictions, class
    indices in 0..C-1 for ``cross_entropy`` and 0/1 targets for ``bce``.
    """
    check_choice("loss", loss, LOSS_NAMES)
    check_tensor("prediction", prediction, dtype_kind="float")
    check_tensor("target", target)
    if loss == "cross_entropy":
        check_tensor("prediction", prediction, ndim=2)
        check_tensor("target", target, ndim=1, dtype_kind="int")
        _check_class_dtype("target", target)
        check_same_length("prediction", prediction, "target", target)
    elif prediction.shape != target.shape or prediction.ndim != 1:
        raise ValueError(
            f"for loss {loss!r}, prediction and target must both have shape (n,), got "
            f"{tuple(prediction.shape)} and {tuple(target.shape)}"
        )
    if len(target) == 0:
        raise ValueError("prediction and target must hold at least one example, got shape (0,)")
    check_finite("prediction", prediction)
    if loss == "cross_entropy":
        n_classes = prediction.shape[1]
        bad = (target < 0) | (target >= n_classes)
        if bool(bad.any()):
            raise ValueError(
                f"target must hold class indices in 0..{n_classes - 1} for {n_classes} logits, "
                f"got {int(target[bad][0])}"
            )
    elif loss == "bce":
        bad = (target != 0) & (target != 1)
        if bool(bad.any()):
            raise ValueError(
                f"target must hold 0/1 labels for loss 'bce', got {float(target[bad][0])}"
            )
    else:
        check_finite("target", target)


def task_loss(loss: str, prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """The mean loss L_i of one task on a batch; shapes are checked, never broadcast.

    ``cross_entropy``: prediction (n, C) logits, target (n,) int64 classes.
    ``bce``: prediction (n,) logits, target (n,) float 0/1.
    ``mse``: prediction (n,) and target (n,) floats.
    """
    check_prediction_target(loss, prediction, target)
    return check_finite(f"{loss} loss", loss_value(loss, prediction, target))


def loss_value(loss: str, prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """:func:`task_loss` without its checks, for loops that have checked their data once.

    The training loop uses it on every step, after checking each task's data and the model's
    output shapes before the first step; anything else should call :func:`task_loss`.
    """
    if loss == "cross_entropy":
        return F.cross_entropy(prediction, target)
    if loss == "bce":
        return F.binary_cross_entropy_with_logits(prediction, target.to(prediction.dtype))
    return F.mse_loss(prediction, target.to(prediction.dtype))


def task_metric(loss: str, prediction: torch.Tensor, target: torch.Tensor) -> float:
    """The metric that goes with a loss: accuracy for classification, mean squared error else.

    Shapes as in :func:`task_loss`.
    """
    check_prediction_target(loss, prediction, target)
    if loss == "cross_entropy":
        return float((prediction.argmax(dim=-1) == target).float().mean())
    if loss == "bce":
        return float(((prediction > 0).to(target.dtype) == target).float().mean())
    return float(F.mse_loss(prediction, target.to(prediction.dtype)))


@dataclass(frozen=True)
class TaskData:
    """A finite, labelled draw from one task.

    x: (n, ...) inputs with at least one example and at least two dimensions; y: (n,) targets
    (int64 classes ≥ 0 for ``cross_entropy``, 0/1 floats for ``bce``, floats for ``mse``);
    loss: one of ``LOSS_NAMES``.
    """

    name: str
    x: torch.Tensor
    y: torch.Tensor
    loss: str

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(
                f"name must be a non-empty str naming the task, got {type(self.name).__name__} "
                f"{self.name!r}"
            )
        check_choice("loss", self.loss, LOSS_NAMES)
        check_tensor("x", self.x)
        check_tensor("y", self.y, ndim=1)
        if self.x.ndim < 2:
            raise ValueError(
                f"x of task {self.name!r} must have shape (n, features...), got "
                f"{tuple(self.x.shape)}; for one feature per example use x[:, None]"
            )
        check_same_length("x", self.x, "y", self.y)
        if len(self.y) == 0:
            raise ValueError(f"task {self.name!r} must hold at least one example, got none")
        if self.x.is_floating_point():
            check_finite(f"x of task {self.name!r}", self.x)
        if self.loss == "cross_entropy":
            _check_class_dtype(f"y of task {self.name!r}", self.y)
            if int(self.y.min()) < 0:
                raise ValueError(
                    f"y of task {self.name!r} must hold class indices ≥ 0, got {int(self.y.min())}"
                )
        else:
            check_tensor(f"y of task {self.name!r}", self.y, dtype_kind="float")
            check_finite(f"y of task {self.name!r}", self.y)
            bad = (self.y != 0) & (self.y != 1)
            if self.loss == "bce" and bool(bad.any()):
                raise ValueError(
                    f"y of task {self.name!r} must hold 0/1 labels for loss 'bce', got "
                    f"{float(self.y[bad][0])}"
                )

    def __len__(self) -> int:
        return len(self.y)

    def subset(self, rows: torch.Tensor) -> TaskData:
        """The rows ``rows`` ((k,) int64 indices in 0..n-1) as a new :class:`TaskData`."""
        check_tensor("rows", rows, ndim=1, dtype_kind="int")
        if len(rows) and (int(rows.min()) < -len(self) or int(rows.max()) >= len(self)):
            raise ValueError(
                f"rows must index the {len(self)} examples of task {self.name!r}, got "
                f"{int(rows.min())}..{int(rows.max())}"
            )
        return TaskData(self.name, self.x[rows], self.y[rows], self.loss)


InputSampler = Callable[[int, torch.Generator], torch.Tensor]
Labeller = Callable[[torch.Tensor, torch.Generator], torch.Tensor]
Drawer = Callable[[int, torch.Generator], tuple[torch.Tensor, torch.Tensor]]


@dataclass(frozen=True)
class Task:
    """T_i = {p_i(x), p_i(y|x), L_i}: a way to draw labelled examples and the loss that scores them.

    Build one with :meth:`from_sampler` (inputs drawn from p_i(x), labelled by p_i(y|x)) or
    :meth:`from_data` (the empirical distribution of a finite data set).
    """

    name: str
    loss: str
    draw_examples: Drawer

    def __post_init__(self) -> None:
        check_choice("loss", self.loss, LOSS_NAMES)

    def draw(self, n: int, generator: torch.Generator) -> TaskData:
        """Draw n labelled examples as a :class:`TaskData`."""
        check_positive_int("n", n)
        check_generator("generator", generator)
        x, y = self.draw_examples(n, generator)
        return TaskData(self.name, x, y, self.loss)

    @staticmethod
    def from_sampler(name: str, sample_inputs: InputSampler, label: Labeller, loss: str) -> Task:
        """A task given by p_i(x) and p_i(y|x).

        sample_inputs(n, generator) → (n, ...) inputs; label(x, generator) → (n,) targets (a
        deterministic rule may ignore the generator).
        """

        def draw_examples(n: int, generator: torch.Generator):
            x = sample_inputs(n, generator)
            return x, label(x, generator)

        return Task(name, loss, draw_examples)

    @staticmethod
    def from_data(name: str, x: torch.Tensor, y: torch.Tensor, loss: str) -> Task:
        """The empirical distribution of a finite data set: a draw takes n distinct rows."""
        check_choice("loss", loss, LOSS_NAMES)
        check_tensor("x", x)
        check_tensor("y", y, ndim=1)
        check_same_length("x", x, "y", y)
        if loss == "cross_entropy":
            _check_class_dtype("y", y)

        def draw_examples(n: int, generator: torch.Generator):
            if n > len(x):
                raise ValueError(f"n must be at most the {len(x)} rows of task {name!r}, got {n}")
            rows = torch.randperm(len(x), generator=generator)[:n]
            return x[rows], y[rows]

        return Task(name, loss, draw_examples)


DIGIT_RULES: dict[str, tuple[Callable[[torch.Tensor], torch.Tensor], str]] = {
    "digit": (lambda d: d.long(), "cross_entropy"),
    "parity": (lambda d: (d % 2).float(), "bce"),
    "at_least_5": (lambda d: (d >= 5).float(), "bce"),
}


def digit_task(rule: str, images: torch.Tensor, digits: torch.Tensor) -> TaskData:
    """The same digit images under one labelling rule of ``DIGIT_RULES``.

    ``digit`` (10 classes), ``parity`` (1 for odd) or ``at_least_5`` (1 for 5..9); images:
    (n, 8, 8) or (n, 64) floats; digits: (n,) integer true digit classes.
    """
    check_choice("rule", rule, DIGIT_RULES)
    check_tensor("images", images, dtype_kind="float")
    if images.ndim not in (2, 3):
        raise ValueError(f"images must have shape (n, 8, 8) or (n, 64), got {tuple(images.shape)}")
    check_tensor("digits", digits, ndim=1, dtype_kind="int")
    check_same_length("images", images, "digits", digits)
    if len(digits) and (int(digits.min()) < 0 or int(digits.max()) > 9):
        raise ValueError(
            f"digits must lie in 0..9, got values from {int(digits.min())} to {int(digits.max())}"
        )
    relabel, loss = DIGIT_RULES[rule]
    return TaskData(rule, images.reshape(len(images), -1), relabel(digits), loss)


def task_names(tasks: Sequence[TaskData]) -> tuple[str, ...]:
    """The names of a list of tasks, checked to be distinct."""
    names = tuple(t.name for t in tasks)
    if len(set(names)) != len(names):
        raise ValueError(f"task names must be distinct, got {names}")
    return names
