"""How much each task counts: static, learned, dynamic and robust task weights.

Introduced in notebook 05. The plain functions compute one quantity each (a weighted sum, the
GradNorm loss, Kendall's uncertainty-weighted loss, DWA's weights, the group-DRO update). The
classes wrap them as *backward hooks* with the signature of ``mtl_helpers.training.Backward``:
called with the step's per-task losses (T,) and their task indices, they fill the parameters'
``.grad``, keep their own state (learned weights, loss history) and record the weights they
used, so a method plugs into :func:`~mtl_helpers.training.train_multitask` or
:func:`train_full_batch` in one line.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from torch import nn

from mtl_helpers.training import Backward
from mtl_helpers.validation import (
    check_finite,
    check_generator,
    check_nonnegative,
    check_nonnegative_float,
    check_numbers,
    check_positive_float,
    check_positive_int,
    check_same_shape,
    check_simplex,
    check_tensor,
)


def _check_losses(name: str, losses: object) -> torch.Tensor:
    """A non-empty (T,) float tensor without NaN or infinity."""
    check_tensor(name, losses, ndim=1, dtype_kind="float")
    if len(losses) == 0:
        raise ValueError(f"{name} must hold at least one task, got shape (0,)")
    check_finite(name, losses.detach())
    return losses


def _check_weights(name: str, weights: object, losses_name: str, losses: torch.Tensor) -> None:
    """(T,) float weights, each finite and ≥ 0, with the shape of ``losses``."""
    check_tensor(name, weights, ndim=1, dtype_kind="float")
    check_same_shape(name, weights, losses_name, losses)
    check_nonnegative(name, weights.detach())


def _check_divisors(name: str, values: torch.Tensor, divided: str) -> None:
    """Raise ValueError unless every entry of ``values``, which divides ``divided``, is > 0."""
    if bool((values <= 0).any()):
        raise ValueError(f"{name} must all be > 0 (they divide {divided}), got {values.tolist()}")


def weighted_sum(losses: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """The weighted objective Σ_i w_i L_i: a scalar.

    losses: (T,) per-task losses; weights: (T,) finite weights w_i ≥ 0. Gradients flow into both.
    """
    _check_losses("losses", losses)
    _check_weights("weights", weights, "losses", losses)
    return (weights * losses).sum()


def gradnorm_loss(
    weights: torch.Tensor,
    grad_norms: torch.Tensor,
    losses: torch.Tensor,
    initial_losses: torch.Tensor,
    alpha: float = 1.5,
) -> torch.Tensor:
    """GradNorm's loss Σ_i |G_i − Ḡ r_i^α| (Chen et al., 2018): a scalar.

    weights: (T,) task weights w_i ≥ 0 (usually a leaf with ``requires_grad``); grad_norms: (T,)
    ‖∇_W L_i‖, the norms of the *unweighted* task losses' gradients at the last shared layer W;
    losses: (T,) current losses L_i(t) ≥ 0, not all 0; initial_losses: (T,) L_i(0) > 0. A result
    that overflows raises ValueError.

    G_i = w_i ‖∇_W L_i‖ is task i's weighted gradient norm and Ḡ their mean; L̃_i = L_i(t)/L_i(0)
    is how much of its loss a task still has, and r_i = L̃_i / mean_j L̃_j its relative inverse
    training rate. The target Ḡ r_i^α is a constant (no gradient flows through it), and so are
    ``grad_norms`` and ``losses``: the gradient of the result with respect to ``weights`` is
    GradNorm's update, sign(G_i − target_i) ‖∇_W L_i‖. ``alpha`` ≥ 0 sets how strongly tasks
    that lag behind are pushed: 0 asks for equal weighted gradient norms.
    """
    _check_losses("losses", losses)
    _check_weights("weights", weights, "losses", losses)
    check_tensor("grad_norms", grad_norms, ndim=1, dtype_kind="float")
    check_same_shape("grad_norms", grad_norms, "losses", losses)
    check_nonnegative("grad_norms", grad_norms.detach())
    check_nonnegative("losses", losses.detach())
    _check_losses("initial_losses", initial_losses)
    check_same_shape("initial_losses", initial_losses, "losses", losses)
    _check_divisors("initial_losses", initial_losses, "the current losses")
    alpha = check_nonnegative_float("alpha", alpha)

    weighted_norms = weights * grad_norms.detach()  # G_i
    loss_ratios = losses.detach() / initial_losses.detach()  # L̃_i
    if not bool(loss_ratios.mean() > 0):
        raise ValueError(
            f"losses must not all be 0: the relative rates r_i = L̃_i / mean_j L̃_j divide by the "
            f"mean loss ratio losses / initial_losses, got losses {losses.tolist()}"
        )
    relative_rates = loss_ratios / loss_ratios.mean()  # r_i
    target = (weighted_norms.mean() * relative_rates**alpha).detach()
    result = (weighted_norms - target).abs().sum()
    if not bool(torch.isfinite(result.detach())):
        raise ValueError(
            f"gradnorm_loss overflows to {float(result.detach())}: weights {weights.tolist()}, "
            f"grad_norms {grad_norms.tolist()}, loss ratios losses / initial_losses "
            f"{loss_ratios.tolist()} and alpha={alpha!r} are too large for {result.dtype}"
        )
    return result


def renormalize(weights: torch.Tensor) -> torch.Tensor:
    """Rescale weights to sum to the number of tasks T, keeping their ratios: (T,).

    GradNorm does this after each step so that the weights cannot all shrink or all grow. Returns
    a new tensor without gradient history; copy it into learned weights under ``torch.no_grad``.
    """
    check_tensor("weights", weights, ndim=1, dtype_kind="float")
    if len(weights) == 0:
        raise ValueError("weights must hold at least one task, got shape (0,)")
    weights = check_nonnegative("weights", weights.detach())
    total = weights.sum()
    if not total > 0:
        raise ValueError(f"weights must have a positive sum to be rescaled, got {weights.tolist()}")
    return weights * (len(weights) / total)


def uncertainty_weighted_loss(losses: torch.Tensor, log_vars: torch.Tensor) -> torch.Tensor:
    """Kendall et al. (2018), regression form: Σ_i ½ exp(−s_i) L_i + ½ s_i, a scalar.

    losses: (T,) task losses L_i; log_vars: (T,) learned s_i = log σ_i², one per task. For fixed
    L_i the minimum over s_i is at s_i = log L_i, where the term is ½ (1 + log L_i): it is
    negative whenever L_i < 1/e, so the total can go below zero without anything being wrong.
    Log-variances so negative that ½ exp(−s_i) L_i overflows raise ValueError.
    """
    _check_losses("losses", losses)
    check_tensor("log_vars", log_vars, ndim=1, dtype_kind="float")
    check_same_shape("log_vars", log_vars, "losses", losses)
    check_finite("log_vars", log_vars.detach())
    result = (0.5 * torch.exp(-log_vars) * losses + 0.5 * log_vars).sum()
    if not bool(torch.isfinite(result.detach())):
        raise ValueError(
            f"log_vars make the loss overflow to {float(result.detach())}: ½ exp(−s_i) L_i "
            f"must stay finite in {result.dtype}, got log_vars {log_vars.tolist()} and losses "
            f"{losses.tolist()}"
        )
    return result


def dwa_weights(
    prev_losses: torch.Tensor, prev_prev_losses: torch.Tensor, temperature: float = 2.0
) -> torch.Tensor:
    """Dynamic weight average (Liu et al., 2019): weights (T,) that sum to T.

    prev_losses: (T,) losses L_i(t−1) ≥ 0 of the last epoch; prev_prev_losses: (T,) L_i(t−2) > 0.
    r_i = L_i(t−1)/L_i(t−2) is how slowly task i descends; w_i = T softmax(r / τ)_i with
    τ = temperature, so slower tasks get more weight and a large τ makes the weights equal. Every
    weight is positive unless two ratios differ by more than about 80 τ, where float32
    rounds the smaller weight to 0.
    """
    _check_losses("prev_losses", prev_losses)
    check_nonnegative("prev_losses", prev_losses.detach())
    _check_losses("prev_prev_losses", prev_prev_losses)
    check_same_shape("prev_prev_losses", prev_prev_losses, "prev_losses", prev_losses)
    _check_divisors("prev_prev_losses", prev_prev_losses, "prev_losses")
    temperature = check_positive_float("temperature", temperature)
    descent_rates = prev_losses.detach() / prev_prev_losses.detach()
    return len(prev_losses) * torch.softmax(descent_rates / temperature, dim=0)


def worst_case_loss(losses: torch.Tensor) -> torch.Tensor:
    """The min-max objective's inner part, max_i L_i: a scalar whose gradient is the worst task's.

    losses: (T,) per-task losses.
    """
    _check_losses("losses", losses)
    return losses.max()


def group_dro_weights(
    weights: torch.Tensor, losses: torch.Tensor, step_size: float
) -> torch.Tensor:
    """One exponentiated-gradient step of group DRO (Sagawa et al., 2020): new weights (T,).

    q_i ← q_i exp(η L_i) / Σ_j q_j exp(η L_j): the weights move towards the tasks with the
    largest losses and stay on the simplex (non-negative, summing to 1). weights: (T,) current
    q, a point of the simplex (each q_i ≥ 0, Σ q_i = 1 within ``SIMPLEX_TOLERANCE``; anything
    else is rejected rather than silently rescaled); losses: (T,) current L_i (no gradient is
    taken); step_size: η ≥ 0; η = 0 returns the weights unchanged, a large η the worst task.
    """
    _check_losses("losses", losses)
    _check_weights("weights", weights, "losses", losses)
    step_size = check_nonnegative_float("step_size", step_size)
    weights = check_simplex("weights", weights.detach())
    # In log space, so that a large η L_i cannot overflow exp.
    return torch.softmax(torch.log(weights) + step_size * losses.detach(), dim=0)


def non_dominated(points: torch.Tensor) -> torch.Tensor:
    """Which points no other point beats on every objective (all to be minimised): (K,) bool.

    points: (K, M), one row of M losses per point. Point a dominates b when a ≤ b everywhere
    and a < b somewhere; the rows that nothing dominates form the empirical Pareto front.
    """
    check_tensor("points", points, ndim=2, dtype_kind="float")
    check_finite("points", points)
    # (K, 1, M) against (1, K, M): dominates[a, b] is True when row a dominates row b.
    no_worse = (points[:, None, :] <= points[None, :, :]).all(dim=-1)
    better = (points[:, None, :] < points[None, :, :]).any(dim=-1)
    return ~(no_worse & better).any(dim=0)


def plot_front(
    points: torch.Tensor,
    labels: Sequence[float],
    chosen: float | None = None,
    ax: Axes | None = None,
    axis_labels: tuple[str, str] = ("loss of task 1", "loss of task 2"),
    title: str = "Trade-off front",
) -> Figure:
    """Two losses per trained model, the non-dominated ones joined as the trade-off front.

    points: (K, 2) losses, one row per model; labels: the K values that produced them (e.g. a
    task weight), written beside the points; chosen: one of ``labels``, circled in red.
    """
    check_tensor("points", points, ndim=2, dtype_kind="float")
    if points.shape[1] != 2 or len(labels) != len(points):
        raise ValueError(
            f"points must have shape (K, 2) with one label per row, got shape "
            f"{tuple(points.shape)} and {len(labels)} labels"
        )
    labels = list(labels)
    if chosen is not None and chosen not in labels:
        raise ValueError(f"chosen must be one of the labels {labels}, got {chosen!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(5.6, 3.8), layout="constrained")
    front = points[non_dominated(points)]
    front = front[torch.argsort(front[:, 0])]
    ax.plot(front[:, 0].tolist(), front[:, 1].tolist(), color="0.6", label="front")
    ax.scatter(points[:, 0].tolist(), points[:, 1].tolist(), c=labels, zorder=3, label="models")
    for label, (a, b) in zip(labels, points.tolist(), strict=True):
        ax.annotate(f"{label:g}", (a, b), textcoords="offset points", xytext=(4, 4), fontsize=8)
    if chosen is not None:
        a, b = points[labels.index(chosen)].tolist()
        ax.scatter(
            [a],
            [b],
            s=160,
            facecolors="none",
            edgecolors="red",
            zorder=4,
            label=f"chosen {chosen:g}",
        )
    ax.set_xlabel(axis_labels[0])
    ax.set_ylabel(axis_labels[1])
    ax.set_title(title)
    ax.legend(fontsize="small")
    return ax.figure


def task_gradient_norms(losses: torch.Tensor, parameter: torch.Tensor) -> torch.Tensor:
    """‖∇_W L_i‖ for each task loss with respect to one parameter tensor W: (T,).

    losses: (T,) losses still attached to their graph, which is kept for a later backward; a
    loss that does not depend on W has norm 0. The norms carry no gradient.
    """
    _check_losses("losses", losses)
    check_tensor("parameter", parameter, dtype_kind="float")
    if not parameter.requires_grad:
        raise ValueError("parameter must require gradients, got requires_grad=False")
    if not losses.requires_grad:
        raise ValueError(
            "losses must be connected to the autograd graph (requires_grad=True), got a tensor "
            "with requires_grad=False: compute them from the parameter outside torch.no_grad() "
            "and without .detach()"
        )
    norms = []
    for loss in losses:
        (gradient,) = torch.autograd.grad(loss, parameter, retain_graph=True, allow_unused=True)
        norms.append(torch.zeros(()) if gradient is None else gradient.norm())
    return torch.stack(norms).detach()


# ---------------------------------------------------------------------------------------------
# Backward hooks: each method as a drop-in for train_multitask(backward=...)


class WeightingMethod:
    """Base of the backward hooks: checks that every task is present and records the weights.

    ``history`` holds one (T,) tensor per step: the factor that multiplied each L_i.
    """

    def __init__(self, n_tasks: int) -> None:
        self.n_tasks = check_positive_int("n_tasks", n_tasks)
        self.history: list[torch.Tensor] = []

    def _check_step(self, losses: torch.Tensor, indices: Sequence[int]) -> None:
        if list(indices) != list(range(self.n_tasks)):
            raise ValueError(
                f"{type(self).__name__} needs every task at every step, in order "
                f"(indices 0..{self.n_tasks - 1}), got indices {list(indices)}"
            )
        _check_losses("losses", losses)

    def weight_curve(self) -> torch.Tensor:
        """The recorded weights, one row per step: (S, T)."""
        if not self.history:
            raise ValueError(f"{type(self).__name__} has not been called yet: no weights recorded")
        return torch.stack(self.history)

    def __call__(self, losses: torch.Tensor, indices: list[int]) -> torch.Tensor:
        raise NotImplementedError


class GradNorm(WeightingMethod):
    """GradNorm (Chen et al., 2018): learn w so that weighted gradient norms track training rates.

    shared_parameter: W, the weight of the last shared layer; alpha: see :func:`gradnorm_loss`;
    lr: Adam learning rate of the weights. Each call backpropagates Σ_i w_i L_i into the model
    with the current weights held fixed, then steps the weights on :func:`gradnorm_loss`, keeps
    them above ``min_weight`` and rescales them to sum to T (:func:`renormalize`).
    """

    def __init__(
        self,
        shared_parameter: torch.Tensor,
        n_tasks: int,
        *,
        alpha: float = 1.5,
        lr: float = 0.025,
        min_weight: float = 1e-3,
    ) -> None:
        super().__init__(n_tasks)
        check_tensor("shared_parameter", shared_parameter, dtype_kind="float")
        self.shared_parameter = shared_parameter
        self.alpha = check_nonnegative_float("alpha", alpha)
        self.min_weight = check_positive_float("min_weight", min_weight)
        self.weights = torch.ones(n_tasks, requires_grad=True)
        self.optimizer = torch.optim.Adam([self.weights], lr=check_positive_float("lr", lr))
        self.initial_losses: torch.Tensor | None = None

    def __call__(self, losses: torch.Tensor, indices: list[int]) -> torch.Tensor:
        self._check_step(losses, indices)
        if self.initial_losses is None:
            self.initial_losses = losses.detach().clone()
        grad_norms = task_gradient_norms(losses, self.shared_parameter)
        current = self.weights.detach().clone()
        self.history.append(current)

        objective = weighted_sum(losses, current)
        objective.backward()

        self.optimizer.zero_grad()
        gradnorm_loss(self.weights, grad_norms, losses, self.initial_losses, self.alpha).backward()
        self.optimizer.step()
        with torch.no_grad():
            # A large step can push a weight through zero; GradNorm's weights must stay positive.
            self.weights.copy_(renormalize(self.weights.clamp(min=self.min_weight)))
        return objective.detach()


class UncertaintyWeighting(WeightingMethod):
    """Kendall et al. (2018): learned log-variances s_i, objective Σ ½ e^(−s_i) L_i + ½ s_i.

    The s_i start at 0 and are stepped by their own Adam optimiser with learning rate ``lr``.
    ``history`` records the factors ½ e^(−s_i) in front of each loss.
    """

    def __init__(self, n_tasks: int, *, lr: float = 0.01) -> None:
        super().__init__(n_tasks)
        self.log_vars = torch.zeros(n_tasks, requires_grad=True)
        self.optimizer = torch.optim.Adam([self.log_vars], lr=check_positive_float("lr", lr))

    def __call__(self, losses: torch.Tensor, indices: list[int]) -> torch.Tensor:
        self._check_step(losses, indices)
        self.history.append(0.5 * torch.exp(-self.log_vars.detach()))
        self.optimizer.zero_grad()
        objective = uncertainty_weighted_loss(losses, self.log_vars)
        objective.backward()
        self.optimizer.step()
        return objective.detach()


class DynamicWeightAverage(WeightingMethod):
    """Liu et al. (2019): weights from the ratio of the last two epochs' mean losses.

    An epoch is ``steps_per_epoch`` calls; the first two epochs use weights 1, as in the paper.
    """

    def __init__(self, n_tasks: int, *, temperature: float = 2.0, steps_per_epoch: int = 1):
        super().__init__(n_tasks)
        self.temperature = check_positive_float("temperature", temperature)
        self.steps_per_epoch = check_positive_int("steps_per_epoch", steps_per_epoch)
        self.epoch_losses: list[torch.Tensor] = []
        self._running = torch.zeros(n_tasks)
        self._calls = 0

    def __call__(self, losses: torch.Tensor, indices: list[int]) -> torch.Tensor:
        self._check_step(losses, indices)
        if len(self.epoch_losses) < 2:
            weights = torch.ones(self.n_tasks)
        else:
            weights = dwa_weights(self.epoch_losses[-1], self.epoch_losses[-2], self.temperature)
        self.history.append(weights)
        objective = weighted_sum(losses, weights)
        objective.backward()

        self._running += losses.detach()
        self._calls += 1
        if self._calls % self.steps_per_epoch == 0:
            self.epoch_losses.append(self._running / self.steps_per_epoch)
            self._running = torch.zeros(self.n_tasks)
        return objective.detach()


class GroupDRO(WeightingMethod):
    """Group DRO (Sagawa et al., 2020): simplex weights q, moved by :func:`group_dro_weights`.

    q starts uniform; at each call it is updated with the current losses, then Σ_i q_i L_i is
    backpropagated. step_size: η ≥ 0 (0 keeps the average objective).
    """

    def __init__(self, n_tasks: int, *, step_size: float) -> None:
        super().__init__(n_tasks)
        self.step_size = check_nonnegative_float("step_size", step_size)
        self.weights = torch.full((n_tasks,), 1.0 / n_tasks)

    def __call__(self, losses: torch.Tensor, indices: list[int]) -> torch.Tensor:
        self._check_step(losses, indices)
        self.weights = group_dro_weights(self.weights, losses, self.step_size)
        self.history.append(self.weights)
        objective = weighted_sum(losses, self.weights)
        objective.backward()
        return objective.detach()


class WorstCase(WeightingMethod):
    """The min-max objective max_i L_i: only the currently worst task's gradient is used."""

    def __call__(self, losses: torch.Tensor, indices: list[int]) -> torch.Tensor:
        self._check_step(losses, indices)
        objective = worst_case_loss(losses)
        self.history.append(nn.functional.one_hot(losses.argmax(), self.n_tasks).float())
        objective.backward()
        return objective.detach()


