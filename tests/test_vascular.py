"""Tests for mgcourse.vascular against Muniyappa et al. 2020 and the teaching couplings.

Muniyappa R, Chen H, Montagnani M, Sherman A, Quon MJ. Am J Physiol Endocrinol Metab
2020;319(3):E629-E646 ("Muniyappa 2020" below). The paper's constants are checked to
rtol 1e-6; its behaviour (NO through PI3K/Akt/eNOS, slower ET-1 through MAPK,
selective resistance when PTEN is raised) is checked qualitatively, as the reference
lists no simulated values.
"""

from __future__ import annotations

import warnings
from dataclasses import fields, replace

import numpy as np
import pytest
from numpy.testing import assert_allclose

from mgcourse import MgcourseWarning
from mgcourse import signalling as sg
from mgcourse import vascular as vs

DEFAULT = vs.MuniyappaParameters()
TAU = DEFAULT.tau  # 1.5 min, Muniyappa 2020


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def runs() -> dict[str, vs.VascularResult]:
    """Published protocol (100 nM for 15 min, 60 min, RK4 dt = 0.001 min), five scenarios."""
    return vs.simulate_vascular_scenarios({
        "normal": DEFAULT,
        "resistant": vs.insulin_resistant(),
        "no_feedback": replace(DEFAULT, negfeed=0),
        "low_mg": replace(DEFAULT, magnesium=0.25),
        "tnf": replace(DEFAULT, tnf=3.0),
    })


@pytest.fixture(scope="module")
def no_insulin() -> vs.VascularResult:
    return vs.simulate_vascular(0.0)


@pytest.fixture(scope="module")
def fine_step() -> dict[str, vs.VascularResult]:
    """The same protocol with dt = 0.0005 min (a convergence check)."""
    return vs.simulate_vascular_scenarios(
        {"normal": DEFAULT, "resistant": vs.insulin_resistant()}, dt=0.0005)


@pytest.fixture(scope="module")
def teaching_resistant() -> vs.VascularResult:
    with pytest.warns(MgcourseWarning, match="clip"):
        return vs.simulate_vascular(parameters=vs.insulin_resistant(), mode="teaching")


def peak(values: np.ndarray) -> float:
    return float(np.max(values))


def at(result: vs.VascularResult, time: float) -> int:
    return int(np.argmin(np.abs(result.time - time)))


# --------------------------------------------------------------------------- parameters


def test_derived_constants() -> None:
    # Muniyappa et al. 2020 (Definition and Value columns)
    assert_allclose(DEFAULT.k8, 7.06464e11, rtol=1e-6)
    assert_allclose(DEFAULT.pi3k, 2.54733e-15, rtol=1e-6)
    assert_allclose(replace(DEFAULT, negfeed=0).pi3k, 5e-15, rtol=1e-6)
    assert_allclose(DEFAULT.km9, 42.256, rtol=1e-6)
    assert_allclose(DEFAULT.k9basal, 0.13205, rtol=1e-6)
    assert_allclose(DEFAULT.k10, 2.959402, rtol=1e-6)
    assert_allclose(DEFAULT.km7p, 0.0855761, rtol=1e-6)
    assert_allclose(DEFAULT.k7p, np.log(2.0) / 2.0, rtol=1e-5)  # "0.346574 (= ln2/2)"
    assert_allclose(DEFAULT.k30, 0.0462, rtol=1e-6)  # 0.693/15
    assert_allclose(DEFAULT.km16, 4.158, rtol=1e-6)  # 3·k16
    assert replace(DEFAULT, negfeed=0).km7p == 0.0  # "0 if the feedback is off"


