"""Graded assignment 5 (weighing the evidence) end to end through nbgrader's Python API.

``TestRoundTrip`` runs the nbgrader round trip that every assignment passes
(``nbgrader_roundtrip.py``); the rest checks what is particular to this one.
"""

from __future__ import annotations

import numpy as np

from mgcourse.evidence import (
    ILLUSTRATIVE_SD,
    ci_to_se,
    clinical_evidence,
    illustrative_trials,
    pool_fixed,
    pool_random,
    se_from_sd,
)
from nbgrader_roundtrip import (
    THIRD_PARTY_WARNINGS,
    Assignment,
    RoundTrip,
    Wrong,
    master_cell,
)

CI = "test_ci_to_se"
SE = "test_se_from_sd"
FIXED = "test_fixed_effect"
HETEROGENEITY = "test_heterogeneity"
RANDOM = "test_random_effects"
SUBGROUPS = "test_subgroups"

# Each of these passes every visible check but must lose the hidden-test points.
WRONG = {
    # The full width of the CI divided by 1.96: every SE twice too large.
    "ci_width_not_halved": Wrong(
        "ci_solution",
        "return width / (2.0 * Z_95)",
        "return width / Z_95",
        frozenset({CI}),
    ),
    # Operator precedence: width / 2 * 1.96.
    "ci_precedence": Wrong(
        "ci_solution",
        "return width / (2.0 * Z_95)",
        "return width / 2.0 * Z_95",
        frozenset({CI}),
    ),
    # Variance for SD: each arm's "SE" taken as SD²/n.
    "se_is_sd_squared_over_n": Wrong(
        "se_solution",
        "se_mg = sd_mg / np.sqrt(n_mg)  # SE of each arm's mean change\n"
        "    se_placebo = sd_placebo / np.sqrt(n_placebo)",
        "se_mg = sd_mg**2 / n_mg  # SE of each arm's mean change\n"
        "    se_placebo = sd_placebo**2 / n_placebo",
        frozenset({SE, FIXED, SUBGROUPS}),
        # the checks on the functions' own small examples keep their points
        partial={HETEROGENEITY: 2.0, RANDOM: 2.0},
    ),
    # SD for variance: weights 1/SE instead of 1/SE².
    "weights_inverse_se": Wrong(
        "fixed_solution",
        "w = 1.0 / se**2  # inverse-variance weights",
        "w = 1.0 / se  # inverse-variance weights",
        frozenset({FIXED}),
    ),
    # I² left as a fraction instead of %.
    "i2_as_fraction": Wrong(
        "heterogeneity_solution",
        "i2 = 100.0 * max(0.0, (q - df) / q) if q > 0 else 0.0",
        "i2 = max(0.0, (q - df) / q) if q > 0 else 0.0",
        frozenset(),
        # Q < df examples (I² = 0) stay right; the replete group has I² = 0 too
        partial={HETEROGENEITY: 1.0, SUBGROUPS: 3.0},
    ),
    # τ² not floored at 0 (the random-effects pool uses it too).
    "tau2_not_floored": Wrong(
        "heterogeneity_solution",
        "tau2 = max(0.0, (q - df) / (np.sum(w) - np.sum(w**2) / np.sum(w)))",
        "tau2 = (q - df) / (np.sum(w) - np.sum(w**2) / np.sum(w))",
        frozenset(),
        # only where Q < df (the replete trials among them) is anything wrong
        partial={HETEROGENEITY: 2.0, RANDOM: 3.0, SUBGROUPS: 2.0},
    ),
    # SD for variance again: τ added to the variances instead of τ².
    "tau_instead_of_tau2": Wrong(
        "random_solution",
        "w_star = 1.0 / (se**2 + tau2)",
        "w_star = 1.0 / (se**2 + np.sqrt(tau2))",
        frozenset(),
        # right only where τ² = 0 (its square root is then 0 too)
        partial={RANDOM: 1.0, SUBGROUPS: 3.0},
    ),
    # One slip in a task of four parts: the replete group pooled with all trials.
    "replete_pooled_with_all": Wrong(
        "subgroups_solution",
        "pooled_replete = pool_random_effects(effect[~deficient], trial_se[~deficient])",
        "pooled_replete = pool_random_effects(effect, trial_se)",
        frozenset(),
        partial={SUBGROUPS: 3.0},
    ),
    # The deficient group pooled with the fixed-effect model.
    "deficient_fixed_effect": Wrong(
        "subgroups_solution",
        "pooled_deficient = pool_random_effects(effect[deficient], trial_se[deficient])",
        "pooled_deficient = pool_fixed_effect(effect[deficient], trial_se[deficient])",
        frozenset(),
        partial={SUBGROUPS: 3.0},
    ),
}

