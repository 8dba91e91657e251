"""Tests for mtl_helpers.gradients: hand-worked cases, properties, torchjd cross-checks, errors."""

from __future__ import annotations

import itertools
import math

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torchjd.aggregation import MGDA, Mean, PCGrad

from mtl_helpers.gradients import (
    assign_gradient,
    cagrad,
    conflict_cosines,
    gradient_backward,
    linear_transfer_gap,
    mean_gradient,
    mgda,
    min_norm_weights,
    pcgrad,
    pcgrad_weights,
    plot_transfer_gap,
    task_gradients,
)
from mtl_helpers.models import HardSharingModel
from mtl_helpers.tasks import TaskData
from mtl_helpers.training import train_multitask


def random_grads(seed: int, max_tasks: int = 6, max_params: int = 12) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    n_tasks = int(torch.randint(2, max_tasks + 1, (1,), generator=generator))
    n_params = int(torch.randint(1, max_params + 1, (1,), generator=generator))
    grads = torch.randn(n_tasks, n_params, generator=generator, dtype=torch.float64)
    return grads * torch.rand(n_tasks, 1, generator=generator, dtype=torch.float64) * 10


def brute_force_min_norm(grads: torch.Tensor) -> torch.Tensor:
    """Reference MGDA: try every support, keep the best feasible affine minimiser."""
    gram = (grads @ grads.T).numpy()
    n_tasks = len(gram)
    best_value, best_weights = np.inf, None
    for size in range(1, n_tasks + 1):
        for support in itertools.combinations(range(n_tasks), size):
            support = list(support)
            system = np.zeros((size + 1, size + 1))
            system[:size, :size] = gram[np.ix_(support, support)]
            system[:size, size] = system[size, :size] = 1.0
            rhs = np.zeros(size + 1)
            rhs[size] = 1.0
            try:
                solved = np.linalg.solve(system, rhs)[:size]
            except np.linalg.LinAlgError:
                continue
            if (solved < -1e-12).any():
                continue
            weights = np.zeros(n_tasks)
            weights[support] = solved
            value = weights @ gram @ weights
            if value < best_value:
                best_value, best_weights = value, weights
    return torch.from_numpy(best_weights) @ grads


# Hand-worked two-task case: g1 = (1, 0), g2 = (-1, 1).
# g1·g2 = -1 < 0, ‖g1‖² = 1, ‖g2‖² = 2.
G1, G2 = [1.0, 0.0], [-1.0, 1.0]


def test_pcgrad_two_tasks_by_hand() -> None:
    # g1^PC = g1 − (g1·g2/‖g2‖²) g2 = (1, 0) + ½(−1, 1) = (0.5, 0.5)
    # g2^PC = g2 − (g2·g1/‖g1‖²) g1 = (−1, 1) + (1, 0) = (0, 1)
    # sum = (0.5, 1.5)
    grads = torch.tensor([G1, G2], dtype=torch.float64)
    assert torch.allclose(pcgrad(grads), torch.tensor([0.5, 1.5], dtype=torch.float64))


def test_pcgrad_leaves_agreeing_gradients_alone() -> None:
    # (1, 0)·(1, 1) = 1 ≥ 0: no projection, the sum is (2, 1).
    grads = torch.tensor([[1.0, 0.0], [1.0, 1.0]])
    assert torch.allclose(pcgrad(grads), torch.tensor([2.0, 1.0]))


def test_mgda_two_tasks_by_hand() -> None:
    # d = a g1 + (1 − a) g2, a = (‖g2‖² − g1·g2) / ‖g1 − g2‖² = (2 + 1) / (4 + 1) = 0.6
    # d = 0.6 (1, 0) + 0.4 (−1, 1) = (0.2, 0.4)
    grads = torch.tensor([G1, G2], dtype=torch.float64)
    assert torch.allclose(mgda(grads), torch.tensor([0.2, 0.4], dtype=torch.float64))


def test_mgda_returns_the_shorter_gradient_when_it_is_optimal() -> None:
    # g1 = (1, 0), g2 = (3, 0): the hull is the segment [1, 3] on the x axis, nearest point 1.
    grads = torch.tensor([[1.0, 0.0], [3.0, 0.0]], dtype=torch.float64)
    assert torch.allclose(mgda(grads), torch.tensor([1.0, 0.0], dtype=torch.float64))


