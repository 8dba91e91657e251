"""Tests for mtl_helpers.soft_sharing: the penalty by hand, its properties, memory, errors."""

from __future__ import annotations

import itertools

import matplotlib.pyplot as plt
import pytest
import torch
from torch import nn

from mtl_helpers.soft_sharing import (
    adam_state_bytes,
    mean_pairwise_distance,
    parameter_bytes,
    plot_lambda_sweep,
    soft_sharing_backward,
    soft_sharing_penalty,
)


def scalar_model(value: float) -> nn.Module:
    model = nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        model.weight.fill_(value)
    return model


def test_penalty_by_hand() -> None:
    # θ = 0, 1, 3: pairs (0,1) → 1, (0,3) → 9, (1,3) → 4; sum 14; times λ = 0.5 → 7.
    models = [scalar_model(v) for v in (0.0, 1.0, 3.0)]
    assert torch.isclose(soft_sharing_penalty(models, 0.5), torch.tensor(7.0))


def test_penalty_matches_the_pairwise_sum_on_random_networks() -> None:
    generator = torch.Generator().manual_seed(0)
    for n_models in range(1, 6):
        models = [
            nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)) for _ in range(n_models)
        ]
        for model in models:
            for param in model.parameters():
                param.data = torch.randn(param.shape, generator=generator, dtype=torch.float64)
        expected = sum(
            sum(((p - q) ** 2).sum() for p, q in zip(a.parameters(), b.parameters(), strict=True))
            for a, b in itertools.combinations(models, 2)
        )
        got = soft_sharing_penalty(models, 0.3)
        assert torch.isclose(got, torch.as_tensor(0.3 * expected, dtype=got.dtype), rtol=1e-10)


def test_penalty_is_zero_for_identical_models_and_for_lambda_zero() -> None:
    models = [scalar_model(2.0), scalar_model(2.0)]
    assert float(soft_sharing_penalty(models, 10.0).detach()) == 0.0
    assert float(soft_sharing_penalty([scalar_model(1.0), scalar_model(5.0)], 0.0).detach()) == 0.0


def test_penalty_gradient_pulls_models_together() -> None:
    # d/dθ_1 λ(θ_1 − θ_2)² = 2λ(θ_1 − θ_2) = 2·1·(1 − 4) = −6, and +6 for θ_2.
    models = [scalar_model(1.0), scalar_model(4.0)]
    soft_sharing_penalty(models, 1.0).backward()
    assert float(models[0].weight.grad) == -6.0
    assert float(models[1].weight.grad) == 6.0


def test_mean_pairwise_distance() -> None:
    # distances 1, 3, 2 → mean 2
    models = [scalar_model(v) for v in (0.0, 1.0, 3.0)]
    assert mean_pairwise_distance(models) == pytest.approx(2.0)
    with pytest.raises(
        ValueError, match="models must hold at least two modules to form a pair, got 1"
    ):
        mean_pairwise_distance(models[:1])
    with pytest.raises(ValueError, match="models must hold at least one module, got none"):
        mean_pairwise_distance([])


def test_backward_hook_adds_the_penalty() -> None:
    models = nn.ModuleList([scalar_model(1.0), scalar_model(4.0)])
    losses = torch.stack([m.weight.sum() for m in models])  # 1 + 4 = 5
    objective = soft_sharing_backward(models, 1.0)(losses, [0, 1])
    assert float(objective) == 5.0 + 9.0  # + (1 − 4)²
    assert float(models[0].weight.grad) == 1.0 - 6.0


def test_memory_in_bytes() -> None:
    # nn.Linear(3, 2): 8 float32 scalars = 32 bytes; Adam keeps two moments (64 bytes) and a
    # float32 step counter per parameter tensor (2 × 4 bytes).
    layer = nn.Linear(3, 2)
    assert parameter_bytes(layer) == 32
    assert adam_state_bytes(layer) == 64 + 8
    assert layer.weight.grad is None  # the measurement ran on a copy


def test_bad_input_raises() -> None:
    with pytest.raises(
        ValueError, match=r"models\[1\] must have the same parameter names and shapes"
    ):
        soft_sharing_penalty([nn.Linear(2, 1), nn.Linear(3, 1)], 1.0)
    with pytest.raises(ValueError, match="models must hold at least one module, got none"):
        soft_sharing_penalty([], 1.0)
    with pytest.raises(TypeError, match="models must be a sequence of modules, got a single"):
        soft_sharing_penalty(nn.Linear(2, 1), 1.0)
    with pytest.raises(TypeError, match=r"models\[0\] must be an nn\.Module, got int"):
        soft_sharing_penalty([3], 1.0)
    with pytest.raises(ValueError, match="lam must be a finite number ≥ 0, got -1"):
        soft_sharing_penalty([nn.Linear(2, 1)], -1.0)
    with pytest.raises(TypeError, match="lam must be a number, got str"):
        soft_sharing_backward([nn.Linear(2, 1)], "big")
    with pytest.raises(TypeError, match=r"module must be an nn\.Module, got int"):
        parameter_bytes(3)
    with pytest.raises(TypeError, match=r"module must be an nn\.Module, got list"):
        adam_state_bytes([])


