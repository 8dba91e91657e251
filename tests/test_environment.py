"""environment.yml (conda and Binder) and pyproject.toml (pip) name the same dependencies."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
# conda-forge's name for a package where it differs from PyPI's.
CONDA_NAMES = {"torch": "pytorch"}
NOT_PACKAGES = {"python", "pip"}


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~\[;]", requirement.strip(), maxsplit=1)[0].lower()


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def _conda_and_pip_names() -> tuple[set[str], set[str]]:
    conda, pip = set(), set()
    for entry in _environment()["dependencies"]:
        if isinstance(entry, dict):
            pip |= {_name(r) for r in entry["pip"] if not r.startswith("-e")}
        else:
            conda.add(_name(entry))
    return conda - NOT_PACKAGES, pip


def test_environment_lists_every_runtime_and_test_dependency() -> None:
    project = _pyproject()["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    wanted |= {_name(r) for r in project["optional-dependencies"]["test"]}
    conda, pip = _conda_and_pip_names()
    listed = conda | pip
    missing = {CONDA_NAMES.get(n, n) for n in wanted} - {CONDA_NAMES.get(n, n) for n in listed}
    extra = {CONDA_NAMES.get(n, n) for n in listed} - {CONDA_NAMES.get(n, n) for n in wanted}
    assert not missing, f"environment.yml lacks {sorted(missing)}"
    assert not extra, f"environment.yml lists packages pyproject.toml does not: {sorted(extra)}"


def test_environment_pins_cpu_pytorch_matching_pyproject() -> None:
    torch_line = next(
        e for e in _environment()["dependencies"] if isinstance(e, str) and e.startswith("pytorch")
    )
    assert torch_line.endswith("=cpu*"), f"conda users should get the CPU build, got {torch_line}"
    pinned = next(r for r in _pyproject()["project"]["dependencies"] if _name(r) == "torch")
    assert "2.13" in torch_line and "2.13" in pinned


def test_binder_installs_the_package_after_the_environment() -> None:
    # repo2docker builds environment.yml before the repository is copied in, so a local path in
    # its pip section would fail there; postBuild, run afterwards, installs the package.
    pip_section = next(e for e in _environment()["dependencies"] if isinstance(e, dict))["pip"]
    local = [r for r in pip_section if r.startswith(("-e", ".", "/"))]
    assert not local, f"environment.yml installs local paths {local}; leave that to postBuild"
    post_build = ROOT / "postBuild"
    install = "python -m pip install --no-deps --editable ."
    assert post_build.stat().st_mode & 0o111, "postBuild must be executable for repo2docker"
    assert install in post_build.read_text().splitlines()
    # conda users run the same command, as README says.
    readme = (ROOT / "README.md").read_text()
    assert f"conda activate {_environment()['name']}\n{install}\n" in readme


def test_constraints_pin_every_dependency_exactly() -> None:
    lines = (ROOT / "requirements" / "constraints.txt").read_text().splitlines()
    pins = {_name(line): line for line in lines if line and not line.startswith("#")}
    assert all("==" in line for line in pins.values())
    project = _pyproject()["project"]
    for requirement in project["dependencies"] + project["optional-dependencies"]["test"]:
        assert _name(requirement) in pins, f"{_name(requirement)} is not pinned"
    assert pins["torch"] == "torch==2.13.0"