def test_cagrad_two_tasks_by_hand() -> None:
    # g1 = (1, 0), g2 = (0, 1): g0 = (0.5, 0.5), ‖g0‖ = 1/√2, r = c‖g0‖.
    # By symmetry w = (½, ½), g_w = g0, so d = g0 + r g0/‖g0‖ = (1 + c) g0.
    grads = torch.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=torch.float64)
    assert torch.allclose(cagrad(grads, c=0.5), torch.tensor([0.75, 0.75], dtype=torch.float64))


def test_cagrad_two_tasks_against_a_one_dimensional_search() -> None:
    # Inner problem over w = (a, 1 − a): F(a) = g_w·g0 + r‖g_w‖, minimised on a fine grid
    # refined by ternary search (F is convex in a).
    grads = torch.tensor([[2.0, 0.5, -1.0], [-1.0, 1.0, 0.5]], dtype=torch.float64)
    c = 0.7
    g0 = grads.mean(0)
    radius = c * g0.norm()

    def objective(a: float) -> float:
        g_w = a * grads[0] + (1 - a) * grads[1]
        return float(g_w @ g0 + radius * g_w.norm())

    low, high = 0.0, 1.0
    for _ in range(200):
        left, right = low + (high - low) / 3, high - (high - low) / 3
        if objective(left) < objective(right):
            high = right
        else:
            low = left
    g_w = low * grads[0] + (1 - low) * grads[1]
    expected = g0 + radius * g_w / g_w.norm()
    assert torch.allclose(cagrad(grads, c=c), expected, rtol=1e-6, atol=1e-9)


def test_conflict_cosines_by_hand() -> None:
    # cos(g1, g2) = −1 / (1 · √2) = −0.7071
    cosines = conflict_cosines(torch.tensor([G1, G2]))
    expected = torch.tensor([[1.0, -1 / 2**0.5], [-1 / 2**0.5, 1.0]])
    assert torch.allclose(cosines, expected)


@pytest.mark.parametrize("method", [pcgrad, mgda, cagrad, conflict_cosines])
def test_zero_gradient_gives_no_nan(method) -> None:
    for grads in (torch.zeros(3, 4), torch.tensor([[0.0, 0.0], [1.0, 2.0]])):
        assert torch.isfinite(method(grads)).all()


def test_mgda_is_zero_when_a_gradient_is_zero() -> None:
    grads = torch.tensor([[0.0, 0.0], [1.0, 2.0], [-3.0, 1.0]])
    assert torch.equal(mgda(grads), torch.zeros(2))


def test_mgda_matches_brute_force_to_1e_6_relative() -> None:
    for seed in range(200):
        grads = random_grads(seed)
        expected = brute_force_min_norm(grads)
        if expected.norm() < 1e-8:  # 0 in the hull: check the absolute size instead
            assert mgda(grads).norm() < 1e-8 * grads.norm()
            continue
        error = (mgda(grads) - expected).norm() / expected.norm()
        assert error < 1e-6, (seed, float(error))


def test_mgda_handles_linearly_dependent_gradients() -> None:
    # Six gradients in a 2-D space: the Gramian has rank 2, yet the answer is exact.
    for seed in range(50):
        grads = random_grads(seed, max_tasks=6, max_params=2)
        expected = brute_force_min_norm(grads)
        assert torch.allclose(mgda(grads), expected, rtol=1e-6, atol=1e-9 * grads.norm())


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=0, max_value=10**6))
def test_mgda_direction_helps_every_task(seed: int) -> None:
    # Optimality of the min-norm point: g_i·d ≥ ‖d‖² for every task i.
    grads = random_grads(seed)
    d = mgda(grads)
    assert (grads @ d >= d @ d - 1e-9 * grads.norm(dim=1).max() ** 2).all()


def test_min_norm_weights_lie_on_the_simplex() -> None:
    for seed in range(50):
        grads = random_grads(seed)
        weights = min_norm_weights((grads @ grads.T).numpy())
        assert (weights >= 0).all() and abs(weights.sum() - 1) < 1e-12


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=0, max_value=10**6))
def test_pcgrad_two_tasks_leaves_no_conflict(seed: int) -> None:
    # After projection g1^PC·g2 ≥ 0 and g2^PC·g1 ≥ 0, so the summed direction d satisfies
    # d·g_i ≥ 0 for both tasks (Yu et al., 2020, two-task case).
    generator = torch.Generator().manual_seed(seed)
    grads = torch.randn(2, 5, generator=generator, dtype=torch.float64)
    d = pcgrad(grads)
    assert (grads @ d >= -1e-10 * grads.norm() ** 2).all()


