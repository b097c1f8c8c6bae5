"""Tests for mgcourse.evidence: the shipped tables of the two reviews and the evidence
chapter, standard errors, fixed- and random-effects pooling, and the forest plot."""

import dataclasses
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.figure import Figure
from matplotlib.patches import Polygon
from numpy.testing import assert_allclose

from mgcourse import evidence, magnesium


def test_table1_rows_match_the_review():
    studies = evidence.review_2022_table1()
    # Table 1 of the 2022 review lists nine studies, references 2, 3, 10, 23, 27, 28, 30, 31, 57
    assert [s.review_ref for s in studies] == [2, 3, 10, 23, 27, 28, 30, 31, 57]
    by_ref = {s.review_ref: s for s in studies}
    assert by_ref[27].daily_dose_mg == 360.0  # Song et al. 2006 meta-analysis, median dose
    assert by_ref[28].daily_dose_mg == 365.0 and by_ref[28].duration_weeks == 26
    assert by_ref[10].dose_basis == "elemental"
    assert all(s.daily_dose_mg is None for s in studies if s.subjects == "animal")


def test_every_formula_is_usable():
    for s in evidence.review_2022_table1():
        if s.salt_formula:
            assert 0 < magnesium.elemental_fraction(s.salt_formula) < 1


def test_table_is_cached_and_immutable():
    first = evidence.review_2022_table1()
    assert first is evidence.review_2022_table1()
    with pytest.raises(AttributeError):
        first[0].daily_dose_mg = 1.0  # type: ignore[misc]


# ---------------------------------------------------------------------------
# Shipped tables: Foroudastan et al. 2025 Table 2 and the evidence chapter's numbers
# ---------------------------------------------------------------------------


def test_table2_of_the_2025_review():
    table = evidence.review_2025_table2()
    # Foroudastan et al. 2025, Table 2: seven indicators, in the review's order
    assert [(row.change, row.unit) for row in table] == [
        (-35.0, "%"), (-3.5, "mmHg"), (-22.0, "%"), (-13.0, "%"), (-10.0, "%"), (8.0, "%"),
        (-12.0, "%"),
    ]
    assert [row.approximate for row in table] == [False] * 4 + [True] * 3
    assert all((row.change < 0) == (row.direction == "decrease") for row in table)
    # the review cites no primary study for any of them
    assert {row.primary_source for row in table} == {"none given in the review"}
    assert table is evidence.review_2025_table2()
    with pytest.raises(AttributeError):
        table[0].change = 0.0  # type: ignore[misc]


def test_clinical_evidence_matches_the_course_reference():
    records = evidence.clinical_evidence()
    by_key = {(r.study, r.outcome): r for r in records}
    song = by_key["Song et al. 2006", "fasting glucose"]
    assert (song.estimate, song.ci_low, song.ci_high, song.unit) == (-0.56, -1.10, -0.01, "mmol/L")
    assert (song.n_pooled, song.n_participants) == (9, 370)
    homa = by_key["Simental-Mendía et al. 2016", "HOMA-IR"]
    assert (homa.estimate, homa.ci_low, homa.ci_high) == (-0.67, -1.20, -0.14)
    # Dibaba et al. 2017, abstract: standardized mean differences with 95 % CIs
    sbp = by_key["Dibaba et al. 2017", "systolic blood pressure"]
    dbp = by_key["Dibaba et al. 2017", "diastolic blood pressure"]
    assert (sbp.measure, sbp.unit) == ("SMD vs control", "SD")
    assert (sbp.estimate, sbp.ci_low, sbp.ci_high) == (-0.20, -0.37, -0.03)
    assert (dbp.estimate, dbp.ci_low, dbp.ci_high) == (-0.27, -0.52, -0.03)
    # Zhang et al. 2016, abstract: 2.00 (0.43-3.58) and 1.78 (0.73-2.82) mmHg lower
    zsbp = by_key["Zhang et al. 2016", "systolic blood pressure"]
    zdbp = by_key["Zhang et al. 2016", "diastolic blood pressure"]
    assert (zsbp.estimate, zsbp.ci_low, zsbp.ci_high) == (-2.00, -3.58, -0.43)
    assert (zdbp.estimate, zdbp.ci_low, zdbp.ci_high) == (-1.78, -2.82, -0.73)
    assert {r.study for r in records if r.secondary_sourced} == {"Dibaba et al. 2017"}
    for r in records:
        if r.ci_low is not None and r.ci_high is not None:
            assert r.ci_low < r.estimate < r.ci_high, (r.study, r.outcome)
    serum = by_key["Guerrero-Romero et al. 2004", "serum magnesium"]
    assert (serum.before, serum.after) == (0.61, 0.81)
    assert by_key["Guerrero-Romero et al. 2004", "HOMA-IR"].before == 4.6
    for r in records:
        assert r.doi.startswith("10.")
        if r.measure.startswith("within-arm"):
            assert r.before is not None and r.after is not None and r.standard_error is None
            assert r.estimate == pytest.approx(r.after - r.before, abs=1e-12)
        else:
            assert r.measure in {"WMD vs placebo", "SMD vs control"} and r.before is None
    assert records is evidence.clinical_evidence()


