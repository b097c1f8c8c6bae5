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

import contextlib
import copy
import datetime
import filecmp
import hashlib
import html
import json
import logging
import os
import re
import shutil
import stat
import sys
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import nbformat
from jupyter_core.paths import jupyter_config_path
from nbformat import NotebookNode
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

__all__ = [
    "CONFIG_FILE",
    "DEFAULT_NAMED_REGEXP",
    "CollectReport",
    "GradingError",
    "ReleaseReport",
    "autograde",
    "cell_scores",
    "collect",
    "collect_exchange",
    "course_root",
    "fill_from_master",
    "find_leaks",
    "leak_snippets",
    "load_config",
    "parse_duedate",
    "release",
    "release_checked",
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

    As nbgrader's own commands do, ``nbgrader_config.py`` files in Jupyter's
    configuration folders (``jupyter --paths``: for example
    ``/etc/jupyter``, ``~/.jupyter`` and ``$JUPYTER_CONFIG_PATH``) are read first,
    so a hub-wide setting such as ``c.Exchange.root`` applies; the course's own
    file is read last and wins.

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
        config = Config()
        for folder in reversed(jupyter_config_path()):  # the most general first
            if (Path(folder) / CONFIG_FILE).is_file() and Path(folder).resolve() != root:
                config.merge(PyFileConfigLoader(CONFIG_FILE, path=folder).load_config())
        config.merge(PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config())
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


def release(
    assignment: str, root: Path, *, dest: Path | None = None, db_url: str | None = None
) -> Path:
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
    db_url : str, optional
        Gradebook to record the assignment in (default: the course's).

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
    config = load_config(root, db_url)
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


# ----------------------------------------------------------------- release with a leak check

#: Marker lines that must never reach students.
_MARKERS: Final = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


def _searchable_text(path: Path) -> str:
    """What a reader of ``path`` sees: its raw text plus, per format, the decoded form."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    parts = [raw]
    if path.suffix == ".ipynb":
        with contextlib.suppress(ValueError, AttributeError, TypeError):
            for cell in json.loads(raw).get("cells", []):
                source = cell.get("source", "")
                parts.append("".join(source) if isinstance(source, list) else str(source))
                for output in cell.get("outputs", []):
                    text = output.get("text", "")
                    parts.append("".join(text) if isinstance(text, list) else str(text))
                    for value in output.get("data", {}).values():
                        parts.append("".join(value) if isinstance(value, list) else str(value))
    elif path.suffix in (".html", ".htm"):
        parts.append(html.unescape(re.sub(r"<[^>]+>", "", raw)))
    return "\n".join(parts)


def find_leaks(folder: Path, masters: Sequence[Path]) -> list[str]:
    """Solution or hidden-test text of the masters found in the files under ``folder``.

    Parameters
    ----------
    folder : pathlib.Path
        Folder of files students will see (a generated student version, feedback).
    masters : sequence of pathlib.Path
        The instructor masters whose :func:`leak_snippets` must not appear.

    Returns
    -------
    list of str
        ``"<file>: <what>"`` per leak (a region marker or a snippet); empty if clean.
    """
    snippets = sorted({line for master in masters for line in leak_snippets(master)})
    problems: list[str] = []
    for path in sorted(Path(folder).rglob("*")):
        if not path.is_file():
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


def release_checked(assignment: str, root: Path, *, duedate: str | None = None) -> ReleaseReport:
    """Regenerate ``exercises/<assignment>``, refusing if anything secret would leak.

    The student version is first generated into a temporary folder against a
    throw-away gradebook and searched with :func:`find_leaks` for every line of
    the masters' solutions and hidden tests. Only if nothing leaks is it
    generated again with :func:`release` against the course's gradebook (which
    records the assignment, as grading needs) and copied over the release
    folder: a refused release changes neither ``exercises/`` nor the gradebook.

    Parameters
    ----------
    assignment : str
        Assignment name (a folder under ``solutions/``).
    root : pathlib.Path
        Course directory.
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
    from nbgrader.api import Gradebook

    due = parse_duedate(duedate) if duedate is not None else None
    root = Path(root).resolve()
    config = load_config(root)
    source = root / str(config.CourseDirectory.source_directory) / assignment
    dest = root / str(config.CourseDirectory.release_directory) / assignment
    report = ReleaseReport(assignment, dest=dest)
    with tempfile.TemporaryDirectory(prefix="mgcourse-release-") as tmp:
        trial = release(assignment, root, dest=Path(tmp) / "trial" / assignment,
                        db_url=f"sqlite:///{Path(tmp) / 'trial.db'}")
        report.leaks = find_leaks(trial, sorted(source.glob("*.ipynb")))
        if report.leaks:
            return report
        generated = release(assignment, root, dest=Path(tmp) / assignment)
        if due is not None:
            directory = config.CourseDirectory
            with _scripts_on_path(), Gradebook(str(directory.db_url), str(directory.course_id)) as gradebook:
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


# ----------------------------------------------------------------- collect

#: nbgrader's documented pattern for LMS downloads,
#: e.g. ``ps1_bitdiddle_attempt_2016-01-30-15-00-00_problem1.ipynb``.
DEFAULT_NAMED_REGEXP: Final = r".*_(?P<student_id>\w+)_attempt_(?P<timestamp>[0-9\-]+)_(?P<file_id>.*)"
_STUDENT_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@+-]{0,99}")
#: Limits on an archive and on one student's files [bytes, files].
_MAX_ARCHIVE_BYTES: Final = 2 * 1024**3
_MAX_MEMBER_BYTES: Final = 200 * 1024**2
_MAX_MEMBERS: Final = 20_000
_MAX_STUDENT_BYTES: Final = 200 * 1024**2
_IGNORED_NAMES: Final = ("__MACOSX", ".ipynb_checkpoints", "__pycache__", ".DS_Store", "Thumbs.db")