def test_pcgrad_order_is_drawn_from_the_generator() -> None:
    grads = random_grads(3, max_tasks=6)
    same = [pcgrad(grads, torch.Generator().manual_seed(5)) for _ in range(2)]
    assert torch.equal(same[0], same[1])


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=10**6))
def test_cagrad_with_c_zero_is_the_mean(seed: int) -> None:
    grads = random_grads(seed)
    assert torch.allclose(cagrad(grads, c=0.0), grads.mean(0))


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=10**6), st.floats(min_value=0.05, max_value=3.0))
def test_cagrad_solves_its_problem(seed: int, c: float) -> None:
    # d is feasible (‖d − g0‖ = c‖g0‖) and optimal: min_i g_i·d equals the inner problem's value
    # F(w) = Σ_i w_i g_i·d at the returned weights, and every other weighting is no better.
    grads = random_grads(seed)
    g0 = grads.mean(0)
    d = cagrad(grads, c=c)
    if torch.equal(d, g0):  # only at a Pareto-stationary point, where g_w = 0
        assert mgda(grads).norm() <= 1e-6 * grads.norm()
        return
    assert torch.isclose((d - g0).norm(), c * g0.norm(), rtol=1e-9)
    worst = float((grads @ d).min())
    generator = torch.Generator().manual_seed(seed)
    for _ in range(20):  # random feasible points of the ball never do better than d
        direction = torch.randn(grads.shape[1], generator=generator, dtype=torch.float64)
        other = g0 + c * g0.norm() * direction / direction.norm()
        assert float((grads @ other).min()) <= worst + 1e-9 * grads.norm() ** 2


def test_cagrad_is_accurate_for_many_tasks() -> None:
    # Duality gap of the inner problem: with w the inner weights, Σ w_i g_i·d − min_i g_i·d = 0.
    for seed in range(100):
        grads = random_grads(seed, max_tasks=8)
        n_tasks = len(grads)
        g0 = grads.mean(0)
        c = 0.5
        d = cagrad(grads, c=c)
        coefficients = torch.linalg.lstsq(grads.T, d - g0).solution  # d − g0 = r g_w / ‖g_w‖
        if grads.shape[0] > grads.shape[1] or coefficients.sum().abs() < 1e-12:
            continue
        weights = coefficients / coefficients.sum()
        gap = float(weights @ (grads @ d) - (grads @ d).min())
        assert abs(gap) < 1e-8 * float(grads.norm() ** 2), (seed, n_tasks, gap)


def test_mean_gradient() -> None:
    # ((1, 0) + (−1, 1)) / 2 = (0, 0.5)
    assert torch.allclose(mean_gradient(torch.tensor([G1, G2])), torch.tensor([0.0, 0.5]))


# Cross-checks with torchjd. Conventions: torchjd's aggregators take the same (T, P) matrix and
# return a (P,) vector, and its PCGrad also sums the projected gradients, so the two agree
# exactly when the order does not matter (two tasks). torchjd's PCGrad draws its order from
# torch's global generator, ours from an explicit one, so for three tasks or more only the
# properties are compared. torchjd's MGDA runs Frank–Wolfe with a stopping step of 1e-3 and at
# most 100 iterations, so it agrees with the exact solution only to that accuracy unless its
# tolerance is tightened. torchjd's Mean is our mean_gradient (CAGrad with c = 0). torchjd's
# CAGrad and UPGrad need optional solvers (cvxpy, quadprog) that are not installed here; its
# CAGrad also normalises the Gramian by its trace, which leaves the direction unchanged.


def test_pcgrad_matches_torchjd_for_two_tasks() -> None:
    aggregator = PCGrad()
    for seed in range(50):
        grads = random_grads(seed, max_tasks=2)
        assert torch.allclose(pcgrad(grads), aggregator(grads), rtol=1e-10, atol=1e-12)


def test_mgda_matches_torchjd_for_two_tasks() -> None:
    # With two tasks one Frank–Wolfe line search lands on the exact minimiser.
    aggregator = MGDA()
    for seed in range(50):
        grads = random_grads(seed, max_tasks=2)
        assert torch.allclose(mgda(grads), aggregator(grads), rtol=1e-8, atol=1e-10)


