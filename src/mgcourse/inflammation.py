"""Low-grade inflammation and oxidative stress as links between magnesium and insulin action.

Every relation in this module is a [TEACHING ASSUMPTION]. No published small
model links serum magnesium, TNF-α and insulin signalling quantitatively; the
seed reviews support only the directions:

* magnesium deficiency goes with higher pro-inflammatory mediators (IL-1, IL-6,
  TNF-α) and supplementation is reported to lower them;
* TNF-α, through NF-κB and JNK, phosphorylates IRS-1 on an inhibitory serine and
  so blocks its tyrosine phosphorylation;
* hyperglycaemia raises the production of reactive oxygen species (ROS); magnesium
  lowers ROS production and supports the antioxidant enzymes glutathione
  peroxidase, superoxide dismutase and catalase.

The magnitudes below are didactic choices, not measurements, and the course
presents them as such.

Contents:

* TNF-α relative to a healthy reference as a function of total serum magnesium,
  at steady state (:func:`tnf_steady_state`) or relaxing towards it
  (:func:`tnf_dynamics`);
* coupling (A), preferred: TNF-α raises the basal, insulin-independent IRS1
  Ser307 phosphorylation ``k2basal`` of the Brännmark et al. (2013) adipocyte
  model (:func:`brannmark_with_tnf`, :func:`insulin_response_with_tnf`);
* coupling (B): TNF-α lowers the receptor-kinase phosphorylation of IRS-1, ``k7``,
  of the Sedaghat et al. (2002) model (:func:`sedaghat_with_tnf`);
* a one-variable ROS balance, production against antioxidant clearance
  (:func:`ros_steady_state`, :func:`ros_rate`).

Units: total serum magnesium in mmol/L, plasma glucose in mmol/L, time in days
for TNF-α; TNF-α and ROS are dimensionless, 1 at the healthy reference.

References
----------
.. [1] Hosseini Dastgerdi A, Ghanbari Rad M, Soltani N. The therapeutic effects of
   magnesium in insulin secretion and insulin resistance. Adv Biomed Res
   2022;11:54. doi:10.4103/abr.abr_366_21
.. [2] Brännmark C, Nyman E, Fagerholm S, Bergenholm L, Ekstrand EM, Cedersund G,
   Strålfors P. Insulin signaling in type 2 diabetes: experimental and modeling
   analyses reveal mechanisms of insulin resistance in human adipocytes. J Biol Chem
   2013;288(14):9867-9880. doi:10.1074/jbc.M112.432062
.. [3] Sedaghat AR, Sherman A, Quon MJ. A mathematical model of metabolic insulin
   signaling pathways. Am J Physiol Endocrinol Metab 2002;283(5):E1084-E1101.
   doi:10.1152/ajpendo.00571.2001
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Final

import numpy as np
import numpy.typing as npt

from mgcourse._validation import FloatOrArray, check_range, scalar_or_array
from mgcourse.signalling import (
    NORMAL,
    BrannmarkDoseResponse,
    BrannmarkMethod,
    BrannmarkParameters,
    SedaghatParameters,
    dose_response_brannmark,
)

__all__ = [
    "DEFAULT_OXIDATIVE_STRESS",
    "OxidativeStress",
    "OxidativeStressParameters",
    "TnfInsulinResponse",
    "brannmark_with_tnf",
    "insulin_response_with_tnf",
    "ros_rate",
    "ros_steady_state",
    "sedaghat_with_tnf",
    "tnf_dynamics",
    "tnf_steady_state",
]

FloatArray = npt.NDArray[np.float64]

#: Reference total serum magnesium of the teaching extensions [mmol/L].
REFERENCE_SERUM_MG: Final = 0.85
#: Largest TNF-α level accepted by the couplings [dimensionless, 1 = healthy].
_TNF_MAX: Final = 100.0
#: Largest coupling strength accepted [dimensionless].
_COUPLING_MAX: Final = 100.0


def _serum_mg(value: object, name: str = "serum_mg") -> FloatArray:
    return check_range(name, value, "mmol/L", low=0.0, high=5.0)


def _scalar(name: str, value: object, unit: str) -> float:
    if np.ndim(value) != 0:  # type: ignore[arg-type]
        raise ValueError(f"{name} must be a single number [{unit}], got {value!r}")
    return float(check_range(name, value, unit, low=0.0, high=_TNF_MAX))


def _coupling_factor(tnf: float, strength: float, strength_name: str) -> float:
    """``1 + c·(T − 1)``, which must stay positive."""
    factor = 1.0 + strength * (tnf - 1.0)
    if factor <= 0.0:
        raise ValueError(
            f"1 + {strength_name}·(tnf − 1) = {factor:g} with tnf = {tnf:g} and "
            f"{strength_name} = {strength:g} is not positive; lower {strength_name} "
            f"or raise tnf (valid: tnf > 1 − 1/{strength_name})"
        )
    return factor


# ---------------------------------------------------------------------------
# TNF-α and serum magnesium [TEACHING ASSUMPTION]
# ---------------------------------------------------------------------------


def tnf_steady_state(
    serum_mg: FloatOrArray,
    *,
    other_load: float = 1.0,
    a_t: float = 3.0,
    reference: float = REFERENCE_SERUM_MG,
) -> FloatOrArray:
    """TNF-α level at steady state as a function of serum magnesium [TEACHING ASSUMPTION].

    Parameters
    ----------
    serum_mg : float or array-like
        Total serum magnesium [mmol/L]; in (0, 5].
    other_load : float
        Other inflammatory load O, for example from obesity [dimensionless]; in
        [1, 100]. 1 means none.
    a_t : float
        Rise of TNF-α per relative magnesium deficit [dimensionless]; in [0, 100].
        3 is a didactic choice.
    reference : float
        Serum magnesium at and above which magnesium adds no inflammation
        [mmol/L]; in (0, 5]. 0.85 mmol/L is the proposed lower limit of the
        optimal range (Rosanoff et al. 2022).

    Returns
    -------
    float or numpy.ndarray
        TNF-α relative to a healthy reference, T [dimensionless]; ``other_load``
        at and above ``reference``.

    Notes
    -----
    [TEACHING ASSUMPTION] The 2022 review [1]_ reports that magnesium deficiency
    goes with higher TNF-α, IL-1 and IL-6 and that supplementation lowers them,
    but gives no dose–response. The course uses the simplest curve with that
    direction, flat above the reference and linear below it::

        T_ss = O · (1 + a_T · [(Mg_ref − Mg_s)/Mg_ref]_+)

    With the defaults, TNF-α doubles when serum magnesium is a third below the
    reference (about 0.57 mmol/L). Only the direction is supported by evidence.

    References
    ----------
    .. [1] Hosseini Dastgerdi A, Ghanbari Rad M, Soltani N. Adv Biomed Res
       2022;11:54. doi:10.4103/abr.abr_366_21

    Examples
    --------
    >>> tnf_steady_state(0.85), tnf_steady_state(1.0)
    (1.0, 1.0)
    >>> round(tnf_steady_state(0.68), 6)
    1.6
    """
    mg = _serum_mg(serum_mg)
    check_range("other_load", other_load, "dimensionless", low=1.0, high=100.0,
                low_inclusive=True)
    check_range("a_t", a_t, "dimensionless", low=0.0, high=100.0, low_inclusive=True)
    check_range("reference", reference, "mmol/L", high=5.0)
    deficit = np.maximum((reference - mg) / reference, 0.0)
    return scalar_or_array(other_load * (1.0 + a_t * deficit))


def tnf_dynamics(
    t: FloatOrArray,
    serum_mg: float,
    *,
    tau: float = 7.0,
    t0_level: float = 1.0,
    other_load: float = 1.0,
    a_t: float = 3.0,
    reference: float = REFERENCE_SERUM_MG,
) -> FloatOrArray:
    """TNF-α relaxing towards its steady state at constant serum magnesium [TEACHING ASSUMPTION].

    Parameters
    ----------
    t : float or array-like
        Time since serum magnesium took its value [days]; in [0, 36500].
    serum_mg : float
        Total serum magnesium, held constant [mmol/L]; in (0, 5].
    tau : float
        Time constant [days]; in (0, 3650]. 7 days is a didactic choice.
    t0_level : float
        TNF-α at ``t = 0`` [dimensionless]; in (0, 100].
    other_load, a_t, reference
        As in :func:`tnf_steady_state`.

    Returns
    -------
    float or numpy.ndarray
        TNF-α relative to a healthy reference [dimensionless].

    Notes
    -----
    [TEACHING ASSUMPTION] First-order relaxation, ``dT/dt = (T_ss − T)/τ``, whose
    closed-form solution at constant magnesium is::

        T(t) = T_ss + (T(0) − T_ss) · exp(−t/τ)

    with ``T_ss`` from :func:`tnf_steady_state`. It is only needed when TNF-α is
    coupled to models that run over days.

    References
    ----------
    .. [1] Hosseini Dastgerdi A, Ghanbari Rad M, Soltani N. Adv Biomed Res
       2022;11:54. doi:10.4103/abr.abr_366_21

    Examples
    --------
    >>> round(tnf_dynamics(7.0, 0.68), 4)
    1.3793
    """
    time = check_range("t", t, "days", low=0.0, high=36500.0, low_inclusive=True)
    if np.ndim(serum_mg) != 0:
        raise ValueError(f"serum_mg must be a single number [mmol/L], got {serum_mg!r}")
    check_range("tau", tau, "days", high=3650.0)
    check_range("t0_level", t0_level, "dimensionless", high=_TNF_MAX)
    target = float(tnf_steady_state(serum_mg, other_load=other_load, a_t=a_t,
                                    reference=reference))
    return scalar_or_array(target + (t0_level - target) * np.exp(-time / tau))


# ---------------------------------------------------------------------------
# Coupling (A): Brännmark et al. 2013 [TEACHING ASSUMPTION]
# ---------------------------------------------------------------------------


def brannmark_with_tnf(
    tnf: float, *, c_b: float = 1.0, parameters: BrannmarkParameters = NORMAL
) -> BrannmarkParameters:
    """Brännmark parameters with TNF-α raising basal IRS1 Ser307 phosphorylation [TEACHING ASSUMPTION].

    Parameters
    ----------
    tnf : float
        TNF-α relative to a healthy reference, T [dimensionless]; in (0, 100], with
        ``1 + c_b·(tnf − 1) > 0``.
    c_b : float
        Coupling strength c_B [dimensionless]; in [0, 100]. 1 is a didactic choice.
    parameters : BrannmarkParameters
        Parameter set to modify; :data:`mgcourse.signalling.NORMAL` by default.

    Returns
    -------
    BrannmarkParameters
        A copy with ``k2basal`` multiplied by ``1 + c_B·(T − 1)`` [min⁻¹]; at
        ``tnf = 1`` it equals ``parameters`` exactly.

    Raises
    ------
    ValueError
        If ``tnf`` or ``c_b`` is out of range or the factor is not positive.

    Notes
    -----
    [TEACHING ASSUMPTION] TNF-α acts through NF-κB and JNK, which phosphorylate
    IRS-1 on an inhibitory serine and block its tyrosine phosphorylation [1]_. In
    the Brännmark model [2]_ the closest step is ``v2basal = k2basal·IRS1``, the
    basal, insulin-independent conversion IRS1 → IRS1307. IRS1307 cannot be
    tyrosine-phosphorylated, so a faster step withdraws IRS1 from the signalling
    pool, which is inhibitory as intended::

        k2basal_eff = k2basal · (1 + c_B · (T − 1))

    ``k2c`` is deliberately left alone. In this model the mTORC1-driven Ser307
    step (``v2c = k2c·mTORC1a·diabetes·IRS1p``) is a positive feedback: IRS1p307
    is still tyrosine-phosphorylated and drives PKB Thr308 phosphorylation through
    ``v4e``, and lowering it (``diabetes = 0.15``) is the core of the published
    diabetic phenotype. Raising ``k2c`` would therefore raise signalling. Human
    Ser307 corresponds to rodent Ser302, not to the inhibitory rodent Ser307 of
    many TNF-α studies.

    References
    ----------
    .. [1] Hosseini Dastgerdi A, Ghanbari Rad M, Soltani N. Adv Biomed Res
       2022;11:54. doi:10.4103/abr.abr_366_21
    .. [2] Brännmark C et al. J Biol Chem 2013;288(14):9867-9880.
       doi:10.1074/jbc.M112.432062

    Examples
    --------
    >>> brannmark_with_tnf(1.0) == NORMAL
    True
    >>> round(brannmark_with_tnf(2.0).k2basal / NORMAL.k2basal, 12)
    2.0
    """
    level = _scalar("tnf", tnf, "dimensionless")
    check_range("c_b", c_b, "dimensionless", low=0.0, high=_COUPLING_MAX, low_inclusive=True)
    factor = _coupling_factor(level, float(c_b), "c_b")
    if factor == 1.0:
        return parameters
    return replace(parameters, k2basal=parameters.k2basal * factor)


@dataclass(frozen=True)
class TnfInsulinResponse:
    """Brännmark dose–response with the TNF-α coupling (A) [TEACHING ASSUMPTION].

    Attributes
    ----------
    tnf : float
        TNF-α relative to a healthy reference [dimensionless].
    c_b : float
        Coupling strength [dimensionless].
    k2basal_factor : float
        Multiplier ``1 + c_B·(T − 1)`` applied to k2basal [dimensionless].
    insulin : numpy.ndarray
        Insulin levels [nM].
    glucose_uptake : numpy.ndarray
        Glucose uptake ``k8·GLUT4m·gluc + glut1·gluc`` [uptake a.u.].
    glut4m : numpy.ndarray
        GLUT4 in the plasma membrane [a.u.].
    pkb_thr308, pkb_ser473 : numpy.ndarray
        PKB phosphorylated at Thr308 and at Ser473 [a.u.].
    irs1_phosphorylated : numpy.ndarray
        Tyrosine-phosphorylated IRS1 [a.u.].
    read_at : float
        Time of the reading after insulin was added [min].
    teaching_assumptions : tuple of str
        Every teaching assumption in force; never empty, since the coupling itself is one.
    dose_response : BrannmarkDoseResponse
        The full dose–response as returned by
        :func:`mgcourse.signalling.dose_response_brannmark`.
    """

    tnf: float
    c_b: float
    k2basal_factor: float
    insulin: FloatArray
    glucose_uptake: FloatArray
    glut4m: FloatArray
    pkb_thr308: FloatArray
    pkb_ser473: FloatArray
    irs1_phosphorylated: FloatArray
    read_at: float
    teaching_assumptions: tuple[str, ...]
    dose_response: BrannmarkDoseResponse = field(repr=False)


def insulin_response_with_tnf(
    tnf: float,
    insulin_levels: npt.ArrayLike,
    *,
    c_b: float = 1.0,
    parameters: BrannmarkParameters = NORMAL,
    read_at: float = 30.0,
    magnesium: float | None = None,
    method: BrannmarkMethod = "LSODA",
) -> TnfInsulinResponse:
    """Insulin dose–response of the Brännmark adipocyte at a given TNF-α level [TEACHING ASSUMPTION].

    Parameters
    ----------
    tnf : float
        TNF-α relative to a healthy reference [dimensionless]; see
        :func:`brannmark_with_tnf`.
    insulin_levels : array-like
        Insulin concentrations [nM]; each in [0, 1e5].
    c_b : float
        Coupling strength [dimensionless]; in [0, 100].
    parameters : BrannmarkParameters
        :data:`mgcourse.signalling.NORMAL` (default) or
        :data:`mgcourse.signalling.T2D`.
    read_at : float
        Time of the reading after insulin was added [min]; in (0, 1440].
    magnesium : float, optional
        Cytosolic free Mg²⁺ [mM] for the receptor kinase factor of
        :func:`mgcourse.signalling.receptor_kinase_factor`, a separate teaching
        assumption; off by default.
    method : {"LSODA", "BDF", "Radau"}
        Stiff integrator.

    Returns
    -------
    TnfInsulinResponse
        Glucose uptake, membrane GLUT4 and PKB phosphorylation per insulin level.

    Notes
    -----
    The parameters come from :func:`brannmark_with_tnf`, so the basal state is
    recomputed with the raised ``k2basal`` before insulin is added; the protocol
    is that of :func:`mgcourse.signalling.dose_response_brannmark` [1]_. At
    ``tnf = 1`` the result is the published model's. Uptake falls at basal and
    submaximal insulin and hardly at all at saturating insulin, a rightward shift
    of the dose–response (higher EC50). With the default ``c_b = 1`` the effect is
    small (about 1–2 % of uptake at T = 2), and because basal uptake falls too,
    the increment above basal barely changes; raise ``c_b`` to make it visible.

    References
    ----------
    .. [1] Brännmark C et al. J Biol Chem 2013;288(14):9867-9880.
       doi:10.1074/jbc.M112.432062

    Examples
    --------
    >>> normal = insulin_response_with_tnf(1.0, [0.1])
    >>> inflamed = insulin_response_with_tnf(2.0, [0.1])
    >>> bool(inflamed.glucose_uptake[0] < normal.glucose_uptake[0])
    True
    """
    p = brannmark_with_tnf(tnf, c_b=c_b, parameters=parameters)
    factor = _coupling_factor(float(tnf), float(c_b), "c_b")
    dr = dose_response_brannmark(insulin_levels, read_at=read_at, parameters=p,
                                 magnesium=magnesium, method=method)
    coupling = (
        f"TNF-alpha coupling: k2basal (basal IRS1 Ser307 phosphorylation) multiplied by "
        f"1 + c_B·(T - 1) = {factor:.4g} at T = {float(tnf):g}, c_B = {float(c_b):g} "
        "(not in Brännmark 2013)"
    )
    return TnfInsulinResponse(
        tnf=float(tnf),
        c_b=float(c_b),
        k2basal_factor=factor,
        insulin=dr.insulin,
        glucose_uptake=dr.glucose_uptake,
        glut4m=dr.glut4m,
        pkb_thr308=dr.pkb_thr308,
        pkb_ser473=dr.pkb_ser473,
        irs1_phosphorylated=dr.irs1_phosphorylated,
        read_at=dr.read_at,
        teaching_assumptions=(coupling, *dr.teaching_assumptions),
        dose_response=dr,
    )


# ---------------------------------------------------------------------------
# Coupling (B): Sedaghat et al. 2002 [TEACHING ASSUMPTION]
# ---------------------------------------------------------------------------


def sedaghat_with_tnf(
    tnf: float, *, c_s: float = 0.5, parameters: SedaghatParameters | None = None
) -> SedaghatParameters:
    """Sedaghat parameters with TNF-α slowing IRS-1 tyrosine phosphorylation [TEACHING ASSUMPTION].

    Parameters
    ----------
    tnf : float
        TNF-α relative to a healthy reference, T [dimensionless]; in (0, 100], with
        ``1 + c_s·(tnf − 1) > 0``.
    c_s : float
        Coupling strength c_S [dimensionless]; in [0, 100]. 0.5 is a didactic choice.
    parameters : SedaghatParameters, optional
        Parameter set to modify; the published set by default.

    Returns
    -------
    SedaghatParameters
        A copy whose ``k7_scale`` is divided by ``1 + c_S·(T − 1)``, so the rate of
        IRS-1 tyrosine phosphorylation falls while ``km7`` keeps its published
        value; at ``tnf = 1`` it equals ``parameters`` exactly.

    Raises
    ------
    ValueError
        If ``tnf`` or ``c_s`` is out of range or the factor is not positive.

    Notes
    -----
    [TEACHING ASSUMPTION] Inhibitory serine phosphorylation of IRS-1 blocks its
    tyrosine phosphorylation by the receptor kinase [1]_. In the Sedaghat model
    [2]_ that step is ``k7·x9·(x4 + x5)/IRp``::

        k7_eff = k7 / (1 + c_S · (T − 1))

    The published dephosphorylation constant is defined from the published k7
    (``km7 = (2.5/7.45)·k7``); it must not follow the inhibited rate, so the factor
    goes into ``SedaghatParameters.k7_scale``, which multiplies k7 alone.

    References
    ----------
    .. [1] Hosseini Dastgerdi A, Ghanbari Rad M, Soltani N. Adv Biomed Res
       2022;11:54. doi:10.4103/abr.abr_366_21
    .. [2] Sedaghat AR, Sherman A, Quon MJ. Am J Physiol Endocrinol Metab
       2002;283(5):E1084-E1101. doi:10.1152/ajpendo.00571.2001

    Examples
    --------
    >>> round(sedaghat_with_tnf(3.0).k7_scale, 6)
    0.5
    """
    p = parameters or SedaghatParameters()
    level = _scalar("tnf", tnf, "dimensionless")
    check_range("c_s", c_s, "dimensionless", low=0.0, high=_COUPLING_MAX, low_inclusive=True)
    factor = _coupling_factor(level, float(c_s), "c_s")
    if factor == 1.0:
        return p
    return replace(p, k7_scale=p.k7_scale / factor)


# ---------------------------------------------------------------------------
# Oxidative stress [TEACHING ASSUMPTION]
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OxidativeStressParameters:
    """Didactic constants of the ROS balance [TEACHING ASSUMPTION].

    None of these values is a measurement. The directions they encode come from
    Hosseini Dastgerdi et al. 2022, Adv Biomed Res 11:54,
    doi:10.4103/abr.abr_366_21: hyperglycaemia raises free-radical production,
    magnesium lowers ROS production and supports glutathione peroxidase,
    superoxide dismutase and catalase. ``a_antioxidant`` must stay below 1 so
    that some antioxidant capacity remains at any magnesium level.
    """

    glucose_reference: float = 5.0  # glucose at and below which it adds no ROS production [mmol/L]
    mg_reference: float = REFERENCE_SERUM_MG  # serum Mg at and above which its deficit is 0 [mmol/L]
    a_glucose: float = 1.0  # rise in production per relative glucose excess [dimensionless]
    a_production: float = 1.0  # rise in production per relative Mg deficit [dimensionless]
    a_antioxidant: float = 0.5  # loss of antioxidant capacity per relative Mg deficit, < 1 [dimensionless]

    def __post_init__(self) -> None:
        check_range("glucose_reference", self.glucose_reference, "mmol/L", high=60.0)
        check_range("mg_reference", self.mg_reference, "mmol/L", high=5.0)
        for name in ("a_glucose", "a_production"):
            check_range(name, getattr(self, name), "dimensionless", low=0.0, high=100.0,
                        low_inclusive=True)
        check_range("a_antioxidant", self.a_antioxidant, "dimensionless", low=0.0, high=1.0,
                    low_inclusive=True, high_inclusive=False)


#: Default didactic constants of the ROS balance [TEACHING ASSUMPTION].
DEFAULT_OXIDATIVE_STRESS: Final = OxidativeStressParameters()

_ROS_ASSUMPTION: Final = (
    "oxidative stress: ROS balance dR/dt = P(glucose, Mg) - A(Mg)·R with didactic "
    "constants; only the directions come from Hosseini Dastgerdi 2022"
)


@dataclass(frozen=True)
class OxidativeStress:
    """Terms of the ROS balance at given glucose and magnesium [TEACHING ASSUMPTION].

    Attributes
    ----------
    production : float or numpy.ndarray
        ROS production P relative to the reference [dimensionless].
    antioxidant_capacity : float or numpy.ndarray
        Antioxidant clearance capacity A relative to the reference [dimensionless].
    ros : float or numpy.ndarray
        Steady-state ROS level ``P/A`` relative to the reference [dimensionless].
    teaching_assumptions : tuple of str
        The assumptions behind these numbers.
    """

    production: FloatOrArray
    antioxidant_capacity: FloatOrArray
    ros: FloatOrArray
    teaching_assumptions: tuple[str, ...] = (_ROS_ASSUMPTION,)


def _ros_terms(
    glucose: object, serum_mg: object, p: OxidativeStressParameters
) -> tuple[FloatArray, FloatArray]:
    g = check_range("glucose", glucose, "mmol/L", high=60.0)
    mg = _serum_mg(serum_mg)
    excess = np.maximum((g - p.glucose_reference) / p.glucose_reference, 0.0)
    deficit = np.maximum((p.mg_reference - mg) / p.mg_reference, 0.0)
    production = (1.0 + p.a_glucose * excess) * (1.0 + p.a_production * deficit)
    capacity = 1.0 - p.a_antioxidant * deficit
    return production, capacity


def ros_steady_state(
    glucose: FloatOrArray,
    serum_mg: FloatOrArray,
    *,
    parameters: OxidativeStressParameters = DEFAULT_OXIDATIVE_STRESS,
) -> OxidativeStress:
    """Steady state of a minimal ROS balance [TEACHING ASSUMPTION].

    Parameters
    ----------
    glucose : float or array-like
        Plasma glucose [mmol/L]; in (0, 60].
    serum_mg : float or array-like
        Total serum magnesium [mmol/L]; in (0, 5]. Broadcast against ``glucose``.
    parameters : OxidativeStressParameters
        Didactic constants; :data:`DEFAULT_OXIDATIVE_STRESS` by default.

    Returns
    -------
    OxidativeStress
        Production, antioxidant capacity and steady-state ROS, all relative to
        the reference state (glucose at or below 5 mmol/L, magnesium at or above
        0.85 mmol/L, where each is 1) [dimensionless].

    Notes
    -----
    [TEACHING ASSUMPTION] The 2022 review [1]_ describes oxidative stress as an
    imbalance between ROS overproduction and inadequate antioxidant protection;
    chronic hyperglycaemia raises free-radical production; magnesium lowers ROS
    production (also in mitochondria) and supports the antioxidant enzymes
    glutathione peroxidase, superoxide dismutase and catalase. The course writes
    this as one balance with first-order clearance, ``dR/dt = P − A·R``, with::

        P(G, Mg) = (1 + a_G·[(G − G_ref)/G_ref]_+) · (1 + a_P·d)
        A(Mg)    = 1 − a_A·d,      d = [(Mg_ref − Mg)/Mg_ref]_+  (d < 1)
        R_ss     = P / A

    Time is measured in units of the clearance time at full antioxidant
    capacity. Every constant is didactic; the review gives directions only.

    References
    ----------
    .. [1] Hosseini Dastgerdi A, Ghanbari Rad M, Soltani N. Adv Biomed Res
       2022;11:54. doi:10.4103/abr.abr_366_21

    Examples
    --------
    >>> ros_steady_state(5.0, 0.85).ros
    1.0
    >>> round(ros_steady_state(10.0, 0.85).ros, 6), round(ros_steady_state(5.0, 0.425).ros, 6)
    (2.0, 2.0)
    """
    production, capacity = _ros_terms(glucose, serum_mg, parameters)
    return OxidativeStress(
        production=scalar_or_array(production),
        antioxidant_capacity=scalar_or_array(capacity),
        ros=scalar_or_array(production / capacity),
    )


def ros_rate(
    ros: FloatOrArray,
    glucose: FloatOrArray,
    serum_mg: FloatOrArray,
    *,
    parameters: OxidativeStressParameters = DEFAULT_OXIDATIVE_STRESS,
) -> FloatOrArray:
    """Right-hand side of the ROS balance, ``dR/dt = P − A·R`` [TEACHING ASSUMPTION].

    Parameters
    ----------
    ros : float or array-like
        Current ROS level relative to the reference [dimensionless]; in [0, 1000].
    glucose : float or array-like
        Plasma glucose [mmol/L]; in (0, 60].
    serum_mg : float or array-like
        Total serum magnesium [mmol/L]; in (0, 5].
    parameters : OxidativeStressParameters
        Didactic constants.

    Returns
    -------
    float or numpy.ndarray
        dR/dt [per clearance time at full antioxidant capacity]; zero at the
        steady state of :func:`ros_steady_state`.

    Notes
    -----
    See :func:`ros_steady_state` for the terms. The balance is linear in R, so
    at constant glucose and magnesium ``R(t) = R_ss + (R(0) − R_ss)·exp(−A·t)``.

    References
    ----------
    .. [1] Hosseini Dastgerdi A, Ghanbari Rad M, Soltani N. Adv Biomed Res
       2022;11:54. doi:10.4103/abr.abr_366_21

    Examples
    --------
    >>> ros_rate(1.0, 5.0, 0.85)
    0.0
    """
    r = check_range("ros", ros, "dimensionless", low=0.0, high=1000.0, low_inclusive=True)
    production, capacity = _ros_terms(glucose, serum_mg, parameters)
    return scalar_or_array(production - capacity * r)
