"""Marking by hand: written answers, overridden scores and comments, into the gradebook.

:func:`write_marking_sheet` writes, for the instructor only, a CSV with one row per
submission and graded cell (written answers first) and an HTML page showing each
written answer beside the master's model answer and rubric. The instructor fills
in ``manual_score`` and ``comment`` and imports the sheet with :func:`apply_marks`
(``mgcourse mark ASSIGNMENT --import FILE``), or marks one cell from the command
line. Scores go to nbgrader's ``manual_score`` (which wins over the automatic
score), comments to nbgrader's ``manual_comment`` of the cell's comment, or, for a
test cell (which nbgrader gives no comment), to ``grading/marks/``. Automatic
grading writes only ``auto_score`` and ``auto_comment``, so a re-grade never
overwrites a mark.
"""

from __future__ import annotations

import contextlib
import csv
import json
import math
import os
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from mgcourse.grader.course import Course, GradingError
from mgcourse.grader.master import Master, MasterCell, load_master

__all__ = [
    "SHEET_COLUMNS",
    "Mark",
    "MarkReport",
    "apply_marks",
    "manual_comments",
    "read_marks",
    "write_marking_sheet",
]

#: Columns of the marking sheet, in order.
SHEET_COLUMNS: Final = (
    "student", "notebook", "grade_id", "kind", "max_points", "auto_score", "manual_score", "comment",
)
#: Longest comment kept [characters].
MAX_COMMENT: Final = 5000
#: Characters of a written answer shown on the marking page.
_MAX_ANSWER: Final = 20_000


@dataclass(frozen=True)
class Mark:
    """One mark: a score given by hand and/or a comment, for one cell of one submission.

    Parameters
    ----------
    student, notebook, grade_id : str
        Which cell of whose submission.
    score : float, optional
        Points given by hand [points]; ``None`` leaves the score as it is.
    comment : str, optional
        Comment for the student; ``None`` leaves the comment as it is.
    """

    student: str
    notebook: str
    grade_id: str
    score: float | None = None
    comment: str | None = None


@dataclass
class MarkReport:
    """What :func:`apply_marks` stored, and what it refused (with the reason)."""

    stored: list[Mark] = field(default_factory=list)
    refused: list[tuple[Mark, str]] = field(default_factory=list)


def _graded_cells(master: Master) -> list[tuple[str, MasterCell]]:
    cells = [(nb.name, cell) for nb in master.notebooks for cell in nb.grade_cells]
    return sorted(cells, key=lambda item: (not item[1].solution, item[0]))  # written answers first


def _marks_path(course: Course, assignment: str) -> Path:
    return course.grading / "marks" / f"{assignment}.json"


def _load_test_comments(course: Course, assignment: str) -> dict[str, str]:
    path = _marks_path(course, assignment)
    with contextlib.suppress(OSError, ValueError):
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict):
            return {str(k): str(v) for k, v in data.items()}
    return {}


def _key(student: str, notebook: str, grade_id: str) -> str:
    return json.dumps([student, notebook, grade_id])


def manual_comments(course: Course, assignment: str) -> dict[str, dict[tuple[str, str], str]]:
    """Comments given by hand, by student id, then ``(notebook, grade_id)``."""
    found: dict[str, dict[tuple[str, str], str]] = {}
    with course.gradebook() as gradebook:
        if not any(a.name == assignment for a in gradebook.assignments):
            return found
        for submission in gradebook.assignment_submissions(assignment):
            student = str(submission.student.id)
            for notebook in submission.notebooks:
                for comment in notebook.comments:
                    if comment.manual_comment:
                        found.setdefault(student, {})[(str(notebook.name), str(comment.name))] = str(
                            comment.manual_comment
                        )
    for key, text in _load_test_comments(course, assignment).items():
        with contextlib.suppress(ValueError, TypeError):
            student, notebook, grade_id = json.loads(key)
            found.setdefault(student, {})[(notebook, grade_id)] = text
    return found


def _answer_text(course: Course, assignment: str, student: str, notebook: str, grade_id: str) -> str:
    path = course.autograded / student / assignment / f"{notebook}.ipynb"
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        data = json.loads(path.read_text(encoding="utf-8"))
        for cell in data["cells"]:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if isinstance(meta, dict) and meta.get("grade_id") == grade_id:
                source = cell.get("source", "")
                return ("".join(source) if isinstance(source, list) else str(source))[:_MAX_ANSWER]
    return ""


