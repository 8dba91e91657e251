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
    check_choice,
    check_generator,
    check_nonnegative,
    check_nonnegative_float,
    check_positive_float,
    check_positive_int,
    check_scalar_tensor,
    check_tensor,
)

# A sampler draws, for one step, a list of (task index, row indices into that task's data).
Plan = list[tuple[int, torch.Tensor]]
Sampler = Callable[[torch.Generator], Plan]
# A backward hook receives the sampled tasks' losses (k,) and their indices, fills the
# parameters' .grad, and returns the scalar it optimised (for the history) or None.
Backward = Callable[[torch.Tensor, list[int]], torch.Tensor | None]


def check_sizes(sizes: Sequence[int] | torch.Tensor) -> torch.Tensor:
    """Task sizes as a (T,) int64 tensor of counts ≥ 1, from a list of ints or a (T,) int tensor.

    Floats are refused rather than truncated: a size is a number of rows.
    """
    if isinstance(sizes, torch.Tensor):
        check_tensor("sizes", sizes, ndim=1, dtype_kind="int")
        counts = sizes.to(torch.int64)
    else:
        if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence):
            raise TypeError(
                f"sizes must be a list of ints or a 1-D integer tensor, got "
                f"{type(sizes).__name__} {sizes!r}"
            )
        values = list(sizes)
        for position, value in enumerate(values):
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(
                    f"sizes must hold ints, got {type(value).__name__} {value!r} at index "
                    f"{position}"
                )
        counts = torch.tensor(values, dtype=torch.int64)
    if len(counts) == 0:
        raise ValueError("sizes must hold at least one task, got none")
    if bool((counts < 1).any()):
        position = int(torch.nonzero(counts < 1)[0])
        raise ValueError(
            f"sizes must all be ≥ 1 (a task without rows cannot be sampled), got "
            f"{int(counts[position])} at index {position}"
        )
    return counts


def every_task_sampler(sizes: Sequence[int] | torch.Tensor, batch_size: int) -> Sampler:
    """Every task at every step, ``batch_size`` distinct rows each (all rows if fewer).

    sizes: (T,) rows per task, ints ≥ 1 (see :func:`check_sizes`).
    """
    sizes = check_sizes(sizes).tolist()
    check_positive_int("batch_size", batch_size)

    def sample(generator: torch.Generator) -> Plan:
        return [
            (i, torch.randperm(n, generator=generator)[:batch_size]) for i, n in enumerate(sizes)
        ]

    return sample


def task_subset_sampler(
    sizes: Sequence[int] | torch.Tensor, tasks_per_step: int, batch_size: int
) -> Sampler:
    """Algorithm 1's two stages: draw ``tasks_per_step`` distinct tasks uniformly, then
    ``batch_size`` distinct rows of each (all rows if fewer). Notebook 06 compares other schemes.

    sizes: (T,) rows per task, ints ≥ 1 (see :func:`check_sizes`).
    """
    sizes = check_sizes(sizes).tolist()
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
        """The last evaluation of ``key``, one of the (E, T) fields ``PER_TASK_KEYS``: (T,)."""
        rows = getattr(self, check_choice("key", key, PER_TASK_KEYS))
        if not rows:
            raise ValueError(f"history has no {key!r} values (was test data given?)")
        return torch.tensor(rows[-1])

    def curve(self, key: str = "test_metric") -> torch.Tensor:
        """All evaluations of ``key``, one of ``PER_TASK_KEYS``: (E, T)."""
        return torch.tensor(getattr(self, check_choice("key", key, PER_TASK_KEYS)))


# The History fields that hold one value per evaluation and task: (E, T).
PER_TASK_KEYS = ("train_loss", "test_loss", "test_metric")


def _check_task_list(name: str, tasks: object) -> Sequence[TaskData]:
    """Return ``tasks`` if it is a non-empty list or tuple of :class:`TaskData`, else raise."""
    if isinstance(tasks, TaskData):
        raise TypeError(
            f"{name} must be a list of TaskData, one per task, got a single TaskData "
            f"{tasks.name!r}; wrap it in a list for one task"
        )
    if not isinstance(tasks, (list, tuple)):
        raise TypeError(
            f"{name} must be a list of TaskData, one per task, got {type(tasks).__name__}"
        )
    if len(tasks) == 0:
        raise ValueError(f"{name} must hold one TaskData per task, got an empty list")
    for position, data in enumerate(tasks):
        if not isinstance(data, TaskData):
            raise TypeError(
                f"{name} must hold TaskData entries, got {type(data).__name__} at index {position}"
            )
    return tasks


