"""A reusable multi-task training loop that returns a history and prints nothing.

Introduced in notebook 02. The loop is the lecture's Algorithm 1: at each step a *sampler* picks
tasks and the rows of each, the model's per-task losses L_i are computed, combined into
Σ_i w_i L_i (or by a custom ``backward`` such as a gradient-surgery method), and Adam steps.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch
from torch import nn
from tqdm.auto import trange

from mtl_helpers.tasks import (
    METRIC_NAMES,
    TaskData,
    check_prediction_target,
    loss_value,
    task_loss,
    task_metric,
    task_names,
)
from mtl_helpers.validation import (
    check_nonnegative,
    check_positive_float,
    check_positive_int,
    check_tensor,
)

# A sampler draws, for one step, a list of (task index, row indices into that task's data).
Plan = list[tuple[int, torch.Tensor]]
Sampler = Callable[[torch.Generator], Plan]
# A backward hook receives the sampled tasks' losses (k,) and their indices, fills the
# parameters' .grad, and returns the scalar it optimised (for the history) or None.
Backward = Callable[[torch.Tensor, list[int]], torch.Tensor | None]


def every_task_sampler(sizes: Sequence[int], batch_size: int) -> Sampler:
    """Every task at every step, ``batch_size`` distinct rows each (all rows if fewer)."""
    sizes = [check_positive_int("task size", int(n)) for n in sizes]
    check_positive_int("batch_size", batch_size)

    def sample(generator: torch.Generator) -> Plan:
        return [
            (i, torch.randperm(n, generator=generator)[:batch_size]) for i, n in enumerate(sizes)
        ]

    return sample


def task_subset_sampler(sizes: Sequence[int], tasks_per_step: int, batch_size: int) -> Sampler:
    """Algorithm 1's two stages: draw ``tasks_per_step`` distinct tasks uniformly, then
    ``batch_size`` distinct rows of each (all rows if fewer). Notebook 06 compares other schemes.
    """
    sizes = [check_positive_int("task size", int(n)) for n in sizes]
    check_positive_int("tasks_per_step", tasks_per_step)
    check_positive_int("batch_size", batch_size)
    if tasks_per_step > len(sizes):
        raise ValueError(
            f"tasks_per_step must be at most the number of tasks ({len(sizes)}), got "
            f"{tasks_per_step}"
        )

    def sample(generator: torch.Generator) -> Plan:
        chosen = torch.randperm(len(sizes), generator=generator)[:tasks_per_step].sort().values
        return [
            (i, torch.randperm(sizes[i], generator=generator)[:batch_size]) for i in chosen.tolist()
        ]

    return sample


@dataclass
class History:
    """What a run of :func:`train_multitask` measured.

    step: (E,) the steps after which the model was evaluated; objective: (S,) the optimised
    scalar at every step; train_loss, test_loss, test_metric: (E, T) per evaluation and task
    (test ones are empty when no test data was given); metric_names: one per task.
    """

    task_names: tuple[str, ...]
    metric_names: tuple[str, ...]
    step: list[int] = field(default_factory=list)
    objective: list[float] = field(default_factory=list)
    train_loss: list[list[float]] = field(default_factory=list)
    test_loss: list[list[float]] = field(default_factory=list)
    test_metric: list[list[float]] = field(default_factory=list)

    def final(self, key: str = "test_metric") -> torch.Tensor:
        """The last evaluation of ``key``, one of the (E, T) fields: (T,)."""
        rows = getattr(self, key)
        if not rows:
            raise ValueError(f"history has no {key!r} values (was test data given?)")
        return torch.tensor(rows[-1])

    def curve(self, key: str = "test_metric") -> torch.Tensor:
        """All evaluations of ``key``: (E, T)."""
        return torch.tensor(getattr(self, key))


@torch.no_grad()
def _check_model_accepts(model: nn.Module, tasks: Sequence[TaskData], which: str) -> None:
    """Call the model on one example of every task, so that a shape or dtype mismatch is reported
    with the task's name and its input shape instead of deep inside torch."""
    was_training = model.training
    model.eval()
    for index, data in enumerate(tasks):
        try:
            prediction = model(data.x[:1], index)
        except (RuntimeError, IndexError, TypeError, ValueError) as error:
            raise ValueError(
                f"model(x, {index}) fails on {which} task {data.name!r} with x of shape "
                f"{tuple(data.x.shape)} and dtype {data.x.dtype}: {error}"
            ) from error
        check_prediction_target(data.loss, prediction, data.y[:1])
        if data.loss == "cross_entropy" and int(data.y.max()) >= prediction.shape[1]:
            raise ValueError(
                f"{which} task {data.name!r} has class {int(data.y.max())} but the model gives "
                f"{prediction.shape[1]} logits (classes 0..{prediction.shape[1] - 1})"
            )
    model.train(was_training)


