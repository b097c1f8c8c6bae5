"""Graded assignment 1 end to end through nbgrader's Python API (in-process, no CLI).

The expensive part (a temporary copy of the course, generating the student
version, autograding a full, a blank and several wrong submissions) runs once
per module in the ``course`` fixture; each nbgrader step starts a kernel.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat import NotebookNode

from mgcourse.grading import autograde, cell_scores, fill_from_master, load_config, release

REPO = Path(__file__).resolve().parents[1]
ASSIGNMENT = "assignment1"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
MASTER = REPO / "solutions" / ASSIGNMENT / NOTEBOOK
EXERCISE = REPO / "exercises" / ASSIGNMENT / NOTEBOOK
TOTAL_POINTS = 20
TEST_CELLS = {
    "test_units",
    "test_homa_ir",
    "test_quicki",
    "test_tyg",
    "test_classification",
    "test_elemental_magnesium",
}


@dataclass(frozen=True)
class Wrong:
    """A plausible mistake: replace ``old`` by ``new`` in one solution cell."""

    cell: str  # grade_id of the solution cell
    old: str
    new: str
    zero: frozenset[str]  # test cells that must then score 0; every other cell scores full


# Each of these passes every visible check but must lose the hidden-test points.
WRONG = {
    "glucose_not_converted": Wrong(
        "units_solution",
        '"mg/dL": 1.0 / 18.016}',
        '"mg/dL": 1.0}',
        frozenset({"test_units", "test_homa_ir", "test_quicki", "test_tyg", "test_classification"}),
    ),
    "insulin_not_divided": Wrong(
        "units_solution",
        "return insulin_pmol / 6.00",
        "return insulin_pmol",
        frozenset({"test_units", "test_homa_ir", "test_quicki", "test_classification"}),
    ),
    "insulin_old_factor": Wrong(
        "units_solution",
        "return insulin_pmol / 6.00",
        "return insulin_pmol / 6.945",
        frozenset({"test_units", "test_homa_ir", "test_quicki"}),
    ),
    "quicki_natural_log": Wrong(
        "quicki_solution",
        "np.log10(insulin_uU) + np.log10(glucose_mgdl)",
        "np.log(insulin_uU) + np.log(glucose_mgdl)",
        frozenset({"test_quicki"}),
    ),
    "quicki_glucose_mmol": Wrong(
        "quicki_solution",
        "quicki(glucose_mmol_l * 18.016, insulin_uU_ml)",
        "quicki(glucose_mmol_l, insulin_uU_ml)",
        frozenset({"test_quicki"}),
    ),
    "tyg_decimal_log": Wrong(
        "tyg_solution",
        "np.log(tg_mgdl * glucose_mgdl / 2.0)",
        "np.log10(tg_mgdl * glucose_mgdl / 2.0)",
        frozenset({"test_tyg"}),
    ),
    "tyg_mmol_inputs": Wrong(
        "tyg_solution",
        "tyg(tg_mmol_l * 88.57, glucose_mmol_l * 18.016)",
        "tyg(tg_mmol_l, glucose_mmol_l)",
        frozenset({"test_tyg"}),
    ),
    "magnesium_not_converted": Wrong(
        "classification_solution",
        "mg_mmol_l = mg_mg_dl / 2.4305",
        "mg_mmol_l = mg_mg_dl",
        frozenset({"test_classification"}),
    ),
    "elemental_is_salt_mass": Wrong(
        "elemental_solution",
        "return salt_mass_mg * 24.305 / molar_mass_salt",
        "return salt_mass_mg",
        frozenset({"test_elemental_magnesium"}),
    ),
}

# nbgrader 0.9.6's gradebook triggers SQLAlchemy autoflush warnings while autograding.
THIRD_PARTY_WARNINGS = [
    pytest.mark.filterwarnings("ignore:Object of type <Submitted:sqlalchemy.exc.SAWarning"),
]
pytestmark = THIRD_PARTY_WARNINGS


def _meta(cell: NotebookNode) -> dict[str, object]:
    return dict(cell.metadata.get("nbgrader", {}))


def _cell(nb: NotebookNode, grade_id: str) -> NotebookNode:
    matches = [cell for cell in nb.cells if _meta(cell).get("grade_id") == grade_id]
    assert len(matches) == 1, f"expected exactly one cell with grade_id {grade_id!r}"
    return matches[0]


def make_wrong(student: NotebookNode, master: NotebookNode, wrong: Wrong) -> NotebookNode:
    """The student version filled with the master's solutions plus one mistake."""
    nb = fill_from_master(student, master)
    cell = _cell(nb, wrong.cell)
    assert wrong.old in cell.source, f"{wrong.old!r} is not in cell {wrong.cell!r} any more"
    cell.source = cell.source.replace(wrong.old, wrong.new)
    return nb


def execute(nb: NotebookNode, workdir: Path) -> NotebookNode:
    """Run a notebook in ``workdir`` (which holds cohort.csv); raise on the first error."""
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


