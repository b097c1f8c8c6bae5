"""Tests for mgcourse.whole_body against Bergman et al. 1979, Topp et al. 2000 and Matthews et al. 1985."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from numpy.testing import assert_allclose

from mgcourse import whole_body as wb

DEFAULT = wb.ToppParameters()
# "Hidden" parameters of a graded exercise: not the defaults, so a fit that returns its guess fails.
HIDDEN = wb.BergmanParameters(p1=0.025, p2=0.03, p3=2.4e-5, G_b=85.0, I_b=8.0)


def _hidden_insulin(t: float) -> float:
    return float(wb.teaching_insulin_profile(t, basal=HIDDEN.I_b))


# -- Bergman minimal model ------------------------------------------------------------------


def test_illustrative_indices():
    # Bergman et al. 1979 definitions: S_I = p3/p2 = 1e-5/0.02 = 5e-4, S_G = p1 = 0.03
    assert_allclose(wb.insulin_sensitivity(), 5e-4, rtol=1e-12)
    assert_allclose(wb.glucose_effectiveness(), 0.03, rtol=1e-12)
    assert_allclose(wb.insulin_sensitivity(HIDDEN), 8e-4, rtol=1e-12)


@pytest.mark.parametrize("t", [0.0, 10.0, np.array([0.0, 10.0, 1000.0])])
def test_teaching_insulin_profile(t):
    # [TEACHING ASSUMPTION]: I = I_b + (100 − I_b)·exp(−t/10), I_b = 7 µU/mL
    expected = 7.0 + 93.0 * np.exp(-np.asarray(t) / 10.0)
    assert_allclose(wb.teaching_insulin_profile(t), expected, rtol=1e-12)


def test_basal_insulin_gives_pure_glucose_effectiveness_decay():
    # With I(t) = I_b, X stays 0 and dG/dt = −p1(G − G_b): G = G_b + (G0 − G_b)·exp(−p1·t)
    r = wb.simulate_ivgtt(insulin=lambda t: 7.0)
    assert_allclose(r.glucose, 90.0 + 190.0 * np.exp(-0.03 * r.time), rtol=1e-7)
    assert_allclose(r.remote_insulin_action, 0.0, atol=1e-12)


def test_ivgtt_returns_towards_basal():
    # Bergman et al. 1979: G(0) = 280 mg/dL after the bolus, glucose returns to G_b = 90 mg/dL
    r = wb.simulate_ivgtt()
    assert r.glucose[0] == 280.0 and r.time[-1] == 180.0 and r.time.size == 181
    assert np.all(np.diff(r.glucose[:120]) < 0)
    assert abs(r.glucose[-1] - 90.0) < 5.0
    x = r.remote_insulin_action
    assert x.max() > 0 and x[-1] < 0.2 * x.max()
    assert_allclose(r.insulin[0], 100.0, rtol=1e-12)


def test_higher_insulin_sensitivity_clears_glucose_faster():
    base = wb.simulate_ivgtt()
    sensitive = wb.simulate_ivgtt(parameters=replace(wb.BergmanParameters(), p3=2e-5))
    assert np.all(sensitive.glucose[1:60] < base.glucose[1:60])


def test_measured_insulin_is_interpolated():
    times = np.linspace(0.0, 180.0, 1801)
    measured = wb.simulate_ivgtt(insulin=(times, wb.teaching_insulin_profile(times)))
    exact = wb.simulate_ivgtt()
    assert_allclose(measured.glucose, exact.glucose, rtol=1e-4)


def test_measured_insulin_must_cover_the_simulation():
    with pytest.raises(ValueError, match=r"cover the simulated interval \[0, 180\] min"):
        wb.simulate_ivgtt(insulin=([0.0, 60.0], [100.0, 10.0]))
    with pytest.raises(ValueError, match="strictly increasing"):
        wb.simulate_ivgtt(insulin=([0.0, 200.0, 190.0], [100.0, 10.0, 8.0]))


def test_fit_recovers_hidden_parameters_from_noiseless_data():
    data = wb.synthetic_ivgtt(parameters=HIDDEN, insulin=_hidden_insulin)
    fit = wb.fit_insulin_sensitivity(data.times, data.glucose, _hidden_insulin,
                                     basal_glucose=85.0, basal_insulin=8.0)
    assert fit.success
    assert_allclose(fit.insulin_sensitivity, 8e-4, rtol=1e-3)
    assert_allclose(fit.glucose_effectiveness, 0.025, rtol=1e-3)
    assert_allclose((fit.parameters.p2, fit.parameters.p3), (0.03, 2.4e-5), rtol=1e-3)
    assert_allclose(fit.glucose0, 280.0, rtol=1e-3)
    assert fit.rms_residual < 1e-4


def test_fit_from_noisy_data():
    data = wb.synthetic_ivgtt(parameters=HIDDEN, insulin=_hidden_insulin, noise_cv=0.01,
                              rng=np.random.default_rng(2024))
    fit = wb.fit_insulin_sensitivity(data.times, data.glucose, _hidden_insulin,
                                     basal_glucose=85.0, basal_insulin=8.0)
    assert_allclose(fit.insulin_sensitivity, 8e-4, rtol=0.2)
    assert_allclose(fit.glucose_effectiveness, 0.025, rtol=0.25)
    assert abs(fit.insulin_sensitivity - 8e-4) < 3.0 * fit.insulin_sensitivity_se
    assert 0.5 < fit.rms_residual < 5.0  # about 1 % of glucose levels of 85-280 mg/dL


def test_fit_with_sampled_insulin_fixed_glucose0_and_late_samples():
    data = wb.synthetic_ivgtt()
    fit = wb.fit_insulin_sensitivity(data.times, data.glucose, data.insulin, glucose0=280.0,
                                     fit_from=8.0)
    # linear interpolation of the sampled insulin costs a little accuracy
    assert_allclose(fit.insulin_sensitivity, 5e-4, rtol=0.05)
    assert fit.glucose0 == 280.0


def test_noise_needs_a_generator():
    with pytest.raises(ValueError, match="needs rng"):
        wb.synthetic_ivgtt(noise_cv=0.02)
    a = wb.synthetic_ivgtt(noise_cv=0.02, rng=np.random.default_rng(7))
    b = wb.synthetic_ivgtt(noise_cv=0.02, rng=np.random.default_rng(7))
    assert_allclose(a.glucose, b.glucose, rtol=0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"glucose": [280.0, 200.0]}, "equal length"),
        ({"times": [0.0, 10.0, 20.0], "glucose": [280.0, 200.0, 150.0]}, "at least 5 glucose samples"),
        ({"glucose": np.full(26, -1.0)}, r"glucose = -1 mg/dL is out of range"),
        ({"fit_from": 500.0}, r"fit_from = 500 min is out of range"),
    ],
)
def test_fit_rejects_bad_input(kwargs, message):
    data = wb.synthetic_ivgtt()
    args = {"times": data.times, "glucose": data.glucose, **kwargs}
    with pytest.raises(ValueError, match=message):
        wb.fit_insulin_sensitivity(args["times"], args["glucose"], wb.teaching_insulin_profile,
                                   fit_from=kwargs.get("fit_from", 0.0))


# -- magnesium link [TEACHING ASSUMPTION] ---------------------------------------------------


def test_sensitivity_factor_shape():
    # the teaching factor: m_SI = [1 + (0.6/0.85)^4]/[1 + (0.6/Mg)^4]; 1 at 0.85 mmol/L
    assert_allclose(wb.sensitivity_factor(0.85), 1.0, rtol=1e-12)
    by_hand = (1 + (0.6 / 0.85) ** 4) / (1 + (0.6 / 0.5) ** 4)
    assert_allclose(wb.sensitivity_factor(0.5), by_hand, rtol=1e-12)
    assert wb.sensitivity_factor(0.5) < 0.5  # steep fall below about 0.6 mmol/L
    mg = np.array([0.3, 0.5, 0.6, 0.7, 0.85, 1.0, 1.5, 5.0])
    factor = wb.sensitivity_factor(mg)
    assert np.all(np.diff(factor) > 0)
    assert abs(wb.sensitivity_factor(0.95) - 1.0) < 0.1  # flat near normal
    assert factor[-1] < 1 + (0.6 / 0.85) ** 4  # plateau only modestly above 1


def test_magnesium_scales_p3_and_slows_clearance():
    low = wb.simulate_ivgtt(magnesium=0.5)
    assert_allclose(low.parameters.p3, 1e-5 * wb.sensitivity_factor(0.5), rtol=1e-12)
    assert low.glucose[60] > wb.simulate_ivgtt().glucose[60]
    assert_allclose(wb.simulate_ivgtt(magnesium=0.85).glucose, wb.simulate_ivgtt().glucose, rtol=1e-12)


@pytest.mark.parametrize("bad", [0.0, -0.2, 6.0, float("nan")])
def test_sensitivity_factor_rejects_bad_magnesium(bad):
    with pytest.raises(ValueError, match=r"serum_mg.*\(0, 5\] mmol/L"):
        wb.sensitivity_factor(bad)
    with pytest.raises(ValueError, match=r"magnesium.*\(0, 5\] mmol/L"):
        wb.simulate_ivgtt(magnesium=bad)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"glucose0": 0.0}, r"glucose0 = 0 mg/dL is out of range; valid range is \(0, 2000\] mg/dL"),
        ({"duration": 2000.0}, r"duration = 2000 min is out of range"),
        ({"insulin": "high"}, "insulin must be a function of time"),
    ],
)
def test_simulate_ivgtt_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        wb.simulate_ivgtt(**kwargs)


def test_bergman_parameters_reject_bad_values():
    with pytest.raises(ValueError, match=r"p2 = -0.1 min\^-1 is out of range"):
        wb.BergmanParameters(p2=-0.1)


# -- Topp 2000 βIG model --------------------------------------------------------------------


def _by_name(points):
    return {fp.name: fp for fp in points}


def test_rest_state_is_a_stable_fixed_point():
    # Topp et al. 2000; BIOMD0000000341: physiological state G = 100, I = 10, β = 300
    fp = _by_name(wb.fixed_points())["physiological"]
    assert_allclose(fp.state, (100.0, 10.0, 300.0), rtol=1e-12)
    assert_allclose(wb.topp_derivatives((100.0, 10.0, 300.0)), 0.0, atol=1e-9)
    assert fp.stability == "stable" and np.all(fp.eigenvalues.real < 0)


def test_saddle_at_upper_root():
    # Topp et al. 2000: roots of −0.06 + 0.84e-3·G − 0.24e-5·G² are 100 and 250 mg/dL;
    # [DERIVED] I* = 864/(250·0.72) − 1.44/0.72 = 2.8, β* = 432·2.8·(20000 + 250²)/(43.2·250²) = 36.96
    fp = _by_name(wb.fixed_points())["saddle"]
    assert_allclose(fp.state, (250.0, 2.8, 36.96), rtol=1e-12)
    assert fp.stability == "saddle" and int(np.sum(fp.eigenvalues.real > 0)) == 1


def test_pathological_state():
    # Topp et al. 2000: β = 0, I = 0, G = R0/EG0 = 864/1.44 = 600 mg/dL, stable
    fp = _by_name(wb.fixed_points())["pathological"]
    assert_allclose(fp.state, (600.0, 0.0, 0.0), rtol=1e-12)
    assert fp.stability == "stable"
    # eigenvalues at β = I = 0 are −k, −(EG0 + 0) and the growth rate q(600) (triangular Jacobian)
    q600 = -0.06 + 0.84e-3 * 600 - 0.24e-5 * 600**2
    assert_allclose(np.sort(fp.eigenvalues.real), np.sort([-432.0, -1.44, q600]), rtol=1e-12)


@pytest.mark.parametrize("state", [(100.0, 10.0, 300.0), (250.0, 2.8, 36.96), (180.0, 25.0, 500.0)])
def test_analytic_jacobian_matches_finite_differences(state):
    # the fitting method: finite differences with a relative step of about 1e-6
    y = np.array(state)
    jac = np.empty((3, 3))
    for j in range(3):
        h = 1e-6 * max(abs(y[j]), 1.0)
        up, down = y.copy(), y.copy()
        up[j] += h
        down[j] -= h
        jac[:, j] = (wb.topp_derivatives(up) - wb.topp_derivatives(down)) / (2 * h)
    assert_allclose(wb.topp_jacobian(y), jac, rtol=1e-6, atol=1e-8)


def test_homa_at_rest():
    # Matthews et al. 1985: at a Topp steady state HOMA1-IR = G*·I*/405 = 100·10/405;
    # HOMA1-%B = 360·I*/(G* − 63) = 3600/37 (Matthews 1985, mg/dL form)
    s = wb.steady_state_indices()
    assert_allclose(s.homa_ir, 100.0 * 10.0 / 405.0, rtol=1e-12)
    assert_allclose(s.homa_beta, 3600.0 / 37.0, rtol=1e-12)


@pytest.mark.parametrize("factor", [0.25, 0.5, 2.0])
def test_compensation_law(factor):
    # Topp et al. 2000 [DERIVED]: G* independent of SI; I*, β* and HOMA1-IR ∝ 1/SI
    s = wb.steady_state_indices(replace(DEFAULT, SI=0.72 * factor))
    assert_allclose(s.glucose, 100.0, rtol=1e-12)
    assert_allclose((s.insulin, s.beta_mass), (10.0 / factor, 300.0 / factor), rtol=1e-12)
    assert_allclose(s.homa_ir, (100.0 * 10.0 / 405.0) / factor, rtol=1e-12)


@pytest.fixture(scope="module")
def halved_si():
    return wb.simulate_topp(parameters=replace(DEFAULT, SI=0.36), duration=2000.0)


def test_halving_si_transient_then_compensation(halved_si):
    # Topp et al. 2000: glucose rises transiently, then returns to 100 mg/dL with I* = 20, β* = 600
    r = halved_si
    assert r.glucose.max() > 120.0  # about 132 mg/dL on day 1 while β is still 300 mg
    assert_allclose(r.final_state, (100.0, 20.0, 600.0), rtol=1e-6)
    assert_allclose(r.insulin_sensitivity, 0.36)
    assert r.time[-1] == 2000.0 and np.all(np.diff(r.time) == 1.0)


def test_step_schedule_matches_a_shifted_parameter_change(halved_si):
    stepped = wb.simulate_topp(si_schedule=[(100.0, 0.5)], duration=600.0)
    assert_allclose(stepped.glucose[:101], 100.0, rtol=1e-8)
    assert_allclose(stepped.glucose[100:], halved_si.glucose[:501], rtol=1e-5)
    assert_allclose(stepped.insulin_sensitivity[[99, 100]], (0.72, 0.36))


def test_callable_schedule_and_methods_agree(halved_si):
    r = wb.simulate_topp(si_schedule=lambda t: 0.5, duration=300.0, method="Radau")
    assert_allclose(r.beta_mass, halved_si.beta_mass[:301], rtol=1e-5)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"parameters": replace(DEFAULT, SI=0.072)},  # severe insulin resistance
        {"parameters": replace(DEFAULT, SI=0.36, sigma=43.2 * 0.2)},  # plus weak secretion
        {"initial": (100.0, 10.0, 30.0)},  # loss of β-cell mass
    ],
)
def test_beta_cell_failure_runs_away_to_the_pathological_state(kwargs):
    # Topp et al. 2000: once glucose exceeds the saddle (250 mg/dL), β declines and the system
    # goes to the pathological state G = 600 mg/dL, I = β = 0
    r = wb.simulate_topp(duration=1000.0, **kwargs)
    assert r.glucose[:30].max() > 250.0
    assert_allclose(r.final_state, (600.0, 0.0, 0.0), atol=1e-3)


def test_magnesium_lowers_si_but_not_steady_glucose():
    # the teaching factor [DERIVED]: low Mg lowers SI; I*, β* rise and G* stays 100 mg/dL
    factor = wb.sensitivity_factor(0.5)
    s = wb.steady_state_indices(magnesium=0.5)
    assert_allclose((s.glucose, s.insulin), (100.0, 10.0 / factor), rtol=1e-12)
    r = wb.simulate_topp(magnesium=0.5, duration=50.0)
    assert_allclose(r.insulin_sensitivity, 0.72 * factor)
    assert r.glucose.max() > 130.0  # transient fasting hyperglycaemia


def test_no_physiological_state():
    # Topp et al. 2000: the physiological state needs R0/G* > EG0
    points = wb.fixed_points(replace(DEFAULT, R0=100.0))
    assert [fp.name for fp in points] == ["pathological"]
    with pytest.raises(ValueError, match="no physiological steady state"):
        wb.steady_state_indices(replace(DEFAULT, R0=100.0))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"duration": 0.0}, r"duration = 0 days is out of range; valid range is \(0, 36500\] days"),
        ({"initial": (100.0, 10.0)}, "state must be three finite numbers"),
        ({"initial": (100.0, -1.0, 300.0)}, r"initial = -1 mg/dL, µU/mL, mg is out of range"),
        ({"method": "RK45"}, "method = 'RK45' is not supported"),
        ({"magnesium": 0.0}, r"magnesium = 0 mmol/L is out of range; valid range is \(0, 5\] mmol/L"),
        ({"si_schedule": [(10.0, -0.5)]}, r"si_schedule multiplier = -0.5 dimensionless is out of range"),
        ({"si_schedule": lambda t: 0.0}, r"si_schedule\(0\) = 0.0 is out of range"),
    ],
)
def test_simulate_topp_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        wb.simulate_topp(**{"duration": 10.0, **kwargs})


def test_topp_parameters_reject_bad_values():
    with pytest.raises(ValueError, match=r"SI = -0.72 mL µU\^-1 day\^-1 is out of range"):
        replace(DEFAULT, SI=-0.72)


def test_ivgtt_default_tolerance_is_converged():
    default = wb.simulate_ivgtt()
    tight = wb.simulate_ivgtt(rtol=wb.BERGMAN_RTOL / 10, atol=wb.BERGMAN_ATOL / 10)
    assert_allclose(default.glucose, tight.glucose, rtol=5e-3)
    assert_allclose(np.max(default.remote_insulin_action), np.max(tight.remote_insulin_action),
                    rtol=5e-3)


def test_topp_default_tolerance_is_converged():
    parameters = replace(wb.ToppParameters(), SI=0.36)
    default = wb.simulate_topp(parameters=parameters, duration=2000.0)
    tight = wb.simulate_topp(parameters=parameters, duration=2000.0, rtol=wb.TOPP_RTOL / 10,
                             atol=wb.TOPP_ATOL / 10)
    for name in ("glucose", "insulin", "beta_mass"):
        a, b = getattr(default, name), getattr(tight, name)
        assert_allclose([np.max(a), a[-1]], [np.max(b), b[-1]], rtol=5e-3)
