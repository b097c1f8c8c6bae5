"""The liver: the Kubota et al. 2012 Akt–FoxO1–G6Pase model of hepatic insulin action.

Published model (labelled [PUBLISHED] in the course): insulin → receptor complex →
Akt, which branches to mTOR–S6K (with an incoherent feed-forward loop through X,
so pS6K is transient), to GSK3β, and to FoxO1, whose unphosphorylated form drives
G6Pase expression (so G6Pase falls in a sustained way). Time is in minutes,
insulin in nM, species in arbitrary units (a.u.); BioModels MODEL1204060000.

The published protocol starves the cells for 2400 min at the model's basal
insulin of 0.01 nM and then applies a constant insulin step for 480 min, with
output every minute. Observation scale factors convert pS6K, pGSK3B and G6Pase
to the scale of the normalised experimental data.

Teaching assumptions, off by default and named as such wherever they appear:

* cytosolic free Mg²⁺ scales the MgATP-using kinase step of Akt activation
  (``k_AKTPhos``), and optionally the receptor-activation rate (``k_Ins``), by a
  saturating factor phi_Mg, a teaching construction;
* hepatic glucose output proportional to G6Pase expression
  (:func:`hepatic_glucose_output`).

References
----------
.. [1] Kubota H, Noguchi R, Toyoshima Y, Ozaki Y, Uda S, Watanabe K, Ogawa W,
   Kuroda S. Temporal coding of insulin action through multiplexing of the AKT
   pathway. Mol Cell 2012;46(6):820-832. doi:10.1016/j.molcel.2012.04.018
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from typing import Final

import numpy as np
import numpy.typing as npt

from mgcourse._integrate import solve
from mgcourse._validation import (
    FloatOrArray,
    as_float_array,
    check_range,
    check_tolerances,
    scalar_or_array,
)
from mgcourse.signalling import _MAGNESIUM_RANGE, receptor_kinase_factor

__all__ = [
    "BASAL_INSULIN",
    "INITIAL_STATE",
    "OBSERVATION_SCALES",
    "PUBLISHED_LEVELS",
    "STATE_NAMES",
    "KubotaDoseResponse",
    "KubotaParameters",
    "KubotaResult",
    "dose_response_kubota",
    "hepatic_glucose_output",
    "kubota_derivatives",
    "simulate_kubota",
    "starved_state",
]

Array = npt.NDArray[np.float64]

#: The 11 states in the order of the published model.
STATE_NAMES: Final = (
    "IRcom", "p1IRcom", "p2IRcom", "p1p2IRcom", "pAKT", "pmTOR", "pX", "pS6K", "pGSK3B",
    "pFoxO1", "G6Pase",
)
#: Published initial values [a.u.] (Kubota et al. 2012; BioModels MODEL1204060000).
INITIAL_STATE: Final[Mapping[str, float]] = {
    "IRcom": 46.22225, "p1IRcom": 0.0, "p2IRcom": 0.0, "p1p2IRcom": 0.0, "pAKT": 0.0,
    "pmTOR": 0.0, "pX": 0.0, "pS6K": 0.0, "pGSK3B": 0.0, "pFoxO1": 0.0, "G6Pase": 38.54029,
}
#: Factors that put model outputs on the scale of the normalised data [dimensionless].
OBSERVATION_SCALES: Final[Mapping[str, float]] = {
    "pAKT": 1.0,
    "pS6K": 83.8672192461257,
    "pGSK3B": 0.111097316860158,
    "G6Pase": 0.0363622452066626,
}
#: Basal insulin of the model, used during starvation [nM].
BASAL_INSULIN: Final = 0.01
#: Published stimulation levels [nM].
PUBLISHED_LEVELS: Final = (0.01, 0.03, 0.1, 0.3, 1.0)

_INSULIN_RANGE: Final = (0.0, 100.0)  # nM, inclusive low


@dataclass(frozen=True)
class KubotaParameters:
    """Rate constants and totals of the Kubota et al. 2012 model [PUBLISHED].

    Names follow the model's reactions re1-re24 (re2 and re9 are reversible, so
    there are 26 rate constants) and its seven totals; a.u. is the model's
    arbitrary concentration unit. Source: Kubota H et al. Temporal coding of
    insulin action through multiplexing of the AKT pathway. Mol Cell
    2012;46(6):820-832. doi:10.1016/j.molcel.2012.04.018 (BioModels MODEL1204060000).
    """

    k_syn: float = 0.04780  # re1 relaxation of IRcom towards pro_IRcom [min^-1]
    k_Ins: float = 7.78161  # re2 insulin binding/activation, forward [nM^-1 min^-1]
    km_Ins: float = 1.61148  # re2 reverse [min^-1]
    k_p1Deg: float = 0.00792  # re3 degradation of p1IRcom [min^-1]
    k_p1Phos: float = 0.00004  # re4 mTOR-dependent phosphorylation of p1IRcom [a.u.^-1 min^-1]
    k_p1p2deP: float = 0.28443  # re5 dephosphorylation of p1p2IRcom [min^-1]
    k_IRcomPhos: float = 9.93311  # re6 mTOR-dependent phosphorylation of IRcom [a.u.^-1 min^-1]
    k_p2deP: float = 0.00001  # re7 dephosphorylation of p2IRcom [min^-1]
    k_p2Deg: float = 0.00001  # re8 degradation of p2IRcom [min^-1]
    k_Insp2: float = 0.36303  # re9 insulin binding to p2IRcom, forward [nM^-1 min^-1]
    km_Insp2: float = 0.40813  # re9 reverse [min^-1]
    k_p1p2Deg: float = 0.09490  # re10 degradation of p1p2IRcom [min^-1]
    k_AKTPhos: float = 0.00920  # re11 Akt phosphorylation by p1IRcom [a.u.^-1 min^-1]
    k_pAKTdeP: float = 7.70619  # re12 pAKT dephosphorylation [min^-1]
    k_mTORPhos: float = 0.41968  # re13 mTOR phosphorylation by pAKT [a.u.^-1 min^-1]
    k_pmTORdeP: float = 0.12433  # re14 pmTOR dephosphorylation [min^-1]
    k_S6KPhos: float = 0.00752  # re15 S6K phosphorylation by pmTOR [a.u.^-1 min^-1]
    k_pS6KdeP: float = 1.95498  # re16 pS6K dephosphorylation by pX [a.u.^-1 min^-1]
    k_XPhos: float = 0.00105  # re17 X phosphorylation by pmTOR [a.u.^-1 min^-1]
    k_pXdeP: float = 0.00146  # re18 pX dephosphorylation [min^-1]
    k_GSKPhos: float = 2.97538  # re19 GSK3β phosphorylation by pAKT [a.u.^-1 min^-1]
    k_pGSKdeP: float = 0.92460  # re20 pGSK3B dephosphorylation [min^-1]
    k_FoxPhos: float = 4.59698  # re21 FoxO1 phosphorylation by pAKT [a.u.^-1 min^-1]
    k_pFoxdeP: float = 0.15172  # re22 pFoxO1 dephosphorylation [min^-1]
    k_G6Psyn: float = 4.86146  # re23 G6Pase synthesis driven by FoxO1 [min^-1]
    k_G6Pdeg: float = 0.05496  # re24 G6Pase degradation [min^-1]
    pro_IRcom: float = 46.22225  # target level of the receptor complex [a.u.]
    AKT_tot: float = 4.33812  # total Akt [a.u.]
    mTOR_tot: float = 0.09592  # total mTOR [a.u.]
    X_tot: float = 14.99133  # total X [a.u.]
    S6K_tot: float = 2.77699  # total S6K [a.u.]
    GSK3B_tot: float = 10.56415  # total GSK3β [a.u.]
    FoxO1_tot: float = 0.43571  # total FoxO1 [a.u.]

    def __post_init__(self) -> None:
        for f in fields(self):
            check_range(f.name, getattr(self, f.name), _PARAMETER_UNITS[f.name], low=0.0, high=1e6,
                        low_inclusive=True)


_SECOND_ORDER: Final = (
    "k_p1Phos", "k_IRcomPhos", "k_AKTPhos", "k_mTORPhos", "k_S6KPhos", "k_pS6KdeP", "k_XPhos",
    "k_GSKPhos", "k_FoxPhos",
)
_PARAMETER_UNITS: Final[Mapping[str, str]] = {
    f.name: (
        "a.u." if not f.name.startswith("k")
        else "nM^-1 min^-1" if f.name in ("k_Ins", "k_Insp2")
        else "a.u.^-1 min^-1" if f.name in _SECOND_ORDER
        else "min^-1"
    )
    for f in fields(KubotaParameters)
}


def _phi_mg(free_mg: FloatOrArray, *, k_mg: float = 0.5, reference: float = 0.5) -> FloatOrArray:
    """Receptor-kinase magnesium factor phi_Mg [TEACHING ASSUMPTION].

    Parameters
    ----------
    free_mg : float or array-like
        Cytosolic free Mg²⁺ [mM]; in [0.05, 5].
    k_mg : float
        Half-saturation constant K_Mg [mM]; 0.5 (didactic, not measured).
    reference : float
        Free Mg²⁺ at which the factor is 1 [mM].

    Returns
    -------
    float or numpy.ndarray
        phi_Mg [dimensionless]; 1 at the reference, at most 2 with the defaults,
        towards 0 as Mg²⁺ → 0.

    Notes
    -----
    ``phi_Mg(m) = [m/(K_Mg + m)] / [m_ref/(K_Mg + m_ref)]``: the kinase uses MgATP,
    and a second Mg²⁺ on the kinase domain raises its ATP affinity (course model
    reference, section 5c). The range-checked entry to :func:`mgcourse.signalling.receptor_kinase_factor`.

    Examples
    --------
    >>> _phi_mg(0.5)
    1.0
    """
    m = check_range("magnesium", free_mg, "mM", low=_MAGNESIUM_RANGE[0], high=_MAGNESIUM_RANGE[1],
                    low_inclusive=True)
    return receptor_kinase_factor(scalar_or_array(m), k_mg=k_mg, reference=reference)


def _with_magnesium(p: KubotaParameters, magnesium: float | None, on_receptor: bool) -> KubotaParameters:
    if magnesium is None:
        if on_receptor:
            raise ValueError("magnesium_on_receptor=True needs a magnesium value [mM]")
        return p
    phi = float(_phi_mg(magnesium))
    p = replace(p, k_AKTPhos=p.k_AKTPhos * phi)
    if on_receptor:
        p = replace(p, k_Ins=p.k_Ins * phi)
    return p


def _rhs_values(p: KubotaParameters, ins: float, y: Sequence[float] | Array) -> list[float]:
    ircom, p1, p2, p1p2, pakt, pmtor, px, ps6k, pgsk, pfox, g6p = (float(v) for v in y)
    re1 = p.k_syn * (p.pro_IRcom - ircom)
    re2 = p.k_Ins * ins * ircom - p.km_Ins * p1
    re3 = p.k_p1Deg * p1
    re4 = p.k_p1Phos * pmtor * p1
    re5 = p.k_p1p2deP * p1p2
    re6 = p.k_IRcomPhos * pmtor * ircom
    re7 = p.k_p2deP * p2
    re8 = p.k_p2Deg * p2
    re9 = p.k_Insp2 * ins * p2 - p.km_Insp2 * p1p2
    re10 = p.k_p1p2Deg * p1p2
    re11 = p.k_AKTPhos * (p.AKT_tot - pakt) * p1
    re12 = p.k_pAKTdeP * pakt
    re13 = p.k_mTORPhos * (p.mTOR_tot - pmtor) * pakt
    re14 = p.k_pmTORdeP * pmtor
    re15 = p.k_S6KPhos * (p.S6K_tot - ps6k) * pmtor
    re16 = p.k_pS6KdeP * ps6k * px
    re17 = p.k_XPhos * (p.X_tot - px) * pmtor
    re18 = p.k_pXdeP * px
    re19 = p.k_GSKPhos * (p.GSK3B_tot - pgsk) * pakt
    re20 = p.k_pGSKdeP * pgsk
    re21 = p.k_FoxPhos * (p.FoxO1_tot - pfox) * pakt
    re22 = p.k_pFoxdeP * pfox
    re23 = p.k_G6Psyn * (p.FoxO1_tot - pfox)
    re24 = p.k_G6Pdeg * g6p
    return [
        re1 - re2 - re6 + re7,
        re2 - re3 - re4 + re5,
        re6 - re7 - re8 - re9,
        re4 - re5 + re9 - re10,
        re11 - re12,
        re13 - re14,
        re17 - re18,
        re15 - re16,
        re19 - re20,
        re21 - re22,
        re23 - re24,
    ]


def kubota_derivatives(
    state: Sequence[float] | Mapping[str, float],
    insulin: float,
    *,
    parameters: KubotaParameters | None = None,
) -> dict[str, float]:
    """Time derivatives of the 11 states of the Kubota model.

    Parameters
    ----------
    state : sequence of 11 float or mapping
        The states [a.u.], in the order of :data:`STATE_NAMES` or by name.
    insulin : float
        Insulin [nM]; in [0, 100].
    parameters : KubotaParameters, optional
        Defaults to the published set.

    Returns
    -------
    dict of str to float
        d(state)/dt by state name [a.u. min⁻¹].

    Notes
    -----
    The 24 mass-action reactions of [1]_, e.g. ``re11 = k_AKTPhos·(AKT_tot −
    pAKT)·p1IRcom`` and ``re16 = k_pS6KdeP·pS6K·pX`` (the incoherent feed-forward
    loop), assembled as in BioModels MODEL1204060000 [1]_.

    References
    ----------
    .. [1] Kubota H et al. Mol Cell 2012;46(6):820-832. doi:10.1016/j.molcel.2012.04.018

    Examples
    --------
    >>> rates = kubota_derivatives(INITIAL_STATE, 0.0)
    >>> abs(rates["G6Pase"]) < 1e-3
    True
    """
    p = parameters or KubotaParameters()
    ins = float(check_range("insulin", insulin, "nM", low=_INSULIN_RANGE[0], high=_INSULIN_RANGE[1],
                            low_inclusive=True))
    y = _state_vector(state)
    return dict(zip(STATE_NAMES, _rhs_values(p, ins, y), strict=True))


def _state_vector(state: Sequence[float] | Mapping[str, float] | Array) -> Array:
    if isinstance(state, Mapping):
        missing = [n for n in STATE_NAMES if n not in state]
        if missing:
            raise ValueError(f"state is missing {missing}; it needs all of {list(STATE_NAMES)}")
        values = [state[n] for n in STATE_NAMES]
    else:
        values = list(state)
    arr = as_float_array("state", values, "a.u.")
    if arr.shape != (len(STATE_NAMES),):
        raise ValueError(f"state must have {len(STATE_NAMES)} values ({', '.join(STATE_NAMES)}); "
                         f"got shape {arr.shape}")
    check_range("state", arr, "a.u.", low=-1e-6, high=1e6, low_inclusive=True)
    return arr


#: Default solver tolerances [dimensionless] and [a.u.]; converged (see simulate_kubota).
RTOL: Final = 1e-9
ATOL: Final = 1e-12
_BUDGET: Final = 100.0  # right-hand-side evaluations per simulated min


def _integrate(
    p: KubotaParameters, ins: float, y0: Array, t_end: float, t_eval: Array | None,
    rtol: float, atol: float,
) -> tuple[Array, Array]:
    def rhs(_t: float, y: Array) -> list[float]:
        return _rhs_values(p, ins, y)

    solution = solve(rhs, (0.0, t_end), y0, what="the Kubota model", unit="min", method="LSODA",
                     rtol=rtol, atol=atol, budget=_BUDGET, t_eval=t_eval)
    return solution.t, solution.y


@lru_cache(maxsize=64)
def _starved(
    p: KubotaParameters, starvation: float, y0: tuple[float, ...], rtol: float, atol: float
) -> tuple[float, ...]:
    if starvation == 0.0:
        return y0
    _, y = _integrate(p, BASAL_INSULIN, np.array(y0), starvation, None, rtol, atol)
    return tuple(float(v) for v in y[:, -1])


def starved_state(
    *,
    starvation: float = 2400.0,
    parameters: KubotaParameters | None = None,
    magnesium: float | None = None,
    magnesium_on_receptor: bool = False,
    rtol: float = RTOL,
    atol: float = ATOL,
) -> dict[str, float]:
    """State after the published starvation period at basal insulin (0.01 nM).

    Parameters
    ----------
    starvation : float
        Starvation time [min]; in [0, 1e5]. 2400 in the published protocol.
    parameters : KubotaParameters, optional
        Defaults to the published set.
    magnesium : float, optional
        Cytosolic free Mg²⁺ [mM] for the teaching factor phi_Mg on k_AKTPhos.
    magnesium_on_receptor : bool
        Also scale the receptor-activation rate k_Ins [TEACHING ASSUMPTION].
    rtol : float
        Relative tolerance of LSODA [dimensionless]; in [1e-14, 1e-3]. The default
        1e-9 is converged: at 1e-10 the outputs change by less than 0.5 %.
    atol : float
        Absolute tolerance [a.u.]; in (0, 1]. Default 1e-12 a.u.

    Returns
    -------
    dict of str to float
        The 11 states [a.u.] by name.

    Notes
    -----
    Starts from the published initial values (:data:`INITIAL_STATE`); results are
    cached per parameter set, so repeated protocols reuse one starvation run.

    References
    ----------
    .. [1] Kubota H et al. Mol Cell 2012;46(6):820-832. doi:10.1016/j.molcel.2012.04.018

    Examples
    --------
    >>> state = starved_state()
    >>> round(state["IRcom"], 2) < INITIAL_STATE["IRcom"]
    True
    """
    t = float(check_range("starvation", starvation, "min", low=0.0, high=1e5, low_inclusive=True))
    p = _with_magnesium(parameters or KubotaParameters(), magnesium, magnesium_on_receptor)
    rtol, atol = check_tolerances(rtol, atol, "a.u.")
    y0 = tuple(INITIAL_STATE[n] for n in STATE_NAMES)
    return dict(zip(STATE_NAMES, _starved(p, t, y0, rtol, atol), strict=True))


@dataclass(frozen=True)
class KubotaResult:
    """A simulated insulin stimulation of the Kubota model.

    Attributes
    ----------
    time : numpy.ndarray
        Time since the start of stimulation [min], every minute.
    insulin : float
        Insulin during stimulation [nM].
    IRcom, p1IRcom, p2IRcom, p1p2IRcom : numpy.ndarray
        Receptor-complex forms [a.u.].
    pAKT, pmTOR, pX, pS6K, pGSK3B, pFoxO1 : numpy.ndarray
        Phosphorylated species [a.u.].
    G6Pase : numpy.ndarray
        G6Pase expression [a.u.].
    pAKT_observed : numpy.ndarray
        pAKT on the data scale (factor 1) [a.u.].
    pS6K_observed : numpy.ndarray
        pS6K × 83.8672192461257 [a.u.].
    pGSK3B_observed : numpy.ndarray
        pGSK3B × 0.111097316860158 [a.u.].
    G6Pase_observed : numpy.ndarray
        G6Pase × 0.0363622452066626 [a.u.].
    parameters : KubotaParameters
        The parameters simulated (after the magnesium factor, if any).
    magnesium : float or None
        Free Mg²⁺ of the teaching factor [mM], or None (published model).
    """

    time: Array
    insulin: float
    IRcom: Array
    p1IRcom: Array
    p2IRcom: Array
    p1p2IRcom: Array
    pAKT: Array
    pmTOR: Array
    pX: Array
    pS6K: Array
    pGSK3B: Array
    pFoxO1: Array
    G6Pase: Array
    pAKT_observed: Array
    pS6K_observed: Array
    pGSK3B_observed: Array
    G6Pase_observed: Array
    parameters: KubotaParameters = field(repr=False)
    magnesium: float | None = None

    @property
    def g6pase_relative(self) -> Array:
        """G6Pase relative to its value at the start of stimulation [dimensionless]."""
        return np.asarray(self.G6Pase / self.G6Pase[0], dtype=np.float64)

    @property
    def final_state(self) -> dict[str, float]:
        """The 11 states [a.u.] at the last time, by name."""
        return {n: float(getattr(self, n)[-1]) for n in STATE_NAMES}


def simulate_kubota(
    insulin: float,
    *,
    starvation: float = 2400.0,
    duration: float = 480.0,
    parameters: KubotaParameters | None = None,
    magnesium: float | None = None,
    magnesium_on_receptor: bool = False,
    initial: Mapping[str, float] | Sequence[float] | None = None,
    rtol: float = RTOL,
    atol: float = ATOL,
) -> KubotaResult:
    """Run the published Kubota 2012 protocol: starvation, then a constant insulin step.

    Parameters
    ----------
    insulin : float
        Insulin during stimulation [nM]; in [0, 100]. The published levels are
        0.01, 0.03, 0.1, 0.3 and 1 nM.
    starvation : float
        Time at basal insulin 0.01 nM before stimulation [min]; in [0, 1e5].
    duration : float
        Stimulation time [min]; in (0, 1e4].
    parameters : KubotaParameters, optional
        Defaults to the published set.
    magnesium : float, optional
        Cytosolic free Mg²⁺ [mM]; in [0.05, 5]. Multiplies k_AKTPhos by phi_Mg
        [TEACHING ASSUMPTION], during starvation and stimulation alike (a chronic
        magnesium status). None (default) is the published model.
    magnesium_on_receptor : bool
        Also multiply the receptor-activation rate k_Ins by phi_Mg [TEACHING ASSUMPTION].
    initial : mapping or sequence of 11 float, optional
        State at the start of starvation [a.u.]; defaults to the published initial
        values. With ``starvation=0`` it is the state at the start of stimulation.
    rtol, atol : float
        Solver tolerances [dimensionless] and [a.u.], as in :func:`starved_state`.

    Returns
    -------
    KubotaResult
        States and observation-scaled outputs every minute, time 0 = stimulation start.

    Notes
    -----
    LSODA (default rtol 1e-9, atol 1e-12, converged), each phase integrated separately so that the
    insulin step is not inside a step of the solver. With free Mg²⁺ ``m``::

        k_AKTPhos → k_AKTPhos · phi_Mg(m),   phi_Mg(m) = [m/(0.5 + m)] / [0.5/(0.5 + 0.5)]

    References
    ----------
    .. [1] Kubota H, Noguchi R, Toyoshima Y, Ozaki Y, Uda S, Watanabe K, Ogawa W,
       Kuroda S. Mol Cell 2012;46(6):820-832. doi:10.1016/j.molcel.2012.04.018

    Examples
    --------
    >>> result = simulate_kubota(1.0)
    >>> len(result.time), round(float(result.g6pase_relative[-1]), 2) < 1.0
    (481, True)
    """
    ins = float(check_range("insulin", insulin, "nM", low=_INSULIN_RANGE[0], high=_INSULIN_RANGE[1],
                            low_inclusive=True))
    t_starve = float(check_range("starvation", starvation, "min", low=0.0, high=1e5, low_inclusive=True))
    t_end = float(check_range("duration", duration, "min", high=1e4))
    rtol, atol = check_tolerances(rtol, atol, "a.u.")
    p = _with_magnesium(parameters or KubotaParameters(), magnesium, magnesium_on_receptor)
    if initial is None:
        y0 = tuple(INITIAL_STATE[n] for n in STATE_NAMES)
    else:
        y0 = tuple(float(v) for v in _state_vector(initial))
    start = np.array(_starved(p, t_starve, y0, rtol, atol))
    grid = np.arange(math.floor(t_end) + 1, dtype=float)
    if grid[-1] < t_end:
        grid = np.append(grid, t_end)
    t, y = _integrate(p, ins, start, t_end, grid, rtol, atol)
    states = dict(zip(STATE_NAMES, y, strict=True))
    return KubotaResult(
        time=t,
        insulin=ins,
        **states,
        pAKT_observed=states["pAKT"] * OBSERVATION_SCALES["pAKT"],
        pS6K_observed=states["pS6K"] * OBSERVATION_SCALES["pS6K"],
        pGSK3B_observed=states["pGSK3B"] * OBSERVATION_SCALES["pGSK3B"],
        G6Pase_observed=states["G6Pase"] * OBSERVATION_SCALES["G6Pase"],
        parameters=p,
        magnesium=magnesium,
    )


@dataclass(frozen=True)
class KubotaDoseResponse:
    """Insulin dose responses of the Kubota model over one protocol.

    Attributes
    ----------
    insulin : numpy.ndarray
        Insulin levels [nM].
    g6pase_relative : numpy.ndarray
        G6Pase at the end of stimulation relative to its value at the start
        [dimensionless].
    pakt_peak : numpy.ndarray
        Peak pAKT during stimulation [a.u.].
    ps6k_peak : numpy.ndarray
        Peak pS6K during stimulation [a.u.].
    """

    insulin: Array
    g6pase_relative: Array
    pakt_peak: Array
    ps6k_peak: Array


def dose_response_kubota(
    levels: Sequence[float] | Array = PUBLISHED_LEVELS,
    *,
    starvation: float = 2400.0,
    duration: float = 480.0,
    parameters: KubotaParameters | None = None,
    magnesium: float | None = None,
    magnesium_on_receptor: bool = False,
    rtol: float = RTOL,
    atol: float = ATOL,
) -> KubotaDoseResponse:
    """G6Pase suppression and peak pAKT against insulin, one protocol per level.

    Parameters
    ----------
    levels : sequence of float
        Insulin levels [nM]; each in [0, 100]. Defaults to the published five.
    starvation, duration : float
        Protocol times [min], as in :func:`simulate_kubota`.
    parameters : KubotaParameters, optional
        Defaults to the published set.
    magnesium : float, optional
        Cytosolic free Mg²⁺ [mM] for the teaching factor phi_Mg.
    magnesium_on_receptor : bool
        Also scale k_Ins [TEACHING ASSUMPTION].
    rtol, atol : float
        Solver tolerances, as in :func:`starved_state`.

    Returns
    -------
    KubotaDoseResponse
        One value per level.

    Notes
    -----
    ``g6pase_relative = G6Pase(duration)/G6Pase(0)``, where 0 is the end of
    starvation (the basal state of the protocol) [1]_.

    References
    ----------
    .. [1] Kubota H et al. Mol Cell 2012;46(6):820-832. doi:10.1016/j.molcel.2012.04.018

    Examples
    --------
    >>> dr = dose_response_kubota([0.01, 1.0])
    >>> bool(dr.g6pase_relative[1] < dr.g6pase_relative[0])
    True
    """
    insulin = check_range("levels", levels, "nM", low=_INSULIN_RANGE[0], high=_INSULIN_RANGE[1],
                          low_inclusive=True)
    insulin = np.atleast_1d(insulin)
    g6p, pakt, ps6k = [], [], []
    for level in insulin:
        r = simulate_kubota(float(level), starvation=starvation, duration=duration, parameters=parameters,
                            magnesium=magnesium, magnesium_on_receptor=magnesium_on_receptor,
                            rtol=rtol, atol=atol)
        g6p.append(float(r.g6pase_relative[-1]))
        pakt.append(float(np.max(r.pAKT)))
        ps6k.append(float(np.max(r.pS6K)))
    return KubotaDoseResponse(insulin=insulin, g6pase_relative=np.array(g6p), pakt_peak=np.array(pakt),
                              ps6k_peak=np.array(ps6k))


def hepatic_glucose_output(g6pase_relative: FloatOrArray, *, basal: float = 2.0) -> FloatOrArray:
    """Hepatic glucose output read out from G6Pase expression [TEACHING ASSUMPTION].

    Parameters
    ----------
    g6pase_relative : float or array-like
        G6Pase expression relative to basal [dimensionless]; in [0, 10].
    basal : float
        Glucose output at basal expression [mg kg⁻¹ min⁻¹]; 2.0 by default, a
        round postabsorptive value for illustration.

    Returns
    -------
    float or numpy.ndarray
        Hepatic glucose output [mg kg⁻¹ min⁻¹, or the unit of ``basal``].

    Notes
    -----
    ``HGO = basal · G6Pase/G6Pase_basal``. Not part of the Kubota model, which
    describes expression only: real output also depends on enzyme activity (itself
    Mg-dependent), substrate supply, glycogenolysis and other gluconeogenic
    enzymes. Proportionality is the simplest possible teaching readout.

    References
    ----------
    .. [1] Kubota H et al. Mol Cell 2012;46(6):820-832. doi:10.1016/j.molcel.2012.04.018
       (the expression model only; the readout is a course construction).

    Examples
    --------
    >>> hepatic_glucose_output(0.75)
    1.5
    """
    rel = check_range("g6pase_relative", g6pase_relative, "dimensionless", low=0.0, high=10.0,
                      low_inclusive=True)
    check_range("basal", basal, "mg kg^-1 min^-1", high=100.0)
    return scalar_or_array(basal * rel)
