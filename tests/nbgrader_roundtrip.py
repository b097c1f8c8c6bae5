"""The nbgrader round trip of a graded assignment, shared by ``tests/test_assignment*.py``.

Each assignment's test module describes it with an :class:`Assignment` (its test
cells, points, data files and a set of plausible wrong answers) and runs the
checks below by subclassing :class:`RoundTrip`::

    class TestRoundTrip(RoundTrip):
        assignment = ASSIGNMENT

The expensive part (a temporary copy of the course, generating the student
version, autograding a full, a blank and every wrong submission) runs once per
assignment, in the class-scoped ``course`` fixture; each nbgrader step starts a
kernel. Everything goes through nbgrader's Python API in-process, never its
command line.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat import NotebookNode

from mgcourse.grading import autograde, cell_scores, fill_from_master, load_config, release

REPO = Path(__file__).resolve().parents[1]

# nbgrader 0.9.6's gradebook triggers SQLAlchemy autoflush warnings while autograding.
THIRD_PARTY_WARNINGS = [
    pytest.mark.filterwarnings("ignore:Object of type <Submitted:sqlalchemy.exc.SAWarning"),
]


@dataclass(frozen=True)
class Wrong:
    """A plausible mistake: replace ``old`` by ``new`` in one solution cell."""

    cell: str  # grade_id of the solution cell
    old: str
    new: str
    zero: frozenset[str]  # test cells that must then score 0; every other cell scores full


@dataclass(frozen=True)
class Assignment:
    """What the round trip needs to know about one graded assignment."""

    name: str  # folder under solutions/ and exercises/, and the notebook's stem
    test_cells: frozenset[str]  # grade_ids of the graded test cells
    total_points: int
    data_files: tuple[str, ...] = ()  # files next to the notebook that it reads
    # Each of these passes every visible check but must lose the hidden-test points.
    wrong: Mapping[str, Wrong] = field(default_factory=dict)

    @property
    def notebook(self) -> str:
        return f"{self.name}.ipynb"

    @property
    def master(self) -> Path:
        return REPO / "solutions" / self.name / self.notebook

    @property
    def exercise(self) -> Path:
        return REPO / "exercises" / self.name / self.notebook


def nbgrader_meta(cell: NotebookNode) -> dict[str, object]:
    """The ``nbgrader`` metadata of a cell (empty if it has none)."""
    return dict(cell.metadata.get("nbgrader", {}))


def find_cell(nb: NotebookNode, grade_id: str) -> NotebookNode:
    matches = [cell for cell in nb.cells if nbgrader_meta(cell).get("grade_id") == grade_id]
    assert len(matches) == 1, f"expected exactly one cell with grade_id {grade_id!r}"
    return matches[0]


def master_cell(assignment: Assignment, grade_id: str) -> str:
    """Source of one cell of the master, found by its ``grade_id`` (for example pasted data)."""
    nb = nbformat.read(str(assignment.master), as_version=4)
    return str(find_cell(nb, grade_id).source)


def visible_checks(test_source: str) -> str:
    """The part of a test cell that students see: everything before its hidden tests."""
    return test_source.split("### BEGIN HIDDEN TESTS")[0]


def make_wrong(student: NotebookNode, master: NotebookNode, wrong: Wrong) -> NotebookNode:
    """The student version filled with the master's solutions plus one mistake."""
    nb = fill_from_master(student, master)
    cell = find_cell(nb, wrong.cell)
    assert wrong.old in cell.source, f"{wrong.old!r} is not in cell {wrong.cell!r} any more"
    cell.source = cell.source.replace(wrong.old, wrong.new)
    return nb


def copy_data(assignment: Assignment, root: Path, folder: Path) -> None:
    """Copy the assignment's data files from ``<root>/exercises/<name>`` into ``folder``."""
    for name in assignment.data_files:
        shutil.copy(root / "exercises" / assignment.name / name, folder / name)


def execute(nb: NotebookNode, workdir: Path) -> NotebookNode:
    """Run a notebook in ``workdir`` (which holds its data files); raise on the first error."""
    client = NotebookClient(
        nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}
    )
    return client.execute()


@dataclass(frozen=True)
class Course:
    root: Path
    master: NotebookNode
    student: NotebookNode
    scores: dict[str, dict[str, tuple[float, float]]]


def _submit(assignment: Assignment, root: Path, student_id: str, nb: NotebookNode) -> None:
    folder = root / "grading" / "submitted" / student_id / assignment.name
    folder.mkdir(parents=True)
    nbformat.write(nb, str(folder / assignment.notebook))
    copy_data(assignment, root, folder)