def write_marking_sheet(course: Course, assignment: str, out: Path | None = None) -> tuple[Path, Path]:
    """Write the marking sheet (CSV) and page (HTML) of an assignment, for the instructor only.

    Parameters
    ----------
    course : Course
        The course.
    assignment : str
        Assignment name.
    out : pathlib.Path, optional
        Folder to write to (default ``grading/marking``, never shown to students:
        the page holds the master's model answers and rubrics).

    Returns
    -------
    (pathlib.Path, pathlib.Path)
        The CSV sheet and the HTML page.
    """
    from mgcourse.grader.feedback import printable, render
    from mgcourse.grader.report import spreadsheet_text

    master = load_master(course, assignment)
    comments = manual_comments(course, assignment)
    folder = Path(out) if out is not None else course.grading / "marking"
    folder.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    students: list[dict[str, Any]] = []
    with course.gradebook() as gradebook:
        submissions = sorted(gradebook.assignment_submissions(assignment), key=lambda s: str(s.student.id))
        for submission in submissions:
            student = str(submission.student.id)
            answers = []
            for notebook, cell in _graded_cells(master):
                grade = gradebook.find_grade(cell.grade_id, notebook, assignment, student)
                kind = "written" if cell.solution else "test"
                comment = comments.get(student, {}).get((notebook, cell.grade_id), "")
                rows.append({
                    "student": student, "notebook": notebook, "grade_id": cell.grade_id, "kind": kind,
                    "max_points": f"{float(grade.max_score):g}",
                    "auto_score": "" if grade.auto_score is None else f"{float(grade.auto_score):g}",
                    "manual_score": "" if grade.manual_score is None else f"{float(grade.manual_score):g}",
                    "comment": comment,
                })
                if cell.solution:
                    answers.append({
                        "grade_id": cell.grade_id, "notebook": notebook,
                        "points": f"{float(grade.max_score):g}",
                        "score": "–" if grade.manual_score is None else f"{float(grade.manual_score):g}",
                        "answer": printable(
                            _answer_text(course, assignment, student, notebook, cell.grade_id), _MAX_ANSWER
                        ),
                        "rubric": cell.source, "comment": printable(comment, MAX_COMMENT),
                    })
            students.append({"student": printable(student, 120), "answers": answers})
    sheet = folder / f"{assignment}-marks.csv"
    with open(sheet, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=SHEET_COLUMNS)
        writer.writeheader()
        for row in rows:
            guarded = ("student", "comment")  # text a spreadsheet must not run as a formula
            writer.writerow({k: spreadsheet_text(v) if k in guarded else v for k, v in row.items()})
    page = folder / f"{assignment}-marking.html"
    page.write_text(render("marking.html.j2", assignment=printable(assignment, 120), students=students,
                           sheet=sheet.name), encoding="utf-8")
    return sheet, page


def _number(text: str, what: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{what} = {text!r}: not a number of points") from None
    return value


def read_marks(path: Path) -> list[Mark]:
    """The marks in a filled-in marking sheet (rows with neither a score nor a comment are skipped).

    Raises
    ------
    ValueError
        If the sheet lacks a column or a score is not a number (naming the row).
    """
    marks: list[Mark] = []
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        needed = {"student", "notebook", "grade_id", "manual_score", "comment"}
        missing = needed - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path}: the marking sheet has no column {', '.join(sorted(missing))}")
        for line, row in enumerate(reader, start=2):
            score = _number(row.get("manual_score") or "", f"row {line}: manual_score")
            comment = (row.get("comment") or "").strip()
            student = (row.get("student") or "").lstrip("'")  # undo the spreadsheet guard
            if score is None and not comment:
                continue
            marks.append(Mark(student, row["notebook"], row["grade_id"], score,
                              comment.lstrip("'") or None))
    return marks


def apply_marks(course: Course, assignment: str, marks: Iterable[Mark]) -> MarkReport:
    """Store marks in the gradebook: one transaction per student; a bad mark is refused, not stored.

    A score must be finite and lie in ``[0, max_points]`` of its cell.
    """
    from nbgrader.api import MissingEntry

    report = MarkReport()
    by_student: dict[str, list[Mark]] = {}
    for mark in marks:
        by_student.setdefault(mark.student, []).append(mark)
    test_comments = _load_test_comments(course, assignment)
    with course.gradebook() as gradebook:
        for student, student_marks in sorted(by_student.items()):
            stored: list[Mark] = []
            try:
                for mark in student_marks:
                    try:
                        grade = gradebook.find_grade(mark.grade_id, mark.notebook, assignment, student)
                    except MissingEntry:
                        report.refused.append((mark, f"no graded cell {mark.grade_id!r} in {mark.notebook} "
                                                     f"of {student!r}'s submission of {assignment}"))
                        continue
                    top = float(grade.max_score)
                    if mark.score is not None and not (math.isfinite(mark.score) and 0 <= mark.score <= top):
                        report.refused.append((mark, f"manual_score = {mark.score!r} points: must lie in "
                                                     f"[0, {top:g}] points for {mark.grade_id}"))
                        continue
                    if mark.score is not None:
                        grade.manual_score = mark.score
                        grade.needs_manual_grade = False
                    if mark.comment is not None:
                        text = mark.comment[:MAX_COMMENT]
                        try:
                            found = gradebook.find_comment(mark.grade_id, mark.notebook, assignment, student)
                            found.manual_comment = text
                        except MissingEntry:
                            test_comments[_key(student, mark.notebook, mark.grade_id)] = text
                    stored.append(mark)
                gradebook.db.commit()
            except BaseException:
                gradebook.db.rollback()
                raise
            report.stored += stored
    path = _marks_path(course, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    temporary.write_text(json.dumps(test_comments, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)
    return report


def check_assignment_graded(course: Course, assignment: str, students: Sequence[str]) -> None:
    """Raise :class:`GradingError` if a student has no graded submission to mark."""
    with course.gradebook() as gradebook:
        known = {str(s.student.id) for s in gradebook.assignment_submissions(assignment)}
    unknown = sorted(set(students) - known)
    if unknown:
        raise GradingError(f"no graded submission of {assignment!r} for {', '.join(unknown)}: grade it first")
