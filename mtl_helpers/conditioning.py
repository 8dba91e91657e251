"""How a network is told which task it is doing: conditioning a network f(x, z) on a descriptor z.

Introduced in notebook 03. Every module here is called as ``module(x, z)`` with x: (n, x_dim)
inputs and z: (n, z_dim) task descriptors (one-hot rows for T tasks, so z_dim = T for the
designs that need one slot per task), and returns (n, out_dim). Wrap one in
:class:`mtl_helpers.models.DescriptorModel` to train it with ``model(x, task)``.

- :class:`ConcatConditioning`: all-shared network on ``[x; z]``.
- :class:`AdditiveLinear` and :class:`AdditiveConditioning`: ``W_x x + W_z z + b``, the same
  thing written as a sum (:func:`concat_as_additive` splits a trained layer).
- :class:`MultiHeadConditioning`: shared trunk, one output head per task, a one-hot z picks
  the head.
- :class:`FiLMConditioning`: ``γ(z) ⊙ h + β(z)`` on every hidden layer (Perez et al., 2018).
- :class:`MultiplicativeGating`: T independent networks, ``Σ_t z_t f_t(x)`` with a one-hot z.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure
from torch import nn

from mtl_helpers.models import mlp
from mtl_helpers.validation import check_choice, check_positive_int, check_tensor

CONDITIONING_KINDS = ("concat", "additive", "multi_head", "film", "gating")


def _check_inputs(x: object, z: object, x_dim: int, z_dim: int) -> None:
    check_tensor("x", x, ndim=2, dtype_kind="float")
    check_tensor("z", z, ndim=2, dtype_kind="float")
    if x.shape[1] != x_dim:
        raise ValueError(f"x must have {x_dim} columns, got shape {tuple(x.shape)}")
    if z.shape[1] != z_dim:
        raise ValueError(f"z must have {z_dim} columns, got shape {tuple(z.shape)}")
    if len(x) != len(z):
        raise ValueError(
            f"x and z must have the same number of rows, got shapes {tuple(x.shape)} and "
            f"{tuple(z.shape)}"
        )


def _check_dtype(name: str, value: torch.Tensor, dtype: torch.dtype) -> None:
    """Raise TypeError unless ``value`` has the dtype of the weights it is multiplied with."""
    if value.dtype != dtype:
        raise TypeError(
            f"{name} must have the layer's dtype {dtype}, got {value.dtype} (convert it with "
            f".to({dtype}))"
        )


def _check_one_hot(z: torch.Tensor) -> None:
    """Raise ValueError naming the first row of z: (n, T) that is not one-hot (one 1, the rest 0).

    For the designs whose z *selects* a network or a head: a row such as (0.5, 0.5, 0) would
    silently mix two tasks, and a row of zeros would select nothing.
    """
    is_one = z == 1
    valid = (is_one | (z == 0)).all(dim=1) & (is_one.sum(dim=1) == 1)
    if not bool(valid.all()):
        row = int(torch.nonzero(~valid)[0])
        raise ValueError(
            f"z must have one-hot rows (a single 1, every other entry 0), got row {row} = "
            f"{z[row].tolist()}"
        )


def _widths(x_dim: int, z_dim: int, hidden: Sequence[int], out_dim: int) -> list[int]:
    check_positive_int("x_dim", x_dim)
    check_positive_int("z_dim", z_dim)
    check_positive_int("out_dim", out_dim)
    if isinstance(hidden, (str, bytes)) or not isinstance(hidden, Sequence):
        raise TypeError(f"hidden must be a sequence of widths, got {type(hidden).__name__}")
    return [check_positive_int("hidden width", h) for h in hidden]


class ConcatConditioning(nn.Module):
    """All shared: one network on the concatenation ``[x; z]``.

    θ_sh is every weight that touches x or a hidden unit; θ_i is the column of the first layer
    that multiplies z_i, so each task owns ``hidden[0]`` numbers (``out_dim`` with no hidden layer).
    """

    def __init__(self, x_dim: int, z_dim: int, hidden: Sequence[int], out_dim: int) -> None:
        super().__init__()
        _widths(x_dim, z_dim, hidden, out_dim)
        self.x_dim, self.z_dim = x_dim, z_dim
        self.net = mlp(x_dim + z_dim, hidden, out_dim)

    def forward(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """x: (n, x_dim), z: (n, z_dim) → (n, out_dim)."""
        _check_inputs(x, z, self.x_dim, self.z_dim)
        return self.net(torch.cat([x, z], dim=-1))


class AdditiveLinear(nn.Module):
    """A linear layer fed x and z separately: ``W_x x + W_z z + b``.

    x_part holds W_x: (out, x_dim) and b: (out,); z_part holds W_z: (out, z_dim) and no bias.
    """

    def __init__(self, x_dim: int, z_dim: int, out_dim: int) -> None:
        super().__init__()
        _widths(x_dim, z_dim, (), out_dim)
        self.x_dim, self.z_dim = x_dim, z_dim
        self.x_part = nn.Linear(x_dim, out_dim)
        self.z_part = nn.Linear(z_dim, out_dim, bias=False)

    def forward(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """x: (n, x_dim), z: (n, z_dim) → (n, out_dim), both in the layer's dtype."""
        _check_inputs(x, z, self.x_dim, self.z_dim)
        _check_dtype("x", x, self.x_part.weight.dtype)
        _check_dtype("z", z, self.z_part.weight.dtype)
        return self.x_part(x) + self.z_part(z)

    def task_bias(self, z: torch.Tensor) -> torch.Tensor:
        """The bias that z adds to the layer, ``W_z z + b``: z (n, z_dim) → (n, out).

        z must have the layer's dtype (float32 unless the layer was converted).
        """
        check_tensor("z", z, ndim=2, dtype_kind="float")
        if z.shape[1] != self.z_dim:
            raise ValueError(f"z must have z_dim={self.z_dim} columns, got shape {tuple(z.shape)}")
        _check_dtype("z", z, self.z_part.weight.dtype)
        return self.z_part(z) + self.x_part.bias


