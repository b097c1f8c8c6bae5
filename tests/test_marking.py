"""Tests of mgcourse.grader.marking: written answers and overrides marked by hand, end to end.

``tiny`` gets a written-answer cell (a manually graded markdown cell whose model
answer and rubric sit between the solution markers). Two students are graded,
marked with the sheet and from the command line, graded again, and their marks
must be in the gradebook, the feedback pages and the report, and nowhere else.
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_markdown_cell

from fixtures.submissions import (
    ADD_TWO,
    ASSIGNMENT,
    find,
    make_course,
    tiny_master,
    write,
)
from mgcourse.grader.cli import main
from mgcourse.grader.course import Course
from mgcourse.grader.feedback import generate_feedback
from mgcourse.grader.marking import Mark, apply_marks, manual_comments, read_marks, write_marking_sheet
from mgcourse.grader.release import fill_from_master, find_leaks, leak_snippets, release
from mgcourse.grader.report import write_csv
from mgcourse.grader.results import GradeOptions
from mgcourse.grader.runner import grade_assignment

pytestmark = [
    pytest.mark.nbgrader,
    pytest.mark.filterwarnings("ignore:Object of type <Submitted:sqlalchemy.exc.SAWarning"),
]

RUBRIC_LINE = "Rubric: 1 point for 'doubling is linear', 1 point for naming the factor two."
WRITTEN = f"""Explain in one sentence why `double` is linear.

### BEGIN SOLUTION
Model answer: multiplying by a constant is linear.

