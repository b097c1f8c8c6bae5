"""Clinical and experimental evidence on magnesium supplementation, shipped as small datasets.

The studies of Table 1 in Hosseini Dastgerdi et al. 2022 are available as
:func:`review_2022_table1`. Reference numbers are those of the review's own
reference list. Where the review's table gives a dose without saying whether
it is salt or elemental magnesium, ``dose_basis`` says ``"not stated"``;
converting such a dose is an exercise in the course, not a fact in the data.
``salt_formula`` names the salt for such exercises; for reference 23 the review
says only "MgCl2", and the hexahydrate is an inference (2.5 g of MgCl2·6H2O
contains the 300 mg of magnesium the table reports). The review's text and
table also disagree on that study's duration (16 vs 12 weeks); the table's
value is kept.

The effect sizes of Table 2 of Foroudastan et al. 2025 are available as
:func:`review_2025_table2`. The review gives no primary citation, confidence
interval, population or comparison for any of them, and it mixes relative
changes (%) with an absolute one (mmHg); ``primary_source`` records the missing
citation. They are secondary figures to be questioned, not pooled.

The meta-analytic and trial numbers of the course's evidence chapter are
available as :func:`clinical_evidence`. Rows marked ``secondary_sourced`` were
taken from secondary summaries and not re-checked against the primary paper.
Weighted mean differences (WMD) versus placebo and the within-arm before/after
values of Guerrero-Romero et al. 2004 are different kinds of quantity;
``measure`` says which.

Pooling: :func:`pool_fixed` (inverse variance) and :func:`pool_random`
(DerSimonian–Laird), with :func:`ci_to_se`, :func:`se_from_sd` and
:func:`variance_to_se` to get standard errors, and :func:`forest_plot`.

References
----------
Hosseini Dastgerdi A, Ghanbari Rad M, Soltani N. The therapeutic effects of
magnesium in insulin secretion and insulin resistance. Adv Biomed Res
2022;11:54. doi:10.4103/abr.abr_366_21

Foroudastan M, Hajiarab A, Shayesteh A, et al. Effect of magnesium on reducing
insulin resistance in the cardiovascular system. Basic Clin Biochem Nutr
2025;1(3):155-162. doi:10.48307/bcbn.2025.532777.1030

DerSimonian R, Laird N. Meta-analysis in clinical trials. Control Clin Trials
1986;7(3):177-188. doi:10.1016/0197-2456(86)90046-2

Higgins JPT, Thompson SG. Quantifying heterogeneity in a meta-analysis. Stat Med
2002;21(11):1539-1558. doi:10.1002/sim.1186
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Final, Literal

import numpy as np
import numpy.typing as npt

from mgcourse._validation import (
    FloatOrArray,
    as_float_array,
    check_choice,
    check_range,
    scalar_or_array,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "ILLUSTRATIVE_SD",
    "ILLUSTRATIVE_TRUE_EFFECTS",
    "Z_95",
    "EvidenceRecord",
    "IllustrativeTrial",
    "IndicatorEffect",
    "PooledEstimate",
    "Study",
    "ci_to_se",
    "clinical_evidence",
    "forest_plot",
    "illustrative_trials",
    "pool_fixed",
    "pool_random",
    "review_2022_table1",
    "review_2025_table2",
    "se_from_sd",
    "variance_to_se",
]

FloatArray = npt.NDArray[np.float64]

#: Two-sided 95 % quantile of the standard normal distribution [dimensionless].
Z_95: Final = 1.959964


@dataclass(frozen=True)
class Study:
    """One row of Table 1 of the 2022 review.

    Attributes
    ----------
    review_ref : int
        Reference number in the review.
    subjects : str
        ``"animal"``, ``"human"`` or ``"human (meta-analysis)"``.
    preparation : str
        Magnesium preparation as the review names it.
    salt_formula : str
        Formula usable with :mod:`mgcourse.magnesium`, or ``""`` when not a single salt.
    dose_as_reported : str
        Dose text as given in the review's table.
    daily_dose_mg : float or None
        Daily human dose [mg/day] where the table gives one.
    dose_basis : str
        ``"elemental"``, ``"not stated"`` or ``"not applicable"`` (animal diets).
    duration_as_reported : str
        Duration text as given in the review's table.
    duration_weeks : float
        Duration [weeks]; months are taken as 13/3 weeks and rounded, ranges at their upper end.
    outcomes : str
        Reported effects, paraphrased.
    """

    review_ref: int
    subjects: str
    preparation: str
    salt_formula: str
    dose_as_reported: str
    daily_dose_mg: float | None
    dose_basis: str
    duration_as_reported: str
    duration_weeks: float
    outcomes: str


@cache
def review_2022_table1() -> tuple[Study, ...]:
    """Studies of magnesium and insulin resistance listed in Table 1 of the 2022 review.

    Returns
    -------
    tuple of Study
        One record per row, in the review's order.

    Examples
    --------
    >>> studies = review_2022_table1()
    >>> len(studies), studies[2].daily_dose_mg
    (9, 250.0)
    """
    text = resources.files("mgcourse").joinpath("data/review2022_table1.csv").read_text("utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    names = [f.name for f in fields(Study)]
    studies = []
    for row in rows:
        if list(row) != names:
            raise ValueError(f"review2022_table1.csv columns {list(row)} differ from {names}")
        studies.append(
            Study(
                review_ref=int(row["review_ref"]),
                subjects=row["subjects"],
                preparation=row["preparation"],
                salt_formula=row["salt_formula"],
                dose_as_reported=row["dose_as_reported"],
                daily_dose_mg=float(row["daily_dose_mg"]) if row["daily_dose_mg"] else None,
                dose_basis=row["dose_basis"],
                duration_as_reported=row["duration_as_reported"],
                duration_weeks=float(row["duration_weeks"]),
                outcomes=row["outcomes"],
            )
        )
    return tuple(studies)


# ---------------------------------------------------------------------------
# Shipped tables: Foroudastan et al. 2025 Table 2 and the evidence chapter's numbers
# ---------------------------------------------------------------------------


def _read_rows(filename: str, names: list[str]) -> list[dict[str, str]]:
    text = resources.files("mgcourse").joinpath(f"data/{filename}").read_text("utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    for row in rows:
        if list(row) != names:
            raise ValueError(f"{filename} columns {list(row)} differ from {names}")
    return rows


def _optional_float(text: str) -> float | None:
    return float(text) if text else None


def _optional_int(text: str) -> int | None:
    return int(text) if text else None


def _flag(text: str, filename: str) -> bool:
    if text not in ("true", "false"):
        raise ValueError(f"{filename}: expected 'true' or 'false', got {text!r}")
    return text == "true"


@dataclass(frozen=True)
class IndicatorEffect:
    """One row of Table 2 of Foroudastan et al. 2025 (effects of magnesium intake).

    Attributes
    ----------
    indicator : str
        Cardiovascular indicator as the review names it.
    direction : str
        ``"decrease"`` or ``"increase"``.
    change_as_reported : str
        Magnitude text as given in the table, for example ``"~10% ↓"``.
    change : float
        Signed change [unit of ``unit``]; negative for a decrease.
    unit : str
        ``"%"`` (relative change) or ``"mmHg"`` (absolute change).
    approximate : bool
        Whether the review marks the value as approximate (``~``).
    primary_source : str
        The primary study behind the figure; the review cites none for any row.
    """

    indicator: str
    direction: str
    change_as_reported: str
    change: float
    unit: str
    approximate: bool
    primary_source: str


@cache
def review_2025_table2() -> tuple[IndicatorEffect, ...]:
    """Effects of magnesium intake on cardiovascular indicators, Table 2 of the 2025 review.

    Returns
    -------
    tuple of IndicatorEffect
        One record per row, in the review's order: CVD risk −35 %, systolic blood
        pressure −3.5 mmHg, CRP −22 %, cardiac mortality risk −13 %, arterial
        stiffness about −10 %, HDL about +8 %, LDL/HDL ratio about −12 %.

    Notes
    -----
    The review gives these numbers without primary citations, confidence
    intervals, populations, doses or comparison groups, and it does not say
    whether "intake" means diet or supplements. Treat them as secondary claims:
    the course uses them to practise asking where a number comes from.

    References
    ----------
    Foroudastan M, Hajiarab A, Shayesteh A, et al. Basic Clin Biochem Nutr
    2025;1(3):155-162. doi:10.48307/bcbn.2025.532777.1030

    Examples
    --------
    >>> table = review_2025_table2()
    >>> [(row.change, row.unit) for row in table[:2]]
    [(-35.0, '%'), (-3.5, 'mmHg')]
    """
    filename = "review2025_table2.csv"
    rows = _read_rows(filename, [f.name for f in fields(IndicatorEffect)])
    return tuple(
        IndicatorEffect(
            indicator=row["indicator"],
            direction=row["direction"],
            change_as_reported=row["change_as_reported"],
            change=float(row["change"]),
            unit=row["unit"],
            approximate=_flag(row["approximate"], filename),
            primary_source=row["primary_source"],
        )
        for row in rows
    )


@dataclass(frozen=True)
class EvidenceRecord:
    """One clinical result quoted in the course's evidence chapter.

    Attributes
    ----------
    study : str
        First author and year.
    year : int
        Publication year.
    design : str
        Study design.
    population : str
        Population, or ``"not recorded"``.
    dose : str
        Magnesium dose and duration as summarised, or ``"not recorded"``.
    outcome : str
        Outcome measured.
    measure : str
        ``"WMD vs placebo"`` (weighted mean difference from a meta-analysis),
        ``"SMD vs control"`` (standardized mean difference, in standard
        deviations, unit ``"SD"``) or ``"within-arm change (Mg arm)"``
        (before/after in the treated arm only).
    estimate : float
        The effect [unit of ``unit``]; for within-arm rows ``after − before``.
    ci_low, ci_high : float or None
        95 % confidence interval [unit of ``unit``], when recorded.
    before, after : float or None
        Within-arm values before and after treatment [unit of ``unit``].
    unit : str
        Unit of the outcome, ``"dimensionless"`` for HOMA-IR.
    n_pooled : int or None
        Trials (or treatment arms, see ``note``) pooled by a meta-analysis.
    n_participants : int or None
        Participants, when recorded.
    secondary_sourced : bool
        True when the figures come from secondary summaries and were not
        re-checked against the primary paper.
    doi : str
        DOI of the primary paper.
    reference : str
        Short citation.
    note : str
        Caveats.
    """

    study: str
    year: int
    design: str
    population: str
    dose: str
    outcome: str
    measure: str
    estimate: float
    ci_low: float | None
    ci_high: float | None
    before: float | None
    after: float | None
    unit: str
    n_pooled: int | None
    n_participants: int | None
    secondary_sourced: bool
    doi: str
    reference: str
    note: str

    @property
    def standard_error(self) -> float | None:
        """Standard error from the 95 % CI, ``(high − low)/(2·1.959964)`` [unit]; None without a CI."""
        if self.ci_low is None or self.ci_high is None:
            return None
        return float(ci_to_se(self.ci_low, self.ci_high))


@cache
def clinical_evidence() -> tuple[EvidenceRecord, ...]:
    """Meta-analyses and a trial of oral magnesium quoted in the evidence chapter.

    Returns
    -------
    tuple of EvidenceRecord
        Song et al. 2006 (fasting glucose), Simental-Mendía et al. 2016 (HOMA-IR),
        Dibaba et al. 2017 (systolic and diastolic blood pressure as standardized
        mean differences, secondary-sourced) and Zhang et al. 2016 (the same in
        mmHg), and the Mg-arm values of Guerrero-Romero et al. 2004 (serum
        magnesium, HOMA-IR).

    Notes
    -----
    WMD rows are differences versus placebo. The Guerrero-Romero rows are
    before/after values within the magnesium arm, a different quantity that
    also contains any placebo or regression-to-the-mean effect; do not pool
    them with WMDs. Their MgCl₂ dose does not state the hydration, which changes
    the elemental magnesium about twofold.

    References
    ----------
    Song Y et al. Diabet Med 2006;23(10):1050-1056. doi:10.1111/j.1464-5491.2006.01852.x

    Simental-Mendía LE et al. Pharmacol Res 2016;111:272-282. doi:10.1016/j.phrs.2016.06.019

    Dibaba DT et al. Am J Clin Nutr 2017;106(3):921-929. doi:10.3945/ajcn.117.155291

    Zhang X et al. Hypertension 2016;68(2):324-333. doi:10.1161/HYPERTENSIONAHA.116.07664

    Guerrero-Romero F et al. Diabetes Metab 2004;30(3):253-258.
    doi:10.1016/S1262-3636(07)70116-7

    Examples
    --------
    >>> song = clinical_evidence()[0]
    >>> song.estimate, song.ci_low, song.ci_high, round(song.standard_error, 3)
    (-0.56, -1.1, -0.01, 0.278)
    """
    filename = "clinical_evidence.csv"
    rows = _read_rows(filename, [f.name for f in fields(EvidenceRecord)])
    return tuple(
        EvidenceRecord(
            study=row["study"],
            year=int(row["year"]),
            design=row["design"],
            population=row["population"],
            dose=row["dose"],
            outcome=row["outcome"],
            measure=row["measure"],
            estimate=float(row["estimate"]),
            ci_low=_optional_float(row["ci_low"]),
            ci_high=_optional_float(row["ci_high"]),
            before=_optional_float(row["before"]),
            after=_optional_float(row["after"]),
            unit=row["unit"],
            n_pooled=_optional_int(row["n_pooled"]),
            n_participants=_optional_int(row["n_participants"]),
            secondary_sourced=_flag(row["secondary_sourced"], filename),
            doi=row["doi"],
            reference=row["reference"],
            note=row["note"],
        )
        for row in rows
    )


# ---------------------------------------------------------------------------
# Standard errors
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IllustrativeTrial:
    """One simulated placebo-controlled trial of the teaching dataset (not a real study).

    Attributes
    ----------
    label : str
        Name shown in plots, e.g. ``"trial A"``.
    effect : float
        Difference in fasting-glucose change, magnesium minus placebo [mmol/L].
    se : float
        Standard error of ``effect`` [mmol/L].
    n_per_arm : int
        Participants per arm.
    duration_weeks : float
        Duration [weeks].
    deficient : bool
        Whether the trial enrolled people with low serum magnesium.
    """

    label: str
    effect: float
    se: float
    n_per_arm: int
    duration_weeks: float
    deficient: bool


#: Simulation settings of :func:`illustrative_trials` (didactic, not estimates).
ILLUSTRATIVE_TRUE_EFFECTS: Final = {"deficient": -0.6, "replete": -0.1}  # [mmol/L]
ILLUSTRATIVE_SD: Final = 1.2  # between-person SD of the glucose change [mmol/L]


@cache
def illustrative_trials(seed: int = 2025) -> tuple[IllustrativeTrial, ...]:
    """Ten simulated trials of magnesium on fasting glucose, for practising meta-analysis.

    These are **not real studies**. They are drawn from a stated model so that a
    learner can see pooling, heterogeneity and subgroups at work: trials in
    magnesium-deficient people have a true effect of −0.6 mmol/L, the others
    −0.1 mmol/L (echoing the observation that deficient or insulin-resistant
    populations show larger effects); each trial's estimate scatters around its
    true effect with standard error ``1.2 · sqrt(2 / n)``.

    Parameters
    ----------
    seed : int
        Seed of the ``numpy.random.Generator`` used; the default gives the course's set.

    Returns
    -------
    tuple of IllustrativeTrial
        Ten trials, labelled "trial A" to "trial J".

    Examples
    --------
    >>> trials = illustrative_trials()
    >>> len(trials), trials[0].label
    (10, 'trial A')
    """
    rng = np.random.default_rng(seed)
    sizes = (24, 40, 60, 35, 150, 80, 28, 220, 45, 110)
    weeks = (8, 12, 16, 12, 24, 12, 6, 16, 24, 12)
    deficient = (True, False, True, False, True, False, True, False, True, False)
    trials = []
    for index, (n, w, low) in enumerate(zip(sizes, weeks, deficient, strict=True)):
        se = ILLUSTRATIVE_SD * math.sqrt(2.0 / n)
        truth = ILLUSTRATIVE_TRUE_EFFECTS["deficient" if low else "replete"]
        trials.append(IllustrativeTrial(
            label=f"trial {chr(ord('A') + index)}", effect=round(float(rng.normal(truth, se)), 3),
            se=round(se, 3), n_per_arm=n, duration_weeks=float(w), deficient=low,
        ))
    return tuple(trials)


def ci_to_se(lower: FloatOrArray, upper: FloatOrArray) -> FloatOrArray:
    """Standard error from a symmetric 95 % confidence interval.

    Parameters
    ----------
    lower, upper : float or array-like
        Limits of the 95 % CI [any unit; the result has the same unit]; finite,
        with ``upper > lower``.

    Returns
    -------
    float or numpy.ndarray
        Standard error [unit of the limits].

    Raises
    ------
    ValueError
        If a limit is not finite or ``upper`` is not above ``lower``.

    Notes
    -----
    For a normal-theory interval ``estimate ± z·SE`` with z = 1.959964::

        SE = (upper − lower) / (2 · 1.959964)

    Reported limits are rounded, so the interval's midpoint may differ slightly
    from the reported estimate. Ratio measures (risk or odds ratios) must be
    log-transformed first.

    References
    ----------
    Higgins JPT, Thompson SG. Stat Med 2002;21(11):1539-1558. doi:10.1002/sim.1186

    Examples
    --------
    >>> round(ci_to_se(-1.10, -0.01), 4)  # Song et al. 2006, fasting glucose [mmol/L]
    0.2781
    """
    lo, hi = np.broadcast_arrays(
        check_range("lower", lower, "unit of the estimate", low=-np.inf, high=np.inf,
                    high_inclusive=False),
        check_range("upper", upper, "unit of the estimate", low=-np.inf, high=np.inf,
                    high_inclusive=False),
    )
    bad = hi <= lo
    if np.any(bad):
        raise ValueError(f"upper must be above lower; got lower = {lo[bad].flat[0]:g} and "
                         f"upper = {hi[bad].flat[0]:g} [unit of the estimate]")
    return scalar_or_array(np.asarray((hi - lo) / (2.0 * Z_95), dtype=float))


def se_from_sd(sd: FloatOrArray, n: FloatOrArray) -> FloatOrArray:
    """Standard error of a mean from the standard deviation of the observations.

    Parameters
    ----------
    sd : float or array-like
        Standard deviation of the individual observations [any unit]; > 0.
    n : int or array-like
        Number of observations [dimensionless]; a whole number ≥ 1.

    Returns
    -------
    float or numpy.ndarray
        Standard error of the mean [unit of ``sd``].

    Raises
    ------
    ValueError
        If ``sd`` is not positive and finite or ``n`` is not a whole number ≥ 1.

    Notes
    -----
    ``SE = SD / sqrt(n)``. A classic slip is to weight studies by ``1/SD²``
    instead of ``1/SE²``; that ignores the sample sizes. Another is to pass a
    variance where an SD is expected; see :func:`variance_to_se`.

    References
    ----------
    Higgins JPT, Thompson SG. Stat Med 2002;21(11):1539-1558. doi:10.1002/sim.1186

    Examples
    --------
    >>> se_from_sd(2.0, 16)
    0.5
    """
    s = check_range("sd", sd, "unit of the outcome", high=np.inf, high_inclusive=False)
    count = check_range("n", n, "observations", low=1.0, high=np.inf, low_inclusive=True,
                        high_inclusive=False)
    if np.any(count != np.round(count)):
        raise ValueError(f"n must be a whole number of observations ≥ 1, got {n!r}")
    return scalar_or_array(s / np.sqrt(count))


def variance_to_se(variance: FloatOrArray) -> FloatOrArray:
    """Standard error from the sampling variance of an estimate.

    Parameters
    ----------
    variance : float or array-like
        Sampling variance of the estimate itself [unit²]; > 0.

    Returns
    -------
    float or numpy.ndarray
        Standard error [unit].

    Raises
    ------
    ValueError
        If ``variance`` is not positive and finite.

    Notes
    -----
    ``SE = sqrt(Var)``. Meta-analysis tables often list the sampling variance
    ``v_i = SE_i²``; the inverse-variance weight is then ``1/v_i``, not
    ``1/sqrt(v_i)``. A variance of the individual observations (SD²) is a
    different quantity: use :func:`se_from_sd` with ``sqrt(variance)`` and n.

    References
    ----------
    Higgins JPT, Thompson SG. Stat Med 2002;21(11):1539-1558. doi:10.1002/sim.1186

    Examples
    --------
    >>> variance_to_se(0.04)
    0.2
    """
    v = check_range("variance", variance, "unit squared", high=np.inf, high_inclusive=False)
    return scalar_or_array(np.sqrt(v))


# ---------------------------------------------------------------------------
# Pooling: fixed effect (inverse variance) and random effects (DerSimonian–Laird)
# ---------------------------------------------------------------------------

PoolingMethod = Literal["fixed", "random"]


@dataclass(frozen=True)
class PooledEstimate:
    """A pooled effect with its heterogeneity statistics.

    Attributes
    ----------
    estimate : float
        Pooled effect [unit of the study estimates].
    se : float
        Standard error of the pooled effect [unit].
    ci_low, ci_high : float
        95 % confidence interval, ``estimate ∓ 1.959964·se`` [unit].
    q : float
        Cochran's Q, computed with the fixed-effect weights [dimensionless].
    df : int
        Degrees of freedom of Q, k − 1.
    i2 : float
        I² = max(0, (Q − df)/Q)·100, 0 when Q = 0 [%].
    tau2 : float
        Between-study variance used in the weights [unit²]; 0 for the fixed-effect
        model, the DerSimonian–Laird estimate for the random-effects model.
    weights : tuple of float
        Weight of each study in the pooled estimate [% of the total]; sums to 100.
    method : {"fixed", "random"}
        ``"fixed"`` (inverse variance) or ``"random"`` (DerSimonian–Laird).
    k : int
        Number of studies.
    """

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    q: float
    df: int
    i2: float
    tau2: float
    weights: tuple[float, ...]
    method: str
    k: int


def _study_arrays(estimates: npt.ArrayLike, standard_errors: npt.ArrayLike,
                  minimum: int = 2, se_name: str = "standard_errors",
                  ) -> tuple[FloatArray, FloatArray]:
    y = as_float_array("estimates", estimates, "unit of the outcome")
    s = as_float_array(se_name, standard_errors, "unit of the outcome")
    if y.ndim != 1 or s.ndim != 1:
        raise ValueError(f"estimates and {se_name} must be 1-D, got shapes {y.shape} "
                         f"and {s.shape}")
    if y.size != s.size:
        raise ValueError(f"estimates and {se_name} must have equal lengths, got "
                         f"{y.size} and {s.size}")
    if y.size < minimum:
        raise ValueError(f"estimates must hold at least {minimum} studies (k ≥ {minimum}), "
                         f"got k = {y.size}")
    check_range("estimates", y, "unit of the outcome", low=-np.inf, high=np.inf,
                high_inclusive=False)
    check_range(se_name, s, "unit of the outcome", high=np.inf, high_inclusive=False)
    with np.errstate(over="ignore", divide="ignore"):
        w = 1.0 / s**2
    if not np.all(np.isfinite(w)):
        raise ValueError(f"{se_name} = {float(s[~np.isfinite(w)][0]):g} is too small; "
                         "its inverse variance overflows")
    return y, s


def _heterogeneity(y: FloatArray, w: FloatArray) -> tuple[float, float, int, float]:
    """Fixed-effect mean, Cochran's Q, df and I² [%]."""
    total = float(np.sum(w))
    mean = float(np.dot(w, y)) / total
    q = float(np.dot(w, (y - mean) ** 2))
    df = y.size - 1
    i2 = 0.0 if q <= 0.0 else max(0.0, (q - df) / q) * 100.0
    return mean, q, df, i2


