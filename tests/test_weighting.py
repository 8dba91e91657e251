"""Tests for mtl_helpers.weighting: hand-worked cases, invariants and every bad-input error."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from mtl_helpers.models import HardSharingModel
from mtl_helpers.weighting import (
    DynamicWeightAverage,
    GradNorm,
    GroupDRO,
    UncertaintyWeighting,
    WeightingMethod,
    WorstCase,
    dwa_weights,
    gradnorm_loss,
    gradnorm_toy,
    group_dro_weights,
    non_dominated,
    per_group_mse,
    plot_front,
    renormalize,
    task_gradient_norms,
    train_full_batch,
    uncertainty_weighted_loss,
    weighted_sum,
    worst_case_loss,
)

positive = st.floats(min_value=0.01, max_value=100.0, allow_nan=False)


def vectors(size: int, elements=positive):
    return st.lists(elements, min_size=size, max_size=size).map(torch.tensor)


# ---------------------------------------------------------------------------------------------
# weighted_sum


def test_weighted_sum_by_hand() -> None:
    # 0.5 * 2 + 2 * 3 = 1 + 6 = 7
    value = weighted_sum(torch.tensor([2.0, 3.0]), torch.tensor([0.5, 2.0]))
    assert value.item() == pytest.approx(7.0)


def test_weighted_sum_passes_gradients_to_losses_and_weights() -> None:
    losses = torch.tensor([2.0, 3.0], requires_grad=True)
    weights = torch.tensor([0.5, 2.0], requires_grad=True)
    weighted_sum(losses, weights).backward()
    assert losses.grad.tolist() == [0.5, 2.0]  # d/dL_i = w_i
    assert weights.grad.tolist() == [2.0, 3.0]  # d/dw_i = L_i


@pytest.mark.parametrize(
    ("losses", "weights", "error", "message"),
    [
        (
            torch.tensor([1.0, 2.0]),
            torch.tensor([1.0, -0.5]),
            ValueError,
            "weights must be non-neg",
        ),
        (
            torch.tensor([1.0, 2.0]),
            torch.tensor([1.0, math.nan]),
            ValueError,
            "weights must be fin",
        ),
        (
            torch.tensor([1.0, math.nan]),
            torch.tensor([1.0, 1.0]),
            ValueError,
            "losses must be fini",
        ),
        (torch.tensor([1.0, 2.0]), torch.tensor([1.0, 1.0, 1.0]), ValueError, "same shape"),
        (torch.ones(2, 2), torch.ones(2, 2), ValueError, r"losses must have 1 dimension"),
        (torch.tensor([]), torch.tensor([]), ValueError, "at least one task"),
        ([1.0, 2.0], torch.ones(2), TypeError, "losses must be a torch.Tensor, got list"),
        (torch.tensor([1, 2]), torch.ones(2), TypeError, "losses must have a floating dtype"),
    ],
)
def test_weighted_sum_rejects_bad_input(losses, weights, error, message) -> None:
    with pytest.raises(error, match=message):
        weighted_sum(losses, weights)


# ---------------------------------------------------------------------------------------------
# gradnorm_loss and renormalize


def test_gradnorm_loss_by_hand() -> None:
    # G = w * norms = (1, 3), Ḡ = 2; L̃ = (0.5/1, 0.5/0.5) = (0.5, 1), mean 0.75,
    # r = (2/3, 4/3); α = 1: target = 2 r = (4/3, 8/3).
    # loss = |1 − 4/3| + |3 − 8/3| = 1/3 + 1/3 = 2/3; d/dw_i = sign(G_i − t_i) norm_i = (−1, 3).
    weights = torch.ones(2, requires_grad=True)
    loss = gradnorm_loss(
        weights, torch.tensor([1.0, 3.0]), torch.tensor([0.5, 0.5]), torch.tensor([1.0, 0.5]), 1.0
    )
    loss.backward()
    assert loss.item() == pytest.approx(2 / 3)
    assert weights.grad.tolist() == pytest.approx([-1.0, 3.0])


def test_gradnorm_loss_alpha_zero_asks_for_equal_norms() -> None:
    # α = 0: target = Ḡ for every task. G = (2·1, 1·4) = (2, 4), Ḡ = 3: |2 − 3| + |4 − 3| = 2,
    # whatever the losses are.
    weights = torch.tensor([2.0, 1.0])
    norms = torch.tensor([1.0, 4.0])
    for losses in (torch.tensor([0.1, 5.0]), torch.tensor([3.0, 0.2])):
        value = gradnorm_loss(weights, norms, losses, torch.ones(2), alpha=0.0)
        assert value.item() == pytest.approx(2.0)


def test_gradnorm_loss_target_is_constant() -> None:
    # Gradient flows only through G_i = w_i ‖∇L_i‖, never through Ḡ or r_i: with all G_i above
    # their targets, every weight's gradient is exactly its norm.
    weights = torch.tensor([1.0, 1.0, 1.0], requires_grad=True)
    norms = torch.tensor([2.0, 5.0, 7.0], requires_grad=True)
    losses = torch.tensor([1.0, 1.0, 1.0], requires_grad=True)
    # r = (0.2, 1, 1.8)·... choose ratios so every target is small: L̃ equal → r = 1, target Ḡ.
    value = gradnorm_loss(weights, norms, losses, torch.ones(3), alpha=1.5)
    value.backward()
    # Ḡ = 14/3; G − Ḡ = (−8/3, 1/3, 7/3): gradients (−2, 5, 7).
    assert weights.grad.tolist() == pytest.approx([-2.0, 5.0, 7.0])
    assert norms.grad is None and losses.grad is None


@settings(max_examples=60, deadline=None)
@given(vectors(4), vectors(4), vectors(4), vectors(4), st.floats(0.0, 3.0))
def test_gradnorm_loss_is_nonnegative_and_zero_at_target(w, norms, losses, initial, alpha) -> None:
    value = gradnorm_loss(w, norms, losses, initial, alpha)
    assert value.item() >= 0
    # Setting the weights so that G_i equals its target gives zero. The target depends on Ḡ,
    # which these weights keep: mean(w* norms) = mean(Ḡ r^α) = Ḡ because mean(r^α) is not 1 in
    # general, so check the fixed point only for α = 0, where target = Ḡ exactly.
    mean_g = (w * norms).mean()
    matched = mean_g / norms
    assert gradnorm_loss(matched, norms, losses, initial, 0.0).item() == pytest.approx(
        0.0, abs=1e-4 * float(mean_g) * 4
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"weights": torch.tensor([1.0, -1.0])}, ValueError, "weights must be non-negative"),
        ({"weights": torch.tensor([1.0, math.nan])}, ValueError, "weights must be finite"),
        ({"grad_norms": torch.tensor([1.0, -2.0])}, ValueError, "grad_norms must be non-neg"),
        ({"grad_norms": torch.tensor([1.0])}, ValueError, "grad_norms and losses must have"),
        ({"losses": torch.tensor([math.nan, 1.0])}, ValueError, "losses must be finite"),
        ({"losses": torch.tensor([-1.0, 1.0])}, ValueError, "losses must be non-negative"),
        (
            {"initial_losses": torch.tensor([0.0, 1.0])},
            ValueError,
            "initial_losses must all be > 0",
        ),
        ({"initial_losses": torch.ones(3)}, ValueError, "initial_losses and losses must have"),
        ({"alpha": -0.5}, ValueError, r"alpha must be a finite number ≥ 0, got -0.5"),
        ({"alpha": math.inf}, ValueError, "alpha must be a finite number"),
        ({"alpha": "1.5"}, TypeError, "alpha must be a number, got str"),
    ],
)
def test_gradnorm_loss_rejects_bad_input(kwargs, error, message) -> None:
    arguments = {
        "weights": torch.ones(2),
        "grad_norms": torch.ones(2),
        "losses": torch.ones(2),
        "initial_losses": torch.ones(2),
        "alpha": 1.5,
    }
    arguments.update(kwargs)
    with pytest.raises(error, match=message):
        gradnorm_loss(**arguments)


def test_gradnorm_loss_rejects_all_zero_losses() -> None:
    # L̃ = (0, 0) / (1, 2) = (0, 0): the relative rates L̃_i / mean_j L̃_j would be 0 / 0.
    with pytest.raises(
        ValueError,
        match=r"losses must not all be 0: the relative rates .* got losses \[0\.0, 0\.0\]",
    ):
        gradnorm_loss(torch.ones(2), torch.ones(2), torch.zeros(2), torch.tensor([1.0, 2.0]))
    # One zero loss is fine: r = (0, 2), target = Ḡ r^0 = (1, 1), |1 − 1| · 2 = 0.
    value = gradnorm_loss(
        torch.ones(2), torch.ones(2), torch.tensor([0.0, 1.0]), torch.ones(2), alpha=0.0
    )
    assert value.item() == 0.0


def test_gradnorm_loss_rejects_an_overflowing_result() -> None:
    # G_i = w_i ‖∇L_i‖ = 1e30 · 1e30 overflows float32.
    with pytest.raises(ValueError, match=r"gradnorm_loss overflows to (inf|nan): weights"):
        gradnorm_loss(torch.full((2,), 1e30), torch.full((2,), 1e30), torch.ones(2), torch.ones(2))


def test_renormalize_by_hand() -> None:
    # (1, 3) sums to 4; scaled to sum 2: (0.5, 1.5), ratio 3 kept.
    result = renormalize(torch.tensor([1.0, 3.0]))
    assert result.tolist() == [0.5, 1.5]


@settings(max_examples=60, deadline=None)
@given(vectors(5))
def test_renormalize_sums_to_task_count_and_keeps_ratios(weights) -> None:
    result = renormalize(weights)
    assert result.sum().item() == pytest.approx(5.0, rel=1e-5)
    assert (result > 0).all()
    assert torch.allclose(result / result[0], weights / weights[0], rtol=1e-4)


def test_renormalize_detaches() -> None:
    weights = torch.tensor([1.0, 2.0], requires_grad=True)
    assert not renormalize(weights).requires_grad


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (torch.tensor([1.0, -1.0]), "weights must be non-negative, got -1.0"),
        (torch.tensor([1.0, math.nan]), "weights must be finite, got nan"),
        (torch.zeros(3), r"weights must have a positive sum to be rescaled, got \[0.0"),
        (torch.tensor([]), "weights must hold at least one task"),
    ],
)
def test_renormalize_rejects_bad_input(weights, message) -> None:
    with pytest.raises(ValueError, match=message):
        renormalize(weights)


# ---------------------------------------------------------------------------------------------
# uncertainty weighting


def test_uncertainty_weighted_loss_by_hand() -> None:
    # L = (2, 4), s = (0, log 2): ½·1·2 + 0 + ½·½·4 + ½ log 2 = 1 + 1 + 0.34657 = 2.34657
    value = uncertainty_weighted_loss(torch.tensor([2.0, 4.0]), torch.tensor([0.0, math.log(2)]))
    assert value.item() == pytest.approx(2 + 0.5 * math.log(2))


def test_uncertainty_minimum_is_at_log_loss_and_can_be_negative() -> None:
    # d/ds (½ e^(−s) L + ½ s) = −½ e^(−s) L + ½ = 0 at s = log L; value ½ (1 + log L).
    # L = 0.1: s* = −2.302585, value ½ (1 − 2.302585) = −0.651293 < 0.
    log_vars = torch.tensor([math.log(0.1)], requires_grad=True)
    value = uncertainty_weighted_loss(torch.tensor([0.1]), log_vars)
    value.backward()
    assert value.item() == pytest.approx(0.5 * (1 + math.log(0.1)))
    assert value.item() < 0
    assert log_vars.grad.item() == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize(
    ("losses", "log_vars", "message"),
    [
        (torch.tensor([1.0, math.nan]), torch.zeros(2), "losses must be finite"),
        (torch.tensor([1.0, 2.0]), torch.tensor([0.0, math.inf]), "log_vars must be finite"),
        (torch.tensor([1.0, 2.0]), torch.zeros(3), "log_vars and losses must have the same"),
    ],
)
def test_uncertainty_weighted_loss_rejects_bad_input(losses, log_vars, message) -> None:
    with pytest.raises(ValueError, match=message):
        uncertainty_weighted_loss(losses, log_vars)


def test_uncertainty_weighted_loss_rejects_log_vars_that_overflow() -> None:
    # ½ exp(1000) · 1 is infinite in float32; the message names log_vars and shows both inputs.
    with pytest.raises(
        ValueError,
        match=r"log_vars make the loss overflow to inf: .* got log_vars \[-1000\.0, 0\.0\] "
        r"and losses \[1\.0, 2\.0\]",
    ):
        uncertainty_weighted_loss(torch.tensor([1.0, 2.0]), torch.tensor([-1000.0, 0.0]))
    # exp(80) ≈ 5.5e34 still fits: ½ · 5.5e34 · 1 + ½ · (−80) is finite.
    value = uncertainty_weighted_loss(torch.tensor([1.0]), torch.tensor([-80.0]))
    assert value.item() == pytest.approx(0.5 * math.exp(80) - 40, rel=1e-6)


# ---------------------------------------------------------------------------------------------
# DWA


def test_dwa_weights_by_hand() -> None:
    # r = (1/1, 2/1) = (1, 2); temperature 1: 2 · (e, e²) / (e + e²) = (2/(1+e), 2e/(1+e))
    #   = (0.537883, 1.462117).
    result = dwa_weights(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 1.0]), temperature=1.0)
    assert result.tolist() == pytest.approx([2 / (1 + math.e), 2 * math.e / (1 + math.e)])


def test_dwa_weights_equal_when_tasks_descend_alike() -> None:
    # Same ratio 0.5 for all three tasks: softmax of equal numbers, each weight 3/3 = 1.
    result = dwa_weights(torch.tensor([1.0, 2.0, 4.0]), torch.tensor([2.0, 4.0, 8.0]))
    assert result.tolist() == pytest.approx([1.0, 1.0, 1.0])


moderate = st.floats(min_value=0.5, max_value=5.0, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(vectors(4, moderate), vectors(4, moderate), st.floats(0.5, 50.0))
def test_dwa_weights_are_positive_sum_to_t_and_favour_slow_tasks(prev, prev_prev, temp) -> None:
    result = dwa_weights(prev, prev_prev, temp)
    assert (result > 0).all()
    assert result.sum().item() == pytest.approx(4.0, rel=1e-5)
    rates = prev / prev_prev
    slowest, fastest = int(rates.argmax()), int(rates.argmin())
    assert result[slowest] >= result[fastest]


@pytest.mark.parametrize(
    ("prev", "prev_prev", "temperature", "message"),
    [
        (torch.tensor([1.0, math.nan]), torch.ones(2), 2.0, "prev_losses must be finite"),
        (torch.tensor([1.0, -1.0]), torch.ones(2), 2.0, "prev_losses must be non-negative"),
        (torch.ones(2), torch.tensor([1.0, 0.0]), 2.0, "prev_prev_losses must all be > 0"),
        (torch.ones(2), torch.ones(3), 2.0, "prev_prev_losses and prev_losses must have"),
        (torch.ones(2), torch.ones(2), 0.0, "temperature must be a finite number > 0, got 0.0"),
        (torch.ones(2), torch.ones(2), math.nan, "temperature must be a finite number > 0"),
    ],
)
def test_dwa_weights_rejects_bad_input(prev, prev_prev, temperature, message) -> None:
    with pytest.raises(ValueError, match=message):
        dwa_weights(prev, prev_prev, temperature)


# ---------------------------------------------------------------------------------------------
# worst case and group DRO


def test_worst_case_loss_by_hand_and_its_gradient() -> None:
    # max(0.5, 2, 1) = 2; the gradient is 1 for the worst task, 0 elsewhere.
    losses = torch.tensor([0.5, 2.0, 1.0], requires_grad=True)
    value = worst_case_loss(losses)
    value.backward()
    assert value.item() == 2.0
    assert losses.grad.tolist() == [0.0, 1.0, 0.0]


def test_worst_case_loss_rejects_nan() -> None:
    with pytest.raises(ValueError, match="losses must be finite, got nan at index"):
        worst_case_loss(torch.tensor([1.0, math.nan]))


def test_group_dro_weights_by_hand() -> None:
    # q = (0.5, 0.5), L = (0, log 3), η = 1: q ∝ (0.5·1, 0.5·3) = (0.5, 1.5) → (0.25, 0.75).
    result = group_dro_weights(torch.tensor([0.5, 0.5]), torch.tensor([0.0, math.log(3)]), 1.0)
    assert result.tolist() == pytest.approx([0.25, 0.75])
    # Exercise 3 of notebook 05: (0.5, 0.5), L = (1, 2), η = 1 → (1/(1+e), e/(1+e)).
    result = group_dro_weights(torch.tensor([0.5, 0.5]), torch.tensor([1.0, 2.0]), 1.0)
    assert result.tolist() == pytest.approx([1 / (1 + math.e), math.e / (1 + math.e)])


def test_group_dro_weights_step_zero_keeps_the_weights() -> None:
    # η = 0: exp(0 · L_i) = 1, so q = (0.25, 0.75) comes back as it went in.
    result = group_dro_weights(torch.tensor([0.25, 0.75]), torch.tensor([5.0, 0.0]), 0.0)
    assert result.tolist() == pytest.approx([0.25, 0.75])


def test_group_dro_weights_do_not_overflow() -> None:
    # η L = 1000 would overflow exp in float32; the log-space update puts all weight on task 1.
    result = group_dro_weights(torch.tensor([0.5, 0.5]), torch.tensor([0.0, 100.0]), 10.0)
    assert torch.isfinite(result).all()
    assert result.tolist() == pytest.approx([0.0, 1.0])


@settings(max_examples=60, deadline=None)
@given(vectors(5), vectors(5), st.floats(0.0, 5.0))
def test_group_dro_weights_stay_on_simplex_and_favour_the_worst(weights, losses, step) -> None:
    weights = weights / weights.sum()  # a point of the simplex, as the function asks
    result = group_dro_weights(weights, losses, step)
    assert (result >= 0).all()
    assert result.sum().item() == pytest.approx(1.0, rel=1e-5)
    # The worst task's share can only grow.
    worst = int(losses.argmax())
    assert result[worst] >= weights[worst] - 1e-6


half, third = torch.full((2,), 0.5), torch.full((3,), 1 / 3)


@pytest.mark.parametrize(
    ("weights", "losses", "step", "error", "message"),
    [
        (torch.tensor([0.5, -0.5]), torch.ones(2), 1.0, ValueError, "weights must be non-neg"),
        (torch.tensor([0.5, math.nan]), torch.ones(2), 1.0, ValueError, "weights must be finite"),
        (torch.zeros(2), torch.ones(2), 1.0, ValueError, r"weights must sum to 1 .*got sum 0$"),
        # 0.3 + 0.3 = 0.6: off the simplex, rejected rather than rescaled to (0.5, 0.5).
        (torch.tensor([0.3, 0.3]), torch.ones(2), 1.0, ValueError, r"simplex\), got sum 0\.6$"),
        (torch.ones(2), torch.ones(2), 1.0, ValueError, r"weights must sum to 1 .*got sum 2$"),
        (half, torch.tensor([math.nan, 1.0]), 1.0, ValueError, "losses must be finite"),
        (third, torch.ones(2), 1.0, ValueError, "weights and losses must have the same"),
        (half, torch.ones(2), -1.0, ValueError, "step_size must be a finite number ≥ 0"),
        (half, torch.ones(2), None, TypeError, "step_size must be a number, got None"),
    ],
)
def test_group_dro_weights_rejects_bad_input(weights, losses, step, error, message) -> None:
    with pytest.raises(error, match=message):
        group_dro_weights(weights, losses, step)


# ---------------------------------------------------------------------------------------------
# non_dominated, task_gradient_norms, per_group_mse


def test_non_dominated_by_hand() -> None:
    # (1, 3), (2, 2), (3, 1) trade off; (3, 3) is beaten by (2, 2) on both; (2, 2) twice: equal
    # points do not dominate each other.
    points = torch.tensor([[1.0, 3.0], [2.0, 2.0], [3.0, 1.0], [3.0, 3.0], [2.0, 2.0]])
    assert non_dominated(points).tolist() == [True, True, True, False, True]


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000))
def test_non_dominated_points_beat_every_dominated_one(seed) -> None:
    points = torch.rand(12, 2, generator=torch.Generator().manual_seed(seed))
    keep = non_dominated(points)
    assert keep.any()  # the point with the smallest first loss is never dominated
    for b in torch.nonzero(~keep).flatten().tolist():
        assert any(
            (points[a] <= points[b]).all() and (points[a] < points[b]).any()
            for a in range(len(points))
        )


def test_non_dominated_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="points must have 2 dimension"):
        non_dominated(torch.ones(3))
    with pytest.raises(ValueError, match="points must be finite"):
        non_dominated(torch.tensor([[1.0, math.nan]]))


def test_task_gradient_norms_by_hand() -> None:
    # W = (1, 2); L_1 = 3 W·(1, 0) → ∇ = (3, 0), norm 3; L_2 = (W·W) → ∇ = 2W = (2, 4), norm √20.
    weight = torch.tensor([1.0, 2.0], requires_grad=True)
    other = torch.tensor(1.0, requires_grad=True)
    losses = torch.stack([3 * weight[0], (weight**2).sum(), other * 5])
    norms = task_gradient_norms(losses, weight)
    assert norms.tolist() == pytest.approx([3.0, math.sqrt(20), 0.0])
    assert not norms.requires_grad
    losses.sum().backward()  # the graph is kept for the caller's backward
    assert weight.grad.tolist() == [5.0, 4.0]


def test_task_gradient_norms_needs_a_trainable_parameter() -> None:
    with pytest.raises(ValueError, match="parameter must require gradients"):
        task_gradient_norms(torch.ones(2), torch.ones(3))


def test_task_gradient_norms_needs_losses_in_the_graph() -> None:
    weight = torch.ones(3, requires_grad=True)
    with pytest.raises(
        ValueError,
        match=r"losses must be connected to the autograd graph \(requires_grad=True\), got a "
        r"tensor with requires_grad=False",
    ):
        task_gradient_norms(torch.tensor([1.0, 2.0]), weight)
    with pytest.raises(ValueError, match="losses must be connected to the autograd graph"):
        task_gradient_norms(torch.stack([weight.sum(), weight.prod()]).detach(), weight)


def test_per_group_mse_by_hand() -> None:
    # group 0: errors 1, 3 → (1 + 9)/2 = 5; group 1: error 2 → 4.
    prediction = torch.tensor([1.0, 3.0, 2.0])
    result = per_group_mse(prediction, torch.zeros(3), torch.tensor([0, 0, 1]), 2)
    assert result.tolist() == [5.0, 4.0]


@pytest.mark.parametrize(
    ("groups", "n_groups", "message"),
    [
        (torch.tensor([0, 0, 2]), 2, "groups must lie in 0..1, got values from 0 to 2"),
        (torch.tensor([0, 0, 0]), 2, "every group needs at least one row, group 1 has none"),
        (torch.tensor([0, 1]), 2, "groups and target must have the same shape"),
    ],
)
def test_per_group_mse_rejects_bad_input(groups, n_groups, message) -> None:
    with pytest.raises(ValueError, match=message):
        per_group_mse(torch.zeros(3), torch.zeros(3), groups, n_groups)


@pytest.mark.parametrize(
    ("prediction", "target", "message"),
    [
        (
            torch.tensor([0.0, math.nan, 1.0]),
            torch.zeros(3),
            r"prediction must be finite, got nan at index \(1,\)",
        ),
        (
            torch.zeros(3),
            torch.tensor([0.0, 0.0, -math.inf]),
            r"target must be finite, got -inf at index \(2,\)",
        ),
        # (1e30)² overflows float32 although both inputs are finite.
        (
            torch.tensor([1e30, 0.0, 0.0]),
            torch.zeros(3),
            r"per_group_mse overflows torch\.float32: .* got group means \[inf, 0\.0\]",
        ),
    ],
)
def test_per_group_mse_rejects_non_finite_values(prediction, target, message) -> None:
    with pytest.raises(ValueError, match=message):
        per_group_mse(prediction, target, torch.tensor([0, 0, 1]), 2)


# ---------------------------------------------------------------------------------------------
# backward hooks and the full-batch loop


def _two_task_problem(seed: int = 0):
    """Two linear regression tasks sharing W: (model, task_losses)."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(32, 3, generator=generator)
    targets = torch.stack([x @ torch.tensor([1.0, 0, 0]), 50 * x @ torch.tensor([0, 1.0, 0])])
    torch.manual_seed(seed)
    model = HardSharingModel(nn.Linear(3, 4), [nn.Linear(4, 1), nn.Linear(4, 1)])

    def task_losses():
        return torch.stack([((model(x, i) - targets[i]) ** 2).mean() for i in range(2)])

    return model, task_losses


