"""Tests of mgcourse.grader.report: the grades CSV, the similarity CSV and the HTML report."""

from __future__ import annotations

import base64
import csv
import re
from pathlib import Path

import pytest

from fixtures.courses import GradedCourse, copy_course, hostile_course
from fixtures.submissions import ASSIGNMENT, SUBMISSIONS, TEST_DOUBLE, TEST_HALF, make_course
from mgcourse.grader.course import Course
from mgcourse.grader.master import Master, MasterCell, MasterNotebook
from mgcourse.grader.release import release
from mgcourse.grader.report import (
    GradeRow,
    grade_rows,
    html_report,
    render_report,
    spreadsheet_text,
    write_csv,
    write_report,
    write_similarity_csv,
)
from mgcourse.grader.results import CellResult, Flag, StudentError, SubmissionResult
from mgcourse.grader.similarity import Similarity, SimilarityOptions, SimilarPair

pytestmark = pytest.mark.filterwarnings(
    # nbgrader 0.9.6's gradebook triggers SQLAlchemy autoflush warnings
    "ignore:Object of type <Submitted:sqlalchemy.exc.SAWarning"
)
#: Text a student controls, written to break a page, a chart, a CSV file or a template.
HOSTILE = (
    "<script>alert(1)</script>",
    "</table></td></tr>",
    "{{ 7 * 191 }}{% raw %}",
    "### BEGIN HIDDEN TESTS",
    "### END SOLUTION",
    "$\\frac{unbalanced$ ^_^ $",  # mathtext that matplotlib cannot parse
    "=HYPERLINK(\"http://example.invalid\")",
    "w" * 100_000,
    "nul\x00 bell\x07 c1\x85 rtl\u202e",
    "surrogate \ud800 \udcff",
)


@pytest.fixture(autouse=True)
def _course_from_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MGCOURSE_DB_URL", raising=False)
    monkeypatch.delenv("MGCOURSE_COURSE_ROOT", raising=False)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# ----------------------------------------------------------------- from records alone


def _master() -> Master:
    cells = (
        MasterCell("test_double", "code", True, TEST_DOUBLE, None, grade=True, points=2.0),
        MasterCell("test_half", "code", True, TEST_HALF, None, grade=True, points=1.0),
    )
    return Master(ASSIGNMENT, (MasterNotebook(ASSIGNMENT, cells),))


def _hostile_records() -> tuple[list[GradeRow], dict[str, SubmissionResult]]:
    records: dict[str, SubmissionResult] = {}
    for index, text in enumerate(HOSTILE):
        student = f"s{index} {text}"
        records[student] = SubmissionResult(
            student, ASSIGNMENT, "flagged", score=1.0, max_score=3.0,
            cells=[CellResult(ASSIGNMENT, "test_double", 0.0, 2.0, "failed", "AssertionError", text, text),
                   CellResult(ASSIGNMENT, "test_half", 0.0, 1.0, "error", text, None, text)],
            flags=[Flag("unknown_cell", f"a cell claims points under the unknown id {text!r}", text)],
            errors=[StudentError(ASSIGNMENT, text, text, text)],
            comments={f"{ASSIGNMENT}/double_solution": text},
            error=text,
        )
    records["good"] = SubmissionResult(
        "good", ASSIGNMENT, "graded", score=3.0, max_score=3.0,
        cells=[CellResult(ASSIGNMENT, "test_double", 2.0, 2.0, "passed"),
               CellResult(ASSIGNMENT, "test_half", 1.0, 1.0, "passed")],
    )
    rows = [GradeRow(student, ASSIGNMENT, r.score, 3.0, outcome=r.outcome, needs_review=r.needs_review)
            for student, r in sorted(records.items())]
    return rows, records


def test_hostile_records_are_escaped_and_break_nothing() -> None:
    rows, records = _hostile_records()
    similarity = Similarity(pairs=[SimilarPair("good", f"s0 {HOSTILE[0]}", 1.0, True)],
                            compared=list(records))
    page = render_report(_master(), rows, records, similarity)
    page.encode("utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "</table></td></tr>" not in page and "\x00" not in page
    text = re.sub(r"base64,[^\"]*", "", page)
    assert "{{ 7 * 191 }}" in text and "1337" not in text  # shown, never evaluated
    assert len(page) < 400_000  # long text is cut (the figures are most of the page)
    flagged = page.split("Flagged for review", 1)[1].split("Similar submissions", 1)[0]
    assert flagged.count("<tr><td>") == len(HOSTILE)  # one row per flagged submission, none broken
    assert "<tr><td>good</td><td>s0 &lt;script&gt;" in page
    assert len(re.findall(r'src="data:image/png;base64,', page)) == 3


def test_csv_text_is_never_a_spreadsheet_formula(tmp_path: Path) -> None:
    assert spreadsheet_text("=1+1") == "'=1+1" and spreadsheet_text("@SUM") == "'@SUM"
    assert spreadsheet_text("+1") == "'+1" and spreadsheet_text("-1") == "'-1"
    assert spreadsheet_text("ann") == "ann" and spreadsheet_text("a\x00\ud800") == "a\ufffd\ufffd"
    similarity = Similarity(pairs=[SimilarPair("=cmd|' /C calc'!A0", "bob", 0.9312, False)])
    path = write_similarity_csv(similarity, tmp_path / "pairs.csv")
    assert read_csv(path) == [{"student_a": "'=cmd|' /C calc'!A0", "student_b": "bob",
                               "similarity": "0.931", "kind": "near-identical"}]


# ----------------------------------------------------------------- graded courses


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> GradedCourse:
    return hostile_course(tmp_path_factory)


@pytest.fixture
def course(hostile: GradedCourse, tmp_path: Path) -> Course:
    assert set(SUBMISSIONS) <= set(hostile.results)
    return Course.load(copy_course(hostile, tmp_path / "course"))


@pytest.mark.nbgrader
def test_csv_has_nbgraders_columns_and_one_column_per_test(course: Course, hostile: GradedCourse) -> None:
    path = write_csv(course, ASSIGNMENT)
    assert path == course.root / "grading" / "reports" / f"{ASSIGNMENT}-grades.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == [
        "assignment", "duedate", "timestamp", "student_id", "raw_score", "late_submission_penalty",
        "score", "max_score", "outcome", "needs_review", "test_double", "test_half", "comments",
    ]
    rows = {row["student_id"]: row for row in read_csv(path)}
    assert set(rows) == set(hostile.results)
    for student, case in SUBMISSIONS.items():
        row = rows[student]
        assert float(row["score"]) == sum(case.scores.values()), student
        assert float(row["max_score"]) == 3.0
        assert {k: float(row[k]) for k in case.scores} == case.scores
        assert row["outcome"] == case.outcome
        assert row["needs_review"] == ("yes" if case.outcome == "flagged" else "no")