@torch.no_grad()
def evaluate(model: nn.Module, tasks: Sequence[TaskData]) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-task mean loss and metric of ``model`` on whole data sets: two (T,) tensors."""
    was_training = model.training
    model.eval()
    losses, metrics = [], []
    for index, data in enumerate(tasks):
        prediction = model(data.x, index)
        losses.append(float(task_loss(data.loss, prediction, data.y)))
        metrics.append(task_metric(data.loss, prediction, data.y))
    model.train(was_training)
    return torch.tensor(losses), torch.tensor(metrics)


def train_multitask(
    model: nn.Module,
    train: Sequence[TaskData],
    *,
    steps: int,
    generator: torch.Generator,
    lr: float = 1e-2,
    batch_size: int = 32,
    test: Sequence[TaskData] | None = None,
    eval_every: int | None = None,
    task_weights: torch.Tensor | None = None,
    sampler: Sampler | None = None,
    backward: Backward | None = None,
    weight_decay: float = 0.0,
    progress: bool = False,
) -> History:
    """Train ``model(x, task)`` on several tasks with Adam and return a :class:`History`.

    train, test: one :class:`TaskData` per task, in the same order; task_weights: (T,) static
    weights w_i ≥ 0 (default all ones); sampler: which tasks and rows each step uses (default
    :func:`every_task_sampler`); backward: replaces ``(w_i L_i).sum().backward()``; eval_every:
    evaluate every so many steps (default steps // 20, at least 1) and after the last step;
    progress: show a ``tqdm.auto`` bar that clears itself when done (off in the notebooks, whose
    stored outputs must not hold timings).
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if len(train) == 0:
        raise ValueError("train must hold one TaskData per task, got an empty list")
    names = task_names(train)
    check_positive_int("steps", steps)
    check_positive_float("lr", lr)
    if not isinstance(generator, torch.Generator):
        raise TypeError(
            f"generator must be a torch.Generator (for repeatable sampling), got "
            f"{type(generator).__name__}"
        )
    if weight_decay < 0:
        raise ValueError(f"weight_decay must be ≥ 0, got {weight_decay}")
    if test is not None and tuple(t.name for t in test) != names:
        raise ValueError(
            f"test tasks must match train tasks in order, got {tuple(t.name for t in test)} "
            f"and {names}"
        )
    if task_weights is None:
        task_weights = torch.ones(len(train))
    check_tensor("task_weights", task_weights, ndim=1, dtype_kind="float")
    if len(task_weights) != len(train):
        raise ValueError(
            f"task_weights must have one weight per task ({len(train)}), got shape "
            f"{tuple(task_weights.shape)}"
        )
    check_nonnegative("task_weights", task_weights)
    sampler = sampler or every_task_sampler([len(t) for t in train], batch_size)
    if eval_every is None:
        eval_every = max(1, steps // 20)
    check_positive_int("eval_every", eval_every)

    _check_model_accepts(model, train, "train")
    if test is not None:
        _check_model_accepts(model, test, "test")

    history = History(names, tuple(METRIC_NAMES[t.loss] for t in train))
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    model.train()
    for step in trange(1, steps + 1, leave=False, disable=not progress, desc="training"):
        plan = sampler(generator)
        indices = [i for i, _ in plan]
        if not plan or not all(0 <= i < len(train) for i in indices):
            raise ValueError(
                f"sampler must return (task index, rows) pairs with task indices in "
                f"0..{len(train) - 1}, got task indices {indices}"
            )
        losses = torch.stack(
            [
                loss_value(train[i].loss, model(train[i].x[rows], i), train[i].y[rows])
                for i, rows in plan
            ]
        )
        optimizer.zero_grad()
        if backward is None:
            objective = (task_weights[indices] * losses).sum()
            objective.backward()
        else:
            objective = backward(losses, indices)
            if objective is None:
                objective = losses.sum()
        if not bool(torch.isfinite(objective.detach())):
            raise ValueError(
                f"the objective became {float(objective.detach())} at step {step} (task losses "
                f"{[round(float(v), 4) for v in losses.detach()]}); lower lr or check the "
                "backward hook"
            )
        optimizer.step()
        history.objective.append(float(objective.detach()))

        if step % eval_every == 0 or step == steps:
            history.step.append(step)
            history.train_loss.append(evaluate(model, train)[0].tolist())
            if test is not None:
                test_loss, test_metric = evaluate(model, test)
                history.test_loss.append(test_loss.tolist())
                history.test_metric.append(test_metric.tolist())
    return history
