"""Insulin signalling in muscle and adipose tissue: from the receptor to GLUT4.

Published models (labelled [PUBLISHED] in the course):

* Sedaghat, Sherman & Quon (2002), the metabolic insulin-signalling model in its
  version without feedback: 20 ODE states from the insulin receptor to cell-surface
  GLUT4, driven by an insulin step (:func:`simulate_sedaghat`);
* Brännmark et al. (2013), the human adipocyte model for normal cells and cells from
  people with type 2 diabetes (BioModels BIOMD0000000448 and BIOMD0000000449):
  27 states from the receptor to GLUT4, S6 and glucose uptake
  (:func:`simulate_brannmark`).

Teaching assumptions, off by default and named as such wherever they appear:

* a "teaching" mode of the Sedaghat model that clips PIP3 below its basal level in
  the Akt and PKC-ζ activation rates (and warns whenever the clip acts);
* a saturating factor of cytosolic free Mg²⁺ on the receptor tyrosine kinase steps
  (:func:`receptor_kinase_factor`), because the kinase uses MgATP.

Units: time in min in both models. The Sedaghat model mixes molar concentrations
[M] (receptor, IRS-1, PI3K) with percentages of a total [%] (lipids, Akt, PKC-ζ,
GLUT4); its insulin input is in M. The Brännmark model uses arbitrary units [a.u.]
with each protein total at 100 a.u. in the normal cell; its insulin input is in nM.
Free Mg²⁺ is in mM.

References
----------
.. [1] Sedaghat AR, Sherman A, Quon MJ. A mathematical model of metabolic insulin
   signaling pathways. Am J Physiol Endocrinol Metab 2002;283(5):E1084-E1101.
   doi:10.1152/ajpendo.00571.2001
.. [2] Brännmark C, Nyman E, Fagerholm S, Bergenholm L, Ekstrand EM, Cedersund G,
   Strålfors P. Insulin signaling in type 2 diabetes: experimental and modeling
   analyses reveal mechanisms of insulin resistance in human adipocytes. J Biol Chem
   2013;288(14):9867-9880. doi:10.1074/jbc.M112.432062
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

from mgcourse import MgcourseWarning
from mgcourse._integrate import rk4, solve, steps_and_stride
from mgcourse._validation import (
    Bound,
    FloatOrArray,
    as_float_array,
    check_choice,
    check_fields,
    check_range,
    check_tolerances,
    non_negative,
    positive,
    scalar_or_array,
)

__all__ = [
    "BRANNMARK_STATE_NAMES",
    "NORMAL",
    "SEDAGHAT_INITIAL_STATE",
    "SEDAGHAT_STATE_NAMES",
    "T2D",
    "BrannmarkDoseResponse",
    "BrannmarkParameters",
    "BrannmarkResult",
    "SedaghatDoseResponse",
    "SedaghatParameters",
    "SedaghatResult",
    "basal_state",
    "dose_response_brannmark",
    "dose_response_sedaghat",
    "ec50",
    "receptor_kinase_factor",
    "simulate_brannmark",
    "simulate_sedaghat",
]

FloatArray = npt.NDArray[np.float64]

# ---------------------------------------------------------------------------
# Magnesium and the receptor kinase [TEACHING ASSUMPTION]
# ---------------------------------------------------------------------------

#: Range of cytosolic free Mg²⁺ accepted by the simulations [mM].
_MAGNESIUM_RANGE: Final = (0.05, 5.0)


def receptor_kinase_factor(
    free_mg: FloatOrArray, *, k_mg: float = 0.5, reference: float = 0.5
) -> FloatOrArray:
    """Relative activity of the MgATP-dependent receptor kinase [TEACHING ASSUMPTION].

    Parameters
    ----------
    free_mg : float or array-like
        Cytosolic free Mg²⁺ [mM]; in [0, 10].
    k_mg : float
        Half-saturating free Mg²⁺ [mM]; in (0, 10]. 0.5 mM is a didactic choice,
        not a measured constant.
    reference : float
        Free Mg²⁺ at which the factor is 1 [mM]; in (0, 10].

    Returns
    -------
    float or numpy.ndarray
        Factor φ_Mg [dimensionless]: 1 at the reference, at most
        ``(k_mg + reference)/reference`` (2 with the defaults), 0 at no Mg²⁺.

    Notes
    -----
    The insulin receptor tyrosine kinase uses MgATP, and a second Mg²⁺ bound to the
    kinase domain raises its affinity for ATP; receptor autophosphorylation and
    downstream kinase activity fall when intracellular Mg²⁺ is low. The course
    represents this with a saturating factor::

        φ_Mg(m) = [m / (K_Mg + m)] / [m_ref / (K_Mg + m_ref)]

    The factor multiplies the receptor-kinase rate constants of the published
    models (``k7`` and ``k3`` of Sedaghat 2002 [1]_; ``k1c`` and ``k1basal``, and
    optionally ``k2a``, of Brännmark 2013 [2]_). This link is not part of either
    published model.

    References
    ----------
    .. [1] Sedaghat AR, Sherman A, Quon MJ. Am J Physiol Endocrinol Metab
       2002;283(5):E1084-E1101. doi:10.1152/ajpendo.00571.2001
    .. [2] Brännmark C et al. J Biol Chem 2013;288(14):9867-9880.
       doi:10.1074/jbc.M112.432062

    Examples
    --------
    >>> receptor_kinase_factor(0.5)
    1.0
    >>> round(receptor_kinase_factor(0.25), 4)
    0.6667
    """
    m = check_range("free_mg", free_mg, "mM", low=0.0, high=10.0, low_inclusive=True)
    check_range("k_mg", k_mg, "mM", high=10.0)
    check_range("reference", reference, "mM", high=10.0)
    factor = (m / (k_mg + m)) / (reference / (k_mg + reference))
    return scalar_or_array(factor)


def _magnesium_factor(magnesium: float | None) -> float:
    if magnesium is None:
        return 1.0
    low, high = _MAGNESIUM_RANGE
    check_range("magnesium", magnesium, "mM", low=low, high=high, low_inclusive=True)
    return float(receptor_kinase_factor(float(magnesium)))


# ---------------------------------------------------------------------------
# Sedaghat, Sherman & Quon 2002 [PUBLISHED]
# ---------------------------------------------------------------------------

#: Names of the 20 ODE states x2 … x21 of the Sedaghat model, in model order.
SEDAGHAT_STATE_NAMES: Final = (
    "receptor_unbound",  # x2 [M]
    "receptor_once_bound",  # x3 [M]
    "receptor_twice_bound_phosphorylated",  # x4 [M]
    "receptor_once_bound_phosphorylated",  # x5 [M]
    "receptor_internal_unbound",  # x6 [M]
    "receptor_internal_twice_bound_phosphorylated",  # x7 [M]
    "receptor_internal_once_bound_phosphorylated",  # x8 [M]
    "irs1",  # x9 [M]
    "irs1_phosphorylated",  # x10 [M]
    "pi3k",  # x11 [M]
    "irs1_pi3k",  # x12 [M]
    "pip3",  # x13 [%]
    "pip2",  # x14 [%]
    "pi34p2",  # x15 [%]
    "akt_inactive",  # x16 [%]
    "akt",  # x17 [%]
    "pkc_inactive",  # x18 [%]
    "pkc",  # x19 [%]
    "glut4_intracellular",  # x20 [%]
    "glut4_membrane",  # x21 [%]
)

#: Initial values of x2 … x21 [PUBLISHED]: receptor to PI3K in M, the rest in %.
SEDAGHAT_INITIAL_STATE: Final = (
    9e-13, 0.0, 0.0, 0.0, 1e-13, 0.0, 0.0, 1e-12, 0.0, 1e-13, 0.0,
    0.31, 99.4, 0.29, 100.0, 0.0, 100.0, 0.0, 96.0, 4.0,
)

_N_SEDAGHAT: Final = 20
_MOLAR_STATES: Final = 11  # x2 … x12 are concentrations [M]
#: Basal PIP3 and its rise at maximal stimulation in the Akt/PKC-ζ rates [%] [PUBLISHED].
_PIP3_BASAL: Final = 0.31
_PIP3_SPAN: Final = 2.79
#: Intracellular receptor total above which receptor synthesis is slow [M] [PUBLISHED].
_K5_THRESHOLD: Final = 1e-13
#: PIP3 below basal by more than this counts as a clip / negative rate [%].
_CLIP_TOLERANCE: Final = 1e-9
#: Default tolerances of the adaptive Sedaghat runs: rtol, and atol of the molar states
#: x2 … x12 [M]; the percentage states x13 … x21 use atol·1e12 [%].
_SEDAGHAT_RTOL: Final = 1e-8
_SEDAGHAT_ATOL_MOLAR: Final = 1e-22
_PERCENT_PER_MOLAR_ATOL: Final = 1e12
_SEDAGHAT_BUDGET: Final = 2000.0  # right-hand-side evaluations per simulated min

#: Valid ranges of the Sedaghat parameters: rate constants ≥ 0, levels > 0.
_SEDAGHAT_BOUNDS: Final = {
    "k1": positive("M^-1 min^-1"), "irp": positive("M"), "pi3k": positive("M"),
    **{name: non_negative("min^-1") for name in (
        "km1", "k3", "km4", "k4p", "km4p", "km5", "k6", "k7", "km8", "k9stim", "km10",
        "km11", "km12", "km13", "km14")},
    **{name: positive("dimensionless", high=100.0) for name in ("ptp", "pten", "ship", "k7_scale")},
}

Mode = Literal["published", "teaching"]
SedaghatMethod = Literal["LSODA", "BDF", "Radau", "rk4"]


@dataclass(frozen=True)
class SedaghatParameters:
    """Rate constants of the Sedaghat, Sherman & Quon (2002) model without feedback [PUBLISHED].

    Source: Sedaghat AR, Sherman A, Quon MJ. A mathematical model of metabolic insulin
    signaling pathways. Am J Physiol Endocrinol Metab 2002;283(5):E1084-E1101.
    doi:10.1152/ajpendo.00571.2001.

    Constants the paper defines from others (``k2``, ``km2``, ``km3``, ``k4``, ``km7``,
    ``k8``, ``km9``, ``k9basal``, ``k10``, ``k13``, ``k13p_max``, ``k14``,
    ``ap_equil``) are properties computed exactly as defined, so a variant made with
    :func:`dataclasses.replace` keeps them consistent. The published phosphatase
    scenario is ``replace(SedaghatParameters(), ptp=1.5)``.
    """

    k1: float = 6e7  # insulin binding to the unbound receptor [M^-1 min^-1]
    km1: float = 0.20  # insulin dissociation [min^-1]
    k3: float = 2500.0  # receptor autophosphorylation, x3 -> x5 [min^-1]
    km4: float = 0.003  # recycling of unbound receptor, x6 -> x2 [min^-1]
    k4p: float = 2.1e-3  # internalisation of phosphorylated receptor [min^-1]
    km4p: float = 2.1e-4  # recycling of phosphorylated receptor [min^-1]
    km5: float = 1.66667e-18  # intracellular receptor degradation [min^-1]
    k6: float = 0.461  # dephosphorylation of intracellular receptor (x PTP) [min^-1]
    k7: float = 4.16  # IRS-1 tyrosine phosphorylation by the receptor kinase [min^-1]
    irp: float = 8.97e-13  # normalising level of phosphorylated receptor, IRp [M]
    km8: float = 10.0  # IRS-1(pY)/PI3K dissociation [min^-1]
    k9stim: float = 1.39  # stimulated PI(4,5)P2 -> PIP3 rate [min^-1]
    pi3k: float = 5.0e-15  # normalising PI3K activity, PI3K [M]
    km10: float = 2.77  # SHIP: PIP3 -> PI(3,4)P2 (x SHIP) [min^-1]
    km11: float = 6.93  # Akt inactivation [min^-1]
    km12: float = 6.93  # PKC-zeta inactivation [min^-1]
    km13: float = 0.167  # GLUT4 endocytosis, x21 -> x20 [min^-1]
    km14: float = 0.001155  # intracellular GLUT4 degradation [min^-1]
    ptp: float = 1.0  # relative activity of protein tyrosine phosphatases [-]
    pten: float = 1.0  # relative activity of PTEN [-]
    ship: float = 1.0  # relative activity of SHIP2 [-]
    k7_scale: float = 1.0  # teaching: multiplier on k7 alone, km7 unchanged (e.g. TNF-α) [-]

    def __post_init__(self) -> None:
        check_fields(self, _SEDAGHAT_BOUNDS)

    @property
    def k2(self) -> float:
        """Second insulin binding to the phosphorylated receptor, ``k2 = k1`` [M⁻¹·min⁻¹]."""
        return self.k1

    @property
    def km2(self) -> float:
        """Second-insulin dissociation, ``km2 = 100·km1`` [min⁻¹]."""
        return 100.0 * self.km1

    @property
    def km3(self) -> float:
        """Surface receptor dephosphorylation (× PTP), ``km3 = km1`` [min⁻¹]."""
        return self.km1

    @property
    def k4(self) -> float:
        """Internalisation of unbound receptor, ``k4 = km4/9`` [min⁻¹]."""
        return self.km4 / 9.0

    @property
    def km7(self) -> float:
        """IRS-1 dephosphorylation (× PTP), ``km7 = (2.5/7.45)·k7`` [min⁻¹]."""
        return (2.5 / 7.45) * self.k7

    @property
    def k8(self) -> float:
        """IRS-1(pY)/PI3K association, ``k8 = PI3K/(7.45e-13 · 9.5e-14)·km8`` [M⁻¹·min⁻¹]."""
        return self.pi3k / (7.45e-13 * 9.5e-14) * self.km8

    @property
    def km9(self) -> float:
        """PTEN: PIP3 → PI(4,5)P2 (× PTEN), ``km9 = (94/3.1)·k9stim`` [min⁻¹]."""
        return (94.0 / 3.1) * self.k9stim

    @property
    def k9basal(self) -> float:
        """Basal PI(4,5)P2 → PIP3, ``k9basal = (0.31/99.4)·km9`` [min⁻¹]."""
        return (0.31 / 99.4) * self.km9

    @property
    def k10(self) -> float:
        """PI(3,4)P2 → PIP3, ``k10 = km10·(3.1/2.9)`` [min⁻¹]."""
        return self.km10 * (3.1 / 2.9)

    @property
    def k13(self) -> float:
        """Basal GLUT4 exocytosis, ``k13 = (4/96)·km13`` [min⁻¹]."""
        return (4.0 / 96.0) * self.km13

    @property
    def k13p_max(self) -> float:
        """Maximal insulin-stimulated exocytosis, ``(40/60 − 4/96)·km13`` [min⁻¹]."""
        return (40.0 / 60.0 - 4.0 / 96.0) * self.km13

    @property
    def k14(self) -> float:
        """GLUT4 synthesis, ``k14 = 96·km14`` [%·min⁻¹]."""
        return 96.0 * self.km14

    @property
    def ap_equil(self) -> float:
        """Normaliser of the Akt/PKC-ζ effect on GLUT4, ``APequil = 100/11`` [%]."""
        return 100.0 / 11.0

    def k5(self, intracellular_receptor: float) -> float:
        """Receptor synthesis at a given intracellular receptor total x6+x7+x8 [M·min⁻¹].

        ``10·km5`` above 1e-13 M (strict), ``60·km5`` otherwise [PUBLISHED].
        """
        return (10.0 if intracellular_receptor > _K5_THRESHOLD else 60.0) * self.km5


def _x(number: int) -> int:
    """Row of state x<number> (x2 … x21) in the state vector."""
    return number - 2


class _SedaghatModel:
    """Right-hand side of the Sedaghat model as ``A·y + P·(bilinear terms) + b``.

    Works on states of shape (20, m): m scenarios integrated side by side. The
    bilinear terms are products of two entries of the extended vector
    ``z = (y, d, effect, x1)`` with ``d = x13 − 0.31`` (clipped at 0 in teaching
    mode) and ``effect = min((0.2·x17 + 0.8·x19)/APequil, 1)``.
    """

    def __init__(self, p: SedaghatParameters, *, clip: bool, kinase_factor: float) -> None:
        k3 = p.k3 * kinase_factor
        k7 = p.k7 * kinase_factor * p.k7_scale
        a = np.zeros((_N_SEDAGHAT, _N_SEDAGHAT))

        def lin(row: int, col: int, rate: float) -> None:
            a[_x(row), _x(col)] += rate

        lin(2, 3, p.km1)
        lin(2, 5, p.km3 * p.ptp)
        lin(2, 6, p.km4)
        lin(2, 2, -p.k4)
        lin(3, 3, -(p.km1 + k3))
        lin(4, 4, -(p.km2 + p.k4p))
        lin(4, 7, p.km4p)
        lin(5, 3, k3)
        lin(5, 4, p.km2)
        lin(5, 5, -(p.km3 * p.ptp + p.k4p))
        lin(5, 8, p.km4p)
        lin(6, 6, -(p.km5 + p.km4))
        lin(6, 7, p.k6 * p.ptp)
        lin(6, 8, p.k6 * p.ptp)
        lin(6, 2, p.k4)
        lin(7, 4, p.k4p)
        lin(7, 7, -(p.km4p + p.k6 * p.ptp))
        lin(8, 5, p.k4p)
        lin(8, 8, -(p.km4p + p.k6 * p.ptp))
        lin(9, 10, p.km7 * p.ptp)
        lin(10, 10, -p.km7 * p.ptp)
        lin(10, 12, p.km8)
        lin(11, 12, p.km8)
        lin(12, 12, -p.km8)
        lin(13, 14, p.k9basal)
        lin(13, 15, p.k10)
        lin(13, 13, -(p.km9 * p.pten + p.km10 * p.ship))
        lin(14, 13, p.km9 * p.pten)
        lin(14, 14, -p.k9basal)
        lin(15, 13, p.km10 * p.ship)
        lin(15, 15, -p.k10)
        lin(16, 17, p.km11)
        lin(17, 17, -p.km11)
        lin(18, 19, p.km12)
        lin(19, 19, -p.km12)
        lin(20, 21, p.km13)
        lin(20, 20, -(p.k13 + p.km14))
        lin(21, 20, p.k13)
        lin(21, 21, -p.km13)
        self.a = a
        self.b = np.zeros((_N_SEDAGHAT, 1))
        self.b[_x(20), 0] = p.k14

        # extended vector z: rows 0..19 = y, 20 = d, 21 = effect, 22 = x1
        d_row, effect_row, insulin_row = _N_SEDAGHAT, _N_SEDAGHAT + 1, _N_SEDAGHAT + 2
        terms = [
            # (coefficient, z row a, z row b, {state: stoichiometry})
            (k7 / p.irp, _x(9), _x(4), {9: -1, 10: 1}),
            (k7 / p.irp, _x(9), _x(5), {9: -1, 10: 1}),
            (p.k8, _x(10), _x(11), {10: -1, 11: -1, 12: 1}),
            ((p.k9stim - p.k9basal) / p.pi3k, _x(12), _x(14), {13: 1, 14: -1}),
            (p.k1, insulin_row, _x(2), {2: -1, 3: 1}),
            (p.k2, insulin_row, _x(5), {5: -1, 4: 1}),
            (0.1 * p.km11 / _PIP3_SPAN, d_row, _x(16), {16: -1, 17: 1}),
            (0.1 * p.km12 / _PIP3_SPAN, d_row, _x(18), {18: -1, 19: 1}),
            (p.k13p_max, effect_row, _x(20), {20: -1, 21: 1}),
        ]
        self.rows_a = np.array([t[1] for t in terms])
        self.rows_b = np.array([t[2] for t in terms])
        self.p_matrix = np.zeros((_N_SEDAGHAT, len(terms)))
        for k, (coefficient, _, _, stoichiometry) in enumerate(terms):
            for state, s in stoichiometry.items():
                self.p_matrix[_x(state), k] = s * coefficient
        self.effect_weights = np.zeros(_N_SEDAGHAT)
        self.effect_weights[_x(17)] = 0.2 / p.ap_equil
        self.effect_weights[_x(19)] = 0.8 / p.ap_equil
        self.k5_weights = np.zeros(_N_SEDAGHAT)
        self.k5_weights[[_x(6), _x(7), _x(8)]] = 1.0
        self.k5_low = 60.0 * p.km5  # k5 while x6 + x7 + x8 ≤ 1e-13 M
        self.k5_step = 10.0 * p.km5 - self.k5_low  # change of k5 above the threshold
        self.clip = clip

    def _extended(self, y: FloatArray, insulin: FloatArray) -> FloatArray:
        d = y[_x(13)] - _PIP3_BASAL
        if self.clip:
            d = np.maximum(d, 0.0)
        effect = np.minimum(self.effect_weights @ y, 1.0)
        return np.concatenate((y, d[None], effect[None], insulin[None]), axis=0)

    def __call__(self, y: FloatArray, insulin: FloatArray) -> FloatArray:
        """Time derivative [unit of each state per min] for y of shape (20, m)."""
        z = self._extended(y, insulin)
        dy: FloatArray = self.a @ y
        dy += self.p_matrix @ (z.take(self.rows_a, axis=0) * z.take(self.rows_b, axis=0))
        dy += self.b
        intracellular = self.k5_weights @ y
        dy[_x(6)] += self.k5_low + self.k5_step * (intracellular > _K5_THRESHOLD)
        return dy

    def jacobian(self, y: FloatArray, insulin: float) -> FloatArray:
        """Jacobian of the right-hand side at one state y of shape (20,)."""
        z = self._extended(y[:, None], np.array([insulin]))[:, 0]
        dz = np.zeros((z.size, _N_SEDAGHAT))
        dz[:_N_SEDAGHAT] = np.eye(_N_SEDAGHAT)
        if not self.clip or z[_N_SEDAGHAT] > 0.0:
            dz[_N_SEDAGHAT, _x(13)] = 1.0
        if self.effect_weights @ y < 1.0:
            dz[_N_SEDAGHAT + 1] = self.effect_weights
        gradient = (z[self.rows_b][:, None] * dz[self.rows_a]
                    + z[self.rows_a][:, None] * dz[self.rows_b])
        jac: FloatArray = self.a + self.p_matrix @ gradient
        return jac


@dataclass(frozen=True)
class SedaghatResult:
    """A simulated time course of the Sedaghat et al. (2002) model.

    Receptor, IRS-1 and PI3K species are in M; lipids, Akt, PKC-ζ and GLUT4 are
    percentages of their own totals (GLUT4 of its initial total).

    Attributes
    ----------
    time : numpy.ndarray
        Time [min].
    insulin : numpy.ndarray
        Insulin input x1 at each time [M] (the step as seen by the solver; at the
        switching time itself the value after the switch).
    receptor_unbound : numpy.ndarray
        x2, unbound surface insulin receptor [M].
    receptor_once_bound : numpy.ndarray
        x3, once-bound surface receptor, unphosphorylated [M].
    receptor_twice_bound_phosphorylated : numpy.ndarray
        x4, twice-bound phosphorylated surface receptor [M].
    receptor_once_bound_phosphorylated : numpy.ndarray
        x5, once-bound phosphorylated surface receptor [M].
    receptor_internal_unbound : numpy.ndarray
        x6, unbound unphosphorylated intracellular receptor [M].
    receptor_internal_twice_bound_phosphorylated : numpy.ndarray
        x7, twice-bound phosphorylated intracellular receptor [M].
    receptor_internal_once_bound_phosphorylated : numpy.ndarray
        x8, once-bound phosphorylated intracellular receptor [M].
    irs1 : numpy.ndarray
        x9, unphosphorylated IRS-1 [M].
    irs1_phosphorylated : numpy.ndarray
        x10, tyrosine-phosphorylated IRS-1 [M].
    pi3k : numpy.ndarray
        x11, unactivated PI3K [M].
    irs1_pi3k : numpy.ndarray
        x12, IRS-1(pY)–PI3K complex [M].
    pip3 : numpy.ndarray
        x13, PI(3,4,5)P3 [% of the lipid pool].
    pip2 : numpy.ndarray
        x14, PI(4,5)P2 [%].
    pi34p2 : numpy.ndarray
        x15, PI(3,4)P2 [%].
    akt_inactive : numpy.ndarray
        x16, inactive Akt [% of Akt].
    akt : numpy.ndarray
        x17, active Akt [% of Akt].
    pkc_inactive : numpy.ndarray
        x18, inactive PKC-ζ [% of PKC-ζ].
    pkc : numpy.ndarray
        x19, active PKC-ζ [% of PKC-ζ].
    glut4_intracellular : numpy.ndarray
        x20, intracellular GLUT4 [% of the initial GLUT4 total].
    glut4_membrane : numpy.ndarray
        x21, cell-surface GLUT4 [% of the initial GLUT4 total].
    insulin_level : float
        Height of the insulin step [M].
    step_duration : float
        Time insulin was on [min]; equals the duration when insulin was held.
    mode : {"published", "teaching"}
        ``"teaching"`` clips PIP3 below basal in k11 and k12 [TEACHING ASSUMPTION].
    method : str
        Integrator: ``"LSODA"``, ``"BDF"``, ``"Radau"`` or ``"rk4"``.
    pip3_below_basal : bool
        Whether PIP3 fell below its basal 0.31 % (by more than 1e-9 %). In teaching
        mode the clip was then active; in published mode k11 and k12 were negative.
    receptor_kinase_factor : float
        Multiplier applied to k7 and k3 [dimensionless]; 1 unless ``magnesium`` was given.
    teaching_assumptions : tuple of str
        Every teaching assumption that was switched on; empty for the published model.
    parameters : SedaghatParameters
        The published parameter set used (before any magnesium factor).
    """

    time: FloatArray
    insulin: FloatArray
    receptor_unbound: FloatArray
    receptor_once_bound: FloatArray
    receptor_twice_bound_phosphorylated: FloatArray
    receptor_once_bound_phosphorylated: FloatArray
    receptor_internal_unbound: FloatArray
    receptor_internal_twice_bound_phosphorylated: FloatArray
    receptor_internal_once_bound_phosphorylated: FloatArray
    irs1: FloatArray
    irs1_phosphorylated: FloatArray
    pi3k: FloatArray
    irs1_pi3k: FloatArray
    pip3: FloatArray
    pip2: FloatArray
    pi34p2: FloatArray
    akt_inactive: FloatArray
    akt: FloatArray
    pkc_inactive: FloatArray
    pkc: FloatArray
    glut4_intracellular: FloatArray
    glut4_membrane: FloatArray
    insulin_level: float
    step_duration: float
    mode: str
    method: str
    pip3_below_basal: bool
    receptor_kinase_factor: float
    teaching_assumptions: tuple[str, ...]
    parameters: SedaghatParameters = field(repr=False)

    @property
    def surface_glut4(self) -> FloatArray:
        """Share of GLUT4 at the cell surface, ``100·x21/(x20 + x21)`` [%].

        The ratio is used because the GLUT4 total is not conserved (synthesis and
        degradation act on x20).
        """
        return 100.0 * self.glut4_membrane / (self.glut4_intracellular + self.glut4_membrane)

    def state(self, number: int) -> FloatArray:
        """State ``x<number>`` by the paper's numbering: 1 (insulin input, M) to 21."""
        if number == 1:
            return self.insulin
        if not 2 <= number <= 21:
            raise ValueError(f"number = {number} is out of range; valid range is [1, 21]")
        values: FloatArray = getattr(self, SEDAGHAT_STATE_NAMES[_x(number)])
        return values

    def as_array(self) -> FloatArray:
        """States x2 … x21 as one array of shape (20, len(time)) [mixed units]."""
        return np.vstack([getattr(self, name) for name in SEDAGHAT_STATE_NAMES])