def test_receptor_block_is_that_of_sedaghat() -> None:
    # Muniyappa et al. 2020: receptor block as in Sedaghat et al. 2002
    sedaghat = sg.SedaghatParameters()
    shared = ("k1", "km1", "k3", "km4", "k4p", "km4p", "km5", "k6", "k7", "irp", "km8",
              "k9stim", "km10", "km11", "km12", "ptp", "pten", "ship")
    for name in shared:
        assert getattr(DEFAULT, name) == getattr(sedaghat, name), name
    for name in ("k2", "km2", "km3", "k4", "km7"):
        assert_allclose(getattr(DEFAULT, name), getattr(sedaghat, name), rtol=1e-12)
    # same k8 by both definitions: 5e-15/(7.45e-13·9.5e-14)·km8 = km8·5e12/70.775
    assert_allclose(DEFAULT.k8, sedaghat.k8, rtol=1e-12)
    assert DEFAULT.k5(1e-13) == 60.0 * DEFAULT.km5  # strict ">" at the threshold
    assert DEFAULT.k5(2e-13) == 10.0 * DEFAULT.km5


def test_every_field_has_a_documented_default() -> None:
    names = [f.name for f in fields(vs.MuniyappaParameters)]
    assert len(names) == len(set(names))
    assert DEFAULT.teaching_assumptions == ()
    assert DEFAULT.receptor_kinase_factor == 1.0


def test_initial_state_is_the_published_one_and_lipids_start_at_rest() -> None:
    y0 = dict(zip(vs.VASCULAR_STATE_LABELS, vs.VASCULAR_INITIAL_STATE, strict=True))
    assert len(vs.VASCULAR_STATE_NAMES) == len(vs.VASCULAR_INITIAL_STATE) == 35
    # Muniyappa et al. 2020 state table
    assert (y0["x2"], y0["x6"], y0["x9"], y0["x11"]) == (9e-13, 1e-13, 1e-12, 1e-13)
    assert (y0["x13"], y0["x14"], y0["x15"]) == (5e-8, 1.6e-5, 4.68e-8)
    assert (y0["x16"], y0["x18"], y0["x20"], y0["x26"]) == (1e-8, 100.0, 1.5e-8, 8.4e-9)
    assert y0["x10a"] == y0["x35"] == 0.0
    # [DERIVED] km9 and k10 were defined so that the basal lipids are at rest
    assert_allclose(DEFAULT.km9 * y0["x13"], DEFAULT.k9basal * y0["x14"], rtol=1e-12)
    assert_allclose(DEFAULT.km10 * y0["x13"], DEFAULT.k10 * y0["x15"], rtol=1e-12)


# --------------------------------------------------------------------------- behaviour


def test_without_insulin_no_and_et1_stay_near_zero(no_insulin: vs.VascularResult) -> None:
    # Muniyappa 2020: both outputs are insulin-stimulated; only the Ras/Raf block relaxes
    assert peak(np.abs(no_insulin.no)) < 1e-12  # M
    assert peak(np.abs(no_insulin.et1)) < 1e-12  # M; 1.7e-9 M after insulin
    assert peak(np.abs(no_insulin.vascular_effect)) < 0.01  # %
    assert not no_insulin.pip3_below_basal
    assert np.all(no_insulin.insulin == 0.0)


def test_insulin_raises_no_fast_and_et1_slowly(runs: dict[str, vs.VascularResult]) -> None:
    normal = runs["normal"]
    # PI3K/Akt/eNOS branch: NO rises within minutes
    assert peak(normal.no) > 1e-7
    assert peak(normal.akt) > 0.0 and peak(normal.enos_active) > 0.0
    # MAPK branch: ET-1 (15-min half-life) peaks later than NO
    assert normal.time[np.argmax(normal.et1)] > normal.time[np.argmax(normal.no)] + 5.0
    i5 = at(normal, 5.0)
    assert normal.no[i5] / peak(normal.no) > 0.9
    assert normal.et1[i5] / peak(normal.et1) < 0.3
    # net vasodilator while insulin is on
    i15 = at(normal, 15.0)
    assert normal.vascular_effect[i15] > 20.0
    assert peak(normal.vascular_effect) > 40.0
    assert normal.tone[i15] < 100.0
    assert not normal.pip3_below_basal


