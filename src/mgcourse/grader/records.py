"""Records and the gradebook: where each graded submission is written, once.

Workers never write: the parent process stores each result with
:func:`store_result`, autograded files first, then the grades in one gradebook
transaction, then the JSON record, so an interrupted run resumes where it
stopped. Only ``auto_score`` is written, so a manual grade survives a re-grade.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from mgcourse.grader.course import Course
from mgcourse.grader.results import SubmissionResult

if TYPE_CHECKING:
    from traitlets.config import Config

#: Files that collecting (or nbgrader's exchange) adds to a submission; they travel with
#: it to the autograded and feedback folders, where ``nbgrader release_feedback`` needs them.
EXCHANGE_FILES: Final = ("timestamp.txt", "submission_secret.txt")


def walk_files(folder: Path) -> list[Path]:
    """Every file and symbolic link under ``folder``, sorted; links are never followed."""
    found: list[Path] = []
    for directory, subdirectories, files in os.walk(folder, followlinks=False):
        here = Path(directory)
        found += [here / name for name in files]
        found += [here / name for name in subdirectories if (here / name).is_symlink()]
    return sorted(found)


def submission_digest(folder: Path) -> str:
    """SHA-256 over the relative paths and contents of every file in ``folder``.

    Parameters
    ----------
    folder : pathlib.Path
        A submission folder.

    Returns
    -------
    str
        Hex digest; equal digests mean identical submissions.
    """
    digest = hashlib.sha256()
    for path in walk_files(Path(folder)):
        if path.is_symlink() or not path.is_file():
            continue
        digest.update(str(path.relative_to(folder)).encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()


def record_path(course: Course, assignment: str, student: str) -> Path:
    """Where the JSON record of a submission lives: ``grading/records/<assignment>/<student>.json``."""
    return course.records / assignment / f"{student}.json"


def load_records(course: Course, assignment: str) -> dict[str, SubmissionResult]:
    """The grading records of an assignment, by student id (unreadable records are skipped)."""
    folder = course.records / assignment
    records: dict[str, SubmissionResult] = {}
    for path in sorted(folder.glob("*.json")):
        with contextlib.suppress(ValueError, TypeError, KeyError, OSError):
            records[path.stem] = SubmissionResult.from_json(json.loads(path.read_text(encoding="utf-8")))
    return records


def find_submissions(course: Course, assignment: str) -> dict[str, Path]:
    """Submitted folders ``grading/submitted/<student>/<assignment>``, by student id (sorted)."""
    found = {
        folder.parent.name: folder
        for folder in sorted(course.submitted.glob(f"*/{assignment}"))
        if folder.is_dir() and not folder.parent.name.startswith(".")
    }
    return dict(sorted(found.items()))


def read_timestamp(folder: Path) -> str | None:
    """The submission time in ``timestamp.txt``, if any."""
    path = folder / "timestamp.txt"
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8", errors="replace").strip()
    return text or None


def _install(result: SubmissionResult, dest: Path) -> None:
    """Move a worker's autograded files into ``grading/autograded/<student>/<assignment>``."""
    if result.output is None or not Path(result.output).is_dir():
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    tag = secrets.token_hex(4)
    staging = dest.parent / f".{dest.name}.new-{tag}"
    shutil.copytree(result.output, staging)
    if dest.exists():
        old = dest.parent / f".{dest.name}.old-{tag}"
        os.rename(dest, old)
        os.rename(staging, dest)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(staging, dest)


def _write_record(result: SubmissionResult, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    temporary.write_text(json.dumps(result.to_json(), indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)


def store_result(course: Course, result: SubmissionResult, gradebook: Any) -> None:
    """Write one result: autograded files, then grades (one transaction), then the record.

    The record is written last: a submission without a record is graded again
    on the next run, and writing its grades again changes nothing.
    """
    from nbgrader.utils import parse_utc

    record = record_path(course, result.assignment, result.student)
    if result.outcome == "failed":
        _write_record(result, record)
        return
    _install(result, course.autograded / result.student / result.assignment)
    kwargs: dict[str, Any] = {}
    if result.timestamp:
        with contextlib.suppress(ValueError, OverflowError):
            kwargs["timestamp"] = parse_utc(result.timestamp)
    with warnings.catch_warnings():
        # nbgrader 0.9.6 triggers SQLAlchemy autoflush warnings when it creates a submission
        warnings.filterwarnings("ignore", message="Object of type <Submitted")
        gradebook.update_or_create_student(result.student)
        gradebook.update_or_create_submission(result.assignment, result.student, **kwargs)
    try:
        review = result.needs_review
        for cell in result.cells:
            grade = gradebook.find_grade(cell.grade_id, cell.notebook, result.assignment, result.student)
            grade.auto_score = cell.score
            grade.needs_manual_grade = bool(
                grade.manual_score is not None or cell.score is None or review
            )
        for key, text in result.comments.items():
            notebook, grade_id = key.split("/", 1)
            comment = gradebook.find_comment(grade_id, notebook, result.assignment, result.student)
            comment.auto_comment = text
        _late_penalties(result, gradebook, course.config)
        gradebook.db.commit()
    except BaseException:
        gradebook.db.rollback()
        raise
    _write_record(result, record)


def _late_penalties(result: SubmissionResult, gradebook: Any, config: Config) -> None:
    """Apply the course's late-submission policy, as nbgrader's ``AssignLatePenalties`` does.

    The penalty of each notebook comes from the configured plugin (by default
    nbgrader's ``LateSubmissionPlugin``, whose ``penalty_method`` is ``none``
    or ``zero``), is clipped to ``[0, notebook score]``, and is reset to none
    when the submission is on time. ``result`` gets the totals.
    """
    from nbgrader.preprocessors import AssignLatePenalties

    submission = gradebook.find_submission(result.assignment, result.student)
    gradebook.db.flush()
    gradebook.db.expire(submission)
    seconds = float(submission.total_seconds_late or 0.0)
    assigner = AssignLatePenalties(config=config)
    assigner.init_plugin()
    total = 0.0
    for notebook in submission.notebooks:
        gradebook.db.expire(notebook)
        notebook.late_submission_penalty = None
        if seconds > 0:
            penalty = assigner.plugin_inst.late_submission_penalty(result.student, notebook.score, seconds)
            if penalty is not None:
                penalty = min(max(float(penalty), 0.0), float(notebook.score))
                notebook.late_submission_penalty = penalty
                total += penalty
    result.seconds_late = seconds
    result.late_penalty = total