def build_course(
    assignment: Assignment, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Course]:
    """A temporary course: student version generated, submissions autograded once.

    The body of :meth:`RoundTrip.course`: ``yield from build_course(...)``.
    """
    root = tmp_path_factory.mktemp(f"course_{assignment.name}")
    shutil.copy(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    for folder in ("solutions", "exercises"):
        shutil.copytree(
            REPO / folder, root / folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints")
        )
    name, notebook = assignment.name, assignment.notebook
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MGCOURSE_COURSE_ROOT", str(root))
        mp.setenv("MGCOURSE_DB_URL", f"sqlite:///{root / 'grading' / 'gradebook.db'}")
        release(name, root)
        master = nbformat.read(str(root / "solutions" / name / notebook), as_version=4)
        student = nbformat.read(str(root / "exercises" / name / notebook), as_version=4)
        _submit(assignment, root, "full", fill_from_master(student, master))
        _submit(assignment, root, "blank", student)
        for wrong_name, wrong in assignment.wrong.items():
            _submit(assignment, root, f"wrong_{wrong_name}", make_wrong(student, master, wrong))
        autograde(name, root)
        students = ["full", "blank", *(f"wrong_{wrong_name}" for wrong_name in assignment.wrong)]
        scores = {sid: cell_scores(name, sid, root) for sid in students}
        yield Course(root, master, student, scores)


# ----------------------------------------------------------------- master structure


def check_test_cells_follow_the_conventions(assignment: Assignment) -> None:
    nb = nbformat.read(str(assignment.master), as_version=4)
    tests = [cell for cell in nb.cells if nbgrader_meta(cell).get("grade")]
    assert {nbgrader_meta(cell)["grade_id"] for cell in tests} == assignment.test_cells
    assert len(tests) >= 4
    for cell in tests:
        meta = nbgrader_meta(cell)
        grade_id = str(meta["grade_id"])
        assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", grade_id), grade_id
        assert meta["locked"] is True and meta["solution"] is False, grade_id
        assert isinstance(meta["points"], int | float) and meta["points"] > 0, grade_id
        assert cell.source.splitlines()[0].startswith('"""Check that'), grade_id
        before_hidden = cell.source.split("### BEGIN HIDDEN TESTS")[0]
        assert "assert" in before_hidden.split('"""', 2)[2], f"{grade_id}: no visible check"
        assert cell.source.count("### BEGIN HIDDEN TESTS") == 1, grade_id
        assert cell.source.count("### END HIDDEN TESTS") == 1, grade_id
        hidden = cell.source.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
        assert "assert" in hidden, f"{grade_id}: empty hidden region"
    points = sum(nbgrader_meta(cell)["points"] for cell in tests)  # type: ignore[misc]
    assert points == assignment.total_points


def check_master_metadata_and_no_outputs(assignment: Assignment) -> None:
    nb = nbformat.read(str(assignment.master), as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    grade_ids = [str(nbgrader_meta(cell).get("grade_id")) for cell in nb.cells]
    assert all(nbgrader_meta(cell) for cell in nb.cells), "every cell carries nbgrader metadata"
    assert len(grade_ids) == len(set(grade_ids)), "grade_ids must be unique"
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        assert meta["schema_version"] == 3
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, meta["grade_id"]
        if meta["solution"]:
            assert meta["grade"] is False and meta["locked"] is False, meta["grade_id"]
            assert "### BEGIN SOLUTION" in cell.source, meta["grade_id"]
        if cell.cell_type == "markdown":
            assert meta["locked"] is True, meta["grade_id"]


# ----------------------------------------------------------------- 1. the master validates


def check_master_passes_every_test_cell(assignment: Assignment, course: Course) -> None:
    # nbclient raises CellExecutionError at the first failing cell.
    executed = execute(course.master, course.root / "solutions" / assignment.name)
    ran = {
        nbgrader_meta(cell)["grade_id"]
        for cell in executed.cells
        if nbgrader_meta(cell).get("grade") and cell.execution_count is not None
    }
    assert ran == assignment.test_cells


def check_filled_student_version_validates(
    assignment: Assignment, course: Course, tmp_path: Path
) -> None:
    from nbgrader.validator import Validator

    copy_data(assignment, course.root, tmp_path)
    path = tmp_path / assignment.notebook
    nbformat.write(fill_from_master(course.student, course.master), str(path))
    results = Validator(config=load_config(course.root)).validate(str(path))
    assert results == {}, results


# ----------------------------------------------------------------- 2. committed = generated


def check_committed_exercises_equal_generated(assignment: Assignment, course: Course) -> None:
    generated = course.root / "exercises" / assignment.name
    committed = REPO / "exercises" / assignment.name
    names = sorted(p.name for p in generated.iterdir())
    assert names == sorted(p.name for p in committed.iterdir()), "different files"
    assert names == sorted([assignment.notebook, *assignment.data_files])
    new = nbformat.read(str(generated / assignment.notebook), as_version=4)
    old = nbformat.read(str(committed / assignment.notebook), as_version=4)
    hint = (
        "exercises/ is stale: run "
        f"`mgcourse release {assignment.name}`"
    )
    assert [c.cell_type for c in old.cells] == [c.cell_type for c in new.cells], hint
    for old_cell, new_cell in zip(old.cells, new.cells, strict=True):
        assert old_cell.source == new_cell.source, hint
        assert old_cell.metadata == new_cell.metadata, hint
    for name in names:  # nbgrader's output is deterministic: no volatile fields
        assert (generated / name).read_bytes() == (committed / name).read_bytes(), hint


# ----------------------------------------------------------------- 3. autograde round trip


def check_full_solution_scores_full_marks(assignment: Assignment, course: Course) -> None:
    scores = course.scores["full"]
    assert set(scores) == assignment.test_cells
    assert all(score == top for score, top in scores.values()), scores
    assert sum(score for score, _ in scores.values()) == assignment.total_points


def check_blank_student_version_scores_zero(assignment: Assignment, course: Course) -> None:
    scores = course.scores["blank"]
    assert set(scores) == assignment.test_cells
    assert all(score == 0 for score, _ in scores.values()), scores


def check_wrong_answer_passes_visible_checks_but_loses_hidden_points(
    assignment: Assignment, course: Course, name: str, tmp_path: Path
) -> None:
    wrong = assignment.wrong[name]
    # The student version's test cells hold only the visible checks: all of them pass.
    copy_data(assignment, course.root, tmp_path)
    execute(make_wrong(course.student, course.master, wrong), tmp_path)
    # With the hidden tests restored by autograde, exactly the targeted cells score 0.
    scores = course.scores[f"wrong_{name}"]
    assert set(scores) == assignment.test_cells
    zero = {cell for cell, (score, _) in scores.items() if score == 0}
    full = {cell for cell, (score, top) in scores.items() if score == top}
    assert zero == wrong.zero, scores
    assert full == assignment.test_cells - wrong.zero, scores


# ----------------------------------------------------------------- the round trip as tests


class RoundTrip:
    """The nbgrader round trip of one assignment, as tests; subclass it with ``assignment``."""

    assignment: ClassVar[Assignment]

    @pytest.fixture(scope="class")
    @classmethod
    def course(cls, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Course]:
        """A temporary course: student version generated, submissions autograded once."""
        yield from build_course(cls.assignment, tmp_path_factory)

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "wrong_name" in metafunc.fixturenames:
            metafunc.parametrize("wrong_name", sorted(self.assignment.wrong))

    # -- the master

    def test_master_test_cells_follow_the_conventions(self) -> None:
        check_test_cells_follow_the_conventions(self.assignment)

    def test_master_metadata_and_no_outputs(self) -> None:
        check_master_metadata_and_no_outputs(self.assignment)

    @pytest.mark.nbgrader
    def test_master_passes_every_test_cell(self, course: Course) -> None:
        check_master_passes_every_test_cell(self.assignment, course)

    @pytest.mark.nbgrader
    def test_filled_student_version_validates(self, course: Course, tmp_path: Path) -> None:
        check_filled_student_version_validates(self.assignment, course, tmp_path)

    # -- committed = generated

    @pytest.mark.nbgrader
    def test_committed_exercises_equal_generated(self, course: Course) -> None:
        check_committed_exercises_equal_generated(self.assignment, course)

    # -- the autograde round trip

    @pytest.mark.nbgrader
    def test_full_solution_scores_full_marks(self, course: Course) -> None:
        check_full_solution_scores_full_marks(self.assignment, course)

    @pytest.mark.nbgrader
    def test_blank_student_version_scores_zero(self, course: Course) -> None:
        check_blank_student_version_scores_zero(self.assignment, course)

    @pytest.mark.nbgrader
    def test_wrong_answer_passes_visible_checks_but_loses_hidden_points(
        self, course: Course, wrong_name: str, tmp_path: Path
    ) -> None:
        check_wrong_answer_passes_visible_checks_but_loses_hidden_points(
            self.assignment, course, wrong_name, tmp_path
        )
