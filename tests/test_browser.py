"""A learner's session, played in a real browser: JupyterLab runs a notebook and its widget answers.

`make lab` starts JupyterLab on a free port of 127.0.0.1, headless Chromium (Debian's package,
driven by Playwright) opens notebook 01, runs every cell, and moves the widget's slider. The test
checks that every cell ran, that no cell shows a traceback, that the slider redraws the figure,
and that the page asked for nothing off this machine. Run it alone with
`.venv/bin/python -m pytest -m browser`. Without Chromium it is skipped, except under CI=true,
where a missing browser is a failure.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = "01_what_is_a_task.ipynb"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# The flags keep Chromium from calling home: with no network but the loopback, its background
# services would only try, fail and slow the start.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-proxy-server",
]
# A fresh JupyterLab asks which kernel to start and may save the notebook on its own; these user
# settings (in a temporary folder) start the notebook's kernel, never write the stored notebook,
# fetch no news, and keep every cell in the page so that the test can read all of them.
USER_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {
        "autoStartDefaultKernel": True,
        "windowingMode": "none",
    },
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}
SERVER_START_SECONDS = 90
RUN_ALL_SECONDS = 120
WIDGET_SECONDS = 30
# The visible notebook's code cells; a prompt reads "[ ]:" before a run, "[*]:" while queued or
# running and "[7]:" once done.
PROMPTS_JS = """() => {
    const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    return panel ? [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
        .map(prompt => prompt.textContent.trim()) : [];
}"""
# An error output is rendered as stderr text holding the traceback.
TRACEBACKS_JS = """() => [...document.querySelectorAll(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
    .map(output => output.textContent)
    .filter(text => /Traceback|^\\w*(Error|Exception)\\b/m.test(text))"""
WIDGET_IMAGE = ".widget-output .jp-OutputArea-output img"

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Lab:
    """A running JupyterLab: its base URL, token and log file."""

    url: str
    token: str
    log: Path


def _require_chromium() -> None:
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return
    reason = f"no Chromium at {CHROMIUM}: install Debian's chromium or set CHROMIUM to its path"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must have the browser: {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on: the one the system hands out for port 0."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _write_user_settings(config_dir: Path) -> None:
    for plugin, values in USER_SETTINGS.items():
        path = config_dir / "lab" / "user-settings" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


def _wait_until_serving(make: subprocess.Popen, lab: Lab) -> None:
    # No proxy: the request must go straight to the loopback, whatever the environment says.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(
        f"{lab.url}/api/status", headers={"Authorization": f"token {lab.token}"}
    )
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if make.poll() is not None:
            pytest.fail(f"`make lab` exited with {make.returncode}:\n{lab.log.read_text()[-3000:]}")
        try:
            with opener.open(request, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    pytest.fail(
        f"JupyterLab did not answer within {SERVER_START_SECONDS} s:\n{lab.log.read_text()}"
    )


def _stop(make: subprocess.Popen) -> None:
    """End `make`, JupyterLab and every kernel it started (kernels run in sessions of their own)."""
    try:
        processes = [psutil.Process(make.pid), *psutil.Process(make.pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        processes = []
    try:
        # JupyterLab shuts its kernels down when it is asked to stop.
        os.killpg(make.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    _, alive = psutil.wait_procs(processes, timeout=20)
    for process in alive:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=10)
    make.wait(timeout=10)


@pytest.fixture
def jupyter_lab(tmp_path: Path) -> Iterator[Lab]:
    """`make lab` on a free port, with its own Jupyter folders under ``tmp_path``."""
    _require_chromium()
    jupyter = tmp_path / "jupyter"
    config_dir = jupyter / "config"
    _write_user_settings(config_dir)
    env = dict(os.environ)
    # The test suite draws with Agg; a learner's kernel uses the notebook's inline backend. And
    # `make lab` runs as a learner types it, not as a sub-make of `make test`.
    for name in ("MPLBACKEND", "MAKEFLAGS", "MFLAGS", "MAKELEVEL"):
        env.pop(name, None)
    env.update(
        JUPYTER_CONFIG_DIR=str(config_dir),
        JUPYTER_DATA_DIR=str(jupyter / "data"),
        JUPYTER_RUNTIME_DIR=str(jupyter / "runtime"),
        IPYTHONDIR=str(jupyter / "ipython"),
    )
    port = _free_port()
    lab = Lab(url=f"http://127.0.0.1:{port}", token=secrets.token_hex(16), log=tmp_path / "lab.log")
    lab_args = [
        "--no-browser",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        "--ServerApp.ip=127.0.0.1",
        f"--IdentityProvider.token={lab.token}",
        # Nothing off this machine: no news feed, no update check, no extension index.
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
        # Checkpoints go to the temporary folder, not beside the stored notebooks.
        f"--FileCheckpoints.checkpoint_dir={jupyter / 'checkpoints'}",
    ]
    with lab.log.open("w") as log:
        make = subprocess.Popen(
            ["make", "--no-print-directory", "lab", f"LAB_ARGS={shlex.join(lab_args)}"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_until_serving(make, lab)
            yield lab
        finally:
            _stop(make)


def _click_menu(page, menu: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(rf"^{menu}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(rf"^{item}$")).click()


def test_notebook_runs_and_its_slider_redraws_the_figure(jupyter_lab: Lab, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    stored = ROOT / "notebooks" / NOTEBOOK
    digest_before = hashlib.sha256(stored.read_bytes()).hexdigest()
    off_machine: list[str] = []

    def only_this_lab(route) -> None:
        if route.request.url.startswith(jupyter_lab.url + "/"):
            route.continue_()
        else:
            off_machine.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1400, "height": 1000},
        )
        try:
            context.route("**/*", only_this_lab)
            page = context.pages[0] if context.pages else context.new_page()
            page.goto(f"{jupyter_lab.url}/lab/tree/{NOTEBOOK}?token={jupyter_lab.token}")
            page.wait_for_function(
                "() => [...document.querySelectorAll('.jp-Toolbar-kernelName')]"
                ".some(e => /Python/.test(e.textContent))",
                timeout=SERVER_START_SECONDS * 1000,
            )
            page.wait_for_selector(
                ".jp-Notebook-ExecutionIndicator[data-status='idle']",
                timeout=SERVER_START_SECONDS * 1000,
            )

            # Clear the stored outputs first, so that every numbered prompt afterwards is new.
            _click_menu(page, "Edit", "Clear Outputs of All Cells")
            page.wait_for_function(
                f"() => ({PROMPTS_JS})().every(p => p === '[ ]:')", timeout=10_000
            )
            prompts = page.evaluate(PROMPTS_JS)
            assert len(prompts) >= 5, f"the notebook shows only {len(prompts)} code cells"

            started = time.monotonic()
            _click_menu(page, "Run", "Run All Cells")
            # Done when nothing is queued or running and at least one cell has run.
            page.wait_for_function(
                f"""() => {{
                    const prompts = ({PROMPTS_JS})();
                    return !prompts.some(p => p.includes('*')) && prompts.some(p => /\\d/.test(p));
                }}""",
                timeout=RUN_ALL_SECONDS * 1000,
            )
            run_seconds = time.monotonic() - started
            page.screenshot(path=str(tmp_path / "after_run_all.png"))

            prompts = page.evaluate(PROMPTS_JS)
            assert prompts == [f"[{n}]:" for n in range(1, len(prompts) + 1)], (
                f"not every cell ran, in order: {prompts}"
            )
            assert page.evaluate(TRACEBACKS_JS) == [], "a cell shows an error"
            assert run_seconds < RUN_ALL_SECONDS

            # Move the slider one step with the keyboard, as a learner without a mouse would.
            image = page.locator(WIDGET_IMAGE)
            assert image.count() == 1, f"expected one figure in the widget, got {image.count()}"
            image.scroll_into_view_if_needed()
            figure_before = image.get_attribute("src")
            readout = page.locator(".widget-slider .widget-readout")
            value_before = readout.text_content()
            handle = page.locator(".widget-slider .noUi-handle")
            handle.focus()
            handle.press("ArrowRight")
            page.wait_for_function(
                "([selector, before]) => {"
                " const img = document.querySelector(selector);"
                " return img !== null && img.getAttribute('src') !== before; }",
                arg=[WIDGET_IMAGE, figure_before],
                timeout=WIDGET_SECONDS * 1000,
            )
            value_after = readout.text_content()
            assert value_after != value_before, f"the slider still reads {value_before}"
            assert page.locator(WIDGET_IMAGE).get_attribute("src") != figure_before
            assert page.evaluate(TRACEBACKS_JS) == [], "moving the slider raised an error"
            page.locator(".widget-vbox").first.screenshot(path=str(tmp_path / "widget.png"))
        finally:
            context.close()

    assert off_machine == [], f"the page asked for addresses off this machine: {off_machine}"
    digest_after = hashlib.sha256(stored.read_bytes()).hexdigest()
    assert digest_after == digest_before, f"the browser session changed {stored.name}"
