"""Which tasks should train together: lookahead inter-task affinity and task grouping (TAG).

Introduced in notebook 09. Following Fifty et al. (2021), the affinity of task i onto task j is

    Z[i, j] = 1 − L_j(θ − η ∇_θ L_i(θ)) / L_j(θ),

the relative change in task j's loss after one plain gradient step of size η on task i alone:
positive when i's step helps j, negative when it hurts j. Averaged over training steps, it
scores every pair of tasks at the cost of one training run; :func:`group_tasks` then splits the
tasks into the groups that help each other most, and one network is trained per group.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence

import torch
from matplotlib.figure import Figure
from torch import nn
from torch.func import functional_call

from mtl_helpers.plotting import plot_task_bars
from mtl_helpers.tasks import TaskData, task_loss
from mtl_helpers.training import History, Plan, every_task_sampler, train_multitask
from mtl_helpers.validation import (
    check_choice,
    check_finite,
    check_positive_float,
    check_positive_int,
    check_tensor,
)

# A loss function of the lookahead: the list of parameter tensors θ → a scalar loss L_j(θ).
LossFn = Callable[[list[torch.Tensor]], torch.Tensor]

# group_tasks refuses searches longer than this many partitions (about a second or two).
MAX_GROUPINGS = 1_000_000


def _check_params(params: object) -> list[torch.Tensor]:
    if isinstance(params, torch.Tensor) or not isinstance(params, Sequence):
        raise TypeError(f"params must be a list of parameter tensors, got {type(params).__name__}")
    if len(params) == 0:
        raise ValueError("params must hold at least one tensor, got an empty list")
    for position, tensor in enumerate(params):
        check_tensor(f"params[{position}]", tensor, dtype_kind="float")
    return list(params)


def _scalar_loss(name: str, value: object) -> torch.Tensor:
    check_tensor(name, value, ndim=0, dtype_kind="float")
    return check_finite(name, value)


def lookahead_affinity(
    loss_fns: Sequence[LossFn], params: Sequence[torch.Tensor], lr: float
) -> torch.Tensor:
    """The lookahead affinity of every task onto every other at θ = ``params``: (T, T).

    loss_fns: T functions, each taking the list of parameter tensors and returning that task's
    scalar loss L_j(θ) > 0 (on a fixed batch, so calls repeat exactly); params: the tensors of θ,
    in the order the loss functions expect; lr: the lookahead step size η > 0.
    Entry [i, j] is 1 − L_j(θ − η ∇L_i(θ)) / L_j(θ). The step is plain gradient descent taken on
    detached copies, so ``params`` (values, ``.grad`` and autograd graph) are left unchanged.
    Cost: T gradients and T² + T loss evaluations.
    """
    if isinstance(loss_fns, Callable) or not isinstance(loss_fns, Sequence):
        raise TypeError(f"loss_fns must be a list of loss functions, got {type(loss_fns)}")
    if len(loss_fns) == 0:
        raise ValueError("loss_fns must hold at least one loss function, got an empty list")
    for position, loss_fn in enumerate(loss_fns):
        if not callable(loss_fn):
            raise TypeError(f"loss_fns[{position}] must be callable, got {type(loss_fn).__name__}")
    params = _check_params(params)
    lr = check_positive_float("lr", lr)

    theta = [p.detach().clone() for p in params]
    with torch.no_grad():
        base = torch.stack(
            [_scalar_loss(f"loss_fns[{j}](params)", fn(theta)) for j, fn in enumerate(loss_fns)]
        )
    if bool((base <= 0).any()):
        j = int(torch.nonzero(base <= 0)[0])
        raise ValueError(
            f"loss_fns[{j}] must give a loss > 0 at params to divide by, got {float(base[j])}"
        )

    affinity = torch.empty(len(loss_fns), len(loss_fns))
    for i, loss_fn in enumerate(loss_fns):
        leaves = [t.clone().requires_grad_(True) for t in theta]
        loss_i = _scalar_loss(f"loss_fns[{i}](params)", loss_fn(leaves))
        grads = torch.autograd.grad(loss_i, leaves, allow_unused=True)
        with torch.no_grad():
            stepped = [t if g is None else t - lr * g for t, g in zip(theta, grads, strict=True)]
            after = torch.stack(
                [
                    _scalar_loss(f"loss_fns[{j}](stepped params)", fn(stepped))
                    for j, fn in enumerate(loss_fns)
                ]
            )
        affinity[i] = 1 - after / base
    return affinity


def _batch_loss_fn(
    model: nn.Module, names: list[str], data: TaskData, rows: torch.Tensor, task: int
) -> LossFn:
    x, y = data.x[rows], data.y[rows]

    def loss_fn(params: list[torch.Tensor]) -> torch.Tensor:
        prediction = functional_call(model, dict(zip(names, params, strict=True)), (x, task))
        return task_loss(data.loss, prediction, y)

    return loss_fn


def affinity_while_training(
    model: nn.Module,
    train: Sequence[TaskData],
    *,
    steps: int,
    generator: torch.Generator,
    lookahead_lr: float,
    every: int = 1,
    lr: float = 1e-2,
    batch_size: int = 32,
) -> tuple[torch.Tensor, History]:
    """Train ``model(x, task)`` on all tasks together and average the lookahead affinity: (T, T).

    Every ``every`` steps, before the optimiser's step, :func:`lookahead_affinity` is measured on
    that step's batches (one per task) with step size ``lookahead_lr``; the returned matrix is the
    mean over those measurements. Training is :func:`train_multitask` with the plain sum of the
    task losses. Returns ``(affinity, history)``. Every trainable parameter takes part in the
    lookahead; a task's own head moves only under its own gradient, so only shared parameters
    carry one task's step to another.
    """
    check_positive_int("every", every)
    check_positive_float("lookahead_lr", lookahead_lr)
    check_positive_int("steps", steps)
    draw = every_task_sampler([len(t) for t in train], batch_size)
    named = [(name, p) for name, p in model.named_parameters() if p.requires_grad]
    names = [name for name, _ in named]
    # The sampler keeps the step's plan, so that the backward hook can replay its batches.
    plans: list[Plan] = []
    measured: list[torch.Tensor] = []

    def sampler(gen: torch.Generator) -> Plan:
        plans.append(draw(gen))
        return plans[-1]

    def backward(losses: torch.Tensor, indices: list[int]) -> torch.Tensor:
        if (len(plans) - 1) % every == 0:
            loss_fns = [_batch_loss_fn(model, names, train[i], rows, i) for i, rows in plans[-1]]
            measured.append(lookahead_affinity(loss_fns, [p for _, p in named], lookahead_lr))
        objective = losses.sum()
        objective.backward()
        return objective

    history = train_multitask(
        model,
        train,
        steps=steps,
        generator=generator,
        lr=lr,
        batch_size=batch_size,
        sampler=sampler,
        backward=backward,
    )
    return torch.stack(measured).mean(dim=0), history


def _check_affinity(affinity: object) -> torch.Tensor:
    check_tensor("affinity", affinity, ndim=2, dtype_kind="float")
    if affinity.shape[0] != affinity.shape[1] or affinity.shape[0] == 0:
        raise ValueError(
            f"affinity must be a square (T, T) matrix with T ≥ 1, got shape {tuple(affinity.shape)}"
        )
    return check_finite("affinity", affinity)


def count_groupings(n_tasks: int, n_groups: int) -> int:
    """How many ways to split ``n_tasks`` tasks into ``n_groups`` non-empty groups.

    The Stirling number of the second kind S(n_tasks, n_groups), e.g. S(6, 3) = 90; it grows
    roughly like n_groups ** n_tasks / n_groups!, which is what limits exhaustive search.
    """
    check_positive_int("n_tasks", n_tasks)
    check_positive_int("n_groups", n_groups)
    # S(n, k) = Σ_j (−1)^j C(k, j) (k − j)^n / k!, exact in integers.
    total = sum(
        (-1) ** j * math.comb(n_groups, j) * (n_groups - j) ** n_tasks for j in range(n_groups + 1)
    )
    return total // math.factorial(n_groups)


def _groupings(n_tasks: int, n_groups: int) -> Iterator[list[int]]:
    """Every split as a label list (task t is in group labels[t]); groups numbered by first task.

    Restricted growth strings: labels[0] = 0 and each label is at most one above the largest
    label before it, so every partition appears exactly once.
    """
    labels = [0] * n_tasks

    def extend(position: int, largest: int) -> Iterator[list[int]]:
        remaining = n_tasks - position
        if remaining == 0:
            if largest + 1 == n_groups:
                yield labels
            return
        if largest + 1 + remaining < n_groups:
            return
        for label in range(min(largest + 2, n_groups)):
            labels[position] = label
            yield from extend(position + 1, max(largest, label))

    yield from extend(1, 0)


def _check_groups(groups: object, n_tasks: int) -> list[list[int]]:
    if not isinstance(groups, Sequence) or isinstance(groups, str):
        raise TypeError(f"groups must be a list of lists of task indices, got {type(groups)}")
    seen: list[int] = []
    for position, group in enumerate(groups):
        if not isinstance(group, Sequence) or isinstance(group, str) or len(group) == 0:
            raise ValueError(f"groups[{position}] must be a non-empty list, got {group!r}")
        for task in group:
            if isinstance(task, bool) or not isinstance(task, int) or not 0 <= task < n_tasks:
                raise ValueError(
                    f"groups[{position}] must hold task indices in 0..{n_tasks - 1}, got {task!r}"
                )
        seen.extend(group)
    if sorted(seen) != list(range(n_tasks)):
        raise ValueError(
            f"groups must hold every task 0..{n_tasks - 1} exactly once, got {list(groups)}"
        )
    return [list(group) for group in groups]


def grouping_score(affinity: torch.Tensor, groups: Sequence[Sequence[int]]) -> float:
    """The total within-group affinity of a split of the tasks (Fifty et al., 2021).

    affinity: (T, T), entry [i, j] the affinity of task i onto task j; groups: a partition of
    0..T−1. Each task scores the mean affinity onto it from the other members of its group (0 when
    it is alone); the total is the sum over tasks. Taking the mean rather than the sum keeps big
    groups from winning merely by having more pairs.
    """
    affinity = _check_affinity(affinity)
    groups = _check_groups(groups, len(affinity))
    return _score(affinity.tolist(), groups)


def _score(values: list[list[float]], groups: list[list[int]]) -> float:
    # Plain Python lists: group_tasks calls this once per split, where tensor calls cost most.
    total = 0.0
    for group in groups:
        if len(group) > 1:
            received = sum(values[i][j] for i in group for j in group if i != j)
            total += received / (len(group) - 1)
    return total


def group_tasks(affinity: torch.Tensor, n_groups: int) -> list[list[int]]:
    """Split T tasks into ``n_groups`` non-empty groups of highest :func:`grouping_score`.

    affinity: (T, T). Exhaustive search over all :func:`count_groupings` splits, each scored in
    O(T²): about 10⁴ splits for 10 tasks, but 10⁸ for 16, so it refuses more than
    ``MAX_GROUPINGS`` splits. Groups come sorted (tasks ascending, groups by their first task);
    among equal scores the first split in that order wins, so the answer is deterministic.
    """
    affinity = _check_affinity(affinity)
    n_tasks = len(affinity)
    check_positive_int("n_groups", n_groups)
    if n_groups > n_tasks:
        raise ValueError(f"n_groups must be at most the number of tasks {n_tasks}, got {n_groups}")
    count = count_groupings(n_tasks, n_groups)
    if count > MAX_GROUPINGS:
        raise ValueError(
            f"affinity with {n_tasks} tasks has {count} splits into n_groups={n_groups} groups, "
            f"more than the {MAX_GROUPINGS} an exhaustive search allows"
        )
    values = affinity.tolist()
    best_score, best = -math.inf, None
    for labels in _groupings(n_tasks, n_groups):
        groups = [[] for _ in range(n_groups)]
        for task, label in enumerate(labels):
            groups[label].append(task)
        score = _score(values, groups)
        if score > best_score:
            best_score, best = score, groups
    return best


def plot_groupings(
    test_errors: Mapping[int, torch.Tensor],
    groupings: Mapping[int, Sequence[Sequence[int]]],
    n_groups: int,
    task_names: Sequence[str],
) -> Figure:
    """Per-task test error of the split into ``n_groups`` beside the two extremes.

    test_errors: {number of groups: (T,) per-task error}; it must hold 1 (one network for all),
    T (one network per task) and ``n_groups``, an int in 1..T; groupings: {number of groups: the
    split used}.
    Draws grouped bars (one group of bars per task) and names the split in the title.
    """
    if isinstance(task_names, str) or not isinstance(task_names, Sequence):
        raise TypeError(
            f"task_names must be a list of names, got {type(task_names).__name__} {task_names!r}"
        )
    n_tasks = len(task_names)
    if n_tasks == 0:
        raise ValueError("task_names must name at least one task, got none")
    for name, mapping in (("test_errors", test_errors), ("groupings", groupings)):
        if not isinstance(mapping, Mapping):
            raise TypeError(
                f"{name} must be a mapping from the number of groups, got {type(mapping).__name__}"
            )
    check_positive_int("n_groups", n_groups)
    n_groups = check_choice("n_groups", n_groups, range(1, n_tasks + 1))
    for needed in (1, n_tasks, n_groups):
        if needed not in test_errors or needed not in groupings:
            raise ValueError(
                f"test_errors and groupings must hold n_groups={needed}, got keys "
                f"{sorted(test_errors)} and {sorted(groupings)}"
            )
    split = _check_groups(groupings[n_groups], n_tasks)
    series = {"one network for all": test_errors[1]}
    if n_groups not in (1, n_tasks):
        series[f"{n_groups} groups"] = test_errors[n_groups]
    series["one network per task"] = test_errors[n_tasks]
    described = " | ".join(", ".join(task_names[t] for t in group) for group in split)
    fig = plot_task_bars(
        series,
        task_names,
        ylabel="test error (fraction wrong)",
        title=f"{n_groups} group(s): {described}",
    )
    fig.axes[0].title.set_fontsize("small")
    return fig
