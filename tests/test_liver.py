"""Tests for mgcourse.liver against the published Kubota et al. 2012 model (MODEL1204060000)."""

from __future__ import annotations

from dataclasses import fields, replace

import numpy as np
import pytest
from numpy.testing import assert_allclose

from mgcourse import liver as lv

LEVELS = (0.01, 0.03, 0.1, 0.3, 1.0)  # Kubota et al. 2012 stimulation levels [nM]


@pytest.fixture(scope="module")
def runs():
    """The published protocol at the five published levels (one starvation run, cached)."""
    return {level: lv.simulate_kubota(level) for level in LEVELS}


@pytest.fixture(scope="module")
def low_mg_runs():
    return {level: lv.simulate_kubota(level, magnesium=0.2) for level in (0.01, 1.0)}


def test_published_parameters():
    # Kubota et al. 2012 / BioModels MODEL1204060000: 26 rate constants for the
    # 24 reactions (re2 and re9 are reversible) and 7 totals
    p = lv.KubotaParameters()
    assert len(fields(p)) == 33
    assert (p.k_syn, p.k_Ins, p.km_Ins) == (0.04780, 7.78161, 1.61148)
    assert (p.k_AKTPhos, p.k_pAKTdeP) == (0.00920, 7.70619)
    assert (p.k_pS6KdeP, p.k_FoxPhos, p.k_G6Psyn, p.k_G6Pdeg) == (1.95498, 4.59698, 4.86146, 0.05496)
    assert (p.pro_IRcom, p.AKT_tot, p.FoxO1_tot) == (46.22225, 4.33812, 0.43571)
    assert lv.INITIAL_STATE["IRcom"] == 46.22225 and lv.INITIAL_STATE["G6Pase"] == 38.54029
    assert sum(v for k, v in lv.INITIAL_STATE.items() if k not in ("IRcom", "G6Pase")) == 0.0


def test_basal_g6pase_identity():
    # Kubota et al. 2012 [DERIVED]: with pFoxO1 = 0, G6Pase_0 = k_G6Psyn·FoxO1_tot/k_G6Pdeg equals the
    # published initial value 38.54029 to the rounding of the constants (about 6e-6 relative)
    p = lv.KubotaParameters()
    assert_allclose(p.k_G6Psyn * p.FoxO1_tot / p.k_G6Pdeg, 38.54029, rtol=6e-6)
    rates = lv.kubota_derivatives(lv.INITIAL_STATE, 0.0)
    assert abs(rates["G6Pase"]) / 38.54029 < 1e-6


def test_starvation_reaches_a_quasi_steady_state(runs):
    # Kubota et al. 2012 protocol: 2400 min at the basal 0.01 nM before stimulation.
    state = lv.starved_state()
    rates = lv.kubota_derivatives(state, lv.BASAL_INSULIN)
    relative = np.array([abs(rates[n]) / state[n] for n in lv.STATE_NAMES])
    assert relative.max() < 2e-4  # per min; p2IRcom drifts slowest (k_p2Deg = k_p2deP = 1e-5/min)
    basal = runs[0.01]
    assert_allclose(basal.G6Pase, basal.G6Pase[0], rtol=0.01)  # continuing at 0.01 nM: flat
    assert state["pFoxO1"] > 0 and state["G6Pase"] < lv.INITIAL_STATE["G6Pase"]  # basal Akt is on
    assert_allclose([basal.final_state["IRcom"]], [basal.IRcom[-1]])


def test_protocol_output(runs):
    r = runs[1.0]
    start = lv.starved_state()
    assert_allclose(r.time, np.arange(481.0))
    assert_allclose([getattr(r, n)[0] for n in lv.STATE_NAMES], [start[n] for n in lv.STATE_NAMES],
                    rtol=1e-12)
    # Kubota et al. 2012: observation scale factors multiply the outputs, not the states
    assert_allclose(r.pS6K_observed, r.pS6K * 83.8672192461257, rtol=1e-15)
    assert_allclose(r.pGSK3B_observed, r.pGSK3B * 0.111097316860158, rtol=1e-15)
    assert_allclose(r.G6Pase_observed, r.G6Pase * 0.0363622452066626, rtol=1e-15)
    assert_allclose(r.pAKT_observed, r.pAKT, rtol=0)


def test_insulin_raises_pakt_and_suppresses_g6pase_dose_dependently(runs):
    # Kubota et al. 2012: pAKT rises and G6Pase expression falls with the insulin dose
    pakt_peak = [runs[level].pAKT.max() for level in LEVELS]
    g6pase_end = [runs[level].g6pase_relative[-1] for level in LEVELS]
    assert np.all(np.diff(pakt_peak) > 0)
    assert np.all(np.diff(g6pase_end) < 0)
    assert g6pase_end[-1] < 0.5 * g6pase_end[0]  # 1 nM suppresses far more than 0.01 nM
    dr = lv.dose_response_kubota(LEVELS)
    assert_allclose(dr.g6pase_relative, g6pase_end, rtol=1e-12)
    assert_allclose(dr.pakt_peak, pakt_peak, rtol=1e-12)


