"""Wire ipywidgets controls to a plain callback that returns a matplotlib figure.

Introduced in notebook 01. The callback is an ordinary function of keyword arguments, so a test
or a reader can call it directly; the widget only redraws its output when a control moves.
Slow work (training) belongs before the widget: the callback should look results up and draw.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import display
from matplotlib.figure import Figure


def interactive_figure(
    callback: Callable[..., Figure], **controls: widgets.ValueWidget
) -> widgets.VBox:
    """A box with ``controls`` above the figure that ``callback(**values)`` returns.

    Each control's ``value`` is passed under its keyword; the figure is redrawn on every change.
    """
    if not controls:
        raise ValueError("interactive_figure needs at least one control, got none")
    for name, control in controls.items():
        if not isinstance(control, widgets.ValueWidget):
            raise TypeError(
                f"control {name!r} must be an ipywidgets value widget, got {type(control).__name__}"
            )
    output = widgets.Output()

    def redraw(change: object = None) -> None:
        values = {name: control.value for name, control in controls.items()}
        with output:
            output.clear_output(wait=True)
            figure = callback(**values)
            display(figure)
            plt.close(figure)

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox(list(controls.values())), output])
