"""Every notebook is built from its source, executed in order, and has the collection's skeleton.

nbval (run by the same pytest command) re-executes each notebook and compares its outputs; these
tests check what nbval does not: that the stored notebook matches its source, and the habits of
CONTRIBUTING.md.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from notebook_source import NOTEBOOK_DIR, SOURCE_DIR, notebook_path, read_cells  # noqa: E402

SOURCES = sorted(SOURCE_DIR.glob("*.py"))
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
REQUIRED_HEADINGS = ["Learning goals", "Before you start", "Summary", "Exercises", "References"]
IGNORE_MARKER = "# NBVAL_IGNORE_OUTPUT"
# A path such as /home/user/... or C:\Users\... in an output ties it to one machine.
MACHINE_PATH = re.compile(r"(?<![\w.:/])/(?:home|root|tmp|usr|work|Users)/|[A-Z]:\\\\")


def _text(value: str | list[str]) -> str:
    return "".join(value) if isinstance(value, list) else value


def _load(path: Path) -> dict:
    return json.loads(path.read_text())


def test_there_are_notebooks() -> None:
    assert len(SOURCES) >= 2, f"expected notebook sources in {SOURCE_DIR}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_has_a_source(notebook: Path) -> None:
    assert (SOURCE_DIR / f"{notebook.stem}.py").is_file(), (
        f"{notebook.name} has no source notebooks/src/{notebook.stem}.py"
    )


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
class TestNotebook:
    def test_matches_its_source(self, source: Path) -> None:
        path = notebook_path(source)
        assert path.is_file(), f"{path.name} is missing: run `make notebooks NB={source.stem[:2]}`"
        stored = [(c["cell_type"], _text(c["source"])) for c in _load(path)["cells"]]
        assert stored == read_cells(source), (
            f"{path.name} differs from its source: run `make notebooks NB={source.stem[:2]}`"
        )

    def test_executed_in_order_without_errors(self, source: Path) -> None:
        notebook = _load(notebook_path(source))
        assert notebook["metadata"]["kernelspec"]["name"] == "python3"
        code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
        assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1))
        for cell in code:
            for output in cell["outputs"]:
                assert output["output_type"] != "error", (
                    f"cell {cell['execution_count']} stores an error: {output.get('ename')}"
                )
                blob = json.dumps(output.get("text", "")) + json.dumps(output.get("data", {}))
                assert not MACHINE_PATH.search(blob.replace("image/png", "")), (
                    f"cell {cell['execution_count']} shows a machine-specific path"
                )

    def test_has_the_skeleton(self, source: Path) -> None:
        cells = read_cells(source)
        markdown = "\n".join(text for kind, text in cells if kind == "markdown")
        assert cells[0][0] == "markdown" and cells[0][1].startswith("# "), "starts with a title"
        for heading in REQUIRED_HEADINGS:
            assert re.search(rf"^## {heading}", markdown, re.M), f"no '## {heading}' heading"
        references = markdown.split("## References", 1)[1]
        assert re.search(r"\((19|20)\d\d\)", references), "references give years"
        code = [text for kind, text in cells if kind == "code"]
        assert "setup(" in code[0], "the first code cell is the set-up cell"
        assert any("nb" in text and "check_" in text for text in code), "exercises are checked"

    def test_has_a_widget_and_markers_only_where_allowed(self, source: Path) -> None:
        code = [text for kind, text in read_cells(source) if kind == "code"]
        widget_cells = [text for text in code if "interactive_figure(" in text]
        assert widget_cells, "no interactive_figure widget"
        for text in code:
            if IGNORE_MARKER in text:
                assert text.startswith(IGNORE_MARKER), "the marker is the cell's first line"
                assert "interactive_figure(" in text or "perf_counter" in text, (
                    "output markers are only for widget displays and timings:\n" + text[:200]
                )

    def test_is_small(self, source: Path) -> None:
        size = notebook_path(source).stat().st_size
        assert size < 2_000_000, f"{size} bytes: shrink the figures"