def test_insulin_input_is_a_step(runs: dict[str, vs.VascularResult]) -> None:
    normal = runs["normal"]
    assert np.all(normal.insulin[normal.time < 15.0] == 1e-7)
    assert np.all(normal.insulin[normal.time >= 15.0] == 0.0)
    assert normal.step_duration == 15.0


def test_selective_insulin_resistance(runs: dict[str, vs.VascularResult]) -> None:
    # Muniyappa 2020: raising PTEN impairs PI3K → NO while MAPK → ET-1 is not impaired,
    # so the net effect falls and tone rises
    normal, resistant = runs["normal"], runs["resistant"]
    assert peak(resistant.no) < 0.8 * peak(normal.no)
    assert peak(resistant.akt) < 0.5 * peak(normal.akt)
    # MAPK branch intact; it is even a little stronger, as less Akt inhibits Raf less
    assert 0.95 < peak(resistant.mapk_activity) / peak(normal.mapk_activity) < 1.5
    assert 0.95 < peak(resistant.et1) / peak(normal.et1) < 1.5
    i15 = at(normal, 15.0)
    assert resistant.vascular_effect[i15] < normal.vascular_effect[i15] - 10.0
    assert resistant.tone[i15] > normal.tone[i15] + 10.0


def test_delayed_feedback_history_is_zero_before_tau(runs: dict[str, vs.VascularResult]) -> None:
    normal = runs["normal"]
    before = normal.time < TAU - 1e-9
    assert np.all(normal.pkc_feedback[before] == 0.0)
    # PKC-ζ is already active before τ, but its delayed feedback has not yet acted
    assert normal.pkc[at(normal, 1.0)] > 1.0  # %
    assert np.all(normal.irs1_serine_phosphorylated[normal.time <= TAU + 1e-9] == 0.0)
    assert normal.irs1_serine_phosphorylated[at(normal, 2.0)] > 0.0
    # after τ: PKC = Vmax·x19(t − τ)^n/(x19(t − τ)^n + kd^n), read from the samples
    lag = round(TAU / 0.1)
    x19 = normal.pkc[:-lag]
    expected = DEFAULT.vmax * x19**DEFAULT.n / (x19**DEFAULT.n + DEFAULT.kd**DEFAULT.n)
    assert_allclose(normal.pkc_feedback[lag:], expected, rtol=1e-12, atol=1e-300)


def test_delay_interpolates_the_stored_history_linearly() -> None:
    # Muniyappa et al. 2020: store x19 at every step, interpolate linearly at half steps,
    # history x19(t < 0) = 0
    history = np.array([[2.0], [4.0], [8.0]])
    positions = np.array([[-1.0], [-0.5], [0.0], [0.5], [1.5], [2.0]])
    assert_allclose(vs._delayed(history, positions)[:, 0], [0.0, 1.0, 2.0, 3.0, 6.0, 8.0])


def test_pkc_feedback_matters(runs: dict[str, vs.VascularResult]) -> None:
    normal, open_loop = runs["normal"], runs["no_feedback"]
    assert np.all(open_loop.irs1_serine_phosphorylated == 0.0)  # x10a is 0 without feedback
    assert np.all(open_loop.pkc_feedback >= 0.0)
    assert peak(normal.irs1_serine_phosphorylated) > 1e-13  # M, of 1e-12 M IRS-1
    assert not np.allclose(normal.no, open_loop.no, rtol=1e-2)
    # without feedback, PIP3 and Akt approach their design maxima (5e-7 M; Akt ≤ 1e-8/11 M)
    assert_allclose(peak(open_loop.pip3), 5e-7, rtol=0.02)
    assert peak(open_loop.akt) <= 1e-8 / 11.0 * (1.0 + 1e-6)