def _time_grid(duration: float, sample_interval: float) -> FloatArray:
    samples = max(1, round(duration / sample_interval))
    return np.linspace(0.0, duration, samples + 1)


def _sedaghat_adaptive(
    model: _SedaghatModel,
    insulin: float,
    t_step: float,
    duration: float,
    times: FloatArray,
    method: str,
    rtol: float = _SEDAGHAT_RTOL,
    atol: float = _SEDAGHAT_ATOL_MOLAR,
) -> tuple[FloatArray, float]:
    """Integrate one scenario piecewise; return states (20, len(times)) and min PIP3."""
    tolerances = np.array([atol] * _MOLAR_STATES + [atol * _PERCENT_PER_MOLAR_ATOL]
                          * (_N_SEDAGHAT - _MOLAR_STATES))
    y0 = np.array(SEDAGHAT_INITIAL_STATE, dtype=float)
    out = np.empty((_N_SEDAGHAT, times.size))
    pip3_min = float(y0[_x(13)])
    if t_step < duration:
        segments = [(0.0, t_step, insulin), (t_step, duration, 0.0)]
    else:
        segments = [(0.0, duration, insulin)]
    for start, end, level in segments:
        if end <= start:
            continue
        x1 = np.array([level])

        def rhs(_t: float, y: FloatArray, x1: FloatArray = x1) -> FloatArray:
            derivative: FloatArray = model(y[:, None], x1)[:, 0]
            return derivative

        def jac(_t: float, y: FloatArray, level: float = level) -> FloatArray:
            return model.jacobian(y, level)

        solution = solve(
            rhs, (start, end), y0, what="the Sedaghat model", unit="min", method=method,
            rtol=rtol, atol=tolerances, budget=_SEDAGHAT_BUDGET, jac=jac, dense_output=True,
        )
        last = end >= duration
        inside = (times >= start) & ((times <= end) if last else (times < end))
        out[:, inside] = solution.sol(times[inside])
        pip3_min = min(pip3_min, float(np.min(solution.y[_x(13)])),
                       float(np.min(out[_x(13), inside], initial=np.inf)))
        y0 = solution.y[:, -1]
    return out, pip3_min