def test_temporal_coding_s6k_transient_g6pase_sustained(runs):
    # Kubota et al. 2012 ("temporal coding"): S6K responds transiently (incoherent feed-forward
    # through X), G6Pase in a sustained way
    r = runs[1.0]
    peak = int(np.argmax(r.pS6K))
    assert 0 < peak < 120 < r.time[-1]  # the peak precedes the end value
    s6k_kept = (r.pS6K[-1] - r.pS6K[0]) / (r.pS6K[peak] - r.pS6K[0])
    g = r.g6pase_relative
    g6pase_kept = (1.0 - g[-1]) / (1.0 - g.min())
    assert s6k_kept < 0.1  # S6K: back near basal after 480 min
    assert g6pase_kept > 0.9 and g[-1] < 0.3  # G6Pase: most of its suppression is kept


def test_continuation_from_a_given_state(runs):
    again = lv.simulate_kubota(1.0, starvation=0.0, initial=lv.starved_state())
    assert_allclose(again.G6Pase, runs[1.0].G6Pase, rtol=1e-10)


# -- magnesium [TEACHING ASSUMPTION] --------------------------------------------------------


def test_phi_mg():
    # the teaching factor: phi = [m/(0.5 + m)]/[0.5/(0.5 + 0.5)]; 1 at 0.5 mM, tends to 2 at saturation
    assert_allclose(lv._phi_mg(0.5), 1.0, rtol=1e-12)
    m = np.array([0.05, 0.2, 1.0, 5.0])
    assert_allclose(lv._phi_mg(m), 2.0 * m / (0.5 + m), rtol=1e-12)
    assert lv._phi_mg(5.0) < 2.0


def test_reference_magnesium_is_the_published_model(runs):
    r = lv.simulate_kubota(1.0, magnesium=0.5, magnesium_on_receptor=True)
    assert_allclose(r.G6Pase, runs[1.0].G6Pase, rtol=1e-12)


def test_low_magnesium_weakens_g6pase_suppression(runs, low_mg_runs):
    low = low_mg_runs[1.0]
    assert_allclose(low.parameters.k_AKTPhos, 0.00920 * float(lv._phi_mg(0.2)), rtol=1e-12)
    assert low.pAKT.max() < runs[1.0].pAKT.max()
    assert low.g6pase_relative[-1] > runs[1.0].g6pase_relative[-1]
    receptor_too = lv.simulate_kubota(1.0, magnesium=0.2, magnesium_on_receptor=True)
    assert receptor_too.g6pase_relative[-1] > low.g6pase_relative[-1]


def test_hepatic_glucose_output():
    # [TEACHING ASSUMPTION]: output proportional to G6Pase expression relative to basal
    assert lv.hepatic_glucose_output(1.0) == 2.0
    assert_allclose(lv.hepatic_glucose_output(np.array([0.5, 0.25]), basal=10.0), [5.0, 2.5])


# -- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"insulin": -1.0}, r"insulin = -1 nM is out of range; valid range is \[0, 100\] nM"),
        ({"insulin": float("nan")}, r"insulin must be a finite number in \[0, 100\] nM"),
        ({"duration": 0.0}, r"duration = 0 min is out of range; valid range is \(0, 10000\] min"),
        ({"starvation": -5.0}, r"starvation = -5 min is out of range"),
        ({"magnesium": 0.01}, r"magnesium = 0.01 mM is out of range; valid range is \[0.05, 5\] mM"),
        ({"magnesium_on_receptor": True}, "needs a magnesium value"),
        ({"initial": [1.0, 2.0]}, "state must have 11 values"),
        ({"initial": {"IRcom": 1.0}}, "state is missing"),
    ],
)
def test_simulate_kubota_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        lv.simulate_kubota(**{"insulin": 1.0, "duration": 10.0, **kwargs})


def test_other_functions_reject_bad_input():
    with pytest.raises(ValueError, match=r"levels = 200 nM is out of range"):
        lv.dose_response_kubota([0.1, 200.0])
    with pytest.raises(ValueError, match=r"g6pase_relative = -0.5 dimensionless is out of range"):
        lv.hepatic_glucose_output(-0.5)
    with pytest.raises(ValueError, match=r"k_AKTPhos = -1 a\.u\.\^-1 min\^-1 is out of range"):
        replace(lv.KubotaParameters(), k_AKTPhos=-1.0)


def test_default_tolerance_is_converged():
    # a tenfold tighter tolerance changes the reported outputs by less than 0.5 %
    default = lv.simulate_kubota(1.0)
    tight = lv.simulate_kubota(1.0, rtol=lv.RTOL / 10, atol=lv.ATOL / 10)
    for name in ("pAKT", "pS6K", "g6pase_relative"):
        a, b = getattr(default, name), getattr(tight, name)
        assert_allclose([np.max(a), a[-1]], [np.max(b), b[-1]], rtol=5e-3)
