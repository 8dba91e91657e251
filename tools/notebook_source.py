"""Read a notebook's plain-Python source (``notebooks/src/NN_name.py``) as a list of cells.

The source uses the "percent" layout: a line ``# %%`` starts a code cell and ``# %% [markdown]``
a Markdown cell whose lines are written as comments (``# text``). The stored ``.ipynb`` is built
from it by ``tools/build_notebooks.py`` and checked against it by ``tests/test_notebooks.py``.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = ROOT / "notebooks" / "src"
NOTEBOOK_DIR = ROOT / "notebooks"


def read_cells(path: Path) -> list[tuple[str, str]]:
    """Return ``[(cell_type, source), ...]`` for a percent-format file."""
    cells: list[tuple[str, list[str]]] = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if line.startswith("# %%"):
            kind = "markdown" if line.strip() == "# %% [markdown]" else "code"
            if line.strip() not in ("# %%", "# %% [markdown]"):
                raise ValueError(f"{path.name}:{number}: unknown cell marker {line!r}")
            cells.append((kind, []))
            continue
        if not cells:
            if line.strip():
                raise ValueError(f"{path.name}:{number}: text before the first cell marker")
            continue
        kind, lines = cells[-1]
        if kind == "markdown":
            if line and not line.startswith("#"):
                raise ValueError(f"{path.name}:{number}: Markdown lines must start with '#'")
            line = line[2:] if line.startswith("# ") else line[1:]
        lines.append(line)
    return [(kind, "\n".join(lines).strip("\n")) for kind, lines in cells]


def notebook_path(source: Path) -> Path:
    """Where the notebook built from ``source`` is stored."""
    return NOTEBOOK_DIR / (source.stem + ".ipynb")
