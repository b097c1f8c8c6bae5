"""Tests for mgcourse.inflammation: the TNF-α teaching model, its couplings to the
Brännmark and Sedaghat insulin-signalling models, and the ROS balance.

Every relation tested here is a teaching assumption (none is in a published model);
the tests check the stated formulas and directions, and that the published models are
reproduced exactly when the couplings are neutral.
"""

import dataclasses

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from mgcourse import inflammation, signalling

SUBMAXIMAL = [0.01, 0.1]  # nM, below the EC50-to-saturation range of Brännmark 2013


# ---------------------------------------------------------------------------
# TNF-α and serum magnesium
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("other_load", [1.0, 2.5])
def test_tnf_is_the_other_load_at_and_above_the_reference(other_load):
    mg = np.array([0.85, 0.9, 1.2, 5.0])
    assert_array_equal(inflammation.tnf_steady_state(mg, other_load=other_load),
                       np.full(4, other_load))
    assert inflammation.tnf_steady_state(0.85, other_load=other_load) == other_load


def test_tnf_rises_linearly_below_the_reference_with_slope_a_t():
    # T_ss = O·(1 + a_T·(Mg_ref − Mg)/Mg_ref): slope −a_T·O/Mg_ref per mmol/L
    mg = np.linspace(0.2, 0.85, 14)
    tnf = inflammation.tnf_steady_state(mg)
    assert_allclose(np.diff(tnf) / np.diff(mg), -3.0 / 0.85, rtol=1e-12)
    assert_allclose(inflammation.tnf_steady_state(0.425), 2.5, rtol=1e-12)  # half the reference
    assert_allclose(inflammation.tnf_steady_state(0.425, other_load=2.0), 5.0, rtol=1e-12)
    assert_allclose(inflammation.tnf_steady_state(0.5, a_t=1.0, reference=1.0), 1.5, rtol=1e-12)


def test_tnf_scalar_in_scalar_out():
    assert isinstance(inflammation.tnf_steady_state(0.7), float)
    assert inflammation.tnf_steady_state([0.7, 0.9]).shape == (2,)


def test_tnf_dynamics_relaxes_to_the_steady_state():
    t = np.linspace(0.0, 60.0, 601)
    target = inflammation.tnf_steady_state(0.6)
    trace = inflammation.tnf_dynamics(t, 0.6)
    assert trace[0] == 1.0
    assert_allclose(trace[-1], target, rtol=1e-3)
    assert np.all(np.diff(trace) > 0)
    # dT/dt = (T_ss − T)/τ with τ = 7 days, checked by central differences
    derivative = np.gradient(trace, t)
    assert_allclose(derivative[1:-1], ((target - trace) / 7.0)[1:-1], rtol=2e-3)
    # one time constant covers 1 − 1/e of the distance
    one_tau = inflammation.tnf_dynamics(7.0, 0.6, t0_level=3.0)
    assert_allclose(one_tau, target + (3.0 - target) * np.exp(-1.0), rtol=1e-12)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: inflammation.tnf_steady_state(0.0), "serum_mg"),
        (lambda: inflammation.tnf_steady_state(-0.1), "serum_mg"),
        (lambda: inflammation.tnf_steady_state(6.0), "serum_mg"),
        (lambda: inflammation.tnf_steady_state(np.nan), "serum_mg"),
        (lambda: inflammation.tnf_steady_state("low"), "serum_mg"),
        (lambda: inflammation.tnf_steady_state(0.7, other_load=0.5), "other_load"),
        (lambda: inflammation.tnf_steady_state(0.7, a_t=-1.0), "a_t"),
        (lambda: inflammation.tnf_steady_state(0.7, reference=0.0), "reference"),
        (lambda: inflammation.tnf_dynamics(-1.0, 0.7), "t"),
        (lambda: inflammation.tnf_dynamics(1.0, [0.7, 0.8]), "serum_mg"),
        (lambda: inflammation.tnf_dynamics(1.0, 0.7, tau=0.0), "tau"),
        (lambda: inflammation.tnf_dynamics(1.0, 0.7, t0_level=0.0), "t0_level"),
    ],
)
def test_tnf_rejects_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ---------------------------------------------------------------------------
# Coupling (A): Brännmark et al. 2013
# ---------------------------------------------------------------------------


