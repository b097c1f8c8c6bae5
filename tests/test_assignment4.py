"""Graded assignment 4 (inflammation and the vasculature) end to end through nbgrader's Python API.

``TestRoundTrip`` runs the nbgrader round trip that every assignment passes
(``nbgrader_roundtrip.py``); the rest checks what is particular to this one.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from mgcourse import MgcourseWarning
from mgcourse.inflammation import sedaghat_with_tnf, tnf_steady_state
from mgcourse.signalling import dose_response_sedaghat
from mgcourse.vascular import (
    BloodPressureParameters,
    MuniyappaParameters,
    insulin_resistant,
    pressure_change_from_resistance,
    simulate_vascular_scenarios,
)
from nbgrader_roundtrip import (
    THIRD_PARTY_WARNINGS,
    Assignment,
    RoundTrip,
    Wrong,
    master_cell,
)

TNF = "test_tnf_level"
GLUT4 = "test_tnf_glut4"
PEAKS = "test_no_et1_peaks"
TONE = "test_vascular_tone"
PRESSURE = "test_pressure"
POISEUILLE = "test_poiseuille"

# Each of these passes every visible check but must lose the hidden-test points.
WRONG = {
    # The deficit not clamped at 0: magnesium above 0.85 mmol/L pushes TNF-α below 1.
    "tnf_no_clamp": Wrong(
        "tnf_solution",
        "np.maximum(0.0, (mg_ref - np.asarray(serum_mg, dtype=float)) / mg_ref)",
        "(mg_ref - np.asarray(serum_mg, dtype=float)) / mg_ref",
        frozenset({TNF}),
        partial={GLUT4: 1.0},  # the reference and the stated direction stay right
    ),
    # The other inflammatory load added instead of multiplied (identical at O = 1).
    "tnf_load_added": Wrong(
        "tnf_solution",
        "return other_load * (1.0 + a_t * deficit)",
        "return other_load + a_t * deficit",
        frozenset(),
        partial={TNF: 1.0},  # the patients' values stay right
    ),
    # The laboratory values in mg/dL put into a formula in mmol/L: every patient at T = 1.
    "serum_mg_in_mgdl": Wrong(
        "tnf_solution",
        "serum_mg_mmol = serum_mg_mgdl / 2.4305",
        "serum_mg_mmol = serum_mg_mgdl",
        frozenset(),
        partial={TNF: 1.0, GLUT4: 1.0},  # the formula itself stays right
    ),
    # The naive prediction kept although the simulation contradicts it.
    "glut4_direction_higher": Wrong(
        "glut4_solution",
        'direction_low_mg = "lower"',
        'direction_low_mg = "higher"',
        frozenset(),
        partial={GLUT4: 1.5},  # the stated direction carries half a point
    ),
    # 1 µM instead of 1 nM insulin.
    "insulin_micromolar": Wrong(
        "glut4_solution",
        "insulin_1nm = [1e-9]",
        "insulin_1nm = [1e-6]",
        frozenset(),
        partial={GLUT4: 0.5},
    ),
    # Peaks left in M: NO in M against ET-1 in nM.
    "peak_no_in_molar": Wrong(
        "peaks_solution",
        "peak_no_nM = np.array([runs[name].no.max() for name in scenarios]) * 1e9  # M → nM",
        "peak_no_nM = np.array([runs[name].no.max() for name in scenarios])",
        frozenset(),
        partial={PEAKS: 1.0},  # the ET-1 peaks stay right
    ),
    # Concentrations in nM put into a formula that needs M.
    "effect_from_nanomolar": Wrong(
        "tone_solution",
        "vascular_effect(no_15_nM * 1e-9, et1_15_nM * 1e-9)",
        "vascular_effect(no_15_nM, et1_15_nM)",
        frozenset(),
        partial={TONE: 2.0},  # the formula and the readings stay right
    ),
    # ET-1 counted as a dilator.
    "et1_as_dilator": Wrong(
        "tone_solution",
        "0.6 * no - 66.667 * 0.4 * et1",
        "0.6 * no + 66.667 * 0.4 * et1",
        frozenset(),
        partial={TONE: 0.5},  # only the readings at 15 min stay right
    ),
    # Tone taken as the effect itself.
    "tone_equals_effect": Wrong(
        "tone_solution",
        "tone_15 = 100.0 - effect_15",
        "tone_15 = effect_15",
        frozenset(),
        partial={TONE: 3.0},
    ),
    # "10 %" added as 10 units of resistance.
    "tpr_rise_added": Wrong(
        "pressure_solution",
        "tpr_new = tpr_ref * 1.10",
        "tpr_new = tpr_ref + 10.0",
        frozenset(),
        partial={PRESSURE: 2.0},
    ),
    # The new MAP returned instead of its change (task 6 uses pressure_change too).
    "pressure_not_change": Wrong(
        "pressure_solution",
        "return map_ref * (resistance_ratio - 1.0)",
        "return map_ref * resistance_ratio",
        frozenset(),
        partial={PRESSURE: 2.0, POISEUILLE: 2.0},
    ),
    # Resistance taken as proportional to r⁻² instead of r⁻⁴.
    "poiseuille_r_minus_2": Wrong(
        "poiseuille_solution",
        "** -4.0  # Poiseuille",
        "** -2.0  # Poiseuille",
        frozenset(),
        partial={POISEUILLE: 1.0},  # the widening is solved without resistance_ratio
    ),
    # The change of TPR given as a fraction instead of in %.
    "tpr_change_as_fraction": Wrong(
        "poiseuille_solution",
        "tpr_change_pct = 100.0 * (resistance_ratio(0.95) - 1.0)",
        "tpr_change_pct = resistance_ratio(0.95) - 1.0",
        frozenset(),
        partial={POISEUILLE: 2.0},
    ),
}

ASSIGNMENT = Assignment(
    name="assignment4",
    test_cells=frozenset({TNF, GLUT4, PEAKS, TONE, PRESSURE, POISEUILLE}),
    total_points=17,
    manual={"written_prediction_glut4": 2, "written_selective_resistance": 4},
    wrong=WRONG,
)

pytestmark = THIRD_PARTY_WARNINGS


class TestRoundTrip(RoundTrip):
    assignment = ASSIGNMENT


# ----------------------------------------------------------------- master structure


def test_model_literals_of_the_hidden_tests_still_hold() -> None:
    # The hidden tests compare with these numbers, computed once with the package; if a
    # model, its integrator or a teaching coupling changes, recompute and paste them again.
    namespace: dict[str, object] = {}
    exec(master_cell(ASSIGNMENT, "setup"), namespace)
    serum_mg = np.asarray(namespace["serum_mg_mgdl"]) / 2.4305  # mmol/L
    tnf = np.asarray(tnf_steady_state(serum_mg))
    np.testing.assert_allclose(tnf, [1.879884, 1.240945, 1.0], rtol=2e-5)
    np.testing.assert_allclose(tnf_steady_state(np.array([0.5, 0.85, 1.2])), [2.235294, 1.0, 1.0],
                               rtol=1e-6)
    np.testing.assert_allclose(tnf_steady_state(0.425, other_load=2.0), 5.0, rtol=1e-9)

    reference = dose_response_sedaghat([1e-9]).surface_glut4[0]
    patients = [dose_response_sedaghat([1e-9], parameters=sedaghat_with_tnf(float(t))).surface_glut4[0]
                for t in tnf]
    np.testing.assert_allclose(reference, 26.9369, rtol=2e-4)
    np.testing.assert_allclose(patients, [23.1890, 25.7745, 26.9369], rtol=2e-4)
    np.testing.assert_allclose(np.array(patients) - reference, [-3.7479, -1.1624, 0.0], atol=1e-3)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MgcourseWarning)  # the PIP3 clip acts by design
        runs = simulate_vascular_scenarios(
            {"normal": MuniyappaParameters(), "resistant": insulin_resistant()},
            duration=30.0, mode="teaching",
        )
    normal, resistant = runs["normal"], runs["resistant"]
    at_15 = int(np.argmin(np.abs(normal.time - 15.0)))
    assert normal.time[at_15] == pytest.approx(15.0)
    peak_no = 1e9 * np.array([normal.no.max(), resistant.no.max()])
    peak_et1 = 1e9 * np.array([normal.et1.max(), resistant.et1.max()])
    np.testing.assert_allclose(peak_no, [325.959, 213.406], rtol=2e-4)
    np.testing.assert_allclose(peak_et1, [1.70206, 2.23256], rtol=2e-4)
    np.testing.assert_allclose(peak_no / peak_et1, [191.509, 95.5883], rtol=2e-4)
    np.testing.assert_allclose(1e9 * np.array([normal.no[at_15], resistant.no[at_15]]),
                               [298.664, 213.131], rtol=2e-4)
    np.testing.assert_allclose(1e9 * np.array([normal.et1[at_15], resistant.et1[at_15]]),
                               [1.51875, 1.97056], rtol=2e-4)
    # The package's own read-outs of the formula the students write.
    np.testing.assert_allclose([normal.vascular_effect[at_15], resistant.vascular_effect[at_15]],
                               [35.1135, 19.0708], rtol=2e-4)
    np.testing.assert_allclose([normal.tone[at_15], resistant.tone[at_15]],
                               [64.8865, 80.9292], rtol=2e-4)

    np.testing.assert_allclose(BloodPressureParameters().tpr_ref, 18.6, rtol=1e-12)
    np.testing.assert_allclose(pressure_change_from_resistance(1.10), 9.3, rtol=1e-12)
    np.testing.assert_allclose(pressure_change_from_resistance(0.95**-4), 21.17960, rtol=1e-6)
    np.testing.assert_allclose(pressure_change_from_resistance((1.01105140) ** -4), -4.0, rtol=1e-6)
