"""Tests of mgcourse.grader.release on a tiny fixture master made here.

The master has one read-only markdown cell, one solution cell and two test
cells, one of them with a hidden check. :mod:`tests.test_reference` grades
submissions of the same master.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import nbformat
import pytest
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from mgcourse.grader.course import Course, GradingError
from mgcourse.grader.release import (
    fill_from_master,
    leak_snippets,
    parse_duedate,
    release,
    release_checked,
)

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.filterwarnings(
    # nbgrader 0.9.6's gradebook triggers SQLAlchemy autoflush warnings while autograding.
    "ignore:Object of type <Submitted:sqlalchemy.exc.SAWarning"
)

SOLUTION = '''def double(x):
    """Return twice x."""
    ### BEGIN SOLUTION
    result = 2 * x  # the answer
    return result
    ### END SOLUTION
'''
TEST_DOUBLE = '''"""Check that double doubles."""
assert double(0) == 0, "double(0) should be 0"
### BEGIN HIDDEN TESTS
assert double(21) == 42, "did you multiply by two?"
### END HIDDEN TESTS
'''
TEST_TYPE = '''"""Check that double keeps integers."""
assert isinstance(double(1), int), "double(1) should be an int"
'''


def _meta(grade_id: str, **kw: object) -> dict[str, object]:
    meta: dict[str, object] = {
        "grade": False,
        "grade_id": grade_id,
        "locked": False,
        "schema_version": 3,
        "solution": False,
    }
    meta.update(kw)
    return {"nbgrader": meta}


def tiny_master() -> NotebookNode:
    """A master with one read-only markdown cell, one solution and two test cells."""
    cells = [
        new_markdown_cell("# Tiny\n\nWrite `double`.", metadata=_meta("intro", locked=True)),
        new_code_cell(SOLUTION, metadata=_meta("double_solution", solution=True)),
        new_code_cell(
            TEST_DOUBLE, metadata=_meta("test_double", grade=True, locked=True, points=2)
        ),
        new_code_cell(TEST_TYPE, metadata=_meta("test_type", grade=True, locked=True, points=1)),
    ]
    for cell in cells:
        cell["id"] = cell.metadata["nbgrader"]["grade_id"].replace("_", "-")
    return new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
        },
    )


def make_course(root: Path, *, timeout: int | None = None) -> Path:
    """A course directory with the repository's config and the tiny assignment."""
    root.mkdir(parents=True, exist_ok=True)
    config = (REPO / "nbgrader_config.py").read_text(encoding="utf-8")
    if timeout is not None:
        config += f"\nc.ExecutePreprocessor.timeout = {timeout}\n"
    (root / "nbgrader_config.py").write_text(config, encoding="utf-8")
    source = root / "solutions" / "tiny"
    source.mkdir(parents=True)
    nbformat.write(tiny_master(), str(source / "tiny.ipynb"))
    (source / "data.txt").write_text("1 2 3\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def shared_db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One gradebook for the release tests: nbgrader needs ~3 s to create a new one."""
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'gradebook.db'}"


@pytest.fixture
def tiny_course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("MGCOURSE_DB_URL", raising=False)
    monkeypatch.delenv("MGCOURSE_COURSE_ROOT", raising=False)
    return make_course(tmp_path / "course")


@pytest.fixture
def course(tiny_course: Path, shared_db_url: str) -> Course:
    return Course.load(tiny_course, db_url=shared_db_url)


# ----------------------------------------------------------------- fill_from_master


def _blank_student() -> NotebookNode:
    student = tiny_master()
    stub = 'def double(x):\n    """Return twice x."""\n    raise NotImplementedError()'
    student.cells[1].source = stub
    student.cells[2].source = TEST_DOUBLE.split("### BEGIN HIDDEN TESTS")[0]
    return student


def test_fill_from_master_copies_solutions_by_grade_id() -> None:
    master, student = tiny_master(), _blank_student()
    student.cells[1].metadata["nbgrader"]["checksum"] = "kept"
    master.cells = [master.cells[2], master.cells[1]]  # order does not matter
    filled = fill_from_master(student, master)
    assert filled.cells[1].source == SOLUTION
    assert filled.cells[1].metadata["nbgrader"]["checksum"] == "kept"
    assert filled.cells[2].source == student.cells[2].source  # test cells are not copied
    assert "raise NotImplementedError()" in student.cells[1].source  # input untouched


def test_fill_from_master_missing_solution_cell() -> None:
    master, student = tiny_master(), _blank_student()
    master.cells[1].metadata["nbgrader"]["grade_id"] = "renamed"
    with pytest.raises(KeyError, match="double_solution"):
        fill_from_master(student, master)


# ----------------------------------------------------------------- leak_snippets


def test_leak_snippets_of_a_tiny_master(tmp_path: Path) -> None:
    master = tiny_master()
    master.cells.append(
        new_code_cell(
            "long_shared_line = 1\n### BEGIN SOLUTION\nlong_shared_line = 1\n"
            "short = 1\n# a comment that is long enough\nvery_secret_value = 42\n### END SOLUTION",
            metadata=_meta("extra", solution=True),
        )
    )
    path = tmp_path / "master.ipynb"
    nbformat.write(master, str(path))
    assert leak_snippets(path) == {
        "result = 2 * x  # the answer",  # a code line with a trailing comment is code
        "return result",
        'assert double(21) == 42, "did you multiply by two?"',
        "very_secret_value = 42",
    }  # not: "short = 1" (< 12 characters), comments, lines also shown outside the regions