def test_gradnorm_hook_backpropagates_the_weighted_sum_and_renormalises() -> None:
    model, task_losses = _two_task_problem()
    method = GradNorm(model.shared_layer.weight, 2, alpha=1.5, lr=0.1)
    losses = task_losses()
    expected = torch.autograd.grad(losses.sum(), model.shared_layer.weight, retain_graph=True)[0]
    objective = method(losses, [0, 1])
    # First call: weights (1, 1), so the model's gradient is that of L_1 + L_2.
    assert torch.allclose(model.shared_layer.weight.grad, expected)
    assert objective.item() == pytest.approx(losses.sum().item())
    assert method.weights.sum().item() == pytest.approx(2.0)
    assert method.weight_curve().tolist() == [[1.0, 1.0]]
    # The large-scale task 2 has the larger gradient norm, so its weight went down.
    assert method.weights[1] < method.weights[0]


def _toy_run(with_gradnorm: bool):
    """GradNorm's toy with scales 1 and 16: (losses (steps, 2), method or None)."""
    toy = gradnorm_toy(
        [1.0, 16.0], n=64, in_dim=8, out_dim=4, generator=torch.Generator().manual_seed(0)
    )
    torch.manual_seed(0)
    trunk = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU())
    model = HardSharingModel(trunk, [nn.Linear(16, 4), nn.Linear(16, 4)])
    method = GradNorm(model.shared_layer.weight, 2) if with_gradnorm else None

    def task_losses():
        return torch.stack([((model(toy.x, i) - toy.targets[i]) ** 2).mean() for i in range(2)])

    curve = train_full_batch(task_losses, model.parameters(), steps=100, lr=0.01, backward=method)
    return curve, method