@pytest.mark.parametrize(
    ("study", "outcome", "se"),
    [
        # Song et al. 2006: WMD −0.56 (−1.10, −0.01) mmol/L → SE = 1.09/3.919928
        ("Song et al. 2006", "fasting glucose", 0.2781),
        # Simental-Mendía et al. 2016: WMD −0.67 (−1.20, −0.14) → SE = 1.06/3.919928
        ("Simental-Mendía et al. 2016", "HOMA-IR", 0.2704),
    ],
)
def test_se_from_published_ci_reproduces_the_ci(study, outcome, se):
    record = next(r for r in evidence.clinical_evidence()
                  if (r.study, r.outcome) == (study, outcome))
    assert_allclose(record.standard_error, se, atol=5e-5)
    # the CI rebuilt from the SE matches the published one to the rounding of the paper
    assert_allclose(record.estimate - evidence.Z_95 * record.standard_error, record.ci_low,
                    atol=0.006)
    assert_allclose(record.estimate + evidence.Z_95 * record.standard_error, record.ci_high,
                    atol=0.006)


# ---------------------------------------------------------------------------
# Standard errors
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("as_array", [False, True])
def test_ci_to_se_scalar_and_array(as_array):
    lower, upper = (-1.10, -0.01)
    if as_array:
        result = evidence.ci_to_se([lower, 0.0], [upper, 2 * evidence.Z_95])
        assert_allclose(result, [1.09 / (2 * 1.959964), 1.0], rtol=1e-12)
    else:
        assert_allclose(evidence.ci_to_se(lower, upper), 1.09 / (2 * 1.959964), rtol=1e-12)


def test_variance_versus_sd():
    # SD 2 over 16 observations: SE = 0.5, sampling variance 0.25
    se = evidence.se_from_sd(2.0, 16)
    assert se == 0.5
    assert evidence.variance_to_se(0.25) == se
    # the classic slip: treating the SD² (4.0) as the variance of the estimate
    assert evidence.variance_to_se(4.0) == 2.0 != se
    assert_allclose(evidence.se_from_sd([1.0, 3.0], [4, 9]), [0.5, 1.0], rtol=1e-15)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: evidence.ci_to_se(1.0, 0.0), "upper must be above lower"),
        (lambda: evidence.ci_to_se(0.0, 0.0), "upper must be above lower"),
        (lambda: evidence.ci_to_se(np.nan, 1.0), "lower"),
        (lambda: evidence.ci_to_se(0.0, np.inf), "upper"),
        (lambda: evidence.se_from_sd(0.0, 10), "sd"),
        (lambda: evidence.se_from_sd(1.0, 0), "n"),
        (lambda: evidence.se_from_sd(1.0, 2.5), "whole number"),
        (lambda: evidence.variance_to_se(-1.0), "variance"),
        (lambda: evidence.variance_to_se("x"), "variance"),
    ],
)
def test_standard_error_helpers_reject_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ---------------------------------------------------------------------------
# Pooling
# ---------------------------------------------------------------------------