def _sedaghat_rk4(
    model: _SedaghatModel,
    insulin: FloatArray,
    t_step: float,
    duration: float,
    times: FloatArray,
    dt: float,
    duration_name: str = "duration",
) -> tuple[FloatArray, FloatArray]:
    """Classical fixed-step RK4 on m scenarios at once; states (20, m, len(times))."""
    n_steps, stride = steps_and_stride(duration, dt, times.size - 1, duration_name)
    m = insulin.size
    y0 = np.repeat(np.array(SEDAGHAT_INITIAL_STATE, dtype=float)[:, None], m, axis=1)
    pip3_min = y0[_x(13)].copy()
    off = np.zeros(m)
    switch = t_step - 1e-9 * dt  # a stage time equal to t_step (up to rounding) is "off"

    def derivative(y: FloatArray, n: int, stage: float, out: FloatArray) -> None:
        out[...] = model(y, insulin if n * dt + stage * dt < switch else off)

    def after_step(_n: int, y: FloatArray) -> None:
        np.minimum(pip3_min, y[_x(13)], out=pip3_min)

    out = rk4(derivative, y0, dt=dt, n_steps=n_steps, stride=stride,
              what="the Sedaghat model", after_step=after_step)
    return out, pip3_min


def _check_sedaghat_options(
    duration: float, sample_interval: float, mode: str, method: str, dt: float
) -> None:
    check_range("duration", duration, "min", high=1440.0)
    check_range("sample_interval", sample_interval, "min", high=duration)
    check_choice("mode", mode, ("published", "teaching"))
    check_choice("method", method, ("LSODA", "BDF", "Radau", "rk4"))
    check_range("rk4_step", dt, "min", high=0.001)