def test_gradnorm_evens_out_training_rates_on_its_toy() -> None:
    def spread(curve):
        ratios = curve[-1] / curve[0]
        return float(ratios.max() / ratios.min())

    equal, _ = _toy_run(False)
    learned, method = _toy_run(True)
    assert spread(learned) < spread(equal)
    weights = method.weight_curve()
    assert (weights > 0).all()
    assert torch.allclose(weights.sum(dim=1), torch.full((100,), 2.0))
    # The σ = 16 task's gradient is the larger one, so GradNorm lowers its weight.
    assert weights[-1, 1] < weights[-1, 0]


def test_uncertainty_hook_steps_log_vars_and_records_factors() -> None:
    _, task_losses = _two_task_problem()
    method = UncertaintyWeighting(2, lr=0.1)
    losses = task_losses()
    objective = method(losses, [0, 1])
    # s = 0: objective ½ (L_1 + L_2); factors ½.
    assert objective.item() == pytest.approx(0.5 * losses.sum().item())
    assert method.history[0].tolist() == [0.5, 0.5]
    # ∂/∂s_i = −½ L_i + ½ < 0 for L_i > 1: Adam moves each such s_i up by lr.
    assert (method.log_vars[losses > 1] > 0).all()


def test_dwa_hook_uses_ones_for_two_epochs_then_the_formula() -> None:
    method = DynamicWeightAverage(2, temperature=1.0, steps_per_epoch=1)
    parameter = torch.ones(2, requires_grad=True)
    for losses in ([1.0, 1.0], [1.0, 2.0], [1.0, 1.0]):
        method(parameter * torch.tensor(losses), [0, 1])
    # Epochs 1 and 2 use (1, 1); epoch 3 uses the ratios (1/1, 2/1) = (1, 2) with T = 1.
    curve = method.weight_curve()
    assert curve[:2].tolist() == [[1.0, 1.0], [1.0, 1.0]]
    assert curve[2].tolist() == pytest.approx([2 / (1 + math.e), 2 * math.e / (1 + math.e)])