def test_step_size_convergence(
    runs: dict[str, vs.VascularResult], fine_step: dict[str, vs.VascularResult]
) -> None:
    # Muniyappa et al. 2020: dt = 0.001 vs 0.0005 min; NO and ET-1 at 60 min within 0.5 %
    for name in ("normal", "resistant"):
        coarse, fine = runs[name], fine_step[name]
        assert_allclose(coarse.time, fine.time)
        assert_allclose(coarse.no[-1], fine.no[-1], rtol=5e-3)
        assert_allclose(coarse.et1[-1], fine.et1[-1], rtol=5e-3)
        scale = peak(np.abs(fine.no))
        assert peak(np.abs(coarse.no - fine.no)) < 1e-3 * scale


def test_batch_equals_single_run(runs: dict[str, vs.VascularResult]) -> None:
    single = vs.simulate_vascular(duration=20.0)
    n = single.time.size
    assert_allclose(single.time, runs["normal"].time[:n])
    assert_allclose(single.as_array(), runs["normal"].as_array()[:, :n], rtol=1e-9,
                    atol=1e-25)


def test_teaching_mode_clips_and_warns(
    runs: dict[str, vs.VascularResult], teaching_resistant: vs.VascularResult
) -> None:
    # PTEN = 2.5 drives basal PIP3 below 5e-8 M (k11 and k12 negative, Muniyappa et al. 2020)
    published = runs["resistant"]
    assert published.pip3_below_basal
    assert peak(-published.akt) > 0.0  # Akt < 0 in the published equations
    assert peak(-published.no) > 0.0
    assert published.akt[at(published, 0.1)] < 0.0  # right after the start ...
    assert published.akt[-1] < 0.0  # ... and after insulin is removed
    assert teaching_resistant.pip3_below_basal
    assert np.all(teaching_resistant.akt >= 0.0)
    assert np.all(teaching_resistant.pkc >= 0.0)
    assert np.all(teaching_resistant.no >= 0.0)
    assert any("teaching mode" in a for a in teaching_resistant.teaching_assumptions)
    assert published.teaching_assumptions == ()
    # where PIP3 is above basal, the clip changes nothing
    i15 = at(published, 15.0)
    assert_allclose(teaching_resistant.no[i15], published.no[i15], rtol=1e-3)


def test_teaching_mode_without_clip_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", MgcourseWarning)
        result = vs.simulate_vascular(duration=2.0, mode="teaching")
    assert not result.pip3_below_basal


def test_magnesium_scales_both_receptor_kinase_branches(
    runs: dict[str, vs.VascularResult],
) -> None:
    # the teaching kinase factor [TEACHING ASSUMPTION]: phi_Mg multiplies k7 and k16 (and k3)
    low = replace(DEFAULT, magnesium=0.25)
    phi = sg.receptor_kinase_factor(0.25)
    assert_allclose(low.receptor_kinase_factor, 2.0 / 3.0, rtol=1e-12)
    base, scaled = vs._rate_constants(DEFAULT), vs._rate_constants(low)
    for name in ("k7_irp", "k16_irp", "k3"):
        assert_allclose(scaled[name], phi * base[name], rtol=1e-12)
    for name in ("km7_ptp", "km16", "k1", "k8", "k18"):
        assert scaled[name] == base[name]
    assert vs._rate_constants(replace(DEFAULT, magnesium=0.5)) == base  # phi = 1
    normal, low_mg = runs["normal"], runs["low_mg"]
    assert peak(low_mg.no) < peak(normal.no)
    assert peak(low_mg.mapk_activity) < 0.7 * peak(normal.mapk_activity)
    assert peak(low_mg.et1) < peak(normal.et1)
    assert low_mg.receptor_kinase_factor == pytest.approx(2.0 / 3.0)
    assert "k7, k16 and k3" in low_mg.teaching_assumptions[0]


