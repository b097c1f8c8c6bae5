"""A bare ``pip install`` of the package gives the models with numpy and scipy only.

Builds the wheel from this checkout, installs it into a fresh virtual environment
(no system site-packages) with its dependencies from PyPI, and imports every model
module there. Needs the registry; skipped only when PyPI cannot be reached.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODEL_MODULES = ("units", "indices", "magnesium", "beta_cell", "bursting_grid", "signalling",
                 "liver", "whole_body", "inflammation", "vascular", "evidence", "_validation",
                 "_integrate", "_extras")
PIP = ("-m", "pip", "--disable-pip-version-check", "--no-input")


def _pypi_reachable() -> bool:
    try:
        with urllib.request.urlopen("https://pypi.org/simple/numpy/", timeout=15) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _run(*args: str | Path, timeout: float = 900) -> str:
    run = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout)
    assert run.returncode == 0, f"{args} failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    return run.stdout


@pytest.fixture(scope="module")
def bare_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not _pypi_reachable():
        pytest.skip("PyPI is unreachable; the bare install needs numpy and scipy from it")
    work = tmp_path_factory.mktemp("bare")
    _run(sys.executable, *PIP, "wheel", ROOT, "--no-deps", "--quiet", "-w", work / "dist")
    (wheel,) = (work / "dist").glob("mgcourse-*.whl")
    venv = work / "venv"
    _run(sys.executable, "-m", "venv", venv)
    python = venv / "bin" / "python"
    _run(python, *PIP, "install", "--quiet", wheel)
    return python


@pytest.mark.network
def test_bare_install_brings_numpy_and_scipy_only(bare_venv: Path) -> None:
    listed = json.loads(_run(bare_venv, *PIP, "list", "--format=json"))
    names = {item["name"].lower() for item in listed} - {"pip", "setuptools", "wheel"}
    assert names == {"mgcourse", "numpy", "scipy"}
    versions = {item["name"].lower(): item["version"] for item in listed}
    assert int(versions["numpy"].split(".")[0]) >= 2


@pytest.mark.network
def test_every_model_module_imports_without_plotting(bare_venv: Path) -> None:
    code = (
        "import importlib, importlib.util, sys\n"
        f"for name in {MODEL_MODULES!r}:\n"
        "    importlib.import_module('mgcourse.' + name)\n"
        "assert importlib.util.find_spec('matplotlib') is None\n"
        "from mgcourse import beta_cell, bursting_grid, evidence\n"
        "levels = (len(bursting_grid.GLUCOSE_LEVELS), len(bursting_grid.MAGNESIUM_LEVELS))\n"
        "assert bursting_grid.load().period.shape == levels == (20, 6)\n"
        "assert len(evidence.review_2022_table1()) > 0\n"
        "print(round(beta_cell.exocytosis_rate(0.2), 3))\n"
    )
    assert _run(bare_venv, "-c", code).strip() == "0.5"


@pytest.mark.network
def test_a_command_without_its_extra_names_the_extra(bare_venv: Path) -> None:
    code = "from mgcourse._extras import require; require('grader', ['nbformat', 'nbclient'])"
    run = subprocess.run([str(bare_venv), "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert "nbformat, nbclient, which are not installed" in run.stderr
    assert "pip install 'mgcourse[grader]'" in run.stderr
