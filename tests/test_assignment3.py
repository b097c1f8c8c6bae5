"""Graded assignment 3 (simulating insulin resistance) end to end through nbgrader's Python API.

``TestRoundTrip`` runs the nbgrader round trip that every assignment passes
(``nbgrader_roundtrip.py``); the rest checks what is particular to this one.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from mgcourse.signalling import NORMAL, T2D, dose_response_brannmark, dose_response_sedaghat, ec50
from mgcourse.whole_body import (
    ToppParameters,
    fit_insulin_sensitivity,
    fixed_points,
    simulate_topp,
    steady_state_indices,
)
from nbgrader_roundtrip import (
    THIRD_PARTY_WARNINGS,
    Assignment,
    RoundTrip,
    Wrong,
    master_cell,
    visible_checks,
)

EC50 = "test_ec50"
ADIPOCYTE = "test_adipocyte"
STEADY_STATES = "test_steady_states"
STABILITY = "test_stability"
HOMA = "test_homa"
COMPENSATION = "test_compensation"
FIT = "test_ivgtt_fit"

# Each of these passes every visible check but must lose the hidden-test points.
WRONG = {
    # EC50 interpolated linearly in the level instead of in log10(level).
    "ec50_linear_interpolation": Wrong(
        "ec50_solution",
        "return 10 ** ((1 - w) * np.log10(levels[i - 1]) + w * np.log10(levels[i]))",
        "return (1 - w) * levels[i - 1] + w * levels[i]",
        frozenset({EC50}),
    ),
    # Half of the maximum instead of half-way between basal and maximum.
    "ec50_half_of_maximum": Wrong(
        "ec50_solution",
        "half = basal + 0.5 * (maximum - basal)",
        "half = 0.5 * maximum",
        frozenset({EC50}),
    ),
    # The diabetic/normal ratio taken from the basal (no insulin) uptakes.
    "t2d_ratio_from_basal": Wrong(
        "adipocyte_solution",
        "uptake_ratio_t2d = uptake_t2d[at_1nm] / uptake_normal[at_1nm]",
        "uptake_ratio_t2d = uptake_t2d[0] / uptake_normal[0]",
        frozenset(),
        partial={ADIPOCYTE: 2.0},  # the uptakes and fold stimulations keep their points
    ),
    # The upper root (250 mg/dL, the saddle) taken as the physiological state; the
    # stability and HOMA of "the physiological state" are then those of the saddle.
    "physiological_upper_root": Wrong(
        "steady_state_solution",
        'physiological = topp_steady_state(resistant, root="lower")',
        'physiological = topp_steady_state(resistant, root="upper")',
        frozenset({STABILITY, HOMA}),
        partial={STEADY_STATES: 2.0},  # the threshold state and the function stay right
    ),
    # Stability read from the sign of the determinant (right for both Topp states).
    "stability_by_determinant": Wrong(
        "stability_solution",
        "    real_parts = np.linalg.eigvals(jacobian).real\n"
        "    if np.all(real_parts < 0):\n"
        '        return "stable"  # every disturbance dies out\n'
        "    if np.all(real_parts > 0):\n"
        '        return "unstable"  # every disturbance grows\n'
        '    return "saddle"  # some die out, some grow',
        "    if np.linalg.det(jacobian) < 0:\n"
        '        return "stable"\n'
        '    return "saddle"',
        frozenset({STABILITY}),
    ),
    # HOMA1-IR with the mmol/L constant on glucose in mg/dL.
    "homa_mmol_constant": Wrong(
        "homa_solution",
        "return glucose_mgdl * insulin_uU_ml / 405.0",
        "return glucose_mgdl * insulin_uU_ml / 22.5",
        frozenset({HOMA}),
    ),
    # Glucose peak taken from the last day: the ratios keep their point.
    "glucose_peak_last_day": Wrong(
        "compensation_solution",
        "glucose_peak = np.max(after_fall.glucose)",
        "glucose_peak = after_fall.glucose[-1] + 0.5",
        frozenset(),
        partial={COMPENSATION: 1.0},
    ),
    # S_I reported as p3 alone, or upside down.
    "si_is_p3": Wrong(
        "ivgtt_solution",
        "si_estimate = p3_fit / p2_fit",
        "si_estimate = p3_fit",
        frozenset({FIT}),
    ),
    "si_is_p2_over_p3": Wrong(
        "ivgtt_solution",
        "si_estimate = p3_fit / p2_fit",
        "si_estimate = p2_fit / p3_fit",
        frozenset({FIT}),
    ),
}

ASSIGNMENT = Assignment(
    name="assignment3",
    test_cells=frozenset({EC50, ADIPOCYTE, STEADY_STATES, STABILITY, HOMA, COMPENSATION, FIT}),
    total_points=20,
    manual={"written_compensation": 3},
    wrong=WRONG,
)

pytestmark = THIRD_PARTY_WARNINGS


class TestRoundTrip(RoundTrip):
    assignment = ASSIGNMENT


# ----------------------------------------------------------------- master structure


def test_model_literals_of_the_hidden_tests_still_hold() -> None:
    # The hidden tests compare with these numbers, computed once with the package; if a
    # model or its integrator changes, recompute them and paste them again.
    levels = np.logspace(-12, -6, 13)
    glut4 = dose_response_sedaghat(levels).surface_glut4
    np.testing.assert_allclose(glut4[[0, 6, 12]], [4.0616, 26.9369, 39.2427], rtol=2e-4)
    np.testing.assert_allclose(ec50(levels, glut4), 5.49584e-10, rtol=1e-3)

    brannmark_levels = [0.0, 0.01, 0.1, 1.0, 10.0, 100.0]
    normal = dose_response_brannmark(brannmark_levels, parameters=NORMAL).glucose_uptake
    t2d = dose_response_brannmark(brannmark_levels, parameters=T2D).glucose_uptake
    np.testing.assert_allclose(normal[[0, 3, 5]], [1312.41, 2510.48, 2570.81], rtol=2e-4)
    np.testing.assert_allclose(t2d[[0, 3, 5]], [518.258, 1116.78, 1259.90], rtol=2e-4)
    np.testing.assert_allclose(t2d[3] / normal[3], 0.444850, rtol=1e-3)
    np.testing.assert_allclose([normal.max() / normal[0], t2d.max() / t2d[0]],
                               [1.95885, 2.43103], rtol=1e-3)

    resistant = replace(ToppParameters(), SI=0.36)
    points = {fp.name: fp for fp in fixed_points(resistant)}
    np.testing.assert_allclose(points["physiological"].state, [100.0, 20.0, 600.0], rtol=1e-6)
    np.testing.assert_allclose(points["saddle"].state, [250.0, 5.6, 73.92], rtol=1e-6)
    assert points["physiological"].stability == "stable"
    assert points["saddle"].stability == "saddle"
    low_death = {fp.name: fp for fp in fixed_points(replace(ToppParameters(), d0=0.05))}
    np.testing.assert_allclose(low_death["saddle"].state, [273.95285, 2.380316, 30.14642],
                               rtol=1e-5)
    half = {fp.name: fp for fp in fixed_points(replace(ToppParameters(), SI=0.5))}
    np.testing.assert_allclose(half["physiological"].state, [100.0, 14.4, 432.0], rtol=1e-6)
    np.testing.assert_allclose(steady_state_indices().homa_ir, 2.469136, rtol=1e-6)
    np.testing.assert_allclose(steady_state_indices(resistant).homa_ir, 4.938272, rtol=1e-6)

    after_fall = simulate_topp(parameters=resistant, initial=(100.0, 10.0, 300.0), duration=3000.0)
    np.testing.assert_allclose(after_fall.final_state, [100.0, 20.0, 600.0], rtol=1e-4)
    np.testing.assert_allclose(np.max(after_fall.glucose), 132.42, rtol=1e-3)


def _ivgtt_data() -> dict[str, object]:
    """The variables of the master's setup and IVGTT data cells."""
    namespace: dict[str, object] = {}
    for grade_id in ("setup", "ivgtt_data"):
        exec(master_cell(ASSIGNMENT, grade_id), namespace)
    return namespace


