"""Shared pytest set-up: a headless matplotlib backend and no figure left open between tests."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import matplotlib
import pytest

# Figures render off-screen on any machine. Set on matplotlib itself, not through MPLBACKEND:
# an environment variable would reach the kernels that nbval starts and hide the notebooks'
# inline figures.
matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def close_figures() -> Iterator[None]:
    """Close every figure a test opened, so figures do not pile up across the suite."""
    yield
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")