def _sedaghat_assumptions(mode: str, factor: float, magnesium: float | None) -> tuple[str, ...]:
    assumptions = []
    if mode == "teaching":
        assumptions.append(
            "teaching mode: k11 and k12 use max(x13 - 0.31, 0), so PIP3 below its basal "
            "level cannot inactivate Akt or PKC-zeta below zero (not in Sedaghat 2002)"
        )
    if magnesium is not None:
        assumptions.append(
            f"magnesium: receptor kinase factor {factor:.4g} at free Mg {magnesium:g} mM "
            "multiplies k7 and k3 (not in Sedaghat 2002)"
        )
    return tuple(assumptions)


def _warn_clip(pip3_min: float) -> None:
    warnings.warn(
        f"teaching mode: PIP3 fell to {pip3_min:.4g} %, below its basal 0.31 %; the clip "
        "max(x13 - 0.31, 0) in k11 and k12 was active (a modification of Sedaghat 2002)",
        MgcourseWarning,
        stacklevel=3,
    )


def simulate_sedaghat(
    insulin: float = 1e-7,
    *,
    step_duration: float = 15.0,
    duration: float = 60.0,
    parameters: SedaghatParameters | None = None,
    hold: bool = False,
    mode: Mode = "published",
    magnesium: float | None = None,
    method: SedaghatMethod = "LSODA",
    sample_interval: float = 0.1,
    rk4_step: float = 0.001,
    rtol: float = _SEDAGHAT_RTOL,
    atol: float = _SEDAGHAT_ATOL_MOLAR,
) -> SedaghatResult:
    """Simulate the Sedaghat, Sherman & Quon (2002) insulin-signalling model.

    Parameters
    ----------
    insulin : float
        Height of the insulin step x1 [M]; in [0, 1e-4]. 1e-7 M is 100 nM.
    step_duration : float
        Time insulin stays on [min]; ≥ 0. Ignored when ``hold`` is true.
    duration : float
        Simulated time [min]; in (0, 1440].
    parameters : SedaghatParameters, optional
        Defaults to the published set.
    hold : bool
        Keep insulin on for the whole run (dose–response protocol).
    mode : {"published", "teaching"}
        ``"published"`` (default) keeps the original, unclipped k11 and k12, which turn
        negative when PIP3 falls below 0.31 %. ``"teaching"`` uses ``max(x13 − 0.31, 0)``
        instead and warns whenever the clip acts [TEACHING ASSUMPTION].
    magnesium : float, optional
        Cytosolic free Mg²⁺ [mM]; in [0.05, 5]. If given, k7 and k3 are multiplied by
        :func:`receptor_kinase_factor` [TEACHING ASSUMPTION]; ``km7`` keeps its
        published value.
    method : {"LSODA", "BDF", "Radau", "rk4"}
        ``"LSODA"`` (default), ``"BDF"`` and ``"Radau"`` are adaptive (``rtol``,
        ``atol``), restarted at the insulin switch. ``"rk4"`` is the original
        fixed-step classical Runge–Kutta scheme, slower, kept for validation.
    sample_interval : float
        Spacing of the returned samples [min]; with ``"rk4"`` a multiple of ``rk4_step``.
    rk4_step : float
        Step of the RK4 scheme [min]; in (0, 0.001] (stability needs k3·dt ≲ 2.8).
        Its error falls with dt⁴: halving it changes the outputs by less than 0.5 %.
    rtol : float
        Relative tolerance of the adaptive methods [dimensionless]; in [1e-14, 1e-3].
        The default 1e-8 is converged: at 1e-9 the outputs change by less than 0.5 %.
    atol : float
        Absolute tolerance of the adaptive methods for the molar states x2 … x12 [M];
        the percentage states x13 … x21 use ``atol·1e12`` [%]. Default 1e-22 M.

    Returns
    -------
    SedaghatResult
        All 20 states, the insulin input and the derived outputs ``surface_glut4``,
        ``pip3``, ``akt`` and ``pkc`` against time [min].

    Raises
    ------
    ValueError
        If an argument is out of range or not one of the listed choices.

    Warns
    -----
    MgcourseWarning
        In teaching mode, when PIP3 falls below 0.31 % and the clip becomes active.

    Notes
    -----
    Insulin is a step, ``x1(t) = insulin`` for ``0 ≤ t < step_duration`` and 0 after.
    The 20 ODEs are those of the model without feedback [1]_, with the state-dependent
    rates::

        k5     = 10·km5 if x6 + x7 + x8 > 1e-13 M, otherwise 60·km5
        k9     = (k9stim − k9basal)·x12/PI3K + k9basal
        k11    = 0.1·km11·(x13 − 0.31)/2.79      k12 = 0.1·km12·(x13 − 0.31)/2.79
        effect = min((0.2·x17 + 0.8·x19)/APequil, 1)
        k13'   = (40/60 − 4/96)·km13·effect

    The model was built so that PIP3 rises from 0.31 % to about 3.1 %, active Akt
    reaches at most 100/11 ≈ 9.09 %, and surface GLUT4 goes from 4 % towards 40 %.
    The RK4 scheme uses dt = 0.001 min and evaluates the input at the stage times
    ``t``, ``t + dt/2`` and ``t + dt``, insulin being off once a stage time reaches
    ``step_duration``.

    References
    ----------
    .. [1] Sedaghat AR, Sherman A, Quon MJ. A mathematical model of metabolic insulin
       signaling pathways. Am J Physiol Endocrinol Metab 2002;283(5):E1084-E1101.
       doi:10.1152/ajpendo.00571.2001

    Examples
    --------
    >>> result = simulate_sedaghat(1e-7, duration=15.0, hold=True)
    >>> round(float(result.surface_glut4[0]), 2), round(float(result.surface_glut4[-1]), 1)
    (4.0, 39.1)
    """
    _check_sedaghat_options(duration, sample_interval, mode, method, rk4_step)
    rtol, atol = check_tolerances(rtol, atol, "M")
    if np.ndim(insulin) != 0:
        raise ValueError("insulin must be a single number [M]; use dose_response_sedaghat "
                         "for several levels")
    level = float(check_range("insulin", insulin, "M", low=0.0, high=1e-4, low_inclusive=True))
    check_range("step_duration", step_duration, "min", low=0.0, high=1440.0, low_inclusive=True)
    p = parameters or SedaghatParameters()
    factor = _magnesium_factor(magnesium)
    # held insulin never switches off, not even at the last RK4 stage
    t_step = math.inf if hold else float(step_duration)
    times = _time_grid(duration, sample_interval)
    model = _SedaghatModel(p, clip=mode == "teaching", kinase_factor=factor)
    if method == "rk4":
        states, minimum = _sedaghat_rk4(model, np.array([level]), t_step, duration, times,
                                        rk4_step)
        y = states[:, 0, :]
        pip3_min = float(minimum[0])
    else:
        y, pip3_min = _sedaghat_adaptive(model, level, t_step, duration, times, method,
                                         rtol, atol)
    below = pip3_min < _PIP3_BASAL - _CLIP_TOLERANCE
    if below and mode == "teaching":
        _warn_clip(pip3_min)
    insulin_trace = np.where(times < t_step, level, 0.0)
    return SedaghatResult(
        time=times,
        insulin=insulin_trace,
        **{name: y[i] for i, name in enumerate(SEDAGHAT_STATE_NAMES)},
        insulin_level=level,
        step_duration=min(t_step, float(duration)),
        mode=mode,
        method=method,
        pip3_below_basal=bool(below),
        receptor_kinase_factor=factor,
        teaching_assumptions=_sedaghat_assumptions(mode, factor, magnesium),
        parameters=p,
    )