def test_plot_lambda_sweep_callback() -> None:
    errors = torch.tensor([[1.0, 2.0], [0.5, 1.0], [0.8, 0.9]])
    fig = plot_lambda_sweep([0.0, 0.1, 1.0], errors, [3.0, 1.0, 0.1], 0.1, ["a", "b"])
    left, right = fig.axes[0], fig.axes[1]
    assert left.lines[0].get_ydata().tolist() == pytest.approx([1.5, 0.75, 0.85])
    heights = [patch.get_height() for patch in right.patches]
    assert heights == pytest.approx([1.0, 2.0, 0.5, 1.0])  # λ = 0 bars, then λ = 0.1 bars
    plt.close(fig)
    with pytest.raises(ValueError, match=r"unknown lam 5\.0; expected one of: 0\.0, 0\.1, 1\.0"):
        plot_lambda_sweep([0.0, 0.1, 1.0], errors, [3.0, 1.0, 0.1], 5.0, ["a", "b"])
    with pytest.raises(ValueError, match=r"test_errors must have shape \(3, 3\)"):
        plot_lambda_sweep([0.0, 0.1, 1.0], errors, [3.0, 1.0, 0.1], 0.1, ["a", "b", "c"])
    # train errors [[0, 1], [1, 1], [2, 2]] → task means 0.5, 1, 2, drawn after the test curve
    train = torch.tensor([[0.0, 1.0], [1.0, 1.0], [2.0, 2.0]])
    fig = plot_lambda_sweep(
        [0.0, 0.1, 1.0], errors, [3.0, 1.0, 0.1], 0.1, ["a", "b"], other_errors={"train": train}
    )
    assert fig.axes[0].lines[1].get_ydata().tolist() == pytest.approx([0.5, 1.0, 2.0])
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == [
        "test MSE",
        "train",
        "parameter distance",
    ]
    plt.close(fig)
    with pytest.raises(ValueError, match=r"other_errors\['train'\] must be a tensor of shape"):
        plot_lambda_sweep(
            [0.0, 0.1, 1.0],
            errors,
            [3.0, 1.0, 0.1],
            0.1,
            ["a", "b"],
            other_errors={"train": train[:2]},
        )


def test_penalty_names_a_non_finite_parameter() -> None:
    first, second = nn.Linear(2, 1), nn.Linear(2, 1)
    with torch.no_grad():
        second.bias.fill_(float("nan"))
    with pytest.raises(
        ValueError, match=r"models\[1\] parameter 'bias' must be finite, got nan at index \(0,\)"
    ):
        soft_sharing_penalty([first, second], 1.0)


def test_penalty_rejects_an_overflowing_result() -> None:
    # θ = 0 and 1e20: λ T Σ‖θ_i − θ̄‖² = 1 · 2 · 2 · (5e19)² = 1e40, beyond float32.
    with pytest.raises(
        ValueError, match=r"soft_sharing_penalty overflows to inf: lam=1\.0 times the squared"
    ):
        soft_sharing_penalty([scalar_model(0.0), scalar_model(1e20)], 1.0)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        # A string is not the swept value 1.0: check_choice shows it quoted.
        ({"lam": "1"}, ValueError, r"unknown lam '1'; expected one of: 0\.0, 1\.0"),
        ({"lam": True}, ValueError, r"unknown lam True; expected one of: 0\.0, 1\.0"),
        ({"lams": "01"}, TypeError, "lams must be a list of numbers, got str '01'"),
        ({"lams": [0.0, "1"]}, TypeError, r"lams\[1\] must be a number, got str '1'"),
        (
            {"test_errors": [[1.0], [2.0]]},
            TypeError,
            r"test_errors must be a torch\.Tensor, got list",
        ),
        (
            {"test_errors": torch.tensor([[1.0], [float("nan")]])},
            ValueError,
            r"test_errors must be finite, got nan at index \(1, 0\)",
        ),
        ({"distances": 3.0}, TypeError, "distances must be a list of numbers, got float 3.0"),
        ({"distances": [1.0, None]}, TypeError, r"distances\[1\] must be a number, got NoneType"),
        ({"task_names": "a"}, TypeError, "task_names must be a list of names, got str 'a'"),
    ],
)
def test_plot_lambda_sweep_rejects_bad_input(arguments, error, message) -> None:
    call = {
        "lams": [0.0, 1.0],
        "test_errors": torch.tensor([[1.0], [2.0]]),
        "distances": [1.0, 0.5],
        "lam": 1.0,
        "task_names": ["a"],
    }
    call.update(arguments)
    with pytest.raises(error, match=message):
        plot_lambda_sweep(**call)


def test_plot_lambda_sweep_takes_the_listed_lam() -> None:
    # lam = 1 (an int) is the swept 1.0; the bar label shows the listed value.
    fig = plot_lambda_sweep([0.0, 1.0], torch.tensor([[1.0], [2.0]]), [1.0, 0.5], 1, ["a"])
    assert fig.axes[1].get_title() == "Per task at λ = 1"
