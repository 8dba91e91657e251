"""Seeds, threads and deterministic kernels: what every notebook's set-up cell calls first.

Introduced in notebook 01.
"""

from __future__ import annotations

import os
import random

import numpy as np
import torch

from mtl_helpers.validation import check_positive_int

# The seeds torch.manual_seed accepts: a negative seed s is used as 2**64 - 1 + s.
SEED_MIN = -(2**63)
SEED_MAX = 2**64 - 1


def _check_seed(seed: object) -> int:
    """Return ``seed`` if it is an int in SEED_MIN..SEED_MAX, else raise TypeError/ValueError."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__} {seed!r}")
    if not SEED_MIN <= seed <= SEED_MAX:
        raise ValueError(
            f"seed must be in -2**63..2**64 - 1 (what torch.manual_seed accepts), got {seed!r}"
        )
    return seed


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python, NumPy and torch, and return a fresh ``torch.Generator`` seeded with ``seed``.

    seed: an int in ``SEED_MIN``..``SEED_MAX`` (−2⁶³..2⁶⁴ − 1), the range torch accepts.
    Library functions take that generator explicitly, so a notebook's randomness is visible.
    """
    _check_seed(seed)
    random.seed(seed)
    # Global NumPy seeding is legacy, but plotting or third-party code may still draw from it.
    np.random.seed(seed % 2**32)  # noqa: NPY002
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def setup(seed: int = 0, threads: int = 1) -> torch.Generator:
    """Make a notebook's numbers repeat exactly: seed, one thread, deterministic kernels.

    One thread keeps float reductions in a fixed order, so stored outputs match on re-execution;
    the models here are small enough that a second thread would not make them faster.
    Also sets matplotlib's defaults to small, labelled, readable figures. Returns the seeded
    generator of :func:`seed_everything`; seed: as there. Both arguments are checked before
    anything is changed.
    """
    _check_seed(seed)
    check_positive_int("threads", threads)
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.set_printoptions(precision=4, sci_mode=False)
    np.set_printoptions(precision=4, suppress=True)

    import matplotlib as mpl

    mpl.rcParams.update(
        {
            "figure.figsize": (6.4, 3.6),
            "figure.dpi": 80,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "legend.frameon": False,
        }
    )
    return seed_everything(seed)