def test_group_dro_and_worst_case_hooks() -> None:
    parameter = torch.ones(2, requires_grad=True)
    method = GroupDRO(2, step_size=1.0)
    method(parameter * torch.tensor([0.0, math.log(3)]), [0, 1])
    # From (0.5, 0.5) with L = (0, log 3): (0.25, 0.75); the gradient on the parameter is q_i L_i.
    assert method.weights.tolist() == pytest.approx([0.25, 0.75])
    assert parameter.grad.tolist() == pytest.approx([0.0, 0.75 * math.log(3)])

    parameter.grad = None
    worst = WorstCase(2)
    objective = worst(parameter * torch.tensor([1.0, 3.0]), [0, 1])
    assert objective.item() == 3.0
    assert parameter.grad.tolist() == [0.0, 3.0]
    assert worst.weight_curve().tolist() == [[0.0, 1.0]]


@pytest.mark.parametrize(
    "make",
    [lambda: GroupDRO(2, step_size=0.1), lambda: UncertaintyWeighting(2), lambda: WorstCase(2)],
)
def test_hooks_need_every_task_in_order(make) -> None:
    with pytest.raises(
        ValueError, match=r"needs every task at every step, in order .* got indices"
    ):
        make()(torch.ones(2, requires_grad=True), [1, 0])