def test_tnf_coupling_lowers_no(runs: dict[str, vs.VascularResult]) -> None:
    # the teaching TNF-α coupling (C) [TEACHING ASSUMPTION]: k7_eff = k7/(1 + c_S·(T − 1)), c_S = 0.5
    inflamed = replace(DEFAULT, tnf=3.0)
    assert_allclose(vs._rate_constants(inflamed)["k7_irp"],
                    vs._rate_constants(DEFAULT)["k7_irp"] / 2.0, rtol=1e-12)
    assert peak(runs["tnf"].no) < 0.9 * peak(runs["normal"].no)
    assert any("TNF" in a for a in runs["tnf"].teaching_assumptions)


def test_tnf_serine_term_acts_before_the_delay() -> None:
    # k7p·PKC → k7p·(PKC + c_V·(T − 1)), c_V = 1: x10a forms before τ
    short = vs.simulate_vascular_scenarios(
        {"k7 only": replace(DEFAULT, tnf=3.0),
         "serine": replace(DEFAULT, tnf=3.0, tnf_serine=True)},
        duration=1.0, sample_interval=0.5)
    assert np.all(short["k7 only"].irs1_serine_phosphorylated == 0.0)
    assert short["serine"].irs1_serine_phosphorylated[-1] > 0.0
    assert_allclose(short["serine"].pkc_feedback, 2.0)  # PKC = 0 before τ, plus 1·(3 − 1)


def test_result_outputs_and_accessors(runs: dict[str, vs.VascularResult]) -> None:
    r = runs["normal"]
    assert r.state("x10a") is r.irs1_serine_phosphorylated
    assert r.state("x22") is r.no and r.state("x35") is r.et1
    assert r.state("x17") is r.akt and r.state("x21") is r.enos_active
    assert r.state("x1") is r.insulin
    assert r.as_array().shape == (35, r.time.size)
    assert_allclose(r.mapk_activity, r.mapk_p + r.mapk_pp)
    # Muniyappa 2020: effect = 100·(0.6·x22 − 66.667·0.4·x35)/3.95e-7, tone = 100 − effect
    assert_allclose(r.vascular_effect, 100.0 * (0.6 * r.no - 66.667 * 0.4 * r.et1) / 3.95e-7)
    assert_allclose(r.tone, 100.0 - r.vascular_effect)
    assert r.time[-1] == 60.0 and r.time.size == 601
    with pytest.raises(ValueError, match="x36"):
        r.state("x36")


def test_reference_tone_uses_the_same_protocol(runs: dict[str, vs.VascularResult]) -> None:
    normal = runs["normal"]
    tone_15 = vs.reference_tone()  # read at 15 min, the end of the insulin step
    assert_allclose(tone_15, normal.tone[at(normal, 15.0)], rtol=1e-9)
    before = vs._reference_tone.cache_info().hits
    assert vs.reference_tone(15.0) == tone_15
    assert vs._reference_tone.cache_info().hits == before + 1


def test_resistance_raises_blood_pressure(runs: dict[str, vs.VascularResult]) -> None:
    i15 = at(runs["normal"], 15.0)
    tone_ref = float(runs["normal"].tone[i15])
    bp = vs.blood_pressure(float(runs["resistant"].tone[i15]), tone_ref=tone_ref)
    assert 0.0 < bp.mean_arterial_pressure - 93.0 < 10.0  # a few mmHg
    assert bp.radius_ratio < 1.0


# --------------------------------------------------------------------------- blood pressure


def test_mean_arterial_pressure_at_reference() -> None:
    # textbook haemodynamics: MAP = CO·TPR = 5.0 × 18.6 = 93 mmHg
    assert_allclose(vs.mean_arterial_pressure(), 93.0, rtol=1e-12)
    assert_allclose(vs.mean_arterial_pressure(cardiac_output=5.0, tpr=18.6), 93.0, rtol=1e-12)
    assert_allclose(vs.BloodPressureParameters().tpr_ref, 18.6, rtol=1e-12)
    assert_allclose(vs.mean_arterial_pressure(cardiac_output=np.array([4.0, 6.0])),
                    [74.4, 111.6], rtol=1e-12)


