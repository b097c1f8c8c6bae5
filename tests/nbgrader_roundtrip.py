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
command line. The same submissions are then graded again with the course's own
grader (:func:`mgcourse.grader.runner.grade_assignment`: sandboxed kernels, test
cells judged by the checker on plain data), which must agree with nbgrader's
autograde score for score.
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

from mgcourse.grader.course import Course as GraderCourse
from mgcourse.grader.reference import autograde, cell_scores
from mgcourse.grader.release import fill_from_master, release
from mgcourse.grader.results import GradeOptions, SubmissionResult
from mgcourse.grader.runner import grade_assignment

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
    zero: frozenset[str]  # test cells that must then score 0
    # test cells with several parts that must then keep the points of the parts still right
    # [points]; every other test cell scores full
    partial: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Assignment:
    """What the round trip needs to know about one graded assignment."""

    name: str  # folder under solutions/ and exercises/, and the notebook's stem
    test_cells: frozenset[str]  # grade_ids of the graded test cells
    total_points: int  # of the test cells, graded automatically
    # Written answers graded by hand (markdown answer cells): grade_id → points.
    manual: Mapping[str, int] = field(default_factory=dict)
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


#: Who grades in the round trip: nbgrader's own autograde, and the course's grader.
GRADERS = ("nbgrader", "grader")
#: Limits of the course's grader in the round trip: generous, so a slow machine is no failure.
ROUND_TRIP_OPTIONS = GradeOptions(workers=2, force=True, budget=900.0)

Scores = dict[str, tuple[float, float]]  # grade_id → (score, maximum) [points]


@dataclass(frozen=True)
class Course:
    root: Path
    master: NotebookNode
    student: NotebookNode
    scores: dict[str, Scores]  # by nbgrader's autograde, per student
    results: dict[str, SubmissionResult]  # by the course's grader, per student
    needs_manual: dict[str, set[str]]  # cells nbgrader leaves to a person, per student

    def graded(self, grader: str, student: str) -> Scores:
        """The scores one of :data:`GRADERS` gave a student's test cells."""
        if grader == "nbgrader":
            return self.scores[student]
        assert grader == "grader", grader
        return {c.grade_id: (float(c.score or 0.0), c.max_score) for c in self.results[student].cells}


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
        mp.delenv("MGCOURSE_COURSE_ROOT", raising=False)
        mp.delenv("MGCOURSE_DB_URL", raising=False)
        course = GraderCourse.load(root)
        release(course, name)
        master = nbformat.read(str(root / "solutions" / name / notebook), as_version=4)
        student = nbformat.read(str(root / "exercises" / name / notebook), as_version=4)
        _submit(assignment, root, "full", fill_from_master(student, master))
        _submit(assignment, root, "blank", student)
        for wrong_name, wrong in assignment.wrong.items():
            _submit(assignment, root, f"wrong_{wrong_name}", make_wrong(student, master, wrong))
        autograde(course, name)
        students = ["full", "blank", *(f"wrong_{wrong_name}" for wrong_name in assignment.wrong)]
        scores = {sid: cell_scores(course, name, sid) for sid in students}
        needs_manual = {sid: _needs_manual(course, name, sid) for sid in students}
        # the course's grader, on the same submissions, after nbgrader's scores are read
        results = {r.student: r for r in grade_assignment(course, name, options=ROUND_TRIP_OPTIONS)}
        yield Course(root, master, student, scores, results, needs_manual)


def _needs_manual(course: GraderCourse, assignment: str, student: str) -> set[str]:
    with course.gradebook() as gradebook:
        submission = gradebook.find_submission(assignment, student)
        return {
            str(grade.name)
            for notebook in submission.notebooks
            for grade in notebook.grades
            if grade.needs_manual_grade
        }


# ----------------------------------------------------------------- master structure


def check_test_cells_follow_the_conventions(assignment: Assignment) -> None:
    nb = nbformat.read(str(assignment.master), as_version=4)
    tests = [cell for cell in nb.cells if is_test_cell(cell)]
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
        if "score = 0.0" in hidden:  # partial credit: the cell's last expression is the score
            assert hidden.rstrip().endswith("\nscore"), f"{grade_id}: partial credit must end with score"
            weights = re.findall(r"score \+= ([0-9.]+)", hidden)
            assert len(weights) >= 2, f"{grade_id}: partial credit needs several parts"
            assert sum(float(w) for w in weights) == meta["points"], grade_id
    points = sum(nbgrader_meta(cell)["points"] for cell in tests)  # type: ignore[misc]
    assert points == assignment.total_points


def is_test_cell(cell: NotebookNode) -> bool:
    """A graded code cell of checks (not a written answer)."""
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade")) and not meta.get("solution")