def test_hook_without_calls_has_no_curve_and_base_is_abstract() -> None:
    with pytest.raises(ValueError, match="has not been called yet"):
        GroupDRO(3, step_size=0.1).weight_curve()
    with pytest.raises(NotImplementedError):
        WeightingMethod(2)(torch.ones(2), [0, 1])
    with pytest.raises(ValueError, match="n_tasks must be at least 1, got 0"):
        WorstCase(0)


def test_train_full_batch_records_losses_before_each_step() -> None:
    parameter = nn.Parameter(torch.tensor([2.0]))
    curve = train_full_batch(lambda: parameter**2, [parameter], steps=3, lr=0.5)
    assert curve.shape == (3, 1)
    assert curve[0].item() == 4.0  # 2² before the first step
    assert curve[1].item() < curve[0].item()
    with pytest.raises(ValueError, match="steps must be at least 1"):
        train_full_batch(lambda: parameter**2, [parameter], steps=0)
    with pytest.raises(ValueError, match=r"task_losses\(\) must be finite"):
        train_full_batch(lambda: parameter * math.nan, [parameter], steps=1)


def test_train_full_batch_checks_its_parameters() -> None:
    parameter = nn.Parameter(torch.tensor([2.0]))

    def losses() -> torch.Tensor:
        return parameter**2

    with pytest.raises(
        TypeError,
        match=r"parameters must be an iterable of tensors \(e\.g\. model\.parameters\(\) or "
        r"\[w\]\), got a single tensor of shape \(1,\)",
    ):
        train_full_batch(losses, parameter, steps=2)
    with pytest.raises(ValueError, match="parameters must hold at least one tensor, got none"):
        train_full_batch(losses, [], steps=2)
    with pytest.raises(TypeError, match=r"parameters must be an iterable of tensors, got int 3"):
        train_full_batch(losses, 3, steps=2)
    with pytest.raises(TypeError, match=r"parameters\[1\] must be a torch\.Tensor, got str"):
        train_full_batch(losses, [parameter, "w"], steps=2)
    with pytest.raises(ValueError, match=r"parameters\[0\] must require grad"):
        train_full_batch(losses, [torch.ones(1)], steps=2)
    with pytest.raises(
        ValueError, match=r"parameters\[0\] must be a leaf tensor .* computed from others"
    ):
        train_full_batch(losses, [parameter * 2], steps=2)
    with pytest.raises(TypeError, match="task_losses must be callable, got Tensor"):
        train_full_batch(parameter**2, [parameter], steps=2)
    with pytest.raises(TypeError, match="backward must be callable or None, got str"):
        train_full_batch(losses, [parameter], steps=2, backward="sum")
    with pytest.raises(
        ValueError, match=r"task_losses\(\) must return losses connected to the autograd graph"
    ):
        train_full_batch(lambda: torch.ones(2), [parameter], steps=2)
    assert parameter.item() == 2.0  # nothing was stepped


