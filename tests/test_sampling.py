"""Tests for mtl_helpers.sampling: hand-worked probabilities, empirical frequencies, bad input."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from mtl_helpers.sampling import (
    count_draws,
    expected_row_weight,
    plot_task_mix,
    task_probabilities,
    temperature_sampler,
    two_stage_sampler,
)
from mtl_helpers.tasks import TaskData
from mtl_helpers.training import train_multitask

sizes_strategy = st.lists(st.integers(1, 500), min_size=1, max_size=8)
temperature_strategy = st.one_of(st.floats(0.1, 20.0), st.just(math.inf))


def test_task_probabilities_by_hand() -> None:
    # τ = 1: (1, 3) / 4 = (0.25, 0.75).
    assert task_probabilities([1, 3]).tolist() == pytest.approx([0.25, 0.75])
    # τ = 2: √(4, 16) = (2, 4), / 6 = (1/3, 2/3).
    assert task_probabilities([4, 16], 2.0).tolist() == pytest.approx([1 / 3, 2 / 3])
    # τ = ∞: every exponent is 0, so (1, 1, 1) / 3.
    assert task_probabilities([1, 10, 100], math.inf).tolist() == pytest.approx([1 / 3] * 3)
    # A tensor of sizes works too: τ = 0.5 squares them, (1, 4) / 5.
    result = task_probabilities(torch.tensor([1, 2]), 0.5)
    assert result.tolist() == pytest.approx([0.2, 0.8])
    assert result.dtype == torch.float32


@settings(max_examples=80, deadline=None)
@given(sizes_strategy, temperature_strategy)
def test_task_probabilities_are_a_distribution_ordered_by_size(sizes, temperature) -> None:
    p = task_probabilities(sizes, temperature)
    assert (p > 0).all()
    assert p.sum().item() == pytest.approx(1.0, rel=1e-5)
    order = torch.argsort(torch.tensor(sizes), stable=True)
    assert (p[order].diff() >= -1e-7).all()  # a larger task is never less likely


@settings(max_examples=50, deadline=None)
@given(sizes_strategy, st.floats(1.0, 20.0))
def test_higher_temperature_flattens(sizes, temperature) -> None:
    # The largest task's share can only fall as τ grows, towards 1/T (T tasks).
    p_low = task_probabilities(sizes, temperature)
    p_high = task_probabilities(sizes, temperature * 2)
    largest = int(torch.tensor(sizes).argmax())
    assert p_high[largest] <= p_low[largest] + 1e-6
    assert p_high[largest] >= 1 / len(sizes) - 1e-6


@pytest.mark.parametrize(
    ("sizes", "temperature", "error", "message"),
    [
        ([3, 0, 2], 1.0, ValueError, r"sizes must all be ≥ 1 .* got 0 at index 1"),
        ([], 1.0, ValueError, "sizes must hold at least one task"),
        ([3, 2], 0.0, ValueError, r"temperature must be > 0 \(math.inf for uniform\), got 0.0"),
        ([3, 2], -1.0, ValueError, "temperature must be > 0"),
        ([3, 2], math.nan, ValueError, "temperature must be > 0"),
        ([3, 2], "hot", TypeError, "temperature must be a number, got str"),
        ([3, 2.5], 1.0, TypeError, "sizes must hold ints, got float 2.5 at index 1"),
        (torch.tensor([3.0, 2.0]), 1.0, TypeError, "sizes must have an integer dtype"),
        (torch.ones(2, 2, dtype=torch.int64), 1.0, ValueError, "sizes must have 1 dimension"),
    ],
)
def test_task_probabilities_rejects_bad_input(sizes, temperature, error, message) -> None:
    with pytest.raises(error, match=message):
        task_probabilities(sizes, temperature)


def test_expected_row_weight_by_hand() -> None:
    # sizes (10, 90), N = 100. Uniform p = (0.5, 0.5): N p / n = (100·0.5/10, 100·0.5/90)
    #   = (5, 0.5556). Proportional p = (0.1, 0.9): (1, 1).
    uniform = expected_row_weight([10, 90], torch.tensor([0.5, 0.5]))
    assert uniform.tolist() == pytest.approx([5.0, 50 / 90])
    assert expected_row_weight([10, 90], torch.tensor([0.1, 0.9])).tolist() == pytest.approx(
        [1.0, 1.0]
    )


@pytest.mark.parametrize(
    ("probabilities", "message"),
    [
        (torch.tensor([0.5, 0.6]), "probabilities must sum to 1, got a sum of 1.1"),
        (torch.tensor([1.5, -0.5]), r"probabilities must be ≥ 0"),
        (torch.tensor([1.0]), r"probabilities must have one entry per task \(2\)"),
        (torch.tensor([math.nan, 1.0]), "probabilities must be finite"),
    ],
)
def test_probabilities_are_checked(probabilities, message) -> None:
    with pytest.raises(ValueError, match=message):
        expected_row_weight([10, 90], probabilities)
    with pytest.raises(ValueError, match=message):
        two_stage_sampler([10, 90], probabilities, tasks_per_step=2, rows_per_task=2)


def test_two_stage_sampler_plan_shape_and_repeatability() -> None:
    sampler = temperature_sampler([5, 40, 3], 2.0, tasks_per_step=6, rows_per_task=4)
    plan = sampler(torch.Generator().manual_seed(0))
    again = sampler(torch.Generator().manual_seed(0))
    assert len(plan) == 6
    for (task, rows), (task_again, rows_again) in zip(plan, again, strict=True):
        assert task == task_again and torch.equal(rows, rows_again)
        size = [5, 40, 3][task]
        assert len(rows) == min(4, size)  # all rows of the 3-row task
        assert len(set(rows.tolist())) == len(rows)  # distinct within a draw
        assert 0 <= int(rows.min()) and int(rows.max()) < size


def test_a_task_with_probability_zero_is_never_drawn() -> None:
    sampler = two_stage_sampler(
        [5, 5, 5], torch.tensor([0.5, 0.0, 0.5]), tasks_per_step=4, rows_per_task=1
    )
    draws, _ = count_draws(sampler, 3, steps=200, generator=torch.Generator().manual_seed(1))
    assert draws[1] == 0


@pytest.mark.parametrize("temperature", [1.0, 2.0, math.inf])
def test_empirical_frequencies_match_probabilities(temperature) -> None:
    sizes = [2, 20, 200, 50]
    sampler = temperature_sampler(sizes, temperature, tasks_per_step=10, rows_per_task=3)
    draws, rows_used = count_draws(
        sampler, 4, steps=2000, generator=torch.Generator().manual_seed(3)
    )
    p = task_probabilities(sizes, temperature)
    total = int(draws.sum())
    assert total == 20_000
    # Each count is binomial(20,000, p_i): within 4 standard deviations.
    standard_error = torch.sqrt(p * (1 - p) / total)
    assert ((draws / total - p).abs() <= 4 * standard_error + 1e-9).all()
    # The 2-row task gives 2 rows per draw, the others 3.
    assert rows_used[0] == 2 * draws[0] and rows_used[2] == 3 * draws[2]


def test_temperature_one_uses_every_row_at_the_pooled_rate() -> None:
    # With one row per draw and p ∝ n, each row is drawn with probability 1/N per draw: the rows
    # of every task are used equally often on average.
    sizes = [4, 12]
    sampler = temperature_sampler(sizes, 1.0, tasks_per_step=16, rows_per_task=1)
    _, rows_used = count_draws(sampler, 2, steps=1000, generator=torch.Generator().manual_seed(4))
    per_row = rows_used / torch.tensor(sizes)
    assert per_row[0].item() == pytest.approx(per_row[1].item(), rel=0.05)


def test_sampler_plugs_into_train_multitask() -> None:
    generator = torch.Generator().manual_seed(0)
    tasks = [
        TaskData(
            "a", torch.randn(6, 2, generator=generator), torch.randn(6, generator=generator), "mse"
        ),
        TaskData(
            "b",
            torch.randn(30, 2, generator=generator),
            torch.randn(30, generator=generator),
            "mse",
        ),
    ]

    class Model(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.heads = torch.nn.ModuleList(torch.nn.Linear(2, 1) for _ in range(2))

        def forward(self, x, task):
            return self.heads[task](x).squeeze(-1)

    sampler = temperature_sampler([6, 30], math.inf, tasks_per_step=2, rows_per_task=4)
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        model = Model()
        history = train_multitask(
            model, tasks, steps=5, generator=torch.Generator().manual_seed(7), sampler=sampler
        )
        runs.append((history.objective, [p.detach().clone() for p in model.parameters()]))
    assert runs[0][0] == runs[1][0]  # the same seed repeats the run exactly
    assert all(torch.equal(a, b) for a, b in zip(runs[0][1], runs[1][1], strict=True))


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"tasks_per_step": 0}, ValueError, "tasks_per_step must be at least 1, got 0"),
        ({"rows_per_task": 0}, ValueError, "rows_per_task must be at least 1, got 0"),
        ({"rows_per_task": 2.0}, TypeError, "rows_per_task must be an int"),
    ],
)
def test_two_stage_sampler_rejects_bad_input(kwargs, error, message) -> None:
    arguments = {"tasks_per_step": 2, "rows_per_task": 2}
    arguments.update(kwargs)
    with pytest.raises(error, match=message):
        two_stage_sampler([3, 4], torch.tensor([0.5, 0.5]), **arguments)


def test_count_draws_rejects_out_of_range_tasks() -> None:
    def bad_sampler(generator):
        return [(5, torch.tensor([0]))]

    with pytest.raises(ValueError, match=r"sampler drew task 5, outside 0\.\.1"):
        count_draws(bad_sampler, 2, steps=1, generator=torch.Generator())


def test_plot_task_mix_draws_labelled_axes() -> None:
    fig = plot_task_mix([2, 20, 200], 2.0)
    ax = fig.axes[0]
    assert ax.get_title() == "Task mix"
    assert ax.get_xlabel() and ax.get_ylabel()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["τ = 2", "pooled, τ = 1"]
    with pytest.raises(ValueError, match="temperature must be > 0"):
        plot_task_mix([2, 20], 0.0)


@pytest.mark.parametrize(("generator", "shown"), [(3, r"int 3"), (None, r"NoneType None")])
def test_count_draws_requires_a_generator(generator: object, shown: str) -> None:
    sample = temperature_sampler([3, 4], tasks_per_step=2, rows_per_task=2)
    with pytest.raises(TypeError, match=r"generator must be a torch\.Generator .*got " + shown):
        count_draws(sample, 2, steps=1, generator=generator)
    with pytest.raises(TypeError, match=r"sampler must be callable, got list \[\]"):
        count_draws([], 2, steps=1, generator=torch.Generator())


def test_sizes_are_refused_as_floats_here_as_in_the_training_samplers() -> None:
    with pytest.raises(TypeError, match=r"sizes must hold ints, got float 3\.5 at index 0"):
        task_probabilities([3.5, 4])
    with pytest.raises(TypeError, match=r"sizes must be a list of ints .*got str '34'"):
        task_probabilities("34")