def _check_leaf_parameters(name: str, parameters: object) -> list[torch.Tensor]:
    """A non-empty list of float leaf tensors that require grad, as an optimiser needs them."""
    if isinstance(parameters, torch.Tensor):
        raise TypeError(
            f"{name} must be an iterable of tensors (e.g. model.parameters() or [w]), got a "
            f"single tensor of shape {tuple(parameters.shape)}"
        )
    if isinstance(parameters, (str, bytes)) or not isinstance(parameters, Iterable):
        raise TypeError(
            f"{name} must be an iterable of tensors, got {type(parameters).__name__} {parameters!r}"
        )
    parameters = list(parameters)
    if not parameters:
        raise ValueError(f"{name} must hold at least one tensor, got none")
    for position, param in enumerate(parameters):
        check_tensor(f"{name}[{position}]", param, dtype_kind="float")
        if not param.requires_grad:
            raise ValueError(f"{name}[{position}] must require grad, got requires_grad=False")
        if not param.is_leaf:
            raise ValueError(
                f"{name}[{position}] must be a leaf tensor (one the optimiser can update, such "
                "as an nn.Parameter), got a tensor computed from others"
            )
    return parameters


def train_full_batch(
    task_losses: Callable[[], torch.Tensor],
    parameters: Iterable[torch.Tensor],
    *,
    steps: int,
    lr: float = 1e-2,
    backward: Backward | None = None,
) -> torch.Tensor:
    """Adam on the whole data at every step, for problems small enough to evaluate at once.

    task_losses() → (T,) the current per-task losses (computed from ``parameters``); backward:
    a hook as in :func:`~mtl_helpers.training.train_multitask` (default: the plain sum Σ_i L_i);
    parameters: a non-empty iterable of leaf float tensors that require grad (not one tensor).
    Returns the losses measured at every step, before its update: (steps, T).
    """
    if not callable(task_losses):
        raise TypeError(f"task_losses must be callable, got {type(task_losses).__name__}")
    check_positive_int("steps", steps)
    parameters = _check_leaf_parameters("parameters", parameters)
    if backward is not None and not callable(backward):
        raise TypeError(f"backward must be callable or None, got {type(backward).__name__}")
    optimizer = torch.optim.Adam(parameters, lr=check_positive_float("lr", lr))
    curve = []
    for _ in range(steps):
        losses = task_losses()
        _check_losses("task_losses()", losses)
        if not losses.requires_grad:
            raise ValueError(
                "task_losses() must return losses connected to the autograd graph "
                "(requires_grad=True), got a tensor with requires_grad=False: compute them from "
                "parameters outside torch.no_grad() and without .detach()"
            )
        optimizer.zero_grad()
        if backward is None:
            losses.sum().backward()
        else:
            backward(losses, list(range(len(losses))))
        optimizer.step()
        curve.append(losses.detach())
    return torch.stack(curve)