@dataclass(frozen=True)
class SedaghatDoseResponse:
    """Outputs of the Sedaghat model read at a fixed time under held insulin.

    Attributes
    ----------
    insulin : numpy.ndarray
        Insulin levels [M].
    surface_glut4 : numpy.ndarray
        Share of GLUT4 at the cell surface [%].
    akt : numpy.ndarray
        Active Akt [% of Akt].
    pip3 : numpy.ndarray
        PI(3,4,5)P3 [% of the lipid pool].
    pkc : numpy.ndarray
        Active PKC-ζ [% of PKC-ζ].
    read_at : float
        Time of the reading after insulin was added [min].
    receptor_kinase_factor : float
        Multiplier applied to k7 and k3 [dimensionless].
    teaching_assumptions : tuple of str
        Teaching assumptions that were switched on.
    """

    insulin: FloatArray
    surface_glut4: FloatArray
    akt: FloatArray
    pip3: FloatArray
    pkc: FloatArray
    read_at: float
    receptor_kinase_factor: float
    teaching_assumptions: tuple[str, ...]


def dose_response_sedaghat(
    insulin_levels: npt.ArrayLike,
    *,
    read_at: float = 15.0,
    parameters: SedaghatParameters | None = None,
    mode: Mode = "published",
    magnesium: float | None = None,
    method: SedaghatMethod = "LSODA",
    rtol: float = _SEDAGHAT_RTOL,
    atol: float = _SEDAGHAT_ATOL_MOLAR,
) -> SedaghatDoseResponse:
    """Dose–response of the Sedaghat model: insulin held, outputs read at ``read_at``.

    Parameters
    ----------
    insulin_levels : array-like
        Insulin concentrations [M]; each in [0, 1e-4].
    read_at : float
        Time of the reading [min]; in (0, 1440]. The published protocol reads at 15 min.
    parameters : SedaghatParameters, optional
        Defaults to the published set.
    mode : {"published", "teaching"}
        See :func:`simulate_sedaghat`.
    magnesium : float, optional
        Cytosolic free Mg²⁺ [mM] for the receptor kinase factor [TEACHING ASSUMPTION].
    method : {"LSODA", "BDF", "Radau", "rk4"}
        Integrator; ``"rk4"`` runs every level side by side in one vectorised sweep.
    rtol, atol : float
        Tolerances of the adaptive methods, as in :func:`simulate_sedaghat`.

    Returns
    -------
    SedaghatDoseResponse
        Surface GLUT4 [%], active Akt [%], PIP3 [%] and active PKC-ζ [%] per level.

    Notes
    -----
    One simulation per insulin level with insulin held constant (no removal), as in
    the dose–response protocol of Sedaghat et al. (2002) [1]_.

    References
    ----------
    .. [1] Sedaghat AR, Sherman A, Quon MJ. Am J Physiol Endocrinol Metab
       2002;283(5):E1084-E1101. doi:10.1152/ajpendo.00571.2001

    Examples
    --------
    >>> dr = dose_response_sedaghat([0.0, 1e-9])
    >>> [round(float(g), 2) for g in dr.surface_glut4]
    [4.0, 26.94]
    """
    levels = np.atleast_1d(check_range("insulin_levels", insulin_levels, "M", low=0.0,
                                       high=1e-4, low_inclusive=True))
    if levels.ndim != 1 or levels.size == 0:
        raise ValueError(f"insulin_levels must be a non-empty 1-D array [M], got shape "
                         f"{levels.shape}")
    check_range("read_at", read_at, "min", high=1440.0)
    check_choice("mode", mode, ("published", "teaching"))
    check_choice("method", method, ("LSODA", "BDF", "Radau", "rk4"))
    rtol, atol = check_tolerances(rtol, atol, "M")
    p = parameters or SedaghatParameters()
    factor = _magnesium_factor(magnesium)
    times = np.array([0.0, read_at])
    model = _SedaghatModel(p, clip=mode == "teaching", kinase_factor=factor)
    if method == "rk4":
        states, minima = _sedaghat_rk4(model, levels, math.inf, read_at, times, 0.001,
                                       "read_at")
        final = states[:, :, -1]
        pip3_min = float(np.min(minima))
    else:
        final = np.empty((_N_SEDAGHAT, levels.size))
        pip3_min = np.inf
        for j, level in enumerate(levels):
            y, minimum = _sedaghat_adaptive(model, float(level), math.inf, read_at, times,
                                            method, rtol, atol)
            final[:, j] = y[:, -1]
            pip3_min = min(pip3_min, minimum)
    if mode == "teaching" and pip3_min < _PIP3_BASAL - _CLIP_TOLERANCE:
        _warn_clip(pip3_min)
    x20, x21 = final[_x(20)], final[_x(21)]
    return SedaghatDoseResponse(
        insulin=levels,
        surface_glut4=100.0 * x21 / (x20 + x21),
        akt=final[_x(17)],
        pip3=final[_x(13)],
        pkc=final[_x(19)],
        read_at=float(read_at),
        receptor_kinase_factor=factor,
        teaching_assumptions=_sedaghat_assumptions(mode, factor, magnesium),
    )


def ec50(
    levels: npt.ArrayLike,
    response: npt.ArrayLike,
    *,
    basal: float | None = None,
    maximum: float | None = None,
) -> float:
    """Concentration giving half of the maximal response above basal.

    Parameters
    ----------
    levels : array-like
        Increasing concentrations, ≥ 0 [any unit; the result has the same unit]. A
        leading 0 is allowed and then gives the basal response.
    response : array-like
        Response at each level [any unit], same length as ``levels``.
    basal : float, optional
        Basal response [unit of ``response``]; defaults to the response at the lowest
        level. Pass another curve's value to compare curves against one target.
    maximum : float, optional
        Maximal response [unit of ``response``]; defaults to the response furthest
        from ``basal`` (so falling responses work too).

    Returns
    -------
    float
        EC50 [unit of ``levels``].

    Raises
    ------
    ValueError
        If the arrays differ in length, the levels do not increase, the response does
        not change, the response never reaches the half-maximal level, or the crossing
        lies at or below the lowest positive level (add lower levels).

    Notes
    -----
    With ``half = basal + (maximum − basal)/2``, the EC50 is where the response first
    reaches ``half``, interpolating linearly in ``log10(level)`` between the two
    levels around the crossing. By default the maximum is the largest response over
    the given levels, so the levels should reach saturation, and the lowest level
    should be 0 or low enough to give the basal response.

    Examples
    --------
    >>> levels = [0.0, 1e-10, 1e-9, 1e-8]
    >>> round(ec50(levels, [0.0, 1.0, 3.0, 4.0]) * 1e10, 3)
    3.162
    """
    x = as_float_array("levels", levels, "concentration unit")
    r = as_float_array("response", response, "response unit")
    if x.ndim != 1 or r.shape != x.shape or x.size < 2:
        raise ValueError(f"levels and response must be 1-D arrays of equal length ≥ 2, got "
                         f"{x.shape} and {r.shape}")
    check_range("levels", x, "concentration unit", low=0.0, low_inclusive=True)
    check_range("response", r, "response unit", low=-np.inf, high=np.inf)
    if np.any(np.diff(x) <= 0):
        raise ValueError("levels must be strictly increasing")
    unit = "response unit"
    low = float(r[0]) if basal is None else float(check_range("basal", basal, unit, low=-np.inf))
    high = (float(r[int(np.argmax(np.abs(r - low)))]) if maximum is None
            else float(check_range("maximum", maximum, unit, low=-np.inf)))
    if high == low:
        raise ValueError("response does not change with level; EC50 is undefined")
    fraction = (r - low) / (high - low)
    reached = np.nonzero(fraction >= 0.5)[0]
    if reached.size == 0:
        raise ValueError(f"response never reaches the half-maximal level {(low + high) / 2:g}")
    i = int(reached[0])
    if i == 0 or x[i - 1] <= 0.0:
        raise ValueError(
            f"the half-maximal response is reached at or below level {x[i]:g}; add lower levels"
        )
    lo, hi = math.log10(x[i - 1]), math.log10(x[i])
    weight = (0.5 - fraction[i - 1]) / (fraction[i] - fraction[i - 1])
    return float(10 ** (lo + weight * (hi - lo)))


# ---------------------------------------------------------------------------
# Brännmark et al. 2013 [PUBLISHED]
# ---------------------------------------------------------------------------

#: Names of the 27 states of the Brännmark model, in model order [a.u.].
BRANNMARK_STATE_NAMES: Final = (
    "ir", "irp", "irins", "irip", "iri",
    "irs1", "irs1p", "irs1p307", "irs1307",
    "x", "xp",
    "pkb", "pkb308p", "pkb473p", "pkb308p473p",
    "mtorc1", "mtorc1a",
    "mtorc2", "mtorc2a",
    "as160", "as160p",
    "glut4", "glut4m",
    "s6k", "s6kp",
    "s6", "s6p",
)

#: Conserved groups: (name of the total field, first and one-past-last state index).
_GROUPS: Final = (
    ("ir_total", 0, 5), ("irs1_total", 5, 9), ("x_total", 9, 11), ("pkb_total", 11, 15),
    ("mtorc1_total", 15, 17), ("mtorc2_total", 17, 19), ("as160_total", 19, 21),
    ("glut4_total", 21, 23), ("s6k_total", 23, 25), ("s6_total", 25, 27),
)
_BRANNMARK_RTOL: Final = 1e-10
_BRANNMARK_ATOL: Final = 1e-12
_EQUILIBRATION: Final = 5000.0  # min
_STEADY_TOLERANCE: Final = 1e-8  # a.u./min

