"""Tests for mtl_helpers.plotting: titles, labels, the number of lines/bars/cells, bad shapes."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.figure import Figure

from mtl_helpers.plotting import (
    plot_gain_by_size,
    plot_heatmap,
    plot_task_bars,
    plot_task_curves,
)
from mtl_helpers.training import History


def make_history(metric_names: tuple[str, ...] = ("accuracy", "accuracy")) -> History:
    names = tuple(f"task {i}" for i in range(len(metric_names)))
    history = History(names, metric_names)
    for step in (10, 20, 30):
        history.step.append(step)
        row = [step / 100 + i for i in range(len(names))]
        history.train_loss.append(row)
        history.test_loss.append(row)
        history.test_metric.append(row)
    return history


def tick_labels(labels) -> list[str]:
    return [label.get_text() for label in labels]


# ---------------------------------------------------------------- plot_task_curves


def test_task_curves_draw_one_line_per_task() -> None:
    history = make_history()
    fig = plot_task_curves(history, title="Digits, two tasks")
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    assert ax.get_title() == "Digits, two tasks"
    assert ax.get_xlabel() == "training step"
    assert ax.get_ylabel() == "accuracy"
    assert len(ax.lines) == 2
    assert ax.lines[1].get_xdata().tolist() == [10, 20, 30]
    assert ax.lines[1].get_ydata().tolist() == pytest.approx([1.1, 1.2, 1.3])
    assert tick_labels(ax.get_legend().get_texts()) == ["task 0", "task 1"]


def test_task_curves_labels_for_other_keys_and_mixed_metrics() -> None:
    fig = plot_task_curves(make_history(), key="train_loss")
    ax = fig.axes[0]
    assert ax.get_ylabel() == "train loss"
    assert ax.get_title() == "train loss per task"
    mixed = plot_task_curves(make_history(("mse", "accuracy", "accuracy")))
    assert mixed.axes[0].get_ylabel() == "test metric (accuracy or MSE, per task)"
    assert len(mixed.axes[0].lines) == 3


def test_task_curves_single_task_has_no_legend_and_uses_a_given_axis() -> None:
    fig, ax = plt.subplots()
    returned = plot_task_curves(make_history(("mse",)), ax=ax)
    assert returned is fig
    assert len(ax.lines) == 1
    assert ax.get_legend() is None
    assert ax.get_ylabel() == "mse"


def test_task_curves_without_test_data_name_the_key() -> None:
    history = History(("a", "b"), ("mse", "mse"), step=[1], train_loss=[[1.0, 2.0]])
    with pytest.raises(
        ValueError,
        match=r"history has no 'test_metric' values to plot \(was test data given\?\)",
    ):
        plot_task_curves(history)


@pytest.mark.parametrize(
    ("history", "key", "error", "message"),
    [
        (
            make_history(),
            "bogus",
            ValueError,
            "unknown key 'bogus'; expected one of: 'train_loss', 'test_loss', 'test_metric'",
        ),
        # objective is a field, but it holds one number per step, not one per task.
        (make_history(), "objective", ValueError, "unknown key 'objective'"),
        (make_history(), 3, ValueError, "unknown key 3; expected one of: .train_loss."),
        ({"test_metric": [[1.0]]}, "test_metric", TypeError, "history must be a History, got dict"),
    ],
)
def test_task_curves_reject_bad_input(history, key, error, message) -> None:
    with pytest.raises(error, match=message):
        plot_task_curves(history, key=key)


# ---------------------------------------------------------------- plot_task_bars


def test_task_bars_one_bar_per_series_and_task() -> None:
    values = {"single-task": [0.9, 0.8, 0.7], "shared": torch.tensor([0.95, 0.85, 0.6])}
    fig = plot_task_bars(values, ["a", "b", "c"], ylabel="accuracy", title="Per-task accuracy")
    ax = fig.axes[0]
    assert ax.get_title() == "Per-task accuracy"
    assert ax.get_ylabel() == "accuracy"
    assert len(ax.patches) == 6  # 2 series x 3 tasks
    heights = [patch.get_height() for patch in ax.patches]
    assert heights == pytest.approx([0.9, 0.8, 0.7, 0.95, 0.85, 0.6])
    assert tick_labels(ax.get_xticklabels()) == ["a", "b", "c"]
    assert tick_labels(ax.get_legend().get_texts()) == ["single-task", "shared"]
    # Bars of a group sit side by side around the task's tick: width 0.8 / 2 = 0.4 each.
    assert [patch.get_x() + patch.get_width() / 2 for patch in ax.patches[:3]] == pytest.approx(
        [-0.2, 0.8, 1.8]
    )


def test_task_bars_single_series_has_no_legend() -> None:
    fig = plot_task_bars({"error": [1.0, 2.0]}, ["a", "b"], ylabel="MSE", title="Error")
    assert len(fig.axes[0].patches) == 2
    assert fig.axes[0].get_legend() is None


def test_task_bars_reject_bad_series() -> None:
    with pytest.raises(
        ValueError,
        match=r"series 'shared' must have one value per task \(3\), got shape \(2,\)",
    ):
        plot_task_bars({"shared": [1.0, 2.0]}, ["a", "b", "c"], ylabel="y", title="t")
    with pytest.raises(ValueError, match=r"values must hold at least one series"):
        plot_task_bars({}, ["a"], ylabel="y", title="t")


@pytest.mark.parametrize(
    ("values", "task_names", "error", "message"),
    [
        ({"a": ["p", "q"]}, ["x", "y"], TypeError, r"values\['a'\]\[0\] must be a number, got str"),
        (
            {"a": "pq"},
            ["x", "y"],
            TypeError,
            r"values\['a'\] must be a \(k,\) tensor or a sequence",
        ),
        (
            {"a": [1.0, None]},
            ["x", "y"],
            TypeError,
            r"values\['a'\]\[1\] must be a number, got NoneType None",
        ),
        (
            {"a": [1.0, True]},
            ["x", "y"],
            TypeError,
            r"values\['a'\]\[1\] must be a number, got bool",
        ),
        ({"a": torch.tensor([True, False])}, ["x", "y"], TypeError, "must hold real numbers"),
        (
            {"a": [1.0, float("nan")]},
            ["x", "y"],
            ValueError,
            r"values\['a'\] must be finite, got nan at index \(1,\)",
        ),
        ([[1.0, 2.0]], ["x", "y"], TypeError, "values must be a mapping of series name"),
        ({"a": [1.0, 2.0]}, "xy", TypeError, "task_names must be a list of names, got str 'xy'"),
    ],
)
def test_task_bars_reject_values_that_are_not_numbers(values, task_names, error, message) -> None:
    with pytest.raises(error, match=message):
        plot_task_bars(values, task_names, ylabel="y", title="t")


# ---------------------------------------------------------------- plot_heatmap


def test_heatmap_cells_colour_bar_and_labels() -> None:
    matrix = torch.tensor([[1.0, -0.5, 0.0], [0.25, 1.0, -2.0], [0.0, 0.5, 1.0]])
    fig = plot_heatmap(matrix, ["a", "b", "c"], title="Task affinity", colorbar_label="cosine")
    ax, colorbar_ax = fig.axes
    assert ax.get_title() == "Task affinity"
    assert colorbar_ax.get_ylabel() == "cosine"
    texts = tick_labels(ax.texts)
    assert len(texts) == 9
    assert texts[:3] == ["1.00", "-0.50", "0.00"]
    assert texts[5] == "-2.00"
    assert tick_labels(ax.get_xticklabels()) == ["a", "b", "c"]
    assert tick_labels(ax.get_yticklabels()) == ["a", "b", "c"]
    # The colour scale is symmetric around 0, out to the largest |entry| = 2.
    assert ax.images[0].get_clim() == (-2.0, 2.0)


def test_heatmap_custom_format_and_all_zero_matrix() -> None:
    fig = plot_heatmap(torch.zeros(2, 2), ["x", "y"], title="t", colorbar_label="c", fmt="{:.0f}")
    ax = fig.axes[0]
    assert tick_labels(ax.texts) == ["0", "0", "0", "0"]
    assert ax.images[0].get_clim() == (-1.0, 1.0)  # a zero matrix falls back to +-1


@pytest.mark.parametrize("shape", [(2, 3), (3, 3)])
def test_heatmap_rejects_non_square_or_mislabelled_matrices(shape: tuple[int, ...]) -> None:
    expected = r"matrix must be square with one row per label \(2\), got shape " + (
        str(shape).replace("(", r"\(").replace(")", r"\)")
    )
    with pytest.raises(ValueError, match=expected):
        plot_heatmap(torch.zeros(shape), ["a", "b"], title="t", colorbar_label="c")


def test_gain_by_size_draws_one_point_per_task_and_a_zero_line() -> None:
    sizes, gain = torch.tensor([2.0, 20.0, 200.0]), torch.tensor([0.5, -0.25, 0.0])
    fig = plot_gain_by_size(sizes, gain, "gain (MSE)", "Gain by size")
    ax = fig.axes[0]
    assert ax.get_title() == "Gain by size"
    assert ax.get_ylabel() == "gain (MSE)"
    assert ax.get_xscale() == "log"
    assert ax.collections[0].get_offsets().tolist() == [[2.0, 0.5], [20.0, -0.25], [200.0, 0.0]]
    assert list(ax.lines[0].get_ydata()) == [0.0, 0.0]


def test_gain_by_size_rejects_mismatched_shapes() -> None:
    with pytest.raises(ValueError, match=r"got \(3,\) and \(2,\)"):
        plot_gain_by_size(torch.ones(3), torch.ones(2), "gain", "title")


@pytest.mark.parametrize(
    ("sizes", "gain", "error", "message"),
    [
        ([1, 2], torch.ones(2), TypeError, r"sizes must be a torch\.Tensor, got list"),
        (torch.ones(2), [1.0, 2.0], TypeError, r"gain must be a torch\.Tensor, got list"),
        (torch.ones(2, 1), torch.ones(2), ValueError, r"sizes must have 1 dimension\(s\)"),
        (torch.ones(2), torch.ones(2, dtype=torch.int64), TypeError, "gain must have a floating"),
        (
            torch.ones(2),
            torch.tensor([0.0, float("nan")]),
            ValueError,
            r"gain must be finite, got nan at index \(1,\)",
        ),
        (
            torch.tensor([3, 0]),
            torch.ones(2),
            ValueError,
            r"sizes must be > 0 \(they are drawn on a log scale\), got 0 at index 1",
        ),
    ],
)
def test_gain_by_size_rejects_bad_input(sizes, gain, error, message) -> None:
    with pytest.raises(error, match=message):
        plot_gain_by_size(sizes, gain, "gain", "title")


@pytest.mark.parametrize(
    ("matrix", "labels", "error", "message"),
    [
        ([[1.0]], ["a"], TypeError, r"matrix must be a torch\.Tensor, got list"),
        (torch.zeros(3), ["a", "b"], ValueError, r"matrix must have 2 dimension\(s\), got shape"),
        (torch.ones(1, 1, dtype=torch.bool), ["a"], TypeError, "matrix must hold real numbers"),
        (torch.ones(1, 1), "a", TypeError, "labels must be a list of names, got str 'a'"),
        (
            torch.tensor([[1.0, math.inf], [0.0, 1.0]]),
            ["a", "b"],
            ValueError,
            r"matrix must be finite, got inf at index \(0, 1\)",
        ),
    ],
)
def test_heatmap_rejects_bad_input(matrix, labels, error, message) -> None:
    with pytest.raises(error, match=message):
        plot_heatmap(matrix, labels, title="t", colorbar_label="c")


def test_heatmap_can_scale_colours_by_the_off_diagonal_entries() -> None:
    matrix = torch.tensor([[10.0, 0.5], [-1.0, 10.0]])
    fig = plot_heatmap(matrix, ["a", "b"], "T", "value", scale_off_diagonal=True)
    image = fig.axes[0].images[0]
    assert image.get_clim() == (-1.0, 1.0)  # set by |-1.0|, not by the diagonal's 10
    assert [t.get_text() for t in fig.axes[0].texts] == ["10.00", "0.50", "-1.00", "10.00"]