def per_group_mse(
    prediction: torch.Tensor, target: torch.Tensor, groups: torch.Tensor, n_groups: int
) -> torch.Tensor:
    """Mean squared error within each group, from one pass over all rows: (G,).

    prediction, target: (N,) floats; groups: (N,) int64 group (task) index of each row in
    0..n_groups−1. Every group must have at least one row. Lets a model that sees every task at
    once produce the (T,) losses that the weighting methods take.
    """
    check_tensor("prediction", prediction, ndim=1, dtype_kind="float")
    check_tensor("target", target, ndim=1, dtype_kind="float")
    check_tensor("groups", groups, ndim=1, dtype_kind="int")
    check_same_shape("prediction", prediction, "target", target)
    check_same_shape("groups", groups, "target", target)
    check_positive_int("n_groups", n_groups)
    if len(groups) and (int(groups.min()) < 0 or int(groups.max()) >= n_groups):
        raise ValueError(
            f"groups must lie in 0..{n_groups - 1}, got values from {int(groups.min())} to "
            f"{int(groups.max())}"
        )
    counts = torch.bincount(groups, minlength=n_groups)
    if bool((counts == 0).any()):
        empty = int(torch.nonzero(counts == 0)[0])
        raise ValueError(f"every group needs at least one row, group {empty} has none")
    squared = (prediction - target) ** 2
    sums = torch.zeros(n_groups, dtype=squared.dtype).index_add(0, groups, squared)
    result = sums / counts
    # Checking the (G,) result rather than the (N,) inputs keeps the check cheap in a training
    # loop; the inputs are scanned only to name a bad entry.
    if not bool(torch.isfinite(result).all()):
        check_finite("prediction", prediction.detach())
        check_finite("target", target)
        raise ValueError(
            f"per_group_mse overflows {result.dtype}: the squared errors of prediction and "
            f"target are too large, got group means {result.tolist()}"
        )
    return result


