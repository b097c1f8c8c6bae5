"""Release: generate the student version of an assignment, refusing if anything would leak.

:func:`release` runs nbgrader's ``GenerateAssignment``; :func:`release_checked`
first generates into a scratch folder against a throw-away gradebook and
searches the result with :func:`find_leaks` for every line of the masters'
solutions and hidden tests (:func:`leak_snippets`), decoding HTML and notebook
JSON first, so a leak split across markup or escaped in JSON is still found.
"""

from __future__ import annotations

import contextlib
import copy
import datetime
import filecmp
import html
import json
import os
import re
import shutil
import tempfile
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import nbformat
from nbformat import NotebookNode

from mgcourse.grader.course import Course, course_directory, run_app

#: Marker pairs of the regions that must never reach students.
_REGIONS: Final = (
    ("BEGIN SOLUTION", "END SOLUTION"),
    ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS"),
)


#: Shortest stripped line that :func:`leak_snippets` reports [characters].
_MIN_SNIPPET: Final = 12


def release(course: Course, assignment: str, *, dest: Path | None = None) -> Path:
    """Regenerate the student version of an assignment from its master.

    Runs nbgrader's ``GenerateAssignment`` in-process: solutions are replaced
    by the code stub, hidden tests removed, test cells locked and checksummed,
    and the assignment (with its cells) is recorded in the gradebook, which
    autograding needs.

    Parameters
    ----------
    assignment : str
        Assignment name, the folder under ``solutions/`` (e.g. ``"assignment1"``).
    course : Course
        The course (its gradebook records the assignment).
    dest : pathlib.Path, optional
        Folder to write the student version to, replacing its contents.
        Defaults to ``<root>/exercises/<assignment>``.

    Returns
    -------
    pathlib.Path
        Folder holding the student version.

    Raises
    ------
    FileNotFoundError
        If the source folder ``solutions/<assignment>`` has no notebook.
    GradingError
        If nbgrader fails (for example on malformed cell metadata).

    Examples
    --------
    >>> release(Course.load(), "assignment1")  # doctest: +SKIP
    PosixPath('.../exercises/assignment1')
    """
    from nbgrader.converters import GenerateAssignment

    config = course.nbgrader_config()
    source = course.source / assignment
    if not any(source.glob("*.ipynb")):
        raise FileNotFoundError(f"assignment = {assignment!r}: no notebook in {source}")
    with tempfile.TemporaryDirectory(prefix="mgcourse-release-") as tmp:
        if dest is not None:
            config.CourseDirectory.release_directory = tmp
        coursedir = course_directory(config, assignment)
        app = GenerateAssignment(coursedir=coursedir, config=config)
        app.force = True
        app.create_assignment = True
        run_app(app, f"generating the student version of {assignment!r}")
        out = Path(coursedir.format_path(coursedir.release_directory, ".", assignment))
        if dest is None:
            return out
        dest = Path(dest)
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(out, dest)
        return dest


def _nbgrader(cell: NotebookNode) -> dict[str, Any]:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return dict(meta)


def fill_from_master(student_nb: NotebookNode, master_nb: NotebookNode) -> NotebookNode:
    """Copy the master's solution cells into a student notebook, matching by ``grade_id``.

    Parameters
    ----------
    student_nb : nbformat.NotebookNode
        A generated student version (solution cells hold the code stub).
    master_nb : nbformat.NotebookNode
        The instructor master.

    Returns
    -------
    nbformat.NotebookNode
        A copy of ``student_nb`` whose solution cells hold the master's source;
        every other cell and all metadata are unchanged.

    Raises
    ------
    KeyError
        If a solution cell of the student notebook has no counterpart in the master.

    Examples
    --------
    >>> filled = fill_from_master(student, master)  # doctest: +SKIP
    """
    solutions = {
        meta["grade_id"]: cell.source
        for cell in master_nb.cells
        if (meta := _nbgrader(cell)).get("solution")
    }
    filled = copy.deepcopy(student_nb)
    for cell in filled.cells:
        meta = _nbgrader(cell)
        if not meta.get("solution"):
            continue
        grade_id = meta.get("grade_id")
        if grade_id not in solutions:
            raise KeyError(f"solution cell grade_id = {grade_id!r} is not in the master notebook")
        cell.source = solutions[grade_id]
    return filled


