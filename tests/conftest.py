"""Shared pytest set-up: a headless matplotlib backend and no figure left open between tests."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

import matplotlib
import pytest
import torch

# Figures render off-screen on any machine. Set on matplotlib itself, not through MPLBACKEND:
# an environment variable would reach the kernels that nbval starts and hide the notebooks'
# inline figures.
matplotlib.use("Agg")

# pytest-xdist runs one worker per core (the -n option in pyproject.toml); a worker that also
# started one torch thread per core would fight the other workers for the same cores.
if os.environ.get("PYTEST_XDIST_WORKER"):
    torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def close_figures() -> Iterator[None]:
    """Close every figure a test opened, so figures do not pile up across the suite."""
    yield
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")