ASSIGNMENT = Assignment(
    name="assignment5",
    test_cells=frozenset({CI, SE, FIXED, HETEROGENEITY, RANDOM, SUBGROUPS}),
    total_points=20,
    manual={"written_risk_of_bias": 3, "written_heterogeneity": 3},
    wrong=WRONG,
)

pytestmark = THIRD_PARTY_WARNINGS


class TestRoundTrip(RoundTrip):
    assignment = ASSIGNMENT


def _master_data() -> dict[str, object]:
    """The variables of the master's setup and trial-data cells."""
    namespace: dict[str, object] = {}
    for grade_id in ("setup", "trial_data"):
        exec(master_cell(ASSIGNMENT, grade_id), namespace)
    return namespace


# ----------------------------------------------------------------- master structure


def test_evidence_literals_of_the_hidden_tests_still_hold() -> None:
    # The pasted data and the numbers the hidden tests compare with come from the
    # package; if the evidence tables, the simulated trials or the pooling change,
    # update the notebook's data cell and the hidden tests together.
    song, simental = clinical_evidence()[:2]
    assert (song.estimate, song.ci_low, song.ci_high) == (-0.56, -1.10, -0.01)
    assert (simental.estimate, simental.ci_low, simental.ci_high) == (-0.67, -1.20, -0.14)
    np.testing.assert_allclose(np.array([ci_to_se(-1.10, -0.01), ci_to_se(-1.20, -0.14)]),
                               np.array([0.2780663, 0.2704131]), rtol=1e-6)

    data = _master_data()
    trials = illustrative_trials()
    np.testing.assert_array_equal(data["effect"], [t.effect for t in trials])
    np.testing.assert_array_equal(data["n_mg"], [t.n_per_arm for t in trials])
    np.testing.assert_array_equal(data["n_placebo"], [t.n_per_arm for t in trials])
    np.testing.assert_array_equal(data["deficient"], [t.deficient for t in trials])
    assert data["trial_labels"] == [t.label for t in trials]
    np.testing.assert_array_equal(data["sd_mg"], ILLUSTRATIVE_SD)
    np.testing.assert_array_equal(data["sd_placebo"], ILLUSTRATIVE_SD)

    sd_mg, sd_placebo = np.asarray(data["sd_mg"]), np.asarray(data["sd_placebo"])
    n_mg, n_placebo = np.asarray(data["n_mg"]), np.asarray(data["n_placebo"])
    se = np.hypot(se_from_sd(sd_mg, n_mg), se_from_sd(sd_placebo, n_placebo))
    np.testing.assert_allclose(se[[0, 4, 7]], [0.3464102, 0.1385641, 0.1144155], rtol=1e-6)
    # The rounded SEs of the simulated set agree with those computed from SD and n.
    np.testing.assert_allclose(se, [t.se for t in trials], atol=5e-4)

    y = np.asarray(data["effect"])
    fixed, random = pool_fixed(y, se), pool_random(y, se)
    np.testing.assert_allclose([fixed.estimate, fixed.se, fixed.ci_low, fixed.ci_high],
                               [-0.3727626, 0.06030227, -0.4909529, -0.2545724], rtol=1e-6)
    np.testing.assert_allclose([fixed.q, fixed.i2, random.tau2], [46.51169, 80.65002, 0.1620339],
                               rtol=1e-6)
    np.testing.assert_allclose([random.estimate, random.se, random.ci_low, random.ci_high],
                               [-0.4537526, 0.1467062, -0.7412914, -0.1662138], rtol=1e-6)
    spread = pool_random([-0.2, -0.5, -0.9], [0.1, 0.2, 0.3])
    np.testing.assert_allclose([spread.estimate, spread.se, spread.tau2],
                               [-0.4548605, 0.1891832, 0.06964286], rtol=1e-6)
    close = pool_random([0.0, 0.1, -0.1], [1.0, 1.0, 1.0])
    assert close.tau2 == 0.0 and close.i2 == 0.0
    np.testing.assert_allclose([close.q, close.se], [0.02, 0.5773503], rtol=1e-6)

    # The subgroups of task 6, pooled by the package.
    deficient = np.asarray(data["deficient"])
    for group, expected_pool, expected_het in (
        (deficient, [-0.8323774, 0.1272239], [5.870370, 31.86120, 0.02553435]),
        (~deficient, [-0.07416495, 0.07705936], [1.905839, 0.0, 0.0]),
    ):
        fixed, random = pool_fixed(y[group], se[group]), pool_random(y[group], se[group])
        np.testing.assert_allclose([random.estimate, random.se], expected_pool, rtol=1e-6)
        np.testing.assert_allclose([fixed.q, fixed.i2, random.tau2], expected_het, rtol=1e-6,
                                   atol=1e-12)


def test_student_version_labels_the_trials_as_simulated() -> None:
    text = ASSIGNMENT.exercise.read_text(encoding="utf-8")
    assert "Simulated teaching trials, not real studies" in text
