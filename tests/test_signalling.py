"""Tests for mgcourse.signalling against Sedaghat et al. 2002 and Brännmark et al. 2013."""

from __future__ import annotations

from dataclasses import fields, replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from mgcourse import MgcourseWarning
from mgcourse import signalling as sg

# Brännmark dose–response levels: 0 plus 1e-3 … 100 nM (Brännmark et al. 2013, read at 30 min)
BRANNMARK_LEVELS = np.r_[0.0, np.logspace(-3, 2, 11)]
# Sedaghat dose–response levels: 0 plus 10 pM … 1 µM (Sedaghat et al. 2002, held, read at 15 min)
SEDAGHAT_LEVELS = np.r_[0.0, np.logspace(-11, -6, 11)]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def step_run() -> sg.SedaghatResult:
    """Published protocol: 100 nM for 15 min, 60 min in all (Sedaghat et al. 2002)."""
    return sg.simulate_sedaghat()


@pytest.fixture(scope="module")
def step_run_rk4() -> sg.SedaghatResult:
    """The same protocol with the original fixed-step RK4, dt = 0.001 min (Sedaghat et al. 2002)."""
    return sg.simulate_sedaghat(method="rk4")


@pytest.fixture(scope="module")
def maximal_run() -> sg.SedaghatResult:
    """Saturating insulin (10 µM) held for 60 min."""
    return sg.simulate_sedaghat(1e-5, hold=True)


@pytest.fixture(scope="module")
def sedaghat_dr() -> sg.SedaghatDoseResponse:
    return sg.dose_response_sedaghat(SEDAGHAT_LEVELS)


@pytest.fixture(scope="module")
def normal_dr() -> sg.BrannmarkDoseResponse:
    return sg.dose_response_brannmark(BRANNMARK_LEVELS)


@pytest.fixture(scope="module")
def t2d_dr() -> sg.BrannmarkDoseResponse:
    return sg.dose_response_brannmark(BRANNMARK_LEVELS, parameters=sg.T2D)


# --------------------------------------------------------------------------- Sedaghat 2002


def test_sedaghat_derived_constants():
    p = sg.SedaghatParameters()
    # Sedaghat et al. 2002 parameter table: constants defined from others
    assert_allclose(p.k8, 7.06464e11, rtol=1e-6)
    assert_allclose(p.km9, 42.14839, rtol=1e-6)
    assert_allclose(p.k9basal, 0.1314487, rtol=1e-6)
    assert_allclose(p.k10, 2.961034, rtol=1e-6)
    assert_allclose(p.km7, 1.395973, rtol=1e-6)
    assert_allclose(p.k13, 6.958333e-3, rtol=1e-6)
    assert_allclose(p.k14, 0.11088, rtol=1e-6)
    assert_allclose(p.k13p_max, 0.104375, rtol=1e-6)
    assert_allclose(p.k4, 3.3333e-4, rtol=1e-4)
    assert (p.k2, p.km2, p.km3) == (p.k1, 100 * p.km1, p.km1)
    assert_allclose(p.ap_equil, 9.0909, rtol=1e-5)
    # Sedaghat et al. 2002: k5 = 10·km5 above 1e-13 M (strict), 60·km5 otherwise
    assert_allclose(p.k5(2e-13), 1.66667e-17, rtol=1e-6)
    assert_allclose(p.k5(1e-13), 1.000002e-16, rtol=1e-6)


def test_derived_constants_follow_a_variant():
    # a variant made with replace keeps the paper's definitions: km7 = (2.5/7.45)·k7
    p = replace(sg.SedaghatParameters(), k7=8.32, ptp=1.5)
    assert_allclose(p.km7, 2 * 1.395973, rtol=1e-6)
    assert p.ptp == 1.5


def test_sedaghat_initial_state(step_run):
    # Sedaghat et al. 2002 "Variables and initial values"
    y0 = step_run.as_array()[:, 0]
    assert_allclose(y0, sg.SEDAGHAT_INITIAL_STATE, rtol=0, atol=0)
    assert_allclose(step_run.surface_glut4[0], 4.0, rtol=1e-12)
    # lipid pool 0.31 + 99.4 + 0.29 = 100 %
    assert_allclose(step_run.pip3[0] + step_run.pip2[0] + step_run.pi34p2[0], 100.0, rtol=1e-12)


