"""How much of each domain to train on: domain weights by DoReMi (Xie et al., 2023).

Introduced in notebook 09. DoReMi trains a small *reference* model on a fixed mixture, then a
small *proxy* model whose domain weights α (a point of the simplex) move at every step by
exponentiated gradient towards the domains where the proxy's loss exceeds the reference's most,

    α ← (1 − c) · normalise(α ⊙ exp(η λ)) + c / k,    λ_i = mean over domain i's batch of
                                                       max(ℓ_proxy(x) − ℓ_ref(x), 0),

with step size η and smoothing c towards the uniform mixture. The weights averaged over the
proxy's run are the mixture on which the final model is trained.

The notebook's domains are symbol sequences from Markov chains whose entropy differs:
:func:`sample_markov_chain` draws them, :func:`chain_loss` gives the loss of the true chain (the
floor no model can beat), and :func:`next_symbol_data` turns a sequence into a next-symbol task.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from mtl_helpers.tasks import TaskData, check_prediction_target
from mtl_helpers.training import History, Plan, every_task_sampler, train_multitask
from mtl_helpers.validation import (
    SIMPLEX_TOLERANCE,
    check_finite,
    check_generator,
    check_nonnegative,
    check_positive_float,
    check_positive_int,
    check_same_shape,
    check_simplex,
    check_tensor,
)
from mtl_helpers.weighting import group_dro_weights


def doremi_step(
    weights: torch.Tensor, excess_losses: torch.Tensor, step_size: float, smoothing: float
) -> torch.Tensor:
    """One DoReMi update of the domain weights: (k,) → (k,) on the simplex.

    weights: (k,) the current α, non-negative and summing to one; excess_losses: (k,) the proxy's
    loss minus the reference's per domain (negative entries are clipped to 0 here: a domain the
    proxy already does better on gets no push, though it still loses weight after normalising
    when other domains have positive excess); step_size: η > 0; smoothing: c in [0, 1],
    the share of the uniform mixture mixed in. Computed in log space, so a large η λ does not
    overflow. With c > 0 every weight stays at least c / k.
    """
    check_simplex("weights", weights)
    check_tensor("excess_losses", excess_losses, ndim=1, dtype_kind="float")
    check_same_shape("weights", weights, "excess_losses", excess_losses)
    check_finite("excess_losses", excess_losses)
    step_size = check_positive_float("step_size", step_size)
    if isinstance(smoothing, bool) or not isinstance(smoothing, (int, float)):
        raise TypeError(f"smoothing must be a number, got {type(smoothing).__name__}")
    if not 0 <= smoothing <= 1:
        raise ValueError(f"smoothing must be in [0, 1], got {smoothing}")

    # The same exponentiated-gradient step as group DRO, on the clipped excess instead of the loss.
    updated = group_dro_weights(weights, excess_losses.clamp(min=0), step_size)
    return (1 - smoothing) * updated + smoothing / len(weights)


def row_losses(loss: str, prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """The loss of every row rather than their mean: (n,), shapes as in ``tasks.task_loss``.

    Shapes, dtypes and targets are checked by :func:`mtl_helpers.tasks.check_prediction_target`
    (no broadcasting).
    """
    check_prediction_target(loss, prediction, target)
    if loss == "cross_entropy":
        return F.cross_entropy(prediction, target, reduction="none")
    target = target.to(prediction.dtype)
    if loss == "bce":
        return F.binary_cross_entropy_with_logits(prediction, target, reduction="none")
    return (prediction - target) ** 2


@dataclass(frozen=True)
class DoReMiRun:
    """What :func:`train_doremi_proxy` measured.

    weights: (S, k) the domain weights used at each step; excess: (S, k) the clipped excess
    losses that moved them; average: (k,) the mean of ``weights`` over the steps (the mixture
    DoReMi hands on); history: the proxy's :class:`~mtl_helpers.training.History`.
    """

    weights: torch.Tensor
    excess: torch.Tensor
    average: torch.Tensor
    history: History


def _check_models(proxy: nn.Module, reference: nn.Module, train: Sequence[TaskData]) -> None:
    """Raise unless both models read each domain's inputs and give outputs of the same shape."""
    if isinstance(train, TaskData) or not isinstance(train, Sequence) or len(train) == 0:
        raise TypeError(f"train must be a non-empty list of TaskData, got {type(train).__name__}")
    for position, data in enumerate(train):
        if not isinstance(data, TaskData):
            raise TypeError(f"train[{position}] must be a TaskData, got {type(data).__name__}")
    for name, model in (("proxy", proxy), ("reference", reference)):
        if not isinstance(model, nn.Module):
            raise TypeError(f"{name} must be a torch.nn.Module, got {type(model).__name__}")
    with torch.no_grad():
        for i, data in enumerate(train):
            x = data.x[:1]
            outputs = {}
            for name, model in (("proxy", proxy), ("reference", reference)):
                try:
                    outputs[name] = model(x, i)
                except (RuntimeError, ValueError) as error:
                    raise ValueError(
                        f"{name} must read domain {i}'s inputs of shape (n, "
                        f"{', '.join(str(d) for d in x.shape[1:])}), but it failed: {error}"
                    ) from error
            if outputs["proxy"].shape != outputs["reference"].shape:
                raise ValueError(
                    f"reference and proxy must give outputs of the same width for domain {i}, "
                    f"got reference {tuple(outputs['reference'].shape[1:])} and proxy "
                    f"{tuple(outputs['proxy'].shape[1:])} per row"
                )


