"""Tests for mtl_helpers.widgets: the callback runs at creation and on every change."""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from mtl_helpers.widgets import interactive_figure


class RecordingCallback:
    """A plain callback that remembers its keyword arguments and returns a small figure."""

    def __init__(self) -> None:
        self.calls: list[dict[str, object]] = []
        self.figures: list[Figure] = []

    def __call__(self, **values: object) -> Figure:
        self.calls.append(values)
        fig, ax = plt.subplots(figsize=(2, 2))
        ax.set_title(f"call {len(self.calls)}")
        self.figures.append(fig)
        return fig


def test_callback_runs_once_at_creation_with_the_controls_values() -> None:
    callback = RecordingCallback()
    steps = widgets.IntSlider(value=3, min=1, max=10)
    shared = widgets.Checkbox(value=True)
    box = interactive_figure(callback, steps=steps, shared=shared)
    assert callback.calls == [{"steps": 3, "shared": True}]
    assert isinstance(box, widgets.VBox)
    controls, output = box.children
    assert isinstance(controls, widgets.HBox)
    assert list(controls.children) == [steps, shared]
    assert isinstance(output, widgets.Output)


def test_callback_runs_again_when_a_control_changes() -> None:
    callback = RecordingCallback()
    steps = widgets.IntSlider(value=3, min=1, max=10)
    method = widgets.Dropdown(options=["mean", "pcgrad"], value="mean")
    interactive_figure(callback, steps=steps, method=method)
    steps.value = 7
    method.value = "pcgrad"
    assert callback.calls == [
        {"steps": 3, "method": "mean"},
        {"steps": 7, "method": "mean"},
        {"steps": 7, "method": "pcgrad"},
    ]
    # Setting the same value again is not a change, so it draws nothing new.
    steps.value = 7
    assert len(callback.calls) == 3


def test_drawn_figures_are_closed() -> None:
    callback = RecordingCallback()
    slider = widgets.FloatSlider(value=0.5, min=0.0, max=1.0)
    interactive_figure(callback, lr=slider)
    slider.value = 0.25
    assert len(callback.figures) == 2
    open_numbers = set(plt.get_fignums())
    assert all(fig.number not in open_numbers for fig in callback.figures)


def test_needs_at_least_one_control() -> None:
    callback = RecordingCallback()
    with pytest.raises(ValueError, match=r"interactive_figure needs at least one control"):
        interactive_figure(callback)
    assert callback.calls == []


@pytest.mark.parametrize(
    ("control", "type_name"), [(3, "int"), (widgets.Button(description="go"), "Button")]
)
def test_rejects_controls_that_are_not_value_widgets(control: object, type_name: str) -> None:
    callback = RecordingCallback()
    with pytest.raises(
        TypeError, match=rf"control 'steps' must be an ipywidgets value widget, got {type_name}"
    ):
        interactive_figure(callback, steps=control)
    assert callback.calls == []


def test_rejects_a_callback_that_is_not_callable() -> None:
    with pytest.raises(
        TypeError, match=r"callback must be callable \(a function returning a Figure\), got str 'f'"
    ):
        interactive_figure("f", n=widgets.IntSlider())


def test_rejects_a_control_that_is_not_a_keyword_of_the_callback() -> None:
    def explore(steps: int = 3, shared: bool = True) -> Figure:
        raise AssertionError("not called: the names are checked first")

    with pytest.raises(
        ValueError,
        match=r"control 'step' is not a keyword of the callback .*explore; its keyword "
        r"parameters are: 'steps', 'shared'",
    ):
        interactive_figure(explore, step=widgets.IntSlider())


def test_rejects_a_callback_parameter_without_default_or_control() -> None:
    def explore(steps: int, shared: bool) -> Figure:
        raise AssertionError("not called: the names are checked first")

    with pytest.raises(
        ValueError,
        match=r"the callback .*explore's parameter 'shared' has no default, so it needs a "
        r"control of that name; got controls: 'steps'",
    ):
        interactive_figure(explore, steps=widgets.IntSlider())


def test_a_callback_taking_any_keyword_accepts_every_control_name() -> None:
    callback = RecordingCallback()  # __call__(**values)
    interactive_figure(callback, anything=widgets.IntSlider(value=2))
    assert callback.calls == [{"anything": 2}]


@pytest.mark.parametrize(
    ("returned", "shown"), [(None, "NoneType None"), ("figure", "str 'figure'")]
)
def test_a_callback_that_returns_no_figure_raises_at_the_first_draw(returned, shown) -> None:
    calls = []

    def explore(n: int = 0) -> Figure:
        calls.append(n)
        return returned

    with pytest.raises(
        TypeError, match=rf"the callback .*explore must return a matplotlib Figure, got {shown}"
    ):
        interactive_figure(explore, n=widgets.IntSlider(value=4))
    assert calls == [4]


def test_a_callback_that_stops_returning_a_figure_raises_on_redraw() -> None:
    def explore(n: int = 0) -> Figure:
        return plt.figure() if n < 5 else plt.gca()

    slider = widgets.IntSlider(value=1, max=10)
    interactive_figure(explore, n=slider)
    with pytest.raises(TypeError, match=r"must return a matplotlib Figure, got Axes"):
        slider.value = 6
