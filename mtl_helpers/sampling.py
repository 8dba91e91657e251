"""Which tasks a training step sees: task probabilities and a two-stage sampler.

Introduced in notebook 06. A sampler here follows ``mtl_helpers.training.Sampler``: called with
a ``torch.Generator`` it returns the step's plan, a list of (task index, row indices), so it plugs
into :func:`~mtl_helpers.training.train_multitask` as ``sampler=...`` and a run repeats exactly
when the generator is seeded the same way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from mtl_helpers.training import Plan, Sampler, check_sizes
from mtl_helpers.validation import (
    check_finite,
    check_generator,
    check_positive_int,
    check_tensor,
)


def _check_temperature(temperature: object) -> float:
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float)):
        raise TypeError(
            f"temperature must be a number, got {type(temperature).__name__} {temperature!r}"
        )
    if math.isnan(temperature) or temperature <= 0:
        raise ValueError(f"temperature must be > 0 (math.inf for uniform), got {temperature}")
    return float(temperature)


def task_probabilities(
    sizes: Sequence[int] | torch.Tensor, temperature: float = 1.0
) -> torch.Tensor:
    """Temperature sampling p_i ∝ n_i^(1/τ) over T tasks: (T,) probabilities summing to 1.

    sizes: (T,) number of rows n_i ≥ 1 of each task; temperature: τ > 0. τ = 1 is proportional
    to size (what drawing rows from the pooled data gives), τ = ``math.inf`` is uniform over
    tasks, and values in between flatten the size differences.
    """
    counts = check_sizes(sizes)
    temperature = _check_temperature(temperature)
    # log n_i / τ in float64, then a softmax: exact for τ = inf and stable for large sizes.
    logits = torch.log(counts.to(torch.float64)) / temperature
    return torch.softmax(logits, dim=0).to(torch.get_default_dtype())


def expected_row_weight(
    sizes: Sequence[int] | torch.Tensor, probabilities: torch.Tensor
) -> torch.Tensor:
    """How often, relative to pooled sampling, one row of each task is used: (T,).

    With task i drawn with probability p_i and a row of it uniformly, a row of task i is used at
    rate p_i / n_i; pooled sampling uses every row at rate 1 / N (N = Σ n_i). The ratio
    N p_i / n_i is 1 for every task at temperature τ = 1, above 1 for tasks sampled more often than
    their size asks, below 1 for tasks sampled less.
    """
    counts = check_sizes(sizes).to(torch.get_default_dtype())
    _check_probabilities(probabilities, len(counts))
    return counts.sum() * probabilities / counts


def _check_probabilities(probabilities: object, n_tasks: int) -> torch.Tensor:
    check_tensor("probabilities", probabilities, ndim=1, dtype_kind="float")
    if len(probabilities) != n_tasks:
        raise ValueError(
            f"probabilities must have one entry per task ({n_tasks}), got shape "
            f"{tuple(probabilities.shape)}"
        )
    check_finite("probabilities", probabilities)
    if bool((probabilities < 0).any()):
        raise ValueError(f"probabilities must be ≥ 0, got {probabilities.tolist()}")
    total = float(probabilities.sum())
    if abs(total - 1.0) > 1e-5:
        raise ValueError(f"probabilities must sum to 1, got a sum of {total}")
    return probabilities


def two_stage_sampler(
    sizes: Sequence[int] | torch.Tensor,
    probabilities: torch.Tensor,
    *,
    tasks_per_step: int,
    rows_per_task: int,
) -> Sampler:
    """Task first, then data: a :data:`~mtl_helpers.training.Sampler` for ``train_multitask``.

    sizes: (T,) rows per task; probabilities: (T,) how likely each task is to be drawn, e.g. from
    :func:`task_probabilities`. Each step draws ``tasks_per_step`` task indices independently
    (with replacement, so a task can appear twice), then for each draw ``rows_per_task``
    distinct rows of that task (all its rows if it has fewer). Every draw becomes one entry of the
    plan and contributes its mean loss, so the objective is Σ over draws of L_i on that draw's
    rows. With probabilities ∝ n_i each row is used at the pooled rate on average.
    """
    counts = check_sizes(sizes)
    _check_probabilities(probabilities, len(counts))
    tasks_per_step = check_positive_int("tasks_per_step", tasks_per_step)
    rows_per_task = check_positive_int("rows_per_task", rows_per_task)
    probabilities = probabilities.detach().clone()
    size_list = counts.tolist()

    def sample(generator: torch.Generator) -> Plan:
        drawn = torch.multinomial(
            probabilities, tasks_per_step, replacement=True, generator=generator
        )
        return [
            (task, torch.randperm(size_list[task], generator=generator)[:rows_per_task])
            for task in drawn.tolist()
        ]

    return sample


def temperature_sampler(
    sizes: Sequence[int] | torch.Tensor,
    temperature: float = 1.0,
    *,
    tasks_per_step: int,
    rows_per_task: int,
) -> Sampler:
    """:func:`two_stage_sampler` with p_i ∝ n_i^(1/τ) (:func:`task_probabilities`).

    temperature τ = 1 gives pooled sampling's rates, ``math.inf`` picks tasks uniformly.
    """
    return two_stage_sampler(
        sizes,
        task_probabilities(sizes, temperature),
        tasks_per_step=tasks_per_step,
        rows_per_task=rows_per_task,
    )


def count_draws(
    sampler: Sampler, n_tasks: int, steps: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """Run ``sampler`` for ``steps`` steps and count what it drew: two (T,) int64 tensors.

    Returns ``(task_draws, rows_used)``: how often each task was drawn, and how many rows of it
    were used in all. Nothing is trained; this is how the notebook and the tests look at a
    sampler's empirical frequencies.
    """
    if not callable(sampler):
        raise TypeError(f"sampler must be callable, got {type(sampler).__name__} {sampler!r}")
    check_positive_int("n_tasks", n_tasks)
    check_positive_int("steps", steps)
    check_generator("generator", generator)
    task_draws = torch.zeros(n_tasks, dtype=torch.int64)
    rows_used = torch.zeros(n_tasks, dtype=torch.int64)
    for _ in range(steps):
        for task, rows in sampler(generator):
            if not 0 <= task < n_tasks:
                raise ValueError(f"sampler drew task {task}, outside 0..{n_tasks - 1}")
            task_draws[task] += 1
            rows_used[task] += len(rows)
    return task_draws, rows_used


def plot_task_mix(
    sizes: Sequence[int] | torch.Tensor,
    temperature: float,
    ax: Axes | None = None,
) -> Figure:
    """Each task's sampling probability at ``temperature`` against its size, pooled rate dashed."""
    counts = check_sizes(sizes)
    probabilities = task_probabilities(counts, temperature)
    pooled = task_probabilities(counts, 1.0)
    order = torch.argsort(counts)
    if ax is None:
        _, ax = plt.subplots(layout="constrained")
    ax.scatter(counts.tolist(), probabilities.tolist(), s=14, label=f"τ = {temperature:g}")
    ax.plot(
        counts[order].tolist(), pooled[order].tolist(), "--", color="0.5", label="pooled, τ = 1"
    )
    ax.set_xlabel("task size n_i (rows)")
    ax.set_ylabel("probability p_i")
    ax.set_title("Task mix")
    ax.legend(fontsize="small")
    return ax.figure
