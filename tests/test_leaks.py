"""No solution and no hidden test may reach what students see.

Every non-trivial line inside a ``BEGIN/END SOLUTION`` or ``BEGIN/END HIDDEN
TESTS`` region of a master in ``solutions/`` (see
:func:`mgcourse.grading.leak_snippets`) is searched for in every file under
``exercises/`` and in the built book. The tests run per assignment, for every
master found in ``solutions/<assignment>/``.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from mgcourse.grading import leak_snippets

REPO = Path(__file__).resolve().parents[1]
MASTERS = sorted((REPO / "solutions").glob("*/*.ipynb"))
ASSIGNMENTS = sorted({master.parent.name for master in MASTERS})
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
BOOK_SUFFIXES = {".html", ".ipynb", ".md", ".txt"}


def _notebook_text(raw: str) -> str:
    """Cell sources and text outputs of a notebook, unescaped from JSON."""
    nb = json.loads(raw)
    parts: list[str] = []
    for cell in nb.get("cells", []):
        source = cell.get("source", "")
        parts.append("".join(source) if isinstance(source, list) else source)
        for output in cell.get("outputs", []):
            text = output.get("text", "")
            parts.append("".join(text) if isinstance(text, list) else text)
            for value in output.get("data", {}).values():
                parts.append("".join(value) if isinstance(value, list) else str(value))
    return "\n".join(parts)


def searchable_text(path: Path) -> str:
    """What a reader of ``path`` sees: raw text plus, per format, its decoded form."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".ipynb":
        return raw + "\n" + _notebook_text(raw)
    if path.suffix == ".html":
        # Highlighted code is split into <span>s and quotes are entities.
        return raw + "\n" + html.unescape(re.sub(r"<[^>]+>", "", raw))
    return raw


@pytest.fixture(scope="module")
def snippets() -> dict[str, Path]:
    """Every leak snippet of every master, with the master it comes from."""
    found = {line: master for master in MASTERS for line in leak_snippets(master)}
    assert found, "no master notebook or no solution lines: the leak tests would be vacuous"
    return found


def _leaks(files: list[Path], snippets: dict[str, Path]) -> list[str]:
    problems = []
    for path in files:
        text = searchable_text(path)
        problems += [f"{path}: marker {marker!r}" for marker in MARKERS if marker in text]
        problems += [
            f"{path}: {line!r} (from {master.relative_to(REPO)})"
            for line, master in snippets.items()
            if line in text
        ]
    return problems


def test_every_master_has_a_student_version() -> None:
    assert MASTERS, "solutions/ holds no master notebook"
    for master in MASTERS:
        assert (REPO / "exercises" / master.parent.name / master.name).is_file(), master


@pytest.mark.parametrize("master", MASTERS, ids=[master.parent.name for master in MASTERS])
def test_every_master_has_leak_snippets(master: Path) -> None:
    """Each master contributes lines to look for, so no assignment is checked vacuously."""
    assert leak_snippets(master), f"{master.relative_to(REPO)} has no solution or hidden-test lines"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_exercises_have_no_leaks(assignment: str, snippets: dict[str, Path]) -> None:
    # The snippets of every master, so one assignment cannot leak into another either.
    files = sorted(p for p in (REPO / "exercises" / assignment).rglob("*") if p.is_file())
    assert files
    assert _leaks(files, snippets) == []


def test_no_exercises_without_a_master() -> None:
    folders = sorted(p.name for p in (REPO / "exercises").iterdir() if p.is_dir())
    assert folders == ASSIGNMENTS, "every folder in exercises/ is generated from a master"


@pytest.mark.parametrize("master", MASTERS, ids=[master.parent.name for master in MASTERS])
def test_leak_check_catches_a_leak(master: Path, snippets: dict[str, Path], tmp_path: Path) -> None:
    """The check itself works on every format it reads (guards against a vacuous pass)."""
    line = sorted(s for s, source in snippets.items() if source == master)[0]
    leaked_nb = {"cells": [{"cell_type": "code", "source": [line], "outputs": []}]}
    (tmp_path / "page.ipynb").write_text(json.dumps(leaked_nb), encoding="utf-8")
    spans = "".join(f"<span>{html.escape(ch)}</span>" for ch in line)
    (tmp_path / "page.html").write_text(f"<pre>{spans}</pre>", encoding="utf-8")
    (tmp_path / "page.md").write_text("### BEGIN HIDDEN TESTS\n", encoding="utf-8")
    problems = _leaks(sorted(tmp_path.iterdir()), snippets)
    flagged = {Path(problem.split(": ")[0]).name for problem in problems}
    assert flagged == {"page.ipynb", "page.html", "page.md"}, problems


def test_built_book_has_no_leaks(built_book: Path, snippets: dict[str, Path]) -> None:
    files = sorted(
        p for p in Path(built_book).rglob("*") if p.is_file() and p.suffix in BOOK_SUFFIXES
    )
    assert files, f"no .html/.ipynb/.md/.txt files under {built_book}"
    assert _leaks(files, snippets) == []