# ---------------------------------------------------------------------------------------------
# A shared-trunk model and GradNorm's toy problem


@dataclass(frozen=True)
class ToyRegression:
    """GradNorm's toy problem: targets_i = σ_i tanh((B + ε_i) x) for every task i.

    x: (n, D) inputs; targets: (T, n, K); scales: (T,) the σ_i.
    """

    x: torch.Tensor
    targets: torch.Tensor
    scales: torch.Tensor


def gradnorm_toy(
    scales: Sequence[float],
    *,
    n: int,
    in_dim: int,
    out_dim: int,
    generator: torch.Generator,
    shared_std: float = 1.0,
    task_std: float = math.sqrt(0.35),
) -> ToyRegression:
    """Draw the toy tasks f_i(x) = σ_i tanh((B + ε_i) x) of Chen et al. (2018).

    B: (K, D) shared, entries N(0, shared_std²); ε_i: (K, D) per task, entries N(0, task_std²);
    x: (n, D) with entries N(0, 1/D), so that (B + ε_i) x is of order one and tanh is not flat.
    The paper draws B and ε_i with variances 10 and 3.5; the default keeps that ratio.
    """
    scales_tensor = check_numbers("scales", scales)
    check_generator("generator", generator)
    if len(scales_tensor) == 0 or bool((scales_tensor <= 0).any()):
        raise ValueError(f"scales must be one or more numbers > 0, got {scales_tensor.tolist()}")
    for name, value in (("n", n), ("in_dim", in_dim), ("out_dim", out_dim)):
        check_positive_int(name, value)
    shared_std = check_positive_float("shared_std", shared_std)
    task_std = check_nonnegative_float("task_std", task_std)

    shared = shared_std * torch.randn(out_dim, in_dim, generator=generator)
    offsets = task_std * torch.randn(len(scales_tensor), out_dim, in_dim, generator=generator)
    x = torch.randn(n, in_dim, generator=generator) / math.sqrt(in_dim)
    # (T, K, D) matrices applied to (n, D) inputs: (T, n, K) targets.
    targets = torch.tanh(torch.einsum("tkd,nd->tnk", shared + offsets, x))
    return ToyRegression(x=x, targets=scales_tensor[:, None, None] * targets, scales=scales_tensor)
