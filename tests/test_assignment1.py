"""Graded assignment 1 end to end through nbgrader's Python API (in-process, no CLI).

``TestRoundTrip`` runs the nbgrader round trip that every assignment passes
(``nbgrader_roundtrip.py``); the rest checks what is particular to this one.
"""

from __future__ import annotations

from nbgrader_roundtrip import (
    THIRD_PARTY_WARNINGS,
    Assignment,
    RoundTrip,
    Wrong,
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
        frozenset({"test_homa_ir", "test_quicki", "test_tyg"}),
        # units: the two glucose parts; classification: the insulin-resistance part
        partial={"test_units": 2.0, "test_classification": 2.0},
    ),
    "insulin_not_divided": Wrong(
        "units_solution",
        "return insulin_pmol / 6.00",
        "return insulin_pmol",
        frozenset({"test_homa_ir", "test_quicki"}),
        partial={"test_units": 2.0, "test_classification": 2.0},
    ),
    "insulin_old_factor": Wrong(
        "units_solution",
        "return insulin_pmol / 6.00",
        "return insulin_pmol / 6.945",
        frozenset({"test_homa_ir", "test_quicki"}),
        partial={"test_units": 2.0},  # the two insulin parts lost
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
        frozenset(),
        partial={"test_classification": 2.0},  # the serum-magnesium part lost
    ),
    "status_limits_exclusive": Wrong(
        "classification_solution",
        'status = "low" if mg_mmol < 0.70 else "normal"',
        'status = "low" if mg_mmol <= 0.70 else "normal"',
        frozenset(),
        partial={"test_classification": 2.0},  # only the limits part lost
    ),
    "elemental_is_salt_mass": Wrong(
        "elemental_solution",
        "return salt_mass_mg * 24.305 / molar_mass_salt",
        "return salt_mass_mg",
        frozenset({"test_elemental_magnesium"}),
    ),
    # one slip in a task of four parts costs that part only
    "upper_limit_against_salt_mass": Wrong(
        "elemental_solution",
        "exceeds_ul = mgcl2_elemental_mg > 350.0",
        "exceeds_ul = 2500.0 > 350.0",
        frozenset(),
        partial={"test_elemental_magnesium": 3.0},
    ),
    "oxide_from_salt_mass": Wrong(
        "elemental_solution",
        "mgo_mass_mg = mgcl2_elemental_mg * 40.30 / 24.305",
        "mgo_mass_mg = 2500.0 * 40.30 / 24.305",
        frozenset(),
        partial={"test_elemental_magnesium": 3.0},
    ),
}

ASSIGNMENT = Assignment(
    name="assignment1",
    test_cells=frozenset(TEST_CELLS),
    total_points=20,
    manual={"written_indices": 3},
    data_files=("cohort.csv",),
    wrong=WRONG,
)

pytestmark = THIRD_PARTY_WARNINGS


class TestRoundTrip(RoundTrip):
    assignment = ASSIGNMENT
