"""Build notebooks from ``notebooks/src/*.py`` and execute each top to bottom in a fresh kernel.

    python tools/build_notebooks.py            # every notebook
    python tools/build_notebooks.py 01 03      # those whose names start with 01 or 03

The executed notebook is written to ``notebooks/`` with its outputs, so that a rendered page shows
them and nbval can compare a re-run against them. Per-cell timing metadata is not recorded, and
widget state is dropped after execution (each widget has a static figure of its default
beside it, and a live kernel redraws the widget).
"""

from __future__ import annotations

import sys
import time

import nbformat
from nbclient import NotebookClient
from notebook_source import NOTEBOOK_DIR, SOURCE_DIR, notebook_path, read_cells


def build(source) -> float:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    notebook.metadata["language_info"] = {"name": "python"}
    for kind, text in read_cells(source):
        if kind == "markdown":
            notebook.cells.append(nbformat.v4.new_markdown_cell(text))
        else:
            notebook.cells.append(nbformat.v4.new_code_cell(text))
    for number, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{number:03d}"  # stable ids keep rebuilt notebooks' diffs small
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        record_timing=False,
        store_widget_state=True,
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    notebook.metadata.pop("widgets", None)
    nbformat.write(notebook, notebook_path(source))
    return seconds


def main(prefixes: list[str]) -> int:
    sources = sorted(SOURCE_DIR.glob("*.py"))
    if prefixes:
        sources = [s for s in sources if any(s.name.startswith(p) for p in prefixes)]
    if not sources:
        print(f"no notebook source in {SOURCE_DIR} matches {prefixes}", file=sys.stderr)
        return 1
    for source in sources:
        seconds = build(source)
        print(f"{source.stem}: executed in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
