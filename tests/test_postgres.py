"""The gradebook on a real PostgreSQL server, also with several graders writing at once.

SQLite is the default gradebook; ``MGCOURSE_DB_URL`` points nbgrader at any
SQLAlchemy URL instead. Here a throwaway server (``tests/postgres.py``, from
Debian's ``postgresql`` installed by ``scripts/install-system-deps.sh``) listens
on 127.0.0.1 and each scenario gets an empty database of its own and a fresh
temporary copy of the course:

* sequential: generate assignment 1 into the gradebook, submit two full-mark
  answers, the blank student version and a wrong answer, autograde them all and
  read every cell score back from PostgreSQL;
* concurrent processes: the same submissions graded by two worker processes at
  once (one :func:`mgcourse.grader.reference.autograde` call per student);
* the course's grader :func:`mgcourse.grader.runner.grade_assignment` with two workers.

Both concurrent scenarios must give exactly the sequential scores, with one
grade row per submission and graded cell.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
import sqlalchemy

from mgcourse.grader.course import Course
from mgcourse.grader.reference import autograde, cell_scores
from mgcourse.grader.release import fill_from_master, release
from mgcourse.grader.results import GradeOptions
from mgcourse.grader.runner import grade_assignment
from nbgrader_roundtrip import THIRD_PARTY_WARNINGS, Wrong, make_wrong
from postgres import PostgresServer, postgres_server

REPO = Path(__file__).resolve().parents[1]
NAME = "assignment1"
NOTEBOOK = f"{NAME}.ipynb"
DATA_FILES = ("cohort.csv",)
TEST_CELLS = frozenset(
    {"test_units", "test_homa_ir", "test_quicki", "test_tyg", "test_classification",
     "test_elemental_magnesium"}
)  # fmt: skip
WRONG = Wrong(
    "units_solution",
    "return insulin_pmol / 6.00",
    "return insulin_pmol",
    frozenset({"test_homa_ir", "test_quicki"}),
    partial={"test_units": 2.0, "test_classification": 2.0},  # scored part by part
)
STUDENTS = ("full_a", "full_b", "blank", "wrong")
#: Written answers graded by hand: a gradebook row each, no automatic score.
WRITTEN_CELLS = frozenset({"written_indices"})
GRADED_CELLS = TEST_CELLS | WRITTEN_CELLS

pytestmark = [pytest.mark.nbgrader, *THIRD_PARTY_WARNINGS]

Scores = dict[str, dict[str, tuple[float, float]]]


# ----------------------------------------------------------------- helpers


def new_course(tmp_path_factory: pytest.TempPathFactory, label: str) -> Path:
    """A temporary copy of the course (configuration, masters, student versions)."""
    root = tmp_path_factory.mktemp(f"course_pg_{label}")
    shutil.copy(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    for folder in ("solutions", "exercises"):
        shutil.copytree(
            REPO / folder, root / folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints")
        )
    return root


def submit_all(root: Path) -> None:
    """Write the four submissions into ``grading/submitted/<student>/assignment1``."""
    master = nbformat.read(str(root / "solutions" / NAME / NOTEBOOK), as_version=4)
    student = nbformat.read(str(root / "exercises" / NAME / NOTEBOOK), as_version=4)
    notebooks = {
        "full_a": fill_from_master(student, master),
        "full_b": fill_from_master(student, master),
        "blank": student,
        "wrong": make_wrong(student, master, WRONG),
    }
    for sid, nb in notebooks.items():
        folder = root / "grading" / "submitted" / sid / NAME
        folder.mkdir(parents=True)
        nbformat.write(nb, str(folder / NOTEBOOK))
        for name in DATA_FILES:
            shutil.copy(root / "exercises" / NAME / name, folder / name)


def read_scores(course: Course) -> Scores:
    return {sid: cell_scores(course, NAME, sid) for sid in STUDENTS}


def grade_rows(url: str) -> list[tuple[str, str, str]]:
    """Every row of the gradebook's ``grade`` table as (student, notebook, cell)."""
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sqlalchemy.text(
                    "SELECT sa.student_id, nb.name, cell.name FROM grade g "
                    "JOIN submitted_notebook sn ON g.notebook_id = sn.id "
                    "JOIN submitted_assignment sa ON sn.assignment_id = sa.id "
                    "JOIN notebook nb ON sn.notebook_id = nb.id "
                    "JOIN base_cell cell ON g.cell_id = cell.id"
                )
            )
            return [(str(a), str(b), str(c)) for a, b, c in rows]
    finally:
        engine.dispose()