{RUBRIC_LINE}
### END SOLUTION
"""
OPTIONS = GradeOptions(workers=1, timeout=30, memory_mb=1000)


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The course with a written answer, graded once; tests work on copies."""
    root = make_course(tmp_path_factory.mktemp("marking") / "course")
    master = tiny_master()
    cell = new_markdown_cell(WRITTEN, metadata={"nbgrader": {
        "grade": True, "solution": True, "locked": False, "points": 2, "grade_id": "explain",
        "schema_version": 3,
    }})
    cell["id"] = "explain"
    master.cells.insert(-1, cell)
    nbformat.write(master, str(root / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"))
    course = Course.load(root)
    release(course, ASSIGNMENT)
    student = nbformat.read(str(root / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"), as_version=4)
    ann = fill_from_master(student, master)
    find(ann, "explain").source = "Doubling multiplies by the constant two, so it is linear."
    write(root / "grading" / "submitted" / "ann" / ASSIGNMENT, ann)
    ben = fill_from_master(student, master)
    find(ben, "double_solution").source = ADD_TWO
    write(root / "grading" / "submitted" / "ben" / ASSIGNMENT, ben)
    grade_assignment(course, ASSIGNMENT, options=OPTIONS)
    return root


@pytest.fixture
def course(graded: Path, tmp_path: Path) -> Course:
    """A private copy of the graded course."""
    shutil.copytree(graded, tmp_path / "course")
    return Course.load(tmp_path / "course")


def _scores(course: Course, student: str) -> dict[str, tuple[float | None, float | None]]:
    with course.gradebook() as gradebook:
        submission = gradebook.find_submission(ASSIGNMENT, student)
        return {str(g.name): (g.manual_score, g.auto_score) for nb in submission.notebooks for g in nb.grades}


def test_the_rubric_never_reaches_the_student_version(course: Course) -> None:
    master = course.source / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert RUBRIC_LINE in leak_snippets(master)
    assert find_leaks(course.release / ASSIGNMENT, [master]) == []
    student_version = course.release / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert RUBRIC_LINE not in student_version.read_text(encoding="utf-8")


def test_written_answers_wait_for_a_person(course: Course) -> None:
    assert _scores(course, "ann")["explain"] == (None, None)
    with course.gradebook() as gradebook:
        assert gradebook.find_grade("explain", ASSIGNMENT, ASSIGNMENT, "ann").needs_manual_grade


def test_sheet_and_page_show_answers_beside_the_rubric_for_the_instructor(course: Course) -> None:
    sheet, page = write_marking_sheet(course, ASSIGNMENT)
    assert sheet.parent == page.parent == course.grading / "marking"
    rows = list(csv.DictReader(sheet.open(encoding="utf-8")))
    assert [(r["student"], r["grade_id"], r["kind"]) for r in rows[:3]] == [
        ("ann", "explain", "written"), ("ann", "test_double", "test"), ("ann", "test_half", "test"),
    ]
    html = page.read_text(encoding="utf-8")
    assert "Doubling multiplies by the constant two" in html and "1 point for" in html


def test_marks_reach_the_gradebook_feedback_and_report_and_survive_a_regrade(
    course: Course, tmp_path: Path
) -> None:
    sheet, _ = write_marking_sheet(course, ASSIGNMENT)
    rows = list(csv.DictReader(sheet.open(encoding="utf-8")))
    for row in rows:
        if (row["student"], row["grade_id"]) == ("ann", "explain"):
            row.update(manual_score="2", comment="Clear and correct.")
        if (row["student"], row["grade_id"]) == ("ben", "test_double"):
            row.update(manual_score="0.5", comment="Right idea, wrong operation <b>here</b>.")
    filled_sheet = tmp_path / "marks.csv"
    with filled_sheet.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    report = apply_marks(course, ASSIGNMENT, read_marks(filled_sheet))
    assert len(report.stored) == 2 and report.refused == []

    again = grade_assignment(course, ASSIGNMENT, options=GradeOptions(workers=1, timeout=30, force=True))
    assert all(not r.skipped for r in again)
    assert _scores(course, "ann")["explain"] == (2.0, None)
    assert _scores(course, "ben")["test_double"] == (0.5, 0.0)
    comments = manual_comments(course, ASSIGNMENT)
    assert comments["ann"][(ASSIGNMENT, "explain")] == "Clear and correct."
    assert comments["ben"][(ASSIGNMENT, "test_double")].startswith("Right idea")
    with course.gradebook() as gradebook:
        assert float(gradebook.find_submission(ASSIGNMENT, "ann").score) == 5.0

    run = generate_feedback(course, ASSIGNMENT)
    assert run.ok
    ann = run.written["ann"][0].read_text(encoding="utf-8")
    assert "Clear and correct." in ann and "5 / 5" in ann and RUBRIC_LINE not in ann
    ben = run.written["ben"][0].read_text(encoding="utf-8")
    assert "Right idea, wrong operation &lt;b&gt;here&lt;/b&gt;." in ben

    grades = {row["student_id"]: row for row in csv.DictReader(write_csv(course, ASSIGNMENT).open())}
    assert grades["ann"]["explain"] == "2" and "Clear and correct." in grades["ann"]["comments"]
    assert grades["ben"]["test_double"] == "0.5"


@pytest.mark.parametrize(
    ("score", "reason"), [(3.0, r"must lie in \[0, 2\] points"), (float("nan"), "must lie in"),
                          (-1.0, "must lie in")],
)
def test_a_bad_mark_is_refused_and_names_the_range(course: Course, score: float, reason: str) -> None:
    report = apply_marks(course, ASSIGNMENT, [Mark("ann", ASSIGNMENT, "explain", score)])
    assert report.stored == [] and len(report.refused) == 1
    assert re.search(reason, report.refused[0][1])
    assert _scores(course, "ann")["explain"] == (None, None)


def test_the_command_marks_one_cell_and_refuses_bad_input(
    course: Course, capsys: pytest.CaptureFixture[str]
) -> None:
    root = ["--root", str(course.root)]
    assert main([*root, "mark", ASSIGNMENT, "--student", "ann", "--cell", "explain", "--score", "1.5",
                 "--comment", "Half right."]) == 0
    assert "marked ann explain: 1.5 points and comment" in capsys.readouterr().out
    assert _scores(course, "ann")["explain"] == (1.5, None)
    assert main([*root, "mark", ASSIGNMENT, "--student", "ann", "--cell", "explain", "--score", "9"]) == 1
    assert "must lie in [0, 2] points" in capsys.readouterr().err
    assert main([*root, "mark", ASSIGNMENT, "--student", "ann", "--cell", "explain"]) == 2
    assert main([*root, "mark", ASSIGNMENT, "--student", "zed", "--cell", "explain", "--score", "1"]) == 1
    assert "no graded cell" in capsys.readouterr().err