def test_sedaghat_basal_state_stays_basal():
    # Sedaghat et al. 2002 design: PIP3 is 0.31 % basally and GLUT4 4 % at the surface
    basal = sg.simulate_sedaghat(0.0)
    assert_allclose(basal.pip3, 0.31, atol=1e-9)
    assert_allclose(basal.surface_glut4, 4.0, rtol=1e-9)
    assert np.all(np.abs(basal.akt) < 1e-9) and np.all(np.abs(basal.irs1_pi3k) < 1e-25)


def test_sedaghat_design_targets_at_maximal_stimulation(maximal_run):
    r = maximal_run
    # Sedaghat et al. 2002 design targets: PIP3 rises to about 3.1 % when maximally stimulated.
    # Reached within 0.1 %: the receptor saturates, x12 -> PI3K = 5e-15 M.
    assert_allclose(r.pip3.max(), 3.1, rtol=1e-3)
    # Active Akt has a maximum of about 100/11 = 9.09 % (k11 ≤ 0.1·km11); within 0.1 %.
    assert_allclose(r.akt.max(), 100 / 11, rtol=1e-3)
    assert_allclose(r.pkc.max(), 100 / 11, rtol=1e-3)
    # Surface GLUT4 goes from 4 % towards 40 %. Within 1 %: in 60 min GLUT4 does not quite
    # settle before receptor internalisation starts to lower PIP3 again (peak 39.75 %).
    assert_allclose(r.surface_glut4[0], 4.0, rtol=1e-12)
    assert_allclose(r.surface_glut4.max(), 40.0, rtol=1e-2)
    # the 40 % itself is exact algebra: with effect = 1, x21/x20 = (k13 + k13p_max)/km13 = 2/3
    p = sg.SedaghatParameters()
    ratio = (p.k13 + p.k13p_max) / p.km13
    assert_allclose(100 * ratio / (1 + ratio), 40.0, rtol=1e-12)


def test_rk4_agrees_with_adaptive(step_run, step_run_rk4):
    # Sedaghat et al. 2002: the original scheme is classical RK4 with dt = 0.001 min
    assert step_run_rk4.method == "rk4"
    assert_allclose(step_run_rk4.time, step_run.time)
    # surface GLUT4 and active Akt within 1 % over the whole 60-min run
    assert_allclose(step_run_rk4.surface_glut4, step_run.surface_glut4, rtol=1e-2)
    assert_allclose(step_run_rk4.akt, step_run.akt, rtol=1e-2, atol=1e-2 * step_run.akt.max())
    assert_allclose(step_run_rk4.pip3, step_run.pip3, rtol=1e-2)
    # in practice they agree far more closely than that
    assert np.max(np.abs(step_run_rk4.surface_glut4 / step_run.surface_glut4 - 1)) < 1e-4


@pytest.mark.parametrize("method", ["BDF", "Radau"])
def test_other_stiff_solvers_agree(step_run, method):
    other = sg.simulate_sedaghat(method=method)
    assert_allclose(other.surface_glut4, step_run.surface_glut4, rtol=1e-5)
    assert_allclose(other.akt, step_run.akt, rtol=1e-4, atol=1e-6)


def test_vectorised_rk4_dose_response_matches_adaptive():
    # several insulin levels side by side in one RK4 sweep (short read time keeps this fast)
    levels = np.array([0.0, 1e-10, 1e-8])
    rk4 = sg.dose_response_sedaghat(levels, read_at=2.0, method="rk4")
    adaptive = sg.dose_response_sedaghat(levels, read_at=2.0)
    assert_allclose(rk4.surface_glut4, adaptive.surface_glut4, rtol=1e-5)
    assert_allclose(rk4.akt, adaptive.akt, rtol=1e-4, atol=1e-8)


