"""Render the stored notebooks as a book of HTML pages and as reveal.js slides, readable offline.

    python tools/build_book.py                # into _build/ (what `make book` runs)
    python tools/build_book.py --out DIR      # into DIR/

Writes ``book/index.html`` (every notebook in order, with its title), ``book/NN_name.html`` and
``slides/NN_name.slides.html``. The notebooks are not executed again: the pages show the stored
outputs and figures. Each H2 section becomes a slide; that slide layout is set on a copy in memory,
so the stored notebooks are untouched.

The pages load reveal.js, RequireJS, jQuery and MathJax from ``vendor/node_modules`` beside them
(pinned in ``VENDOR``, installed by npm on the first build), never from the network, so the folder
can be opened from disk or copied to a lecture-room laptop with no connection.
"""

from __future__ import annotations

import argparse
import html
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from jinja2 import DictLoader
from nbconvert import HTMLExporter, SlidesExporter

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
DEFAULT_OUT = ROOT / "_build"

# npm packages the pages load, at exact versions. nbconvert's reveal template expects the layout
# of reveal.js 4 and 5 (dist/reveal.js, plugin/notes/notes.js) and MathJax 2's API.
VENDOR = {
    "reveal.js": "5.2.1",
    "requirejs": "2.3.8",
    "jquery": "3.7.1",
    "mathjax": "2.7.9",
}
# Paths as the pages in book/ and slides/ see them.
VENDOR_URL = "../vendor/node_modules"
ASSET_URLS = {
    "require_js_url": f"{VENDOR_URL}/requirejs/require.js",
    "mathjax_url": f"{VENDOR_URL}/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
    "jquery_url": f"{VENDOR_URL}/jquery/dist/jquery.min.js",
}
REVEAL_URL = f"{VENDOR_URL}/reveal.js"

# nbconvert's templates load Mermaid from a CDN; no notebook draws a Mermaid diagram, so the two
# templates below drop that script (and build() refuses a notebook that has one).
OFFLINE_TEMPLATES = DictLoader(
    {
        "book_page.html.j2": (
            "{%- extends 'lab/index.html.j2' -%}\n"
            "{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}\n"
        ),
        "book_slides.html.j2": (
            "{%- extends 'reveal/index.html.j2' -%}\n"
            "{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}\n"
        ),
    }
)


def install_vendor(vendor_dir: Path) -> None:
    """Install the ``VENDOR`` packages with npm into ``vendor_dir/node_modules`` unless present."""
    wanted = [f"{name}@{version}" for name, version in VENDOR.items()]
    if all(_installed_version(vendor_dir, name) == version for name, version in VENDOR.items()):
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(f"npm is needed to install {', '.join(wanted)}: install Node.js")
    vendor_dir.mkdir(parents=True, exist_ok=True)
    options = ["--no-save", "--no-package-lock", "--ignore-scripts", "--no-audit", "--no-fund"]
    subprocess.run(
        [npm, "install", "--prefix", str(vendor_dir), *options, "--loglevel=error", *wanted],
        check=True,
    )
    for name, version in VENDOR.items():
        found = _installed_version(vendor_dir, name)
        if found != version:
            raise RuntimeError(f"npm installed {name} {found}, expected {version}")


def _installed_version(vendor_dir: Path, name: str) -> str | None:
    manifest = vendor_dir / "node_modules" / name / "package.json"
    if not manifest.is_file():
        return None
    return json.loads(manifest.read_text()).get("version")


def title_of(notebook: nbformat.NotebookNode, path: Path) -> str:
    """The notebook's H1 heading (``# 01 · What is a task?``), without the ``#``."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    raise ValueError(f"{path.name} has no '# ' title in its Markdown cells")


def as_slides(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``notebook`` whose title and each H2 section start a slide."""
    slides = nbformat.from_dict(json.loads(json.dumps(notebook)))
    for number, cell in enumerate(slides.cells):
        starts_section = cell.cell_type == "markdown" and cell.source.startswith("## ")
        slide_type = "slide" if number == 0 or starts_section else "-"
        cell.metadata["slideshow"] = {"slide_type": slide_type}
    return slides


def _read(path: Path) -> nbformat.NotebookNode:
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and "```mermaid" in cell.source:
            raise ValueError(f"{path.name} draws a Mermaid diagram; the book has no local Mermaid")
    # Saved widget state would make the page fetch the widget renderer from a CDN; every widget
    # has a static figure beside it, which is what a reader of the page sees.
    notebook.metadata.pop("widgets", None)
    return notebook


def build(out: Path) -> list[tuple[str, str]]:
    """Write the book and slides into ``out``; return ``[(file stem, title), ...]`` in order."""
    notebooks = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
    if not notebooks:
        raise FileNotFoundError(f"no notebooks in {NOTEBOOK_DIR}")
    install_vendor(out / "vendor")
    book_dir, slides_dir = out / "book", out / "slides"
    book_dir.mkdir(parents=True, exist_ok=True)
    slides_dir.mkdir(parents=True, exist_ok=True)

    page_exporter = HTMLExporter(
        extra_loaders=[OFFLINE_TEMPLATES], template_file="book_page.html.j2", **ASSET_URLS
    )
    slides_exporter = SlidesExporter(
        extra_loaders=[OFFLINE_TEMPLATES],
        template_file="book_slides.html.j2",
        reveal_url_prefix=REVEAL_URL,
        # "white" uses the fonts reveal.js ships; the default theme ("simple") loads web fonts.
        reveal_theme="white",
        reveal_scroll=True,
        **ASSET_URLS,
    )
    contents = []
    for path in notebooks:
        notebook = _read(path)
        title = title_of(notebook, path)
        resources = {"metadata": {"name": title}}
        page, _ = page_exporter.from_notebook_node(notebook, resources=dict(resources))
        (book_dir / f"{path.stem}.html").write_text(page, encoding="utf-8")
        slides, _ = slides_exporter.from_notebook_node(as_slides(notebook), resources=resources)
        (slides_dir / f"{path.stem}.slides.html").write_text(slides, encoding="utf-8")
        contents.append((path.stem, title))
    (book_dir / "index.html").write_text(index_page(contents), encoding="utf-8")
    return contents


def index_page(contents: list[tuple[str, str]]) -> str:
    """The book's front page: each notebook's title linking to its page, and to its slides."""
    rows = "\n".join(
        f'  <li><a href="{html.escape(stem)}.html">{html.escape(title)}</a>'
        f' (<a href="../slides/{html.escape(stem)}.slides.html">slides</a>)</li>'
        for stem, title in contents
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Multi-task learning in PyTorch: the notebooks</title>
<style>
  body {{ font-family: sans-serif; max-width: 46rem; margin: 2rem auto; line-height: 1.5; }}
  li {{ margin: 0.4rem 0; }}
</style>
</head>
<body>
<h1>Multi-task learning in PyTorch</h1>
<p>The notebooks in reading order, with their stored outputs and figures. Each has a lecture
version as slides (arrow keys move between sections).</p>
<ol>
{rows}
</ol>
</body>
</html>
"""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (_build)")
    args = parser.parse_args(argv)
    contents = build(args.out)
    print(f"{len(contents)} notebooks: {args.out / 'book' / 'index.html'}")
    print(f"slides: {args.out / 'slides'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