# BCG vaccine trials (Colditz et al. 1994), as distributed with metafor (dat.bcg):
# vaccinated TB+, TB−, control TB+, TB−.
BCG = [
    (4, 119, 11, 128), (6, 300, 29, 274), (3, 228, 11, 209), (62, 13536, 248, 12619),
    (33, 5036, 47, 5761), (180, 1361, 372, 1079), (8, 2537, 10, 619), (505, 87886, 499, 87892),
    (29, 7470, 45, 7232), (17, 1699, 65, 1600), (186, 50448, 141, 27197), (5, 2493, 3, 2338),
    (27, 16886, 29, 17825),
]


def _bcg_log_risk_ratios():
    a, b, c, d = (np.array(col, dtype=float) for col in zip(*BCG, strict=True))
    yi = np.log((a / (a + b)) / (c / (c + d)))
    vi = 1 / a - 1 / (a + b) + 1 / c - 1 / (c + d)
    return yi, np.sqrt(vi)


def test_bcg_example_matches_metafor_and_stata():
    # Viechtbauer W. J Stat Softw 2010;36(3), doi:10.18637/jss.v036.i03; metafor's test suite
    # compares rma(method="FE"/"DL") on dat.bcg (log risk ratios) with Stata's metan:
    # FE −0.4303 (−0.5097, −0.3509), Q = 152.2330; DL −0.7141 (−1.0644, −0.3638),
    # τ² = 0.3088, I² = 92.1173 %. Published to 4 decimals.
    yi, se = _bcg_log_risk_ratios()
    fixed = evidence.pool_fixed(yi, se)
    assert_allclose([fixed.estimate, fixed.ci_low, fixed.ci_high], [-0.4303, -0.5097, -0.3509],
                    atol=5e-5)
    assert_allclose(fixed.q, 152.2330, atol=5e-5)
    random = evidence.pool_random(yi, se)
    assert_allclose([random.estimate, random.ci_low, random.ci_high],
                    [-0.7141, -1.0644, -0.3638], atol=5e-5)
    assert_allclose(random.tau2, 0.3088, atol=5e-5)
    assert_allclose(random.i2, 92.1173, atol=5e-5)
    assert_allclose(random.estimate / random.se, -3.9952, atol=5e-4)  # z value
    assert fixed.df == random.df == 12 and fixed.k == 13


def test_dersimonian_laird_by_hand():
    # four studies, worked with exact fractions from the formulas of DerSimonian & Laird 1986
    y = [Fraction(1, 10), Fraction(3, 10), Fraction(35, 100), Fraction(65, 100)]
    s = [Fraction(1, 10), Fraction(2, 10), Fraction(25, 100), Fraction(1, 10)]
    w = [1 / si**2 for si in s]  # 100, 25, 16, 100
    sum_w = sum(w)  # 241
    assert sum_w == 241
    y_fixed = sum(wi * yi for wi, yi in zip(w, y, strict=True)) / sum_w  # 88.1/241
    q = sum(wi * (yi - y_fixed) ** 2 for wi, yi in zip(w, y, strict=True))
    df = 3
    c = sum_w - sum(wi**2 for wi in w) / sum_w  # 241 − 20881/241 = 37200/241
    assert c == Fraction(37200, 241)
    tau2 = max(Fraction(0), (q - df) / c)
    w_star = [1 / (si**2 + tau2) for si in s]
    y_random = sum(wi * yi for wi, yi in zip(w_star, y, strict=True)) / sum(w_star)
    i2 = (q - df) / q * 100

    fixed = evidence.pool_fixed([float(v) for v in y], [float(v) for v in s])
    random = evidence.pool_random([float(v) for v in y], [float(v) for v in s])
    rtol = 1e-12
    assert_allclose(fixed.estimate, float(y_fixed), rtol=rtol)
    assert_allclose(fixed.se, 1 / math.sqrt(241), rtol=rtol)
    assert_allclose(fixed.q, float(q), rtol=rtol)
    assert_allclose(fixed.i2, float(i2), rtol=rtol)
    assert_allclose(random.tau2, float(tau2), rtol=rtol)
    assert_allclose(random.estimate, float(y_random), rtol=rtol)
    assert_allclose(random.se, 1 / math.sqrt(float(sum(w_star))), rtol=rtol)
    assert_allclose(random.weights, [float(100 * wi / sum(w_star)) for wi in w_star], rtol=rtol)
    assert_allclose(fixed.weights, [float(100 * wi / sum_w) for wi in w], rtol=rtol)
    assert_allclose(random.ci_high - random.ci_low, 2 * 1.959964 * random.se, rtol=rtol)
    assert (fixed.method, random.method, fixed.tau2) == ("fixed", "random", 0.0)