def test_insulin_step_switches_off_at_15_min(step_run, maximal_run):
    r = step_run
    before, after = r.time < 15.0, r.time >= 15.0
    assert np.all(r.insulin[before] == 1e-7) and np.all(r.insulin[after] == 0.0)
    assert r.step_duration == 15.0
    # GLUT4 peaks shortly after the step and falls back towards its basal 4 % by 60 min
    peak = int(np.argmax(r.surface_glut4))
    assert 15.0 <= r.time[peak] <= 20.0
    assert r.surface_glut4[-1] < 5.0
    assert np.all(np.diff(r.surface_glut4[r.time >= 20.0]) < 0)
    # Akt falls once insulin is gone; PIP3 returns to (and stays above) basal
    assert r.akt[-1] < 0.01 * r.akt.max()
    assert 0.31 <= r.pip3[-1] < 0.32 and not r.pip3_below_basal
    # with insulin held instead, GLUT4 stays near its maximum
    assert maximal_run.surface_glut4[-1] > 39.0
    assert np.all(maximal_run.insulin == 1e-5)


def test_result_accessors(step_run):
    assert_allclose(step_run.state(17), step_run.akt)
    assert_allclose(step_run.state(1), step_run.insulin)
    assert step_run.as_array().shape == (20, step_run.time.size)
    assert step_run.teaching_assumptions == () and step_run.mode == "published"
    with pytest.raises(ValueError, match=r"number = 22 is out of range; valid range is \[1, 21\]"):
        step_run.state(22)


def test_teaching_mode_clips_and_warns_when_pip3_falls_below_basal():
    # Sedaghat et al. 2002: raising PTEN drives PIP3 below 0.31 %, so k11 and k12 turn negative
    raised_pten = replace(sg.SedaghatParameters(), pten=2.0)
    published = sg.simulate_sedaghat(parameters=raised_pten)  # no warning: the published model
    assert published.pip3_below_basal
    assert published.akt.min() < -0.1 and published.pkc.min() < -0.1
    with pytest.warns(MgcourseWarning, match=r"clip max\(x13 - 0.31, 0\) in k11 and k12"):
        teaching = sg.simulate_sedaghat(parameters=raised_pten, mode="teaching")
    assert teaching.akt.min() > -1e-9 and teaching.pkc.min() > -1e-9
    assert teaching.pip3_below_basal
    assert len(teaching.teaching_assumptions) == 1
    assert "teaching mode" in teaching.teaching_assumptions[0]


def test_teaching_mode_is_silent_and_unchanged_when_the_clip_is_inactive(step_run):
    teaching = sg.simulate_sedaghat(mode="teaching")  # filterwarnings=error: must not warn
    assert not teaching.pip3_below_basal
    assert_allclose(teaching.surface_glut4, step_run.surface_glut4, rtol=1e-6)
    assert teaching.teaching_assumptions != ()


def test_sedaghat_dose_response_is_monotone(sedaghat_dr):
    dr = sedaghat_dr
    for output in (dr.surface_glut4, dr.akt, dr.pip3, dr.pkc):
        assert np.all(np.diff(output) > 0)
    # basal at zero insulin (Sedaghat et al. 2002): 4 % surface GLUT4, 0.31 % PIP3
    assert_allclose(dr.surface_glut4[0], 4.0, rtol=1e-9)
    assert_allclose(dr.pip3[0], 0.31, rtol=1e-9)
    assert dr.read_at == 15.0


def test_sedaghat_ec50_of_glut4_translocation(sedaghat_dr):
    ec = sg.ec50(sedaghat_dr.insulin, sedaghat_dr.surface_glut4)
    # the half-maximal level is crossed between the two levels that bracket the EC50
    i = np.searchsorted(sedaghat_dr.insulin, ec)
    half = (sedaghat_dr.surface_glut4[0] + sedaghat_dr.surface_glut4[-1]) / 2
    assert sedaghat_dr.surface_glut4[i - 1] < half <= sedaghat_dr.surface_glut4[i]
    # regression value of this implementation (held insulin, read at 15 min), not a paper value
    assert_allclose(ec, 5.4767e-10, rtol=1e-3)


# --------------------------------------------------------------------------- ec50


@pytest.mark.parametrize("hill", [1.0, 2.0])
def test_ec50_recovers_a_hill_curve(hill):
    levels = np.r_[0.0, np.logspace(-3, 3, 61)]
    response = 2.0 + 5.0 * levels**hill / (1.0 + levels**hill)  # EC50 = 1 by construction
    assert_allclose(sg.ec50(levels, response, maximum=7.0), 1.0, rtol=1e-3)
    falling = 10.0 - 5.0 * levels**hill / (1.0 + levels**hill)
    assert_allclose(sg.ec50(levels, falling, maximum=5.0), 1.0, rtol=1e-3)
    # by default the maximum is the largest response seen, here 0.1 % short of the asymptote
    assert_allclose(sg.ec50(levels, response), 1.0, rtol=1e-2)


