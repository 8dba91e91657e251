"""Tests for mtl_helpers.architectures: shapes, what is shared, identities and bad input."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from mtl_helpers.architectures import (
    AttentionNet,
    CrossStitchNet,
    HardSharing,
    IndependentNets,
    RelationNet,
    TaskQueryNet,
    digit_pairs,
    penalised_backward,
    plot_cross_stitch,
    two_digit_tasks,
)
from mtl_helpers.models import count_parameters
from mtl_helpers.tasks import TaskData, task_loss
from mtl_helpers.training import train_multitask

MLP_ARCHITECTURES = [HardSharing, IndependentNets, CrossStitchNet, AttentionNet, RelationNet]


def build(cls: type, out_dims: list[int]) -> nn.Module:
    if cls is TaskQueryNet:
        return TaskQueryNet(n_tokens=4, token_dim=3, out_dims=out_dims, width=8, n_latents=3)
    return cls(12, [6, 5], out_dims)


@pytest.mark.parametrize("cls", [*MLP_ARCHITECTURES, TaskQueryNet])
def test_shapes_and_forward_picks_forward_all(cls: type) -> None:
    torch.manual_seed(0)
    out_dims = [3, 3, 3] if cls is RelationNet else [3, 1, 4]
    model = build(cls, out_dims)
    x = torch.randn(7, 12)
    outputs = model.forward_all(x)
    assert [tuple(o.shape) for o in outputs] == [(7, c) for c in out_dims]
    for task in range(3):
        # A one-output head answers (n,), like models.HardSharingModel; others (n, C).
        expected = outputs[task].squeeze(-1) if out_dims[task] == 1 else outputs[task]
        assert torch.equal(model(x, task), expected)
    assert model(x, 1).shape == ((7, 3) if cls is RelationNet else (7,))


@pytest.mark.parametrize("cls", [*MLP_ARCHITECTURES, TaskQueryNet])
def test_bad_inputs_are_named(cls: type) -> None:
    model = build(cls, [2, 2])
    with pytest.raises(ValueError, match=r"x must have 12 columns, got shape \(3, 11\)"):
        model(torch.randn(3, 11), 0)
    with pytest.raises(ValueError, match=r"task must be in 0\.\.1, got 2"):
        model(torch.randn(3, 12), 2)
    with pytest.raises(TypeError, match="task must be an int task index, got str"):
        model(torch.randn(3, 12), "left")
    with pytest.raises(TypeError, match="x must have a floating dtype"):
        model(torch.ones(3, 12, dtype=torch.int64), 0)


@pytest.mark.parametrize("cls", MLP_ARCHITECTURES)
def test_constructors_reject_bad_sizes(cls: type) -> None:
    with pytest.raises(ValueError, match="hidden must hold at least one width, got none"):
        cls(12, [], [2, 2])
    with pytest.raises(ValueError, match="out_dims must name at least 2 tasks"):
        cls(12, [4, 4], [2])
    with pytest.raises(ValueError, match="in_dim must be at least 1, got 0"):
        cls(0, [4, 4], [2, 2])
    with pytest.raises(TypeError, match="hidden must be a sequence of ints, got int"):
        cls(12, 4, [2, 2])


def test_specific_constructor_errors() -> None:
    with pytest.raises(ValueError, match=r"self_weight must be in \[0, 1\], got 1.5"):
        CrossStitchNet(12, [4], [2, 2], self_weight=1.5)
    with pytest.raises(ValueError, match="hidden must hold at least 2 widths"):
        RelationNet(12, [4], [2, 2])
    with pytest.raises(ValueError, match=r"out_dims must be equal .* got \[2, 3\]"):
        RelationNet(12, [4, 4], [2, 3])
    with pytest.raises(ValueError, match="prior_strength must be a finite number > 0, got 0"):
        RelationNet(12, [4, 4], [2, 2], prior_strength=0)
    with pytest.raises(ValueError, match="width must be divisible by n_heads=3, got 8"):
        TaskQueryNet(4, 3, [2, 2], width=8, n_heads=3)


def test_hard_sharing_really_shares() -> None:
    torch.manual_seed(1)
    model = HardSharing(12, [6, 5], [3, 4])
    # One trunk object whose parameters are counted once; two heads of their own.
    trunk_parameters = list(model.shared_trunk.parameters())
    assert len(model.heads) == 2 and model.heads[0] is not model.heads[1]
    # trunk 12·6 + 6 + 6·5 + 5 = 113; heads 5·3 + 3 + 5·4 + 4 = 42.
    assert count_parameters(model.shared_trunk) == 113
    assert count_parameters(model) == 113 + 42
    # A loss of task 0 alone moves the trunk and head 0, never head 1; the same for task 1.
    x = torch.randn(8, 12)
    for task, other in ((0, 1), (1, 0)):
        model.zero_grad()
        model(x, task).sum().backward()
        assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in trunk_parameters)
        assert all(
            p.grad is None or p.grad.abs().sum() == 0 for p in model.heads[other].parameters()
        )


def test_independent_nets_share_nothing() -> None:
    torch.manual_seed(2)
    model = IndependentNets(12, [6], [3, 3])
    x = torch.randn(4, 12)
    model(x, 0).sum().backward()
    assert all(p.grad is None for p in model.nets[1].parameters())


def copy_into_independent(stitched: CrossStitchNet, independent: IndependentNets) -> None:
    with torch.no_grad():
        for column, head, net in zip(
            stitched.columns, stitched.heads, independent.nets, strict=True
        ):
            for layer, target in zip([*column, head], net[::2], strict=True):
                target.load_state_dict(layer.state_dict())


@settings(max_examples=15, deadline=None)
@given(n_tasks=st.integers(2, 4), depth=st.integers(1, 3), seed=st.integers(0, 2**16))
def test_cross_stitch_with_identity_is_independent(n_tasks: int, depth: int, seed: int) -> None:
    torch.manual_seed(seed)
    hidden, out_dims = [5] * depth, list(range(2, 2 + n_tasks))
    stitched = CrossStitchNet(7, hidden, out_dims)
    independent = IndependentNets(7, hidden, out_dims)
    with torch.no_grad():
        for stitch in stitched.stitches:
            stitch.copy_(torch.eye(n_tasks))
    copy_into_independent(stitched, independent)
    x = torch.randn(6, 7)
    for a, b in zip(stitched.forward_all(x), independent.forward_all(x), strict=True):
        assert torch.equal(a, b)


def test_cross_stitch_start_and_mixing_hand_worked() -> None:
    model = CrossStitchNet(2, [1], [1, 1], self_weight=0.75)
    # T = 2: rows (0.75, 0.25) and (0.25, 0.75); one unit per hidden layer.
    assert torch.equal(model.stitch_matrices(), torch.tensor([[[0.75, 0.25], [0.25, 0.75]]]))
    with torch.no_grad():
        model.columns[0][0].weight.fill_(1.0)
        model.columns[0][0].bias.fill_(0.0)
        model.columns[1][0].weight.fill_(0.0)
        model.columns[1][0].bias.fill_(2.0)
        for head in model.heads:
            head.weight.fill_(1.0)
            head.bias.fill_(0.0)
    x = torch.tensor([[1.0, 3.0]])
    # column 0: ReLU(1 + 3) = 4; column 1: ReLU(2) = 2.
    # task 0 reads 0.75·4 + 0.25·2 = 3.5; task 1 reads 0.25·4 + 0.75·2 = 2.5.
    assert [o.item() for o in model.forward_all(x)] == [3.5, 2.5]
    assert count_parameters(model) == 2 * (3 + 2) + 4


def test_attention_masks_are_in_unit_interval_and_gate_shared_features() -> None:
    torch.manual_seed(3)
    model = AttentionNet(12, [6, 5], [3, 3])
    x = torch.randn(4, 12)
    masks = model.masks(x)
    assert [[tuple(m.shape) for m in task] for task in masks] == [[(4, 6), (4, 5)]] * 2
    assert all(bool(((m > 0) & (m < 1)).all()) for task in masks for m in task)
    # With the last masks forced to 0 (a very negative bias) only the head's bias remains.
    with torch.no_grad():
        model.attention[0][1].bias.fill_(-1e4)
    torch.testing.assert_close(model(x, 0), model.heads[0].bias.expand(4, -1))


def test_attention_mask_is_computed_from_the_input() -> None:
    model = AttentionNet(1, [1], [1, 1])
    with torch.no_grad():
        model.shared_layers[0].weight.fill_(1.0)
        model.shared_layers[0].bias.fill_(0.0)
        model.attention[0][0].weight.fill_(1.0)
        model.attention[0][0].bias.fill_(0.0)
    # g_1 = ReLU(x); a^1 = σ(g_1): x = 0 gives σ(0) = 0.5, x = ln 3 gives σ(ln 3) = 3/4.
    x = torch.tensor([[0.0], [math.log(3.0)]])
    torch.testing.assert_close(model.masks(x)[0][0], torch.tensor([[0.5], [0.75]]))


def test_relation_prior_hand_worked() -> None:
    model = RelationNet(3, [2, 1], [1, 1], prior_strength=2.0)
    with torch.no_grad():
        for task, scale in enumerate((1.0, 2.0)):
            model.task_layers[task][0].weight.copy_(torch.tensor([[scale, 0.0]]))
            model.task_layers[task][2].weight.copy_(torch.tensor([[0.0]]))
    # W rows: (1, 0, 0) and (2, 0, 0); W Wᵀ = [[1, 2], [2, 4]], rank 1 with eigenvalue 5.
    # (W Wᵀ)^½ = W Wᵀ / √5, trace √5, so Ω = W Wᵀ / 5 (trace 1) and the correlation is 1.
    omega = model.task_covariance()
    torch.testing.assert_close(omega, torch.tensor([[0.2, 0.4], [0.4, 0.8]]), atol=1e-3, rtol=0)
    # The 1e-6 ridge added before the square root leaves √1e-6 = 1e-3 on the null direction.
    correlation = model.task_correlation()[0, 1]
    torch.testing.assert_close(correlation, torch.tensor(1.0), atol=5e-3, rtol=0)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**16), n_tasks=st.integers(2, 4))
def test_relation_penalty_equals_trace_formula(seed: int, n_tasks: int) -> None:
    torch.manual_seed(seed)
    model = RelationNet(5, [4, 3], [2] * n_tasks, prior_strength=0.5)
    weights = model.task_parameters()
    assert weights.shape == (n_tasks, 4 * 3 + 3 * 2)
    omega = model.task_covariance()
    torch.testing.assert_close(torch.trace(omega), torch.tensor(1.0))
    torch.testing.assert_close(omega, omega.T)
    expected = 0.25 * torch.trace(weights.T @ torch.linalg.inv(omega) @ weights)
    torch.testing.assert_close(model.relation_penalty(), expected, rtol=1e-4, atol=1e-5)


def test_penalised_backward_adds_the_penalty_in_training() -> None:
    torch.manual_seed(4)
    model = RelationNet(12, [6, 5], [3, 3])
    losses = torch.stack(
        [
            task_loss(
                "cross_entropy", model(torch.randn(4, 12), t), torch.zeros(4, dtype=torch.int64)
            )
            for t in range(2)
        ]
    )
    objective = penalised_backward(model.relation_penalty)(losses, [0, 1])
    torch.testing.assert_close(objective, losses.sum() + model.relation_penalty())
    assert all(p.grad is not None for p in model.task_layers.parameters())
    with pytest.raises(TypeError, match="penalty must be callable, got float"):
        penalised_backward(0.5)


def test_digit_pairs_hand_worked_and_seeded() -> None:
    images = torch.zeros(2, 2, 2)
    images[0, :, 0] = 1.0  # digit 0: a bright left column
    images[1, :, 1] = 0.5  # digit 1: a grey right column
    labels = torch.tensor([0, 1])
    pairs, left, right = digit_pairs(images, labels, 20, torch.Generator().manual_seed(0), 1)
    assert pairs.shape == (20, 2, 3)
    for pair, a, b in zip(pairs, left, right, strict=True):
        expected = torch.zeros(2, 3)
        expected[:, :2] = images[a]
        expected[:, 1:] = torch.maximum(expected[:, 1:], images[b])
        assert torch.equal(pair, expected)
    again = digit_pairs(images, labels, 20, torch.Generator().manual_seed(0), 1)
    assert all(torch.equal(u, v) for u, v in zip((pairs, left, right), again, strict=True))


def test_two_digit_tasks_flatten_column_by_column() -> None:
    pairs = torch.arange(12.0).reshape(1, 3, 4)
    left, right = two_digit_tasks(pairs, torch.tensor([2]), torch.tensor([7]))
    assert (left.name, right.name) == ("left digit", "right digit")
    # columns of [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]] are (0, 4, 8), (1, 5, 9), ...
    assert left.x[0, :6].tolist() == [0.0, 4.0, 8.0, 1.0, 5.0, 9.0]
    assert left.x is right.x and left.y.tolist() == [2] and right.y.tolist() == [7]


def test_digit_pairs_rejects_bad_input() -> None:
    images, labels, generator = torch.rand(5, 8, 8), torch.arange(5), torch.Generator()
    with pytest.raises(ValueError, match=r"overlap must be in 0\.\.7 columns, got 8"):
        digit_pairs(images, labels, 3, generator, overlap=8)
    with pytest.raises(TypeError, match="overlap must be an int, got float"):
        digit_pairs(images, labels, 3, generator, overlap=2.0)
    with pytest.raises(
        ValueError, match="images and labels must have the same length, got 5 and 4"
    ):
        digit_pairs(images, labels[:4], 3, generator)
    with pytest.raises(ValueError, match="n_pairs must be at least 1, got 0"):
        digit_pairs(images, labels, 0, generator)
    with pytest.raises(ValueError, match="images must have 3 dimension"):
        digit_pairs(images[0], labels, 3, generator)
    with pytest.raises(TypeError, match="labels must have an integer dtype"):
        digit_pairs(images, labels.float(), 3, generator)
    with pytest.raises(ValueError, match="images must hold at least 2 digits to pair, got 1"):
        digit_pairs(images[:1], labels[:1], 3, generator)


def test_every_architecture_learns_a_tiny_two_task_problem() -> None:
    # Task 0: is the first input positive; task 1: is the second. Fifty Adam steps suffice.
    generator = torch.Generator().manual_seed(5)
    x = torch.randn(200, 12, generator=generator)
    tasks = two_digit_tasks(
        x.reshape(200, 4, 3).transpose(1, 2), (x[:, 0] > 0).long(), (x[:, 1] > 0).long()
    )
    for cls in [*MLP_ARCHITECTURES, TaskQueryNet]:
        torch.manual_seed(0)
        model = build(cls, [2, 2])
        history = train_multitask(
            model, tasks, steps=60, lr=0.02, batch_size=50, generator=generator, test=tasks
        )
        assert history.final().min() > 0.8, cls.__name__


def test_plot_cross_stitch_draws_one_map_per_unit() -> None:
    stitches = torch.tensor([[[0.9, 0.1], [0.2, 0.8]], [[1.0, 0.0], [0.0, 1.0]]])
    fig = plot_cross_stitch(stitches, ["left", "right"])
    assert len([ax for ax in fig.axes if ax.get_title()]) == 2
    assert fig.axes[0].get_xlabel() == "column read from"
    plt.close(fig)
    with pytest.raises(ValueError, match=r"stitches must have shape \(L, 3, 3\)"):
        plot_cross_stitch(stitches, ["a", "b", "c"])
    _, axes = plt.subplots(1, 3)
    with pytest.raises(ValueError, match="axes must hold one axis per unit"):
        plot_cross_stitch(stitches, ["left", "right"], axes=list(axes))
    plt.close("all")


# ---------------------------------------------------------------- bad input, named early


@pytest.mark.parametrize("cls", [*MLP_ARCHITECTURES, TaskQueryNet])
def test_x_of_another_dtype_than_the_parameters_is_named(cls: type) -> None:
    model = build(cls, [2, 2])
    with pytest.raises(
        TypeError,
        match=r"x must have the dtype of the model's parameters, torch\.float32, got "
        r"torch\.float64 \(shape \(3, 12\)\)",
    ):
        model(torch.randn(3, 12).double(), 0)


def test_a_double_model_takes_double_x() -> None:
    model = HardSharing(96, [64], [10, 10]).double()
    assert model(torch.randn(5, 96, dtype=torch.float64), 0).dtype == torch.float64
    with pytest.raises(TypeError, match=r"parameters, torch\.float64, got torch\.float32"):
        model(torch.randn(5, 96), 0)


def test_hard_sharing_with_one_output_heads_trains_regression_tasks() -> None:
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(8, 2, generator=generator)
    tasks = [
        TaskData("sum", x, x.sum(dim=1), "mse"),
        TaskData("difference", x, x[:, 0] - x[:, 1], "mse"),
    ]
    torch.manual_seed(0)
    model = HardSharing(2, [4], [1, 1])
    assert model(x, 0).shape == (8,)
    history = train_multitask(model, tasks, steps=2, generator=generator)
    assert history.final("train_loss").shape == (2,)
    assert bool(torch.isfinite(history.final("train_loss")).all())


def test_cross_stitch_rejects_a_self_weight_that_is_not_a_number() -> None:
    with pytest.raises(
        TypeError, match=r"self_weight must be a number in \[0, 1\], got str '0\.9'"
    ):
        CrossStitchNet(96, [64], [10, 10], self_weight="0.9")
    with pytest.raises(ValueError, match=r"self_weight must be in \[0, 1\], got nan"):
        CrossStitchNet(96, [64], [10, 10], self_weight=math.nan)


def test_penalised_backward_requires_a_scalar_tensor_penalty() -> None:
    losses = torch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(
        ValueError,
        match=r"the result of penalty .*<lambda> must be a scalar \(0-dimensional\) tensor, "
        r"got shape \(2,\); reduce it with \.sum\(\) or \.mean\(\)",
    ):
        penalised_backward(lambda: torch.tensor([1.0, 2.0]))(losses, [0, 1])
    with pytest.raises(
        TypeError, match=r"the result of penalty .*<lambda> must be a scalar tensor, got float"
    ):
        penalised_backward(lambda: 0.5)(losses, [0, 1])
    with pytest.raises(
        TypeError,
        match=r"the result of penalty .*<lambda> must be a floating tensor, got dtype torch.int64",
    ):
        penalised_backward(lambda: torch.tensor(1))(losses, [0, 1])
    # A scalar penalty is added once: 1 + 2 + 0.5.
    objective = penalised_backward(lambda: torch.tensor(0.5))(losses, [0, 1])
    assert float(objective.detach()) == 3.5
    assert losses.grad.tolist() == [1.0, 1.0]


@pytest.mark.parametrize(
    ("generator", "shown"), [(3, r"int 3"), (None, r"NoneType None"), ("0", r"str '0'")]
)
def test_digit_pairs_requires_a_generator(generator: object, shown: str) -> None:
    with pytest.raises(TypeError, match=r"generator must be a torch\.Generator .*got " + shown):
        digit_pairs(torch.rand(5, 8, 8), torch.arange(5), 3, generator)


def test_two_digit_tasks_name_mismatched_lengths_and_bad_labels() -> None:
    pairs = torch.zeros(2, 3, 4)
    with pytest.raises(
        ValueError,
        match=r"pairs and left must have the same first dimension, got shapes \(2, 3, 4\) and "
        r"\(1,\)",
    ):
        two_digit_tasks(pairs, torch.tensor([1]), torch.tensor([1, 2]))
    with pytest.raises(
        ValueError, match=r"pairs and right must have the same first dimension, got shapes"
    ):
        two_digit_tasks(pairs, torch.tensor([1, 2]), torch.tensor([1, 2, 3]))
    with pytest.raises(TypeError, match=r"left must have an integer dtype, got torch\.float32"):
        two_digit_tasks(pairs, torch.tensor([1.0, 2.0]), torch.tensor([1, 2]))
    with pytest.raises(TypeError, match=r"right must be a torch\.Tensor, got list"):
        two_digit_tasks(pairs, torch.tensor([1, 2]), [1, 2])
