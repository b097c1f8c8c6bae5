"""What the attack corpus (``fixtures/attacks.py``) could not do to anyone else.

The hostile course is graded once (``fixtures/courses.py``); its scores per case
are checked in ``test_runner.py``. Here: after grading, and after the moment a
left-behind process would have struck, the honest students' files, gradebook
rows, records and feedback are untouched, nothing of the master left the
grader, every student gets a feedback page, and the report is written.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import nbformat
import pytest

from fixtures.attacks import ATTACKS, HIDDEN_LINE, ORPHAN_MARKER, STRIKE_AFTER, VICTIMS
from fixtures.courses import GradedCourse, copy_course, hostile_course
from fixtures.submissions import ASSIGNMENT, SUBMISSIONS, find
from mgcourse.grader.course import Course
from mgcourse.grader.feedback import generate_feedback
from mgcourse.grader.records import load_records, submission_digest
from mgcourse.grader.report import write_report

pytestmark = [
    pytest.mark.nbgrader,
    pytest.mark.filterwarnings("ignore:Object of type <Submitted:sqlalchemy.exc.SAWarning"),
]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> GradedCourse:
    course = hostile_course(tmp_path_factory)
    time.sleep(STRIKE_AFTER + 2)  # long enough for a left-behind process to have struck
    return course


def _outputs(root: Path, student: str, grade_id: str) -> str:
    path = root / "grading" / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    outputs = find(nb, grade_id).get("outputs", [])
    return "".join(str(o.get("text", "")) + str(o.get("evalue", "")) for o in outputs)


def test_no_process_outlives_grading(hostile: GradedCourse) -> None:
    left = subprocess.run(["pgrep", "-f", ORPHAN_MARKER], capture_output=True, text=True, check=False)
    assert left.stdout.strip() == ""
    assert hostile.results["ctypes_escape"].score == 1.0  # the wrong double earned nothing


@pytest.mark.parametrize("victim", VICTIMS)
def test_honest_students_keep_their_files_grades_and_records(hostile: GradedCourse, victim: str) -> None:
    course = Course.load(hostile.root)
    record = load_records(course, ASSIGNMENT)[victim]
    assert (record.outcome, record.score, record.flags) == ("graded", 3.0, [])
    assert submission_digest(course.submitted / victim / ASSIGNMENT) == record.digest
    autograded = course.autograded / victim / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert json.loads(autograded.read_text(encoding="utf-8"))["cells"]  # still a notebook
    with course.gradebook() as gradebook:
        submission = gradebook.find_submission(ASSIGNMENT, victim)
        assert float(submission.score) == 3.0


def test_no_record_or_gradebook_row_was_rewritten_after_grading(hostile: GradedCourse) -> None:
    course = Course.load(hostile.root)
    records = load_records(course, ASSIGNMENT)
    assert set(records) == set(SUBMISSIONS) | set(ATTACKS)
    with course.gradebook() as gradebook:
        for student, result in hostile.results.items():
            if result.outcome == "failed":
                continue
            assert records[student].score == result.score, student
            assert float(gradebook.find_submission(ASSIGNMENT, student).score) == result.score, student


def test_nothing_of_the_master_or_the_grader_reached_a_submission(hostile: GradedCourse) -> None:
    text = _outputs(hostile.root, "exfiltrate", "double_solution")
    assert "blocked" in text
    for secret in (HIDDEN_LINE, "BEGIN HIDDEN TESTS", "CourseDirectory", "MGCOURSE", "port 5432 open"):
        assert secret not in text, secret
    rewrite = _outputs(hostile.root, "rewrite_other", "double_solution")
    assert "rewrote" not in rewrite and "blocked" in rewrite


def test_every_student_gets_feedback_whatever_the_others_wrote(hostile: GradedCourse, tmp_path: Path) -> None:
    root = copy_course(hostile, tmp_path / "course")
    course = Course.load(root)
    run = generate_feedback(course, ASSIGNMENT)
    graded = {s for s, r in hostile.results.items() if r.outcome != "failed"}
    assert run.failed == {} and set(run.written) == graded
    page = (course.feedback / "markers" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page and HIDDEN_LINE not in page
    for victim in VICTIMS:
        assert (course.feedback / victim / ASSIGNMENT / f"{ASSIGNMENT}.html").is_file()


def test_the_report_is_written_whatever_the_students_wrote(hostile: GradedCourse, tmp_path: Path) -> None:
    root = copy_course(hostile, tmp_path / "course")
    files = write_report(Course.load(root), ASSIGNMENT)
    grades = files.grades.read_text(encoding="utf-8")
    assert all(student in grades for student in hostile.results)
    assert files.similarity.read_text(encoding="utf-8").startswith("student_a,student_b,similarity,kind")
    html = files.report.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