def test_mgda_is_never_worse_than_torchjd() -> None:
    # For more tasks Frank–Wolfe stops early: its point is longer than (or as short as) ours.
    aggregator = MGDA(epsilon=1e-3, max_iters=100)
    for seed in range(50):
        grads = random_grads(seed, max_tasks=6)
        assert mgda(grads).norm() <= aggregator(grads).norm() * (1 + 1e-9) + 1e-12


def test_mgda_approaches_torchjd_with_a_tight_tolerance() -> None:
    aggregator = MGDA(epsilon=1e-12, max_iters=100_000)
    for seed in range(10):
        grads = random_grads(seed, max_tasks=4, max_params=30)
        ours, theirs = mgda(grads), aggregator(grads)
        assert (ours - theirs).norm() <= 2e-3 * theirs.norm() + 1e-9


def test_pcgrad_and_cagrad_zero_match_torchjd_mean_and_sum() -> None:
    grads = random_grads(7)
    assert torch.allclose(cagrad(grads, c=0.0), Mean()(grads))


def test_task_gradients_by_hand() -> None:
    # L1 = 2a + b², L2 = a·b at a = 1, b = 3: ∇L1 = (2, 6), ∇L2 = (3, 1)
    a = torch.tensor(1.0, requires_grad=True)
    b = torch.tensor([3.0], requires_grad=True)
    losses = torch.stack([2 * a + (b**2).sum(), (a * b).sum()])
    grads = task_gradients(losses, [a, b])
    assert torch.equal(grads, torch.tensor([[2.0, 6.0], [3.0, 1.0]]))
    assert task_gradients([losses[0], losses[1]], [a, b]).shape == (2, 2)


def test_task_gradients_gives_zero_for_unused_parameters() -> None:
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    unused = torch.tensor(5.0, requires_grad=True)
    grads = task_gradients([(a**2).sum()], [a, unused])
    assert torch.equal(grads, torch.tensor([[2.0, 4.0, 0.0]]))


def test_assign_gradient_round_trip() -> None:
    layer = nn.Linear(3, 2)
    params = list(layer.parameters())
    direction = torch.arange(8, dtype=torch.float32)
    assign_gradient(direction, params)
    assert torch.equal(layer.weight.grad, direction[:6].reshape(2, 3))
    assert torch.equal(layer.bias.grad, direction[6:])


