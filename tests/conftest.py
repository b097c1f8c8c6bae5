"""Shared fixtures: a from-scratch book build and a place for test artefacts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"


def _clean_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)  # a non-inline backend drops every figure from the book
    env.pop("MGCOURSE_WIDGETS", None)
    return env


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Folder for screenshots and logs kept after the run (git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def book_build(tmp_path_factory: pytest.TempPathFactory, artifacts: Path) -> tuple[Path, str]:
    """Build the book from scratch (fresh execution cache) with ``-W -n --keep-going``.

    Returns the HTML folder and the build log. Set ``MGCOURSE_BOOK_HTML`` to an existing
    build's HTML folder to reuse it while iterating on tests locally.
    """
    reuse = os.environ.get("MGCOURSE_BOOK_HTML")
    if reuse:
        return Path(reuse), ""
    out = tmp_path_factory.mktemp("book")
    cmd = [
        str(Path(sys.executable).with_name("jupyter-book")), "build", str(ROOT / "book"),
        "-W", "-n", "--keep-going", "--path-output", str(out),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=_clean_env(), cwd=ROOT)
    log = proc.stdout + proc.stderr
    (artifacts / "book-build.log").write_text(log)
    assert proc.returncode == 0, f"book build failed:\n{log[-6000:]}"
    return out / "_build" / "html", log


@pytest.fixture(scope="session")
def built_book(book_build: tuple[Path, str]) -> Path:
    """HTML folder of a from-scratch book build."""
    return book_build[0]