# ---------------------------------------------------------------------------------------------
# GradNorm's toy problem


def test_gradnorm_toy_shapes_scales_and_repeatability() -> None:
    toy = gradnorm_toy(
        [1.0, 10.0], n=50, in_dim=6, out_dim=3, generator=torch.Generator().manual_seed(0)
    )
    again = gradnorm_toy(
        [1.0, 10.0], n=50, in_dim=6, out_dim=3, generator=torch.Generator().manual_seed(0)
    )
    assert toy.x.shape == (50, 6)
    assert toy.targets.shape == (2, 50, 3)
    assert torch.equal(toy.targets, again.targets)
    # |σ_i tanh(·)| ≤ σ_i
    assert toy.targets[0].abs().max() <= 1.0
    assert toy.targets[1].abs().max() <= 10.0
    assert toy.targets[1].abs().max() > 1.0


@pytest.mark.parametrize(
    ("scales", "kwargs", "message"),
    [
        ([1.0, -1.0], {}, "scales must be one or more numbers > 0"),
        ([], {}, "scales must be one or more numbers > 0"),
        ([1.0, math.nan], {}, r"scales must be finite, got nan at index \(1,\)"),
        (torch.tensor([1.0, math.nan]), {}, r"scales must be finite, got nan at index \(1,\)"),
        ([1.0], {"n": 0}, "n must be at least 1, got 0"),
        ([1.0], {"shared_std": 0.0}, "shared_std must be a finite number > 0"),
    ],
)
def test_gradnorm_toy_rejects_bad_input(scales, kwargs, message) -> None:
    arguments = {"n": 10, "in_dim": 3, "out_dim": 2, "generator": torch.Generator()}
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        gradnorm_toy(scales, **arguments)