def concat_as_additive(layer: nn.Linear, x_dim: int) -> AdditiveLinear:
    """Split a layer that reads ``[x; z]`` into ``W_x x + W_z z + b`` with the same weights.

    layer: nn.Linear with weight (out, in); x_dim: how many leading inputs are x, in
    1..in-1 (z gets the rest). The returned module ``m`` satisfies
    ``m(x, z) == layer(torch.cat([x, z], -1))`` up to float rounding; its weights are copies.
    """
    if not isinstance(layer, nn.Linear):
        raise TypeError(f"layer must be an nn.Linear, got {type(layer).__name__}")
    if isinstance(x_dim, bool) or not isinstance(x_dim, int):
        raise TypeError(f"x_dim must be an int, got {type(x_dim).__name__} {x_dim!r}")
    if not 1 <= x_dim <= layer.in_features - 1:
        raise ValueError(
            f"x_dim must be in 1..{layer.in_features - 1} (the layer has {layer.in_features} "
            f"inputs, z needs at least one), got {x_dim}"
        )
    split = AdditiveLinear(x_dim, layer.in_features - x_dim, layer.out_features)
    split = split.to(dtype=layer.weight.dtype)
    with torch.no_grad():
        split.x_part.weight.copy_(layer.weight[:, :x_dim])
        split.z_part.weight.copy_(layer.weight[:, x_dim:])
        if layer.bias is not None:
            split.x_part.bias.copy_(layer.bias)
        else:
            split.x_part.bias.zero_()
    return split


