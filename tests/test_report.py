"""Tests of mgcourse.report: the grades CSV and the self-contained HTML report."""

from __future__ import annotations

import base64
import csv
import re
from pathlib import Path

import pytest

from fixtures.courses import GradedCourse, copy_course, hostile_course
from fixtures.submissions import ASSIGNMENT, SUBMISSIONS, make_course
from mgcourse.grading import load_config, release
from mgcourse.report import grade_rows, html_report, write_csv, write_report

pytestmark = pytest.mark.filterwarnings(
    # nbgrader 0.9.6's gradebook triggers SQLAlchemy autoflush warnings
    "ignore:Object of type <Submitted:sqlalchemy.exc.SAWarning"
)


@pytest.fixture(autouse=True)
def _course_from_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MGCOURSE_DB_URL", raising=False)
    monkeypatch.delenv("MGCOURSE_COURSE_ROOT", raising=False)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> GradedCourse:
    return hostile_course(tmp_path_factory)


@pytest.fixture
def course(hostile: GradedCourse, tmp_path: Path) -> Path:
    return copy_course(hostile, tmp_path / "course")


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.nbgrader
def test_csv_has_nbgraders_columns_and_one_column_per_test(course: Path) -> None:
    path = write_csv(ASSIGNMENT, course)
    assert path == course / "grading" / "reports" / f"{ASSIGNMENT}-grades.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == [
        "assignment", "duedate", "timestamp", "student_id", "raw_score", "late_submission_penalty",
        "score", "max_score", "outcome", "needs_review", "test_double", "test_half",
    ]
    rows = {row["student_id"]: row for row in read_csv(path)}
    assert set(rows) == set(SUBMISSIONS)
    for student, case in SUBMISSIONS.items():
        row = rows[student]
        assert float(row["score"]) == sum(case.scores.values()), student
        assert float(row["max_score"]) == 3.0
        assert {k: float(row[k]) for k in case.scores} == case.scores
        assert row["outcome"] == case.outcome
        assert row["needs_review"] == ("yes" if case.outcome == "flagged" else "no")


@pytest.mark.nbgrader
def test_csv_includes_manual_grades(course: Path) -> None:
    from nbgrader.api import Gradebook

    config = load_config(course)
    with Gradebook(str(config.CourseDirectory.db_url), "mgcourse") as gradebook:
        grade = gradebook.find_grade("test_double", ASSIGNMENT, ASSIGNMENT, "wrong")
        grade.manual_score = 1.5
        gradebook.db.commit()
    row = next(r for r in read_csv(write_csv(ASSIGNMENT, course)) if r["student_id"] == "wrong")
    assert (row["score"], row["test_double"], row["test_half"]) == ("2.5", "1.5", "1")


@pytest.mark.nbgrader
def test_html_report_is_self_contained(course: Path, tmp_path: Path) -> None:
    csv_path, html_path = write_report(ASSIGNMENT, course, tmp_path / "out")
    assert csv_path.parent == html_path.parent == tmp_path / "out"
    page = html_path.read_text(encoding="utf-8")
    for external in ("http://", "https://", "<script", "<link", "@import", "url("):
        assert external not in page
    sources = re.findall(r'src="([^"]*)"', page)
    assert len(sources) == 3  # score distribution, pass rates, common failures
    for source in sources:
        assert source.startswith("data:image/png;base64,")
        assert base64.b64decode(source.split(",", 1)[1]).startswith(b"\x89PNG\r\n\x1a\n")
    assert all(alt for alt in re.findall(r'<img alt="([^"]*)"', page))


@pytest.mark.nbgrader
def test_html_report_sections(course: Path) -> None:
    page = html_report(ASSIGNMENT, course)
    assert f"{len(SUBMISSIONS)} submissions" in page
    for heading in ("Score distribution", "Pass rate of each test cell", "Most common failing checks",
                    "Flagged for review"):
        assert f"<h2>{heading}" in page
    assert "did you multiply by two rather than add two?" in page  # the commonest wrong answer
    flagged_section = page.split("Flagged for review", 1)[1]
    flagged = set(re.findall(r"<tr><td>([a-z0-9_]+)</td>", flagged_section))
    assert flagged == {s for s, case in SUBMISSIONS.items() if case.outcome == "flagged"}
    assert "deleted_cell: the test cell test_double was deleted" in flagged_section


@pytest.mark.nbgrader
def test_report_rows_of_failed_and_ungraded_submissions(course: Path) -> None:
    record = course / "grading" / "records" / ASSIGNMENT / "good.json"
    record.write_text(record.read_text().replace('"outcome": "graded"', '"outcome": "failed"'))
    _, rows, _ = grade_rows(ASSIGNMENT, course)
    good = next(r for r in rows if r.student_id == "good")
    assert good.outcome == "failed" and good.needs_review


@pytest.mark.nbgrader
def test_report_of_an_assignment_without_submissions(tmp_path: Path) -> None:
    root = make_course(tmp_path / "course")
    release(ASSIGNMENT, root)
    csv_path, html_path = write_report(ASSIGNMENT, root)
    assert read_csv(csv_path) == []
    page = html_path.read_text(encoding="utf-8")
    assert "0 submissions" in page and "<img" not in page and "None." in page