def test_leak_snippets_of_the_real_master() -> None:
    snippets = leak_snippets(REPO / "solutions" / "assignment1" / "assignment1.ipynb")
    assert "return insulin_pmol / 6.00" in snippets
    assert "homa = homa_ir(glucose_mmol_l, insulin_uU_ml)" in snippets
    assert not any("BEGIN" in s or s.startswith("#") or len(s) < 12 for s in snippets)


# ----------------------------------------------------------------- release


@pytest.mark.nbgrader
def test_release_writes_the_student_version(course: Course, tiny_course: Path) -> None:
    out = release(course, "tiny")
    assert out == tiny_course.resolve() / "exercises" / "tiny"
    assert (out / "data.txt").read_text(encoding="utf-8") == "1 2 3\n"
    nb = nbformat.read(str(out / "tiny.ipynb"), as_version=4)
    solution, test = nb.cells[1].source, nb.cells[2].source
    assert "# YOUR CODE HERE\n    raise NotImplementedError()" in solution
    assert "2 * x" not in solution and "BEGIN SOLUTION" not in solution
    assert "double(21)" not in test and "HIDDEN" not in test
    assert 'assert double(0) == 0, "double(0) should be 0"' in test
    assert nb.cells[2].metadata["editable"] is False
    assert nb.cells[2].metadata["nbgrader"]["checksum"]


@pytest.mark.nbgrader
def test_release_to_dest_replaces_its_contents(course: Course, tiny_course: Path, tmp_path: Path) -> None:
    dest = tmp_path / "somewhere" / "student"
    dest.mkdir(parents=True)
    (dest / "stale.txt").write_text("old", encoding="utf-8")
    assert release(course, "tiny", dest=dest) == dest
    assert sorted(p.name for p in dest.iterdir()) == ["data.txt", "tiny.ipynb"]
    assert not (tiny_course / "exercises").exists()


@pytest.mark.nbgrader
def test_release_is_deterministic(course: Course, tmp_path: Path) -> None:
    first = release(course, "tiny", dest=tmp_path / "a")
    second = release(course, "tiny", dest=tmp_path / "b")
    assert (first / "tiny.ipynb").read_bytes() == (second / "tiny.ipynb").read_bytes()


@pytest.mark.nbgrader
def test_release_creates_a_gradebook_without_an_activated_environment(
    tiny_course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A new gradebook makes nbgrader 0.9.6 run the `alembic` command.
    monkeypatch.setenv("PATH", os.defpath)
    release(Course.load(tiny_course), "tiny")
    assert (tiny_course / "grading" / "gradebook.db").is_file()
    assert os.environ["PATH"] == os.defpath


def test_release_unknown_assignment(course: Course) -> None:
    with pytest.raises(FileNotFoundError, match="nope"):
        release(course, "nope")


@pytest.mark.nbgrader
def test_release_rejects_duplicate_grade_ids(course: Course, tiny_course: Path) -> None:
    path = tiny_course / "solutions" / "tiny" / "tiny.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    nb.cells[3].metadata["nbgrader"]["grade_id"] = "test_double"
    nbformat.write(nb, str(path))
    with pytest.raises(GradingError, match="generating the student version"):
        release(course, "tiny")


# ----------------------------------------------------------------- release_checked


@pytest.mark.nbgrader
def test_release_checked_reports_the_files_and_records_the_due_date(course: Course) -> None:
    report = release_checked(course, "tiny", duedate="2026-12-01 17:00")
    assert (report.leaks, report.added, report.changed) == ([], ["data.txt", "tiny.ipynb"], [])
    assert report.dest == course.release / "tiny"
    with course.gradebook() as gradebook:
        assert gradebook.find_assignment("tiny").duedate == datetime.datetime(2026, 12, 1, 17, 0)
    again = release_checked(course, "tiny")
    assert again.unchanged == ["data.txt", "tiny.ipynb"] and not again.added


@pytest.mark.nbgrader
def test_release_checked_refuses_a_leak_and_writes_nothing(course: Course) -> None:
    (course.source / "tiny" / "hint.txt").write_text("result = 2 * x  # the answer\n", encoding="utf-8")
    report = release_checked(course, "tiny")
    assert report.leaks == ["hint.txt: 'result = 2 * x  # the answer'"]
    assert not (course.release / "tiny").exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01 17:00", datetime.datetime(2026, 12, 1, 17, 0)),
        ("2026-12-01T17:00:00+01:00", datetime.datetime(2026, 12, 1, 16, 0)),
    ],
)
def test_parse_duedate_reads_utc_and_zoned_times(text: str, expected: datetime.datetime) -> None:
    assert parse_duedate(text) == expected


def test_parse_duedate_names_the_text_and_the_form() -> None:
    with pytest.raises(ValueError, match=r"due date = 'soon'.*2026-12-01 17:00"):
        parse_duedate("soon")