def test_neutral_tnf_reproduces_the_published_brannmark_model_exactly():
    for published in (signalling.NORMAL, signalling.T2D):
        assert inflammation.brannmark_with_tnf(1.0, parameters=published) is published
        assert inflammation.brannmark_with_tnf(1.0, c_b=7.0, parameters=published) == published
    levels = [0.0, 0.1, 1.0, 100.0]
    # Brännmark et al. 2013 (BIOMD0000000448), course dose–response protocol (30 min)
    reference = signalling.dose_response_brannmark(levels)
    coupled = inflammation.insulin_response_with_tnf(1.0, levels)
    for name in ("glucose_uptake", "glut4m", "pkb_thr308", "pkb_ser473", "irs1_phosphorylated"):
        assert_array_equal(getattr(coupled, name), getattr(reference, name))
    assert coupled.k2basal_factor == 1.0


def test_k2basal_scaling():
    p = inflammation.brannmark_with_tnf(3.0, c_b=0.5)
    assert_allclose(p.k2basal, 0.04228 * 2.0, rtol=1e-15)
    # only k2basal changes; k2c (a positive feedback in this model) is never raised
    changed = {f.name for f in dataclasses.fields(p)
               if getattr(p, f.name) != getattr(signalling.NORMAL, f.name)}
    assert changed == {"k2basal"}
    assert inflammation.brannmark_with_tnf(0.5).k2basal < signalling.NORMAL.k2basal
    assert inflammation.brannmark_with_tnf(3.0, c_b=0.0) is signalling.NORMAL


def test_raising_k2basal_moves_irs1_out_of_the_signalling_pool():
    names = signalling.BRANNMARK_STATE_NAMES
    basal = dict(zip(names, signalling.basal_state(), strict=True))
    inflamed = dict(zip(names, signalling.basal_state(inflammation.brannmark_with_tnf(2.0)),
                        strict=True))
    assert inflamed["irs1307"] > basal["irs1307"] + 5.0
    assert inflamed["irs1"] < basal["irs1"] - 5.0
    total = sum(inflamed[k] for k in ("irs1", "irs1p", "irs1p307", "irs1307"))
    assert_allclose(total, 100.0, rtol=1e-8)  # IRS1 is conserved
    stimulated = signalling.simulate_brannmark(
        0.1, parameters=inflammation.brannmark_with_tnf(2.0), sample_interval=30.0)
    normal = signalling.simulate_brannmark(0.1, sample_interval=30.0)
    assert stimulated.irs1307[-1] > normal.irs1307[-1]
    assert stimulated.irs1_phosphorylated[-1] < normal.irs1_phosphorylated[-1]


def test_lower_magnesium_means_more_tnf_and_less_glucose_uptake():
    responses = []
    for mg in (0.85, 0.7, 0.5):
        tnf = inflammation.tnf_steady_state(mg)
        responses.append(inflammation.insulin_response_with_tnf(tnf, SUBMAXIMAL))
    tnfs = [r.tnf for r in responses]
    assert tnfs[0] == 1.0 and tnfs[0] < tnfs[1] < tnfs[2]
    uptake = np.array([r.glucose_uptake for r in responses])
    pkb = np.array([r.pkb_thr308 for r in responses])
    assert np.all(np.diff(uptake, axis=0) < 0)  # at every submaximal insulin level
    assert np.all(np.diff(pkb, axis=0) < 0)


def test_tnf_shifts_the_dose_response_to_the_right():
    levels = np.concatenate(([0.0], np.logspace(-3, 2, 11)))
    normal = inflammation.insulin_response_with_tnf(1.0, levels)
    inflamed = inflammation.insulin_response_with_tnf(3.0, levels)
    assert (signalling.ec50(levels, inflamed.glucose_uptake)
            > signalling.ec50(levels, normal.glucose_uptake))


def test_result_names_its_teaching_assumptions():
    result = inflammation.insulin_response_with_tnf(2.0, [1.0], c_b=0.5, magnesium=0.25)
    assert result.k2basal_factor == 1.5
    assert "k2basal" in result.teaching_assumptions[0]
    assert "not in Brännmark 2013" in result.teaching_assumptions[0]
    assert any("magnesium" in text for text in result.teaching_assumptions[1:])
    assert result.dose_response.receptor_kinase_factor < 1.0
    assert inflammation.insulin_response_with_tnf(1.0, [1.0]).teaching_assumptions


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: inflammation.brannmark_with_tnf(0.0), "tnf"),
        (lambda: inflammation.brannmark_with_tnf(-1.0), "tnf"),
        (lambda: inflammation.brannmark_with_tnf(np.inf), "tnf"),
        (lambda: inflammation.brannmark_with_tnf(200.0), "tnf"),
        (lambda: inflammation.brannmark_with_tnf([1.0, 2.0]), "single number"),
        (lambda: inflammation.brannmark_with_tnf(2.0, c_b=-1.0), "c_b"),
        (lambda: inflammation.brannmark_with_tnf(0.5, c_b=3.0), "not positive"),
        (lambda: inflammation.insulin_response_with_tnf(2.0, [-1.0]), "insulin_levels"),
        (lambda: inflammation.insulin_response_with_tnf(0.0, [1.0]), "tnf"),
    ],
)
def test_brannmark_coupling_rejects_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ---------------------------------------------------------------------------
# Coupling (B): Sedaghat et al. 2002
# ---------------------------------------------------------------------------