def test_gradient_backward_plugs_into_train_multitask() -> None:
    # Two regression tasks on one linear model; MGDA must leave the parameters finite and
    # lower both losses.
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(64, 3, generator=generator)
    tasks = [
        TaskData("a", x, x @ torch.tensor([1.0, 0.0, 1.0]), "mse"),
        TaskData("b", x, x @ torch.tensor([1.0, 1.0, 0.0]), "mse"),
    ]

    class Shared(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layer = nn.Linear(3, 1)

        def forward(self, inputs: torch.Tensor, task: int) -> torch.Tensor:
            return self.layer(inputs).squeeze(-1)

    model = Shared()
    history = train_multitask(
        model,
        tasks,
        steps=40,
        generator=generator,
        backward=gradient_backward(mgda, model.parameters()),
    )
    first, last = history.train_loss[0], history.train_loss[-1]
    assert (
        all(b < a for a, b in zip(first, last, strict=True))
        or history.objective[-1] < (history.objective[0])
    )


def test_gradient_backward_with_task_params_by_hand() -> None:
    # Trunk a = 1, heads b_1 = 2, b_2 = −1, losses L_i = b_i·a.
    # Trunk gradients: ∂L_1/∂a = b_1 = 2, ∂L_2/∂a = b_2 = −1. MGDA on (2) and (−1):
    # w_1 = (‖g_2‖² − g_1·g_2) / ‖g_1 − g_2‖² = (1 + 2) / 9 = 1/3, d = 2/3 − 2/3 = 0.
    # Heads: ∂(L_1 + L_2)/∂b_i = a = 1 each, whatever the trunk receives.
    a = torch.tensor([1.0], requires_grad=True)
    b = [torch.tensor([2.0], requires_grad=True), torch.tensor([-1.0], requires_grad=True)]
    hook = gradient_backward(mgda, [a], task_params=b)
    assert hook(torch.cat([b[0] * a, b[1] * a]), [0, 1]) is None
    assert torch.allclose(a.grad, torch.tensor([0.0]))
    assert torch.equal(b[0].grad, torch.tensor([1.0]))
    assert torch.equal(b[1].grad, torch.tensor([1.0]))
    # Combining over all three parameters instead: rows (2, 1, 0) and (−1, 0, 1), Gramian
    # [[5, −2], [−2, 2]], w_1 = (2 + 2) / (5 + 2 + 4) = 4/11, d = (1, 4, 7) / 11: each head's
    # gradient is scaled by its task's weight.
    for param in (a, *b):
        param.grad = None
    gradient_backward(mgda, [a, *b])(torch.cat([b[0] * a, b[1] * a]), [0, 1])
    got = torch.cat([a.grad, b[0].grad, b[1].grad])
    assert torch.allclose(got, torch.tensor([1.0, 4.0, 7.0]) / 11)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize(
    "aggregate",
    [mean_gradient, pcgrad, mgda, lambda g: cagrad(g, c=0.5)],
    ids=["mean", "pcgrad", "mgda", "cagrad"],
)
def test_gradient_backward_combines_the_trunk_only(seed: int, aggregate) -> None:
    # A trunk with three heads; the hook gets the losses of tasks 0 and 2 only. The heads must
    # hold the plain gradient of the summed losses (head 1 none, as after .backward()), the
    # trunk the aggregated direction of the task gradients over the trunk alone.
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = HardSharingModel(
        nn.Sequential(nn.Linear(4, 5), nn.Tanh()), [nn.Linear(5, c) for c in (3, 1, 1)]
    )
    x = torch.randn(6, 4, generator=generator)
    labels = torch.randint(0, 3, (6,), generator=generator)
    targets = torch.randn(6, generator=generator)

    def losses() -> torch.Tensor:
        return torch.stack(
            [
                nn.functional.cross_entropy(model(x, 0), labels),
                ((model(x, 2) - targets) ** 2).mean(),
            ]
        )

    reference = losses()
    reference.sum().backward(inputs=list(model.heads.parameters()), retain_graph=True)
    head_grads = [None if p.grad is None else p.grad.clone() for p in model.heads.parameters()]
    direction = aggregate(task_gradients(reference, model.trunk.parameters()))
    model.zero_grad()

    hook = gradient_backward(
        aggregate, model.trunk.parameters(), task_params=model.heads.parameters()
    )
    hook(losses(), [0, 2])
    for param, expected in zip(model.heads.parameters(), head_grads, strict=True):
        if expected is None:
            assert param.grad is None
        else:
            assert torch.allclose(param.grad, expected, atol=1e-6)
    assert [p.grad is None for p in model.heads[1].parameters()] == [True, True]
    trunk_grad = torch.cat([p.grad.reshape(-1) for p in model.trunk.parameters()])
    assert torch.allclose(trunk_grad, direction, atol=1e-6)


def test_gradient_backward_rejects_bad_task_params() -> None:
    shared = torch.ones(2, requires_grad=True)
    head = torch.ones(1, requires_grad=True)
    with pytest.raises(ValueError, match=r"task_params must not share tensors with params, got"):
        gradient_backward(mgda, [shared], task_params=[head, shared])
    with pytest.raises(TypeError, match="task_params must be an iterable of tensors or None"):
        gradient_backward(mgda, [shared], task_params=head)
    with pytest.raises(ValueError, match="task_params must hold at least one tensor or be None"):
        gradient_backward(mgda, [shared], task_params=[])
    with pytest.raises(ValueError, match=r"task_params\[0\] must require grad"):
        gradient_backward(mgda, [shared], task_params=[torch.ones(1)])
    with pytest.raises(TypeError, match=r"task_params\[0\] must be a torch\.Tensor, got int"):
        gradient_backward(mgda, [shared], task_params=[3])


@pytest.mark.parametrize("method", [pcgrad, mgda, cagrad, conflict_cosines, mean_gradient])
def test_bad_grads_raise(method) -> None:
    with pytest.raises(ValueError, match=r"grads must have 2 dimension\(s\), got shape \(3,\)"):
        method(torch.ones(3))
    with pytest.raises(
        ValueError, match=r"grads must have at least one task .* got shape \(0, 4\)"
    ):
        method(torch.ones(0, 4))
    with pytest.raises(
        ValueError, match=r"grads must have at least one task .* got shape \(2, 0\)"
    ):
        method(torch.ones(2, 0))
    with pytest.raises(TypeError, match=r"grads must be a torch\.Tensor, got list"):
        method([[1.0]])
    with pytest.raises(TypeError, match=r"grads must have a floating dtype, got torch\.int64"):
        method(torch.ones(2, 2, dtype=torch.int64))
    with pytest.raises(ValueError, match=r"grads must be finite, got nan at index \(1, 0\)"):
        method(torch.tensor([[1.0, 2.0], [float("nan"), 0.0]]))


def test_overflowing_grads_raise() -> None:
    with pytest.raises(ValueError, match="grads are too large: a squared norm overflows"):
        mgda(torch.full((2, 2), 1e30))


def test_cagrad_rejects_a_c_whose_direction_overflows() -> None:
    # g_0 = (0.5, 0.5), ‖g_0‖ = √0.5: (1 + 1e308) √0.5 ≈ 7.071e307 is beyond float32.
    grads = torch.eye(2)
    with pytest.raises(
        ValueError,
        match=r"c is too large for these gradients: the direction's norm may reach "
        r"\(1 \+ c\)‖g_0‖ = 7\.071e\+307, more than torch\.float32 holds \(3\.403e\+38\); got "
        r"c=1e\+308",
    ):
        cagrad(grads, c=1e308)
    # The same c is fine in float64, and c = 1e30 in float32: d = g_0 + c‖g_0‖ ĝ_w stays finite.
    assert bool(torch.isfinite(cagrad(grads.double(), c=1e308)).all())
    assert bool(torch.isfinite(cagrad(grads, c=1e30)).all())


def test_cagrad_with_a_short_g_w_and_a_large_c_stays_finite() -> None:
    # ‖g_w‖ ≈ 5e-4, so c‖g_0‖ / ‖g_w‖ overflows float32 for c = 1e36 although the step
    # c‖g_0‖ ≈ 3.3e35 does not; far out, ĝ_w no longer changes, so d scales with c.
    grads = torch.tensor([[1.0, 0.0], [-1.0, 1e-3], [1.0, 0.0]])
    d = cagrad(grads, c=1e36)
    assert bool(torch.isfinite(d).all())
    assert torch.allclose(d, 1e6 * cagrad(grads, c=1e30), rtol=1e-4)


def test_bad_arguments_raise() -> None:
    grads = torch.ones(2, 2)
    with pytest.raises(ValueError, match="c must be a finite number ≥ 0, got -1"):
        cagrad(grads, c=-1.0)
    with pytest.raises(TypeError, match="c must be a number, got str"):
        cagrad(grads, c="big")
    with pytest.raises(TypeError, match=r"generator must be a torch\.Generator or None"):
        pcgrad(grads, generator=3)
    param = torch.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="losses must hold at least one task loss, got none"):
        task_gradients([], [param])
    with pytest.raises(ValueError, match=r"losses must have 1 dimension\(s\), got shape \(\)"):
        task_gradients(param.sum(), [param])
    with pytest.raises(ValueError, match="params must hold at least one tensor, got none"):
        task_gradients([param.sum()], [])
    with pytest.raises(ValueError, match=r"params\[0\] must require grad"):
        task_gradients([param.sum()], [torch.ones(2)])
    with pytest.raises(
        ValueError,
        match=r"losses must be connected to the autograd graph \(requires_grad=True\), got a "
        r"tensor with requires_grad=False",
    ):
        task_gradients(torch.tensor([1.0, 2.0]), [param])
    with pytest.raises(ValueError, match=r"losses\[1\] must be connected to the autograd graph"):
        task_gradients([param.sum(), param.sum().detach()], [param])
    with pytest.raises(TypeError, match="params must be an iterable of tensors, got a single"):
        assign_gradient(torch.ones(2), param)
    with pytest.raises(
        ValueError, match=r"direction must have one entry per parameter scalar \(2\)"
    ):
        assign_gradient(torch.ones(3), [param])
    with pytest.raises(ValueError, match=r"direction must have 1 dimension\(s\)"):
        assign_gradient(torch.ones(1, 2), [param])
    with pytest.raises(TypeError, match="aggregate must be callable, got int"):
        gradient_backward(3, [param])