def is_written_answer(cell: NotebookNode) -> bool:
    """A markdown answer cell graded by hand."""
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade")) and bool(meta.get("solution")) and cell.cell_type == "markdown"


def check_written_answers_carry_a_rubric(assignment: Assignment) -> None:
    """Every written answer holds a model answer and a rubric whose points add up, all hidden."""
    nb = nbformat.read(str(assignment.master), as_version=4)
    answers = [cell for cell in nb.cells if is_written_answer(cell)]
    assert {str(nbgrader_meta(c)["grade_id"]) for c in answers} == set(assignment.manual)
    assert len(answers) >= 1, "every assignment has at least one written answer"
    for cell in answers:
        meta = nbgrader_meta(cell)
        grade_id = str(meta["grade_id"])
        assert meta["locked"] is False and meta["points"] == assignment.manual[grade_id], grade_id
        assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", grade_id), grade_id
        source = cell.source.strip()
        assert source.startswith("### BEGIN SOLUTION") and source.endswith("### END SOLUTION"), grade_id
        assert "**Model answer.**" in source and "**Rubric" in source, grade_id
        rubric = source.split("**Rubric", 1)[1]
        criteria = [float(p) for p in re.findall(r"^- \(([0-9.]+) points?\)", rubric, re.M)]
        assert len(criteria) >= 2 and sum(criteria) == meta["points"], (grade_id, criteria)


def check_student_version_hides_the_rubrics(assignment: Assignment, course: Course) -> None:
    """Students see a blank answer cell: no model answer, no rubric line."""
    from mgcourse.grader.release import leak_snippets

    snippets = leak_snippets(assignment.master)
    for grade_id in assignment.manual:
        master = find_cell(course.master, grade_id).source
        student = find_cell(course.student, grade_id).source
        assert student.strip() == "YOUR ANSWER HERE", grade_id
        lines = [line.strip() for line in master.splitlines()[1:-1] if len(line.strip()) >= 12]
        assert lines and all(line in snippets for line in lines if not line.startswith("#")), grade_id
    text = nbformat.writes(course.student)
    assert "Rubric" not in text and "Model answer" not in text


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
            assert meta["grade"] is is_written_answer(cell) and meta["locked"] is False, meta["grade_id"]
            assert "### BEGIN SOLUTION" in cell.source, meta["grade_id"]
        if cell.cell_type == "markdown":
            assert meta["locked"] is not is_written_answer(cell), meta["grade_id"]


# ----------------------------------------------------------------- 1. the master validates


def check_master_passes_every_test_cell(assignment: Assignment, course: Course) -> None:
    # nbclient raises CellExecutionError at the first failing cell.
    executed = execute(course.master, course.root / "solutions" / assignment.name)
    ran = {
        nbgrader_meta(cell)["grade_id"]
        for cell in executed.cells
        if is_test_cell(cell) and cell.execution_count is not None
    }
    assert ran == assignment.test_cells
    for cell in executed.cells:  # a partial-credit cell shows the master earning every point
        if is_test_cell(cell) and "score = 0.0" in cell.source:
            (result,) = [o for o in cell.outputs if o.output_type == "execute_result"]
            assert float(result.data["text/plain"]) == nbgrader_meta(cell)["points"]


def check_filled_student_version_validates(
    assignment: Assignment, course: Course, tmp_path: Path
) -> None:
    from nbgrader.validator import Validator

    copy_data(assignment, course.root, tmp_path)
    path = tmp_path / assignment.notebook
    nbformat.write(fill_from_master(course.student, course.master), str(path))
    results = Validator(config=GraderCourse.load(course.root).config).validate(str(path))
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


def check_full_solution_scores_full_marks(assignment: Assignment, course: Course, grader: str) -> None:
    """Every test cell scores full marks; every written answer waits for a person."""
    scores = course.graded(grader, "full")
    assert set(scores) == assignment.test_cells | set(assignment.manual)
    auto = {cell: score for cell, score in scores.items() if cell in assignment.test_cells}
    assert all(score == top for score, top in auto.values()), scores
    assert sum(score for score, _ in auto.values()) == assignment.total_points
    for cell in assignment.manual:
        assert scores[cell] == (0.0, assignment.manual[cell]), cell  # no points until graded
    if grader == "nbgrader":
        assert course.needs_manual["full"] == set(assignment.manual)
    else:
        status = {c.grade_id: (c.status, c.score) for c in course.results["full"].cells}
        assert all(status[cell] == ("manual", None) for cell in assignment.manual), status


