"""Tests for mtl_helpers.reproducibility: seeds repeat draws, setup() fixes threads and kernels."""

from __future__ import annotations

import random
from collections.abc import Iterator

import matplotlib as mpl
import numpy as np
import pytest
import torch

from mtl_helpers.reproducibility import seed_everything, setup


@pytest.fixture
def restore_global_state(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """setup() changes process-wide settings; put them back so other tests see the defaults."""
    threads = torch.get_num_threads()
    deterministic = torch.are_deterministic_algorithms_enabled()
    numpy_options = np.get_printoptions()
    monkeypatch.delenv("CUBLAS_WORKSPACE_CONFIG", raising=False)
    with mpl.rc_context():
        yield
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(deterministic)
    torch.set_printoptions(profile="default")
    np.set_printoptions(**numpy_options)


def test_seed_everything_returns_a_seeded_generator() -> None:
    first = torch.rand(5, generator=seed_everything(7))
    second = torch.rand(5, generator=seed_everything(7))
    other = torch.rand(5, generator=seed_everything(8))
    assert torch.equal(first, second)
    assert not torch.equal(first, other)
    # The generator is the same stream as a fresh generator seeded by hand.
    assert torch.equal(first, torch.rand(5, generator=torch.Generator().manual_seed(7)))


def test_seed_everything_seeds_python_numpy_and_torch() -> None:
    seed_everything(3)
    drawn = (random.random(), np.random.rand(), float(torch.rand(())))  # noqa: NPY002
    seed_everything(3)
    again = (random.random(), np.random.rand(), float(torch.rand(())))  # noqa: NPY002
    assert drawn == again


def test_seed_everything_accepts_seeds_beyond_numpy_range() -> None:
    # NumPy only takes 0..2**32-1; the seed is reduced modulo 2**32 for it.
    generator = seed_everything(2**32 + 5)
    assert generator.initial_seed() == 2**32 + 5


@pytest.mark.usefixtures("restore_global_state")
def test_setup_repeats_draws_for_the_same_seed() -> None:
    first = torch.randn(4, generator=setup(seed=11))
    second = torch.randn(4, generator=setup(seed=11))
    assert torch.equal(first, second)
    assert not torch.equal(first, torch.randn(4, generator=setup(seed=12)))


@pytest.mark.usefixtures("restore_global_state")
def test_setup_sets_threads_kernels_and_figure_defaults() -> None:
    torch.use_deterministic_algorithms(False)
    generator = setup(seed=0, threads=1)
    assert isinstance(generator, torch.Generator)
    assert generator.initial_seed() == 0
    assert torch.are_deterministic_algorithms_enabled()
    assert torch.get_num_threads() == 1
    assert mpl.rcParams["figure.dpi"] == 80
    assert list(mpl.rcParams["figure.figsize"]) == [6.4, 3.6]
    assert mpl.rcParams["axes.grid"] is True


@pytest.mark.usefixtures("restore_global_state")
def test_setup_thread_count_follows_the_argument() -> None:
    setup(seed=0, threads=2)
    assert torch.get_num_threads() == 2


@pytest.mark.usefixtures("restore_global_state")
@pytest.mark.parametrize(("seed", "type_name"), [("0", "str"), (1.5, "float"), (True, "bool")])
def test_setup_rejects_a_seed_that_is_not_an_int(seed: object, type_name: str) -> None:
    with pytest.raises(TypeError, match=rf"seed must be an int, got {type_name}"):
        setup(seed=seed)


@pytest.mark.usefixtures("restore_global_state")
def test_setup_rejects_zero_threads_naming_the_argument() -> None:
    with pytest.raises(ValueError, match=r"threads must be at least 1, got 0"):
        setup(seed=0, threads=0)


@pytest.mark.usefixtures("restore_global_state")
@pytest.mark.parametrize("seed", [2**64 - 1, -(2**63), 0])
def test_setup_accepts_the_bounds_of_torch_seeds(seed: int) -> None:
    first = torch.rand(3, generator=setup(seed=seed))
    assert torch.equal(first, torch.rand(3, generator=seed_everything(seed)))


@pytest.mark.usefixtures("restore_global_state")
@pytest.mark.parametrize("seed", [2**64, -(2**63) - 1, 2**70])
def test_setup_rejects_a_seed_torch_cannot_take_before_changing_anything(seed: int) -> None:
    torch.set_num_threads(2)
    with pytest.raises(
        ValueError,
        match=rf"seed must be in -2\*\*63\.\.2\*\*64 - 1 \(what torch\.manual_seed accepts\), "
        rf"got {seed}$",
    ):
        setup(seed=seed, threads=1)
    assert torch.get_num_threads() == 2  # the check comes before any setting
    with pytest.raises(ValueError, match=rf"seed must be in -2\*\*63\.\.2\*\*64 - 1 .*got {seed}$"):
        seed_everything(seed)
