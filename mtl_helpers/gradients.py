"""Per-task gradients, how much they conflict, and ways to combine them into one update.

Introduced in notebook 07. Every method here takes the (T, P) matrix ``grads`` whose row i is the
gradient of task i's loss with respect to the P shared parameters, and returns one (P,)
direction. The methods only need inner products between task gradients, so they solve their
small problems on the T×T Gramian ``grads @ grads.T`` and touch the P-long rows twice: once to
form the Gramian and once to combine the rows with the weights they found.

- :func:`pcgrad`: projecting conflicting gradients (Yu et al., 2020).
- :func:`mgda`: the minimum-norm point of the convex hull of the gradients (Désidéri, 2012;
  Sener & Koltun, 2018), solved exactly with Wolfe's (1976) nearest-point algorithm.
- :func:`cagrad`: conflict-averse gradient descent (Liu et al., 2021), solved to convergence.

:func:`task_gradients` builds the matrix from a model's losses, :func:`assign_gradient` writes a
direction into the parameters' ``.grad`` and :func:`gradient_backward` wraps both into a
``backward`` hook for :func:`mtl_helpers.training.train_multitask` that combines the gradients of
the shared parameters and gives each task-specific parameter its own task's gradient.
:func:`linear_transfer_gap` and :func:`plot_transfer_gap` measure negative transfer on a family of
linear tasks.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure

from mtl_helpers.validation import (
    check_choice,
    check_finite,
    check_generator,
    check_nonnegative_float,
    check_positive_int,
    check_real,
    check_tensor,
)

Aggregator = Callable[[torch.Tensor], torch.Tensor]

# Relative tolerance of the optimality tests below, measured against the largest squared norm.
_TOLERANCE = 1e-12

# How far a Gramian may stray from symmetric positive semi-definite, relative to its largest
# diagonal entry: float32 inner products of long gradients carry rounding errors of about 1e-6.
GRAM_TOLERANCE = 1e-4


def check_gram_matrix(name: str, gram: object) -> np.ndarray:
    """Return ``gram`` as float64 if it is a finite (T, T) symmetric PSD matrix, else raise.

    Symmetry and the smallest eigenvalue are tested within ``GRAM_TOLERANCE`` times the largest
    diagonal entry, so the rounding of a Gramian computed in float32 passes.
    """
    if not isinstance(gram, np.ndarray):
        raise TypeError(f"{name} must be a NumPy array, got {type(gram).__name__}")
    if gram.ndim != 2 or gram.shape[0] != gram.shape[1] or gram.shape[0] == 0:
        raise ValueError(f"{name} must be a square (T, T) matrix with T ≥ 1, got {gram.shape}")
    if not np.issubdtype(gram.dtype, np.floating) or not np.isfinite(gram).all():
        raise ValueError(f"{name} must hold finite floats, got dtype {gram.dtype}: {gram.tolist()}")
    gram = gram.astype(np.float64)
    tolerance = GRAM_TOLERANCE * max(float(np.abs(gram.diagonal()).max()), np.finfo(float).tiny)
    asymmetry = float(np.abs(gram - gram.T).max())
    if asymmetry > tolerance:
        raise ValueError(
            f"{name} must be symmetric (a Gramian g_i·g_j), got |G − Gᵀ| up to {asymmetry:.4g} "
            f"(tolerance {tolerance:.4g})"
        )
    smallest = float(np.linalg.eigvalsh((gram + gram.T) / 2)[0])
    if smallest < -tolerance:
        raise ValueError(
            f"{name} must be positive semi-definite (a Gramian g_i·g_j), got smallest eigenvalue "
            f"{smallest:.4g} (tolerance {-tolerance:.4g})"
        )
    return gram


def _check_grads(grads: object) -> torch.Tensor:
    check_tensor("grads", grads, ndim=2, dtype_kind="float")
    if grads.shape[0] == 0 or grads.shape[1] == 0:
        raise ValueError(
            f"grads must have at least one task and one parameter, got shape {tuple(grads.shape)}"
        )
    return grads


def _check_gram(grads: torch.Tensor, gram: torch.Tensor) -> torch.Tensor:
    # A NaN or infinite entry of grads makes its row's squared norm non-finite, so checking the
    # T diagonal entries replaces a pass over all T·P entries; the full scan only runs to name
    # the bad entry.
    if not bool(torch.isfinite(gram.diagonal()).all()):
        check_finite("grads", grads)
        raise ValueError(
            f"grads are too large: a squared norm overflows {grads.dtype}, got diagonal "
            f"{gram.diagonal().tolist()}"
        )
    return gram


def _gramian(grads: torch.Tensor) -> np.ndarray:
    """G = grads @ grads.T as float64 NumPy: (T, T), symmetrised against rounding."""
    gram = _check_gram(grads, grads @ grads.T).double().cpu().numpy()
    return (gram + gram.T) / 2


def _combine(weights: np.ndarray, grads: torch.Tensor) -> torch.Tensor:
    """Σ_i weights_i grads_i: (P,) in the dtype and device of ``grads``."""
    return torch.as_tensor(weights, dtype=grads.dtype, device=grads.device) @ grads


def conflict_cosines(grads: torch.Tensor) -> torch.Tensor:
    """Cosine similarity between every pair of task gradients.

    grads: (T, P). Returns (T, T) with entry (i, j) = g_i·g_j / (‖g_i‖ ‖g_j‖); a negative entry
    is a conflict. A zero gradient has cosine 0 with everything, itself included, so that no
    NaN appears.
    """
    _check_grads(grads)
    gram = _check_gram(grads, grads @ grads.T)
    norms = gram.diagonal().clamp(min=0).sqrt()
    scale = norms[:, None] * norms[None, :]
    cosines = torch.where(scale > 0, gram / torch.where(scale > 0, scale, 1), 0)
    return cosines.clamp(-1, 1)


def pcgrad_weights(gram: np.ndarray, orders: Sequence[Sequence[int]]) -> np.ndarray:
    """PCGrad's update as weights on the original gradients: Σ_i g_i^PC = Σ_k w_k g_k.

    gram: (T, T) Gramian; orders[i]: the order in which task i visits the others. Each g_i^PC
    is tracked by its coefficients on the original g_k, so a projection costs O(T) here
    instead of O(P). Each order must hold task indices in 0..T−1.
    """
    gram = check_gram_matrix("gram", gram)
    n_tasks = len(gram)
    if isinstance(orders, (str, np.ndarray)) or not isinstance(orders, Sequence):
        raise TypeError(
            f"orders must be a list of T = {n_tasks} lists, got {type(orders).__name__}"
        )
    if len(orders) != n_tasks:
        raise ValueError(f"orders must hold one order per task ({n_tasks}), got {len(orders)}")
    for i, order in enumerate(orders):
        if isinstance(order, str) or not isinstance(order, Sequence):
            raise TypeError(f"orders[{i}] must be a list of ints, got {type(order).__name__}")
        for j in order:
            if isinstance(j, bool) or not isinstance(j, (int, np.integer)) or not 0 <= j < n_tasks:
                raise ValueError(
                    f"orders[{i}] must hold task indices in 0..{n_tasks - 1}, got {j!r}"
                )
    return _pcgrad_weights(gram, orders)


def _pcgrad_weights(gram: np.ndarray, orders: Sequence[Sequence[int]]) -> np.ndarray:
    """:func:`pcgrad_weights` without the checks, for Gramians built here from checked grads."""
    n_tasks = len(gram)
    total = np.zeros(n_tasks)
    for i in range(n_tasks):
        coefficients = np.zeros(n_tasks)
        coefficients[i] = 1.0
        for j in orders[i]:
            if j == i or gram[j, j] <= 0:
                continue
            inner = float(coefficients @ gram[:, j])  # g_i^PC · g_j
            if inner < 0:
                coefficients[j] -= inner / gram[j, j]
        total += coefficients
    return total


def pcgrad(grads: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """Projecting conflicting gradients (PCGrad; Yu et al., 2020), summed over tasks.

    grads: (T, P). For each task i, g_i^PC starts as g_i; for every other task j, in random
    order, if g_i^PC · g_j < 0 it is replaced by its projection onto the plane normal to the
    *original* g_j. Returns Σ_i g_i^PC: (P,). ``generator`` draws the orders as the paper
    does; with None every task visits the others in index order, which is deterministic
    (for two tasks the order makes no difference).
    """
    _check_grads(grads)
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {type(generator)}")
    n_tasks = grads.shape[0]
    if generator is None:
        orders = [list(range(n_tasks))] * n_tasks
    else:
        orders = [torch.randperm(n_tasks, generator=generator).tolist() for _ in range(n_tasks)]
    return _combine(_pcgrad_weights(_gramian(grads), orders), grads)


def min_norm_weights(gram: np.ndarray) -> np.ndarray:
    """Weights w on the simplex minimising ‖Σ_i w_i g_i‖², given only G_ij = g_i·g_j.

    gram: (T, T) positive semi-definite. Wolfe's (1976) nearest-point algorithm: keep a set of
    affinely independent gradients (the "corral") whose affine hull's nearest point to 0 lies
    inside their convex hull; add the gradient that most violates optimality; when the
    nearest point of the affine hull leaves the convex hull, step back to its boundary and
    drop a gradient. It ends after finitely many steps with the exact answer up to rounding;
    for two tasks it reduces to the closed form of Sener & Koltun (2018). A matrix that is not
    symmetric positive semi-definite within ``GRAM_TOLERANCE`` is rejected.
    """
    return _min_norm_weights(check_gram_matrix("gram", gram))


def _min_norm_weights(gram: np.ndarray) -> np.ndarray:
    """:func:`min_norm_weights` without the checks, for Gramians built here.

    CAGrad's shifted Gramians are PSD in exact arithmetic but, for a large shift, their rounding
    can exceed ``GRAM_TOLERANCE``; the algorithm copes with that.
    """
    n_tasks = len(gram)
    scale = max(float(gram.diagonal().max()), np.finfo(float).tiny)
    tolerance = _TOLERANCE * scale
    if n_tasks == 1:
        return np.ones(1)
    if n_tasks == 2:
        # min over a ∈ [0, 1] of ‖a g_1 + (1 − a) g_2‖²: a parabola in a.
        curvature = gram[0, 0] + gram[1, 1] - 2 * gram[0, 1]
        if curvature <= tolerance:
            return np.array([0.5, 0.5])
        first = float(np.clip((gram[1, 1] - gram[0, 1]) / curvature, 0.0, 1.0))
        return np.array([first, 1.0 - first])

    start = int(np.argmin(gram.diagonal()))
    corral = [start]
    weights = np.zeros(n_tasks)
    weights[start] = 1.0
    for _ in range(50 * n_tasks):
        products = gram @ weights  # g_j · x for every task j
        squared_norm = float(weights @ products)  # ‖x‖²
        candidate = int(np.argmin(products))
        if products[candidate] >= squared_norm - tolerance or candidate in corral:
            break
        corral.append(candidate)
        while True:  # minor cycle: move towards the affine minimiser of the corral
            size = len(corral)
            system = np.zeros((size + 1, size + 1))
            system[:size, :size] = gram[np.ix_(corral, corral)]
            system[:size, size] = 1.0
            system[size, :size] = 1.0
            rhs = np.zeros(size + 1)
            rhs[size] = 1.0
            affine = np.linalg.lstsq(system, rhs, rcond=None)[0][:size]
            current = weights[corral]
            if np.all(affine > 0):
                weights[:] = 0.0
                weights[corral] = affine
                break
            # Step from the current point towards the affine minimiser until a weight hits 0
            # (Wolfe's minor cycle); the weight that hits 0 first leaves the corral.
            blocking = np.flatnonzero((affine <= 0) & (current > affine))
            ratios = current[blocking] / (current[blocking] - affine[blocking])
            first = int(blocking[np.argmin(ratios)])
            step = float(min(1.0, ratios.min()))
            mixed = np.clip((1 - step) * current + step * affine, 0.0, None)
            mixed[first] = 0.0
            weights[:] = 0.0
            weights[corral] = mixed
            corral = [k for k, value in zip(corral, mixed, strict=True) if value > 0]
            weights[corral] /= weights[corral].sum()
            if len(corral) == 1:
                break
    return weights / weights.sum()


def mgda(grads: torch.Tensor) -> torch.Tensor:
    """The multiple-gradient descent direction (Désidéri, 2012; Sener & Koltun, 2018).

    grads: (T, P). Returns the point d of smallest norm in the convex hull of the rows: (P,).
    It satisfies g_i·d ≥ ‖d‖² for every task, so a small step along −d lowers every loss; d = 0
    when some convex combination of the gradients is 0 (a Pareto-stationary point). Solved
    exactly on the Gramian by :func:`min_norm_weights`, not by a fixed number of Frank–Wolfe
    steps.
    """
    _check_grads(grads)
    return _combine(_min_norm_weights(_gramian(grads)), grads)


def cagrad_inner_weights(gram: np.ndarray, c: float) -> np.ndarray | None:
    """The weights w of CAGrad's inner problem, or None when its answer is d = g_0.

    gram: (T, T). The inner problem is min over the simplex of F(w) = g_w·g_0 + r‖g_w‖ with
    g_w = Σ w_i g_i, g_0 the mean gradient and r = c‖g_0‖; then d = g_0 + r g_w / ‖g_w‖.
    Since r‖p‖ = min over t > 0 of r(‖p‖²/t + t)/2, for a fixed t the problem is a min-norm
    problem on the shifted gradients g_i + (t/r) g_0 (solved exactly by
    :func:`min_norm_weights`), and the best t is the root of ‖g_w(t)‖ = t, found by
    bracketed false position (Illinois rule) because ‖g_w(t)‖ / t never increases with t.
    None is returned when r = 0 or when the optimum has g_w = 0.
    """
    n_tasks = len(gram)
    mean = np.full(n_tasks, 1.0 / n_tasks)
    mean_products = gram @ mean  # g_i · g_0
    mean_squared_norm = float(mean @ mean_products)  # ‖g_0‖²
    scale = max(float(gram.diagonal().max()), np.finfo(float).tiny)
    radius = c * math.sqrt(max(mean_squared_norm, 0.0))
    if radius <= math.sqrt(_TOLERANCE * scale):
        return None

    def inner(t: float) -> tuple[np.ndarray, float]:
        shift = t / radius
        shifted = gram + shift * (mean_products[:, None] + mean_products[None, :])
        weights = _min_norm_weights(shifted + shift**2 * mean_squared_norm)
        return weights, math.sqrt(max(float(weights @ gram @ weights), 0.0))

    # f(t) = ‖g_w(t)‖ − t is ≥ 0 at t → 0 (where w(t) is the MGDA weights) and ≤ 0 once t
    # exceeds every gradient's norm, so [0, max norm] brackets the root.
    mgda_weights = _min_norm_weights(gram)
    low, f_low = 0.0, math.sqrt(max(float(mgda_weights @ gram @ mgda_weights), 0.0))
    high = math.sqrt(scale)
    weights, norm = inner(high)
    f_high = norm - high
    if f_high >= 0:  # the root is at the bracket's end: g_w is a gradient of the largest norm
        return weights
    if f_low <= math.sqrt(_TOLERANCE * scale):
        # 0 lies in the hull. The root is still above 0 if ‖g_w(t)‖ > t for small t.
        low = 1e-9 * high
        weights, norm = inner(low)
        f_low = norm - low
        if f_low <= 0:
            return None  # g_w = 0 at the optimum: a Pareto-stationary point
    side = 0
    for _ in range(200):
        t = (low * f_high - high * f_low) / (f_high - f_low)
        weights, norm = inner(t)
        value = norm - t
        if abs(value) <= 1e-13 * high or high - low <= 1e-14 * high:
            break
        if value > 0:
            low, f_low = t, value
            if side == 1:
                f_high /= 2
            side = 1
        else:
            high, f_high = t, value
            if side == -1:
                f_low /= 2
            side = -1
    if norm <= math.sqrt(_TOLERANCE * scale):
        return None  # g_w = 0: a Pareto-stationary point, where the direction is undefined
    return weights


def cagrad(grads: torch.Tensor, c: float = 0.5) -> torch.Tensor:
    """Conflict-averse gradient descent (CAGrad; Liu et al., 2021), without rescaling.

    grads: (T, P); c ≥ 0: the radius of the ball around the mean gradient g_0, as a fraction of
    ‖g_0‖. Returns the d that maximises the smallest task improvement min_i g_i·d among the d
    with ‖d − g_0‖ ≤ c‖g_0‖: (P,). c = 0 gives g_0; a large c approaches the MGDA direction's
    behaviour. The paper's code may divide d by 1 + c²; this function does not. If the
    inner optimum has g_w = 0 (a Pareto-stationary point) the direction is undefined and g_0
    is returned.
    """
    _check_grads(grads)
    c = check_nonnegative_float("c", c)
    gram = _gramian(grads)
    # ‖d‖ ≤ ‖g_0‖ + c‖g_0‖, and ‖g_0‖² is the mean entry of the Gramian: a bound found in O(T²)
    # that keeps every entry of d finite in the dtype of grads.
    bound = (1 + c) * math.sqrt(max(float(gram.mean()), 0.0))
    largest = float(torch.finfo(grads.dtype).max)
    if not bound <= largest:
        raise ValueError(
            f"c is too large for these gradients: the direction's norm may reach "
            f"(1 + c)‖g_0‖ = {bound:.4g}, more than {grads.dtype} holds ({largest:.4g}); got "
            f"c={c!r}"
        )
    weights = cagrad_inner_weights(gram, float(c))
    mean = grads.mean(dim=0)
    if weights is None:
        return mean
    # The final normalisation uses the P-long vector g_w itself: when g_w is short compared
    # with the gradients, its norm from the Gramian would lose digits to cancellation.
    combined = _combine(weights, grads)
    norm = combined.norm()
    if norm == 0:
        return mean
    factor = c * mean.norm() / norm
    if not bool(torch.isfinite(factor)):
        # A short g_w and a large c: the factor overflows although the step, whose norm is
        # c‖g_0‖ ≤ the bound above, does not. Normalising g_w first avoids the overflow.
        return mean + (c * mean.norm()) * (combined / norm)
    return mean + factor * combined


def mean_gradient(grads: torch.Tensor) -> torch.Tensor:
    """The plain average of the task gradients (equal loss weights): (P,)."""
    return check_finite("grads", _check_grads(grads)).mean(dim=0)


def _check_params(params: Iterable[torch.Tensor]) -> list[torch.Tensor]:
    if isinstance(params, torch.Tensor):
        raise TypeError("params must be an iterable of tensors, got a single tensor")
    params = list(params)
    if not params:
        raise ValueError("params must hold at least one tensor, got none")
    for position, param in enumerate(params):
        check_tensor(f"params[{position}]", param, dtype_kind="float")
        if not param.requires_grad:
            raise ValueError(f"params[{position}] must require grad, got requires_grad=False")
    return params


def _check_in_graph(name: str, loss: torch.Tensor) -> None:
    """Raise ValueError unless ``loss`` is attached to an autograd graph to differentiate."""
    if not loss.requires_grad:
        raise ValueError(
            f"{name} must be connected to the autograd graph (requires_grad=True), got a tensor "
            "with requires_grad=False: compute the losses from the parameters outside "
            "torch.no_grad() and without .detach()"
        )


def task_gradients(
    losses: torch.Tensor | Sequence[torch.Tensor], params: Iterable[torch.Tensor]
) -> torch.Tensor:
    """The gradient of each task's loss with respect to ``params``, flattened: (T, P).

    losses: (T,) tensor or a sequence of T scalar tensors; params: the shared parameters, P
    scalars in all. A parameter that a loss does not reach gets a zero gradient. The graph is
    kept, so the losses can still be used afterwards.
    """
    if isinstance(losses, torch.Tensor):
        check_tensor("losses", losses, ndim=1, dtype_kind="float")
        _check_in_graph("losses", losses)
        losses = list(losses.unbind())
    else:
        losses = list(losses)
        for position, loss in enumerate(losses):
            check_tensor(f"losses[{position}]", loss, ndim=0, dtype_kind="float")
            _check_in_graph(f"losses[{position}]", loss)
    if not losses:
        raise ValueError("losses must hold at least one task loss, got none")
    params = _check_params(params)
    rows = []
    for loss in losses:
        parts = torch.autograd.grad(loss, params, retain_graph=True, allow_unused=True)
        rows.append(
            torch.cat(
                [
                    (torch.zeros_like(p) if g is None else g).reshape(-1)
                    for p, g in zip(params, parts, strict=True)
                ]
            )
        )
    return torch.stack(rows)


def assign_gradient(direction: torch.Tensor, params: Iterable[torch.Tensor]) -> None:
    """Write a flat direction into the parameters' ``.grad``, so an optimiser steps along it.

    direction: (P,) with P the total size of ``params``, in the order of :func:`task_gradients`.
    Existing gradients are overwritten.
    """
    params = _check_params(params)
    check_tensor("direction", direction, ndim=1, dtype_kind="float")
    total = sum(p.numel() for p in params)
    if direction.numel() != total:
        raise ValueError(
            f"direction must have one entry per parameter scalar ({total}), got shape "
            f"{tuple(direction.shape)}"
        )
    check_finite("direction", direction)
    start = 0
    for param in params:
        chunk = direction[start : start + param.numel()].reshape(param.shape)
        param.grad = chunk.detach().to(param.dtype).clone()
        start += param.numel()


def gradient_backward(
    aggregate: Aggregator,
    params: Iterable[torch.Tensor],
    *,
    task_params: Iterable[torch.Tensor] | None = None,
) -> Callable[[torch.Tensor, list[int]], None]:
    """A ``backward`` hook for :func:`mtl_helpers.training.train_multitask`.

    Each step it forms the (T, P) task gradients of the sampled losses with respect to the
    shared ``params``, combines them with ``aggregate`` (e.g. :func:`mgda`, or
    ``lambda g: pcgrad(g, generator)``) and writes the (P,) result into their ``.grad``.

    task_params: the task-specific parameters (e.g. the heads of a hard-sharing model), which
    are left out of the combination. Each of them receives the plain gradient of the summed
    losses, Σ_i ∇L_i; since only its own task's loss reaches a head, that is its own task's
    gradient, as in Sener & Koltun (2018). A task-specific parameter that no sampled loss
    reaches gets ``.grad = None``, so the optimiser skips it, as after a plain ``backward()``.
    With None (the default) only ``params`` receive a gradient. The two sets must not share a
    tensor.

    The hook returns None, so the history records the plain sum of the losses.
    """
    if not callable(aggregate):
        raise TypeError(f"aggregate must be callable, got {type(aggregate).__name__}")
    params = _check_params(params)
    if task_params is not None:
        if isinstance(task_params, torch.Tensor):
            raise TypeError(
                "task_params must be an iterable of tensors or None, got a single tensor"
            )
        task_params = list(task_params)
        if not task_params:
            raise ValueError("task_params must hold at least one tensor or be None, got none")
        for position, param in enumerate(task_params):
            check_tensor(f"task_params[{position}]", param, dtype_kind="float")
            if not param.requires_grad:
                raise ValueError(
                    f"task_params[{position}] must require grad, got requires_grad=False"
                )
        shared_ids = {id(p) for p in params}
        overlap = [k for k, p in enumerate(task_params) if id(p) in shared_ids]
        if overlap:
            raise ValueError(
                f"task_params must not share tensors with params, got task_params{overlap} in both"
            )

    def backward(losses: torch.Tensor, indices: list[int]) -> None:
        grads = task_gradients(losses, params)  # keeps the graph for the heads below
        if task_params is not None:
            parts = torch.autograd.grad(losses.sum(), task_params, allow_unused=True)
            for param, part in zip(task_params, parts, strict=True):
                param.grad = None if part is None else part.detach()
        assign_gradient(aggregate(grads), params)

    return backward


def _number_list(name: str, values: object) -> list[object]:
    """``values`` as a list, raising TypeError for a string, a tensor or a non-iterable."""
    if isinstance(values, (str, bytes, torch.Tensor)) or not isinstance(values, Iterable):
        raise TypeError(f"{name} must be a list of numbers, got {type(values).__name__} {values!r}")
    return list(values)


def linear_transfer_gap(
    angles_deg: Sequence[float],
    sizes: Sequence[int],
    generator: torch.Generator,
    *,
    dim: int = 20,
    noise: float = 1.0,
    repeats: int = 100,
) -> torch.Tensor:
    """Test error of one shared linear model minus that of separate ones, for two related tasks.

    Task i has y = x·w_i + noise·ε with x ~ N(0, I_dim), ‖w_i‖ = 1 and the angle between w_1
    and w_2 given in degrees (the similarity knob). For each angle and each size n (examples
    per task, n > dim + 1), least squares is fitted on each task alone and on both tasks pooled;
    the test mean squared error of a fit ŵ on task i is noise² + ‖ŵ − w_i‖² exactly, so no
    test set is drawn. Returns (len(angles_deg), len(sizes)): the pooled-minus-separate error
    averaged over both tasks and ``repeats`` draws; negative means sharing helps.
    """
    check_generator("generator", generator)
    check_positive_int("dim", dim)
    check_positive_int("repeats", repeats)
    noise = check_nonnegative_float("noise", noise)  # a standard deviation
    angles_deg = [
        check_real(f"angles_deg[{position}]", angle)
        for position, angle in enumerate(_number_list("angles_deg", angles_deg))
    ]
    sizes = _number_list("sizes", sizes)
    for position, n in enumerate(sizes):
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"sizes[{position}] must be an int, got {type(n).__name__} {n!r}")
        if n <= dim + 1:
            raise ValueError(f"sizes must be ints above dim + 1 = {dim + 1}, got {n!r}")
    gaps = torch.zeros(len(angles_deg), len(sizes), dtype=torch.float64)
    for a, angle in enumerate(angles_deg):
        radians = math.radians(angle)
        truths = torch.zeros(2, dim, dtype=torch.float64)
        truths[0, 0] = 1.0
        truths[1, 0], truths[1, 1] = math.cos(radians), math.sin(radians)
        for k, n in enumerate(sizes):
            x = torch.randn(2, repeats, n, dim, generator=generator, dtype=torch.float64)
            y = (x @ truths[:, None, :, None]).squeeze(-1)
            y = y + noise * torch.randn(y.shape, generator=generator, dtype=torch.float64)
            # Least squares by the normal equations: (XᵀX) ŵ = Xᵀy, dim × dim systems.
            gram, moment = x.mT @ x, (x.mT @ y[..., None]).squeeze(-1)  # (2, R, dim, dim)
            separate = torch.linalg.solve(gram, moment)  # (2, R, dim)
            pooled = torch.linalg.solve(gram.sum(0), moment.sum(0))  # (R, dim)
            separate_error = (separate - truths[:, None]).pow(2).sum(-1)
            pooled_error = (pooled[None] - truths[:, None]).pow(2).sum(-1)
            gaps[a, k] = (pooled_error - separate_error).mean()
    return gaps


def plot_transfer_gap(
    angles_deg: Sequence[float], sizes: Sequence[int], gaps: torch.Tensor, angle: float
) -> Figure:
    """The pooled-minus-separate error against n for one angle, other angles faint: a figure.

    gaps: (len(angles_deg), len(sizes)) from :func:`linear_transfer_gap`; angle: one of
    ``angles_deg``. Below the zero line sharing helps; above it, negative transfer.
    """
    angles = _number_list("angles_deg", angles_deg)
    sizes = _number_list("sizes", sizes)
    angle = check_choice("angle", angle, angles)
    check_tensor("gaps", gaps, ndim=2, dtype_kind="float")
    if tuple(gaps.shape) != (len(angles), len(sizes)):
        raise ValueError(
            f"gaps must have shape ({len(angles)}, {len(sizes)}), got {tuple(gaps.shape)}"
        )
    check_finite("gaps", gaps)
    fig, ax = plt.subplots(layout="constrained")
    for position, other in enumerate(angles):
        if other != angle:
            ax.plot(sizes, gaps[position].tolist(), color="0.8", linewidth=1)
    chosen = angles.index(angle)
    ax.plot(sizes, gaps[chosen].tolist(), marker="o", color="C0", label=f"angle {angle:g}°")
    ax.axhline(0.0, color="k", linewidth=0.8, label="no transfer")
    ax.set_xscale("log")
    ax.set_xlabel("training examples per task n (log scale)")
    ax.set_ylabel("shared − separate test MSE")
    ax.set_title("Negative transfer above zero, positive transfer below")
    ax.legend()
    return fig