def train_doremi_proxy(
    proxy: nn.Module,
    reference: nn.Module,
    train: Sequence[TaskData],
    *,
    steps: int,
    generator: torch.Generator,
    step_size: float = 1.0,
    smoothing: float = 1e-3,
    lr: float = 1e-2,
    batch_size: int = 32,
) -> DoReMiRun:
    """Train ``proxy(x, domain)`` on the weighted loss Σ_i α_i L_i while DoReMi moves α.

    train: one :class:`TaskData` per domain; reference: a model trained beforehand (usually on
    the uniform mixture), only evaluated here. At each step every domain contributes a batch of
    ``batch_size`` rows; α is first updated by :func:`doremi_step` from the per-row excess of the
    proxy over the reference on those rows, then the proxy takes an Adam step on Σ_i α_i L_i.
    α starts uniform. Defaults η = 1 and c = 10⁻³ are the paper's. The proxy is evaluated on
    ``train`` once, after the last step, since only the weights are wanted from it.
    """
    check_positive_int("steps", steps)
    check_positive_float("step_size", step_size)
    _check_models(proxy, reference, train)
    draw = every_task_sampler([len(t) for t in train], batch_size)
    # The sampler keeps the step's plan, so that the backward hook can score the same rows.
    plans: list[Plan] = []
    weights = [torch.full((len(train),), 1 / len(train))]
    excesses: list[torch.Tensor] = []

    def sampler(gen: torch.Generator) -> Plan:
        plans.append(draw(gen))
        return plans[-1]

    def backward(losses: torch.Tensor, indices: list[int]) -> torch.Tensor:
        excess = torch.zeros(len(train))
        with torch.no_grad():
            for i, rows in plans[-1]:
                data = train[i]
                x, y = data.x[rows], data.y[rows]
                gap = row_losses(data.loss, proxy(x, i), y) - row_losses(
                    data.loss, reference(x, i), y
                )
                excess[i] = gap.clamp(min=0).mean()
        excesses.append(excess)
        weights.append(doremi_step(weights[-1], excess, step_size, smoothing))
        objective = (weights[-1][indices] * losses).sum()
        objective.backward()
        return objective

    history = train_multitask(
        proxy,
        train,
        steps=steps,
        generator=generator,
        lr=lr,
        batch_size=batch_size,
        eval_every=steps,
        sampler=sampler,
        backward=backward,
    )
    used = torch.stack(weights[1:])
    return DoReMiRun(
        weights=used, excess=torch.stack(excesses), average=used.mean(dim=0), history=history
    )


def _chain_order(name: str, table: object) -> int:
    check_tensor(name, table, ndim=2, dtype_kind="float")
    n_states, n_symbols = table.shape
    if n_symbols < 2:
        raise ValueError(f"{name} must have at least 2 symbols (columns), got shape {table.shape}")
    order = round(math.log(n_states) / math.log(n_symbols)) if n_states > 1 else 0
    if order < 1 or n_symbols**order != n_states:
        raise ValueError(
            f"{name} must have V**order rows for V = {n_symbols} columns (order ≥ 1), got shape "
            f"{tuple(table.shape)}"
        )
    check_nonnegative(name, table)
    sums = table.sum(dim=1)
    if bool(((sums - 1).abs() > SIMPLEX_TOLERANCE).any()):
        row = int(torch.nonzero((sums - 1).abs() > SIMPLEX_TOLERANCE)[0])
        raise ValueError(f"{name} rows must sum to 1, got {float(sums[row]):.6g} in row {row}")
    return order