def _pooled(y: FloatArray, w: FloatArray, q: float, df: int, i2: float, tau2: float,
            method: str) -> PooledEstimate:
    total = float(np.sum(w))
    estimate = float(np.dot(w, y)) / total
    se = 1.0 / math.sqrt(total)
    return PooledEstimate(
        estimate=estimate,
        se=se,
        ci_low=estimate - Z_95 * se,
        ci_high=estimate + Z_95 * se,
        q=q,
        df=df,
        i2=i2,
        tau2=tau2,
        weights=tuple(float(v) for v in 100.0 * w / total),
        method=method,
        k=int(y.size),
    )


def pool_fixed(estimates: npt.ArrayLike, standard_errors: npt.ArrayLike) -> PooledEstimate:
    """Fixed-effect (inverse-variance) meta-analysis.

    Parameters
    ----------
    estimates : array-like
        Study estimates y_i, for example mean differences [any unit]; finite, k ≥ 2.
    standard_errors : array-like
        Their standard errors s_i [unit of ``estimates``]; > 0 and finite, same length.

    Returns
    -------
    PooledEstimate
        Pooled estimate, SE, 95 % CI, Q, df, I², τ² = 0 and weights [%].

    Raises
    ------
    ValueError
        If fewer than two studies are given, the lengths differ, an estimate is
        not finite or a standard error is not positive and finite.

    Notes
    -----
    With ``w_i = 1/s_i²``::

        y_F = Σ w_i·y_i / Σ w_i          SE_F = 1 / sqrt(Σ w_i)
        Q   = Σ w_i·(y_i − y_F)²          df = k − 1
        I²  = max(0, (Q − df)/Q) · 100 %   (0 when Q = 0)

    and the 95 % CI is ``y_F ± 1.959964·SE_F``. The model assumes that every
    study estimates one common effect.

    References
    ----------
    DerSimonian R, Laird N. Control Clin Trials 1986;7(3):177-188.
    doi:10.1016/0197-2456(86)90046-2

    Higgins JPT, Thompson SG. Stat Med 2002;21(11):1539-1558. doi:10.1002/sim.1186

    Examples
    --------
    >>> pooled = pool_fixed([1.0, 3.0], [1.0, 1.0])
    >>> pooled.estimate, pooled.q, pooled.weights
    (2.0, 2.0, (50.0, 50.0))
    """
    y, s = _study_arrays(estimates, standard_errors)
    w = 1.0 / s**2
    _, q, df, i2 = _heterogeneity(y, w)
    return _pooled(y, w, q, df, i2, 0.0, "fixed")