@pytest.mark.parametrize(("ratio", "expected"), [(1.10, 9.3), (1.0, 0.0), (0.9, -9.3)])
def test_pressure_change_from_resistance(ratio: float, expected: float) -> None:
    # ΔMAP = MAP_ref·(TPR/TPR_ref − 1) at fixed CO: +10 % resistance → +9.3 mmHg
    assert_allclose(vs.pressure_change_from_resistance(ratio), expected, atol=1e-12)


def test_pressure_change_accepts_arrays() -> None:
    assert_allclose(vs.pressure_change_from_resistance(np.array([1.1, 1.2]), map_ref=100.0),
                    [10.0, 20.0])


def test_blood_pressure_at_reference() -> None:
    bp = vs.blood_pressure(64.0, tone_ref=64.0)
    assert_allclose(bp.radius_ratio, 1.0)
    assert_allclose(bp.magnesium_factor, 1.0)
    assert_allclose(bp.total_peripheral_resistance, 18.6, rtol=1e-12)
    assert_allclose(bp.mean_arterial_pressure, 93.0, rtol=1e-12)
    assert_allclose(bp.diastolic_pressure, 93.0 - 40.0 / 3.0, rtol=1e-12)  # MAP − PP/3
    assert_allclose(bp.systolic_pressure, 93.0 + 2.0 * 40.0 / 3.0, rtol=1e-12)  # DBP + PP
    assert not bp.radius_clipped
    assert bp.teaching_assumptions


def test_poiseuille_radius_five_percent_narrower() -> None:
    # tone 100 % above reference, kappa_r = 0.05 → r/r_ref = 0.95 → TPR × 1/0.95^4
    bp = vs.blood_pressure(150.0, tone_ref=50.0)
    assert_allclose(bp.radius_ratio, 0.95, rtol=1e-12)
    assert_allclose(bp.total_peripheral_resistance / 18.6, 0.95**-4, rtol=1e-12)
    assert_allclose(bp.total_peripheral_resistance / 18.6 - 1.0, 0.2277, atol=1e-4)
    assert_allclose(bp.mean_arterial_pressure, 93.0 / 0.95**4, rtol=1e-12)


@pytest.mark.parametrize("tone", [120.0, np.array([60.0, 80.0, 120.0])])
def test_blood_pressure_scalar_and_array(tone: float | np.ndarray) -> None:
    bp = vs.blood_pressure(tone, tone_ref=80.0)
    expected_radius = 1.0 - 0.05 * (np.asarray(tone) - 80.0) / 100.0
    assert_allclose(bp.radius_ratio, expected_radius, rtol=1e-12)
    assert np.shape(bp.mean_arterial_pressure) == np.shape(tone)
    assert_allclose(bp.mean_arterial_pressure, 93.0 * expected_radius**-4, rtol=1e-12)


def test_magnesium_factor_on_resistance() -> None:
    # m_Mg = max(0.5, 1 + b_V·(Mg_ref − Mg)/Mg_ref), b_V = 0.1, Mg_ref = 0.85 mmol/L
    assert vs.resistance_magnesium_factor(0.85) == 1.0
    assert_allclose(vs.resistance_magnesium_factor(0.0), 1.1, rtol=1e-12)
    assert_allclose(vs.resistance_magnesium_factor(np.array([0.425, 1.7])), [1.05, 0.9])
    bp = vs.blood_pressure(64.0, tone_ref=64.0, serum_mg=0.0)
    assert_allclose(bp.mean_arterial_pressure, 93.0 * 1.1, rtol=1e-12)
    # the floor 0.5 is reached only above 5.1 mmol/L with b_V = 0.1
    assert_allclose(vs.resistance_magnesium_factor(5.0), 1.0 - 0.1 * 4.15 / 0.85, rtol=1e-12)
    strong = vs.BloodPressureParameters(b_v=1.0)
    with pytest.warns(MgcourseWarning, match="floor"):
        assert vs.resistance_magnesium_factor(2.0, parameters=strong) == 0.5