def test_sedaghat_coupling_divides_k7_only():
    published = signalling.SedaghatParameters()
    assert inflammation.sedaghat_with_tnf(1.0) == published
    p = inflammation.sedaghat_with_tnf(3.0)  # c_S = 0.5: factor 2
    assert_allclose(p.k7 * p.k7_scale, 4.16 / 2.0, rtol=1e-15)
    # the teaching coupling (B): only the phosphorylation rate falls; km7 keeps its published value
    assert_allclose(p.km7, published.km7, rtol=1e-15)
    ptp = dataclasses.replace(published, ptp=1.5)
    assert inflammation.sedaghat_with_tnf(3.0, parameters=ptp).ptp == 1.5


def test_sedaghat_coupling_lowers_glut4_at_submaximal_insulin():
    normal = signalling.dose_response_sedaghat([1e-9])
    inflamed = signalling.dose_response_sedaghat(
        [1e-9], parameters=inflammation.sedaghat_with_tnf(2.0))
    # T = 2 divides k7 by 1.5: surface GLUT4 at 1 nM falls by several percentage points
    assert inflamed.surface_glut4[0] < normal.surface_glut4[0] - 2.0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"tnf": 0.0}, "tnf"), ({"tnf": 2.0, "c_s": -0.5}, "c_s"),
     ({"tnf": 0.2, "c_s": 2.0}, "not positive")],
)
def test_sedaghat_coupling_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        inflammation.sedaghat_with_tnf(**kwargs)


# ---------------------------------------------------------------------------
# Oxidative stress
# ---------------------------------------------------------------------------


def test_ros_is_one_in_the_reference_state():
    state = inflammation.ros_steady_state([4.0, 5.0], [0.85, 1.1])
    assert_array_equal(state.ros, [1.0, 1.0])
    assert_array_equal(state.production, [1.0, 1.0])
    assert_array_equal(state.antioxidant_capacity, [1.0, 1.0])
    assert "didactic" in state.teaching_assumptions[0]


def test_ros_terms_follow_the_stated_formulas():
    # glucose 7.5 mmol/L (50 % above 5), Mg 0.68 mmol/L (20 % deficit), default constants:
    # P = (1 + 0.5)·(1 + 0.2) = 1.8, A = 1 − 0.5·0.2 = 0.9, R = 2
    state = inflammation.ros_steady_state(7.5, 0.68)
    assert_allclose([state.production, state.antioxidant_capacity, state.ros], [1.8, 0.9, 2.0],
                    rtol=1e-12)
    p = inflammation.OxidativeStressParameters(a_glucose=2.0, a_production=0.0,
                                               a_antioxidant=0.0)
    assert_allclose(inflammation.ros_steady_state(7.5, 0.68, parameters=p).ros, 2.0, rtol=1e-12)


@given(st.floats(0.5, 30.0), st.floats(0.05, 2.0))
def test_ros_rate_vanishes_at_the_steady_state(glucose, mg):
    state = inflammation.ros_steady_state(glucose, mg)
    assert abs(inflammation.ros_rate(state.ros, glucose, mg)) <= 1e-12 * state.ros
    assert inflammation.ros_rate(state.ros * 1.1, glucose, mg) < 0
    assert inflammation.ros_rate(state.ros * 0.9, glucose, mg) > 0


def test_ros_rises_with_glucose_and_with_magnesium_deficit():
    glucose = np.linspace(5.0, 20.0, 7)
    assert np.all(np.diff(inflammation.ros_steady_state(glucose, 0.85).ros) > 0)
    mg = np.linspace(0.3, 0.85, 7)
    assert np.all(np.diff(inflammation.ros_steady_state(8.0, mg).ros) < 0)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: inflammation.ros_steady_state(0.0, 0.8), "glucose"),
        (lambda: inflammation.ros_steady_state(70.0, 0.8), "glucose"),
        (lambda: inflammation.ros_steady_state(5.0, 0.0), "serum_mg"),
        (lambda: inflammation.ros_rate(-1.0, 5.0, 0.8), "ros"),
        (lambda: inflammation.OxidativeStressParameters(a_antioxidant=1.0), "a_antioxidant"),
        (lambda: inflammation.OxidativeStressParameters(glucose_reference=0.0),
         "glucose_reference"),
        (lambda: inflammation.OxidativeStressParameters(a_glucose=-1.0), "a_glucose"),
    ],
)
def test_ros_rejects_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