@pytest.mark.parametrize(
    ("scales", "generator", "message"),
    [
        (
            "abc",
            torch.Generator(),
            r"scales must be a \(k,\) tensor or a sequence of numbers, got str 'abc'",
        ),
        ([1, None], torch.Generator(), r"scales\[1\] must be a number, got NoneType None"),
        ([1.0, "2"], torch.Generator(), r"scales\[1\] must be a number, got str '2'"),
        (torch.tensor([True]), torch.Generator(), "scales must hold real numbers, got dtype"),
        ([1.0], "g", r"generator must be a torch\.Generator .*got str 'g'"),
        ([1.0], None, r"generator must be a torch\.Generator .*got NoneType None"),
    ],
)
def test_gradnorm_toy_rejects_wrong_types(scales, generator, message) -> None:
    with pytest.raises(TypeError, match=message):
        gradnorm_toy(scales, n=10, in_dim=3, out_dim=2, generator=generator)


def test_gradnorm_toy_takes_a_tensor_of_scales_like_a_list() -> None:
    from_list = gradnorm_toy([1, 4.0], n=5, in_dim=3, out_dim=2, generator=torch.Generator())
    from_tensor = gradnorm_toy(
        torch.tensor([1.0, 4.0]), n=5, in_dim=3, out_dim=2, generator=torch.Generator()
    )
    assert torch.equal(from_list.targets, from_tensor.targets)
    assert from_list.scales.tolist() == [1.0, 4.0]