def _check_plan(plan: object, tasks: Sequence[TaskData], step: int) -> list[int]:
    """Check one step's plan from a sampler and return its task indices.

    Each entry must be (task index in 0..T-1, rows) with rows a non-empty (k,) integer tensor of
    indices in 0..n_task-1. Costs two reductions per entry, nothing per parameter.
    """
    if not isinstance(plan, (list, tuple)) or not plan:
        raise ValueError(
            f"sampler must return a non-empty list of (task index, rows) pairs, got "
            f"{plan!r} at step {step}"
        )
    indices = []
    for entry in plan:
        if not isinstance(entry, (list, tuple)) or len(entry) != 2:
            raise TypeError(
                f"sampler must return (task index, rows) pairs, got {entry!r} at step {step}"
            )
        task = entry[0]
        if isinstance(task, bool) or not isinstance(task, int):
            raise TypeError(
                f"sampler must return int task indices, got {type(task).__name__} {task!r} at "
                f"step {step}"
            )
        indices.append(task)
    if not all(0 <= i < len(tasks) for i in indices):
        raise ValueError(
            f"sampler must return (task index, rows) pairs with task indices in "
            f"0..{len(tasks) - 1}, got task indices {indices} at step {step}"
        )
    for task, rows in plan:
        where = f"at step {step} for task {task} ({tasks[task].name!r})"
        if not isinstance(rows, torch.Tensor):
            raise TypeError(
                f"sampler must return rows as a torch.Tensor, got {type(rows).__name__} "
                f"{rows!r} {where}"
            )
        if (
            rows.ndim != 1
            or rows.is_floating_point()
            or rows.is_complex()
            or (rows.dtype == torch.bool)
        ):
            raise TypeError(
                f"sampler must return rows as a 1-D integer tensor of row indices, got shape "
                f"{tuple(rows.shape)} and dtype {rows.dtype} {where}"
            )
        if len(rows) == 0:
            raise ValueError(f"sampler must return at least one row, got none {where}")
        low, high = (int(v) for v in torch.aminmax(rows))
        if low < 0 or high >= len(tasks[task]):
            raise ValueError(
                f"sampler must return rows in 0..{len(tasks[task]) - 1} (the task's "
                f"{len(tasks[task])} examples), got rows from {low} to {high} {where}"
            )
    return indices


def _check_objective(objective: object, backward: Backward) -> torch.Tensor:
    """Return a backward hook's result if it is a scalar float tensor, else raise naming it."""
    name = getattr(backward, "__qualname__", type(backward).__name__)
    return check_scalar_tensor(f"the result of backward hook {name} (or None)", objective)


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
        try:
            check_prediction_target(data.loss, prediction, data.y[:1])
        except (TypeError, ValueError) as error:
            raise type(error)(
                f"model {type(model).__name__} does not fit {which} task {data.name!r} "
                f"(task {index}, loss {data.loss!r}): on one example it gives a prediction of "
                f"shape {tuple(prediction.shape)}: {error}"
            ) from error
        if data.loss == "cross_entropy" and int(data.y.max()) >= prediction.shape[1]:
            raise ValueError(
                f"{which} task {data.name!r} has class {int(data.y.max())} but the model gives "
                f"{prediction.shape[1]} logits (classes 0..{prediction.shape[1] - 1})"
            )
    model.train(was_training)


@torch.no_grad()
def evaluate(model: nn.Module, tasks: Sequence[TaskData]) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-task mean loss and metric of ``model`` on whole data sets: two (T,) tensors.

    tasks: a list of :class:`TaskData`, task ``i`` evaluated as ``model(x, i)``.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    _check_task_list("tasks", tasks)
    was_training = model.training
    model.eval()
    losses, metrics = [], []
    try:
        for index, data in enumerate(tasks):
            try:
                prediction = model(data.x, index)
                losses.append(float(task_loss(data.loss, prediction, data.y)))
                metrics.append(task_metric(data.loss, prediction, data.y))
            except ValueError as error:
                raise ValueError(f"on task {data.name!r} (task {index}): {error}") from error
    finally:
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

    train, test: lists of one :class:`TaskData` per task, in the same order; task_weights: (T,)
    static weights w_i ≥ 0 (default all ones); sampler: which tasks and rows each step uses
    (default :func:`every_task_sampler`), checked every step; backward: replaces
    ``(w_i L_i).sum().backward()`` and returns a scalar tensor or None; weight_decay: a finite
    number ≥ 0 passed to Adam; eval_every:
    evaluate every so many steps (default steps // 20, at least 1) and after the last step;
    progress: show a ``tqdm.auto`` bar that clears itself when done (off in the notebooks, whose
    stored outputs must not hold timings).
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    _check_task_list("train", train)
    names = task_names(train)
    check_positive_int("steps", steps)
    lr = check_positive_float("lr", lr)
    check_generator("generator", generator)
    weight_decay = check_nonnegative_float("weight_decay", weight_decay)
    if test is not None:
        _check_task_list("test", test)
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
        indices = _check_plan(plan, train, step)
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
            else:
                _check_objective(objective, backward)
        if not bool(torch.isfinite(objective.detach())):
            by_task = ", ".join(
                f"{train[i].name!r} {float(v):.4g}"
                for i, v in zip(indices, losses.detach(), strict=True)
            )
            raise ValueError(
                f"the objective became {float(objective.detach())} at step {step} (losses by "
                f"task: {by_task}); training has probably diverged: try a lower lr than {lr:g}"
                + ("" if backward is None else ", or check the backward hook")
            )
        optimizer.step()
        history.objective.append(float(objective.detach()))

        if step % eval_every == 0 or step == steps:
            history.step.append(step)
            for which, tasks in (("train", train), ("test", test)):
                if tasks is None:
                    continue
                try:
                    task_losses, task_metrics = evaluate(model, tasks)
                except ValueError as error:
                    raise ValueError(
                        f"evaluating the {which} tasks after step {step} failed {error}; "
                        f"training has probably diverged: try a lower lr than {lr:g}"
                    ) from error
                if which == "train":
                    history.train_loss.append(task_losses.tolist())
                else:
                    history.test_loss.append(task_losses.tolist())
                    history.test_metric.append(task_metrics.tolist())
    return history
