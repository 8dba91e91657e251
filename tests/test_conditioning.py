"""Tests for mtl_helpers.conditioning: the algebra of each design, hand-worked and at random."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from mtl_helpers.conditioning import (
    CONDITIONING_KINDS,
    AdditiveConditioning,
    AdditiveLinear,
    ConcatConditioning,
    FiLMConditioning,
    MultiHeadConditioning,
    MultiplicativeGating,
    concat_as_additive,
    make_conditioned,
    plot_task_predictions,
)
from mtl_helpers.models import DescriptorModel, count_parameters


def one_hot(tasks: list[int], n_tasks: int) -> torch.Tensor:
    return torch.eye(n_tasks)[torch.tensor(tasks)]


def test_concat_as_additive_hand_worked() -> None:
    layer = nn.Linear(3, 1)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([[1.0, 2.0, 10.0]]))
        layer.bias.fill_(0.5)
    split = concat_as_additive(layer, x_dim=2)
    x, z = torch.tensor([[3.0, -1.0]]), torch.tensor([[1.0]])
    # 1·3 + 2·(−1) + 10·1 + 0.5 = 11.5, as one sum or as W_x x + W_z z + b.
    assert split(x, z).item() == 11.5
    assert layer(torch.cat([x, z], -1)).item() == 11.5
    assert torch.equal(split.z_part.weight, torch.tensor([[10.0]]))
    # With a one-hot z the task bias is b + W_z[:, i] = 0.5 + 10.
    assert split.task_bias(z).item() == 10.5


@settings(max_examples=40, deadline=None)
@given(
    x_dim=st.integers(1, 6),
    z_dim=st.integers(1, 6),
    out=st.integers(1, 5),
    n=st.integers(1, 8),
    seed=st.integers(0, 2**16),
    bias=st.booleans(),
)
def test_concat_as_additive_matches_layer(x_dim, z_dim, out, n, seed, bias) -> None:
    generator = torch.Generator().manual_seed(seed)
    layer = nn.Linear(x_dim + z_dim, out, bias=bias)
    with torch.no_grad():
        layer.weight.copy_(torch.randn(out, x_dim + z_dim, generator=generator))
    x = torch.randn(n, x_dim, generator=generator)
    z = torch.randn(n, z_dim, generator=generator)
    split = concat_as_additive(layer, x_dim)
    expected = layer(torch.cat([x, z], -1))
    torch.testing.assert_close(split(x, z), expected, rtol=1e-5, atol=1e-5)


def test_concat_as_additive_copies_weights() -> None:
    layer = nn.Linear(4, 2)
    split = concat_as_additive(layer, 1)
    with torch.no_grad():
        split.x_part.weight.zero_()
    assert layer.weight.abs().sum() > 0


@pytest.mark.parametrize("x_dim", [0, 4, -1, 7])
def test_concat_as_additive_rejects_x_dim_out_of_range(x_dim: int) -> None:
    with pytest.raises(ValueError, match=rf"x_dim must be in 1\.\.3 .* got {x_dim}"):
        concat_as_additive(nn.Linear(4, 2), x_dim)


def test_concat_as_additive_rejects_bad_types() -> None:
    with pytest.raises(TypeError, match=r"layer must be an nn\.Linear, got Sequential"):
        concat_as_additive(nn.Sequential(nn.Linear(4, 2)), 2)
    with pytest.raises(TypeError, match=r"x_dim must be an int, got float 2\.0"):
        concat_as_additive(nn.Linear(4, 2), 2.0)
    with pytest.raises(TypeError, match="x_dim must be an int, got bool"):
        concat_as_additive(nn.Linear(4, 2), True)


@pytest.mark.parametrize("kind", CONDITIONING_KINDS)
def test_every_kind_has_the_documented_shapes(kind: str) -> None:
    torch.manual_seed(0)
    model = make_conditioned(kind, x_dim=3, n_tasks=4, hidden=[5, 6], out_dim=2)
    x, z = torch.randn(7, 3), one_hot([0, 1, 2, 3, 0, 1, 2], 4)
    assert model(x, z).shape == (7, 2)


@pytest.mark.parametrize("kind", CONDITIONING_KINDS)
def test_every_kind_checks_its_inputs(kind: str) -> None:
    model = make_conditioned(kind, x_dim=3, n_tasks=4, hidden=[5], out_dim=2)
    x, z = torch.randn(7, 3), one_hot([0] * 7, 4)
    with pytest.raises(ValueError, match=r"x must have 3 columns, got shape \(7, 2\)"):
        model(x[:, :2], z)
    with pytest.raises(ValueError, match=r"z must have 4 columns, got shape \(7, 3\)"):
        model(x, z[:, :3])
    with pytest.raises(ValueError, match="x and z must have the same number of rows"):
        model(x, z[:5])
    with pytest.raises(TypeError, match=r"z must be a torch\.Tensor, got list"):
        model(x, [[1.0, 0.0, 0.0, 0.0]] * 7)
    with pytest.raises(TypeError, match="x must have a floating dtype"):
        model(x.long(), z)


def test_additive_linear_task_bias_checks_z() -> None:
    layer = AdditiveLinear(2, 3, 4)
    assert layer.task_bias(one_hot([0, 2], 3)).shape == (2, 4)
    with pytest.raises(ValueError, match=r"z must have z_dim=3 columns, got shape \(5, 2\)"):
        layer.task_bias(torch.zeros(5, 2))
    with pytest.raises(ValueError, match=r"z must have 2 dimension\(s\), got shape \(3,\)"):
        layer.task_bias(torch.zeros(3))
    with pytest.raises(TypeError, match=r"z must have a floating dtype, got torch\.int64"):
        layer.task_bias(torch.zeros(5, 3, dtype=torch.int64))
    with pytest.raises(
        TypeError, match=r"z must have the layer's dtype torch\.float32, got torch\.float64"
    ):
        layer.task_bias(torch.zeros(5, 3, dtype=torch.float64))


def test_additive_linear_checks_the_dtype_of_its_inputs() -> None:
    layer = AdditiveLinear(2, 3, 4)
    x, z = torch.zeros(5, 2), one_hot([0] * 5, 3)
    with pytest.raises(
        TypeError, match=r"x must have the layer's dtype torch\.float32, got torch\.float64"
    ):
        layer(x.double(), z)
    with pytest.raises(
        TypeError, match=r"z must have the layer's dtype torch\.float32, got torch\.float64"
    ):
        layer(x, z.double())
    # A float64 layer takes float64 inputs.
    assert layer.double()(x.double(), z.double()).dtype == torch.float64


def test_make_conditioned_rejects_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown kind 'bilinear'; expected one of: 'concat'"):
        make_conditioned("bilinear", 2, 3, [4], 1)


def test_constructors_reject_bad_sizes() -> None:
    with pytest.raises(ValueError, match="x_dim must be at least 1, got 0"):
        ConcatConditioning(0, 2, [4], 1)
    with pytest.raises(TypeError, match="hidden must be a sequence of widths, got int"):
        AdditiveConditioning(2, 2, 4, 1)
    with pytest.raises(ValueError, match="hidden width must be at least 1, got 0"):
        MultiplicativeGating(2, 2, [0], 1)
    with pytest.raises(ValueError, match="hidden must hold at least one width for a trunk"):
        MultiHeadConditioning(2, 3, [], 1)
    with pytest.raises(ValueError, match="hidden must hold at least one width to modulate"):
        FiLMConditioning(2, 3, [], 1)


@settings(max_examples=20, deadline=None)
@given(n_tasks=st.integers(1, 5), seed=st.integers(0, 2**16))
def test_gating_with_one_hot_is_exactly_the_selected_network(n_tasks: int, seed: int) -> None:
    torch.manual_seed(seed)
    gated = MultiplicativeGating(3, n_tasks, [4], 2)
    x = torch.randn(6, 3)
    for task in range(n_tasks):
        z = one_hot([task] * 6, n_tasks)
        assert torch.equal(gated(x, z), gated.nets[task](x))


def test_gating_routes_each_row_and_counts_parameters() -> None:
    torch.manual_seed(0)
    gated = MultiplicativeGating(3, 3, [4], 2)
    x = torch.randn(4, 3)
    z = one_hot([0, 2, 2, 0], 3)  # network 1 is gated off on every row, so it is skipped
    out = gated(x, z)
    for row, task in enumerate([0, 2, 2, 0]):
        torch.testing.assert_close(out[row], gated.nets[task](x)[row])
    # No rows at all: nothing selected, an empty (0, 2) output.
    assert gated(x[:0], z[:0]).shape == (0, 2)
    # one network: 3·4 + 4 + 4·2 + 2 = 26 parameters; three of them: 78.
    assert count_parameters(gated) == 78


@pytest.mark.parametrize("design", [MultiplicativeGating, MultiHeadConditioning])
@pytest.mark.parametrize(
    ("z", "message"),
    [
        # A soft mix of two tasks: row 2 is not a single 1.
        (
            [[1.0, 0, 0], [0, 0, 1], [0.5, 0.5, 0], [0, 1, 0]],
            r"z must have one-hot rows \(a single 1, every other entry 0\), got row 2 = "
            r"\[0\.5, 0\.5, 0\.0\]",
        ),
        # All zeros selects no task (gating used to return zeros here).
        ([[0.0, 0, 0]] * 4, r"one-hot rows .*got row 0 = \[0\.0, 0\.0, 0\.0\]"),
        # Two ones select two tasks at once.
        ([[1.0, 0, 0]] * 3 + [[1.0, 1, 0]], r"got row 3 = \[1\.0, 1\.0, 0\.0\]"),
        # A single entry of 2 is not a 1.
        ([[0.0, 2, 0]] * 4, r"got row 0 = \[0\.0, 2\.0, 0\.0\]"),
        ([[0.0, float("nan"), 1]] * 4, r"got row 0 = \[0\.0, nan, 1\.0\]"),
    ],
)
def test_selecting_designs_reject_z_that_is_not_one_hot(design, z, message) -> None:
    model = design(3, 3, [4], 2)
    with pytest.raises(ValueError, match=message):
        model(torch.randn(4, 3), torch.tensor(z))


@settings(max_examples=30, deadline=None)
@given(tasks=st.lists(st.integers(0, 2), min_size=1, max_size=6), scale=st.floats(0.0, 3.0))
def test_selecting_designs_accept_only_exact_one_hot(tasks: list[int], scale: float) -> None:
    # z scaled by anything but 1 is no longer one-hot; scale = 1 exactly is.
    z = one_hot(tasks, 3) * scale
    x = torch.zeros(len(tasks), 3)
    for model in (MultiplicativeGating(3, 3, [2], 1), MultiHeadConditioning(3, 3, [2], 1)):
        if scale == 1.0:
            assert model(x, z).shape == (len(tasks), 1)
        else:
            with pytest.raises(ValueError, match="z must have one-hot rows"):
                model(x, z)


def test_concat_parameter_split() -> None:
    # First layer (4, 2 + T) with bias 4, output layer 4 + 1: 4·(2 + T) + 4 + 5 = 17 + 4T.
    for n_tasks in (1, 2, 10):
        assert count_parameters(ConcatConditioning(2, n_tasks, [4], 1)) == 17 + 4 * n_tasks
        assert count_parameters(AdditiveConditioning(2, n_tasks, [4], 1)) == 17 + 4 * n_tasks


def test_additive_without_hidden_layer_is_one_additive_linear() -> None:
    model = AdditiveConditioning(2, 3, [], 4)
    assert isinstance(model.first, AdditiveLinear) and model.rest is None
    x, z = torch.randn(5, 2), one_hot([0, 1, 2, 0, 1], 3)
    assert torch.equal(model(x, z), model.first(x, z))


def test_concat_and_additive_agree_with_copied_weights() -> None:
    torch.manual_seed(1)
    concat = ConcatConditioning(3, 4, [5, 5], 2)
    additive = AdditiveConditioning(3, 4, [5, 5], 2)
    additive.first.load_state_dict(concat_as_additive(concat.net[0], 3).state_dict())
    later = [m for m in concat.net[1:] if isinstance(m, nn.Linear)]
    for target, source in zip(additive.rest[1][::2], later, strict=True):
        target.load_state_dict(source.state_dict())
    x, z = torch.randn(9, 3), one_hot([0, 1, 2, 3, 0, 1, 2, 3, 0], 4)
    torch.testing.assert_close(additive(x, z), concat(x, z), rtol=1e-5, atol=1e-6)


def test_multi_head_selects_rows_of_the_stacked_last_layer() -> None:
    torch.manual_seed(2)
    model = MultiHeadConditioning(3, 4, [6], 2)
    x = torch.randn(8, 3)
    tasks = [0, 1, 2, 3, 3, 2, 1, 0]
    every_head = model.all_heads(x)
    assert every_head.shape == (8, 4, 2)
    torch.testing.assert_close(model(x, one_hot(tasks, 4)), every_head[torch.arange(8), tasks])
    features = model.trunk(x)
    head_1 = features @ model.head_weight[1].T + model.head_bias[1]
    torch.testing.assert_close(every_head[:, 1], head_1)
    # trunk 3·6 + 6, four heads of 6·2 + 2: 24 + 56.
    assert count_parameters(model) == 80


def test_film_hand_worked_and_starts_near_identity() -> None:
    model = FiLMConditioning(1, 2, [1], 1)
    with torch.no_grad():
        model.layers[0].weight.fill_(2.0)
        model.layers[0].bias.fill_(0.0)
        model.gammas[0].weight.copy_(torch.tensor([[3.0, -1.0]]))
        model.gammas[0].bias.fill_(0.0)
        model.betas[0].weight.copy_(torch.tensor([[0.0, 5.0]]))
        model.betas[0].bias.fill_(0.0)
        model.out.weight.fill_(1.0)
        model.out.bias.fill_(0.0)
    x = torch.tensor([[1.0], [1.0]])
    z = torch.eye(2)
    # task 0: ReLU(3·(2·1) + 0) = 6; task 1: ReLU(−1·(2·1) + 5) = 3.
    assert model(x, z).flatten().tolist() == [6.0, 3.0]
    fresh = FiLMConditioning(2, 3, [4], 1)
    assert torch.all(fresh.gammas[0].bias > 0.4)


def test_film_flips_the_sign_of_a_slope_per_task() -> None:
    # y = s_t · x with s = ±1; FiLM with γ = ±1 on two units relu(x), relu(−x) does it exactly.
    model = FiLMConditioning(1, 2, [2], 1)
    with torch.no_grad():
        model.layers[0].weight.copy_(torch.tensor([[1.0], [-1.0]]))
        model.layers[0].bias.zero_()
        model.gammas[0].weight.copy_(torch.tensor([[1.0, -1.0], [1.0, -1.0]]))
        model.gammas[0].bias.zero_()
        model.betas[0].weight.zero_()
        model.betas[0].bias.zero_()
        model.out.weight.copy_(torch.tensor([[1.0, -1.0]]))
        model.out.bias.zero_()
    x = torch.linspace(-1, 1, 5)[:, None]
    torch.testing.assert_close(model(x, one_hot([0] * 5, 2)).flatten(), x.flatten())
    # task 1: γ = −1 on both units, ReLU(−x) − ReLU(x) = −x.
    torch.testing.assert_close(model(x, one_hot([1] * 5, 2)).flatten(), -x.flatten())


def test_descriptor_model_trains_call_signature() -> None:
    model = DescriptorModel(make_conditioned("film", 2, 3, [4], 1), torch.eye(3))
    assert model(torch.randn(5, 2), 2).shape == (5,)


def test_plot_task_predictions_draws_two_labelled_lines() -> None:
    grid = torch.linspace(0, 1, 11)
    fig = plot_task_predictions(grid, grid**2, grid, "title here", x_label="x (m)")
    ax = fig.axes[0]
    assert ax.get_title() == "title here" and ax.get_xlabel() == "x (m)"
    assert [line.get_label() for line in ax.get_lines()] == ["true", "predicted"]
    assert ax.get_lines()[1].get_ydata().tolist() == pytest.approx((grid**2).tolist())
    plt.close(fig)


def test_plot_task_predictions_rejects_mismatched_lengths() -> None:
    grid = torch.linspace(0, 1, 11)
    with pytest.raises(ValueError, match="predictions must have 11 values like grid, got 10"):
        plot_task_predictions(grid, grid[:10], grid, "t")
    with pytest.raises(ValueError, match="targets must have 1 dimension"):
        plot_task_predictions(grid, grid, grid[:, None], "t")
