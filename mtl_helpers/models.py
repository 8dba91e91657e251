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
from torch.nn.parameter import UninitializedParameter

from mtl_helpers.validation import check_positive_int, check_tensor


def mlp(in_dim: int, hidden: Sequence[int], out_dim: int) -> nn.Sequential:
    """Linear layers of widths ``in_dim → hidden... → out_dim`` with ReLU between them.

    hidden: a list or tuple of ints, the hidden widths (empty for a single linear layer).
    """
    widths = [check_positive_int("in_dim", in_dim)]
    if not isinstance(hidden, (list, tuple)):
        raise TypeError(
            f"hidden must be a list or tuple of ints (the hidden widths, [] for none), got "
            f"{type(hidden).__name__} {hidden!r}"
        )
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


def _first_linear(module: nn.Module) -> nn.Linear | None:
    """The layer that first sees x where that is known: ``module`` itself, or the first entry of
    a (nested) ``nn.Sequential``, when it is an initialised ``nn.Linear``; else ``None``."""
    while isinstance(module, nn.Sequential) and len(module) > 0:
        module = module[0]
    if isinstance(module, nn.Linear) and not isinstance(module.weight, UninitializedParameter):
        return module
    return None


def _check_x(x: object, model: nn.Module, first: nn.Module | None) -> torch.Tensor:
    """Return ``x`` if it is an (n, features...) tensor that ``model`` can take, else raise.

    x must have the dtype of ``model``'s parameters and, when ``first`` starts with an
    ``nn.Linear``, that layer's ``in_features`` in its last dimension. O(1): shapes and dtypes
    only, never the values.
    """
    check_tensor("x", x)
    if x.ndim < 2:
        raise ValueError(
            f"x must have shape (n, features...), got {tuple(x.shape)}; for one feature per "
            "example use x[:, None]"
        )
    parameter = next(model.parameters(), None)
    if parameter is not None and not isinstance(parameter, UninitializedParameter):
        if x.dtype != parameter.dtype:
            raise TypeError(
                f"x must have the dtype of the model's parameters, {parameter.dtype}, got "
                f"{x.dtype} (shape {tuple(x.shape)}); convert it with .to({parameter.dtype})"
            )
    linear = _first_linear(first) if first is not None else None
    if linear is not None and x.shape[-1] != linear.in_features:
        raise ValueError(
            f"x must have {linear.in_features} features in its last dimension (the first "
            f"layer is Linear({linear.in_features}, {linear.out_features})), got shape "
            f"{tuple(x.shape)}"
        )
    return x


def _squeeze_scalar(out: torch.Tensor) -> torch.Tensor:
    return out.squeeze(-1) if out.ndim == 2 and out.shape[1] == 1 else out


class PerTaskModels(nn.Module):
    """Independent networks, one per task: nothing is shared (θ = (θ_1, ..., θ_T))."""

    def __init__(self, make_model: Callable[[int], nn.Module], n_tasks: int) -> None:
        super().__init__()
        check_positive_int("n_tasks", n_tasks)
        self.models = nn.ModuleList(make_model(i) for i in range(n_tasks))

    def forward(self, x: torch.Tensor, task: int) -> torch.Tensor:
        """x: (n, features...) → (n, C) or (n,) from task ``task``'s own network."""
        model = self.models[_check_task(task, len(self.models))]
        return _squeeze_scalar(model(_check_x(x, model, model)))


class PooledModel(nn.Module):
    """One network for all tasks that ignores which task it is doing: f(y|x), no z.

    It serves any number of tasks, so it cannot range-check ``task``; it still rejects an index
    that no task could have (not an int, or negative).
    """

    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor, task: int) -> torch.Tensor:
        """x: (n, features...) → (n, C) or (n,), the same network whatever the task."""
        _check_task(task, None)
        return _squeeze_scalar(self.net(_check_x(x, self.net, self.net)))


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
        """x: (n, features...) → (n, C) or (n,); ``net`` sees x and z_task repeated n times.

        The feature count of x is not checked here: ``net`` decides how x and z are combined.
        """
        z = self.descriptors[_check_task(task, len(self.descriptors))]
        x = _check_x(x, self, None)
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
        if not isinstance(trunk, nn.Module):
            raise TypeError(f"trunk must be a torch.nn.Module, got {type(trunk).__name__}")
        if not isinstance(heads, (list, tuple, nn.ModuleList)):
            raise TypeError(
                f"heads must be a list of modules, one per task (e.g. [nn.Linear(8, 1), "
                f"nn.Linear(8, 3)]), got {type(heads).__name__}"
            )
        if len(heads) == 0:
            raise ValueError("heads must hold one module per task, got none")
        for position, head in enumerate(heads):
            if not isinstance(head, nn.Module):
                raise TypeError(
                    f"heads must hold torch.nn.Module entries, got {type(head).__name__} "
                    f"{head!r} at index {position}"
                )
        linears = [m for m in trunk.modules() if isinstance(m, nn.Linear)]
        if not linears:
            raise ValueError(f"trunk must contain an nn.Linear layer, got {type(trunk).__name__}")
        self.trunk = trunk
        self.heads = nn.ModuleList(heads)
        self.shared_layer = linears[-1]

    def forward(self, x: torch.Tensor, task: int) -> torch.Tensor:
        """x: (n, features...) → (n, C_task), or (n,) for a one-output head."""
        head = self.heads[_check_task(task, len(self.heads))]
        return _squeeze_scalar(head(self.trunk(_check_x(x, self, self.trunk))))


def count_parameters(module: nn.Module) -> int:
    """Number of trainable scalars in ``module``."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)