def pool_random(estimates: npt.ArrayLike, standard_errors: npt.ArrayLike) -> PooledEstimate:
    """Random-effects meta-analysis with the DerSimonian–Laird estimate of τ².

    Parameters
    ----------
    estimates : array-like
        Study estimates y_i [any unit]; finite, k ≥ 2.
    standard_errors : array-like
        Their standard errors s_i [unit of ``estimates``]; > 0 and finite, same length.

    Returns
    -------
    PooledEstimate
        Pooled estimate, SE, 95 % CI, Q, df, I², τ² and weights [%].

    Raises
    ------
    ValueError
        If fewer than two studies are given, the lengths differ, an estimate is
        not finite or a standard error is not positive and finite.

    Notes
    -----
    With the fixed-effect weights ``w_i = 1/s_i²`` and Q, df as in
    :func:`pool_fixed`::

        τ²    = max(0, (Q − df) / (Σ w_i − Σ w_i² / Σ w_i))
        w_i*  = 1 / (s_i² + τ²)
        y_R   = Σ w_i*·y_i / Σ w_i*        SE_R = 1 / sqrt(Σ w_i*)

    When τ² = 0 the result equals the fixed-effect one. Otherwise the weights
    are more even and SE_R > SE_F.

    References
    ----------
    DerSimonian R, Laird N. Meta-analysis in clinical trials. Control Clin Trials
    1986;7(3):177-188. doi:10.1016/0197-2456(86)90046-2

    Examples
    --------
    >>> pooled = pool_random([1.0, 3.0], [1.0, 1.0])
    >>> pooled.tau2, pooled.estimate, round(pooled.se, 6)
    (1.0, 2.0, 1.0)
    """
    y, s = _study_arrays(estimates, standard_errors)
    w = 1.0 / s**2
    _, q, df, i2 = _heterogeneity(y, w)
    total = float(np.sum(w))
    c = total - float(np.dot(w, w)) / total
    tau2 = max(0.0, (q - df) / c) if c > 0.0 else 0.0
    w_star = w if tau2 == 0.0 else 1.0 / (s**2 + tau2)
    return _pooled(y, w_star, q, df, i2, tau2, "random")


