"""Helpers for the multi-task learning notebooks.

One module per idea; each module's docstring names the notebook that introduces it. Notebooks
import what they need from the modules directly, e.g. ``from mtl_helpers.data import
load_digits``.
"""

__version__ = "0.1.0"