def test_linear_transfer_gap_signs_and_shape() -> None:
    # Few examples: sharing helps (negative gap); many examples and unrelated tasks: it hurts,
    # by about the bias (1 − cos 90°) / 2 = 0.5.
    gaps = linear_transfer_gap([0, 90], [25, 400], torch.Generator().manual_seed(0), repeats=40)
    assert gaps.shape == (2, 2)
    assert gaps[0, 0] < 0 and gaps[1, 0] < 0
    assert 0.3 < float(gaps[1, 1]) < 0.7
    with pytest.raises(ValueError, match=r"sizes must be ints above dim \+ 1 = 21, got 10"):
        linear_transfer_gap([0], [10], torch.Generator())
    with pytest.raises(TypeError, match=r"generator must be a torch\.Generator .*got int 0"):
        linear_transfer_gap([0], [30], 0)


@pytest.mark.parametrize(
    ("angles", "sizes", "kwargs", "error", "message"),
    [
        ([0], [30], {"noise": math.nan}, ValueError, "noise must be a finite number ≥ 0, got nan"),
        ([0], [30], {"noise": "1"}, TypeError, "noise must be a number, got str '1'"),
        ([0], [30], {"noise": -1.0}, ValueError, "noise must be a finite number ≥ 0, got -1"),
        ([math.nan], [30], {}, ValueError, r"angles_deg\[0\] must be a finite number, got nan"),
        ([0, "a"], [30], {}, TypeError, r"angles_deg\[1\] must be a number, got str 'a'"),
        ("0", [30], {}, TypeError, "angles_deg must be a list of numbers, got str '0'"),
        ([0], 30, {}, TypeError, "sizes must be a list of numbers, got int 30"),
        ([0], [30.0], {}, TypeError, r"sizes\[0\] must be an int, got float 30\.0"),
        ([0], [30, None], {}, TypeError, r"sizes\[1\] must be an int, got NoneType None"),
        (
            [0],
            [30],
            {"generator": None},
            TypeError,
            r"generator must be a torch\.Generator .*got NoneType None",
        ),
    ],
)
def test_linear_transfer_gap_rejects_bad_input(angles, sizes, kwargs, error, message) -> None:
    arguments = {"generator": torch.Generator()}
    arguments.update(kwargs)
    generator = arguments.pop("generator")
    with pytest.raises(error, match=message):
        linear_transfer_gap(angles, sizes, generator, **arguments)


