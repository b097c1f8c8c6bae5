"""No solution and no hidden test may reach what students see.

The release-time leak checker :func:`mgcourse.grader.release.find_leaks` searches
files for every non-trivial line inside a ``BEGIN/END SOLUTION`` or ``BEGIN/END
HIDDEN TESTS`` region of a master (:func:`mgcourse.grader.release.leak_snippets`).
Here it is run over ``exercises/`` and the built book with the lines of every
master in ``solutions/``, and it is shown to find lines planted the ways a
rendered page or a notebook hides them: split into Pygments' highlighting
``<span>`` tokens with quotes as HTML entities, and escaped inside the JSON
strings of an ``.ipynb``. Each planted line is first checked to be absent from
the file's raw text, so a checker that stopped decoding HTML or notebook JSON
would fail these tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

from mgcourse.grader.release import find_leaks, leak_snippets

REPO = Path(__file__).resolve().parents[1]
MASTERS = sorted((REPO / "solutions").glob("*/*.ipynb"))
ASSIGNMENTS = sorted({master.parent.name for master in MASTERS})
BOOK_SUFFIXES = frozenset({".html", ".ipynb", ".md", ".txt"})
IDS = [master.parent.name for master in MASTERS]


def region_lines(master: Path, kind: str) -> list[str]:
    """Leak snippets of a master from its solution cells (``solution``) or test cells (``grade``)."""
    snippets = leak_snippets(master)
    nb = nbformat.read(str(master), as_version=4)
    lines = {
        line.strip()
        for cell in nb.cells
        if cell.metadata.get("nbgrader", {}).get(kind)
        for line in cell.source.splitlines()
    }
    return sorted(lines & snippets)


def escaped_in_json(line: str) -> bool:
    """Whether JSON stores the line differently (quotes, backslashes, non-ASCII characters)."""
    return json.dumps(line)[1:-1] != line


def pygments_html(line: str) -> str:
    """The line as a highlighted code block of a rendered page: one ``<span>`` per token."""
    return f"<html><body>{highlight(line, PythonLexer(), HtmlFormatter())}</body></html>"


def test_every_master_has_a_student_version() -> None:
    assert MASTERS, "solutions/ holds no master notebook"
    for master in MASTERS:
        assert (REPO / "exercises" / master.parent.name / master.name).is_file(), master


@pytest.mark.parametrize("master", MASTERS, ids=IDS)
def test_every_master_has_leak_snippets(master: Path) -> None:
    """Each master contributes lines to look for, so no assignment is checked vacuously."""
    assert region_lines(master, "solution"), f"{master.relative_to(REPO)} has no solution lines"
    assert region_lines(master, "grade"), f"{master.relative_to(REPO)} has no hidden-test lines"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_exercises_have_no_leaks(assignment: str) -> None:
    # The lines of every master, so one assignment cannot leak into another either.
    folder = REPO / "exercises" / assignment
    assert any(p.is_file() for p in folder.rglob("*"))
    assert find_leaks(folder, MASTERS) == []


def test_no_exercises_without_a_master() -> None:
    folders = sorted(p.name for p in (REPO / "exercises").iterdir() if p.is_dir())
    assert folders == ASSIGNMENTS, "every folder in exercises/ is generated from a master"


@pytest.mark.parametrize("master", MASTERS, ids=IDS)
def test_find_leaks_reads_hidden_tests_split_into_highlighting_spans(master: Path, tmp_path: Path) -> None:
    split = [line for line in region_lines(master, "grade") if line not in pygments_html(line)]
    assert split, "no hidden-test line that highlighting splits into tokens"
    line = split[0]
    page = pygments_html(line)
    assert '<span class="' in page and line not in page, "the line must be split by the markup"
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    assert find_leaks(tmp_path, [master]) == [f"page.html: {line!r}"]


@pytest.mark.parametrize("master", MASTERS, ids=IDS)
def test_find_leaks_reads_solutions_escaped_in_notebook_json(master: Path, tmp_path: Path) -> None:
    escaped = [line for line in region_lines(master, "solution") if escaped_in_json(line)]
    assert escaped, "no solution line with quotes, backslashes or non-ASCII characters"
    line = escaped[0]
    nb = new_notebook(cells=[new_code_cell(f"x = 1\n{line}\n")])
    text = json.dumps(nb, ensure_ascii=True, indent=1)
    assert line not in text, "the line must be escaped in the JSON"
    (tmp_path / "student.ipynb").write_text(text, encoding="utf-8")
    assert find_leaks(tmp_path, [master]) == [f"student.ipynb: {line!r}"]


@pytest.mark.parametrize("master", MASTERS, ids=IDS)
def test_find_leaks_reads_html_outputs_inside_notebook_json(master: Path, tmp_path: Path) -> None:
    line = next(line for line in region_lines(master, "grade")[::-1] if line not in pygments_html(line))
    rendered = pygments_html(line)
    output = new_output("display_data", data={"text/html": rendered})
    text = json.dumps(new_notebook(cells=[new_code_cell("show()", outputs=[output])]), indent=1)
    assert line not in text and line not in rendered
    (tmp_path / "shown.ipynb").write_text(text, encoding="utf-8")
    assert find_leaks(tmp_path, [master]) == [f"shown.ipynb: {line!r}"]


def test_find_leaks_reads_text_and_markers(tmp_path: Path) -> None:
    master = MASTERS[0]
    line = region_lines(master, "solution")[0]
    (tmp_path / "notes.txt").write_text(f"try this: {line}\n", encoding="utf-8")
    (tmp_path / "page.md").write_text("### BEGIN HIDDEN TESTS\n", encoding="utf-8")
    (tmp_path / "clean.md").write_text("Nothing to see.\n", encoding="utf-8")
    assert sorted(find_leaks(tmp_path, [master])) == [
        f"notes.txt: {line!r}", "page.md: marker 'BEGIN HIDDEN TESTS'",
    ]


def test_find_leaks_searches_only_the_suffixes_asked_for(tmp_path: Path) -> None:
    master = MASTERS[0]
    line = region_lines(master, "solution")[0]
    (tmp_path / "a.txt").write_text(line, encoding="utf-8")
    (tmp_path / "b.js").write_text(line, encoding="utf-8")
    assert find_leaks(tmp_path, [master], suffixes={".txt"}) == [f"a.txt: {line!r}"]


def test_built_book_has_no_leaks(built_book: Path) -> None:
    files = [p for p in Path(built_book).rglob("*") if p.is_file() and p.suffix in BOOK_SUFFIXES]
    assert files, f"no .html/.ipynb/.md/.txt files under {built_book}"
    assert find_leaks(Path(built_book), MASTERS, suffixes=BOOK_SUFFIXES) == []