_BRANNMARK_BUDGET: Final = 5000.0  # right-hand-side evaluations per simulated min
_BRANNMARK_SECOND_ORDER: Final = (
    "k1f", "k2a", "k2c", "k3a", "k4a", "k4c", "k4e", "k5a1", "k5a2", "k5c", "k6f1", "k7f", "k9f2",
)
#: Valid ranges of the Brännmark parameters: rates, scales and totals ≥ 0, Hill exponents > 0.
_BRANNMARK_BOUNDS: Final[dict[str, Bound]] = {
    "k1a": non_negative("nM^-1 min^-1"),
    **{name: non_negative("a.u.^-1 min^-1") for name in _BRANNMARK_SECOND_ORDER},
    **{name: non_negative("min^-1") for name in (
        "k1basal", "k1c", "k1d", "k1g", "k1r", "k2basal", "k2b", "k2d", "k2f", "k2g", "k3b",
        "k4b", "k4f", "k4h", "k5b", "k5d", "k6f2", "k6b", "k7b", "k9f1", "k9b1", "k9b2")},
    "km5": non_negative("a.u."), "km6": positive("a.u."), "km9": positive("a.u."),
    "n6": positive("dimensionless", high=10.0), "n9": positive("dimensionless", high=10.0),
    "k8": non_negative("uptake a.u. per a.u. GLUT4m per glucose unit"),
    "glut1": non_negative("uptake a.u. per glucose unit"), "gluc": non_negative("glucose unit"),
    "diabetes": non_negative("dimensionless", high=100.0),
    **{name: non_negative("a.u.", high=1e6) for name in (
        "ir_total", "irs1_total", "x_total", "pkb_total", "mtorc1_total", "mtorc2_total",
        "as160_total", "glut4_total", "s6k_total", "s6_total")},
}

BrannmarkMethod = Literal["LSODA", "BDF", "Radau"]


@dataclass(frozen=True)
class BrannmarkParameters:
    """Parameters of the Brännmark et al. (2013) human adipocyte model [PUBLISHED].

    Source: Brännmark C, Nyman E, Fagerholm S, Bergenholm L, Ekstrand EM, Cedersund G,
    Strålfors P. J Biol Chem 2013;288(14):9867-9880. doi:10.1074/jbc.M112.432062;
    BioModels BIOMD0000000448 (normal) and BIOMD0000000449 (type 2 diabetes).

    Units: first-order constants in min⁻¹, second-order ones in a.u.⁻¹·min⁻¹, k1a in
    nM⁻¹·min⁻¹; species and totals in a.u. The diabetic cell is :data:`T2D`, made
    with :meth:`diabetic`: ``diabetes = 0.15``, ``ir_total = 50``, ``glut4_total = 50``.
    """

    k1a: float = 0.6331  # insulin binding to IR [nM^-1 min^-1]
    k1basal: float = 0.03683  # basal IR autophosphorylation [min^-1]
    k1c: float = 0.8768  # autophosphorylation of insulin-bound IR [min^-1]
    k1d: float = 31.01  # internalisation of phosphorylated IR [min^-1]
    k1f: float = 1840.0  # Xp-driven dephosphorylation of internalised IR [a.u.^-1 min^-1]
    k1g: float = 1944.0  # dephosphorylation of membrane IRp [min^-1]
    k1r: float = 0.5471  # recycling of internalised IR [min^-1]
    k2a: float = 3.227  # IRS1 tyrosine phosphorylation by internalised IRp [a.u.^-1 min^-1]
    k2basal: float = 0.04228  # basal IRS1 Ser307 phosphorylation [min^-1]
    k2b: float = 3424.0  # IRS1 tyrosine dephosphorylation [min^-1]
    k2c: float = 5759.0  # mTORC1-driven IRS1 Ser307 phosphorylation [a.u.^-1 min^-1]
    k2d: float = 280.8  # tyrosine dephosphorylation of IRS1p307 [min^-1]
    k2f: float = 2.913  # IRS1p307 -> IRS1307 [min^-1]
    k2g: float = 0.2671  # Ser307 dephosphorylation of IRS1307 [min^-1]
    k3a: float = 0.001377  # activation of X by IRS1p [a.u.^-1 min^-1]
    k3b: float = 0.09876  # inactivation of Xp [min^-1]
    k4a: float = 5790.0  # PKB Thr308 phosphorylation via IRS1p [a.u.^-1 min^-1]
    k4b: float = 34.8  # PKB308p dephosphorylation [min^-1]
    k4c: float = 4.456  # PKB Ser473 phosphorylation by mTORC2a [a.u.^-1 min^-1]
    k4e: float = 42.84  # PKB473p Thr308 phosphorylation via IRS1p307 [a.u.^-1 min^-1]
    k4f: float = 143.6  # PKB308p473p -> PKB473p [min^-1]
    k4h: float = 0.5361  # PKB473p dephosphorylation [min^-1]
    k5a1: float = 1.842  # mTORC1 activation by PKB308p473p [a.u.^-1 min^-1]
    k5a2: float = 0.05506  # mTORC1 activation by PKB308p [a.u.^-1 min^-1]
    k5b: float = 24.83  # mTORC1 inactivation [min^-1]
    k5c: float = 0.08575  # mTORC2 activation by internalised IRp [a.u.^-1 min^-1]
    k5d: float = 1.06  # mTORC2 inactivation [min^-1]
    km5: float = 2.65  # listed in the published files but enters no rate law [a.u.]
    k6f1: float = 2.652  # AS160 phosphorylation by PKB308p473p [a.u.^-1 min^-1]
    k6f2: float = 36.93  # maximal AS160 phosphorylation via PKB473p [min^-1]
    km6: float = 30.54  # half-saturating PKB473p [a.u.]
    n6: float = 2.137  # Hill exponent of AS160 phosphorylation [-]
    k6b: float = 65.18  # AS160p dephosphorylation [min^-1]
    k7f: float = 50.98  # GLUT4 translocation driven by AS160p [a.u.^-1 min^-1]
    k7b: float = 2286.0  # GLUT4 endocytosis [min^-1]
    k8: float = 724.2  # GLUT4 glucose-uptake scale [uptake a.u. per a.u. GLUT4m per glucose unit]
    glut1: float = 7042.0  # GLUT1 glucose-uptake scale [uptake a.u. per glucose unit]
    k9f1: float = 0.1298  # maximal S6K phosphorylation via mTORC1a [min^-1]
    km9: float = 5873.0  # half-saturating mTORC1a [a.u.]
    n9: float = 0.9855  # Hill exponent of S6K phosphorylation [-]
    k9b1: float = 0.04441  # S6Kp dephosphorylation [min^-1]
    k9f2: float = 3.329  # S6 phosphorylation by S6Kp [a.u.^-1 min^-1]
    k9b2: float = 31.0  # S6p dephosphorylation [min^-1]
    gluc: float = 0.05  # assay glucose level, constant [glucose unit of the published files]
    diabetes: float = 1.0  # factor on the mTORC1 -> IRS1-Ser307 step v2c; 0.15 in T2D [-]
    ir_total: float = 100.0  # insulin receptor total; 50 in T2D [a.u.]
    irs1_total: float = 100.0  # IRS1 total [a.u.]
    x_total: float = 100.0  # total of the hypothetical feedback protein X [a.u.]
    pkb_total: float = 100.0  # PKB/Akt total [a.u.]
    mtorc1_total: float = 100.0  # mTORC1 total [a.u.]
    mtorc2_total: float = 100.0  # mTORC2 total [a.u.]
    as160_total: float = 100.0  # AS160 total [a.u.]
    glut4_total: float = 100.0  # GLUT4 total; 50 in T2D [a.u.]
    s6k_total: float = 100.0  # S6K total [a.u.]
    s6_total: float = 100.0  # S6 total [a.u.]

    def __post_init__(self) -> None:
        check_fields(self, _BRANNMARK_BOUNDS)

    @classmethod
    def diabetic(cls) -> BrannmarkParameters:
        """The type 2 diabetes parameter set of BIOMD0000000449 [PUBLISHED].

        Exactly three changes from the normal cell: ``diabetes = 0.15`` (the factor on
        v2c), ``ir_total = 50`` and ``glut4_total = 50``.
        """
        return replace(cls(), diabetes=0.15, ir_total=50.0, glut4_total=50.0)

    def totals(self) -> FloatArray:
        """Initial, unmodified state: each group total in its first species [a.u.]."""
        y0 = np.zeros(len(BRANNMARK_STATE_NAMES))
        for name, first, _ in _GROUPS:
            y0[first] = getattr(self, name)
        return y0


#: Normal human adipocyte [PUBLISHED] (BIOMD0000000448).
NORMAL: Final = BrannmarkParameters()
#: Adipocyte from a person with type 2 diabetes [PUBLISHED] (BIOMD0000000449).
T2D: Final = BrannmarkParameters.diabetic()


def _brannmark_rhs(p: BrannmarkParameters, insulin: float) -> Callable[[float, FloatArray], list[float]]:
    k1a_ins = p.k1a * insulin
    km6_n6 = max(p.km6, 0.0) ** p.n6
    km9_n9 = max(p.km9, 0.0) ** p.n9
    k2c_diabetes = p.k2c * p.diabetes

    def rhs(_t: float, y: FloatArray) -> list[float]:
        (ir, irp, irins, irip, iri, irs1, irs1p, irs1p307, irs1307, x, xp, pkb, pkb308p,
         pkb473p, pkb308p473p, mtorc1, mtorc1a, mtorc2, mtorc2a, as160, as160p, glut4,
         glut4m, s6k, s6kp, s6, s6p) = y.tolist()
        v1a = k1a_ins * ir
        v1basal = p.k1basal * ir
        v1c = p.k1c * irins
        v1d = p.k1d * irp
        v1e = p.k1f * xp * irip
        v1g = p.k1g * irp
        v1r = p.k1r * iri
        v2a = p.k2a * irip * irs1
        v2b = p.k2b * irs1p
        v2c = k2c_diabetes * mtorc1a * irs1p
        v2d = p.k2d * irs1p307
        v2f = p.k2f * irs1p307
        v2basal = p.k2basal * irs1
        v2g = p.k2g * irs1307
        v3a = p.k3a * irs1p * x
        v3b = p.k3b * xp
        v4a = p.k4a * irs1p * pkb
        v4b = p.k4b * pkb308p
        v4c = p.k4c * mtorc2a * pkb308p
        v4e = p.k4e * irs1p307 * pkb473p
        v4f = p.k4f * pkb308p473p
        v4h = p.k4h * pkb473p
        v5a = mtorc1 * (p.k5a1 * pkb308p473p + p.k5a2 * pkb308p)
        v5b = p.k5b * mtorc1a
        v5c = p.k5c * irip * mtorc2
        v5d = p.k5d * mtorc2a
        pkb473p_n6 = max(pkb473p, 0.0) ** p.n6
        v6f = as160 * (p.k6f1 * pkb308p473p + p.k6f2 * pkb473p_n6 / (km6_n6 + pkb473p_n6))
        v6b = p.k6b * as160p
        v7f = p.k7f * as160p * glut4
        v7b = p.k7b * glut4m
        mtorc1a_n9 = max(mtorc1a, 0.0) ** p.n9
        v9f1 = p.k9f1 * s6k * mtorc1a_n9 / (km9_n9 + mtorc1a_n9)
        v9b1 = p.k9b1 * s6kp
        v9f2 = p.k9f2 * s6kp * s6
        v9b2 = p.k9b2 * s6p
        return [
            v1g + v1r - v1a - v1basal,
            v1basal + v1c - v1d - v1g,
            v1a - v1c,
            v1d - v1e,
            v1e - v1r,
            v2b + v2g - v2a - v2basal,
            v2a + v2d - v2b - v2c,
            v2c - v2d - v2f,
            v2f + v2basal - v2g,
            v3b - v3a,
            v3a - v3b,
            v4b + v4h - v4a,
            v4a - v4b - v4c,
            v4f - v4e - v4h,
            v4c + v4e - v4f,
            v5b - v5a,
            v5a - v5b,
            v5d - v5c,
            v5c - v5d,
            v6b - v6f,
            v6f - v6b,
            v7b - v7f,
            v7f - v7b,
            v9b1 - v9f1,
            v9f1 - v9b1,
            v9b2 - v9f2,
            v9f2 - v9b2,
        ]

    return rhs