def test_linear_transfer_gap_without_noise_is_exact() -> None:
    # noise = 0: separate least squares recovers each w_i exactly, so the gap is the pooled
    # fit's error alone; for the same task (0°) pooling is exact too and the gap is 0.
    gaps = linear_transfer_gap([0], [30], torch.Generator().manual_seed(0), noise=0, repeats=2)
    assert abs(float(gaps[0, 0])) < 1e-20


def test_plot_transfer_gap_callback() -> None:
    gaps = torch.tensor([[-1.0, -0.5], [-0.5, 0.4]])
    fig = plot_transfer_gap([0, 90], [30, 400], gaps, 90)
    chosen = [line for line in fig.axes[0].lines if line.get_label() == "angle 90°"]
    assert chosen[0].get_ydata().tolist() == pytest.approx([-0.5, 0.4])
    assert fig.axes[0].get_title()
    plt.close(fig)
    with pytest.raises(ValueError, match="unknown angle 45; expected one of: 0, 90"):
        plot_transfer_gap([0, 90], [30, 400], gaps, 45)
    with pytest.raises(ValueError, match=r"gaps must have shape \(2, 3\)"):
        plot_transfer_gap([0, 90], [30, 100, 400], gaps, 0)


def test_plot_transfer_gap_takes_the_listed_angle() -> None:
    gaps = torch.tensor([[-1.0, -0.5], [-0.5, 0.4]])
    fig = plot_transfer_gap([0, 45], [30, 400], gaps, 45.0)  # 45.0 is the listed 45
    assert [line.get_label() for line in fig.axes[0].lines][1] == "angle 45°"


