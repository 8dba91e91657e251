"""Figures used across notebooks: per-task curves, per-task bars and heat maps.

Introduced in notebook 01. Each function draws on a given ``ax`` (or a new figure), sets a
title and axis labels, and returns the figure, so a widget callback can return it as well.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from mtl_helpers.training import History
from mtl_helpers.validation import check_finite, check_numbers, check_tensor


def _axes(ax: Axes | None, figsize: tuple[float, float] = (6.4, 3.6)) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    return fig, ax


def plot_task_curves(
    history: History, key: str = "test_metric", ax: Axes | None = None, title: str | None = None
) -> Figure:
    """One line per task of ``history.curve(key)`` against the training step.

    key: one of ``PER_TASK_KEYS``, the (E, T) fields of the history; it must hold values.
    """
    if not isinstance(history, History):
        raise TypeError(f"history must be a History, got {type(history).__name__}")
    values = history.curve(key)  # raises naming PER_TASK_KEYS for any other key
    if values.numel() == 0:
        raise ValueError(f"history has no {key!r} values to plot (was test data given?)")
    fig, ax = _axes(ax)
    for index, name in enumerate(history.task_names):
        ax.plot(history.step, values[:, index], label=name)
    label = history.metric_names[0] if key == "test_metric" else key.replace("_", " ")
    if key == "test_metric" and len(set(history.metric_names)) > 1:
        label = "test metric (accuracy or MSE, per task)"
    ax.set_xlabel("training step")
    ax.set_ylabel(label)
    ax.set_title(title or f"{key.replace('_', ' ')} per task")
    if len(history.task_names) > 1:
        ax.legend(fontsize="small")
    return fig


def _series_tensor(label: object, series: object) -> torch.Tensor:
    """One series of bar heights as a float32 tensor, raising for non-numbers."""
    return check_numbers(f"values[{label!r}]", series)


def plot_task_bars(
    values: Mapping[str, Sequence[float] | torch.Tensor],
    task_names: Sequence[str],
    ylabel: str,
    title: str,
    ax: Axes | None = None,
) -> Figure:
    """Grouped bars: one group per task, one bar per entry of ``values`` (e.g. per method).

    values: {series name: (T,) numbers}; every series must have one number per task.
    """
    if not isinstance(values, Mapping):
        raise TypeError(
            f"values must be a mapping of series name to (T,) numbers, got {type(values).__name__}"
        )
    if isinstance(task_names, str) or not isinstance(task_names, Sequence):
        raise TypeError(
            f"task_names must be a list of names, got {type(task_names).__name__} {task_names!r}"
        )
    n_series = len(values)
    if n_series == 0:
        raise ValueError("values must hold at least one series, got an empty mapping")
    table = {label: _series_tensor(label, series) for label, series in values.items()}
    for label, series in table.items():
        if series.shape != (len(task_names),):
            raise ValueError(
                f"series {label!r} must have one value per task ({len(task_names)}), got shape "
                f"{tuple(series.shape)}"
            )
    fig, ax = _axes(ax)
    width = 0.8 / n_series
    for position, (label, series) in enumerate(table.items()):
        offsets = torch.arange(len(task_names)) + (position - (n_series - 1) / 2) * width
        ax.bar(offsets.tolist(), series.tolist(), width=width, label=label)
    ax.set_xticks(
        range(len(task_names)), list(task_names), rotation=45 if len(task_names) > 6 else 0
    )
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if n_series > 1:
        ax.legend(fontsize="small")
    return fig


def plot_heatmap(
    matrix: torch.Tensor,
    labels: Sequence[str],
    title: str,
    colorbar_label: str,
    ax: Axes | None = None,
    fmt: str = "{:.2f}",
    scale_off_diagonal: bool = False,
) -> Figure:
    """A square (T, T) matrix as a heat map with its values written in the cells.

    With ``scale_off_diagonal`` the colour scale is set by the off-diagonal entries only and the
    diagonal is drawn grey, so that a large diagonal does not wash out the rest.
    """
    check_tensor("matrix", matrix, ndim=2)
    if matrix.dtype == torch.bool or matrix.is_complex():
        raise TypeError(f"matrix must hold real numbers, got dtype {matrix.dtype}")
    if isinstance(labels, str) or not isinstance(labels, Sequence):
        raise TypeError(f"labels must be a list of names, got {type(labels).__name__} {labels!r}")
    if matrix.shape[0] != matrix.shape[1] or matrix.shape[0] != len(labels):
        raise ValueError(
            f"matrix must be square with one row per label ({len(labels)}), got shape "
            f"{tuple(matrix.shape)}"
        )
    check_finite("matrix", matrix.detach())
    fig, ax = _axes(ax, figsize=(4.8, 4.0))
    shown = matrix.detach().clone().float()
    if scale_off_diagonal and len(matrix) > 1:
        shown.fill_diagonal_(float("nan"))  # imshow leaves NaN cells to the "bad" colour
        limit = float(shown.nan_to_num(0.0).abs().max()) or 1.0
    else:
        limit = float(shown.abs().max()) or 1.0
    colours = plt.get_cmap("RdBu_r").with_extremes(bad="0.85")
    image = ax.imshow(shown.tolist(), cmap=colours, vmin=-limit, vmax=limit)
    ax.set_xticks(range(len(labels)), list(labels), rotation=45)
    ax.set_yticks(range(len(labels)), list(labels))
    ax.grid(False)
    for i in range(len(labels)):
        for j in range(len(labels)):
            value = float(matrix[i, j])
            ax.text(
                j,
                i,
                fmt.format(value),
                ha="center",
                va="center",
                fontsize="x-small",
                # White on dark cells; grey cells (the masked diagonal) keep black text.
                color="white"
                if abs(value) > 0.6 * limit and shown[i, j] == shown[i, j]
                else "black",
            )
    fig.colorbar(image, ax=ax, label=colorbar_label)
    ax.set_title(title)
    return fig


def plot_gain_by_size(
    sizes: torch.Tensor, gain: torch.Tensor, ylabel: str, title: str, ax: Axes | None = None
) -> Figure:
    """One point per task: its gain from a method (y) against its number of examples (x, log).

    sizes, gain: (T,). A line at zero separates the tasks that gain from those that lose.
    """
    check_tensor("sizes", sizes, ndim=1)
    check_tensor("gain", gain, ndim=1, dtype_kind="float")
    if sizes.dtype == torch.bool or sizes.is_complex():
        raise TypeError(f"sizes must hold real numbers, got dtype {sizes.dtype}")
    if sizes.shape != gain.shape:
        raise ValueError(
            f"sizes and gain must both have shape (T,), got {tuple(sizes.shape)} and "
            f"{tuple(gain.shape)}"
        )
    check_finite("sizes", sizes)
    check_finite("gain", gain.detach())
    if bool((sizes <= 0).any()):
        index = int(torch.nonzero(sizes <= 0)[0])
        raise ValueError(
            f"sizes must be > 0 (they are drawn on a log scale), got {sizes[index].item()!r} at "
            f"index {index}"
        )
    fig, ax = _axes(ax)
    ax.scatter(sizes.tolist(), gain.tolist(), s=12)
    ax.axhline(0.0, color="k", linewidth=0.8)
    ax.set_xscale("log")
    ax.set_xlabel("training examples of the task (log scale)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    return fig