def test_plot_front_circles_the_chosen_point_and_joins_the_front() -> None:
    points = torch.tensor([[1.0, 3.0], [2.0, 2.0], [3.0, 3.0], [3.0, 1.0]])
    fig = plot_front(points, [0.1, 0.5, 0.7, 0.9], chosen=0.5, axis_labels=("a", "b"), title="t")
    ax = fig.axes[0]
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("t", "a", "b")
    # The front line goes through the three non-dominated points in order of the first loss.
    line = ax.get_lines()[0]
    assert line.get_xdata().tolist() == [1.0, 2.0, 3.0]
    assert line.get_ydata().tolist() == [3.0, 2.0, 1.0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "chosen 0.5" in legend


@pytest.mark.parametrize(
    ("points", "labels", "chosen", "message"),
    [
        (torch.ones(3, 3), [1, 2, 3], None, r"points must have shape \(K, 2\)"),
        (torch.ones(3, 2), [1, 2], None, "with one label per row, got shape"),
        (torch.ones(2, 2), [1, 2], 5, r"chosen must be one of the labels \[1, 2\], got 5"),
    ],
)
def test_plot_front_rejects_bad_input(points, labels, chosen, message) -> None:
    with pytest.raises(ValueError, match=message):
        plot_front(points, labels, chosen=chosen)