# ---------------------------------------------------------------------------
# Forest plot
# ---------------------------------------------------------------------------

_POOLED_STYLE: Final = {
    "fixed": ("fixed effect", "#0072B2"),  # Okabe–Ito blue
    "random": ("random effects (DL)", "#D55E00"),  # Okabe–Ito vermillion
}
_MAX_SQUARE_AREA: Final = 220.0  # marker area of the heaviest study [pt²]


def forest_plot(
    labels: Sequence[str],
    estimates: npt.ArrayLike,
    ses: npt.ArrayLike,
    *,
    pooled: Sequence[PoolingMethod | PooledEstimate] = ("fixed", "random"),
    ax: Axes | None = None,
    unit: str = "",
    xlabel: str = "mean difference",
    annotate: bool = True,
) -> Axes:
    """Draw a forest plot of study estimates and their pooled estimates.

    Parameters
    ----------
    labels : sequence of str
        One label per study.
    estimates : array-like
        Study estimates [``unit``]; finite.
    ses : array-like
        Their standard errors [``unit``]; > 0 and finite.
    pooled : sequence of {"fixed", "random"} or PooledEstimate
        Pooled estimates to draw as diamonds below the studies; strings are
        computed here with :func:`pool_fixed` or :func:`pool_random`. Empty for
        none. The first one sets the square sizes.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure (not managed by pyplot) is made if omitted.
        In a notebook, pass ``ax`` from ``plt.subplots()`` so the figure is shown
        inline (a figure outside pyplot is displayed only as its text repr).
    unit : str
        Unit of the estimates, shown in the axis label, e.g. ``"mmol/L"``.
    xlabel : str
        Lowercase name of the quantity on the x axis.
    annotate : bool
        Write each row's estimate, 95 % CI and weight to the right of the axes.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on. Nothing is shown; display ``ax.figure`` yourself.

    Raises
    ------
    ValueError
        If the lengths differ, an input is out of range, a pooled method is
        unknown, or a given PooledEstimate has a different number of studies.

    Notes
    -----
    Each study is a square at its estimate with a line for its 95 % CI,
    ``y_i ± 1.959964·s_i``; the square's area is proportional to the study's
    weight in the first pooled estimate (inverse-variance weights if none).
    Pooled estimates are diamonds spanning their 95 % CI. The vertical line
    marks no effect (0), which is right for differences, not for ratios.

    References
    ----------
    Lewis S, Clarke M. Forest plots: trying to see the wood and the trees. BMJ
    2001;322(7300):1479-1480. doi:10.1136/bmj.322.7300.1479

    Examples
    --------
    >>> ax = forest_plot(["A", "B", "C"], [-0.5, -0.2, -0.8], [0.2, 0.3, 0.25],
    ...                  unit="mmol/L")
    >>> ax.get_xlabel()
    'mean difference (mmol/L)'
    """
    from matplotlib.figure import Figure
    from matplotlib.patches import Polygon

    y, s = _study_arrays(estimates, ses, minimum=1, se_name="ses")
    names = [str(label) for label in labels]
    if len(names) != y.size:
        raise ValueError(f"labels must have one entry per study: got {len(names)} labels for "
                         f"{y.size} estimates")
    results: list[PooledEstimate] = []
    for item in pooled:
        if isinstance(item, PooledEstimate):
            if item.k != y.size:
                raise ValueError(f"a pooled estimate of k = {item.k} studies does not match "
                                 f"the {y.size} studies plotted")
            results.append(item)
        else:
            method = check_choice("pooled", item, tuple(_POOLED_STYLE))
            results.append(pool_fixed(y, s) if method == "fixed" else pool_random(y, s))
    weights = (np.asarray(results[0].weights) if results
               else 100.0 * (1.0 / s**2) / np.sum(1.0 / s**2))

    if ax is None:
        ax = Figure(figsize=(7.0, 1.6 + 0.32 * (y.size + len(results)))).subplots()
    rows = np.arange(y.size, dtype=float)
    low, high = y - Z_95 * s, y + Z_95 * s
    ax.hlines(rows, low, high, color="#000000", linewidth=1.0)
    ax.scatter(y, rows, s=_MAX_SQUARE_AREA * weights / np.max(weights), marker="s",
               color="#000000", zorder=3)
    half_height = 0.3
    pooled_rows = y.size + 0.5 + np.arange(len(results), dtype=float)
    pooled_labels = []
    for row, result in zip(pooled_rows, results, strict=True):
        name, colour = _POOLED_STYLE[result.method]
        pooled_labels.append(name)
        diamond = Polygon(
            [(result.ci_low, row), (result.estimate, row - half_height),
             (result.ci_high, row), (result.estimate, row + half_height)],
            closed=True, facecolor=colour, edgecolor=colour, label=name,
        )
        ax.add_patch(diamond)
    ax.axvline(0.0, color="0.35", linewidth=0.9, linestyle="--", zorder=0)
    ax.set_yticks(np.concatenate((rows, pooled_rows)), names + pooled_labels)
    ax.set_ylim(float(pooled_rows[-1] if results else rows[-1]) + 0.75, -0.75)
    ax.set_xlabel(f"{xlabel} ({unit})" if unit else xlabel)
    ax.autoscale_view(scaley=False)
    if annotate:
        texts = [f"{e:.2f} [{lo:.2f}, {hi:.2f}]  {w:.1f} %"
                 for e, lo, hi, w in zip(y, low, high, weights, strict=True)]
        texts += [f"{r.estimate:.2f} [{r.ci_low:.2f}, {r.ci_high:.2f}]" for r in results]
        for row, text in zip(np.concatenate((rows, pooled_rows)), texts, strict=True):
            ax.annotate(text, (1.02, float(row)), xycoords=("axes fraction", "data"),
                        va="center", ha="left", fontsize="small")
    return ax
