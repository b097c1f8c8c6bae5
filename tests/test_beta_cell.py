"""Tests for mgcourse.beta_cell against Bertram et al. 2004 and Magnus & Keizer 1998."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from mgcourse import beta_cell as bc

free_mg = st.floats(min_value=0.05, max_value=5.0)
nucleotide = st.floats(min_value=1.0, max_value=5000.0)


def test_katp_closed_nucleotide_limit():
    # Magnus & Keizer 1998 / Bertram 2004: o∞(ADP = 0, ATP = 0) = 0.08
    assert_allclose(bc.katp_open_fraction(atp=0.0, adp=0.0), 0.08)
    assert_allclose(bc.katp_open_fraction(atp=0.0, adp=0.0, free_mg=0.7), 0.08)


def test_katp_formula_by_hand():
    # Magnus & Keizer 1998 with the fixed fractions 0.165, 0.135, 0.05 and kdd, ktd, ktt = 17, 26, 1 µM
    atp, adp = 2000.0, 600.0
    mgadp, adp3, atp4 = 0.165 * adp, 0.135 * adp, 0.05 * atp
    x = mgadp / 17
    expected = (0.08 * (1 + 2 * x) + 0.89 * x**2) / ((1 + x) ** 2 * (1 + adp3 / 26 + atp4 / 1))
    assert_allclose(bc.katp_open_fraction(atp=atp, adp=adp), expected, rtol=1e-12)
    species = bc.nucleotide_species(atp=atp, adp=adp)
    assert (species.mgadp, species.adp3, species.atp4) == pytest.approx((99.0, 81.0, 100.0))


def test_katp_is_vectorised():
    atp = np.linspace(500, 2900, 7)
    out = bc.katp_open_fraction(atp=atp, adp=3000 - atp)
    assert out.shape == (7,) and np.all(np.diff(out) < 0)  # more ATP, fewer open channels


def test_speciation_constants():
    # Magnus & Keizer 1998, generalised: K_D = 10^-3.25 M = 0.5623 mM, K_T = 10^-4.19 M = 0.06457 mM
    assert_allclose(bc.K_MGADP, 0.5623, rtol=1e-4)
    assert_allclose(bc.K_MGATP, 0.06457, rtol=1e-4)
    assert bc.speciation_fractions() == (0.165, 0.135, 0.05)


@given(free_mg)
def test_free_adp_is_conserved(m):
    # Magnus & Keizer 1998, generalised: f_MgADP + f_ADP3 = 0.3 at every Mg
    f_mgadp, f_adp3, f_atp4 = bc.speciation_fractions(m)
    assert_allclose(f_mgadp + f_adp3, 0.3)
    # f_ATP4 = K_T/(m + K_T) with K_T = 10^-4.19 M written out here
    assert_allclose(f_atp4, 0.0645654 / (m + 0.0645654), rtol=1e-5)


def test_no_single_mg_reproduces_the_fixed_fractions():
    # Magnus & Keizer 1998, generalised: where the ADP fractions match 0.165/0.135, ATP4- exceeds 0.05
    m = 0.55 * bc.K_MGADP / 0.45
    f_mgadp, f_adp3, f_atp4 = bc.speciation_fractions(m)
    assert_allclose((f_mgadp, f_adp3), (0.165, 0.135))
    # m = 0.6873 mM, so f_ATP4 = 0.06457/(0.6873 + 0.06457) = 0.0859, above 0.05
    assert_allclose(f_atp4, 0.08587, rtol=1e-3)


@settings(max_examples=60)
@given(free_mg, free_mg, nucleotide, nucleotide)
def test_more_free_mg_opens_katp(m1, m2, atp, adp):
    # Magnus & Keizer 1998, generalised [DERIVED]: at fixed totals, raising free Mg2+ always raises o∞
    low, high = sorted((m1, m2))
    if high - low < 1e-6:
        return
    assert bc.katp_open_fraction(atp=atp, adp=adp, free_mg=high) > bc.katp_open_fraction(
        atp=atp, adp=adp, free_mg=low
    )


def test_glucokinase_hill():
    # Matschinsky 1996: S0.5 = 8 mM, nH = 1.7
    assert_allclose(bc.glucokinase_rate(8.0), 0.5)
    g = np.array([4.0, 16.0])
    assert_allclose(bc.glucokinase_rate(g), g**1.7 / (8**1.7 + g**1.7))
    # Hill coefficient = slope of log(v/(1-v)) against log(G)
    v = bc.glucokinase_rate(g)
    slope = np.diff(np.log(v / (1 - v))) / np.diff(np.log(g))
    assert_allclose(slope, 1.7)


def test_mgatp_factor_is_weak_at_physiological_mg():
    # Matschinsky 1996: K_T << physiological Mg_i, so the MgATP effect on glucokinase is weak
    ratio = bc.glucokinase_drive(11.1, free_mg=0.25) / bc.glucokinase_drive(11.1, free_mg=0.5)
    assert 0.85 < ratio < 1.0  # halving free Mg2+ costs about a tenth of the drive
    assert bc.glucokinase_drive(11.1, free_mg=0.02) < 0.5 * bc.glucokinase_drive(11.1)


def test_adenylate_kinase_convention():
    # Bertram et al. 2004: ATP·AMP = ADP², ATP + ADP + AMP = 3000 µM
    adp = np.array([100.0, 500.0, 789.0, 1000.0])
    atp = bc.atp_from_adp(adp)
    amp = adp**2 / atp
    assert_allclose(atp + adp + amp, 3000.0)
    assert_allclose(atp * amp, adp**2)
    # Bertram et al. 2004: simple convention ATP = A_tot − ADP (Bertram 2007, A_tot = 2500 µM)
    assert bc.atp_from_adp(500.0, total=2500.0, convention="simple") == 2000.0
    with pytest.raises(ValueError, match=r"adp = 1001 µM is out of range; valid range is \[0, 1000\]"):
        bc.atp_from_adp(1001.0)


def test_frozen_glycolysis_gamma():
    # Bertram et al. 2004 reduced model: R_GPDH = 0.2·sqrt(16), gamma = 2.2·R/(10 + R) = 0.163
    assert_allclose(bc.BertramParameters().gamma(16.0), 0.163, atol=5e-4)


def _weights(g6p, fbp, atp, amp, p):
    # Bertram et al. 2004: the 16 PFK statistical weights written out one by one
    f6p = 0.3 * g6p
    K1, K2, K3, K4 = p.k1, p.k2, p.k3, p.k4
    return {
        "0000": 1.0, "0001": atp**2 / K4, "0010": f6p**2 / K3,
        "0011": f6p**2 * atp**2 / (K3 * K4 * p.f43), "0100": fbp / K2,
        "0101": fbp * atp**2 / (K2 * K4 * p.f42), "0110": fbp * f6p**2 / (K2 * K3 * p.f23),
        "0111": fbp * f6p**2 * atp**2 / (K2 * K3 * K4 * p.f23 * p.f42 * p.f43),
        "1000": amp / K1, "1001": amp * atp**2 / (K1 * K4 * p.f41),
        "1010": amp * f6p**2 / (K1 * K3 * p.f13),
        "1011": amp * f6p**2 * atp**2 / (K1 * K3 * K4 * p.f13 * p.f41 * p.f43),
        "1100": amp * fbp / (K1 * K2), "1101": amp * fbp * atp**2 / (K1 * K2 * K4 * p.f42 * p.f41),
        "1110": amp * fbp * f6p**2 / (K1 * K2 * K3 * p.f23 * p.f13),
        "1111": amp * fbp * f6p**2 * atp**2 / (K1 * K2 * K3 * K4 * p.f23 * p.f13 * p.f42 * p.f41 * p.f43),
    }


@pytest.mark.parametrize(("g6p", "fbp", "atp", "amp"), [(187, 16, 1880, 120), (300, 2, 2500, 20)])
def test_pfk_rate_matches_the_written_out_weights(g6p, fbp, atp, amp):
    p = bc.BertramParameters()
    w = _weights(g6p, fbp, atp, amp, p)
    top_a = sum(w[k] for k in ("0010", "0011", "0110", "0111", "1010", "1011", "1111"))
    expected = p.v_max * (p.lam * top_a + w["1110"]) / sum(w.values())
    assert_allclose(p.pfk_rate(g6p, fbp, atp, amp), expected, rtol=1e-12)
    wrong = p.v_max * p.lam * (top_a + w["1110"]) / sum(w.values())  # the easy mistake
    assert not np.isclose(p.pfk_rate(g6p, fbp, atp, amp), wrong, rtol=1e-6)


@pytest.fixture(scope="module")
def reduced_trace():
    return bc.simulate(180.0)


def test_published_initial_state(reduced_trace):
    # Bertram et al. 2004 initial values: V −60 mV, Ca 0.08 µM, ADP 789 µM, Ca_er 170 µM
    first = (reduced_trace.v[0], reduced_trace.ca[0], reduced_trace.adp[0], reduced_trace.ca_er[0])
    assert first == pytest.approx((-60.0, 0.08, 789.0, 170.0))
    assert reduced_trace.g6p is None


def test_fast_bursting_with_a_period_of_tens_of_seconds(reduced_trace):
    # Bertram et al. 2004, fast-bursting parameter set: bursts with a period of tens of seconds
    m = bc.burst_metrics(reduced_trace.time, reduced_trace.v, reduced_trace.ca)
    assert m.pattern == "bursting"
    assert 10.0 <= m.period <= 60.0
    assert 0.1 < m.active_fraction < 0.9 and m.spikes_per_burst > 5
    assert 0.05 < m.mean_calcium < 0.3


def test_full_model_also_bursts_and_glucose_recruits_activity():
    silent = bc.simulate(150.0, model="full", glucose=5.0)
    busy = bc.simulate(150.0, model="full", glucose=18.0)
    low = bc.burst_metrics(silent.time, silent.v, silent.ca)
    high = bc.burst_metrics(busy.time, busy.v, busy.ca)
    assert high.pattern == "bursting" and 10.0 <= high.period <= 60.0
    assert high.active_fraction > low.active_fraction
    assert high.mean_calcium > low.mean_calcium


def test_lower_l_type_conductance_lowers_calcium(reduced_trace):
    blocked = bc.simulate(180.0, g_ca_scale=0.7)
    base = bc.burst_metrics(reduced_trace.time, reduced_trace.v, reduced_trace.ca)
    less = bc.burst_metrics(blocked.time, blocked.v, blocked.ca)
    assert less.mean_calcium < base.mean_calcium


def test_trace_continues_from_its_final_state(reduced_trace):
    first = bc.simulate(20.0)
    again = bc.simulate(5.0, initial=first.final_state)
    assert again.v[0] == first.v[-1] and len(first.final_state) == 5


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"glucose": 11.0}, "frozen in the reduced model"),
        ({"free_mg": 20.0}, r"free_mg = 20 mM is out of range"),
        ({"g_ca_scale": -1.0}, r"g_ca_scale = -1"),
        ({"model": "minimal"}, "model = 'minimal'"),
        ({"initial": (1.0, 2.0)}, "initial must have 5 values"),
        ({"duration": 0.0}, r"duration = 0 s is out of range"),
    ],
)
def test_simulate_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        bc.simulate(**{"duration": 1.0, **kwargs})


def test_calcium_magnesium_ratio_rule():
    # Atwater et al. (summarised by Hosseini Dastgerdi 2022): secretion follows Ca2+/Mg2+;
    # at a constant ratio nothing changes, lowering Mg2+ alone raises Ca2+ entry.
    assert_allclose(bc.calcium_channel_scale(calcium=1.25, magnesium=0.425), 1.0)
    assert bc.calcium_channel_scale(calcium=2.5, magnesium=0.5) > 1.0
    assert bc.calcium_channel_scale(calcium=2.5, magnesium=1.5) < 1.0


def test_exocytosis_is_steep_and_saturating():
    ca = np.array([0.05, 0.1, 0.2, 0.4, 5.0])
    rate = bc.exocytosis_rate(ca)
    assert_allclose(rate[2], 0.5)
    assert np.all(np.diff(rate) > 0)
    assert rate[-1] > 0.99  # saturates: 5 µM is 25 times the half-maximal Ca2+
    # Ca^4/(0.2^4 + Ca^4) by hand at 0.4 µM: 16/17
    assert_allclose(rate[3], 16.0 / 17.0)
    assert rate[1] / rate[0] > 10  # 4th-power cooperativity at low Ca2+


# -- burst analysis on synthetic traces with known answers ----------------------------------


def _synthetic(period=20.0, active=8.0, spike_hz=2.0, duration=200.0, dt=0.01):
    t = np.arange(0.0, duration, dt)
    spiking = (t % period) < active
    v = np.where(spiking & (np.sin(2 * np.pi * spike_hz * t) > 0), 0.0, -60.0)
    return t, v


def test_burst_metrics_on_a_known_burst_train():
    t, v = _synthetic()
    m = bc.burst_metrics(t, v, ca=np.full_like(t, 0.1))
    assert m.pattern == "bursting"
    assert_allclose(m.period, 20.0, atol=0.05)
    assert_allclose(m.spikes_per_burst, 16)  # 8 s at 2 Hz
    assert_allclose(m.active_fraction, 7.5 / 20.0, atol=0.02)  # first to last spike: 7.5 s
    assert_allclose(m.mean_calcium, 0.1)


def test_spikes_are_upward_crossings_not_samples():
    t, v = _synthetic(spike_hz=1.0)  # 0.5 s plateaus (50 samples) above threshold: one spike each
    m = bc.burst_metrics(t, v)
    assert_allclose(m.spikes_per_burst, 8)


def test_silent_and_continuous_patterns():
    t = np.arange(0.0, 150.0, 0.01)
    assert bc.burst_metrics(t, np.full_like(t, -65.0)).pattern == "silent"
    spiking = np.where(np.sin(2 * np.pi * 3 * t) > 0, 0.0, -60.0)
    m = bc.burst_metrics(t, spiking)
    assert m.pattern == "continuous" and m.active_fraction == 1.0


def test_transient_is_discarded():
    t, v = _synthetic(duration=200.0)
    v = v.copy()
    v[t < 60] = np.where(np.sin(2 * np.pi * 5 * t[t < 60]) > 0, 0.0, -60.0)  # busy start
    assert_allclose(bc.burst_metrics(t, v).spikes_per_burst, 16)


def test_burst_metrics_input_checks():
    with pytest.raises(ValueError, match="equal length"):
        bc.burst_metrics([0, 1, 2], [0, 1])
    with pytest.raises(ValueError, match="strictly increasing"):
        bc.burst_metrics([0, 2, 1], [0, 1, 2])


# -- convergence: a tenfold tighter tolerance changes the burst metrics by < 0.5 % ----------


@pytest.mark.parametrize("model", ["reduced", "full"])
def test_default_tolerance_is_converged(model):
    default = bc.simulate(180.0, model=model)
    tight = bc.simulate(180.0, model=model, rtol=bc.RTOL / 10, atol=bc.ATOL / 10)
    a = bc.burst_metrics(default.time, default.v, default.ca)
    b = bc.burst_metrics(tight.time, tight.v, tight.ca)
    assert a.pattern == b.pattern == "bursting"
    assert_allclose([a.period, a.active_fraction, a.spikes_per_burst, a.mean_calcium],
                    [b.period, b.active_fraction, b.spikes_per_burst, b.mean_calcium], rtol=5e-3)
    # the converged period of the fast-bursting set (Bertram et al. 2004,
    # doi:10.1529/biophysj.104.049262) at the published initial state
    assert_allclose(a.period, 31.6, atol=0.1)


def test_loose_tolerance_is_not_converged():
    # at the earlier rtol 1e-8 the solver drops spikes and shortens the period
    loose = bc.simulate(180.0, rtol=1e-8, atol=1e-8)
    m = bc.burst_metrics(loose.time, loose.v, loose.ca)
    assert abs(m.period - 31.6) > 1.0


def test_simulate_rejects_bad_tolerances():
    with pytest.raises(ValueError, match=r"rtol = 0\.1 dimensionless is out of range"):
        bc.simulate(1.0, rtol=0.1)
    with pytest.raises(ValueError, match=r"atol must be a finite number"):
        bc.simulate(1.0, atol=float("nan"))
