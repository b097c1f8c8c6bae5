"""Grading helpers: generate student versions, autograde, and check for leaked answers.

The repository root is an nbgrader course directory (see ``nbgrader_config.py``):
instructor masters live in ``solutions/<assignment>/``, the generated student
versions in ``exercises/<assignment>/`` and everything produced while grading
in the git-ignored ``grading/``. Every function here drives nbgrader's Python
API in-process, so no ``nbgrader`` command-line process is started.

Regenerate the student version of an assignment with::

    python -m mgcourse.grading release assignment1

Notes
-----
``MGCOURSE_COURSE_ROOT`` and ``MGCOURSE_DB_URL`` override the course directory
and the gradebook URL, for example to grade in a temporary copy of the course.

References
----------
.. [1] Jupyter Development Team. nbgrader: a tool for creating and grading
   assignments in the Jupyter notebook. J Open Source Educ 2019;2(16):32.
   doi:10.21105/jose.00032
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

import nbformat
from nbformat import NotebookNode
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

__all__ = [
    "CONFIG_FILE",
    "GradingError",
    "autograde",
    "cell_scores",
    "course_root",
    "fill_from_master",
    "leak_snippets",
    "load_config",
    "main",
    "release",
]

#: Name of the nbgrader configuration file at the course root.
CONFIG_FILE: Final = "nbgrader_config.py"

#: Marker pairs of the regions that must never reach students.
_REGIONS: Final = (
    ("BEGIN SOLUTION", "END SOLUTION"),
    ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS"),
)
#: Shortest stripped line that :func:`leak_snippets` reports [characters].
_MIN_SNIPPET: Final = 12


class GradingError(RuntimeError):
    """An nbgrader step (generate, autograde) did not complete."""


def _is_course_root(path: Path) -> bool:
    return (path / CONFIG_FILE).is_file() and (path / "solutions").is_dir()


def course_root() -> Path:
    """Locate the course directory (the folder holding ``nbgrader_config.py``).

    Returns
    -------
    pathlib.Path
        ``$MGCOURSE_COURSE_ROOT`` if set; otherwise the nearest folder, starting
        at the working directory and then at this module, that contains
        ``nbgrader_config.py`` and ``solutions/``.

    Raises
    ------
    FileNotFoundError
        If no such folder is found.

    Examples
    --------
    >>> (course_root() / "nbgrader_config.py").is_file()  # doctest: +SKIP
    True
    """
    env = os.environ.get("MGCOURSE_COURSE_ROOT")
    if env:
        return Path(env).resolve()
    for start in (Path.cwd().resolve(), Path(__file__).resolve().parent):
        for candidate in (start, *start.parents):
            if _is_course_root(candidate):
                return candidate
    raise FileNotFoundError(
        f"no course directory found: looked for {CONFIG_FILE} next to a solutions/ folder "
        "above the working directory and above the mgcourse package; "
        "set MGCOURSE_COURSE_ROOT to the course directory"
    )


def _ensure_sqlite_folder(db_url: str) -> None:
    """Create the folder of an SQLite gradebook (SQLite does not create folders)."""
    prefix = "sqlite:///"
    if db_url.startswith(prefix) and ":memory:" not in db_url:
        Path(db_url[len(prefix) :]).parent.mkdir(parents=True, exist_ok=True)


def load_config(root: Path, db_url: str | None = None) -> Config:
    """Load the course's nbgrader configuration.

    Parameters
    ----------
    root : pathlib.Path
        Course directory containing ``nbgrader_config.py``. It becomes
        ``CourseDirectory.root`` whatever the file or the environment says.
    db_url : str, optional
        SQLAlchemy URL of the gradebook (for example ``"sqlite:////tmp/gb.db"``).
        Defaults to the file's value: ``$MGCOURSE_DB_URL`` or
        ``sqlite:///<root>/grading/gradebook.db``.

    Returns
    -------
    traitlets.config.Config
        A fresh configuration; changing it does not affect later calls.

    Raises
    ------
    FileNotFoundError
        If ``root`` has no ``nbgrader_config.py``.

    Examples
    --------
    >>> cfg = load_config(course_root())  # doctest: +SKIP
    >>> cfg.CourseDirectory.release_directory  # doctest: +SKIP
    'exercises'
    """
    root = Path(root).resolve()
    if not (root / CONFIG_FILE).is_file():
        raise FileNotFoundError(f"root = {str(root)!r} has no {CONFIG_FILE}")
    saved = os.environ.get("MGCOURSE_COURSE_ROOT")
    os.environ["MGCOURSE_COURSE_ROOT"] = str(root)
    try:
        config = PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config()
    finally:
        if saved is None:
            del os.environ["MGCOURSE_COURSE_ROOT"]
        else:
            os.environ["MGCOURSE_COURSE_ROOT"] = saved
    config.CourseDirectory.root = str(root)
    if db_url is not None:
        config.CourseDirectory.db_url = db_url
    _ensure_sqlite_folder(str(config.CourseDirectory.db_url))
    return config


@contextlib.contextmanager
def _scripts_on_path() -> Iterator[None]:
    """Put this interpreter's scripts folder first on PATH while nbgrader runs.

    nbgrader 0.9.6 runs the ``alembic`` command when it creates a new gradebook,
    so grading fails from an environment whose scripts are not on PATH (for
    example ``.venv/bin/python -m mgcourse.grading`` without activating it).
    """
    saved = os.environ.get("PATH")
    scripts = str(Path(sys.executable).parent)
    os.environ["PATH"] = os.pathsep.join([scripts, *([saved] if saved else [])])
    try:
        yield
    finally:
        if saved is None:
            del os.environ["PATH"]
        else:
            os.environ["PATH"] = saved


def _run(app: Any, what: str) -> str:
    """Start an nbgrader converter, returning its log or raising :class:`GradingError`."""
    from nbgrader.utils import capture_log

    with _scripts_on_path():
        result = capture_log(app)
    log = str(result.get("log", ""))
    if not result["success"]:
        raise GradingError(f"{what} failed:\n{result.get('error', '')}\n{log}")
    return log


def _coursedir(config: Config, assignment: str, student: str = ".") -> Any:
    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = assignment
    coursedir.student_id = student
    return coursedir


def release(assignment: str, root: Path, *, dest: Path | None = None) -> Path:
    """Regenerate the student version of an assignment from its master.

    Runs nbgrader's ``GenerateAssignment`` in-process: solutions are replaced
    by the code stub, hidden tests removed, test cells locked and checksummed,
    and the assignment (with its cells) is recorded in the gradebook, which
    autograding needs.

    Parameters
    ----------
    assignment : str
        Assignment name, the folder under ``solutions/`` (e.g. ``"assignment1"``).
    root : pathlib.Path
        Course directory.
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
    >>> release("assignment1", course_root())  # doctest: +SKIP
    PosixPath('.../exercises/assignment1')
    """
    from nbgrader.converters import GenerateAssignment

    root = Path(root).resolve()
    config = load_config(root)
    source = root / str(config.CourseDirectory.source_directory) / assignment
    if not any(source.glob("*.ipynb")):
        raise FileNotFoundError(f"assignment = {assignment!r}: no notebook in {source}")
    with tempfile.TemporaryDirectory(prefix="mgcourse-release-") as tmp:
        if dest is not None:
            config.CourseDirectory.release_directory = tmp
        coursedir = _coursedir(config, assignment)
        app = GenerateAssignment(coursedir=coursedir, config=config)
        app.force = True
        app.create_assignment = True
        _run(app, f"generating the student version of {assignment!r}")
        out = Path(coursedir.format_path(coursedir.release_directory, ".", assignment))
        if dest is None:
            return out
        dest = Path(dest)
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(out, dest)
        return dest


def autograde(assignment: str, root: Path, *, student: str = "*") -> None:
    """Autograde submissions in ``<root>/grading/submitted/<student>/<assignment>``.

    Parameters
    ----------
    assignment : str
        Assignment name; it must already be in the gradebook (see :func:`release`).
    root : pathlib.Path
        Course directory.
    student : str, default "*"
        Student id, or ``"*"`` for every submission.

    Raises
    ------
    GradingError
        If nbgrader cannot grade a submission (student code that fails only
        loses points; it does not raise).

    Notes
    -----
    Locked cells (instructions and test cells) are restored from the gradebook
    before execution, so the hidden tests run even though students never saw them.
    """
    from nbgrader.converters import Autograde

    config = load_config(Path(root))
    app = Autograde(coursedir=_coursedir(config, assignment, student), config=config)
    app.force = True
    app.create_student = True
    _run(app, f"autograding {assignment!r} for student {student!r}")


def cell_scores(assignment: str, student: str, root: Path) -> dict[str, tuple[float, float]]:
    """Autograded score of every graded cell of one submission.

    Parameters
    ----------
    assignment : str
        Assignment name.
    student : str
        Student id.
    root : pathlib.Path
        Course directory (its configuration gives the gradebook and course id).

    Returns
    -------
    dict of str to (float, float)
        ``grade_id`` → (score, maximum score) [points].
    """
    from nbgrader.api import Gradebook

    config = load_config(Path(root))
    directory = config.CourseDirectory
    scores: dict[str, tuple[float, float]] = {}
    with (
        _scripts_on_path(),
        Gradebook(str(directory.db_url), str(directory.course_id)) as gradebook,
    ):
        submission = gradebook.find_submission(assignment, student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                scores[str(grade.name)] = (float(grade.score), float(grade.max_score))
    return scores


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
        long, is not a comment, and does not also occur outside those regions
        anywhere in the master (such lines are shown to students anyway).

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
        inside.update(cell_inside)
        outside.update(cell_outside)
    return {
        line for line in inside - outside if len(line) >= _MIN_SNIPPET and not line.startswith("#")
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point: ``python -m mgcourse.grading {release,autograde} ...``.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; defaults to ``sys.argv[1:]``.

    Returns
    -------
    int
        Exit status: 0 on success, 1 if nbgrader failed.
    """
    parser = argparse.ArgumentParser(
        prog="python -m mgcourse.grading",
        description="Generate student versions and autograde mgcourse assignments with nbgrader.",
    )
    parser.add_argument(
        "--root", type=Path, default=None, help="course directory (default: found automatically)"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    rel = commands.add_parser("release", help="regenerate exercises/<assignment> from solutions/")
    rel.add_argument("assignment", help="assignment name, e.g. assignment1")
    rel.add_argument("--dest", type=Path, default=None, help="write here instead of exercises/")
    grade = commands.add_parser("autograde", help="autograde grading/submitted/*/<assignment>")
    grade.add_argument("assignment", help="assignment name, e.g. assignment1")
    grade.add_argument("--student", default="*", help="student id (default: all)")
    args = parser.parse_args(argv)

    root = args.root if args.root is not None else course_root()
    try:
        if args.command == "release":
            out = release(args.assignment, root, dest=args.dest)
            print(f"wrote the student version of {args.assignment} to {out}")
        else:
            autograde(args.assignment, root, student=args.student)
            submitted = Path(root) / str(load_config(root).CourseDirectory.submitted_directory)
            for student_dir in sorted(submitted.glob("*")):
                if (
                    args.student in ("*", student_dir.name)
                    and (student_dir / args.assignment).is_dir()
                ):
                    scores = cell_scores(args.assignment, student_dir.name, root)
                    total = sum(score for score, _ in scores.values())
                    maximum = sum(top for _, top in scores.values())
                    print(f"{student_dir.name}: {total:g} / {maximum:g}")
    except (GradingError, FileNotFoundError) as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