def _split_regions(source: str) -> tuple[list[str], list[str]]:
    """Split cell source into lines inside and outside solution/hidden regions."""
    inside: list[str] = []
    outside: list[str] = []
    closing: str | None = None
    for line in source.splitlines():
        if closing is None:
            opening = next((end for begin, end in _REGIONS if begin in line), None)
            if opening is not None:
                closing = opening
            else:
                outside.append(line.strip())
        elif closing in line:
            closing = None
        else:
            inside.append(line.strip())
    return inside, outside


def leak_snippets(master_path: Path) -> set[str]:
    """Lines of a master notebook that must never appear in anything students see.

    Parameters
    ----------
    master_path : pathlib.Path
        The instructor master notebook.

    Returns
    -------
    set of str
        Every stripped line inside a ``BEGIN/END SOLUTION`` or
        ``BEGIN/END HIDDEN TESTS`` region that is at least 12 characters
        long, is not a code comment, and does not also occur outside those
        regions anywhere in the master (such lines are shown to students
        anyway). Markdown lines count whole, headings included: they are the
        model answers and rubrics of written answers.

    Examples
    --------
    >>> "return insulin_pmol / 6.00" in leak_snippets(master)  # doctest: +SKIP
    True
    """
    nb = nbformat.read(str(master_path), as_version=4)  # type: ignore[no-untyped-call]
    inside: set[str] = set()
    outside: set[str] = set()
    for cell in nb.cells:
        cell_inside, cell_outside = _split_regions(cell.source)
        if cell.cell_type == "code":  # a code comment may be a stub's hint; a rubric's heading is not
            cell_inside = [line for line in cell_inside if not line.startswith("#")]
        inside.update(cell_inside)
        outside.update(cell_outside)
    return {line for line in inside - outside if len(line) >= _MIN_SNIPPET}


#: Marker lines that must never reach students.
_MARKERS: Final = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


