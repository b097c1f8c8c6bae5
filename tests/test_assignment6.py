"""Graded assignment 6 (a clinical case) end to end through nbgrader's Python API.

``TestRoundTrip`` runs the nbgrader round trip that every assignment passes
(``nbgrader_roundtrip.py``); the rest checks what is particular to this one.
"""

from __future__ import annotations

from nbgrader_roundtrip import (
    THIRD_PARTY_WARNINGS,
    Assignment,
    RoundTrip,
    Wrong,
    master_cell,
)

INDICES = "test_indices"
MAGNESIUM = "test_magnesium_status"
TOPP = "test_topp"
EVIDENCE = "test_evidence"
DOSES = "test_doses"

# Each of these passes every visible check but must lose the hidden-test points of the
# parts it gets wrong, and only those.
WRONG = {
    # The older insulin factor: glucose and TyG stay right, everything built on HOMA-IR not.
    "insulin_old_factor": Wrong(
        "indices_solution",
        "insulin_uU_ml = insulin_pmol_l / 6.00",
        "insulin_uU_ml = insulin_pmol_l / 6.945",
        frozenset(),
        partial={INDICES: 1.0, TOPP: 1.0},
    ),
    # TyG without the halving of the product.
    "tyg_without_half": Wrong(
        "indices_solution",
        "tyg_value = np.log(tg_mmol_l * 88.57 * glucose_mgdl / 2.0)",
        "tyg_value = np.log(tg_mmol_l * 88.57 * glucose_mgdl)",
        frozenset(),
        partial={INDICES: 3.0},
    ),
    # A laboratory's other lower limit used for the status.
    "status_other_limit": Wrong(
        "magnesium_solution",
        'mg_status = "low" if mg_mmol_l < 0.70 else',
        'mg_status = "low" if mg_mmol_l < 0.60 else',
        frozenset(),
        partial={MAGNESIUM: 2.0},
    ),
    # The ratios taken against day 1, when insulin has already risen.
    "ratios_from_day_one": Wrong(
        "topp_solution",
        "insulin_ratio = patient_run.insulin[-1] / patient_run.insulin[0]",
        "insulin_ratio = patient_run.insulin[-1] / patient_run.insulin[1]",
        frozenset(),
        partial={TOPP: 3.0},
    ),
    # Every simulated trial pooled, not only those of deficient people like her.
    "all_trials_pooled": Wrong(
        "evidence_solution",
        "deficient_trials = [trial for trial in illustrative_trials() if trial.deficient]",
        "deficient_trials = [trial for trial in illustrative_trials()]",
        frozenset(),
        partial={EVIDENCE: 1.0},
    ),
    # One Mg atom counted in trimagnesium dicitrate.
    "one_mg_in_dicitrate": Wrong(
        "dose_solution",
        "np.array([1, 1, 3])",
        "np.array([1, 1, 1])",
        frozenset(),
        partial={DOSES: 2.0},
    ),
    # The salt mass compared with the upper limit for magnesium.
    "ul_against_salt_mass": Wrong(
        "dose_solution",
        "above_ul = elemental_doses_mg > 350.0",
        "above_ul = np.array([600.0, 2000.0, 1200.0]) > 350.0",
        frozenset(),
        partial={DOSES: 2.0},
    ),
}

ASSIGNMENT = Assignment(
    name="assignment6",
    test_cells=frozenset({INDICES, MAGNESIUM, TOPP, EVIDENCE, DOSES}),
    total_points=17,
    manual={"written_recommendation": 6},
    wrong=WRONG,
)

pytestmark = THIRD_PARTY_WARNINGS


class TestRoundTrip(RoundTrip):
    assignment = ASSIGNMENT


def test_patient_is_labelled_as_made_up() -> None:
    assert "**made-up** patient" in master_cell(ASSIGNMENT, "background")
    text = ASSIGNMENT.exercise.read_text(encoding="utf-8")
    assert "made-up" in text and "teaching assumption" in text


def test_rubric_of_the_recommendation_covers_the_safety_checks() -> None:
    rubric = master_cell(ASSIGNMENT, "written_recommendation").split("**Rubric", 1)[1]
    for term in ("eGFR", "PPI", "thiazide", "350 mg/day", "elemental", "oxide"):
        assert term in rubric, term