def _submit(root: Path, student_id: str, nb: NotebookNode) -> None:
    folder = root / "grading" / "submitted" / student_id / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(nb, str(folder / NOTEBOOK))
    shutil.copy(root / "exercises" / ASSIGNMENT / "cohort.csv", folder / "cohort.csv")


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Course]:
    """A temporary course: student version generated, submissions autograded once."""
    root = tmp_path_factory.mktemp("course")
    shutil.copy(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    for folder in ("solutions", "exercises"):
        shutil.copytree(
            REPO / folder, root / folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints")
        )
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MGCOURSE_COURSE_ROOT", str(root))
        mp.setenv("MGCOURSE_DB_URL", f"sqlite:///{root / 'grading' / 'gradebook.db'}")
        release(ASSIGNMENT, root)
        master = nbformat.read(str(root / "solutions" / ASSIGNMENT / NOTEBOOK), as_version=4)
        student = nbformat.read(str(root / "exercises" / ASSIGNMENT / NOTEBOOK), as_version=4)
        _submit(root, "full", fill_from_master(student, master))
        _submit(root, "blank", student)
        for name, wrong in WRONG.items():
            _submit(root, f"wrong_{name}", make_wrong(student, master, wrong))
        autograde(ASSIGNMENT, root)
        students = ["full", "blank", *(f"wrong_{name}" for name in WRONG)]
        scores = {sid: cell_scores(ASSIGNMENT, sid, root) for sid in students}
        yield Course(root, master, student, scores)


# ----------------------------------------------------------------- master structure


def test_master_test_cells_follow_the_conventions() -> None:
    nb = nbformat.read(str(MASTER), as_version=4)
    tests = [cell for cell in nb.cells if _meta(cell).get("grade")]
    assert {_meta(cell)["grade_id"] for cell in tests} == TEST_CELLS
    assert len(tests) >= 4
    for cell in tests:
        meta = _meta(cell)
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
    assert sum(_meta(cell)["points"] for cell in tests) == TOTAL_POINTS  # type: ignore[misc]


def test_master_metadata_and_no_outputs() -> None:
    nb = nbformat.read(str(MASTER), as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    grade_ids = [str(_meta(cell).get("grade_id")) for cell in nb.cells]
    assert all(_meta(cell) for cell in nb.cells), "every cell carries nbgrader metadata"
    assert len(grade_ids) == len(set(grade_ids)), "grade_ids must be unique"
    for cell in nb.cells:
        meta = _meta(cell)
        assert meta["schema_version"] == 3
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, meta["grade_id"]
        if meta["solution"]:
            assert meta["grade"] is False and meta["locked"] is False, meta["grade_id"]
            assert "### BEGIN SOLUTION" in cell.source, meta["grade_id"]
        if cell.cell_type == "markdown":
            assert meta["locked"] is True, meta["grade_id"]


# ----------------------------------------------------------------- 1. the master validates


@pytest.mark.nbgrader
def test_master_passes_every_test_cell(course: Course) -> None:
    # nbclient raises CellExecutionError at the first failing cell.
    executed = execute(course.master, course.root / "solutions" / ASSIGNMENT)
    ran = {
        _meta(cell)["grade_id"]
        for cell in executed.cells
        if _meta(cell).get("grade") and cell.execution_count is not None
    }
    assert ran == TEST_CELLS


@pytest.mark.nbgrader
def test_filled_student_version_validates(course: Course, tmp_path: Path) -> None:
    from nbgrader.validator import Validator

    shutil.copy(course.root / "exercises" / ASSIGNMENT / "cohort.csv", tmp_path)
    path = tmp_path / NOTEBOOK
    nbformat.write(fill_from_master(course.student, course.master), str(path))
    results = Validator(config=load_config(course.root)).validate(str(path))
    assert results == {}, results


# ----------------------------------------------------------------- 2. committed = generated


@pytest.mark.nbgrader
def test_committed_exercises_equal_generated(course: Course) -> None:
    generated = course.root / "exercises" / ASSIGNMENT
    committed = REPO / "exercises" / ASSIGNMENT
    names = sorted(p.name for p in generated.iterdir())
    assert names == sorted(p.name for p in committed.iterdir()), "different files"
    assert names == ["assignment1.ipynb", "cohort.csv"]
    new = nbformat.read(str(generated / NOTEBOOK), as_version=4)
    old = nbformat.read(str(committed / NOTEBOOK), as_version=4)
    hint = "exercises/ is stale: run `python -m mgcourse.grading release assignment1`"
    assert [c.cell_type for c in old.cells] == [c.cell_type for c in new.cells], hint
    for old_cell, new_cell in zip(old.cells, new.cells, strict=True):
        assert old_cell.source == new_cell.source, hint
        assert old_cell.metadata == new_cell.metadata, hint
    for name in names:  # nbgrader's output is deterministic: no volatile fields
        assert (generated / name).read_bytes() == (committed / name).read_bytes(), hint


# ----------------------------------------------------------------- 3. autograde round trip


@pytest.mark.nbgrader
def test_full_solution_scores_full_marks(course: Course) -> None:
    scores = course.scores["full"]
    assert set(scores) == TEST_CELLS
    assert all(score == top for score, top in scores.values()), scores
    assert sum(score for score, _ in scores.values()) == TOTAL_POINTS


@pytest.mark.nbgrader
def test_blank_student_version_scores_zero(course: Course) -> None:
    scores = course.scores["blank"]
    assert set(scores) == TEST_CELLS
    assert all(score == 0 for score, _ in scores.values()), scores


@pytest.mark.nbgrader
@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_answer_passes_visible_checks_but_loses_hidden_points(
    course: Course, name: str, tmp_path: Path
) -> None:
    wrong = WRONG[name]
    # The student version's test cells hold only the visible checks: all of them pass.
    shutil.copy(course.root / "exercises" / ASSIGNMENT / "cohort.csv", tmp_path)
    execute(make_wrong(course.student, course.master, wrong), tmp_path)
    # With the hidden tests restored by autograde, exactly the targeted cells score 0.
    scores = course.scores[f"wrong_{name}"]
    assert set(scores) == TEST_CELLS
    zero = {cell for cell, (score, _) in scores.items() if score == 0}
    full = {cell for cell, (score, top) in scores.items() if score == top}
    assert zero == wrong.zero, scores
    assert full == TEST_CELLS - wrong.zero, scores