def test_ec50_with_a_fixed_basal_and_maximum():
    levels = [1.0, 10.0, 100.0]
    assert_allclose(sg.ec50(levels, [0.0, 5.0, 10.0], basal=0.0, maximum=20.0), 100.0)
    assert_allclose(sg.ec50(levels, [0.0, 5.0, 10.0]), 10.0)


@pytest.mark.parametrize(
    ("levels", "response", "message"),
    [
        ([0.0, 1.0], [1.0], "equal length"),
        ([1.0, 1.0, 2.0], [0.0, 1.0, 2.0], "strictly increasing"),
        ([-1.0, 1.0], [0.0, 1.0], r"levels = -1 concentration unit is out of range"),
        ([0.0, 1.0], [2.0, 2.0], "does not change"),
        ([0.0, 1.0, 2.0], [0.0, 0.9, 1.0], "add lower levels"),
        ([0.0, 1.0], [0.0, float("nan")], "response must be a finite number"),
    ],
)
def test_ec50_rejects_bad_input(levels, response, message):
    with pytest.raises(ValueError, match=message):
        sg.ec50(levels, response)


def test_ec50_needs_the_half_level_to_be_reached():
    with pytest.raises(ValueError, match="never reaches the half-maximal level 10"):
        sg.ec50([1.0, 2.0], [0.0, 1.0], basal=0.0, maximum=20.0)


# --------------------------------------------------------------------------- Brännmark 2013

# BioModels BIOMD0000000448 initial amounts, which are the published basal steady state
# (Brännmark et al. 2013 "The published files start from the basal (zero-insulin) steady state").
BIOMD448_BASAL = {
    "irs1": 82.9671997523599, "irs1p": 0.00119481841136737, "irs1p307": 0.327454355438396,
    "irs1307": 16.7041510257561, "x": 99.9983336594667, "xp": 0.00166634053318549,
    "pkb": 68.1806649661901, "pkb308p": 13.2964849666951, "pkb473p": 16.8171941560617,
    "pkb308p473p": 1.70566051030056, "mtorc1": 86.5002472240273, "mtorc1a": 13.4997527759726,
    "mtorc2": 99.8478148461591, "mtorc2a": 0.152185153840861, "as160": 83.8141018591099,
    "as160p": 16.1858981408903, "s6k": 99.2731987219547, "s6kp": 0.72680127804522,
    "s6": 92.7596420796038, "s6p": 7.24035792039603,
}
# the same file gives the receptor and GLUT4 forms as percentages of the total rounded to 0.01
BIOMD448_BASAL_ROUNDED = {"ir": 99.87, "irip": 0.02, "iri": 0.11, "glut4": 73.48, "glut4m": 26.52}


def _group_totals(result: sg.BrannmarkResult) -> dict[str, np.ndarray]:
    y = result.as_array()
    return {name: y[first:last].sum(axis=0) for name, first, last in sg._GROUPS}


def test_brannmark_basal_state_is_steady():
    for p in (sg.NORMAL, sg.T2D):
        state = np.array(sg.basal_state(p))
        derivative = np.asarray(sg._brannmark_rhs(p, 0.0)(0.0, state))
        assert np.max(np.abs(derivative)) < 1e-9  # a.u./min
        assert np.all(state >= 0.0)
    assert sg.basal_state() is sg.basal_state(sg.NORMAL)  # cached


def test_brannmark_basal_state_matches_biomodels_file():
    state = dict(zip(sg.BRANNMARK_STATE_NAMES, sg.basal_state(), strict=True))
    for name, value in BIOMD448_BASAL.items():
        # BIOMD0000000448 initial amounts; within 0.2 % (the file's receptor forms are rounded)
        assert_allclose(state[name], value, rtol=2e-3, err_msg=name)
    for name, value in BIOMD448_BASAL_ROUNDED.items():
        assert_allclose(state[name], value, atol=0.005, err_msg=name)


