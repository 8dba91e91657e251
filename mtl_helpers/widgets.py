"""Wire ipywidgets controls to a plain callback that returns a matplotlib figure.

Introduced in notebook 01. The callback is an ordinary function of keyword arguments, so a test
or a reader can call it directly; the widget only redraws its output when a control moves.
Slow work (training) belongs before the widget: the callback should look results up and draw.
"""

from __future__ import annotations

import inspect
import reprlib
from collections.abc import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import display
from matplotlib.figure import Figure


def _callback_name(callback: Callable[..., object]) -> str:
    return getattr(callback, "__qualname__", None) or type(callback).__name__


def _check_keywords(callback: Callable[..., object], names: list[str]) -> None:
    """Raise ValueError unless every name is a keyword of ``callback`` and every parameter of
    ``callback`` without a default has a control. Callbacks whose signature cannot be read
    (some built-ins) are not checked."""
    try:
        signature = inspect.signature(callback)
    except (TypeError, ValueError):
        return
    parameters = signature.parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        keywords = None
    else:
        keywords = [
            p.name
            for p in parameters
            if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        ]
    if keywords is not None:
        listed = ", ".join(repr(k) for k in keywords) or "none"
        for name in names:
            if name not in keywords:
                raise ValueError(
                    f"control {name!r} is not a keyword of the callback "
                    f"{_callback_name(callback)}; its keyword parameters are: {listed}"
                )
    for p in parameters:
        needs_value = p.default is inspect.Parameter.empty and p.kind not in (
            inspect.Parameter.VAR_POSITIONAL,
            inspect.Parameter.VAR_KEYWORD,
        )
        if needs_value and p.name not in names:
            raise ValueError(
                f"the callback {_callback_name(callback)}'s parameter {p.name!r} has no default, "
                f"so it needs a control of that name; got controls: "
                f"{', '.join(repr(n) for n in names)}"
            )


def _check_figure(callback: Callable[..., object], result: object) -> Figure:
    if not isinstance(result, Figure):
        raise TypeError(
            f"the callback {_callback_name(callback)} must return a matplotlib Figure, got "
            f"{type(result).__name__} {reprlib.repr(result)}"
        )
    return result


def interactive_figure(
    callback: Callable[..., Figure], **controls: widgets.ValueWidget
) -> widgets.VBox:
    """A box with ``controls`` above the figure that ``callback(**values)`` returns.

    Each control's ``value`` is passed under its keyword; the figure is redrawn on every change.
    Every control must be named after a keyword parameter of ``callback``, and every parameter
    without a default needs a control. The first figure is drawn here, so a callback that fails
    or returns something other than a matplotlib ``Figure`` raises before the box is returned.
    """
    if not callable(callback):
        raise TypeError(
            f"callback must be callable (a function returning a Figure), got "
            f"{type(callback).__name__} {callback!r}"
        )
    if not controls:
        raise ValueError("interactive_figure needs at least one control, got none")
    for name, control in controls.items():
        if not isinstance(control, widgets.ValueWidget):
            raise TypeError(
                f"control {name!r} must be an ipywidgets value widget, got {type(control).__name__}"
            )
    _check_keywords(callback, list(controls))
    output = widgets.Output()

    def values() -> dict[str, object]:
        return {name: control.value for name, control in controls.items()}

    def show(figure: Figure) -> None:
        display(figure)
        plt.close(figure)

    def redraw(change: object = None) -> None:
        # Inside the output area, so that in a notebook an error appears where the figure would.
        with output:
            output.clear_output(wait=True)
            show(_check_figure(callback, callback(**values())))

    # The first draw runs outside the output area, whose context would swallow its error.
    first = _check_figure(callback, callback(**values()))
    with output:
        show(first)
    for control in controls.values():
        control.observe(redraw, names="value")
    return widgets.VBox([widgets.HBox(list(controls.values())), output])
