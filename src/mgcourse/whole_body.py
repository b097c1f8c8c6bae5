"""Whole-body glucose–insulin regulation: the Bergman minimal model and the Topp 2000 βIG model.

Published models (labelled [PUBLISHED] in the course):

* the Bergman et al. (1979) minimal model of glucose kinetics during an
  intravenous glucose tolerance test (IVGTT), time in minutes, with plasma
  insulin as an input; insulin sensitivity ``S_I = p3/p2`` and glucose
  effectiveness ``S_G = p1``;
* the Topp et al. (2000) model of β-cell mass, insulin and glucose ("βIG"),
  time in days, with the parameter set of BioModels BIOMD0000000341.

Derived results (labelled [DERIVED]): the three fixed points of the Topp model,
their stability from the Jacobian, and the compensation law (steady glucose does
not depend on SI; steady insulin and β-cell mass are proportional to 1/SI).

Teaching assumptions, off by default and named as such wherever they appear:

* a mono-exponential plasma insulin profile after a glucose bolus
  (:func:`teaching_insulin_profile`);
* a Hill-type link from total serum magnesium to insulin sensitivity
  (:func:`sensitivity_factor`), which scales p3 (Bergman) or SI (Topp) when a
  ``magnesium=`` value is given.

Units: glucose mg/dL, insulin µU/mL, β-cell mass mg, serum magnesium mmol/L;
time in minutes for the minimal model and in days for the Topp model.

References
----------
.. [1] Bergman RN, Ider YZ, Bowden CR, Cobelli C. Quantitative estimation of
   insulin sensitivity. Am J Physiol 1979;236(6):E667-E677.
   doi:10.1152/ajpendo.1979.236.6.E667
.. [2] Topp B, Promislow K, deVries G, Miura RM, Finegood DT. A model of β-cell
   mass, insulin, and glucose kinetics: pathways to diabetes. J Theor Biol
   2000;206(4):605-619. doi:10.1006/jtbi.2000.2150
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Final, Literal

import numpy as np
import numpy.typing as npt
from scipy.optimize import least_squares

from mgcourse._integrate import solve
from mgcourse._validation import (
    FloatOrArray,
    as_float_array,
    check_choice,
    check_range,
    check_tolerances,
    scalar_or_array,
)
from mgcourse.indices import homa_beta, homa_ir

__all__ = [
    "IVGTT_SAMPLE_TIMES",
    "BergmanParameters",
    "FixedPoint",
    "IvgttData",
    "IvgttResult",
    "MinimalModelFit",
    "SteadyStateIndices",
    "ToppParameters",
    "ToppResult",
    "fit_insulin_sensitivity",
    "fixed_points",
    "glucose_effectiveness",
    "insulin_sensitivity",
    "sensitivity_factor",
    "simulate_ivgtt",
    "simulate_topp",
    "steady_state_indices",
    "synthetic_ivgtt",
    "teaching_insulin_profile",
    "topp_derivatives",
    "topp_jacobian",
]

Array = npt.NDArray[np.float64]
#: Plasma insulin input of the minimal model: a function of time [min] returning
#: insulin [µU/mL], or measured ``(times [min], insulin [µU/mL])`` interpolated linearly.
InsulinInput = Callable[[float], float] | tuple[npt.ArrayLike, npt.ArrayLike]

#: Sampling schedule of a frequently sampled IVGTT [min].
IVGTT_SAMPLE_TIMES: Final = (
    0.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 12.0, 14.0, 16.0, 19.0, 22.0, 25.0, 30.0,
    40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0, 120.0, 140.0, 160.0, 180.0,
)

_SERUM_MG_RANGE: Final = (0.0, 5.0)  # mmol/L, exclusive low


# -- magnesium link [TEACHING ASSUMPTION] ---------------------------------------------------


def sensitivity_factor(
    serum_mg: FloatOrArray, *, reference: float = 0.85, k_si: float = 0.6, hill: float = 4.0
) -> FloatOrArray:
    """Multiplier on insulin sensitivity from total serum magnesium [TEACHING ASSUMPTION].

    Parameters
    ----------
    serum_mg : float or array-like
        Total serum magnesium [mmol/L]; in (0, 5].
    reference : float
        Serum magnesium at which the factor is 1 [mmol/L]; 0.85 by default.
    k_si : float
        Half-effect constant K_SI [mmol/L]; 0.6 by default (didactic).
    hill : float
        Steepness h [dimensionless]; 4 by default (didactic).

    Returns
    -------
    float or numpy.ndarray
        m_SI [dimensionless]; 1 at ``reference``, at most ``1 + (K_SI/ref)^h``
        (1.25 with the defaults) at high magnesium, towards 0 as magnesium falls.

    Notes
    -----
    ``m_SI(Mg) = [1 + (K_SI/Mg_ref)^h] / [1 + (K_SI/Mg)^h]``. The curve is flat near
    normal serum magnesium and falls steeply below about 0.6 mmol/L. It is not
    part of any published model: the constants are didactic choices, and matching
    a trial's HOMA-IR change with it is calibration, not causal identification.
    The minimal model multiplies p3 by it (so S_I scales with it); the Topp model
    multiplies SI.

    References
    ----------
    .. [1] Bergman RN, Ider YZ, Bowden CR, Cobelli C. Am J Physiol
       1979;236(6):E667-E677. doi:10.1152/ajpendo.1979.236.6.E667 (the minimal model
       whose p3 it scales; the factor itself is a teaching construction).

    Examples
    --------
    >>> sensitivity_factor(0.85)
    1.0
    >>> round(sensitivity_factor(0.5), 3)
    0.406
    """
    mg = check_range("serum_mg", serum_mg, "mmol/L", low=_SERUM_MG_RANGE[0], high=_SERUM_MG_RANGE[1])
    check_range("reference", reference, "mmol/L", low=0.0, high=_SERUM_MG_RANGE[1])
    check_range("k_si", k_si, "mmol/L", low=0.0, high=_SERUM_MG_RANGE[1])
    check_range("hill", hill, "dimensionless", low=0.0, high=20.0)
    return scalar_or_array((1.0 + (k_si / reference) ** hill) / (1.0 + (k_si / mg) ** hill))


def _mg_factor(magnesium: float | None) -> float:
    """Teaching factor m_SI for ``magnesium`` (total serum Mg [mmol/L]), 1 for None."""
    if magnesium is None:
        return 1.0
    mg = check_range("magnesium", magnesium, "mmol/L", low=_SERUM_MG_RANGE[0], high=_SERUM_MG_RANGE[1])
    return float(sensitivity_factor(float(mg)))


# -- Bergman minimal model ------------------------------------------------------------------


@dataclass(frozen=True)
class BergmanParameters:
    """Parameters of the Bergman minimal model of glucose kinetics [PUBLISHED structure].

    The default values are illustrative only:
    real p1, p2 and p3 vary by about an order of magnitude between people,
    protocols and fitting methods. With them S_I = p3/p2 = 5e-4 min⁻¹ per µU/mL.
    Source of the model: Bergman RN, Ider YZ, Bowden CR, Cobelli C. Am J Physiol
    1979;236(6):E667-E677. doi:10.1152/ajpendo.1979.236.6.E667
    """

    p1: float = 0.03  # glucose effectiveness S_G [min^-1]
    p2: float = 0.02  # decay rate of remote insulin action [min^-1]
    p3: float = 1.0e-5  # activation rate of remote insulin action [min^-2 per µU/mL]
    G_b: float = 90.0  # basal plasma glucose [mg/dL]
    I_b: float = 7.0  # basal plasma insulin [µU/mL]

    def __post_init__(self) -> None:
        check_range("p1", self.p1, "min^-1", high=10.0)
        check_range("p2", self.p2, "min^-1", high=10.0)
        check_range("p3", self.p3, "min^-2 per µU/mL", high=1.0)
        check_range("G_b", self.G_b, "mg/dL", high=1000.0)
        check_range("I_b", self.I_b, "µU/mL", low=0.0, high=1000.0, low_inclusive=True)


def insulin_sensitivity(parameters: BergmanParameters | None = None) -> float:
    """Insulin sensitivity S_I of the minimal model.

    Parameters
    ----------
    parameters : BergmanParameters, optional
        Defaults to the illustrative values.

    Returns
    -------
    float
        S_I [min⁻¹ per µU/mL]; usually reported ×10⁻⁴.

    Notes
    -----
    ``S_I = p3 / p2``: the steady-state gain of remote insulin action X per unit of
    plasma insulin above basal, i.e. how much a sustained rise of insulin speeds
    glucose disappearance [1]_.

    References
    ----------
    .. [1] Bergman RN et al. Am J Physiol 1979;236(6):E667-E677.
       doi:10.1152/ajpendo.1979.236.6.E667

    Examples
    --------
    >>> insulin_sensitivity()
    0.0005
    """
    p = parameters or BergmanParameters()
    return p.p3 / p.p2


def glucose_effectiveness(parameters: BergmanParameters | None = None) -> float:
    """Glucose effectiveness S_G of the minimal model.

    Parameters
    ----------
    parameters : BergmanParameters, optional
        Defaults to the illustrative values.

    Returns
    -------
    float
        S_G [min⁻¹].

    Notes
    -----
    ``S_G = p1``: the fractional rate at which glucose returns to basal by its own
    mass action, at basal insulin [1]_.

    References
    ----------
    .. [1] Bergman RN et al. Am J Physiol 1979;236(6):E667-E677.
       doi:10.1152/ajpendo.1979.236.6.E667

    Examples
    --------
    >>> glucose_effectiveness()
    0.03
    """
    p = parameters or BergmanParameters()
    return p.p1


def teaching_insulin_profile(
    t: FloatOrArray, *, basal: float = 7.0, peak: float = 100.0, tau: float = 10.0
) -> FloatOrArray:
    """Plasma insulin after an intravenous glucose bolus [TEACHING ASSUMPTION].

    Parameters
    ----------
    t : float or array-like
        Time since the bolus [min]; ≥ 0.
    basal : float
        Basal insulin I_b [µU/mL].
    peak : float
        Insulin at t = 0 [µU/mL].
    tau : float
        Decay time constant [min].

    Returns
    -------
    float or numpy.ndarray
        Plasma insulin [µU/mL].

    Notes
    -----
    ``I(t) = I_b + (I_peak − I_b) · exp(−t/tau)``. A stand-in for measured insulin:
    real IVGTT insulin has a first-phase peak and, in many people, a second phase.

    References
    ----------
    .. [1] Bergman RN, Ider YZ, Bowden CR, Cobelli C. Am J Physiol
       1979;236(6):E667-E677. doi:10.1152/ajpendo.1979.236.6.E667 (the minimal model
       it feeds; the profile itself is a teaching construction).

    Examples
    --------
    >>> teaching_insulin_profile(0.0)
    100.0
    >>> round(teaching_insulin_profile(10.0), 2)
    41.21
    """
    tt = check_range("t", t, "min", low=0.0, high=1e5, low_inclusive=True)
    check_range("basal", basal, "µU/mL", low=0.0, high=1000.0, low_inclusive=True)
    check_range("peak", peak, "µU/mL", low=0.0, high=1e4, low_inclusive=True)
    check_range("tau", tau, "min", high=1e4)
    return scalar_or_array(basal + (peak - basal) * np.exp(-tt / tau))


def _measured_insulin(
    times: npt.ArrayLike, values: npt.ArrayLike, t_end: float
) -> Callable[[float], float]:
    t = as_float_array("insulin times", times, "min")
    v = as_float_array("insulin values", values, "µU/mL")
    if t.ndim != 1 or t.shape != v.shape or t.size < 2:
        raise ValueError(
            "measured insulin must be (times [min], values [µU/mL]), two 1-D arrays of equal "
            f"length ≥ 2; got shapes {t.shape} and {v.shape}"
        )
    check_range("insulin times", t, "min", low=-1e5, high=1e5)
    check_range("insulin values", v, "µU/mL", low=0.0, high=1e4, low_inclusive=True)
    if np.any(np.diff(t) <= 0):
        raise ValueError("insulin times must be strictly increasing [min]")
    if t[0] > 0.0 or t[-1] < t_end:
        raise ValueError(
            f"measured insulin must cover the simulated interval [0, {t_end:g}] min; "
            f"got times from {t[0]:g} to {t[-1]:g} min"
        )

    def insulin(time: float) -> float:
        return float(np.interp(time, t, v))

    return insulin


def _insulin_function(insulin: InsulinInput | None, basal: float, t_end: float) -> Callable[[float], float]:
    if insulin is None:
        return lambda time: float(teaching_insulin_profile(time, basal=basal))
    if callable(insulin):
        return insulin
    if isinstance(insulin, tuple | list) and len(insulin) == 2:
        return _measured_insulin(insulin[0], insulin[1], t_end)
    raise ValueError(
        "insulin must be a function of time [min] returning µU/mL, or measured data "
        f"(times [min], values [µU/mL]); got {type(insulin).__name__}"
    )


#: Default tolerances of the minimal model (RK45) [dimensionless] and [mg/dL, min^-1].
BERGMAN_RTOL: Final = 1e-8
BERGMAN_ATOL: Final = 1e-10
#: Default tolerances of the Topp model [dimensionless] and [state units].
TOPP_RTOL: Final = 1e-9
TOPP_ATOL: Final = 1e-9


def _solve_bergman(
    p: BergmanParameters,
    insulin: Callable[[float], float],
    glucose0: float,
    t_eval: Array,
    rtol: float = BERGMAN_RTOL,
    atol: float = BERGMAN_ATOL,
) -> tuple[Array, Array, Array]:
    p1, p2, p3, g_b, i_b = p.p1, p.p2, p.p3, p.G_b, p.I_b

    def rhs(t: float, y: Array) -> list[float]:
        g, x = y[0], y[1]
        return [-(p1 + x) * g + p1 * g_b, -p2 * x + p3 * (insulin(t) - i_b)]

    solution = solve(
        rhs, (0.0, float(t_eval[-1])), [glucose0, 0.0], what="the minimal model", unit="min",
        method="RK45", rtol=rtol, atol=atol, budget=100.0, t_eval=t_eval,
    )
    return solution.t, solution.y[0], solution.y[1]


@dataclass(frozen=True)
class IvgttResult:
    """A simulated IVGTT of the minimal model.

    Attributes
    ----------
    time : numpy.ndarray
        Time since the glucose bolus [min].
    glucose : numpy.ndarray
        Plasma glucose G [mg/dL].
    remote_insulin_action : numpy.ndarray
        Remote insulin action X [min⁻¹].
    insulin : numpy.ndarray
        Plasma insulin input I [µU/mL].
    parameters : BergmanParameters
        The parameters simulated (p3 already scaled when ``magnesium`` was given).
    magnesium : float or None
        Serum magnesium of the teaching link [mmol/L], or None (published model).
    """

    time: Array
    glucose: Array
    remote_insulin_action: Array
    insulin: Array
    parameters: BergmanParameters = field(repr=False)
    magnesium: float | None = None


def simulate_ivgtt(
    *,
    parameters: BergmanParameters | None = None,
    insulin: InsulinInput | None = None,
    glucose0: float = 280.0,
    duration: float = 180.0,
    magnesium: float | None = None,
    sample_interval: float = 1.0,
    rtol: float = BERGMAN_RTOL,
    atol: float = BERGMAN_ATOL,
) -> IvgttResult:
    """Simulate an IVGTT with the Bergman minimal model.

    Parameters
    ----------
    parameters : BergmanParameters, optional
        Defaults to the illustrative values (S_I = 5e-4 min⁻¹ per µU/mL).
    insulin : callable or (times, values), optional
        Plasma insulin input: a function of time [min] returning insulin [µU/mL], or
        measured data ``(times [min], insulin [µU/mL])`` covering [0, ``duration``],
        interpolated linearly. Defaults to :func:`teaching_insulin_profile` with
        ``basal = I_b`` [TEACHING ASSUMPTION].
    glucose0 : float
        Plasma glucose just after the bolus, G(0) [mg/dL]; in (0, 2000].
    duration : float
        Simulated time [min]; in (0, 1440].
    magnesium : float, optional
        Total serum magnesium [mmol/L]; scales p3 by :func:`sensitivity_factor`
        [TEACHING ASSUMPTION]. None (default) is the published model.
    sample_interval : float
        Spacing of the returned samples [min].
    rtol : float
        Relative tolerance [dimensionless]; in [1e-14, 1e-3]. The default 1e-8 is
        converged: at 1e-9 glucose changes by less than 0.5 %.
    atol : float
        Absolute tolerance [mg/dL for G, min⁻¹ for X]; in (0, 1]. Default 1e-10.

    Returns
    -------
    IvgttResult
        Time course with time in min.

    Notes
    -----
    With X(0) = 0 [1]_::

        dG/dt = −(p1 + X)·G + p1·G_b
        dX/dt = −p2·X + p3·(I(t) − I_b)

    Integrated with RK45 (Dormand–Prince).

    References
    ----------
    .. [1] Bergman RN, Ider YZ, Bowden CR, Cobelli C. Am J Physiol
       1979;236(6):E667-E677. doi:10.1152/ajpendo.1979.236.6.E667

    Examples
    --------
    >>> result = simulate_ivgtt()
    >>> float(result.glucose[0]), round(float(result.glucose[-1]), 1)
    (280.0, 88.4)
    """
    p = parameters or BergmanParameters()
    g0 = float(check_range("glucose0", glucose0, "mg/dL", high=2000.0))
    t_end = float(check_range("duration", duration, "min", high=1440.0))
    check_range("sample_interval", sample_interval, "min", high=t_end)
    rtol, atol = check_tolerances(rtol, atol, "mg/dL or min^-1")
    if magnesium is not None:
        p = replace(p, p3=p.p3 * _mg_factor(magnesium))
    insulin_fn = _insulin_function(insulin, p.I_b, t_end)
    t_eval = _grid(t_end, sample_interval)
    t, g, x = _solve_bergman(p, insulin_fn, g0, t_eval, rtol, atol)
    i = np.array([insulin_fn(float(s)) for s in t])
    return IvgttResult(time=t, glucose=g, remote_insulin_action=x, insulin=i, parameters=p,
                       magnesium=magnesium)


def _grid(t_end: float, interval: float) -> Array:
    n = math.floor(t_end / interval + 1e-9)
    grid = np.arange(n + 1, dtype=np.float64) * interval
    if t_end - grid[-1] > 1e-9 * max(t_end, 1.0):
        grid = np.append(grid, t_end)
    else:
        grid[-1] = t_end
    return grid


@dataclass(frozen=True)
class IvgttData:
    """Sampled IVGTT data: glucose and insulin at the sampling times.

    Attributes
    ----------
    times : numpy.ndarray
        Sampling times after the bolus [min].
    glucose : numpy.ndarray
        Plasma glucose [mg/dL].
    insulin : numpy.ndarray
        Plasma insulin [µU/mL].
    """

    times: Array
    glucose: Array
    insulin: Array


def synthetic_ivgtt(
    *,
    parameters: BergmanParameters | None = None,
    times: Sequence[float] | Array = IVGTT_SAMPLE_TIMES,
    glucose0: float = 280.0,
    insulin: Callable[[float], float] | None = None,
    noise_cv: float = 0.0,
    rng: np.random.Generator | None = None,
    magnesium: float | None = None,
) -> IvgttData:
    """Synthetic IVGTT data from the minimal model, optionally with assay noise.

    Parameters
    ----------
    parameters : BergmanParameters, optional
        The "true" parameters; defaults to the illustrative values.
    times : sequence of float
        Sampling times [min]; increasing, ≥ 0. Defaults to :data:`IVGTT_SAMPLE_TIMES`.
    glucose0 : float
        G(0) just after the bolus [mg/dL].
    insulin : callable, optional
        Plasma insulin [µU/mL] as a function of time [min]; defaults to
        :func:`teaching_insulin_profile` with ``basal = I_b``.
    noise_cv : float
        Coefficient of variation of multiplicative Gaussian glucose noise
        [dimensionless]; 0 (default) gives noiseless data, 0.015-0.02 is typical of
        glucose assays. Insulin is returned without noise.
    rng : numpy.random.Generator, optional
        Source of the noise; required when ``noise_cv > 0``.
    magnesium : float, optional
        Total serum magnesium [mmol/L] for the teaching link that scales p3.

    Returns
    -------
    IvgttData
        Glucose [mg/dL] and insulin [µU/mL] at ``times`` [min].

    Notes
    -----
    ``glucose_i = G(t_i) · (1 + cv · z_i)`` with independent standard normal ``z_i``.

    References
    ----------
    .. [1] Bergman RN et al. Am J Physiol 1979;236(6):E667-E677.
       doi:10.1152/ajpendo.1979.236.6.E667

    Examples
    --------
    >>> data = synthetic_ivgtt(noise_cv=0.02, rng=np.random.default_rng(1))
    >>> data.times.shape == data.glucose.shape == data.insulin.shape
    True
    """
    p = parameters or BergmanParameters()
    t = check_range("times", times, "min", low=0.0, high=1440.0, low_inclusive=True)
    if t.ndim != 1 or t.size < 2 or np.any(np.diff(t) <= 0):
        raise ValueError("times must be a strictly increasing 1-D sequence of ≥ 2 values [min]")
    cv = float(check_range("noise_cv", noise_cv, "dimensionless", low=0.0, high=0.5,
                           low_inclusive=True))
    if cv > 0 and rng is None:
        raise ValueError("noise_cv > 0 needs rng, a numpy.random.Generator (no global seeding)")
    if magnesium is not None:
        p = replace(p, p3=p.p3 * _mg_factor(magnesium))
    insulin_fn = _insulin_function(insulin, p.I_b, float(t[-1]))
    g0 = float(check_range("glucose0", glucose0, "mg/dL", high=2000.0))
    _, g, _ = _solve_bergman(p, insulin_fn, g0, t)
    if cv > 0 and rng is not None:
        g = g * (1.0 + cv * rng.standard_normal(g.size))
    i = np.array([insulin_fn(float(s)) for s in t])
    return IvgttData(times=t.copy(), glucose=g, insulin=i)


@dataclass(frozen=True)
class MinimalModelFit:
    """Least-squares estimates of the minimal-model parameters from IVGTT data.

    Attributes
    ----------
    insulin_sensitivity : float
        S_I = p3/p2 [min⁻¹ per µU/mL].
    glucose_effectiveness : float
        S_G = p1 [min⁻¹].
    parameters : BergmanParameters
        Fitted p1, p2, p3 with the basal values used.
    glucose0 : float
        G(0) [mg/dL], fitted unless it was given.
    insulin_sensitivity_se : float
        Approximate (linearised) standard error of S_I [min⁻¹ per µU/mL].
    rms_residual : float
        Root-mean-square glucose residual [mg/dL].
    success : bool
        Whether the optimiser reported convergence.
    message : str
        The optimiser's message.
    """

    insulin_sensitivity: float
    glucose_effectiveness: float
    parameters: BergmanParameters
    glucose0: float
    insulin_sensitivity_se: float
    rms_residual: float
    success: bool
    message: str


def fit_insulin_sensitivity(
    times: npt.ArrayLike,
    glucose: npt.ArrayLike,
    insulin: InsulinInput | npt.ArrayLike,
    *,
    p1_guess: float = 0.03,
    p2_guess: float = 0.02,
    p3_guess: float = 1.0e-5,
    basal_glucose: float = 90.0,
    basal_insulin: float = 7.0,
    glucose0: float | None = None,
    fit_from: float = 0.0,
) -> MinimalModelFit:
    """Estimate S_I and S_G by fitting the minimal model to IVGTT glucose data.

    Parameters
    ----------
    times : array-like
        Glucose sampling times after the bolus [min]; increasing, ≥ 0.
    glucose : array-like
        Measured plasma glucose at ``times`` [mg/dL].
    insulin : array-like, (times, values) or callable
        Plasma insulin [µU/mL]: values at ``times`` (interpolated linearly; the
        first time must be 0), measured ``(times [min], values [µU/mL])`` covering
        0 to the last glucose sample, or a function of time [min].
    p1_guess, p2_guess : float
        Starting values of p1 and p2 [min⁻¹].
    p3_guess : float
        Starting value of p3 [min⁻² per µU/mL].
    basal_glucose : float
        Basal glucose G_b [mg/dL], taken as known (the pre-bolus value).
    basal_insulin : float
        Basal insulin I_b [µU/mL], taken as known.
    glucose0 : float, optional
        G(0) [mg/dL]. None (default) fits it as a fourth parameter, as MINMOD does.
    fit_from : float
        Samples before this time are left out of the fit [min]; 8-10 min is common,
        to skip the mixing phase that the one-compartment model does not describe.

    Returns
    -------
    MinimalModelFit
        S_I, S_G, the fitted parameters and fit diagnostics.

    Notes
    -----
    Minimises ``Σ (G_model(t_i) − G_i)²`` over ``log p1, log p2, log p3`` (and
    ``log G(0)``) with :func:`scipy.optimize.least_squares` (trust-region
    reflective), within bounds p1, p2 ∈ [1e-5, 1] min⁻¹, p3 ∈ [1e-10, 1e-2],
    G(0) ∈ [1, 2000] mg/dL. Fitting logarithms keeps the parameters positive and
    balances their very different magnitudes. The standard error of S_I comes from
    the Jacobian at the optimum, ``cov = s²·(JᵀJ)⁻¹`` in log-parameters [1]_.

    References
    ----------
    .. [1] Bergman RN, Ider YZ, Bowden CR, Cobelli C. Am J Physiol
       1979;236(6):E667-E677. doi:10.1152/ajpendo.1979.236.6.E667

    Examples
    --------
    >>> data = synthetic_ivgtt()
    >>> fit = fit_insulin_sensitivity(data.times, data.glucose, teaching_insulin_profile)
    >>> round(fit.insulin_sensitivity * 1e4, 3)
    5.0
    """
    t = check_range("times", times, "min", low=0.0, high=1440.0, low_inclusive=True)
    g = check_range("glucose", glucose, "mg/dL", high=2000.0)
    if t.ndim != 1 or t.shape != g.shape:
        raise ValueError(f"times and glucose must be 1-D arrays of equal length; got {t.shape}, "
                         f"{g.shape}")
    if np.any(np.diff(t) <= 0):
        raise ValueError("times must be strictly increasing [min]")
    check_range("fit_from", fit_from, "min", low=0.0, high=float(t[-1]), low_inclusive=True,
                high_inclusive=False)
    used = t >= fit_from
    n_free = 3 if glucose0 is not None else 4
    if int(np.sum(used)) < n_free + 1:
        raise ValueError(f"need at least {n_free + 1} glucose samples at or after fit_from = "
                         f"{fit_from:g} min; got {int(np.sum(used))}")
    check_range("p1_guess", p1_guess, "min^-1", high=10.0)
    check_range("p2_guess", p2_guess, "min^-1", high=10.0)
    check_range("p3_guess", p3_guess, "min^-2 per µU/mL", high=1.0)
    check_range("basal_glucose", basal_glucose, "mg/dL", high=1000.0)
    check_range("basal_insulin", basal_insulin, "µU/mL", low=0.0, high=1000.0, low_inclusive=True)
    base = BergmanParameters(p1=p1_guess, p2=p2_guess, p3=p3_guess, G_b=basal_glucose,
                             I_b=basal_insulin)
    if callable(insulin) or (isinstance(insulin, tuple) and len(insulin) == 2):
        insulin_fn = _insulin_function(insulin, basal_insulin, float(t[-1]))
    else:
        insulin_fn = _measured_insulin(t, insulin, float(t[-1]))
    if glucose0 is not None:
        check_range("glucose0", glucose0, "mg/dL", high=2000.0)
    g0_guess = float(g[0]) if glucose0 is None else float(glucose0)

    x0 = [math.log(p1_guess), math.log(p2_guess), math.log(p3_guess)]
    lower = [math.log(1e-5), math.log(1e-5), math.log(1e-10)]
    upper = [0.0, 0.0, math.log(1e-2)]
    if glucose0 is None:
        x0.append(math.log(min(max(g0_guess, 1.0), 2000.0)))
        lower.append(0.0)
        upper.append(math.log(2000.0))
    x0 = [min(max(v, lo + 1e-12), hi - 1e-12) for v, lo, hi in zip(x0, lower, upper, strict=True)]

    def unpack(x: Array) -> tuple[BergmanParameters, float]:
        p = replace(base, p1=math.exp(x[0]), p2=math.exp(x[1]), p3=math.exp(x[2]))
        g0 = math.exp(x[3]) if glucose0 is None else float(glucose0)
        return p, g0

    def residuals(x: Array) -> Array:
        p, g0 = unpack(x)
        _, model, _ = _solve_bergman(p, insulin_fn, g0, t)
        return (model - g)[used]

    # Finite-difference step of 1e-4 (relative, on log parameters): smaller steps fall into
    # the ODE solver's own noise and stop the optimiser short of the best fit.
    result = least_squares(residuals, np.asarray(x0), bounds=(lower, upper), method="trf",
                           diff_step=1e-4, x_scale=1.0, xtol=1e-12, ftol=1e-12, gtol=1e-12)
    p_fit, g0_fit = unpack(result.x)
    m = int(np.sum(used))
    dof = max(m - len(x0), 1)
    s2 = 2.0 * float(result.cost) / dof
    cov = s2 * np.linalg.pinv(result.jac.T @ result.jac)
    var_log_si = cov[2, 2] + cov[1, 1] - 2.0 * cov[1, 2]
    si = p_fit.p3 / p_fit.p2
    return MinimalModelFit(
        insulin_sensitivity=si,
        glucose_effectiveness=p_fit.p1,
        parameters=p_fit,
        glucose0=g0_fit,
        insulin_sensitivity_se=si * math.sqrt(max(float(var_log_si), 0.0)),
        rms_residual=math.sqrt(2.0 * float(result.cost) / m),
        success=bool(result.success),
        message=str(result.message),
    )


# -- Topp 2000 βIG model --------------------------------------------------------------------


@dataclass(frozen=True)
class ToppParameters:
    """Parameters of the Topp et al. 2000 β-cell mass, insulin and glucose model [PUBLISHED].

    The set of BioModels entry BIOMD0000000341, time in days. Source: Topp B,
    Promislow K, deVries G, Miura RM, Finegood DT. A model of β-cell mass, insulin,
    and glucose kinetics: pathways to diabetes. J Theor Biol 2000;206(4):605-619.
    doi:10.1006/jtbi.2000.2150
    """

    R0: float = 864.0  # net glucose production at zero glucose [mg dL^-1 day^-1]
    EG0: float = 1.44  # glucose effectiveness at zero insulin [day^-1]
    SI: float = 0.72  # insulin sensitivity [mL µU^-1 day^-1]
    sigma: float = 43.2  # maximal insulin secretion per unit β-cell mass [µU mL^-1 day^-1 mg^-1]
    alpha: float = 20000.0  # secretion half-saturation constant, G at half-maximum squared [mg^2 dL^-2]
    k: float = 432.0  # insulin clearance rate [day^-1]
    d0: float = 0.06  # β-cell death rate at zero glucose [day^-1]
    r1: float = 0.84e-3  # linear glucose effect on β-cell growth [dL mg^-1 day^-1]
    r2: float = 0.24e-5  # quadratic (glucotoxic) glucose effect on β-cell growth [dL^2 mg^-2 day^-1]

    def __post_init__(self) -> None:
        units = {
            "R0": "mg dL^-1 day^-1", "EG0": "day^-1", "SI": "mL µU^-1 day^-1",
            "sigma": "µU mL^-1 day^-1 mg^-1", "alpha": "mg^2 dL^-2", "k": "day^-1",
            "d0": "day^-1", "r1": "dL mg^-1 day^-1", "r2": "dL^2 mg^-2 day^-1",
        }
        for f in fields(self):
            check_range(f.name, getattr(self, f.name), units[f.name], high=1e9)


def topp_derivatives(
    state: Sequence[float] | Array, *, parameters: ToppParameters | None = None
) -> Array:
    """Right-hand side of the Topp model, (dG/dt, dI/dt, dβ/dt).

    Parameters
    ----------
    state : sequence of 3 float
        Glucose [mg/dL], insulin [µU/mL] and β-cell mass [mg].
    parameters : ToppParameters, optional
        Defaults to the published set.

    Returns
    -------
    numpy.ndarray
        Derivatives [mg dL⁻¹ day⁻¹, µU mL⁻¹ day⁻¹, mg day⁻¹].

    Notes
    -----
    ::

        dG/dt = R0 − (EG0 + SI·I)·G
        dI/dt = β·sigma·G²/(alpha + G²) − k·I
        dβ/dt = (−d0 + r1·G − r2·G²)·β

    References
    ----------
    .. [1] Topp B et al. J Theor Biol 2000;206(4):605-619. doi:10.1006/jtbi.2000.2150

    Examples
    --------
    >>> bool(np.allclose(topp_derivatives((100.0, 10.0, 300.0)), 0.0))
    True
    """
    p = parameters or ToppParameters()
    g, i, b = (float(v) for v in _state3(state))
    return np.array(_topp_rhs_values(p, p.SI, g, i, b))


def _state3(state: Sequence[float] | Array) -> Array:
    arr = as_float_array("state", state, "mg/dL, µU/mL, mg")
    if arr.shape != (3,) or not np.all(np.isfinite(arr)):
        raise ValueError(f"state must be three finite numbers (G [mg/dL], I [µU/mL], β [mg]); "
                         f"got {state!r}")
    return arr


def _topp_rhs_values(p: ToppParameters, si: float, g: float, i: float, b: float) -> list[float]:
    g2 = g * g
    return [
        p.R0 - (p.EG0 + si * i) * g,
        b * p.sigma * g2 / (p.alpha + g2) - p.k * i,
        (-p.d0 + p.r1 * g - p.r2 * g2) * b,
    ]


def _topp_jac_values(p: ToppParameters, si: float, g: float, i: float, b: float) -> Array:
    g2 = g * g
    return np.array([
        [-(p.EG0 + si * i), -si * g, 0.0],
        [b * p.sigma * 2.0 * g * p.alpha / (p.alpha + g2) ** 2, -p.k, p.sigma * g2 / (p.alpha + g2)],
        [(p.r1 - 2.0 * p.r2 * g) * b, 0.0, -p.d0 + p.r1 * g - p.r2 * g2],
    ])


def topp_jacobian(
    state: Sequence[float] | Array, *, parameters: ToppParameters | None = None
) -> Array:
    """Analytic Jacobian of the Topp model at a state.

    Parameters
    ----------
    state : sequence of 3 float
        Glucose [mg/dL], insulin [µU/mL] and β-cell mass [mg].
    parameters : ToppParameters, optional
        Defaults to the published set.

    Returns
    -------
    numpy.ndarray
        3×3 matrix ∂(dG/dt, dI/dt, dβ/dt)/∂(G, I, β) [day⁻¹ and mixed units].

    Notes
    -----
    Row by row, with ``s(G) = G²/(alpha + G²)`` and ``q(G) = −d0 + r1·G − r2·G²``::

        [ −(EG0 + SI·I),            −SI·G,   0          ]
        [ β·sigma·2·alpha·G/(alpha + G²)²,   −k,  sigma·s(G) ]
        [ (r1 − 2·r2·G)·β,           0,       q(G)      ]

    References
    ----------
    .. [1] Topp B et al. J Theor Biol 2000;206(4):605-619. doi:10.1006/jtbi.2000.2150

    Examples
    --------
    >>> topp_jacobian((100.0, 10.0, 300.0)).shape
    (3, 3)
    """
    p = parameters or ToppParameters()
    g, i, b = (float(v) for v in _state3(state))
    return _topp_jac_values(p, p.SI, g, i, b)


@dataclass(frozen=True)
class ToppResult:
    """A simulated course of the Topp model.

    Attributes
    ----------
    time : numpy.ndarray
        Time [days].
    glucose : numpy.ndarray
        Plasma glucose G [mg/dL].
    insulin : numpy.ndarray
        Plasma insulin I [µU/mL].
    beta_mass : numpy.ndarray
        β-cell mass [mg].
    insulin_sensitivity : numpy.ndarray
        SI in effect at each time, after the schedule and magnesium factors
        [mL µU⁻¹ day⁻¹].
    parameters : ToppParameters
        The parameters given (SI before the schedule and magnesium factors).
    magnesium : float or None
        Serum magnesium of the teaching link [mmol/L], or None (published model).
    """

    time: Array
    glucose: Array
    insulin: Array
    beta_mass: Array
    insulin_sensitivity: Array
    parameters: ToppParameters = field(repr=False)
    magnesium: float | None = None

    @property
    def final_state(self) -> tuple[float, float, float]:
        """(G [mg/dL], I [µU/mL], β [mg]) at the last time, usable as ``initial=``."""
        return float(self.glucose[-1]), float(self.insulin[-1]), float(self.beta_mass[-1])


#: A change of SI over time: a function of time [days] returning a multiplier on SI,
#: or ``[(start_day, multiplier), ...]`` for piecewise-constant steps.
SiSchedule = Callable[[float], float] | Sequence[tuple[float, float]]
ToppMethod = Literal["LSODA", "BDF", "Radau"]


def _segments(schedule: SiSchedule | None, t_end: float) -> list[tuple[float, float, float | None]]:
    """Integration segments (start, end, constant multiplier or None for a callable)."""
    if schedule is None:
        return [(0.0, t_end, 1.0)]
    if callable(schedule):
        return [(0.0, t_end, None)]
    steps = sorted((float(a), float(b)) for a, b in schedule)
    for start, mult in steps:
        check_range("si_schedule start", start, "days", low=0.0, high=t_end, low_inclusive=True)
        check_range("si_schedule multiplier", mult, "dimensionless", high=100.0)
    bounds = [0.0] + [s for s, _ in steps if 0.0 < s < t_end] + [t_end]
    segments: list[tuple[float, float, float | None]] = []
    for a, b in itertools.pairwise(bounds):
        mult = 1.0
        for start, m in steps:
            if start <= a:
                mult = m
        segments.append((a, b, mult))
    return segments


def _si_function(base: float, schedule: Callable[[float], float] | float | None) -> Callable[[float], float]:
    """SI [mL µU⁻¹ day⁻¹] over time from a constant or callable multiplier."""
    if callable(schedule):
        f = schedule

        def si_of(t: float) -> float:
            mult = float(f(t))
            if not (math.isfinite(mult) and 0.0 < mult <= 100.0):
                raise ValueError(f"si_schedule({t:g}) = {mult!r} is out of range; the SI multiplier "
                                 "must lie in (0, 100] [dimensionless]")
            return base * mult

        return si_of
    constant = base * (1.0 if schedule is None else float(schedule))
    return lambda _t: constant


def simulate_topp(
    *,
    parameters: ToppParameters | None = None,
    initial: Sequence[float] = (100.0, 10.0, 300.0),
    duration: float = 1000.0,
    magnesium: float | None = None,
    si_schedule: SiSchedule | None = None,
    sample_interval: float = 1.0,
    method: ToppMethod = "LSODA",
    rtol: float = TOPP_RTOL,
    atol: float = TOPP_ATOL,
) -> ToppResult:
    """Simulate the Topp et al. 2000 β-cell mass, insulin and glucose model.

    Parameters
    ----------
    parameters : ToppParameters, optional
        Defaults to the published set. A changed ``SI`` (``dataclasses.replace``)
        with the default ``initial`` is a change of SI at t = 0 from the rest state.
    initial : sequence of 3 float
        Initial glucose [mg/dL], insulin [µU/mL] and β-cell mass [mg]; the default
        (100, 10, 300) is the physiological rest state of the published set.
    duration : float
        Simulated time [days]; in (0, 36500].
    magnesium : float, optional
        Total serum magnesium [mmol/L]; multiplies SI by :func:`sensitivity_factor`
        [TEACHING ASSUMPTION]. None (default) is the published model.
    si_schedule : callable or sequence of (day, multiplier), optional
        A multiplier on SI over time: a smooth function of time [days], or
        piecewise-constant steps ``[(start_day, multiplier), ...]`` (multiplier 1
        before the first step). Steps are integrated piece by piece.
    sample_interval : float
        Spacing of the returned samples [days].
    method : {"LSODA", "BDF", "Radau"}
        Stiff integrator, with the analytic Jacobian.
    rtol : float
        Relative tolerance [dimensionless]; in [1e-14, 1e-3]. The default 1e-9 is
        converged: at 1e-10 the states change by less than 0.5 %.
    atol : float
        Absolute tolerance [mg/dL, µU/mL and mg]; in (0, 1]. Default 1e-9.

    Returns
    -------
    ToppResult
        Time course with time in days.

    Notes
    -----
    ::

        dG/dt = R0 − (EG0 + SI·I)·G
        dI/dt = β·sigma·G²/(alpha + G²) − k·I
        dβ/dt = (−d0 + r1·G − r2·G²)·β

    The system is stiff (insulin clears at 432 day⁻¹, β changes at ~10⁻² day⁻¹),
    hence an implicit method [1]_.

    References
    ----------
    .. [1] Topp B, Promislow K, deVries G, Miura RM, Finegood DT. J Theor Biol
       2000;206(4):605-619. doi:10.1006/jtbi.2000.2150

    Examples
    --------
    >>> from dataclasses import replace
    >>> result = simulate_topp(parameters=replace(ToppParameters(), SI=0.36), duration=2000.0)
    >>> [round(v, 1) for v in result.final_state]
    [100.0, 20.0, 600.0]
    """
    p = parameters or ToppParameters()
    y0 = _state3(initial)
    check_range("initial", y0, "mg/dL, µU/mL, mg", low=0.0, high=1e6, low_inclusive=True)
    t_end = float(check_range("duration", duration, "days", high=36500.0))
    check_range("sample_interval", sample_interval, "days", high=t_end)
    check_choice("method", method, ("LSODA", "BDF", "Radau"))
    rtol, atol = check_tolerances(rtol, atol, "mg/dL, µU/mL or mg")
    mg = _mg_factor(magnesium)
    grid = _grid(t_end, sample_interval)
    segments = _segments(si_schedule, t_end)
    schedule_fn = si_schedule if callable(si_schedule) else None
    times: list[Array] = []
    states: list[Array] = []
    sis: list[Array] = []
    y = y0.astype(float)
    for n, (a, b, mult) in enumerate(segments):
        last = n == len(segments) - 1
        in_seg = (grid >= a) & ((grid <= b) if last else (grid < b))
        t_eval = grid[in_seg]
        si_of = _si_function(p.SI * mg, schedule_fn if mult is None else mult)

        def rhs(t: float, yy: Array, si_of: Callable[[float], float] = si_of) -> list[float]:
            return _topp_rhs_values(p, si_of(t), yy[0], yy[1], yy[2])

        def jac(t: float, yy: Array, si_of: Callable[[float], float] = si_of) -> Array:
            return _topp_jac_values(p, si_of(t), yy[0], yy[1], yy[2])

        eval_points = np.union1d(t_eval, [b])
        solution = solve(rhs, (a, b), y, what="the Topp model", unit="days", method=method,
                         rtol=rtol, atol=atol, budget=10.0, t_eval=eval_points, jac=jac)
        keep = np.isin(solution.t, t_eval)
        times.append(solution.t[keep])
        states.append(solution.y[:, keep])
        sis.append(np.array([si_of(float(t)) for t in solution.t[keep]]))
        y = solution.y[:, -1]
    t_all = np.concatenate(times)
    y_all = np.concatenate(states, axis=1)
    return ToppResult(time=t_all, glucose=y_all[0], insulin=y_all[1], beta_mass=y_all[2],
                      insulin_sensitivity=np.concatenate(sis), parameters=p, magnesium=magnesium)


FixedPointName = Literal["physiological", "saddle", "pathological"]
Stability = Literal["stable", "saddle", "unstable"]


@dataclass(frozen=True)
class FixedPoint:
    """A steady state of the Topp model with its linear stability.

    Attributes
    ----------
    name : {"physiological", "saddle", "pathological"}
        Which of the three fixed points [DERIVED].
    glucose : float
        G* [mg/dL].
    insulin : float
        I* [µU/mL].
    beta_mass : float
        β* [mg].
    eigenvalues : numpy.ndarray
        Eigenvalues of the Jacobian there [day⁻¹], sorted by real part.
    stability : {"stable", "saddle", "unstable"}
        "stable" if every real part is negative, "unstable" if every one is
        positive, "saddle" otherwise.
    """

    name: FixedPointName
    glucose: float
    insulin: float
    beta_mass: float
    eigenvalues: npt.NDArray[np.complex128] = field(repr=False)
    stability: Stability

    @property
    def state(self) -> tuple[float, float, float]:
        """(G* [mg/dL], I* [µU/mL], β* [mg])."""
        return self.glucose, self.insulin, self.beta_mass


def _effective_topp(parameters: ToppParameters | None, magnesium: float | None) -> ToppParameters:
    p = parameters or ToppParameters()
    if magnesium is not None:
        p = replace(p, SI=p.SI * _mg_factor(magnesium))
    return p


def _eigenvalues(jacobian: Array) -> npt.NDArray[np.complex128]:
    return np.asarray(np.sort_complex(np.linalg.eigvals(jacobian)), dtype=np.complex128)


def _classify(eigenvalues: npt.NDArray[np.complex128]) -> Stability:
    re = eigenvalues.real
    if np.all(re < 0):
        return "stable"
    if np.all(re > 0):
        return "unstable"
    return "saddle"


def fixed_points(
    parameters: ToppParameters | None = None, *, magnesium: float | None = None
) -> list[FixedPoint]:
    """Fixed points of the Topp model and their stability [DERIVED].

    Parameters
    ----------
    parameters : ToppParameters, optional
        Defaults to the published set.
    magnesium : float, optional
        Total serum magnesium [mmol/L] for the teaching link that scales SI.

    Returns
    -------
    list of FixedPoint
        The physiological state and the saddle (when they exist, with I* > 0), then
        the pathological state.

    Notes
    -----
    With β > 0, G* is a root of ``−d0 + r1·G − r2·G² = 0``: the lower root is the
    physiological state, the upper root the saddle. Then::

        I* = R0/(G*·SI) − EG0/SI
        β* = k·I*·(alpha + G*²)/(sigma·G*²)

    With β = 0: I = 0 and G = R0/EG0 (the pathological state). Stability comes from
    the eigenvalues of the analytic Jacobian (:func:`topp_jacobian`) [1]_.

    References
    ----------
    .. [1] Topp B et al. J Theor Biol 2000;206(4):605-619. doi:10.1006/jtbi.2000.2150

    Examples
    --------
    >>> [(fp.name, round(fp.glucose, 6), fp.stability) for fp in fixed_points()]
    [('physiological', 100.0, 'stable'), ('saddle', 250.0, 'saddle'), ('pathological', 600.0, 'stable')]
    """
    p = _effective_topp(parameters, magnesium)
    points: list[FixedPoint] = []
    disc = p.r1 * p.r1 - 4.0 * p.r2 * p.d0
    if disc >= 0.0:
        root = math.sqrt(disc)
        for name, g in (("physiological", (p.r1 - root) / (2.0 * p.r2)),
                        ("saddle", (p.r1 + root) / (2.0 * p.r2))):
            i = p.R0 / (g * p.SI) - p.EG0 / p.SI
            if g <= 0.0 or i <= 0.0:
                continue
            b = p.k * i * (p.alpha + g * g) / (p.sigma * g * g)
            ev = _eigenvalues(_topp_jac_values(p, p.SI, g, i, b))
            points.append(FixedPoint(name, g, i, b, ev, _classify(ev)))  # type: ignore[arg-type]
    g_path = p.R0 / p.EG0
    ev = _eigenvalues(_topp_jac_values(p, p.SI, g_path, 0.0, 0.0))
    points.append(FixedPoint("pathological", g_path, 0.0, 0.0, ev, _classify(ev)))
    return points


@dataclass(frozen=True)
class SteadyStateIndices:
    """Clinical indices at the physiological steady state of the Topp model.

    Attributes
    ----------
    glucose : float
        G* [mg/dL].
    insulin : float
        I* [µU/mL].
    beta_mass : float
        β* [mg].
    homa_ir : float
        HOMA1-IR = G*·I*/405 [dimensionless].
    homa_beta : float
        HOMA1-%B = 360·I*/(G* − 63) [%].
    """

    glucose: float
    insulin: float
    beta_mass: float
    homa_ir: float
    homa_beta: float


def steady_state_indices(
    parameters: ToppParameters | None = None, *, magnesium: float | None = None
) -> SteadyStateIndices:
    """HOMA1-IR and HOMA1-%B at the physiological steady state of the Topp model.

    Parameters
    ----------
    parameters : ToppParameters, optional
        Defaults to the published set.
    magnesium : float, optional
        Total serum magnesium [mmol/L] for the teaching link that scales SI.

    Returns
    -------
    SteadyStateIndices
        The steady state and its HOMA1 indices.

    Raises
    ------
    ValueError
        If the parameters have no physiological state (R0/G* ≤ EG0, or no real root).

    Notes
    -----
    ``HOMA1-IR = G*[mg/dL]·I*/405`` and ``HOMA1-%B = 360·I*/(G*[mg/dL] − 63)`` [1]_,
    at the state of :func:`fixed_points` [2]_. Because G* does not depend on SI and
    I* ∝ 1/SI, HOMA1-IR ∝ 1/SI here [DERIVED].

    References
    ----------
    .. [1] Matthews DR et al. Diabetologia 1985;28(7):412-419. doi:10.1007/BF00280883
    .. [2] Topp B et al. J Theor Biol 2000;206(4):605-619. doi:10.1006/jtbi.2000.2150

    Examples
    --------
    >>> s = steady_state_indices()
    >>> round(s.homa_ir, 4), round(s.homa_beta, 2)
    (2.4691, 97.3)
    """
    points = [fp for fp in fixed_points(parameters, magnesium=magnesium) if fp.name == "physiological"]
    if not points:
        raise ValueError("these parameters have no physiological steady state with insulin > 0 "
                         "(needs a real lower root G* of −d0 + r1·G − r2·G² and R0/G* > EG0)")
    fp = points[0]
    return SteadyStateIndices(
        glucose=fp.glucose,
        insulin=fp.insulin,
        beta_mass=fp.beta_mass,
        homa_ir=float(homa_ir(fp.glucose, fp.insulin, glucose_unit="mg/dL")),
        homa_beta=float(homa_beta(fp.glucose, fp.insulin, glucose_unit="mg/dL")),
    )