def _integrate_brannmark(
    p: BrannmarkParameters,
    insulin: float,
    y0: FloatArray,
    duration: float,
    times: FloatArray | None,
    method: str,
    rtol: float,
    atol: float,
    budget: float = _BRANNMARK_BUDGET,
) -> tuple[FloatArray, FloatArray]:
    solution = solve(
        _brannmark_rhs(p, insulin), (0.0, duration), y0, what="the Brännmark model", unit="min",
        method=method, rtol=rtol, atol=atol, budget=budget, t_eval=times,
    )
    return solution.t, solution.y


@functools.lru_cache(maxsize=64)
def _basal_state_cached(
    p: BrannmarkParameters, method: str, rtol: float, atol: float
) -> tuple[float, ...]:
    y0 = p.totals()
    # the approach to the basal state is slow and smooth: a smaller budget per minute
    _, y = _integrate_brannmark(p, 0.0, y0, _EQUILIBRATION, np.array([_EQUILIBRATION]), method,
                                rtol, atol, budget=_BRANNMARK_BUDGET / 100.0)
    state = y[:, -1]
    derivative = np.asarray(_brannmark_rhs(p, 0.0)(0.0, state))
    if not np.all(np.abs(derivative) <= _STEADY_TOLERANCE):
        raise ValueError(
            f"the Brännmark model did not reach a basal steady state after {_EQUILIBRATION:g} "
            f"min: max |dy/dt| = {np.max(np.abs(derivative)):.3g} a.u./min"
        )
    return tuple(float(v) for v in state)


def basal_state(
    parameters: BrannmarkParameters | None = None,
    *,
    method: BrannmarkMethod = "LSODA",
    rtol: float = _BRANNMARK_RTOL,
    atol: float = _BRANNMARK_ATOL,
) -> tuple[float, ...]:
    """Basal (zero-insulin) steady state of the Brännmark model [a.u.].

    Parameters
    ----------
    parameters : BrannmarkParameters, optional
        Defaults to :data:`NORMAL`.
    method : {"LSODA", "BDF", "Radau"}
        Stiff integrator.
    rtol : float
        Relative tolerance [dimensionless]; in [1e-14, 1e-3]. The default 1e-10 is
        converged: at 1e-11 the outputs change by less than 0.5 %.
    atol : float
        Absolute tolerance [a.u.]; in (0, 1]. Default 1e-12 a.u.

    Returns
    -------
    tuple of float
        The 27 states in the order of :data:`BRANNMARK_STATE_NAMES` [a.u.].

    Raises
    ------
    ValueError
        If some derivative still exceeds 1e-8 a.u./min at the end, or the run needs
        more right-hand-side evaluations than its budget (a degenerate parameter set).

    Notes
    -----
    Each group total is put into its unmodified form and the model is integrated
    with ``ins = 0`` for 5000 min, as the published files start from this basal
    steady state [1]_. Results are cached per parameter set.

    References
    ----------
    .. [1] Brännmark C et al. J Biol Chem 2013;288(14):9867-9880.
       doi:10.1074/jbc.M112.432062

    Examples
    --------
    >>> state = dict(zip(BRANNMARK_STATE_NAMES, basal_state()))
    >>> round(state["glut4m"], 2)
    26.52
    """
    check_choice("method", method, ("LSODA", "BDF", "Radau"))
    rtol, atol = check_tolerances(rtol, atol, "a.u.")
    p = parameters or NORMAL
    return _basal_state_cached(p, method, rtol, atol)


@dataclass(frozen=True)
class BrannmarkResult:
    """A simulated time course of the Brännmark et al. (2013) adipocyte model.

    All species are in arbitrary units [a.u.]; each total is 100 a.u. in the normal
    cell (the receptor and GLUT4 totals are 50 a.u. in the diabetic cell).

    Attributes
    ----------
    time : numpy.ndarray
        Time after insulin was added [min].
    insulin : float
        Insulin concentration, constant [nM].
    ir, irp, irins, irip, iri : numpy.ndarray
        Insulin receptor: free, phosphorylated at the membrane, insulin-bound,
        internalised phosphorylated, internalised dephosphorylated [a.u.].
    irs1, irs1p, irs1p307, irs1307 : numpy.ndarray
        IRS1: unmodified, tyrosine-phosphorylated, tyrosine- and Ser307-phosphorylated,
        Ser307 only [a.u.].
    x, xp : numpy.ndarray
        Hypothetical feedback protein X and its active form [a.u.].
    pkb, pkb308p, pkb473p, pkb308p473p : numpy.ndarray
        PKB/Akt: unphosphorylated, at Thr308, at Ser473, at both [a.u.].
    mtorc1, mtorc1a, mtorc2, mtorc2a : numpy.ndarray
        mTORC1 and mTORC2, inactive and active [a.u.].
    as160, as160p : numpy.ndarray
        AS160, unphosphorylated and phosphorylated [a.u.].
    glut4, glut4m : numpy.ndarray
        GLUT4 intracellular and in the plasma membrane [a.u.].
    s6k, s6kp, s6, s6p : numpy.ndarray
        S6 kinase and ribosomal protein S6, unphosphorylated and phosphorylated [a.u.].
    glucose_uptake : numpy.ndarray
        ``k8·GLUT4m·gluc + glut1·gluc`` [uptake a.u.].
    receptor_kinase_factor : float
        Multiplier applied to the receptor kinase constants [dimensionless].
    teaching_assumptions : tuple of str
        Every teaching assumption that was switched on; empty for the published model.
    parameters : BrannmarkParameters
        Parameters actually integrated (including any magnesium factor).
    """

    time: FloatArray
    insulin: float
    ir: FloatArray
    irp: FloatArray
    irins: FloatArray
    irip: FloatArray
    iri: FloatArray
    irs1: FloatArray
    irs1p: FloatArray
    irs1p307: FloatArray
    irs1307: FloatArray
    x: FloatArray
    xp: FloatArray
    pkb: FloatArray
    pkb308p: FloatArray
    pkb473p: FloatArray
    pkb308p473p: FloatArray
    mtorc1: FloatArray
    mtorc1a: FloatArray
    mtorc2: FloatArray
    mtorc2a: FloatArray
    as160: FloatArray
    as160p: FloatArray
    glut4: FloatArray
    glut4m: FloatArray
    s6k: FloatArray
    s6kp: FloatArray
    s6: FloatArray
    s6p: FloatArray
    glucose_uptake: FloatArray
    receptor_kinase_factor: float
    teaching_assumptions: tuple[str, ...]
    parameters: BrannmarkParameters = field(repr=False)

    @property
    def ir_phosphorylated(self) -> FloatArray:
        """Total phosphorylated receptor, IRp + IRip [a.u.]."""
        return self.irp + self.irip

    @property
    def irs1_phosphorylated(self) -> FloatArray:
        """Tyrosine-phosphorylated IRS1, IRS1p + IRS1p307 [a.u.]."""
        return self.irs1p + self.irs1p307

    @property
    def irs1_ser307(self) -> FloatArray:
        """IRS1 phosphorylated at Ser307, IRS1p307 + IRS1307 [a.u.]."""
        return self.irs1p307 + self.irs1307

    @property
    def pkb_thr308(self) -> FloatArray:
        """PKB phosphorylated at Thr308, PKB308p + PKB308p473p [a.u.]."""
        return self.pkb308p + self.pkb308p473p

    @property
    def pkb_ser473(self) -> FloatArray:
        """PKB phosphorylated at Ser473, PKB473p + PKB308p473p [a.u.]."""
        return self.pkb473p + self.pkb308p473p

    def as_array(self) -> FloatArray:
        """The 27 states as one array of shape (27, len(time)) [a.u.]."""
        return np.vstack([getattr(self, name) for name in BRANNMARK_STATE_NAMES])