@pytest.mark.parametrize("parameters", [sg.NORMAL, sg.T2D], ids=["normal", "t2d"])
def test_brannmark_totals_are_conserved(parameters):
    result = sg.simulate_brannmark(100.0, parameters=parameters)
    for name, total in _group_totals(result).items():
        # Brännmark et al. 2013: every group sums to its total (IR and GLUT4 are 50 in T2D)
        assert_allclose(total, getattr(parameters, name), rtol=1e-8, err_msg=name)
    assert result.as_array().shape == (27, result.time.size)


def test_t2d_changes_exactly_three_things():
    # BIOMD0000000449 vs BIOMD0000000448 (Brännmark et al. 2013)
    changed = {f.name for f in fields(sg.NORMAL) if getattr(sg.NORMAL, f.name) != getattr(sg.T2D, f.name)}
    assert changed == {"diabetes", "ir_total", "glut4_total"}
    assert (sg.T2D.diabetes, sg.T2D.ir_total, sg.T2D.glut4_total) == (0.15, 50.0, 50.0)
    assert sg.BrannmarkParameters.diabetic() == sg.T2D


def test_insulin_raises_glucose_uptake():
    result = sg.simulate_brannmark(10.0)
    p = sg.NORMAL
    # Brännmark et al. 2013 output: uptake = k8·GLUT4m·gluc + glut1·gluc
    assert_allclose(result.glucose_uptake, p.k8 * result.glut4m * p.gluc + p.glut1 * p.gluc)
    assert result.glucose_uptake[-1] > 1.5 * result.glucose_uptake[0]
    assert result.ir_phosphorylated[-1] > result.ir_phosphorylated[0]
    assert result.pkb_ser473[-1] > result.pkb_ser473[0]
    assert_allclose(result.pkb_thr308, result.pkb308p + result.pkb308p473p)
    assert result.insulin == 10.0 and result.time[-1] == 30.0
    # no insulin: the basal state does not move
    flat = sg.simulate_brannmark(0.0)
    states = flat.as_array()
    assert_allclose(states, np.broadcast_to(states[:, :1], states.shape), rtol=1e-8, atol=1e-10)


def test_t2d_response_is_lower_at_every_dose(normal_dr, t2d_dr):
    # Brännmark et al. 2013: adipocytes from people with T2D respond less at every insulin
    # level (lower basal and maximal responses)
    for output in ("glucose_uptake", "pkb_ser473", "as160p", "glut4m", "ir_phosphorylated"):
        assert np.all(getattr(t2d_dr, output) < getattr(normal_dr, output)), output


@pytest.mark.parametrize("which", ["normal", "t2d"])
def test_brannmark_dose_response_is_monotone(which, normal_dr, t2d_dr):
    dr = normal_dr if which == "normal" else t2d_dr
    for output in (dr.glucose_uptake, dr.pkb_ser473, dr.as160p, dr.glut4m, dr.s6p):
        assert np.all(np.diff(output) > 0)
    assert dr.read_at == 30.0


def test_dose_response_matches_single_runs(normal_dr):
    single = sg.simulate_brannmark(BRANNMARK_LEVELS[5], duration=30.0)
    assert_allclose(single.glucose_uptake[-1], normal_dr.glucose_uptake[5], rtol=1e-8)


# --------------------------------------------------------------------------- magnesium (5c)


def test_receptor_kinase_factor_limits():
    # the teaching kinase factor: phi = 1 at the reference, ≤ 2 at saturation, → 0 as Mg → 0
    assert sg.receptor_kinase_factor(0.5) == 1.0
    assert sg.receptor_kinase_factor(0.0) == 0.0
    assert_allclose(sg.receptor_kinase_factor(10.0), 2 * 10 / 10.5)
    assert_allclose(sg.receptor_kinase_factor(1.0, reference=1.0, k_mg=0.2), 1.0)
    m = np.array([0.1, 0.25, 0.5, 1.0])
    assert_allclose(sg.receptor_kinase_factor(m), 2 * m / (0.5 + m))


@given(st.floats(min_value=0.0, max_value=10.0), st.floats(min_value=0.0, max_value=10.0))
def test_receptor_kinase_factor_is_bounded_and_increasing(a, b):
    low, high = sorted((a, b))
    f_low, f_high = sg.receptor_kinase_factor(low), sg.receptor_kinase_factor(high)
    assert 0.0 <= f_low <= f_high <= 2.0


