"""Graded assignment 1 end to end through nbgrader's Python API (in-process, no CLI).

The expensive part (a temporary copy of the course, generating the student
version, autograding a full, a blank and several wrong submissions) runs once
per module in the ``course`` fixture; each nbgrader step starts a kernel. The
checks themselves are shared by every assignment (see ``nbgrader_roundtrip.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nbgrader_roundtrip import (
    THIRD_PARTY_WARNINGS,
    Assignment,
    Course,
    Wrong,
    build_course,
    check_blank_student_version_scores_zero,
    check_committed_exercises_equal_generated,
    check_filled_student_version_validates,
    check_full_solution_scores_full_marks,
    check_master_metadata_and_no_outputs,
    check_master_passes_every_test_cell,
    check_test_cells_follow_the_conventions,
    check_wrong_answer_passes_visible_checks_but_loses_hidden_points,
)

TEST_CELLS = {
    "test_units",
    "test_homa_ir",
    "test_quicki",
    "test_tyg",
    "test_classification",
    "test_elemental_magnesium",
}

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

ASSIGNMENT = Assignment(
    name="assignment1",
    test_cells=frozenset(TEST_CELLS),
    total_points=20,
    data_files=("cohort.csv",),
    wrong=WRONG,
)

pytestmark = THIRD_PARTY_WARNINGS


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Course]:
    """A temporary course: student version generated, submissions autograded once."""
    yield from build_course(ASSIGNMENT, tmp_path_factory)


# ----------------------------------------------------------------- master structure


def test_master_test_cells_follow_the_conventions() -> None:
    check_test_cells_follow_the_conventions(ASSIGNMENT)


def test_master_metadata_and_no_outputs() -> None:
    check_master_metadata_and_no_outputs(ASSIGNMENT)


# ----------------------------------------------------------------- 1. the master validates


@pytest.mark.nbgrader
def test_master_passes_every_test_cell(course: Course) -> None:
    check_master_passes_every_test_cell(ASSIGNMENT, course)


@pytest.mark.nbgrader
def test_filled_student_version_validates(course: Course, tmp_path: Path) -> None:
    check_filled_student_version_validates(ASSIGNMENT, course, tmp_path)


# ----------------------------------------------------------------- 2. committed = generated


@pytest.mark.nbgrader
def test_committed_exercises_equal_generated(course: Course) -> None:
    check_committed_exercises_equal_generated(ASSIGNMENT, course)


# ----------------------------------------------------------------- 3. autograde round trip


@pytest.mark.nbgrader
def test_full_solution_scores_full_marks(course: Course) -> None:
    check_full_solution_scores_full_marks(ASSIGNMENT, course)


@pytest.mark.nbgrader
def test_blank_student_version_scores_zero(course: Course) -> None:
    check_blank_student_version_scores_zero(ASSIGNMENT, course)


@pytest.mark.nbgrader
@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_answer_passes_visible_checks_but_loses_hidden_points(
    course: Course, name: str, tmp_path: Path
) -> None:
    check_wrong_answer_passes_visible_checks_but_loses_hidden_points(
        ASSIGNMENT, course, name, tmp_path
    )
