"""Tests of mgcourse.grader.reference: nbgrader's own autograde on tiny fixture submissions.

One submission per failure mode a grading tool has to survive: a blank stub, a
wrong answer that passes the visible check, an edited test cell, a deleted test
cell and an infinite loop. nbgrader's autograde is the reference the grader is
compared with, so the same submissions are graded again with
:func:`mgcourse.grader.runner.grade_assignment`, which must give every cell the
same score.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from mgcourse.grader.course import Course, GradingError
from mgcourse.grader.reference import autograde, cell_scores
from mgcourse.grader.release import fill_from_master, release
from mgcourse.grader.results import GradeOptions, SubmissionResult
from mgcourse.grader.runner import grade_assignment
from test_release import SOLUTION, make_course, tiny_master

pytestmark = pytest.mark.filterwarnings(
    # nbgrader 0.9.6's gradebook triggers SQLAlchemy autoflush warnings while autograding.
    "ignore:Object of type <Submitted:sqlalchemy.exc.SAWarning"
)

WRONG_HIDDEN = "def double(x):\n    return 0 if x == 0 else x + 1"
SUBMISSIONS = {
    # student id: (solution source, how to change the student's test cells)
    "good": (SOLUTION, None),
    "blank": (None, None),
    "wrong_hidden": (WRONG_HIDDEN, None),
    "edited_test": ("def double(x):\n    return x", "edit"),
    "deleted_test": ("def double(x):\n    return x", "delete"),
    "infinite_loop": ("def double(x):\n    while True:\n        pass", None),
}
EXPECTED = {
    "good": {"test_double": 2.0, "test_type": 1.0},
    "blank": {"test_double": 0.0, "test_type": 0.0},
    "wrong_hidden": {"test_double": 0.0, "test_type": 1.0},
    "edited_test": {"test_double": 0.0, "test_type": 1.0},
    "deleted_test": {"test_double": 0.0, "test_type": 1.0},
    "infinite_loop": {"test_double": 0.0, "test_type": 0.0},
}
#: What the grader must flag for review (the reference records nothing of it). The
#: infinite loop runs only when a test calls ``double``: that call is interrupted and scores 0.
FLAGGED = {
    "edited_test": "edited_cell",
    "deleted_test": "deleted_cell",
    "infinite_loop": "timeout",  # the test's call into the student's function never returned
}


def submission(student: nbformat.NotebookNode, student_id: str) -> nbformat.NotebookNode:
    source, change = SUBMISSIONS[student_id]
    nb = fill_from_master(student, tiny_master()) if source else student
    if source:
        nb.cells[1].source = source
    if change == "edit":
        nb.cells[2].source = "pass"
    elif change == "delete":
        del nb.cells[2]
    return nb


@dataclass(frozen=True)
class Graded:
    root: Path
    student: nbformat.NotebookNode  # the generated student version
    reference: dict[str, dict[str, tuple[float, float]]]  # nbgrader's autograde, per student
    autograded_files: dict[str, list[str]]  # what nbgrader's autograde wrote, per student
    results: dict[str, SubmissionResult]  # grade_assignment, per student
    scores: dict[str, dict[str, tuple[float, float]]]  # gradebook after grade_assignment


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Graded]:
    """The tiny course with every submission graded by nbgrader, then by the grader."""
    root = make_course(tmp_path_factory.mktemp("tiny") / "course", timeout=3)
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("MGCOURSE_DB_URL", raising=False)
        mp.delenv("MGCOURSE_COURSE_ROOT", raising=False)
        course = Course.load(root)
        student = nbformat.read(str(release(course, "tiny") / "tiny.ipynb"), as_version=4)
        for student_id in SUBMISSIONS:
            folder = course.submitted / student_id / "tiny"
            folder.mkdir(parents=True)
            nbformat.write(submission(student, student_id), str(folder / "tiny.ipynb"))
        autograde(course, "tiny")
        reference = {sid: cell_scores(course, "tiny", sid) for sid in SUBMISSIONS}
        files = {
            sid: sorted(p.name for p in (course.autograded / sid / "tiny").iterdir()) for sid in SUBMISSIONS
        }
        results = grade_assignment(course, "tiny", options=GradeOptions(workers=2, force=True))
        scores = {sid: cell_scores(course, "tiny", sid) for sid in SUBMISSIONS}
        yield Graded(root, student, reference, files, {r.student: r for r in results}, scores)


@pytest.mark.nbgrader
@pytest.mark.parametrize("student_id", sorted(SUBMISSIONS))
def test_autograde_failure_modes(graded: Graded, student_id: str) -> None:
    scores = graded.reference[student_id]
    assert {cell: score for cell, (score, _) in scores.items()} == EXPECTED[student_id]
    maximum = {cell: top for cell, (_, top) in scores.items()}
    assert maximum == {"test_double": 2.0, "test_type": 1.0}


@pytest.mark.nbgrader
def test_the_wrong_answer_passes_the_visible_checks(graded: Graded, tmp_path: Path) -> None:
    """The student version holds only the visible checks: with the wrong answer all of them pass."""
    nb = submission(graded.student, "wrong_hidden")
    tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert {c.metadata.nbgrader.grade_id for c in tests} == {"test_double", "test_type"}
    assert not any("double(21)" in c.source for c in tests)  # the hidden check is not there
    executed = NotebookClient(  # raises CellExecutionError at the first failing check
        nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    assert all(c.execution_count is not None for c in executed.cells if c.cell_type == "code")
    # ... and with the hidden check restored it loses exactly that cell's points
    assert graded.reference["wrong_hidden"]["test_double"] == (0.0, 2.0)


@pytest.mark.nbgrader
def test_autograde_copies_source_files(graded: Graded) -> None:
    assert "data.txt" in graded.autograded_files["good"]  # data files come from solutions/, not students


@pytest.mark.nbgrader
@pytest.mark.parametrize("student_id", sorted(SUBMISSIONS))
def test_the_grader_agrees_with_the_reference(graded: Graded, student_id: str) -> None:
    result = graded.results[student_id]
    assert {c.grade_id: c.score for c in result.cells} == EXPECTED[student_id], result
    assert graded.scores[student_id] == graded.reference[student_id]
    flags = {flag.kind for flag in result.flags if flag.review}
    if student_id in FLAGGED:
        assert result.outcome == "flagged" and FLAGGED[student_id] in flags, result.flags
    else:
        assert result.outcome == "graded" and not flags, result.flags


def test_autograde_unknown_assignment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MGCOURSE_DB_URL", raising=False)
    course = Course.load(make_course(tmp_path / "course"))
    with pytest.raises(GradingError, match="autograding 'tiny'"):
        autograde(course, "tiny")  # never released, so not in the gradebook
