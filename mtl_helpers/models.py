"""Small building blocks: an MLP, one model per task, a pooled model, and a task-index adapter.

Introduced in notebook 02. Every multi-task model in this package is called as
``model(x, task)`` with ``x`` a batch of inputs of one task and ``task`` its integer index, and
returns that task's predictions: (n, C) logits for classification, (n,) for a scalar output.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise

import torch
from torch import nn

from mtl_helpers.validation import check_positive_int, check_tensor


def mlp(in_dim: int, hidden: Sequence[int], out_dim: int) -> nn.Sequential:
    """Linear layers of widths ``in_dim → hidden... → out_dim`` with ReLU between them."""
    widths = [check_positive_int("in_dim", in_dim)]
    widths += [check_positive_int("hidden width", h) for h in hidden]
    widths.append(check_positive_int("out_dim", out_dim))
    layers: list[nn.Module] = []
    for position, (a, b) in enumerate(pairwise(widths)):
        if position > 0:
            layers.append(nn.ReLU())
        layers.append(nn.Linear(a, b))
    return nn.Sequential(*layers)


def _check_task(task: object, n_tasks: int | None) -> int:
    """``task`` as an index into ``n_tasks`` tasks (``None``: any number of tasks)."""
    if isinstance(task, bool) or not isinstance(task, int):
        raise TypeError(f"task must be an int task index, got {type(task).__name__} {task!r}")
    if n_tasks is None and task < 0:
        raise ValueError(f"task must be a task index >= 0, got {task}")
    if n_tasks is not None and not 0 <= task < n_tasks:
        raise ValueError(f"task must be in 0..{n_tasks - 1}, got {task}")
    return task


def _squeeze_scalar(out: torch.Tensor) -> torch.Tensor:
    return out.squeeze(-1) if out.ndim == 2 and out.shape[1] == 1 else out


class PerTaskModels(nn.Module):
    """Independent networks, one per task: nothing is shared (θ = (θ_1, ..., θ_T))."""

    def __init__(self, make_model: Callable[[int], nn.Module], n_tasks: int) -> None:
        super().__init__()
        check_positive_int("n_tasks", n_tasks)
        self.models = nn.ModuleList(make_model(i) for i in range(n_tasks))

    def forward(self, x: torch.Tensor, task: int) -> torch.Tensor:
        return _squeeze_scalar(self.models[_check_task(task, len(self.models))](x))


class PooledModel(nn.Module):
    """One network for all tasks that ignores which task it is doing: f(y|x), no z.

    It serves any number of tasks, so it cannot range-check ``task``; it still rejects an index
    that no task could have (not an int, or negative).
    """

    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor, task: int) -> torch.Tensor:
        _check_task(task, None)
        return _squeeze_scalar(self.net(x))


class DescriptorModel(nn.Module):
    """f(y|x, z_i): look up task i's descriptor z_i and call ``net(x, z)``.

    descriptors: (T, d) fixed descriptors (one-hot rows, text vectors, ...); with
    ``learnable=True`` they are trained with the network (a learned task embedding).
    ``net`` is any module called as ``net(x, z)`` with z of shape (n, d).
    """

    def __init__(self, net: nn.Module, descriptors: torch.Tensor, learnable: bool = False) -> None:
        super().__init__()
        check_tensor("descriptors", descriptors, ndim=2, dtype_kind="float")
        self.net = net
        if learnable:
            self.descriptors = nn.Parameter(descriptors.clone())
        else:
            self.register_buffer("descriptors", descriptors.clone())

    def forward(self, x: torch.Tensor, task: int) -> torch.Tensor:
        z = self.descriptors[_check_task(task, len(self.descriptors))]
        return _squeeze_scalar(self.net(x, z.expand(len(x), -1)))


class HardSharingModel(nn.Module):
    """Hard parameter sharing: ``model(x, task) = heads[task](trunk(x))``.

    Any trunk and heads: the trunk is shared by every task, each head belongs to one. Only the
    requested head runs. A head with one output returns (n,), otherwise (n, C).
    ``shared_layer`` is the trunk's last linear layer, where GradNorm measures gradient norms
    (notebook 05).
    """

    def __init__(self, trunk: nn.Module, heads: Sequence[nn.Module]) -> None:
        super().__init__()
        if len(heads) == 0:
            raise ValueError("heads must hold one module per task, got none")
        linears = [m for m in trunk.modules() if isinstance(m, nn.Linear)]
        if not linears:
            raise ValueError(f"trunk must contain an nn.Linear layer, got {type(trunk).__name__}")
        self.trunk = trunk
        self.heads = nn.ModuleList(heads)
        self.shared_layer = linears[-1]

    def forward(self, x: torch.Tensor, task: int) -> torch.Tensor:
        return _squeeze_scalar(self.heads[_check_task(task, len(self.heads))](self.trunk(x)))


def count_parameters(module: nn.Module) -> int:
    """Number of trainable scalars in ``module``."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)
