"""Print each notebook's seconds, peak kernel memory and widget-callback time, then the rest.

    python benchmarks/run_all.py            # notebooks, then every benchmarks/bench_*.py
    python benchmarks/run_all.py --suite    # also time the whole test command (make test)
    python benchmarks/run_all.py 03 04      # only notebooks whose names start with 03 or 04

Each notebook runs in a fresh kernel, as nbval runs it; peak memory is the kernel process's
maximum resident set size, read inside the kernel after the last cell. Figures depend on the
machine and on what else it is doing: they are printed, never asserted.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
# Every notebook names its widget callback ``explore``; time it with its default arguments,
# including rendering the figure to PNG as the widget's output area does; the median of three
# calls is reported, so the first call's one-off costs (fonts, caches) do not count.
CALLBACK_CELL = (
    "import io as _io, time as _time\n"
    "_seconds = []\n"
    "for _ in range(3):\n"
    "    _start = _time.perf_counter()\n"
    "    _figure = explore()\n"
    "    _figure.savefig(_io.BytesIO(), format='png')\n"
    "    plt.close(_figure)\n"
    "    _seconds.append(_time.perf_counter() - _start)\n"
    "print(sorted(_seconds)[1])"
)
PEAK_CELL = (
    "import resource, sys\n"
    "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "print(peak / (2**20 if sys.platform == 'darwin' else 2**10))"
)


def run_notebook(path: Path) -> tuple[float, float, float]:
    """Execute ``path`` in a fresh kernel.

    Returns (seconds for the notebook's own cells, peak kernel memory in MB, median of three
    calls of the widget callback in seconds).
    """
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(PEAK_CELL))
    notebook.cells.append(nbformat.v4.new_code_cell(CALLBACK_CELL))
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    peak_mb = float("".join(notebook.cells[-2].outputs[0]["text"]).strip())
    callback_seconds = float("".join(notebook.cells[-1].outputs[0]["text"]).strip())
    return seconds - 3 * callback_seconds, peak_mb, callback_seconds


def main(arguments: list[str]) -> int:
    suite = "--suite" in arguments
    prefixes = [a for a in arguments if not a.startswith("--")]
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    if prefixes:
        notebooks = [n for n in notebooks if any(n.name.startswith(p) for p in prefixes)]
    print(f"{'notebook':32s} {'seconds':>8s} {'peak MB':>8s} {'callback s':>10s}")
    total = 0.0
    for path in notebooks:
        seconds, peak_mb, callback_seconds = run_notebook(path)
        total += seconds
        print(f"{path.stem:32s} {seconds:8.1f} {peak_mb:8.0f} {callback_seconds:10.3f}", flush=True)
    print(f"{'all notebooks':32s} {total:8.1f}")
    if suite:
        start = time.perf_counter()
        result = subprocess.run(["make", "test"], cwd=ROOT, capture_output=True, text=True)
        print(
            f"whole test command (make test): {time.perf_counter() - start:.1f} s, "
            f"exit code {result.returncode}"
        )
    for script in sorted((ROOT / "benchmarks").glob("bench_*.py")):
        print(f"\n== {script.name}", flush=True)
        subprocess.run([sys.executable, str(script)], cwd=ROOT, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