def test_magnesium_at_reference_changes_nothing_but_is_labelled(step_run):
    at_reference = sg.simulate_sedaghat(magnesium=0.5)
    assert at_reference.receptor_kinase_factor == 1.0
    assert_allclose(at_reference.surface_glut4, step_run.surface_glut4, rtol=1e-12)
    assert any("magnesium" in a for a in at_reference.teaching_assumptions)
    b = sg.simulate_brannmark(1.0, magnesium=0.5)
    assert b.parameters == sg.NORMAL and "k1c and k1basal" in b.teaching_assumptions[0]


def test_low_magnesium_shifts_the_sedaghat_dose_response_right(sedaghat_dr):
    low = sg.dose_response_sedaghat(SEDAGHAT_LEVELS, magnesium=0.25)
    high = sg.dose_response_sedaghat(SEDAGHAT_LEVELS, magnesium=1.0)
    ec_ref = sg.ec50(SEDAGHAT_LEVELS, sedaghat_dr.surface_glut4)
    ec_low = sg.ec50(SEDAGHAT_LEVELS, low.surface_glut4)
    ec_high = sg.ec50(SEDAGHAT_LEVELS, high.surface_glut4)
    assert ec_high < ec_ref < ec_low  # the teaching kinase factor: lower Mg -> higher EC50
    # the effect is clearest at submaximal insulin: compare the rise above basal
    rise_ref = sedaghat_dr.surface_glut4 - 4.0
    deficit = 1 - (low.surface_glut4[1:] - 4.0) / rise_ref[1:]
    near_ec50 = int(np.argmin(np.abs(SEDAGHAT_LEVELS[1:] - ec_ref)))
    assert deficit[near_ec50] > 2 * deficit[-1] > 0
    assert "k7 and k3" in low.teaching_assumptions[0]


def test_low_magnesium_in_brannmark(normal_dr):
    low = sg.dose_response_brannmark(BRANNMARK_LEVELS, magnesium=0.25)
    # k1basal scales basal signalling, so uptake is lower at every dose, including none
    assert np.all(low.glucose_uptake < normal_dr.glucose_uptake)
    relative = low.glucose_uptake / normal_dr.glucose_uptake
    submaximal = int(np.argmin(np.abs(BRANNMARK_LEVELS - 0.03)))
    # the teaching kinase factor: clearest at submaximal insulin, small at saturating insulin
    assert 1 - relative[submaximal] > 5 * (1 - relative[-1])
    # a right shift: more insulin is needed to reach the normal cell's half-maximal uptake
    reference = dict(basal=normal_dr.glucose_uptake[0], maximum=normal_dr.glucose_uptake[-1])
    ec_normal = sg.ec50(BRANNMARK_LEVELS, normal_dr.glucose_uptake)
    ec_low = sg.ec50(BRANNMARK_LEVELS, low.glucose_uptake, **reference)
    assert ec_low > 1.2 * ec_normal


