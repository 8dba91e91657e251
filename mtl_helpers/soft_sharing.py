"""Soft parameter sharing: one network per task, tied together by a penalty on their distance.

Introduced in notebook 08. The penalty is λ Σ_{i<j} ‖θ_i − θ_j‖², summed over every pair of
task networks and every parameter tensor. λ = 0 trains the networks independently; as λ grows
they are pulled to one common network. The square makes the penalty smooth (its gradient
2λ(θ_i − θ_j) vanishes as the networks meet) where the plain norm has a kink at 0.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure
from torch import nn

from mtl_helpers.validation import (
    check_choice,
    check_finite,
    check_nonnegative_float,
    check_real,
    check_tensor,
)


def _check_models(models: object) -> list[nn.Module]:
    if isinstance(models, nn.Module) and not isinstance(models, nn.ModuleList):
        raise TypeError("models must be a sequence of modules, got a single module")
    if not isinstance(models, (Sequence, nn.ModuleList)):
        raise TypeError(f"models must be a sequence of modules, got {type(models).__name__}")
    models = list(models)
    if not models:
        raise ValueError("models must hold at least one module, got none")
    for position, model in enumerate(models):
        if not isinstance(model, nn.Module):
            raise TypeError(f"models[{position}] must be an nn.Module, got {type(model).__name__}")
    reference = [(name, p.shape) for name, p in models[0].named_parameters()]
    for position, model in enumerate(models[1:], start=1):
        shapes = [(name, p.shape) for name, p in model.named_parameters()]
        if shapes != reference:
            raise ValueError(
                f"models[{position}] must have the same parameter names and shapes as models[0], "
                f"got {[(n, tuple(s)) for n, s in shapes]} and "
                f"{[(n, tuple(s)) for n, s in reference]}"
            )
    return models


def soft_sharing_penalty(models: Sequence[nn.Module], lam: float) -> torch.Tensor:
    """λ Σ_{i<j} ‖θ_i − θ_j‖² over all pairs of ``models`` and all their parameters: a scalar.

    models: T ≥ 1 modules with identical parameter names and shapes; lam: λ ≥ 0. Computed as
    λ T Σ_i ‖θ_i − θ̄‖² (θ̄ the mean network), which equals the pairwise sum, costs O(T) rather
    than O(T²), and avoids the cancellation of T Σ‖θ_i‖² − ‖Σθ_i‖² when the networks are close.
    Differentiable with respect to every parameter.
    """
    models = _check_models(models)
    lam = check_nonnegative_float("lam", lam)
    n_models = len(models)
    total = None
    for tensors in zip(*(model.parameters() for model in models), strict=True):
        stacked = torch.stack(tensors)  # (T, *shape)
        spread = (stacked - stacked.mean(dim=0)).pow(2).sum()
        total = spread if total is None else total + spread
    if total is None:
        return torch.zeros(())
    penalty = lam * n_models * total
    # One O(1) test of the scalar; the parameters are scanned only to name a bad entry.
    if not bool(torch.isfinite(penalty.detach())):
        for position, model in enumerate(models):
            for name, param in model.named_parameters():
                check_finite(f"models[{position}] parameter {name!r}", param.detach())
        raise ValueError(
            f"soft_sharing_penalty overflows to {float(penalty.detach())}: lam={lam!r} times "
            f"the squared distances between the models is too large for {penalty.dtype}"
        )
    return penalty


@torch.no_grad()
def mean_pairwise_distance(models: Sequence[nn.Module]) -> float:
    """The mean Euclidean distance ‖θ_i − θ_j‖ over the pairs i < j of T ≥ 2 ``models``.

    A single model has no pair, so fewer than two models raise a ValueError.
    """
    models = _check_models(models)
    if len(models) < 2:
        raise ValueError(f"models must hold at least two modules to form a pair, got {len(models)}")
    flat = torch.stack(
        [torch.cat([p.reshape(-1) for p in model.parameters()]) for model in models]
    )  # (T, P)
    distances = torch.cdist(flat[None], flat[None])[0]
    upper = torch.triu_indices(len(models), len(models), offset=1)
    return float(distances[upper[0], upper[1]].mean())


def soft_sharing_backward(
    models: Sequence[nn.Module], lam: float
) -> Callable[[torch.Tensor, list[int]], torch.Tensor]:
    """A ``backward`` hook for :func:`mtl_helpers.training.train_multitask`.

    Backpropagates Σ_i L_i + :func:`soft_sharing_penalty` (models, lam) and returns that
    objective, so the history records the penalised loss.
    """
    models = _check_models(models)
    lam = check_nonnegative_float("lam", lam)

    def backward(losses: torch.Tensor, indices: list[int]) -> torch.Tensor:
        objective = losses.sum() + soft_sharing_penalty(models, lam)
        objective.backward()
        return objective.detach()

    return backward


def parameter_bytes(module: nn.Module) -> int:
    """Bytes held by the trainable parameters of ``module``."""
    if not isinstance(module, nn.Module):
        raise TypeError(f"module must be an nn.Module, got {type(module).__name__}")
    return sum(p.numel() * p.element_size() for p in module.parameters() if p.requires_grad)


def adam_state_bytes(module: nn.Module) -> int:
    """Bytes of Adam's state for ``module``, measured by building it on a copy.

    Takes one Adam step with zero gradients on a copy (the module itself is untouched) and adds
    up every tensor Adam stores: the two moment estimates per parameter and the step counters.
    """
    if not isinstance(module, nn.Module):
        raise TypeError(f"module must be an nn.Module, got {type(module).__name__}")
    clone = copy.deepcopy(module)
    params = [p for p in clone.parameters() if p.requires_grad]
    if not params:
        return 0
    optimizer = torch.optim.Adam(params)
    for param in params:
        param.grad = torch.zeros_like(param)
    optimizer.step()
    return sum(
        value.numel() * value.element_size()
        for state in optimizer.state.values()
        for value in state.values()
        if isinstance(value, torch.Tensor)
    )


def plot_lambda_sweep(
    lams: Sequence[float],
    test_errors: torch.Tensor,
    distances: Sequence[float],
    lam: float,
    task_names: Sequence[str],
    *,
    other_errors: dict[str, torch.Tensor] | None = None,
) -> Figure:
    """Left: mean test error and parameter distance against λ; right: per-task errors at ``lam``.

    lams: the L values of λ swept (0 allowed; the axis is linear below 10⁻³ and logarithmic
    above); test_errors: (L, T); distances: (L,) mean pairwise distances; lam: one of ``lams``.
    other_errors: more (L, T) errors to draw as mean curves on the left, keyed by their label
    (e.g. ``{"train MSE": ..., "validation MSE": ...}``).
    """
    if isinstance(lams, (str, bytes, torch.Tensor)) or not isinstance(lams, Sequence):
        raise TypeError(f"lams must be a list of numbers, got {type(lams).__name__} {lams!r}")
    lams = list(lams)
    for position, value in enumerate(lams):
        check_real(f"lams[{position}]", value)
    lam = check_choice("lam", lam, lams)
    check_tensor("test_errors", test_errors, ndim=2, dtype_kind="float")
    check_finite("test_errors", test_errors)
    if isinstance(distances, torch.Tensor):
        check_tensor("distances", distances, ndim=1, dtype_kind="float")
        check_finite("distances", distances)
    elif isinstance(distances, (str, bytes)) or not isinstance(distances, Sequence):
        raise TypeError(
            f"distances must be a list of numbers, got {type(distances).__name__} {distances!r}"
        )
    else:
        for position, value in enumerate(distances):
            check_real(f"distances[{position}]", value)
    if isinstance(task_names, str) or not isinstance(task_names, Sequence):
        raise TypeError(
            f"task_names must be a list of names, got {type(task_names).__name__} {task_names!r}"
        )
    if tuple(test_errors.shape) != (len(lams), len(task_names)) or len(distances) != len(lams):
        raise ValueError(
            f"test_errors must have shape ({len(lams)}, {len(task_names)}) and distances "
            f"{len(lams)} entries, got {tuple(test_errors.shape)} and {len(distances)}"
        )
    other_errors = {} if other_errors is None else dict(other_errors)
    for label, errors in other_errors.items():
        if not isinstance(errors, torch.Tensor) or tuple(errors.shape) != tuple(test_errors.shape):
            got = tuple(errors.shape) if isinstance(errors, torch.Tensor) else type(errors).__name__
            raise ValueError(
                f"other_errors[{label!r}] must be a tensor of shape {tuple(test_errors.shape)}, "
                f"got {got}"
            )
    chosen = lams.index(lam)
    # Fixed margins rather than layout="constrained": with the twin axis, the automatic layout
    # took a third of the time a widget redraw may take.
    fig, (left, right) = plt.subplots(1, 2, figsize=(10.0, 3.6))
    fig.subplots_adjust(left=0.07, right=0.93, bottom=0.27, top=0.9, wspace=0.45)
    left.plot(lams, test_errors.mean(dim=1).tolist(), marker="o", color="C0", label="test MSE")
    for position, (label, errors) in enumerate(other_errors.items(), start=2):
        left.plot(
            lams,
            errors.mean(dim=1).tolist(),
            marker="^",
            linestyle="--",
            color=f"C{position}",
            label=label,
        )
    left.axvline(lam, color="k", linestyle=":", linewidth=1)
    left.set_xscale("symlog", linthresh=1e-3)
    left.set_xlabel("λ (symmetric log scale)")
    left.set_ylabel("mean MSE over tasks")
    left.set_title("Soft sharing: error and distance against λ")
    twin = left.twinx()
    twin.plot(lams, list(distances), marker="s", color="C1", label="parameter distance")
    twin.set_ylabel("mean ‖θ_i − θ_j‖", color="C1")
    twin.grid(False)
    left.legend(
        [*left.lines[: 1 + len(other_errors)], twin.lines[0]],
        ["test MSE", *other_errors, "parameter distance"],
        loc="upper center",
        fontsize="small",
    )
    positions = list(range(len(task_names)))
    right.bar([p - 0.2 for p in positions], test_errors[0].tolist(), width=0.4, label="λ = 0")
    right.bar(
        [p + 0.2 for p in positions], test_errors[chosen].tolist(), width=0.4, label=f"λ = {lam:g}"
    )
    right.set_xticks(positions, list(task_names), rotation=45)
    right.set_xlabel("task")
    right.set_ylabel("test MSE")
    right.set_title(f"Per task at λ = {lam:g}")
    right.legend(fontsize="small")
    return fig