@pytest.mark.parametrize(
    ("angle", "gaps", "error", "message"),
    [
        # A string is not the angle 45: the message shows it quoted.
        ("45", torch.zeros(2, 2), ValueError, "unknown angle '45'; expected one of: 0, 45"),
        (True, torch.zeros(2, 2), ValueError, "unknown angle True; expected one of: 0, 45"),
        (45, [[1.0, 2.0], [3.0, 4.0]], TypeError, r"gaps must be a torch\.Tensor, got list"),
        (45, torch.zeros(2, 2, dtype=torch.int64), TypeError, "gaps must have a floating dtype"),
        (
            45,
            torch.tensor([[0.0, math.nan], [0.0, 0.0]]),
            ValueError,
            r"gaps must be finite, got nan at index \(0, 1\)",
        ),
    ],
)
def test_plot_transfer_gap_rejects_bad_input(angle, gaps, error, message) -> None:
    with pytest.raises(error, match=message):
        plot_transfer_gap([0, 45], [30, 400], gaps, angle)


def test_linear_transfer_gap_rejects_no_repeats() -> None:
    with pytest.raises(ValueError, match="repeats must be at least 1, got 0"):
        linear_transfer_gap([0], [30], torch.Generator(), repeats=0)
    with pytest.raises(TypeError, match=r"repeats must be an int, got float 2\.0"):
        linear_transfer_gap([0], [30], torch.Generator(), repeats=2.0)


def test_pcgrad_weights_by_hand_and_bad_orders() -> None:
    # g_1 = (1, 0), g_2 = (−1, 1): G = [[1, −1], [−1, 2]]. g_1 · g_2 = −1 < 0, so
    # g_1^PC = g_1 + (1 / 2) g_2 and g_2^PC = g_2 + (1 / 1) g_1, so the sum is 2 g_1 + 1.5 g_2
    # = (0.5, 1.5), the direction notebook 07 works out.
    gram = np.array([[1.0, -1.0], [-1.0, 2.0]])
    assert np.allclose(pcgrad_weights(gram, [[0, 1], [1, 0]]), [2.0, 1.5])
    with pytest.raises(ValueError, match=r"orders\[0\] must hold task indices in 0\.\.1, got 5"):
        pcgrad_weights(np.eye(2), [[0, 5], [1, 0]])
    with pytest.raises(ValueError, match=r"orders must hold one order per task \(2\), got 1"):
        pcgrad_weights(np.eye(2), [[0, 5]])
    with pytest.raises(ValueError, match=r"orders\[1\] must hold task indices in 0\.\.1, got -1"):
        pcgrad_weights(np.eye(2), [[0, 1], [-1]])
    with pytest.raises(TypeError, match=r"orders\[0\] must be a list of ints, got int"):
        pcgrad_weights(np.eye(2), [0, 1])
    with pytest.raises(TypeError, match="orders must be a list of T = 2 lists, got str"):
        pcgrad_weights(np.eye(2), "01")


@pytest.mark.parametrize(
    ("gram", "error", "match"),
    [
        # eigenvalues of [[1, 2], [2, 1]] are 3 and −1: not a Gramian.
        (np.array([[1.0, 2.0], [2.0, 1.0]]), ValueError, "gram must be positive semi-definite"),
        (np.array([[1.0, 0.5], [0.0, 1.0]]), ValueError, "gram must be symmetric"),
        (np.ones((2, 3)), ValueError, r"gram must be a square \(T, T\) matrix"),
        (np.array([[1.0, np.nan], [np.nan, 1.0]]), ValueError, "gram must hold finite floats"),
        (np.eye(2, dtype=int), ValueError, "gram must hold finite floats, got dtype int"),
        ([[1.0, 0.0], [0.0, 1.0]], TypeError, "gram must be a NumPy array, got list"),
    ],
)
def test_gram_matrix_checks(gram, error, match) -> None:
    with pytest.raises(error, match=match):
        min_norm_weights(gram)
    with pytest.raises(error, match=match):
        pcgrad_weights(gram, [[0, 1], [1, 0]])


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 5), st.integers(1, 4))
def test_min_norm_weights_accepts_float32_gramians_of_low_rank(seed: int, t: int, p: int) -> None:
    # A float32 Gramian of T gradients in P < T dimensions is singular; rounding must not make
    # it fail the positive semi-definite check.
    grads = torch.randn(t, p, generator=torch.Generator().manual_seed(seed)) * 1e3
    gram = (grads @ grads.T).double().numpy()
    gram = (gram + gram.T) / 2
    weights = min_norm_weights(gram)
    assert abs(weights.sum() - 1) < 1e-9 and (weights >= 0).all()