def _brannmark_effective(
    parameters: BrannmarkParameters | None, magnesium: float | None, magnesium_on_irs1: bool
) -> tuple[BrannmarkParameters, float, tuple[str, ...]]:
    p = parameters or NORMAL
    factor = _magnesium_factor(magnesium)
    if magnesium is None:
        if magnesium_on_irs1:
            raise ValueError("magnesium_on_irs1 needs magnesium [mM]")
        return p, factor, ()
    changes = {"k1c": p.k1c * factor, "k1basal": p.k1basal * factor}
    names = "k1c and k1basal"
    if magnesium_on_irs1:
        changes["k2a"] = p.k2a * factor
        names = "k1c, k1basal and k2a"
    assumption = (
        f"magnesium: receptor kinase factor {factor:.4g} at free Mg {magnesium:g} mM "
        f"multiplies {names} (not in Brännmark 2013)"
    )
    return replace(p, **changes), factor, (assumption,)


def _brannmark_uptake(p: BrannmarkParameters, glut4m: FloatArray) -> FloatArray:
    uptake: FloatArray = p.k8 * glut4m * p.gluc + p.glut1 * p.gluc
    return uptake


def simulate_brannmark(
    insulin: float,
    *,
    duration: float = 30.0,
    parameters: BrannmarkParameters | None = None,
    magnesium: float | None = None,
    magnesium_on_irs1: bool = False,
    sample_interval: float = 0.1,
    method: BrannmarkMethod = "LSODA",
    rtol: float = _BRANNMARK_RTOL,
    atol: float = _BRANNMARK_ATOL,
) -> BrannmarkResult:
    """Simulate the Brännmark et al. (2013) adipocyte model after adding insulin.

    Parameters
    ----------
    insulin : float
        Insulin concentration, applied at time 0 and held [nM]; in [0, 1e5].
    duration : float
        Simulated time [min]; in (0, 1440]. The course reads dose–responses at 30 min.
    parameters : BrannmarkParameters, optional
        :data:`NORMAL` (default) or :data:`T2D`, or a variant made with
        :func:`dataclasses.replace`.
    magnesium : float, optional
        Cytosolic free Mg²⁺ [mM]; in [0.05, 5]. If given, k1c and k1basal (receptor
        autophosphorylation) are multiplied by :func:`receptor_kinase_factor`
        [TEACHING ASSUMPTION]; the basal state is recomputed with them.
    magnesium_on_irs1 : bool
        Also multiply k2a (receptor phosphorylation of IRS1) [TEACHING ASSUMPTION].
    sample_interval : float
        Spacing of the returned samples [min].
    method : {"LSODA", "BDF", "Radau"}
        Stiff integrator.
    rtol, atol : float
        Relative [dimensionless] and absolute [a.u.] tolerances, as in
        :func:`basal_state` (converged defaults 1e-10 and 1e-12 a.u.).

    Returns
    -------
    BrannmarkResult
        The 27 states, glucose uptake and summed phosphorylation readouts against time.

    Raises
    ------
    ValueError
        If an argument is out of range or not one of the listed choices.

    Notes
    -----
    The simulation starts from :func:`basal_state` (zero insulin, cached) and applies
    a constant insulin concentration. The rate laws are those of BIOMD0000000448 [1]_,
    for example ``v1a = k1a·ins·IR``, ``v2c = k2c·mTORC1a·diabetes·IRS1p`` and::

        v6f = AS160·(k6f1·PKB308p473p + k6f2·PKB473p^n6/(km6^n6 + PKB473p^n6))
        v9f1 = k9f1·S6K·mTORC1a^n9/(km9^n9 + mTORC1a^n9)

    with powers of ``max(x, 0)`` for the non-integer exponents. The output is::

        glucose uptake = k8·GLUT4m·gluc + glut1·gluc

    References
    ----------
    .. [1] Brännmark C, Nyman E, Fagerholm S, Bergenholm L, Ekstrand EM, Cedersund G,
       Strålfors P. Insulin signaling in type 2 diabetes: experimental and modeling
       analyses reveal mechanisms of insulin resistance in human adipocytes. J Biol
       Chem 2013;288(14):9867-9880. doi:10.1074/jbc.M112.432062

    Examples
    --------
    >>> result = simulate_brannmark(10.0)
    >>> round(float(result.glucose_uptake[0]), 1), round(float(result.glucose_uptake[-1]), 1)
    (1312.4, 2564.9)
    """
    level = float(check_range("insulin", insulin, "nM", low=0.0, high=1e5, low_inclusive=True))
    check_range("duration", duration, "min", high=1440.0)
    check_range("sample_interval", sample_interval, "min", high=duration)
    check_choice("method", method, ("LSODA", "BDF", "Radau"))
    rtol, atol = check_tolerances(rtol, atol, "a.u.")
    p, factor, assumptions = _brannmark_effective(parameters, magnesium, magnesium_on_irs1)
    y0 = np.array(basal_state(p, method=method, rtol=rtol, atol=atol))
    times = _time_grid(duration, sample_interval)
    _, y = _integrate_brannmark(p, level, y0, duration, times, method, rtol, atol)
    return BrannmarkResult(
        time=times,
        insulin=level,
        **{name: y[i] for i, name in enumerate(BRANNMARK_STATE_NAMES)},
        glucose_uptake=_brannmark_uptake(p, y[BRANNMARK_STATE_NAMES.index("glut4m")]),
        receptor_kinase_factor=factor,
        teaching_assumptions=assumptions,
        parameters=p,
    )


@dataclass(frozen=True)
class BrannmarkDoseResponse:
    """Outputs of the Brännmark model read a fixed time after adding insulin.

    Attributes
    ----------
    insulin : numpy.ndarray
        Insulin levels [nM].
    glucose_uptake : numpy.ndarray
        Glucose uptake [uptake a.u.].
    ir_phosphorylated, irs1_phosphorylated, pkb_thr308, pkb_ser473 : numpy.ndarray
        Summed phosphorylation readouts as in :class:`BrannmarkResult` [a.u.].
    as160p, glut4m, s6p : numpy.ndarray
        Phosphorylated AS160, membrane GLUT4 and phosphorylated S6 [a.u.].
    read_at : float
        Time of the reading [min].
    receptor_kinase_factor : float
        Multiplier applied to the receptor kinase constants [dimensionless].
    teaching_assumptions : tuple of str
        Teaching assumptions that were switched on.
    """

    insulin: FloatArray
    glucose_uptake: FloatArray
    ir_phosphorylated: FloatArray
    irs1_phosphorylated: FloatArray
    pkb_thr308: FloatArray
    pkb_ser473: FloatArray
    as160p: FloatArray
    glut4m: FloatArray
    s6p: FloatArray
    read_at: float
    receptor_kinase_factor: float
    teaching_assumptions: tuple[str, ...]


def dose_response_brannmark(
    insulin_levels: npt.ArrayLike,
    *,
    read_at: float = 30.0,
    parameters: BrannmarkParameters | None = None,
    magnesium: float | None = None,
    magnesium_on_irs1: bool = False,
    method: BrannmarkMethod = "LSODA",
    rtol: float = _BRANNMARK_RTOL,
    atol: float = _BRANNMARK_ATOL,
) -> BrannmarkDoseResponse:
    """Dose–response of the Brännmark model: outputs ``read_at`` min after insulin.

    Parameters
    ----------
    insulin_levels : array-like
        Insulin concentrations [nM]; each in [0, 1e5].
    read_at : float
        Time of the reading after insulin was added [min]; in (0, 1440]. The course's
        standard protocol reads at 30 min.
    parameters : BrannmarkParameters, optional
        :data:`NORMAL` (default) or :data:`T2D`.
    magnesium : float, optional
        Cytosolic free Mg²⁺ [mM] for the receptor kinase factor [TEACHING ASSUMPTION].
    magnesium_on_irs1 : bool
        Also scale k2a [TEACHING ASSUMPTION].
    method : {"LSODA", "BDF", "Radau"}
        Stiff integrator.
    rtol, atol : float
        Tolerances, as in :func:`simulate_brannmark`.

    Returns
    -------
    BrannmarkDoseResponse
        Glucose uptake and the phosphorylation readouts per level.

    Notes
    -----
    Each level starts from the cached basal state (see :func:`basal_state`) and runs
    with constant insulin for ``read_at`` min [1]_.

    References
    ----------
    .. [1] Brännmark C et al. J Biol Chem 2013;288(14):9867-9880.
       doi:10.1074/jbc.M112.432062

    Examples
    --------
    >>> dr = dose_response_brannmark([0.0, 100.0])
    >>> [round(float(u)) for u in dr.glucose_uptake]
    [1312, 2571]
    """
    levels = np.atleast_1d(check_range("insulin_levels", insulin_levels, "nM", low=0.0,
                                       high=1e5, low_inclusive=True))
    if levels.ndim != 1 or levels.size == 0:
        raise ValueError(f"insulin_levels must be a non-empty 1-D array [nM], got shape "
                         f"{levels.shape}")
    check_range("read_at", read_at, "min", high=1440.0)
    check_choice("method", method, ("LSODA", "BDF", "Radau"))
    rtol, atol = check_tolerances(rtol, atol, "a.u.")
    p, factor, assumptions = _brannmark_effective(parameters, magnesium, magnesium_on_irs1)
    y0 = np.array(basal_state(p, method=method, rtol=rtol, atol=atol))
    final = np.empty((len(BRANNMARK_STATE_NAMES), levels.size))
    for j, level in enumerate(levels):
        _, y = _integrate_brannmark(p, float(level), y0, read_at, np.array([read_at]), method,
                                    rtol, atol)
        final[:, j] = y[:, -1]
    s = {name: final[i] for i, name in enumerate(BRANNMARK_STATE_NAMES)}
    return BrannmarkDoseResponse(
        insulin=levels,
        glucose_uptake=_brannmark_uptake(p, s["glut4m"]),
        ir_phosphorylated=s["irp"] + s["irip"],
        irs1_phosphorylated=s["irs1p"] + s["irs1p307"],
        pkb_thr308=s["pkb308p"] + s["pkb308p473p"],
        pkb_ser473=s["pkb473p"] + s["pkb308p473p"],
        as160p=s["as160p"],
        glut4m=s["glut4m"],
        s6p=s["s6p"],
        read_at=float(read_at),
        receptor_kinase_factor=factor,
        teaching_assumptions=assumptions,
    )