def test_radius_clip_warns() -> None:
    with pytest.warns(MgcourseWarning, match="clipped"):
        bp = vs.blood_pressure(1000.0, tone_ref=0.0)  # r/r_ref = 0.5 → 0.7
    assert bp.radius_clipped
    assert_allclose(bp.radius_ratio, 0.7)
    with pytest.warns(MgcourseWarning, match="clipped"):
        wide = vs.blood_pressure(-700.0, tone_ref=0.0)  # r/r_ref = 1.35 → 1.3
    assert_allclose(wide.radius_ratio, 1.3)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: vs.simulate_vascular(-1e-9), ("insulin", "-1e-09", "M", "[0, 0.0001]")),
        (lambda: vs.simulate_vascular(duration=0.0), ("duration", "0", "min", "(0, 1440]")),
        (lambda: vs.simulate_vascular(dt=0.002), ("dt", "0.002", "min", "(0, 0.001]")),
        (lambda: vs.simulate_vascular(step_duration=-1.0),
         ("step_duration", "-1", "min", "[0, 1440]")),
        (lambda: vs.simulate_vascular(duration=1.0, sample_interval=0.00025),
         ("sample_interval", "min", "RK4")),
        (lambda: vs.simulate_vascular(duration=0.0015, sample_interval=0.0015),
         ("duration", "min", "RK4")),
        (lambda: vs.simulate_vascular(mode="exact"), ("mode", "exact", "published")),  # type: ignore[arg-type]
        (lambda: vs.simulate_vascular(parameters=replace(DEFAULT, tau=0.0005), duration=0.01,
                                      sample_interval=0.01), ("tau", "min", "dt")),
        (lambda: vs.simulate_vascular_scenarios({}), ("scenarios",)),
        (lambda: vs.simulate_vascular(sample_interval=0.7), ("sample_interval", "0.7", "min")),
        (lambda: replace(DEFAULT, negfeed=2), ("negfeed", "2", "dimensionless", "0", "1")),
        (lambda: replace(DEFAULT, pten=0.0), ("pten", "0", "dimensionless", "(0, 100]")),
        (lambda: replace(DEFAULT, magnesium=0.01), ("magnesium", "0.01", "mM", "[0.05, 5]")),
        (lambda: replace(DEFAULT, tnf=0.5), ("tnf", "0.5", "dimensionless", "[1, 20]")),
        (lambda: replace(DEFAULT, tau=0.0), ("tau", "0", "min", "(0, 60]")),
        (lambda: replace(DEFAULT, n=2.5), ("n", "2.5", "dimensionless", "whole")),
        (lambda: vs.insulin_resistant(pten=0.9), ("pten", "0.9", "dimensionless", "(1, 100]")),
        (lambda: vs.reference_tone(0.0), ("read_at", "0", "min", "(0, 1440]")),
        (lambda: vs.mean_arterial_pressure(cardiac_output=-5.0),
         ("cardiac_output", "-5", "L/min", "(0, 40]")),
        (lambda: vs.mean_arterial_pressure(tpr=np.nan), ("tpr", "nan", "mmHg·min/L")),
        (lambda: vs.pressure_change_from_resistance(0.0),
         ("resistance_ratio", "0", "dimensionless", "(0, 10]")),
        (lambda: vs.blood_pressure(50.0, tone_ref=50.0, serum_mg=-0.1),
         ("serum_mg", "-0.1", "mmol/L", "[0, 10]")),
        (lambda: vs.blood_pressure("high", tone_ref=50.0), ("tone", "high", "%")),  # type: ignore[arg-type]
        (lambda: vs.BloodPressureParameters(kappa_r=2.0),
         ("kappa_r", "2", "dimensionless", "[0, 1]")),
    ],
)
def test_bad_input_names_argument_value_unit_and_range(call, words) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError) as info:
        call()
    message = str(info.value)
    for word in words:
        assert word in message, (word, message)