@pytest.mark.nbgrader
def test_csv_includes_manual_grades(course: Course) -> None:
    with course.gradebook() as gradebook:
        grade = gradebook.find_grade("test_double", ASSIGNMENT, ASSIGNMENT, "wrong")
        grade.manual_score = 1.5
        gradebook.db.commit()
    row = next(r for r in read_csv(write_csv(course, ASSIGNMENT)) if r["student_id"] == "wrong")
    assert (row["score"], row["test_double"], row["test_half"]) == ("2.5", "1.5", "1")


@pytest.mark.nbgrader
def test_html_report_is_self_contained(course: Course, tmp_path: Path) -> None:
    files = write_report(course, ASSIGNMENT, tmp_path / "out")
    assert files.grades.parent == files.similarity.parent == files.report.parent == tmp_path / "out"
    page = files.report.read_text(encoding="utf-8")
    for external in ("http://", "https://", "<script", "<link", "@import", "url("):
        assert external not in page
    sources = re.findall(r'src="([^"]*)"', page)
    assert len(sources) == 3  # score distribution, pass rates, common failures
    for source in sources:
        assert source.startswith("data:image/png;base64,")
        assert base64.b64decode(source.split(",", 1)[1]).startswith(b"\x89PNG\r\n\x1a\n")
    assert all(alt for alt in re.findall(r'<img alt="([^"]*)"', page))


@pytest.mark.nbgrader
def test_html_report_sections(course: Course, hostile: GradedCourse) -> None:
    page = html_report(course, ASSIGNMENT)
    assert f"{len(hostile.results)} submissions" in page
    for heading in ("Score distribution", "Pass rate of each test cell", "Most common failing checks",
                    "Flagged for review", "Similar submissions"):
        assert f"<h2>{heading}" in page
    assert "did you multiply by two rather than add two?" in page  # the commonest wrong answer
    flagged_section = page.split("Flagged for review", 1)[1].split("Similar submissions", 1)[0]
    flagged = set(re.findall(r"<tr><td>([a-z0-9_]+)</td>", flagged_section))
    assert flagged == {s for s, result in hostile.results.items() if result.needs_review}
    assert {s for s, case in SUBMISSIONS.items() if case.outcome == "flagged"} <= flagged
    assert "deleted_cell: the test cell test_double was deleted" in flagged_section


@pytest.mark.nbgrader
def test_report_lists_copied_submissions(course: Course, tmp_path: Path) -> None:
    # "good" and the other submissions with the master's answer are the class's common answer;
    # two students who share an unusual long answer are a pair
    import nbformat

    from fixtures.submissions import find

    answer = "def double(x):\n" + "".join(f"    y{i} = x * {i} - {i}\n" for i in range(10))
    answer += "    return x + x\n"
    for student in ("copy_a", "copy_b"):
        folder = course.autograded / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nb = nbformat.read(str(course.release / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"), as_version=4)
        find(nb, "double_solution").source = answer
        nbformat.write(nb, str(folder / f"{ASSIGNMENT}.ipynb"))
    files = write_report(course, ASSIGNMENT, tmp_path / "out", SimilarityOptions(min_tokens=10))
    pairs = read_csv(files.similarity)
    assert {"student_a": "copy_a", "student_b": "copy_b", "similarity": "1.000",
            "kind": "identical"} in pairs
    assert not [p for p in pairs if "blank" in (p["student_a"], p["student_b"])]
    page = files.report.read_text(encoding="utf-8")
    assert "<tr><td>copy_a</td><td>copy_b</td><td>1.000</td><td>identical</td></tr>" in page


@pytest.mark.nbgrader
def test_report_rows_of_failed_and_ungraded_submissions(course: Course) -> None:
    record = course.records / ASSIGNMENT / "good.json"
    record.write_text(record.read_text().replace('"outcome": "graded"', '"outcome": "failed"'))
    _, rows, _ = grade_rows(course, ASSIGNMENT)
    good = next(r for r in rows if r.student_id == "good")
    assert good.outcome == "failed" and good.needs_review


@pytest.mark.nbgrader
def test_report_of_an_assignment_without_submissions(tmp_path: Path) -> None:
    course = Course.load(make_course(tmp_path / "course"))
    release(course, ASSIGNMENT)
    files = write_report(course, ASSIGNMENT)
    assert read_csv(files.grades) == [] and read_csv(files.similarity) == []
    page = files.report.read_text(encoding="utf-8")
    assert "0 submissions" in page and "<img" not in page and "None." in page