def check_blank_student_version_scores_zero(assignment: Assignment, course: Course, grader: str) -> None:
    """A blank notebook scores 0 everywhere, and its untouched answer cells need nobody."""
    scores = course.graded(grader, "blank")
    assert set(scores) == assignment.test_cells | set(assignment.manual)
    assert all(score == 0 for score, _ in scores.values()), scores
    if grader == "nbgrader":
        assert course.needs_manual["blank"] == set()


def check_wrong_answer_passes_visible_checks(assignment: Assignment, course: Course, name: str,
                                             tmp_path: Path) -> None:
    """The student version's test cells hold only the visible checks: with the mistake all of them pass."""
    copy_data(assignment, course.root, tmp_path)
    wrong = make_wrong(course.student, course.master, assignment.wrong[name])
    tests = [cell for cell in wrong.cells if is_test_cell(cell)]
    visible = {str(nbgrader_meta(cell)["grade_id"]): cell.source for cell in tests}
    assert set(visible) == assignment.test_cells
    assert not any("BEGIN HIDDEN TESTS" in source for source in visible.values())
    executed = execute(wrong, tmp_path)  # raises CellExecutionError at the first failing check
    ran = {
        str(nbgrader_meta(cell)["grade_id"])
        for cell in executed.cells
        if is_test_cell(cell) and cell.execution_count is not None
        and not any(output.output_type == "error" for output in cell.outputs)
    }
    assert ran == assignment.test_cells


def check_wrong_answer_loses_hidden_points(
    assignment: Assignment, course: Course, name: str, grader: str
) -> None:
    wrong = assignment.wrong[name]
    # With the hidden tests restored, exactly the targeted cells score 0.
    # A cell graded in parts keeps the points of the parts the mistake leaves right.
    scores = course.graded(grader, f"wrong_{name}")
    assert set(scores) == assignment.test_cells | set(assignment.manual)
    scores = {cell: score for cell, score in scores.items() if cell in assignment.test_cells}
    zero = {cell for cell, (score, _) in scores.items() if score == 0}
    full = {cell for cell, (score, top) in scores.items() if score == top}
    partial = {cell: score for cell, (score, top) in scores.items() if 0 < score < top}
    assert zero == wrong.zero, scores
    assert partial == pytest.approx(dict(wrong.partial)), scores
    assert full == assignment.test_cells - wrong.zero - set(wrong.partial), scores


def check_grader_agrees_with_nbgrader(course: Course, student: str) -> None:
    """The course's grader gives every test cell nbgrader's score, and finds nothing to review."""
    result = course.results[student]
    cells = {c.grade_id: (c.status, c.ename, c.detail) for c in result.cells}
    assert result.outcome == "graded", (result.outcome, result.error, result.flags, cells)
    assert not [flag for flag in result.flags if flag.review], result.flags
    assert course.graded("grader", student) == course.scores[student], cells


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
        if "grader" in metafunc.fixturenames:
            metafunc.parametrize("grader", GRADERS)
        if "student" in metafunc.fixturenames:
            wrong = [f"wrong_{name}" for name in sorted(self.assignment.wrong)]
            metafunc.parametrize("student", ["full", "blank", *wrong])

    # -- the master

    def test_master_test_cells_follow_the_conventions(self) -> None:
        check_test_cells_follow_the_conventions(self.assignment)

    def test_master_metadata_and_no_outputs(self) -> None:
        check_master_metadata_and_no_outputs(self.assignment)

    def test_written_answers_carry_a_rubric(self) -> None:
        check_written_answers_carry_a_rubric(self.assignment)

    @pytest.mark.nbgrader
    def test_student_version_hides_the_rubrics(self, course: Course) -> None:
        check_student_version_hides_the_rubrics(self.assignment, course)

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

    # -- the autograde round trip, by nbgrader and by the course's grader

    @pytest.mark.nbgrader
    def test_full_solution_scores_full_marks(self, course: Course, grader: str) -> None:
        check_full_solution_scores_full_marks(self.assignment, course, grader)

    @pytest.mark.nbgrader
    def test_blank_student_version_scores_zero(self, course: Course, grader: str) -> None:
        check_blank_student_version_scores_zero(self.assignment, course, grader)

    @pytest.mark.nbgrader
    def test_wrong_answer_passes_visible_checks(
        self, course: Course, wrong_name: str, tmp_path: Path
    ) -> None:
        check_wrong_answer_passes_visible_checks(self.assignment, course, wrong_name, tmp_path)

    @pytest.mark.nbgrader
    def test_wrong_answer_loses_hidden_points(self, course: Course, wrong_name: str, grader: str) -> None:
        check_wrong_answer_loses_hidden_points(self.assignment, course, wrong_name, grader)

    @pytest.mark.nbgrader
    def test_grader_agrees_with_nbgrader(self, course: Course, student: str) -> None:
        check_grader_agrees_with_nbgrader(course, student)