def _html_text(markup: str) -> str:
    """The text of HTML as a browser shows it: tags (such as highlighting spans) removed, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def _joined(value: object) -> str:
    """A notebook string field, stored as one string or as a list of lines."""
    return "".join(map(str, value)) if isinstance(value, list) else str(value)


def _searchable_text(path: Path) -> str:
    """What a reader of ``path`` sees: its raw text plus, per format, the decoded form.

    A notebook's cell sources and outputs are read out of their JSON strings
    (where quotes, backslashes and non-ASCII characters are escaped), HTML
    outputs among them also as text; an HTML file is read as text.
    """
    raw = path.read_text(encoding="utf-8", errors="replace")
    parts = [raw]
    if path.suffix == ".ipynb":
        with contextlib.suppress(ValueError, AttributeError, TypeError):
            for cell in json.loads(raw).get("cells", []):
                parts.append(_joined(cell.get("source", "")))
                for output in cell.get("outputs", []):
                    parts.append(_joined(output.get("text", "")))
                    for mime, value in output.get("data", {}).items():
                        parts.append(_joined(value))
                        if mime == "text/html":
                            parts.append(_html_text(_joined(value)))
    elif path.suffix in (".html", ".htm"):
        parts.append(_html_text(raw))
    return "\n".join(parts)


def find_leaks(
    folder: Path, masters: Sequence[Path], *, suffixes: Collection[str] | None = None
) -> list[str]:
    """Solution or hidden-test text of the masters found in the files under ``folder``.

    Parameters
    ----------
    folder : pathlib.Path
        Folder of files students will see (a generated student version, feedback).
    masters : sequence of pathlib.Path
        The instructor masters whose :func:`leak_snippets` must not appear.
    suffixes : collection of str, optional
        Search only files with these suffixes (e.g. ``{".html", ".ipynb"}`` in a
        built book); default every file.

    Returns
    -------
    list of str
        ``"<file>: <what>"`` per leak (a region marker or a snippet); empty if clean.
        Notebooks are searched in their decoded cells and outputs as well as in
        their JSON, and HTML in its text with the tags removed, so a line split
        into highlighting spans or escaped in JSON is still found.
    """
    snippets = sorted({line for master in masters for line in leak_snippets(master)})
    problems: list[str] = []
    for path in sorted(Path(folder).rglob("*")):
        if not path.is_file() or (suffixes is not None and path.suffix not in suffixes):
            continue
        text = _searchable_text(path)
        name = path.relative_to(folder).as_posix()
        problems += [f"{name}: marker {marker!r}" for marker in _MARKERS if marker in text]
        problems += [f"{name}: {line!r}" for line in snippets if line in text]
    return problems


@dataclass
class ReleaseReport:
    """What :func:`release_checked` did to ``exercises/<assignment>``.

    ``leaks`` non-empty means nothing was written.
    """

    assignment: str
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    dest: Path | None = None


def _files(folder: Path) -> set[str]:
    if not folder.is_dir():
        return set()
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def parse_duedate(text: str) -> datetime.datetime:
    """Read a due date such as ``2026-12-01 17:00`` or ``2026-12-01T17:00:00+01:00``.

    A time without a zone is taken as UTC, as nbgrader does.

    Raises
    ------
    ValueError
        Naming the text and the expected form.
    """
    from nbgrader.utils import parse_utc

    try:
        return parse_utc(text)  # type: ignore[no-any-return]
    except (ValueError, OverflowError, TypeError):
        raise ValueError(
            f"due date = {text!r} is not a date and time; expected for example "
            "'2026-12-01 17:00' (UTC) or '2026-12-01T17:00:00+01:00'"
        ) from None


def release_checked(course: Course, assignment: str, *, duedate: str | None = None) -> ReleaseReport:
    """Regenerate ``exercises/<assignment>``, refusing if anything secret would leak.

    The student version is first generated into a temporary folder against a
    throw-away gradebook and searched with :func:`find_leaks` for every line of
    the masters' solutions and hidden tests. Only if nothing leaks is it
    generated again with :func:`release` against the course's gradebook (which
    records the assignment, as grading needs) and copied over the release
    folder: a refused release changes neither ``exercises/`` nor the gradebook.

    Parameters
    ----------
    course : Course
        The course.
    assignment : str
        Assignment name (a folder under ``solutions/``).
    duedate : str, optional
        Due date to record in the gradebook (see :func:`parse_duedate`); late
        submissions are then penalised by the course's late-submission policy
        when graded. Without it, the recorded due date is left as it is.

    Returns
    -------
    ReleaseReport
        Files added, changed, unchanged and removed; if ``leaks`` is not empty
        the release folder and the gradebook were left untouched.

    Raises
    ------
    FileNotFoundError
        If ``solutions/<assignment>`` holds no notebook.
    ValueError
        If ``duedate`` cannot be read.
    GradingError
        If nbgrader fails.
    """
    due = parse_duedate(duedate) if duedate is not None else None
    source = course.source / assignment
    dest = course.release / assignment
    report = ReleaseReport(assignment, dest=dest)
    with tempfile.TemporaryDirectory(prefix="mgcourse-release-") as tmp:
        trial_course = course.with_gradebook(f"sqlite:///{Path(tmp) / 'trial.db'}")
        trial = release(trial_course, assignment, dest=Path(tmp) / "trial" / assignment)
        report.leaks = find_leaks(trial, sorted(source.glob("*.ipynb")))
        if report.leaks:
            return report
        generated = release(course, assignment, dest=Path(tmp) / assignment)
        if due is not None:
            with course.gradebook() as gradebook:
                gradebook.update_or_create_assignment(assignment, duedate=due)
        new, old = _files(generated), _files(dest)
        report.added = sorted(new - old)
        report.removed = sorted(old - new)
        for name in sorted(new & old):
            same = filecmp.cmp(generated / name, dest / name, shallow=False)
            (report.unchanged if same else report.changed).append(name)
        if report.added or report.removed or report.changed:
            staging = dest.parent / f".{assignment}.new"
            shutil.rmtree(staging, ignore_errors=True)
            shutil.copytree(generated, staging)
            if dest.exists():
                shutil.rmtree(dest)
            os.rename(staging, dest)
    return report