def test_homogeneous_studies_have_no_heterogeneity():
    # identical estimates: Q = 0, so I² = 0 by definition and τ² = 0
    fixed = evidence.pool_fixed([0.5, 0.5, 0.5], [0.1, 0.2, 0.3])
    random = evidence.pool_random([0.5, 0.5, 0.5], [0.1, 0.2, 0.3])
    assert fixed.q == 0.0 and fixed.i2 == 0.0 and random.tau2 == 0.0
    assert random == dataclasses.replace(fixed, method="random")


def test_random_equals_fixed_when_q_below_df():
    # Q = 0.5 < df = 1: τ² is truncated at 0 and the two models coincide exactly
    fixed = evidence.pool_fixed([0.0, 1.0], [1.0, 1.0])
    random = evidence.pool_random([0.0, 1.0], [1.0, 1.0])
    assert fixed.q == 0.5 and fixed.i2 == 0.0 and random.tau2 == 0.0
    assert (random.estimate, random.se, random.weights) == (fixed.estimate, fixed.se,
                                                            fixed.weights)


def test_weights_sum_to_100():
    yi, se = _bcg_log_risk_ratios()
    for pooled in (evidence.pool_fixed(yi, se), evidence.pool_random(yi, se)):
        assert_allclose(sum(pooled.weights), 100.0, rtol=1e-12)
        assert len(pooled.weights) == 13


@pytest.mark.parametrize("pool", [evidence.pool_fixed, evidence.pool_random])
@pytest.mark.parametrize(
    ("estimates", "ses", "match"),
    [
        ([1.0], [0.1], "at least 2"),
        ([], [], "at least 2"),
        ([1.0, 2.0], [0.1], "equal lengths"),
        ([1.0, np.nan], [0.1, 0.1], "estimates"),
        ([1.0, np.inf], [0.1, 0.1], "estimates"),
        ([1.0, 2.0], [0.1, 0.0], "standard_errors"),
        ([1.0, 2.0], [0.1, -0.1], "standard_errors"),
        ([1.0, 2.0], [0.1, np.inf], "standard_errors"),
        ([1.0, 2.0], [0.1, 1e-200], "standard_errors"),
        ([[1.0, 2.0]], [[0.1, 0.1]], "1-D"),
        (["a", "b"], [0.1, 0.1], "estimates"),
    ],
)
def test_pooling_rejects_bad_input(pool, estimates, ses, match):
    with pytest.raises(ValueError, match=match):
        pool(estimates, ses)


studies = st.integers(min_value=2, max_value=30).flatmap(
    lambda k: st.tuples(
        st.lists(st.floats(-100, 100), min_size=k, max_size=k),
        st.lists(st.floats(0.01, 100), min_size=k, max_size=k),
    )
)


@given(studies)
def test_pooled_estimate_lies_within_the_studies(data):
    estimates, ses = data
    lo, hi = min(estimates), max(estimates)
    slack = 1e-9 * max(1.0, abs(lo), abs(hi))
    for pooled in (evidence.pool_fixed(estimates, ses), evidence.pool_random(estimates, ses)):
        assert lo - slack <= pooled.estimate <= hi + slack
        assert 0.0 <= pooled.i2 < 100.0
        assert math.isclose(sum(pooled.weights), 100.0, rel_tol=1e-9)