def _states(sequence: torch.Tensor, order: int, n_symbols: int) -> torch.Tensor:
    """The state before each position from ``order`` on: the last ``order`` symbols in base V."""
    states = torch.zeros(len(sequence) - order, dtype=torch.int64)
    for lag in range(order):
        states = states * n_symbols + sequence[lag : len(sequence) - order + lag]
    return states


def sample_markov_chain(
    table: torch.Tensor, length: int, generator: torch.Generator
) -> torch.Tensor:
    """Draw ``length`` symbols from a Markov chain of order k: (length,) int64 in 0..V−1.

    table: (V**k, V), row s the distribution of the next symbol after the last k symbols, read as
    a number in base V (oldest symbol first); the chain starts from k zeros, which are not
    returned. A plain loop over positions: about 10⁵ symbols a second.
    """
    order = _chain_order("table", table)
    check_positive_int("length", length)
    check_generator("generator", generator)
    n_symbols = table.shape[1]
    cumulative = table.double().cumsum(dim=1).tolist()
    uniforms = torch.rand(length, generator=generator, dtype=torch.float64).tolist()
    symbols, state, wrap = [], 0, n_symbols**order
    for u in uniforms:
        row = cumulative[state]
        symbol = 0
        while symbol < n_symbols - 1 and u > row[symbol]:
            symbol += 1
        symbols.append(symbol)
        state = (state * n_symbols + symbol) % wrap
    return torch.tensor(symbols, dtype=torch.int64)


def chain_loss(table: torch.Tensor, sequence: torch.Tensor) -> float:
    """Mean −log p(next symbol | last k symbols) of the true chain along ``sequence`` (nats).

    table: (V**k, V); sequence: (n,) int64 with n > k, scored from position k on. On a long
    sample this estimates the chain's entropy rate: the lowest loss any predictor can reach.
    """
    order = _chain_order("table", table)
    check_tensor("sequence", sequence, ndim=1, dtype_kind="int")
    if len(sequence) <= order:
        raise ValueError(f"sequence must be longer than the order {order}, got {len(sequence)}")
    n_symbols = table.shape[1]
    if int(sequence.min()) < 0 or int(sequence.max()) >= n_symbols:
        raise ValueError(
            f"sequence must hold symbols in 0..{n_symbols - 1} for a table of {n_symbols} "
            f"columns, got values {int(sequence.min())}..{int(sequence.max())}"
        )
    states = _states(sequence, order, n_symbols)
    return float(-table[states, sequence[order:]].log().mean())


def next_symbol_data(
    name: str, sequence: torch.Tensor, n_symbols: int, context: int, offset: int = 0
) -> TaskData:
    """A next-symbol task from one sequence: predict each symbol from the ``context`` before it.

    sequence: (n,) int64 in 0..V−1 with n > context; the symbols are shifted by ``offset`` into a
    vocabulary of ``n_symbols`` (so domains can have their own symbols). Returns a
    ``cross_entropy`` :class:`TaskData` with x: (n − context, context · n_symbols), the one-hot
    codes of the context symbols side by side, and y: (n − context,) the next symbol.
    """
    check_tensor("sequence", sequence, ndim=1, dtype_kind="int")
    check_positive_int("n_symbols", n_symbols)
    check_positive_int("context", context)
    if isinstance(offset, bool) or not isinstance(offset, int):
        raise TypeError(f"offset must be an int, got {type(offset).__name__} {offset!r}")
    if len(sequence) <= context:
        raise ValueError(f"sequence must be longer than context={context}, got {len(sequence)}")
    shifted = sequence + offset
    if int(shifted.min()) < 0 or int(shifted.max()) >= n_symbols:
        raise ValueError(
            f"sequence + offset must lie in 0..{n_symbols - 1}, got values "
            f"{int(shifted.min())}..{int(shifted.max())}"
        )
    n = len(shifted) - context
    codes = [F.one_hot(shifted[lag : lag + n], n_symbols) for lag in range(context)]
    return TaskData(name, torch.cat(codes, dim=1).float(), shifted[context:], "cross_entropy")
