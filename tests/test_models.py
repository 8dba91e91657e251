"""Tests for mtl_helpers.models: layer widths, per-task/pooled/descriptor models, counting."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from mtl_helpers.models import (
    DescriptorModel,
    HardSharingModel,
    PerTaskModels,
    PooledModel,
    count_parameters,
    mlp,
)


class ConcatNet(nn.Module):
    """net(x, z): a linear layer on the concatenation [x, z]."""

    def __init__(self, x_dim: int, z_dim: int, out_dim: int) -> None:
        super().__init__()
        self.linear = nn.Linear(x_dim + z_dim, out_dim)

    def forward(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        return self.linear(torch.cat([x, z], dim=1))


def linear_widths(net: nn.Sequential) -> list[tuple[int, int]]:
    return [(m.in_features, m.out_features) for m in net if isinstance(m, nn.Linear)]


def test_mlp_layer_widths_and_activations() -> None:
    net = mlp(5, [8, 4], 3)
    assert linear_widths(net) == [(5, 8), (8, 4), (4, 3)]
    # Linear, ReLU, Linear, ReLU, Linear: no activation after the output layer.
    assert [type(m) for m in net] == [nn.Linear, nn.ReLU, nn.Linear, nn.ReLU, nn.Linear]
    assert net(torch.zeros(7, 5)).shape == (7, 3)


def test_mlp_without_hidden_layers_is_linear() -> None:
    net = mlp(4, [], 2)
    assert len(net) == 1
    assert linear_widths(net) == [(4, 2)]
    assert mlp(4, (), 2)(torch.zeros(1, 4)).shape == (1, 2)


def test_mlp_rejects_bad_widths() -> None:
    with pytest.raises(ValueError, match=r"in_dim must be at least 1, got 0"):
        mlp(0, [4], 1)
    with pytest.raises(ValueError, match=r"hidden width must be at least 1, got -2"):
        mlp(3, [4, -2], 1)
    with pytest.raises(TypeError, match=r"hidden width must be an int, got float 4.0"):
        mlp(3, [4.0], 1)
    with pytest.raises(ValueError, match=r"out_dim must be at least 1, got 0"):
        mlp(3, [4], 0)


def test_count_parameters_hand_worked() -> None:
    # 3 -> 4: 3*4 weights + 4 biases = 16; 4 -> 2: 4*2 + 2 = 10; total 26.
    assert count_parameters(mlp(3, [4], 2)) == 26
    frozen = mlp(3, [4], 2)
    frozen[0].requires_grad_(False)  # only the trainable 10 of the last layer remain
    assert count_parameters(frozen) == 10


def test_per_task_models_use_separate_networks() -> None:
    torch.manual_seed(0)
    model = PerTaskModels(lambda i: nn.Linear(3, 1 + i), n_tasks=3)
    assert len(model.models) == 3
    x = torch.randn(5, 3, generator=torch.Generator().manual_seed(0))
    # One output is squeezed to (n,); several outputs stay (n, C).
    assert model(x, 0).shape == (5,)
    assert model(x, 1).shape == (5, 2)
    assert model(x, 2).shape == (5, 3)
    assert torch.allclose(model(x, 2), model.models[2](x))
    # Three linear layers: (3*1 + 1) + (3*2 + 2) + (3*3 + 3) = 4 + 8 + 12 = 24.
    assert count_parameters(model) == 24


def test_per_task_models_do_not_share_gradients() -> None:
    model = PerTaskModels(lambda _: nn.Linear(2, 1), n_tasks=2)
    model(torch.ones(4, 2), 1).sum().backward()
    assert model.models[0].weight.grad is None
    assert model.models[1].weight.grad is not None


def test_pooled_model_ignores_the_task() -> None:
    torch.manual_seed(0)
    model = PooledModel(mlp(3, [4], 1))
    x = torch.randn(6, 3, generator=torch.Generator().manual_seed(1))
    first = model(x, 0)
    assert first.shape == (6,)
    assert torch.equal(first, model(x, 5))
    assert count_parameters(model) == (3 * 4 + 4) + (4 + 1)


def test_pooled_model_rejects_an_index_no_task_could_have() -> None:
    model = PooledModel(mlp(3, [], 1))
    x = torch.zeros(2, 3)
    with pytest.raises(ValueError, match=r"task must be a task index >= 0, got -1"):
        model(x, -1)
    with pytest.raises(TypeError, match=r"task must be an int task index, got float 1.0"):
        model(x, 1.0)


def test_descriptor_model_looks_up_each_tasks_descriptor() -> None:
    descriptors = torch.eye(3)
    net = ConcatNet(x_dim=2, z_dim=3, out_dim=1)
    model = DescriptorModel(net, descriptors)
    x = torch.randn(4, 2, generator=torch.Generator().manual_seed(0))
    out = model(x, 1)
    assert out.shape == (4,)
    expected = net(x, torch.tensor([[0.0, 1.0, 0.0]]).expand(4, -1)).squeeze(-1)
    assert torch.allclose(out, expected)
    assert not torch.allclose(model(x, 0), out)


def test_fixed_descriptors_are_a_buffer_and_learnable_ones_a_parameter() -> None:
    descriptors = torch.eye(2)
    fixed = DescriptorModel(ConcatNet(1, 2, 1), descriptors)
    assert "descriptors" in dict(fixed.named_buffers())
    assert "descriptors" not in dict(fixed.named_parameters())
    # ConcatNet: (1 + 2) weights + 1 bias = 4 trainable scalars; the buffer adds none.
    assert count_parameters(fixed) == 4

    learnable = DescriptorModel(ConcatNet(1, 2, 1), descriptors, learnable=True)
    assert isinstance(learnable.descriptors, nn.Parameter)
    assert "descriptors" in dict(learnable.named_parameters())
    assert count_parameters(learnable) == 4 + 2 * 2
    # Both keep a copy: changing the model's descriptors leaves the caller's tensor alone.
    with torch.no_grad():
        learnable.descriptors.add_(1.0)
    assert torch.equal(descriptors, torch.eye(2))


def test_learnable_descriptors_receive_gradients() -> None:
    model = DescriptorModel(ConcatNet(1, 2, 1), torch.eye(2), learnable=True)
    model(torch.ones(3, 1), 1).sum().backward()
    grad = model.descriptors.grad
    assert grad is not None
    assert float(grad[0].abs().sum()) == 0.0  # task 0 was not used
    assert float(grad[1].abs().sum()) > 0.0


def test_descriptor_model_rejects_bad_descriptors() -> None:
    with pytest.raises(
        ValueError, match=r"descriptors must have 2 dimension\(s\), got shape \(3,\)"
    ):
        DescriptorModel(ConcatNet(1, 3, 1), torch.ones(3))
    with pytest.raises(TypeError, match=r"descriptors must have a floating dtype, got torch.int64"):
        DescriptorModel(ConcatNet(1, 3, 1), torch.eye(3, dtype=torch.int64))


@pytest.mark.parametrize(
    "make_model",
    [
        lambda: PerTaskModels(lambda _: nn.Linear(2, 1), n_tasks=3),
        lambda: DescriptorModel(ConcatNet(2, 3, 1), torch.eye(3)),
    ],
    ids=["per_task", "descriptor"],
)
def test_task_index_errors(make_model) -> None:
    model = make_model()
    x = torch.zeros(2, 2)
    with pytest.raises(ValueError, match=r"task must be in 0..2, got 3"):
        model(x, 3)
    with pytest.raises(ValueError, match=r"task must be in 0..2, got -1"):
        model(x, -1)
    with pytest.raises(TypeError, match=r"task must be an int task index, got str"):
        model(x, "a")
    with pytest.raises(TypeError, match=r"task must be an int task index, got bool"):
        model(x, True)


def test_per_task_models_rejects_bad_task_count() -> None:
    with pytest.raises(ValueError, match=r"n_tasks must be at least 1, got 0"):
        PerTaskModels(lambda _: nn.Linear(2, 1), n_tasks=0)


def test_hard_sharing_model_shapes_and_shared_layer() -> None:
    trunk = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 4))
    model = HardSharingModel(trunk, [nn.Linear(4, 1), nn.Linear(4, 3)])
    x = torch.randn(6, 3)
    assert model(x, 0).shape == (6,)
    assert model(x, 1).shape == (6, 3)
    assert model.shared_layer is trunk[2]
    with pytest.raises(ValueError, match=r"task must be in 0\.\.1, got 2"):
        model(x, 2)
    with pytest.raises(TypeError, match="task must be an int task index, got str"):
        model(x, "0")
    with pytest.raises(ValueError, match="heads must hold one module per task"):
        HardSharingModel(trunk, [])
    with pytest.raises(ValueError, match=r"trunk must contain an nn\.Linear layer"):
        HardSharingModel(nn.ReLU(), [nn.Linear(4, 1)])


# ---------------------------------------------------------------- bad input, named early


def test_mlp_wants_hidden_as_a_list_of_widths() -> None:
    with pytest.raises(
        TypeError,
        match=r"hidden must be a list or tuple of ints \(the hidden widths, \[\] for "
        r"none\), got int 32",
    ):
        mlp(64, 32, 10)
    with pytest.raises(TypeError, match=r"hidden must be a list or tuple of ints .*got str '32'"):
        mlp(64, "32", 10)


MODELS_ON_TWO_FEATURES = {
    "pooled": lambda: PooledModel(mlp(2, [8], 1)),
    "per_task": lambda: PerTaskModels(lambda _: mlp(2, [8], 1), n_tasks=2),
    "hard_sharing": lambda: HardSharingModel(
        nn.Sequential(nn.Linear(2, 4), nn.ReLU()), [nn.Linear(4, 1), nn.Linear(4, 3)]
    ),
}


@pytest.mark.parametrize("make_model", MODELS_ON_TWO_FEATURES.values(), ids=MODELS_ON_TWO_FEATURES)
def test_models_name_x_of_the_wrong_width(make_model) -> None:
    model = make_model()
    with pytest.raises(
        ValueError,
        match=r"x must have 2 features in its last dimension \(the first layer is "
        r"Linear\(2, (8|4)\)\), got shape \(5, 3\)",
    ):
        model(torch.randn(5, 3), 0)


@pytest.mark.parametrize(
    "make_model",
    [*MODELS_ON_TWO_FEATURES.values(), lambda: DescriptorModel(ConcatNet(2, 3, 1), torch.eye(3))],
    ids=[*MODELS_ON_TWO_FEATURES, "descriptor"],
)
def test_models_name_x_of_the_wrong_dtype_rank_or_type(make_model) -> None:
    model = make_model()
    with pytest.raises(
        TypeError,
        match=r"x must have the dtype of the model's parameters, torch\.float32, got "
        r"torch\.int64 \(shape \(5, 2\)\); convert it with \.to\(torch\.float32\)",
    ):
        model(torch.ones(5, 2, dtype=torch.int64), 0)
    with pytest.raises(TypeError, match=r"parameters, torch\.float32, got torch\.float64"):
        model(torch.randn(5, 2, dtype=torch.float64), 0)
    with pytest.raises(
        ValueError, match=r"x must have shape \(n, features\.\.\.\), got \(5,\); for one feature"
    ):
        model(torch.randn(5), 0)
    with pytest.raises(TypeError, match=r"x must be a torch\.Tensor, got list"):
        model([[0.0, 1.0]], 0)
    # Good input still goes through: (n,) for a one-output network.
    assert model(torch.randn(5, 2), 0).shape == (5,)


def test_the_width_is_not_guessed_when_the_first_layer_is_not_linear() -> None:
    # Flatten comes first, so the (n, 2, 2) images are checked for dtype only.
    model = PooledModel(nn.Sequential(nn.Flatten(), nn.Linear(4, 1)))
    assert model(torch.randn(3, 2, 2), 0).shape == (3,)


def test_hard_sharing_model_rejects_heads_that_are_not_a_list_of_modules() -> None:
    trunk = nn.Sequential(nn.Linear(3, 4), nn.ReLU())
    with pytest.raises(
        TypeError,
        match=r"heads must be a list of modules, one per task \(e\.g\. \[nn\.Linear\(8, 1\), "
        r"nn\.Linear\(8, 3\)\]\), got Linear",
    ):
        HardSharingModel(trunk, nn.Linear(4, 1))
    with pytest.raises(
        TypeError, match=r"heads must hold torch\.nn\.Module entries, got int 3 at index 1"
    ):
        HardSharingModel(trunk, [nn.Linear(4, 1), 3])
    with pytest.raises(TypeError, match=r"trunk must be a torch\.nn\.Module, got str"):
        HardSharingModel("trunk", [nn.Linear(4, 1)])
    # An nn.ModuleList of heads is a list of modules too.
    model = HardSharingModel(trunk, nn.ModuleList([nn.Linear(4, 1), nn.Linear(4, 2)]))
    assert model(torch.randn(2, 3), 1).shape == (2, 2)