@given(studies)
def test_random_effects_se_is_at_least_the_fixed_effect_se(data):
    estimates, ses = data
    fixed = evidence.pool_fixed(estimates, ses)
    random = evidence.pool_random(estimates, ses)
    assert random.se >= fixed.se * (1 - 1e-12)
    assert random.tau2 >= 0.0 and random.q == fixed.q


# ---------------------------------------------------------------------------
# Forest plot
# ---------------------------------------------------------------------------


def test_forest_plot_draws_studies_and_diamonds():
    labels = ["A", "B", "C", "D"]
    estimates, ses = [-0.5, -0.2, -0.8, 0.1], [0.2, 0.3, 0.25, 0.4]
    ax = Figure().subplots()
    returned = evidence.forest_plot(labels, estimates, ses, ax=ax, unit="mmol/L")
    assert returned is ax
    assert ax.get_xlabel() == "mean difference (mmol/L)"
    diamonds = [p for p in ax.patches if isinstance(p, Polygon)]
    assert [d.get_label() for d in diamonds] == ["fixed effect", "random effects (DL)"]
    fixed = evidence.pool_fixed(estimates, ses)
    # the diamond spans the 95 % CI and peaks at the estimate
    xs = diamonds[0].get_xy()[:, 0]
    assert_allclose([xs.min(), xs.max()], [fixed.ci_low, fixed.ci_high], rtol=1e-12)
    # squares: area proportional to the weight of the first pooled estimate
    sizes = ax.collections[1].get_sizes()
    assert_allclose(sizes / sizes.max(), np.array(fixed.weights) / max(fixed.weights), rtol=1e-12)
    # CI lines and the line of no effect at 0
    segments = ax.collections[0].get_segments()
    assert_allclose([seg[0][0] for seg in segments],
                    np.array(estimates) - 1.959964 * np.array(ses), rtol=1e-12)
    assert any(np.allclose(line.get_xdata(), 0.0) for line in ax.lines)
    tick_labels = [t.get_text() for t in ax.get_yticklabels()]
    assert tick_labels == [*labels, "fixed effect", "random effects (DL)"]


def test_forest_plot_options():
    pooled = evidence.pool_random([0.1, 0.4, 0.3], [0.1, 0.2, 0.1])
    ax = evidence.forest_plot(["x", "y", "z"], [0.1, 0.4, 0.3], [0.1, 0.2, 0.1],
                              pooled=[pooled], annotate=False)
    assert ax.get_xlabel() == "mean difference"
    assert len([p for p in ax.patches if isinstance(p, Polygon)]) == 1
    assert not ax.texts
    bare = evidence.forest_plot(["only"], [0.2], [0.1], pooled=())
    assert not bare.patches


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"labels": ["a"]}, "labels"),
        ({"pooled": ("bayes",)}, "pooled"),
        ({"pooled": (evidence.pool_fixed([1.0, 2.0], [1.0, 1.0]),)}, "k = 2"),
        ({"ses": [0.1, -0.1, 0.1]}, "ses"),
    ],
)
def test_forest_plot_rejects_bad_input(kwargs, match):
    arguments = {"labels": ["a", "b", "c"], "estimates": [0.1, 0.2, 0.3],
                 "ses": [0.1, 0.1, 0.1]} | kwargs
    with pytest.raises(ValueError, match=match):
        evidence.forest_plot(**arguments)


def test_illustrative_trials_follow_their_stated_model():
    trials = evidence.illustrative_trials()
    assert trials is evidence.illustrative_trials()  # cached, deterministic
    assert len(trials) == 10 and sum(t.deficient for t in trials) == 5
    for t in trials:
        # se = 1.2 · sqrt(2 / n), rounded to 3 decimals
        assert abs(t.se - 1.2 * (2 / t.n_per_arm) ** 0.5) < 6e-4
    deficient = evidence.pool_fixed([t.effect for t in trials if t.deficient],
                                    [t.se for t in trials if t.deficient])
    replete = evidence.pool_fixed([t.effect for t in trials if not t.deficient],
                                  [t.se for t in trials if not t.deficient])
    assert deficient.estimate < replete.estimate  # the subgroup difference the set is built for
    assert evidence.illustrative_trials(seed=1) != trials