def check_scores(scores: Scores) -> None:
    """Full marks for the full answers, nothing for the blank one, the targeted cells lost."""
    assert set(scores) == set(STUDENTS)
    for sid, cells in scores.items():
        assert set(cells) == GRADED_CELLS, sid
        assert all(cells[cell][0] == 0 for cell in WRITTEN_CELLS), sid  # waiting for a person
    scores = {sid: {k: v for k, v in cells.items() if k in TEST_CELLS} for sid, cells in scores.items()}
    for sid in ("full_a", "full_b"):
        assert all(score == top > 0 for score, top in scores[sid].values()), scores[sid]
    assert all(score == 0 for score, _ in scores["blank"].values()), scores["blank"]
    zero = {cell for cell, (score, _) in scores["wrong"].items() if score == 0}
    full = {cell for cell, (score, top) in scores["wrong"].items() if score == top}
    assert zero == WRONG.zero, scores["wrong"]
    assert {cell: scores["wrong"][cell][0] for cell in WRONG.partial} == WRONG.partial, scores["wrong"]
    assert full == TEST_CELLS - WRONG.zero - set(WRONG.partial), scores["wrong"]


def check_one_row_per_cell(url: str) -> None:
    rows = grade_rows(url)
    expected = {(sid, NAME, cell) for sid in STUDENTS for cell in GRADED_CELLS}
    assert len(rows) == len(expected), f"{len(rows)} grade rows for {len(expected)} graded cells"
    assert set(rows) == expected


def autograde_in_process(root: str, url: str, student: str) -> tuple[float, float]:
    """Autograde one student in this (worker) process; return its start and end times [s]."""
    course = Course.load(Path(root), db_url=url)
    start = time.time()
    autograde(course, NAME, student=student)
    return start, time.time()


# ----------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def server() -> Iterator[PostgresServer]:
    """A PostgreSQL server on 127.0.0.1, stopped and deleted after the module."""
    with postgres_server() as running:
        yield running


@dataclass(frozen=True)
class Graded:
    course: Course
    url: str
    scores: Scores

    @property
    def root(self) -> Path:
        return self.course.root


@pytest.fixture(scope="module")
def graded(server: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Graded]:
    """The four submissions autograded one after the other into a PostgreSQL gradebook."""
    root = new_course(tmp_path_factory, "sequential")
    url = server.create_database("gradebook_sequential")
    course = Course.load(root, db_url=url)
    release(course, NAME)
    submit_all(root)
    autograde(course, NAME)
    yield Graded(course, url, read_scores(course))


@pytest.fixture
def fresh(
    server: PostgresServer,
    graded: Graded,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> Graded:
    """Another course copy with the same submissions and a new, released-into gradebook."""
    label = request.node.name.removeprefix("test_")
    root = new_course(tmp_path_factory, label)
    shutil.copytree(graded.root / "grading" / "submitted", root / "grading" / "submitted")
    url = server.create_database(f"gradebook_{label}")
    course = Course.load(root, db_url=url)
    release(course, NAME)
    return Graded(course, url, {})


# ----------------------------------------------------------------- tests


def test_gradebook_lives_in_postgres(graded: Graded) -> None:
    assert graded.url.startswith("postgresql+psycopg2://postgres@127.0.0.1:")
    assert not (graded.root / "grading" / "gradebook.db").exists(), "fell back to SQLite"
    engine = sqlalchemy.create_engine(graded.url)
    try:
        with engine.connect() as connection:
            version = connection.execute(sqlalchemy.text("SELECT version()")).scalar_one()
            students = connection.execute(
                sqlalchemy.text("SELECT student_id FROM submitted_assignment ORDER BY 1")
            ).scalars()
            assert sorted(students) == sorted(STUDENTS)
    finally:
        engine.dispose()
    assert str(version).startswith("PostgreSQL ")


def test_sequential_scores(graded: Graded) -> None:
    check_scores(graded.scores)
    check_one_row_per_cell(graded.url)


def test_two_processes_grade_concurrently(graded: Graded, fresh: Graded) -> None:
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        futures = [
            pool.submit(autograde_in_process, str(fresh.root), fresh.url, sid) for sid in STUDENTS
        ]
        spans = [future.result() for future in futures]
    overlapping = [
        (a, b) for i, a in enumerate(spans) for b in spans[i + 1 :] if a[0] < b[1] and b[0] < a[1]
    ]
    assert overlapping, f"the two processes never graded at the same time: {spans}"
    assert read_scores(fresh.course) == graded.scores
    check_one_row_per_cell(fresh.url)


def test_parallel_grader_matches_sequential(graded: Graded, fresh: Graded) -> None:
    results = grade_assignment(fresh.course, NAME, options=GradeOptions(workers=2))
    assert sorted(r.student for r in results) == sorted(STUDENTS)
    assert read_scores(fresh.course) == graded.scores
    check_one_row_per_cell(fresh.url)
