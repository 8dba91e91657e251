"""Tests for mtl_helpers.affinity: lookahead affinity, grouping search and the grouping plot."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from mtl_helpers.affinity import (
    MAX_GROUPINGS,
    affinity_while_training,
    count_groupings,
    group_tasks,
    grouping_score,
    lookahead_affinity,
    plot_groupings,
)
from mtl_helpers.architectures import HardSharing
from mtl_helpers.tasks import TaskData


def quadratic(center: float):
    """L(θ) = (θ − center)² + 1 for a one-element θ."""
    return lambda params: ((params[0] - center) ** 2).sum() + 1


def test_lookahead_affinity_by_hand():
    # θ = 0, η = 0.25. ∇L_1(0) = 2(0 − 1) = −2 → θ' = 0.5; L_2 = (θ − 2)² + 1 goes 5 → 3.25:
    # Z[0, 1] = 1 − 3.25 / 5 = 0.35. L_3 = (θ + 1)² + 1 goes 2 → 3.25: Z[0, 2] = −0.625.
    # Self: L_1 goes 2 → 1.25, Z[0, 0] = 0.375. ∇L_2(0) = −4 → θ' = 1: L_1 = 1, Z[1, 0] = 0.5.
    losses = [quadratic(1.0), quadratic(2.0), quadratic(-1.0)]
    theta = torch.zeros(1)
    affinity = lookahead_affinity(losses, [theta], lr=0.25)
    assert affinity.shape == (3, 3)
    assert torch.allclose(affinity[0], torch.tensor([0.375, 0.35, -0.625]))
    assert math.isclose(float(affinity[1, 0]), 0.5, abs_tol=1e-6)


def test_lookahead_leaves_parameters_and_gradients_unchanged():
    generator = torch.Generator().manual_seed(0)
    weight = torch.randn(3, 2, generator=generator, requires_grad=True)
    bias = torch.randn(3, generator=generator, requires_grad=True)
    weight.grad = torch.ones_like(weight)
    before = (weight.detach().clone(), bias.detach().clone(), weight.grad.clone())
    x = torch.randn(5, 2, generator=generator)

    def loss_fn(row: int):
        return lambda params: ((x @ params[0].T + params[1])[:, row] ** 2).mean() + 0.1

    lookahead_affinity([loss_fn(0), loss_fn(1), loss_fn(2)], [weight, bias], lr=0.1)
    assert torch.equal(weight.detach(), before[0])
    assert torch.equal(bias.detach(), before[1])
    assert torch.equal(weight.grad, before[2])
    assert bias.grad is None


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), lr=st.floats(1e-4, 1e-2))
def test_small_steps_follow_the_gradient_inner_product(seed, lr):
    # To first order, Z[i, j] ≈ η ∇L_i · ∇L_j / L_j for quadratic losses with random centres.
    generator = torch.Generator().manual_seed(seed)
    centers = torch.randn(3, 4, generator=generator, dtype=torch.float64)
    theta = torch.randn(4, generator=generator, dtype=torch.float64)
    losses = [lambda p, c=c: ((p[0] - c) ** 2).sum() + 1 for c in centers]
    affinity = lookahead_affinity(losses, [theta], lr=lr)
    grads = 2 * (theta - centers)  # (T, P)
    values = ((theta - centers) ** 2).sum(dim=1) + 1  # (T,)
    first_order = lr * (grads @ grads.T) / values[None, :]
    # The remainder is second order in η: below η² ‖∇L_i‖² / L_j, under 200 η² for these draws.
    assert torch.allclose(affinity.double(), first_order, atol=200 * lr**2, rtol=0.0)


def test_unused_parameter_gets_no_step():
    # The second tensor does not enter either loss: its missing gradient counts as zero.
    theta, unused = torch.zeros(1), torch.ones(2)
    affinity = lookahead_affinity([quadratic(1.0), quadratic(2.0)], [theta, unused], lr=0.25)
    assert math.isclose(float(affinity[0, 1]), 0.35, abs_tol=1e-6)


@pytest.mark.parametrize(
    ("loss_fns", "params", "lr", "error", "match"),
    [
        ([], [torch.zeros(1)], 0.1, ValueError, "loss_fns must hold at least one"),
        (quadratic(1.0), [torch.zeros(1)], 0.1, TypeError, "loss_fns must be a list"),
        ([1.0], [torch.zeros(1)], 0.1, TypeError, r"loss_fns\[0\] must be callable"),
        ([quadratic(1.0)], [], 0.1, ValueError, "params must hold at least one"),
        ([quadratic(1.0)], torch.zeros(1), 0.1, TypeError, "params must be a list"),
        ([quadratic(1.0)], [torch.zeros(1, dtype=torch.int64)], 0.1, TypeError, "floating"),
        ([quadratic(1.0)], [torch.zeros(1)], 0.0, ValueError, "lr must be a finite number > 0"),
        ([lambda p: p[0].sum() ** 2], [torch.zeros(1)], 0.1, ValueError, "loss > 0"),
        ([lambda p: p[0] + 1], [torch.zeros(2)], 0.1, ValueError, "dimension"),
    ],
)
def test_lookahead_bad_input(loss_fns, params, lr, error, match):
    with pytest.raises(error, match=match):
        lookahead_affinity(loss_fns, params, lr)


@pytest.mark.parametrize(
    ("n_tasks", "n_groups", "expected"),
    # S(n, 1) = S(n, n) = 1; S(4, 2) = 7 ({a}{bcd} four ways, {ab}{cd} three ways);
    # S(6, 3) = (729 − 3·64 + 3) / 6 = 90; S(10, 3) = 9330; S(3, 5) = 0.
    [(5, 1, 1), (5, 5, 1), (4, 2, 7), (6, 3, 90), (10, 3, 9330), (3, 5, 0)],
)
def test_count_groupings(n_tasks, n_groups, expected):
    assert count_groupings(n_tasks, n_groups) == expected


def test_group_tasks_finds_obvious_blocks():
    # Tasks {0, 2} help each other, and {1, 3, 4} do; across the blocks they hurt.
    affinity = -torch.ones(5, 5)
    for block in ([0, 2], [1, 3, 4]):
        for i in block:
            for j in block:
                affinity[i, j] = 1.0
    assert group_tasks(affinity, 2) == [[0, 2], [1, 3, 4]]
    # Score: tasks 0 and 2 each receive 1 from their one mate; 1, 3, 4 each receive mean 1.
    assert math.isclose(grouping_score(affinity, [[0, 2], [1, 3, 4]]), 5.0)
    assert group_tasks(affinity, 1) == [[0, 1, 2, 3, 4]]
    assert group_tasks(affinity, 5) == [[0], [1], [2], [3], [4]]


def test_grouping_score_by_hand():
    # Z onto task 1 from 0 is 0.2 and onto 0 from 1 is −0.1; task 2 alone scores 0.
    affinity = torch.tensor([[1.0, 0.2, 0.5], [-0.1, 1.0, 0.0], [0.3, 0.3, 1.0]])
    assert math.isclose(grouping_score(affinity, [[0, 1], [2]]), 0.1, abs_tol=1e-7)
    # One group: task 0 gets (−0.1 + 0.3)/2 = 0.1, task 1 (0.2 + 0.3)/2 = 0.25,
    # task 2 (0.5 + 0.0)/2 = 0.25: total 0.6.
    assert math.isclose(grouping_score(affinity, [[0, 1, 2]]), 0.6, abs_tol=1e-7)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n_tasks=st.integers(2, 6), data=st.data())
def test_group_tasks_is_the_best_split(seed, n_tasks, data):
    n_groups = data.draw(st.integers(1, n_tasks))
    affinity = torch.randn(n_tasks, n_tasks, generator=torch.Generator().manual_seed(seed))
    groups = group_tasks(affinity, n_groups)
    assert len(groups) == n_groups and all(groups)
    assert sorted(t for g in groups for t in g) == list(range(n_tasks))
    assert groups == sorted(sorted(g) for g in groups)
    best = grouping_score(affinity, groups)
    # No single move of a task to another group scores higher.
    for task in range(n_tasks):
        for target in range(n_groups):
            moved = [[t for t in g if t != task] for g in groups]
            moved[target].append(task)
            if all(moved):
                assert grouping_score(affinity, moved) <= best + 1e-9


@pytest.mark.parametrize(
    ("affinity", "n_groups", "error", "match"),
    [
        (torch.zeros(3), 1, ValueError, "affinity must have 2 dimension"),
        (torch.zeros(2, 3), 1, ValueError, r"square \(T, T\)"),
        (torch.tensor([[0.0, float("nan")], [0.0, 0.0]]), 1, ValueError, "must be finite"),
        (torch.zeros(3, 3, dtype=torch.int64), 1, TypeError, "floating dtype"),
        (torch.zeros(3, 3), 4, ValueError, "at most the number of tasks 3"),
        (torch.zeros(3, 3), 0, ValueError, "n_groups must be at least 1"),
        (torch.zeros(3, 3), 1.5, TypeError, "n_groups must be an int"),
        (torch.zeros(20, 20), 4, ValueError, f"more than the {MAX_GROUPINGS}"),
    ],
)
def test_group_tasks_bad_input(affinity, n_groups, error, match):
    with pytest.raises(error, match=match):
        group_tasks(affinity, n_groups)


@pytest.mark.parametrize(
    ("groups", "match"),
    [
        ([[0, 1]], r"every task 0..2 exactly once"),
        ([[0, 1], [1, 2]], r"every task 0..2 exactly once"),
        ([[0, 1, 2], []], r"groups\[1\] must be a non-empty list"),
        ([[0, 5], [1, 2]], r"task indices in 0..2, got 5"),
    ],
)
def test_grouping_score_bad_groups(groups, match):
    with pytest.raises(ValueError, match=match):
        grouping_score(torch.zeros(3, 3), groups)


def _two_tasks(generator: torch.Generator) -> list[TaskData]:
    x = torch.randn(40, 3, generator=generator)
    return [
        TaskData("first", x, (x[:, 0] > 0).long(), "cross_entropy"),
        TaskData("same", x, (x[:, 0] > 0).long(), "cross_entropy"),
        TaskData("opposite", x, (x[:, 0] < 0).long(), "cross_entropy"),
    ]


def test_affinity_while_training_shape_and_self_affinity():
    generator = torch.Generator().manual_seed(0)
    tasks = _two_tasks(generator)
    torch.manual_seed(0)
    model = HardSharing(3, [4], [2, 2, 2])
    affinity, history = affinity_while_training(
        model, tasks, steps=6, generator=generator, lookahead_lr=0.1, every=3, batch_size=40
    )
    assert affinity.shape == (3, 3)
    assert history.step[-1] == 6 and len(history.objective) == 6
    assert bool(torch.isfinite(affinity).all())
    # Every task's own step lowers its own full-batch loss.
    assert float(affinity.diagonal().min()) > 0


def test_affinity_while_training_bad_input():
    generator = torch.Generator().manual_seed(0)
    model = HardSharing(3, [4], [2, 2, 2])
    with pytest.raises(ValueError, match="every must be at least 1"):
        affinity_while_training(
            model, _two_tasks(generator), steps=2, generator=generator, lookahead_lr=0.1, every=0
        )
    with pytest.raises(ValueError, match="lookahead_lr must be a finite number > 0"):
        affinity_while_training(
            model, _two_tasks(generator), steps=2, generator=generator, lookahead_lr=-1.0
        )


def test_plot_groupings():
    names = ["a", "b", "c"]
    errors = {1: torch.tensor([0.1, 0.2, 0.3]), 2: torch.tensor([0.1, 0.1, 0.2]), 3: torch.zeros(3)}
    groupings = {1: [[0, 1, 2]], 2: [[0, 2], [1]], 3: [[0], [1], [2]]}
    fig = plot_groupings(errors, groupings, 2, names)
    ax = fig.axes[0]
    assert ax.get_title() == "2 group(s): a, c | b"
    assert len(ax.patches) == 9  # three series of three bars
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "one network for all",
        "2 groups",
        "one network per task",
    ]
    plt.close(fig)
    fig = plot_groupings(errors, groupings, 1, names)
    assert len(fig.axes[0].patches) == 6  # the chosen split is an extreme: no third series
    plt.close(fig)
    with pytest.raises(ValueError, match="unknown n_groups 4; expected one of: 1, 2, 3"):
        plot_groupings(errors, groupings, 4, names)
    # n_groups is valid but the dicts lack it: the message blames the dicts.
    with pytest.raises(
        ValueError,
        match=r"test_errors and groupings must hold n_groups=2, got keys \[1, 3\] and \[1, 3\]",
    ):
        plot_groupings({k: errors[k] for k in (1, 3)}, {k: groupings[k] for k in (1, 3)}, 2, names)


@pytest.mark.parametrize(
    ("n_groups", "error", "message"),
    [
        (7, ValueError, "unknown n_groups 7; expected one of: 1, 2, 3, 4, 5, 6"),
        (0, ValueError, "n_groups must be at least 1, got 0"),
        ("3", TypeError, "n_groups must be an int, got str '3'"),
        (True, TypeError, "n_groups must be an int, got bool True"),
        (3.0, TypeError, r"n_groups must be an int, got float 3\.0"),
    ],
)
def test_plot_groupings_rejects_bad_n_groups(n_groups, error, message):
    names = list("abcdef")
    errors = {k: torch.ones(6) for k in range(1, 7)}
    # Split k: task t in group t mod k, e.g. k = 2 → [[0, 2, 4], [1, 3, 5]].
    groupings = {k: [list(range(j, 6, k)) for j in range(k)] for k in range(1, 7)}
    assert plot_groupings(errors, groupings, 3, names).axes[0].get_title().startswith("3 group")
    with pytest.raises(error, match=message):
        plot_groupings(errors, groupings, n_groups, names)


def test_plot_groupings_rejects_bad_containers():
    errors = {1: torch.ones(2), 2: torch.ones(2)}
    groupings = {1: [[0, 1]], 2: [[0], [1]]}
    with pytest.raises(TypeError, match="test_errors must be a mapping from the number of groups"):
        plot_groupings([errors[1], errors[2]], groupings, 1, ["a", "b"])
    with pytest.raises(TypeError, match="groupings must be a mapping from the number of groups"):
        plot_groupings(errors, None, 1, ["a", "b"])
    with pytest.raises(TypeError, match="task_names must be a list of names, got str 'ab'"):
        plot_groupings(errors, groupings, 1, "ab")
    with pytest.raises(ValueError, match="task_names must name at least one task, got none"):
        plot_groupings(errors, groupings, 1, [])