class AdditiveConditioning(nn.Module):
    """z added inside the first layer, ``W_x x + W_z z + b``, then ReLU and the rest of an MLP.

    The same family of functions as :class:`ConcatConditioning` with the same widths.
    With no hidden layer the module is the single :class:`AdditiveLinear`.
    """

    def __init__(self, x_dim: int, z_dim: int, hidden: Sequence[int], out_dim: int) -> None:
        super().__init__()
        widths = _widths(x_dim, z_dim, hidden, out_dim)
        self.x_dim, self.z_dim = x_dim, z_dim
        first = widths[0] if widths else out_dim
        self.first = AdditiveLinear(x_dim, z_dim, first)
        self.rest = nn.Sequential(nn.ReLU(), mlp(first, widths[1:], out_dim)) if widths else None

    def forward(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """x: (n, x_dim), z: (n, z_dim) → (n, out_dim)."""
        h = self.first(x, z)
        return h if self.rest is None else self.rest(h)


class MultiHeadConditioning(nn.Module):
    """Shared trunk, one linear head per task; a one-hot z picks the head.

    The heads are stored stacked, head_weight: (T, out, H) and head_bias: (T, out), so the
    output ``Σ_t z_t (W_t h + b_t)`` is a last layer whose rows z selects. hidden must hold at
    least one width; H = hidden[-1]. A z that is not one-hot raises ValueError.
    """

    def __init__(self, x_dim: int, n_tasks: int, hidden: Sequence[int], out_dim: int) -> None:
        super().__init__()
        widths = _widths(x_dim, n_tasks, hidden, out_dim)
        if not widths:
            raise ValueError("hidden must hold at least one width for a trunk, got none")
        self.x_dim, self.z_dim = x_dim, n_tasks
        self.trunk = nn.Sequential(mlp(x_dim, widths[:-1], widths[-1]), nn.ReLU())
        heads = [nn.Linear(widths[-1], out_dim) for _ in range(n_tasks)]
        self.head_weight = nn.Parameter(torch.stack([h.weight.detach() for h in heads]))
        self.head_bias = nn.Parameter(torch.stack([h.bias.detach() for h in heads]))

    def all_heads(self, x: torch.Tensor) -> torch.Tensor:
        """Every head's output on x: (n, x_dim) → (n, T, out)."""
        check_tensor("x", x, ndim=2, dtype_kind="float")
        features = self.trunk(x)
        return torch.einsum("toh,nh->nto", self.head_weight, features) + self.head_bias

    def forward(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """x: (n, x_dim), z: (n, T) one-hot → (n, out).

        The output is ``W(z) h + b(z)`` with ``W(z) = Σ_t z_t W_t``: task t's head.
        """
        _check_inputs(x, z, self.x_dim, self.z_dim)
        _check_one_hot(z)
        features = self.trunk(x)
        weight = torch.einsum("nt,toh->noh", z, self.head_weight)
        return torch.einsum("noh,nh->no", weight, features) + z @ self.head_bias


class FiLMConditioning(nn.Module):
    """Feature-wise linear modulation: every hidden layer is ``ReLU(γ(z) ⊙ (W h + b) + β(z))``.

    γ and β are linear maps of z (one pair per hidden layer), γ initialised around 1 and β
    around 0, so training starts near the unconditioned network. Output layer is plain linear.
    """

    def __init__(self, x_dim: int, z_dim: int, hidden: Sequence[int], out_dim: int) -> None:
        super().__init__()
        widths = _widths(x_dim, z_dim, hidden, out_dim)
        if not widths:
            raise ValueError("hidden must hold at least one width to modulate, got none")
        self.x_dim, self.z_dim = x_dim, z_dim
        ins = [x_dim, *widths[:-1]]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(ins, widths, strict=True))
        self.gammas = nn.ModuleList(nn.Linear(z_dim, w) for w in widths)
        self.betas = nn.ModuleList(nn.Linear(z_dim, w) for w in widths)
        with torch.no_grad():
            for gamma in self.gammas:
                gamma.bias.add_(1.0)
        self.out = nn.Linear(widths[-1], out_dim)

    def forward(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """x: (n, x_dim), z: (n, z_dim) → (n, out_dim)."""
        _check_inputs(x, z, self.x_dim, self.z_dim)
        h = x
        for layer, gamma, beta in zip(self.layers, self.gammas, self.betas, strict=True):
            h = torch.relu(gamma(z) * layer(h) + beta(z))
        return self.out(h)


class MultiplicativeGating(nn.Module):
    """Independent networks written as conditioning: ``Σ_t z_t f_t(x)`` over T MLPs.

    z must be one-hot (anything else raises ValueError), so the sum is exactly the selected
    network's output (the others are multiplied by 0); the parameter count is T times one
    network's. A network whose gate is 0 on every row adds exactly 0, so it is skipped rather
    than evaluated.
    """

    def __init__(self, x_dim: int, n_tasks: int, hidden: Sequence[int], out_dim: int) -> None:
        super().__init__()
        _widths(x_dim, n_tasks, hidden, out_dim)
        self.x_dim, self.z_dim = x_dim, n_tasks
        self.nets = nn.ModuleList(mlp(x_dim, hidden, out_dim) for _ in range(n_tasks))

    def forward(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """x: (n, x_dim), z: (n, T) one-hot → (n, out_dim)."""
        _check_inputs(x, z, self.x_dim, self.z_dim)
        _check_one_hot(z)
        used = torch.nonzero((z != 0).any(dim=0)).flatten().tolist()
        if not used:
            return torch.zeros(len(x), self.nets[0][-1].out_features, dtype=x.dtype)
        outputs = torch.stack([self.nets[t](x) for t in used], dim=1)  # (n, T_used, out)
        return (z[:, used].unsqueeze(-1) * outputs).sum(dim=1)


def make_conditioned(
    kind: str, x_dim: int, n_tasks: int, hidden: Sequence[int], out_dim: int
) -> nn.Module:
    """Build one of ``CONDITIONING_KINDS`` for T = n_tasks tasks with one-hot z (z_dim = T)."""
    check_choice("kind", kind, CONDITIONING_KINDS)
    builders = {
        "concat": ConcatConditioning,
        "additive": AdditiveConditioning,
        "multi_head": MultiHeadConditioning,
        "film": FiLMConditioning,
        "gating": MultiplicativeGating,
    }
    return builders[kind](x_dim, n_tasks, hidden, out_dim)


def plot_task_predictions(
    grid: torch.Tensor,
    predictions: torch.Tensor,
    targets: torch.Tensor,
    title: str,
    x_label: str = "input x",
    y_label: str = "output y",
) -> Figure:
    """One task's predicted curve against its true curve on a 1-D grid.

    grid: (G,) inputs; predictions, targets: (G,) outputs at those inputs.
    """
    for name, value in (("grid", grid), ("predictions", predictions), ("targets", targets)):
        check_tensor(name, value, ndim=1, dtype_kind="float")
        if len(value) != len(grid):
            raise ValueError(f"{name} must have {len(grid)} values like grid, got {len(value)}")
    fig, ax = plt.subplots(layout="constrained")
    ax.plot(grid.tolist(), targets.tolist(), color="black", linestyle="--", label="true")
    ax.plot(grid.tolist(), predictions.tolist(), color="tab:blue", label="predicted")
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    ax.set_title(title)
    ax.legend(fontsize="small")
    return fig
