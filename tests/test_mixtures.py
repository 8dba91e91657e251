"""Tests for mtl_helpers.mixtures: the DoReMi step, Markov-chain domains and the proxy run."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from mtl_helpers.mixtures import (
    chain_loss,
    check_simplex,
    doremi_step,
    next_symbol_data,
    row_losses,
    sample_markov_chain,
    train_doremi_proxy,
)
from mtl_helpers.models import PooledModel, mlp
from mtl_helpers.tasks import TaskData


def test_doremi_step_by_hand():
    # α = (0.5, 0.5), λ = (ln 3, 0), η = 1: α ∝ (0.5·3, 0.5·1) = (1.5, 0.5) → (0.75, 0.25).
    weights = torch.tensor([0.5, 0.5])
    excess = torch.tensor([math.log(3), 0.0])
    assert torch.allclose(doremi_step(weights, excess, 1.0, 0.0), torch.tensor([0.75, 0.25]))
    # Smoothing c = 0.2: 0.8 · (0.75, 0.25) + 0.2 · 0.5 = (0.7, 0.3).
    assert torch.allclose(doremi_step(weights, excess, 1.0, 0.2), torch.tensor([0.7, 0.3]))
    # A negative excess is clipped to 0: λ = (−5, 0) leaves α unchanged.
    assert torch.allclose(doremi_step(weights, torch.tensor([-5.0, 0.0]), 1.0, 0.0), weights)
    # η = 0.5 with λ = (ln 9, 0) is the same as η = 1 with ln 3.
    half = doremi_step(weights, torch.tensor([math.log(9), 0.0]), 0.5, 0.0)
    assert torch.allclose(half, torch.tensor([0.75, 0.25]))


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    k=st.integers(1, 8),
    step_size=st.floats(1e-3, 50.0),
    smoothing=st.floats(0.0, 1.0),
)
def test_doremi_step_stays_on_the_simplex(seed, k, step_size, smoothing):
    generator = torch.Generator().manual_seed(seed)
    weights = torch.softmax(3 * torch.randn(k, generator=generator), dim=0)
    excess = 10 * torch.randn(k, generator=generator)
    new = doremi_step(weights, excess, step_size, smoothing)
    assert new.shape == (k,)
    assert bool(torch.isfinite(new).all())
    assert math.isclose(float(new.sum()), 1.0, abs_tol=1e-5)
    assert float(new.min()) >= smoothing / k - 1e-6
    # The domain with the largest clipped excess never loses weight relative to the others.
    top = int(excess.clamp(min=0).argmax())
    ratio_before = weights / weights[top]
    unsmoothed = doremi_step(weights, excess, step_size, 0.0)
    assert bool((unsmoothed / unsmoothed[top] <= ratio_before * (1 + 1e-4) + 1e-12).all())


@pytest.mark.parametrize(
    ("weights", "excess", "step_size", "smoothing", "error", "match"),
    [
        (torch.tensor([1.2, -0.2]), torch.zeros(2), 1.0, 0.0, ValueError, "non-negative"),
        (torch.tensor([0.5, 0.6]), torch.zeros(2), 1.0, 0.0, ValueError, "must sum to 1"),
        (torch.tensor([0.5, 0.5]), torch.zeros(3), 1.0, 0.0, ValueError, "same shape"),
        (
            torch.tensor([0.5, 0.5]),
            torch.tensor([float("nan"), 0.0]),
            1.0,
            0.0,
            ValueError,
            "finite",
        ),
        (torch.tensor([0.5, 0.5]), torch.zeros(2), 0.0, 0.0, ValueError, "step_size must be"),
        (torch.tensor([0.5, 0.5]), torch.zeros(2), 1.0, 1.5, ValueError, r"smoothing must be in"),
        (
            torch.tensor([0.5, 0.5]),
            torch.zeros(2),
            1.0,
            "0",
            TypeError,
            "smoothing must be a number",
        ),
        ([0.5, 0.5], torch.zeros(2), 1.0, 0.0, TypeError, "weights must be a torch.Tensor"),
        (torch.zeros(0), torch.zeros(0), 1.0, 0.0, ValueError, "at least one weight"),
        (torch.tensor([1, 0]), torch.zeros(2), 1.0, 0.0, TypeError, "floating dtype"),
    ],
)
def test_doremi_step_bad_input(weights, excess, step_size, smoothing, error, match):
    with pytest.raises(error, match=match):
        doremi_step(weights, excess, step_size, smoothing)


def test_check_simplex_accepts_a_point():
    weights = torch.tensor([0.2, 0.3, 0.5])
    assert check_simplex("weights", weights) is weights


def test_row_losses_average_to_the_task_loss():
    generator = torch.Generator().manual_seed(0)
    logits = torch.randn(5, 3, generator=generator)
    classes = torch.tensor([0, 2, 1, 1, 0])
    expected = torch.nn.functional.cross_entropy(logits, classes)
    assert torch.allclose(row_losses("cross_entropy", logits, classes).mean(), expected)
    # mse by hand: predictions (1, 2), targets (0, 0): rows (1, 4).
    mse = row_losses("mse", torch.tensor([1.0, 2.0]), torch.tensor([0.0, 0.0]))
    assert torch.equal(mse, torch.tensor([1.0, 4.0]))
    # bce of logit 0 is ln 2 whatever the label.
    bce = row_losses("bce", torch.zeros(2), torch.tensor([0.0, 1.0]))
    assert torch.allclose(bce, torch.full((2,), math.log(2)))
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        row_losses("hinge", logits, classes)


def test_markov_chain_deterministic_and_its_loss():
    # A chain that always moves to the next symbol: 0, 1, 2, 0, 1, ... after the start state 0.
    table = torch.roll(torch.eye(3), 1, dims=1)
    sequence = sample_markov_chain(table, 7, torch.Generator().manual_seed(0))
    assert sequence.tolist() == [1, 2, 0, 1, 2, 0, 1]
    # A two-state chain: p(1|0) = 0.25 and p(0|1) = 1. Along 0, 1, 0, 0 the three steps cost
    # −ln 0.25, −ln 1 and −ln 0.75: mean (1.3863 + 0 + 0.2877) / 3 = 0.5580.
    two = torch.tensor([[0.75, 0.25], [1.0, 0.0]])
    expected = (-math.log(0.25) - math.log(0.75)) / 3
    assert math.isclose(chain_loss(two, torch.tensor([0, 1, 0, 0])), expected, rel_tol=1e-6)


def test_markov_chain_frequencies_and_second_order():
    # Uniform first-order chain: each of 4 symbols about 1/4 of 8,000 draws.
    table = torch.full((4, 4), 0.25)
    sequence = sample_markov_chain(table, 8_000, torch.Generator().manual_seed(1))
    frequencies = torch.bincount(sequence, minlength=4) / 8_000
    assert torch.allclose(frequencies, torch.full((4,), 0.25), atol=0.02)
    assert math.isclose(chain_loss(table, sequence), math.log(4), rel_tol=1e-6)
    # Second order on 2 symbols: next = previous-but-one, so from 0, 0 the chain stays 0;
    # rows are states (a, b) read as 2a + b.
    copy_back = torch.tensor([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    assert sample_markov_chain(copy_back, 5, torch.Generator()).tolist() == [0] * 5


@pytest.mark.parametrize(
    ("table", "match"),
    [
        (torch.full((3, 2), 0.5), r"V\*\*order rows"),
        (torch.tensor([[0.5, 0.6], [0.5, 0.5]]), "rows must sum to 1"),
        (torch.tensor([[1.5, -0.5], [0.5, 0.5]]), "non-negative"),
        (torch.ones(1, 1), "at least 2 symbols"),
    ],
)
def test_markov_chain_bad_table(table, match):
    with pytest.raises(ValueError, match=match):
        sample_markov_chain(table, 3, torch.Generator())


def test_chain_loss_bad_sequence():
    with pytest.raises(ValueError, match="longer than the order 1"):
        chain_loss(torch.full((2, 2), 0.5), torch.tensor([0]))


def test_next_symbol_data_by_hand():
    # Sequence 0, 1, 1, 0 with context 2, offset 2 in a vocabulary of 4: symbols 2, 3, 3, 2.
    # Rows: context (2, 3) → 3 and (3, 3) → 2, each context as two one-hot codes of width 4.
    data = next_symbol_data("toy", torch.tensor([0, 1, 1, 0]), 4, 2, offset=2)
    assert data.x.tolist() == [[0, 0, 1, 0, 0, 0, 0, 1], [0, 0, 0, 1, 0, 0, 0, 1]]
    assert data.y.tolist() == [3, 2]
    assert data.loss == "cross_entropy"
    with pytest.raises(ValueError, match=r"must lie in 0..3"):
        next_symbol_data("toy", torch.tensor([0, 1, 2]), 4, 1, offset=2)
    with pytest.raises(ValueError, match="longer than context=3"):
        next_symbol_data("toy", torch.tensor([0, 1, 2]), 4, 3)


def _domains(generator: torch.Generator) -> list[TaskData]:
    easy = torch.zeros(60, dtype=torch.int64)  # always symbol 0
    noisy = torch.randint(2, (60,), generator=generator)
    return [
        next_symbol_data("easy", easy, 4, 1),
        next_symbol_data("noisy", noisy, 4, 1, offset=2),
    ]


def test_train_doremi_proxy_records_weights_on_the_simplex():
    generator = torch.Generator().manual_seed(0)
    domains = _domains(generator)
    torch.manual_seed(0)
    reference, proxy = PooledModel(mlp(4, [], 4)), PooledModel(mlp(4, [], 4))
    run = train_doremi_proxy(
        proxy, reference, domains, steps=5, generator=generator, step_size=0.5, batch_size=8
    )
    assert run.weights.shape == (5, 2) and run.excess.shape == (5, 2)
    assert torch.allclose(run.weights.sum(dim=1), torch.ones(5))
    assert bool((run.excess >= 0).all())
    assert torch.allclose(run.average, run.weights.mean(dim=0))
    assert len(run.history.objective) == 5
    assert run.history.step == [5]  # evaluated once, after the last step
    # The first update starts from the uniform mixture.
    first = doremi_step(torch.full((2,), 0.5), run.excess[0], 0.5, 1e-3)
    assert torch.allclose(run.weights[0], first)


def test_train_doremi_proxy_same_model_has_no_excess():
    # When the proxy is the reference, every row's excess is 0 at the first step.
    generator = torch.Generator().manual_seed(0)
    model = PooledModel(mlp(4, [], 4))
    run = train_doremi_proxy(model, model, _domains(generator), steps=1, generator=generator)
    assert torch.equal(run.excess[0], torch.zeros(2))


def test_train_doremi_proxy_bad_input():
    generator = torch.Generator().manual_seed(0)
    model = PooledModel(mlp(4, [], 4))
    with pytest.raises(ValueError, match="step_size must be a finite number > 0"):
        train_doremi_proxy(
            model, model, _domains(generator), steps=1, generator=generator, step_size=0.0
        )
    with pytest.raises(ValueError, match="steps must be at least 1"):
        train_doremi_proxy(model, model, _domains(generator), steps=0, generator=generator)


def test_row_losses_checks_shapes():
    # No broadcasting: (3, 1) against (3,) would silently give a (3, 3) table.
    with pytest.raises(ValueError, match=r"for loss 'mse', prediction and target must both"):
        row_losses("mse", torch.zeros(3, 1), torch.ones(3))
    with pytest.raises(ValueError, match=r"target must hold class indices in 0\.\.1"):
        row_losses("cross_entropy", torch.zeros(2, 2), torch.tensor([0, 2]))
    with pytest.raises(ValueError, match=r"target must hold 0/1 labels for loss 'bce', got 0\.5"):
        row_losses("bce", torch.zeros(2), torch.tensor([0.5, 1.0]))


def test_chain_loss_rejects_symbols_outside_the_table():
    table = torch.full((3, 3), 1 / 3)
    with pytest.raises(
        ValueError, match=r"sequence must hold symbols in 0\.\.2 .* got values 0\.\.7"
    ):
        chain_loss(table, torch.tensor([0, 1, 7]))
    with pytest.raises(ValueError, match=r"got values -1\.\.1"):
        chain_loss(table, torch.tensor([0, 1, -1]))


def test_train_doremi_proxy_rejects_mismatched_models():
    generator = torch.Generator().manual_seed(0)
    proxy = PooledModel(mlp(4, [], 4))
    with pytest.raises(
        ValueError, match=r"reference must read domain 0's inputs of shape \(n, 4\)"
    ):
        train_doremi_proxy(
            proxy, PooledModel(mlp(5, [], 4)), _domains(generator), steps=1, generator=generator
        )
    with pytest.raises(ValueError, match=r"proxy must read domain 0's inputs of shape \(n, 4\)"):
        train_doremi_proxy(
            PooledModel(mlp(3, [], 4)), proxy, _domains(generator), steps=1, generator=generator
        )
    with pytest.raises(
        ValueError,
        match=r"reference and proxy must give outputs of the same width for domain 0, got "
        r"reference \(5,\) and proxy \(4,\)",
    ):
        train_doremi_proxy(
            proxy, PooledModel(mlp(4, [], 5)), _domains(generator), steps=1, generator=generator
        )
    with pytest.raises(TypeError, match="train must be a non-empty list of TaskData, got list"):
        train_doremi_proxy(proxy, proxy, [], steps=1, generator=generator)
    with pytest.raises(TypeError, match=r"reference must be a torch\.nn\.Module, got int"):
        train_doremi_proxy(proxy, 3, _domains(generator), steps=1, generator=generator)


@pytest.mark.parametrize(
    ("generator", "shown"), [("g", "str 'g'"), (None, "NoneType None"), (0, "int 0")]
)
def test_markov_chain_needs_a_generator(generator, shown):
    table = torch.tensor([[0.5, 0.5], [0.5, 0.5]])
    with pytest.raises(TypeError, match=rf"generator must be a torch\.Generator .*got {shown}"):
        sample_markov_chain(table, 10, generator)


@pytest.mark.parametrize(
    ("offset", "shown"), [(0.5, r"float 0\.5"), ("1", "str '1'"), (True, "bool True")]
)
def test_next_symbol_data_needs_an_int_offset(offset, shown):
    with pytest.raises(TypeError, match=rf"offset must be an int, got {shown}"):
        next_symbol_data("d", torch.tensor([0, 1, 0, 1]), 3, 2, offset=offset)