def test_fit_literals_of_the_hidden_tests_still_hold() -> None:
    # test_ivgtt_fit accepts S_I within ±25 % and S_G within ±30 % of what the package's
    # own fit recovers from the pasted data (a correct fit lands within a few %).
    data = _ivgtt_data()
    basal_glucose, basal_insulin = data["basal_glucose"], data["basal_insulin"]
    assert isinstance(basal_glucose, float) and isinstance(basal_insulin, float)
    fit = fit_insulin_sensitivity(
        np.asarray(data["times"]), np.asarray(data["glucose"]), np.asarray(data["insulin"]),
        basal_glucose=basal_glucose, basal_insulin=basal_insulin,
    )
    np.testing.assert_allclose(fit.insulin_sensitivity, 2.6166e-4, rtol=3e-2)
    np.testing.assert_allclose(fit.glucose_effectiveness, 0.016726, rtol=6e-2)
    np.testing.assert_allclose(fit.glucose0, 260.5, rtol=5e-3)
    assert fit.rms_residual < 3.0  # the visible check's bound holds at the optimum


def test_a_fit_with_the_default_finite_difference_step_fails_a_visible_check() -> None:
    # With scipy's default diff_step the optimiser stalls near its start, S_I = 5e-4;
    # the visible bound on the residual tells the student before grading does.
    namespace = _ivgtt_data()
    fit_cell = master_cell(ASSIGNMENT, "ivgtt_solution")
    stalled = fit_cell.replace("least_squares(ivgtt_residuals, x0, diff_step=1e-4)",
                               "least_squares(ivgtt_residuals, x0)")
    assert stalled != fit_cell
    exec(stalled, namespace)
    with pytest.raises(AssertionError, match="did least_squares converge"):
        exec(visible_checks(master_cell(ASSIGNMENT, FIT)), namespace)


def test_student_version_does_not_reveal_how_the_data_were_generated() -> None:
    text = ASSIGNMENT.exercise.read_text(encoding="utf-8")
    assert "ivgtt_data" in text
    for secret in ("default_rng", "6.5e-6", "fit_insulin_sensitivity recovers", "2.6166e-4"):
        assert secret not in text, secret