def test_magnesium_on_irs1_also_scales_k2a():
    result = sg.simulate_brannmark(1.0, duration=5.0, magnesium=0.25, magnesium_on_irs1=True)
    phi = sg.receptor_kinase_factor(0.25)
    p = result.parameters
    assert_allclose((p.k1c, p.k1basal, p.k2a), np.multiply(phi, (0.8768, 0.03683, 3.227)))
    assert "k2a" in result.teaching_assumptions[0] and result.receptor_kinase_factor == phi


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: sg.simulate_sedaghat(-1e-7),
         r"insulin = -1e-07 M is out of range; valid range is \[0, 0.0001\] M"),
        (lambda: sg.simulate_sedaghat(100.0),  # nM passed where M is expected
         r"insulin = 100 M is out of range; valid range is \[0, 0.0001\] M"),
        (lambda: sg.simulate_sedaghat(np.array([1e-9, 1e-8])), "single number"),
        (lambda: sg.simulate_sedaghat(mode="clipped"), r"mode = 'clipped' is not supported"),
        (lambda: sg.simulate_sedaghat(method="euler"), r"method = 'euler' is not supported"),
        (lambda: sg.simulate_sedaghat(duration=0.0),
         r"duration = 0 min is out of range; valid range is \(0, 1440\] min"),
        (lambda: sg.simulate_sedaghat(step_duration=-1.0),
         r"step_duration = -1 min is out of range; valid range is \[0, 1440\] min"),
        (lambda: sg.simulate_sedaghat(magnesium=0.0),
         r"magnesium = 0 mM is out of range; valid range is \[0.05, 5\] mM"),
        (lambda: sg.simulate_sedaghat(method="rk4", rk4_step=0.01),
         r"rk4_step = 0.01 min is out of range; valid range is \(0, 0.001\] min"),
        (lambda: sg.simulate_sedaghat(method="rk4", duration=1.0, sample_interval=0.0015),
         "whole number of RK4 steps"),
        (lambda: sg.dose_response_sedaghat([1e-9, -1e-9]),
         r"insulin_levels = -1e-09 M is out of range"),
        (lambda: sg.dose_response_sedaghat([1e-9], read_at=0.0105, method="rk4"),
         r"read_at = 0.0105 min must be a whole number of RK4 steps"),
        (lambda: sg.dose_response_sedaghat([1e-9], read_at=-5.0),
         r"read_at = -5 min is out of range; valid range is \(0, 1440\] min"),
        (lambda: sg.simulate_brannmark(-1.0),
         r"insulin = -1 nM is out of range; valid range is \[0, 100000\] nM"),
        (lambda: sg.simulate_brannmark(1.0, duration=-1.0), r"duration = -1 min is out of range"),
        (lambda: sg.simulate_brannmark(1.0, method="RK45"), r"method = 'RK45' is not supported"),
        (lambda: sg.simulate_brannmark(1.0, magnesium=6.0),
         r"magnesium = 6 mM is out of range; valid range is \[0.05, 5\] mM"),
        (lambda: sg.simulate_brannmark(1.0, magnesium_on_irs1=True), "needs magnesium"),
        (lambda: sg.dose_response_brannmark([1.0, float("nan")]),
         r"insulin_levels must be a finite number in \[0, 100000\] nM"),
        (lambda: sg.basal_state(method="RK45"), r"method = 'RK45' is not supported"),
        (lambda: sg.receptor_kinase_factor(-0.1),
         r"free_mg = -0.1 mM is out of range; valid range is \[0, 10\] mM"),
        (lambda: sg.receptor_kinase_factor(0.5, k_mg=0.0),
         r"k_mg = 0 mM is out of range; valid range is \(0, 10\] mM"),
    ],
)
def test_bad_input_is_rejected(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# -- convergence: a tenfold tighter tolerance (or half the RK4 step) changes outputs < 0.5 % --


def _peaks_and_finals(*arrays):
    return np.array([f(a) for a in arrays for f in (np.max, lambda x: x[-1])])


def test_sedaghat_default_tolerance_is_converged():
    default = sg.simulate_sedaghat()
    tight = sg.simulate_sedaghat(rtol=1e-9, atol=1e-23)
    assert_allclose(_peaks_and_finals(default.surface_glut4, default.akt, default.pip3),
                    _peaks_and_finals(tight.surface_glut4, tight.akt, tight.pip3), rtol=5e-3)


def test_sedaghat_rk4_step_is_converged():
    # RK4 error falls with dt^4: half the step is a sixteenfold tighter scheme
    default = sg.simulate_sedaghat(duration=20.0, method="rk4", sample_interval=1.0)
    half = sg.simulate_sedaghat(duration=20.0, method="rk4", sample_interval=1.0, rk4_step=0.0005)
    assert_allclose(_peaks_and_finals(default.surface_glut4, default.akt, default.pip3),
                    _peaks_and_finals(half.surface_glut4, half.akt, half.pip3), rtol=5e-3)


@pytest.mark.parametrize("parameters", [sg.NORMAL, sg.T2D], ids=["normal", "t2d"])
def test_brannmark_default_tolerance_is_converged(parameters):
    default = sg.simulate_brannmark(10.0, parameters=parameters)
    tight = sg.simulate_brannmark(10.0, parameters=parameters, rtol=1e-11, atol=1e-13)
    assert_allclose(_peaks_and_finals(default.glucose_uptake, default.glut4m, default.irs1p),
                    _peaks_and_finals(tight.glucose_uptake, tight.glut4m, tight.irs1p), rtol=5e-3)