@dataclass
class CollectReport:
    """What :func:`collect` copied and what it left out.

    ``collected`` holds ``(student, files, status)`` with status ``new``,
    ``updated`` or ``unchanged``; ``skipped`` holds ``(item, reason)``;
    ``warnings`` holds remarks about collected files.
    """

    collected: list[tuple[str, list[str], str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _extract(archive: Path, dest: Path, report: CollectReport, depth: int = 0) -> None:
    """Extract a zip safely: no absolute paths, no ``..``, no links, bounded sizes."""
    try:
        handle = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as error:
        report.skipped.append((archive.name, f"not a readable zip archive ({error})"))
        return
    with handle:
        members = handle.infolist()
        if len(members) > _MAX_MEMBERS:
            report.skipped.append((archive.name, f"more than {_MAX_MEMBERS} files in the archive"))
            return
        total = sum(m.file_size for m in members)
        if total > _MAX_ARCHIVE_BYTES:
            report.skipped.append((archive.name, f"{total / 1e9:.1f} GB uncompressed is too large"))
            return
        for member in members:
            name = member.filename.replace("\\", "/")
            parts = [p for p in name.split("/") if p not in ("", ".")]
            if member.is_dir() or not parts:
                continue
            if name.startswith("/") or ".." in parts or re.match(r"[A-Za-z]:", name):
                report.skipped.append((f"{archive.name}:{name}", "unsafe path in the archive"))
                continue
            if stat.S_ISLNK(member.external_attr >> 16):
                report.skipped.append((f"{archive.name}:{name}", "symbolic link in the archive"))
                continue
            if member.file_size > _MAX_MEMBER_BYTES:
                report.skipped.append((f"{archive.name}:{name}", "file too large"))
                continue
            target = dest.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with handle.open(member) as src, target.open("wb") as out:
                shutil.copyfileobj(src, out)
            if target.suffix.lower() == ".zip":
                if depth >= 1:
                    report.skipped.append((f"{archive.name}:{name}", "archive nested too deeply"))
                else:
                    _extract(target, target.with_suffix(""), report, depth + 1)
                target.unlink()


def _parse_timestamp(text: str) -> datetime.datetime | None:
    from nbgrader.utils import parse_utc

    for attempt in (  # LMS names use 2016-01-30-15-00-00, which dateutil misreads
        lambda: datetime.datetime.strptime(text, "%Y-%m-%d-%H-%M-%S").replace(tzinfo=datetime.timezone.utc),
        lambda: parse_utc(text),
    ):
        with contextlib.suppress(ValueError, OverflowError, TypeError):
            value = attempt()
            if isinstance(value, datetime.datetime):
                return value
    return None


def _ignored(parts: Sequence[str]) -> bool:
    return any(part.startswith(".") or part in _IGNORED_NAMES for part in parts)


def _digest(files: dict[str, Path | bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        value = files[name]
        digest.update(name.encode() + b"\0")
        digest.update(value if isinstance(value, bytes) else value.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def collect(
    assignment: str, source: Path, root: Path, *, named_regexp: str | None = None
) -> CollectReport:
    """Copy submissions into ``grading/submitted/<student>/<assignment>/``.

    Parameters
    ----------
    assignment : str
        Assignment name.
    source : pathlib.Path
        A folder with one sub-folder per student (named by the student id,
        holding the notebook, possibly inside ``<assignment>/``), or a folder or
        zip archive of files named the LMS way, which nbgrader's
        ``FileNameCollectorPlugin`` recognises with ``named_regexp``.
    root : pathlib.Path
        Course directory.
    named_regexp : str, optional
        Regular expression with the groups ``student_id`` and ``file_id`` (and
        optionally ``timestamp``), applied to each file's absolute path. Defaults
        to ``FileNameCollectorPlugin.named_regexp`` of the course configuration,
        else :data:`DEFAULT_NAMED_REGEXP` (nbgrader's documented example).

    Returns
    -------
    CollectReport
        Students collected (new, updated or unchanged) and items skipped, with reasons.

    Raises
    ------
    FileNotFoundError
        If ``source`` does not exist.
    ValueError
        If ``named_regexp`` lacks the ``student_id`` or ``file_id`` group.

    Notes
    -----
    As nbgrader's ``zip_collect`` does, a student who uploaded the same file
    several times keeps the newest upload, and the submission time goes to
    ``timestamp.txt``. A student's existing submission is replaced only if
    the collected files differ.
    """
    from nbgrader.plugins import FileNameCollectorPlugin

    source = Path(source)
    if not source.exists():
        raise FileNotFoundError(f"source = {str(source)!r} does not exist")
    root = Path(root).resolve()
    config = load_config(root)
    plugin = FileNameCollectorPlugin(config=config)
    quiet = logging.getLogger("mgcourse.collect")  # we report skipped files ourselves
    quiet.propagate = False
    if not quiet.handlers:
        quiet.addHandler(logging.NullHandler())
    plugin.log = quiet
    plugin.named_regexp = named_regexp or plugin.named_regexp or DEFAULT_NAMED_REGEXP
    groups = re.compile(plugin.named_regexp).groupindex
    if "student_id" not in groups or "file_id" not in groups:
        raise ValueError(
            f"named_regexp = {plugin.named_regexp!r} needs the groups "
            "(?P<student_id>...) and (?P<file_id>...)"
        )
    report = CollectReport()
    released = {
        p.name
        for folder in (config.CourseDirectory.release_directory, config.CourseDirectory.source_directory)
        for p in (root / str(folder) / assignment).glob("*.ipynb")
    }
    # student → relative name → (file, timestamp)
    found: dict[str, dict[str, tuple[Path, datetime.datetime | None]]] = {}
    with tempfile.TemporaryDirectory(prefix="mgcourse-collect-") as tmp:
        if source.is_file():
            tree = Path(tmp)
            _extract(source, tree, report)
        else:
            tree = source
        paths: list[Path] = []
        for directory, folder_names, file_names in os.walk(tree, followlinks=False):
            paths += [Path(directory) / name for name in [*file_names, *folder_names]]
        for path in sorted(paths):
            parts = path.relative_to(tree).parts
            shown = "/".join(parts)
            if _ignored(parts):
                continue
            if path.is_symlink():
                report.skipped.append((shown, "symbolic link"))
                continue
            if not path.is_file():
                continue
            info = plugin.collect(str(path.resolve())) if path.suffix in plugin.valid_ext else None
            timestamp: datetime.datetime | None = None
            if info:
                student = str(info["student_id"])
                name = Path(str(info["file_id"])).name
                if info.get("timestamp"):
                    timestamp = _parse_timestamp(str(info["timestamp"]))
                    if timestamp is None:
                        report.warnings.append(f"{shown}: could not read the time {info['timestamp']!r}")
            elif len(parts) >= 2:
                student, inner = parts[0], list(parts[1:])
                if len(inner) > 1 and inner[0] == assignment:
                    inner = inner[1:]
                name = "/".join(inner)
            else:
                reason = "does not match the LMS naming pattern and is not in a student folder"
                report.skipped.append((shown, reason))
                continue
            if not _STUDENT_ID.fullmatch(student):
                report.skipped.append((shown, f"{student!r} is not a valid student id"))
                continue
            files = found.setdefault(student, {})
            previous = files.get(name)
            if previous is not None:
                if previous[1] is not None and (timestamp is None or timestamp < previous[1]):
                    report.skipped.append((shown, f"an upload of {name} with a later time was kept"))
                    continue
                earlier = previous[0].relative_to(tree).as_posix()
                report.skipped.append((earlier, f"a later upload of {name} was kept"))
            files[name] = (path, timestamp)
        submitted = root / str(config.CourseDirectory.submitted_directory)
        for student, files in sorted(found.items()):
            notebooks = sorted(name for name in files if name.endswith(".ipynb") and "/" not in name)
            if not notebooks:
                report.skipped.append((student, "no notebook among the files"))
                continue
            size = sum(path.stat().st_size for path, _ in files.values())
            if size > _MAX_STUDENT_BYTES:
                report.skipped.append((student, f"{size / 1e6:.0f} MB of files is too large"))
                continue
            for name in notebooks:
                if released and name not in released:
                    report.warnings.append(
                        f"{student}: {name} is not one of the assignment's notebooks "
                        f"({', '.join(sorted(released))})"
                    )
            times = [t for _, t in files.values() if t is not None]
            contents: dict[str, Path | bytes] = {name: path for name, (path, _) in files.items()}
            if times:
                stamp = max(times).astimezone(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
                contents["timestamp.txt"] = stamp.encode()
            dest = submitted / student / assignment
            existing: dict[str, Path | bytes] = {
                (Path(d) / f).relative_to(dest).as_posix(): Path(d) / f
                for d, _, names in os.walk(dest) for f in names
            }
            if not dest.exists():
                status = "new"
            else:
                status = "unchanged" if _digest(existing) == _digest(contents) else "updated"
            if status != "unchanged":
                staging = dest.parent / f".{assignment}.collect"
                shutil.rmtree(staging, ignore_errors=True)
                for name, value in contents.items():
                    target = staging / name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    if isinstance(value, bytes):
                        target.write_bytes(value)
                    else:
                        shutil.copyfile(value, target)
                if dest.exists():
                    shutil.rmtree(dest)
                os.rename(staging, dest)
            report.collected.append((student, sorted(contents), status))
    return report


def collect_exchange(assignment: str, root: Path, *, exchange: Path | None = None) -> CollectReport:
    """Collect the submissions students handed in through nbgrader's exchange.

    On a JupyterHub with nbgrader's exchange, students submit from the
    Assignments tab (or ``nbgrader submit``); each submission lands in
    ``<exchange>/<course_id>/inbound/<student>+<assignment>+<time>+<random>/``.
    nbgrader's ``ExchangeCollect`` picks each student's newest submission (or,
    with ``ExchangeCollect.before_duedate``, the newest before the due date);
    its files then go through :func:`collect`, with the same checks, and the
    exchange's ``timestamp.txt`` comes along, so late submissions are known.

    Parameters
    ----------
    assignment : str
        Assignment name.
    root : pathlib.Path
        Course directory (its ``nbgrader_config.py`` names ``CourseDirectory.course_id``
        and, with ``Exchange.root``, the exchange folder).
    exchange : pathlib.Path, optional
        Exchange folder; defaults to the course's ``Exchange.root``.

    Returns
    -------
    CollectReport
        As :func:`collect`; a submission whose folder is not owned by the
        student it claims to be from gets a warning.

    Raises
    ------
    FileNotFoundError
        If the exchange has no inbound folder for the course, or it cannot be read.
    """
    import pwd

    from nbgrader.auth import Authenticator
    from nbgrader.exchange import ExchangeError
    from nbgrader.exchange.default import ExchangeCollect

    root = Path(root).resolve()
    config = load_config(root)
    if exchange is not None:
        config.Exchange.root = str(exchange)
    coursedir = _coursedir(config, assignment, student="")
    selector = ExchangeCollect(coursedir=coursedir, authenticator=Authenticator(config=config), config=config)
    selector.log = logging.getLogger("mgcourse.collect")
    try:
        selector.init_src()
    except ExchangeError as error:
        raise FileNotFoundError(f"exchange = {str(selector.root)!r}: {error}") from None
    me = pwd.getpwuid(os.getuid()).pw_name  # submissions owned by the instructor are not suspicious
    warnings: list[str] = []
    skipped: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="mgcourse-exchange-") as tmp:
        tree = Path(tmp)
        for record in selector.src_records:
            folder = Path(selector.inbound_path) / str(record["filename"])
            student = str(record["username"])
            try:
                owner = pwd.getpwuid(folder.stat().st_uid).pw_name
            except (KeyError, OSError):
                owner = "an unknown user"
            if owner not in (student, me):
                warnings.append(f"{student}: the submission {folder.name} is owned by {owner}")
            if not _STUDENT_ID.fullmatch(student):
                skipped.append((folder.name, f"{student!r} is not a valid student id"))
                continue
            shutil.copytree(folder, tree / student, symlinks=True,
                            ignore=shutil.ignore_patterns(*_IGNORED_NAMES))
        report = collect(assignment, tree, root)
    report.warnings = warnings + report.warnings
    report.skipped = skipped + report.skipped
    return report
