"""The rendered book and slides (tools/build_book.py): every notebook is in them, offline.

The book is built once into a temporary folder. Each stored notebook must appear in the index, in
order and under its title, with an HTML page showing its stored figures and a slides page; no page
or style sheet may load a script, style, font or image from the network (a link that a reader
clicks may point anywhere). npm installs the pinned reveal.js and MathJax: without npm the tests
are skipped, except under CI=true, where that is a failure.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import build_book  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
OFF_MACHINE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.I)  # http://, https://, //host, ...
# In inline scripts: module imports and quoted paths of scripts or style sheets (require([...])).
SCRIPT_REFERENCE = re.compile(
    r"""import\s*(?:[^'"]*?\bfrom\s*)?\(?\s*["']([^"']+)["']"""
    r"""|["']([^"'\s]+\.(?:m?js|css))(?:\?[^"']*)?["']"""
)
CSS_REFERENCE = re.compile(r"""@import\s+(?:url\()?\s*["']?([^"')\s;]+)|url\(\s*["']?([^"')]+)""")
CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)

pytestmark = pytest.mark.book


class _References(HTMLParser):
    """What a page loads by itself (not what a reader may click): ``(tag, url)`` pairs."""

    LOADED: ClassVar[set[tuple[str, str]]] = {
        ("script", "src"),
        ("link", "href"),
        ("img", "src"),
        ("iframe", "src"),
        ("embed", "src"),
        ("source", "src"),
        ("video", "src"),
        ("audio", "src"),
        ("object", "data"),
    }

    def __init__(self) -> None:
        super().__init__()
        self.loaded: list[tuple[str, str]] = []
        self.clicked: list[str] = []
        self._inside: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and (tag, name) in self.LOADED:
                self.loaded.append((tag, value))
            elif value and tag == "a" and name == "href":
                self.clicked.append(value)
        self._inside = tag if tag in ("script", "style") else None

    def handle_endtag(self, tag: str) -> None:
        self._inside = None

    def handle_data(self, data: str) -> None:
        if self._inside == "script":
            for match in SCRIPT_REFERENCE.finditer(data):
                self.loaded.append(("inline script", match.group(1) or match.group(2)))
        elif self._inside == "style":
            self.loaded.extend(("inline style", url) for url in _css_references(data))


def _css_references(css: str) -> list[str]:
    css = CSS_COMMENT.sub("", css)
    return [m.group(1) or m.group(2) for m in CSS_REFERENCE.finditer(css)]


def _title_of_page(text: str) -> str:
    match = re.search(r"<title>(.*?)</title>", text, re.S)
    assert match, "the page has no <title>"
    return html.unescape(match.group(1))


def _local_file(base: Path, url: str) -> Path:
    return (base.parent / url.split("#", 1)[0].split("?", 1)[0]).resolve()


def _off_machine_references(page: Path) -> list[str]:
    """Every network address that ``page``, or a local style sheet it loads, would fetch.

    Local files that are referenced must exist; style sheets are followed through @import.
    """
    parser = _References()
    parser.feed(page.read_text(encoding="utf-8"))
    found, to_read, seen = [], [(page, ref) for _, ref in parser.loaded], set()
    while to_read:
        base, url = to_read.pop()
        if url.startswith(("data:", "#")) or not url.strip():
            continue
        if OFF_MACHINE.match(url):
            found.append(f"{base.name}: {url}")
            continue
        path = _local_file(base, url)
        assert path.is_file(), f"{base.name} refers to {url}, which is not in the build"
        if path.suffix == ".css" and path not in seen:
            seen.add(path)
            css = path.read_text(encoding="utf-8", errors="replace")
            to_read.extend((path, ref) for ref in _css_references(css))
    return found


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The book and slides built from the stored notebooks into a temporary folder."""
    if shutil.which("npm") is None:
        reason = "npm is needed to install the pinned reveal.js and MathJax the pages load"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must have npm: {reason}")
        pytest.skip(reason)
    out = tmp_path_factory.mktemp("book")
    build_book.build(out)
    return out


def test_index_lists_every_notebook_in_order_under_its_title(book: Path) -> None:
    parser = _References()
    parser.feed((book / "book" / "index.html").read_text(encoding="utf-8"))
    pages = [href for href in parser.clicked if not href.startswith("../slides/")]
    slides = [href for href in parser.clicked if href.startswith("../slides/")]
    assert pages == [f"{path.stem}.html" for path in NOTEBOOKS]
    assert slides == [f"../slides/{path.stem}.slides.html" for path in NOTEBOOKS]
    index = (book / "book" / "index.html").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        title = build_book.title_of(nbformat.read(path, as_version=4), path)
        assert f">{html.escape(title)}</a>" in index, f"the index lacks the title {title!r}"
    assert _off_machine_references(book / "book" / "index.html") == []


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_has_a_page_with_its_figures_and_slides(book: Path, notebook: Path) -> None:
    stored = nbformat.read(notebook, as_version=4)
    title = build_book.title_of(stored, notebook)
    page = book / "book" / f"{notebook.stem}.html"
    slides = book / "slides" / f"{notebook.stem}.slides.html"
    assert page.is_file(), f"no page for {notebook.name}"
    assert slides.is_file(), f"no slides for {notebook.name}"
    page_text, slides_text = page.read_text(encoding="utf-8"), slides.read_text(encoding="utf-8")
    assert _title_of_page(page_text) == title
    assert _title_of_page(slides_text) == f"{title} slides"
    # The stored figures are shown, not re-made: an embedded PNG for each stored PNG output.
    figures = sum(
        "image/png" in output.get("data", {})
        for cell in stored.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )
    assert page_text.count('src="data:image/png;base64,') >= figures > 0
    sections = sum(
        cell.cell_type == "markdown" and cell.source.startswith("## ") for cell in stored.cells
    )
    assert slides_text.count("<section") == 2 * (1 + sections), "title and each H2 start a slide"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_pages_load_nothing_from_the_network(book: Path, notebook: Path) -> None:
    page = book / "book" / f"{notebook.stem}.html"
    slides = book / "slides" / f"{notebook.stem}.slides.html"
    assert _off_machine_references(page) == []
    assert _off_machine_references(slides) == []
    # The slides really load the local reveal.js: its script, style sheets and notes plugin.
    for url in (
        "dist/reveal.js",
        "dist/reveal.css",
        "dist/theme/white.css",
        "plugin/notes/notes.js",
    ):
        assert f"{build_book.REVEAL_URL}/{url}" in slides.read_text(encoding="utf-8")


def test_the_reference_finder_sees_network_loads() -> None:
    # The offline checks above are only as good as this parser: feed it a page that loads from
    # the network in each way nbconvert's templates do, and one link that a reader clicks.
    parser = _References()
    parser.feed(
        '<link rel="stylesheet" href="https://cdn.example/a.css">'
        '<script src="//cdn.example/b.js"></script>'
        "<script>require(['https://cdn.example/c.js'], f);"
        "import m from 'https://cdn.example/d.mjs'; await import(\"https://cdn.example/e.mjs\")"
        "</script><style>/* https://in.a/comment.css */ @import url(https://fonts.example/f);"
        ' p { background: url("https://cdn.example/g.png") }</style>'
        '<a href="https://example.org/paper">a paper</a>'
    )
    loaded = [url for _, url in parser.loaded]
    assert loaded == [
        "https://cdn.example/a.css",
        "//cdn.example/b.js",
        "https://cdn.example/c.js",
        "https://cdn.example/d.mjs",
        "https://cdn.example/e.mjs",
        "https://fonts.example/f",
        "https://cdn.example/g.png",
    ]
    assert all(OFF_MACHINE.match(url) for url in loaded)
    assert parser.clicked == ["https://example.org/paper"]
    assert not OFF_MACHINE.match("../vendor/node_modules/reveal.js/dist/reveal.js")


def _notebook(*cells: nbformat.NotebookNode) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = list(cells)
    return notebook


def test_slides_start_at_the_title_and_at_each_h2_without_changing_the_notebook() -> None:
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    notebook = _notebook(
        md("# 01 · Title\n\n## Learning goals"),  # the first cell: a slide
        md("Text"),
        md("## 1. First"),  # an H2 at the start of a cell: a slide
        code("x = 1"),
        md("Some text\n## Not at the start"),  # an H2 inside a cell continues the slide
        md("### A subsection"),
        md("## Summary"),
    )
    slides = build_book.as_slides(notebook)
    kinds = [cell.metadata["slideshow"]["slide_type"] for cell in slides.cells]
    assert kinds == ["slide", "-", "slide", "-", "-", "-", "slide"]
    assert all("slideshow" not in cell.metadata for cell in notebook.cells)


def test_title_of_reads_the_h1_and_refuses_a_notebook_without_one(tmp_path: Path) -> None:
    md = nbformat.v4.new_markdown_cell
    titled = _notebook(nbformat.v4.new_code_cell("# a comment"), md("Intro\n# 02 · Two"))
    assert build_book.title_of(titled, tmp_path / "02_two.ipynb") == "02 · Two"
    untitled = _notebook(md("## Only an H2"))
    with pytest.raises(ValueError, match=r"03_none\.ipynb has no '# ' title"):
        build_book.title_of(untitled, tmp_path / "03_none.ipynb")


def test_a_mermaid_diagram_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "04_mermaid.ipynb"
    nbformat.write(_notebook(nbformat.v4.new_markdown_cell("```mermaid\ngraph LR\n```")), path)
    with pytest.raises(ValueError, match=r"04_mermaid\.ipynb draws a Mermaid diagram"):
        build_book._read(path)


def test_widget_state_is_dropped_from_the_page(tmp_path: Path) -> None:
    path = tmp_path / "05_widgets.ipynb"
    notebook = _notebook(nbformat.v4.new_markdown_cell("# 05 · Widgets"))
    notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    nbformat.write(notebook, path)
    assert "widgets" not in build_book._read(path).metadata


def test_without_npm_the_vendor_install_says_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build_book.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match=r"npm is needed to install reveal\.js@5\.2\.1"):
        build_book.install_vendor(tmp_path / "vendor")
