"""The pancreatic β cell: glucokinase, adenine nucleotides, the KATP channel and bursting.

Published models (labelled [PUBLISHED] in the course):

* glucokinase rate as a Hill function of glucose (Matschinsky 1996);
* KATP open fraction of Magnus & Keizer (1998) as used by Bertram et al. (2004),
  with fixed fractions of total ADP and ATP in each ionic form;
* the Bertram et al. (2004) dual-oscillator model (fast-bursting parameter set),
  in its full form (with glycolysis) and its reduced form (glycolysis frozen).

Teaching generalisations, off by default and named as such wherever they appear:

* nucleotide speciation as a function of cytosolic free Mg²⁺ (``free_mg=``);
* a glucose-dependent glucokinase drive with an MgATP factor (``glucose=``);
* a multiplier on the L-type Ca²⁺ conductance, and one derived from the
  extracellular Ca²⁺/Mg²⁺ ratio (Atwater et al. as summarised by Hosseini
  Dastgerdi et al. 2022);
* a Ca²⁺-dependent exocytosis readout.

Units follow the Bertram model: time in ms inside the model (results in s),
voltage in mV, concentrations in µM, capacitance in fF, conductance in pS,
current in fA. Free Mg²⁺ is in mM.

References
----------
.. [1] Matschinsky FM. Banting Lecture 1995. Diabetes 1996;45(2):223-241.
   doi:10.2337/diab.45.2.223
.. [2] Magnus G, Keizer J. Model of β-cell mitochondrial calcium handling and
   electrical activity. I. Am J Physiol 1998;274(4):C1158-C1173.
   doi:10.1152/ajpcell.1998.274.4.C1158
.. [3] Bertram R, Satin L, Zhang M, Smolen P, Sherman A. Calcium and glycolysis
   mediate multiple bursting modes in pancreatic islets. Biophys J
   2004;87(5):3074-3087. doi:10.1529/biophysj.104.049262
.. [4] Smolen P. A model for glycolytic oscillations based on skeletal muscle
   phosphofructokinase kinetics. J Theor Biol 1995;174(2):137-148.
   doi:10.1006/jtbi.1995.0087
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

from mgcourse._integrate import solve
from mgcourse._validation import (
    Bound,
    FloatOrArray,
    check_choice,
    check_fields,
    check_range,
    check_tolerances,
    non_negative,
    positive,
    scalar_or_array,
)

__all__ = [
    "FIXED_FRACTIONS",
    "K_MGADP",
    "K_MGATP",
    "BertramParameters",
    "BurstMetrics",
    "NucleotideSpecies",
    "Trace",
    "atp_from_adp",
    "burst_metrics",
    "calcium_channel_scale",
    "exocytosis_rate",
    "glucokinase_drive",
    "glucokinase_rate",
    "katp_open_fraction",
    "mgatp_fraction",
    "nucleotide_species",
    "simulate",
    "speciation_fractions",
]

#: Fixed fractions of total ADP as MgADP and ADP³⁻, and of total ATP as ATP⁴⁻ [PUBLISHED].
FIXED_FRACTIONS: Final = (0.165, 0.135, 0.05)
#: Apparent dissociation constant of MgADP, 10^-3.25 M [mM] (teaching generalisation).
K_MGADP: Final = 10 ** (-3.25) * 1e3
#: Apparent dissociation constant of MgATP, 10^-4.19 M [mM] (teaching generalisation).
K_MGATP: Final = 10 ** (-4.19) * 1e3
#: Fraction of total ADP that is free of protein (0.165 + 0.135) [dimensionless].
FREE_ADP_FRACTION: Final = 0.3
_KDD, _KTD, _KTT = 17.0, 26.0, 1.0  # µM, Magnus & Keizer 1998


def glucokinase_rate(
    glucose: FloatOrArray, *, v_max: float = 1.0, s05: float = 8.0, hill: float = 1.7
) -> FloatOrArray:
    """Glucokinase rate as a Hill function of glucose [PUBLISHED].

    Parameters
    ----------
    glucose : float or array-like
        Glucose [mM]; ≥ 0.
    v_max : float
        Maximal rate [any flux unit]; the result has the same unit.
    s05 : float
        Glucose at half-maximal rate, S0.5 [mM]; 8 mM for human glucokinase.
    hill : float
        Hill coefficient [dimensionless]; 1.7.

    Returns
    -------
    float or numpy.ndarray
        Rate [unit of ``v_max``].

    Notes
    -----
    ``J = v_max · G^h / (S0.5^h + G^h)`` [1]_.

    References
    ----------
    .. [1] Matschinsky FM. Diabetes 1996;45(2):223-241. doi:10.2337/diab.45.2.223

    Examples
    --------
    >>> glucokinase_rate(8.0)
    0.5
    """
    g = check_range("glucose", glucose, "mM", low=0.0, high=200.0, low_inclusive=True)
    check_range("v_max", v_max, "flux unit", low=0.0, low_inclusive=True)
    check_range("s05", s05, "mM", high=100.0)
    check_range("hill", hill, "dimensionless", high=10.0)
    gh = g**hill
    return scalar_or_array(v_max * gh / (s05**hill + gh))


def mgatp_fraction(free_mg: FloatOrArray) -> FloatOrArray:
    """Fraction of ATP bound to Mg²⁺ at a given cytosolic free Mg²⁺ [TEACHING ASSUMPTION].

    Parameters
    ----------
    free_mg : float or array-like
        Cytosolic free Mg²⁺ [mM]; in (0, 10].

    Returns
    -------
    float or numpy.ndarray
        ``m / (m + K_T)`` with ``K_T = 10^-4.19 M = 0.06457 mM`` [dimensionless].

    Examples
    --------
    >>> round(mgatp_fraction(0.5), 3)
    0.886
    """
    m = check_range("free_mg", free_mg, "mM", high=10.0)
    return scalar_or_array(m / (m + K_MGATP))


def glucokinase_drive(
    glucose: float,
    *,
    glucose_ref: float = 11.1,
    free_mg: float | None = None,
    free_mg_ref: float = 0.5,
    r_gk_ref: float = 0.4,
) -> float:
    """Glucokinase flux R_GK for the Bertram model from glucose [TEACHING ASSUMPTION].

    Parameters
    ----------
    glucose : float
        Glucose [mM]; 0 to 30.
    glucose_ref : float
        Glucose at which the drive equals the published constant 0.4 [mM].
    free_mg : float, optional
        Cytosolic free Mg²⁺ [mM]; if given, the drive is scaled by the MgATP
        fraction relative to ``free_mg_ref`` (glucokinase uses MgATP).
    free_mg_ref : float
        Reference free Mg²⁺ [mM].
    r_gk_ref : float
        Published constant glucokinase flux of the Bertram model [flux units].

    Returns
    -------
    float
        R_GK [flux units of the Bertram model].

    Notes
    -----
    ``R_GK(G) = 0.4 · hill(G) / hill(G_ref)`` with the Matschinsky Hill law, times
    ``f_MgATP(m) / f_MgATP(m_ref)`` when ``free_mg`` is given. The published model
    uses the constant 0.4; both factors are didactic.

    Examples
    --------
    >>> round(glucokinase_drive(11.1), 6)
    0.4
    """
    g = float(check_range("glucose", glucose, "mM", low=0.0, high=30.0, low_inclusive=True))
    check_range("glucose_ref", glucose_ref, "mM", high=30.0)
    check_range("free_mg_ref", free_mg_ref, "mM", high=10.0)
    check_range("r_gk_ref", r_gk_ref, "flux units", low=0.0, high=100.0, low_inclusive=True)
    drive = r_gk_ref * float(glucokinase_rate(g)) / float(glucokinase_rate(glucose_ref))
    if free_mg is not None:
        drive *= float(mgatp_fraction(free_mg)) / float(mgatp_fraction(free_mg_ref))
    return drive


def speciation_fractions(free_mg: FloatOrArray | None = None) -> tuple[FloatOrArray, ...]:
    """Fractions of total ADP as MgADP and ADP³⁻, and of total ATP as ATP⁴⁻.

    Parameters
    ----------
    free_mg : float or array-like, optional
        Cytosolic free Mg²⁺ [mM]. ``None`` (default) gives the published fixed
        fractions (0.165, 0.135, 0.05) [PUBLISHED]; a value gives the
        Mg-dependent teaching generalisation [TEACHING ASSUMPTION].

    Returns
    -------
    (f_mgadp, f_adp3, f_atp4) : tuple of float or numpy.ndarray
        Fractions [dimensionless].

    Notes
    -----
    Teaching generalisation with ``K_D = 0.5623 mM`` (MgADP), ``K_T = 0.06457 mM``
    (MgATP) and ``p = 0.3`` free ADP::

        f_MgADP = p · m / (m + K_D)    f_ADP3 = p · K_D / (m + K_D)    f_ATP4 = K_T / (m + K_T)

    No single ``m`` reproduces all three fixed fractions; curves drawn with it are a
    teaching generalisation, not the Magnus–Keizer model.

    Examples
    --------
    >>> speciation_fractions()
    (0.165, 0.135, 0.05)
    >>> [round(f, 4) for f in speciation_fractions(0.5)]
    [0.1412, 0.1588, 0.1144]
    """
    if free_mg is None:
        return FIXED_FRACTIONS
    m = check_range("free_mg", free_mg, "mM", high=10.0)
    f_mgadp = FREE_ADP_FRACTION * m / (m + K_MGADP)
    f_adp3 = FREE_ADP_FRACTION * K_MGADP / (m + K_MGADP)
    f_atp4 = K_MGATP / (m + K_MGATP)
    return scalar_or_array(f_mgadp), scalar_or_array(f_adp3), scalar_or_array(f_atp4)


@dataclass(frozen=True)
class NucleotideSpecies:
    """Ionic forms of the adenine nucleotides that act on the KATP channel.

    Attributes
    ----------
    mgadp : float or numpy.ndarray
        MgADP, which opens the channel through SUR1 [µM].
    adp3 : float or numpy.ndarray
        Free ADP³⁻, which inhibits through Kir6.2 [µM].
    atp4 : float or numpy.ndarray
        Free ATP⁴⁻, which closes the channel through Kir6.2 [µM].
    """

    mgadp: FloatOrArray
    adp3: FloatOrArray
    atp4: FloatOrArray


def nucleotide_species(
    *, atp: FloatOrArray, adp: FloatOrArray, free_mg: FloatOrArray | None = None
) -> NucleotideSpecies:
    """MgADP, ADP³⁻ and ATP⁴⁻ from total ATP and ADP.

    Parameters
    ----------
    atp : float or array-like
        Total cytosolic ATP [µM]; ≥ 0. Keyword-only to avoid swapping ATP and ADP.
    adp : float or array-like
        Total cytosolic ADP [µM]; ≥ 0.
    free_mg : float or array-like, optional
        Cytosolic free Mg²⁺ [mM]; ``None`` uses the published fixed fractions.

    Returns
    -------
    NucleotideSpecies
        The three species [µM].

    Examples
    --------
    >>> s = nucleotide_species(atp=2000.0, adp=600.0)
    >>> round(s.mgadp, 1), round(s.adp3, 1), round(s.atp4, 1)
    (99.0, 81.0, 100.0)
    """
    a = check_range("atp", atp, "µM", low=0.0, high=1e5, low_inclusive=True)
    d = check_range("adp", adp, "µM", low=0.0, high=1e5, low_inclusive=True)
    f_mgadp, f_adp3, f_atp4 = speciation_fractions(free_mg)
    return NucleotideSpecies(
        mgadp=scalar_or_array(np.asarray(f_mgadp * d)),
        adp3=scalar_or_array(np.asarray(f_adp3 * d)),
        atp4=scalar_or_array(np.asarray(f_atp4 * a)),
    )


def _open_fraction(mgadp: FloatOrArray, adp3: FloatOrArray, atp4: FloatOrArray) -> FloatOrArray:
    x = mgadp / _KDD
    return (0.08 * (1 + 2 * x) + 0.89 * x**2) / ((1 + x) ** 2 * (1 + adp3 / _KTD + atp4 / _KTT))


def katp_open_fraction(
    *, atp: FloatOrArray, adp: FloatOrArray, free_mg: FloatOrArray | None = None
) -> FloatOrArray:
    """KATP channel open fraction of Magnus & Keizer (1998) [PUBLISHED with fixed fractions].

    Parameters
    ----------
    atp : float or array-like
        Total cytosolic ATP [µM]; ≥ 0.
    adp : float or array-like
        Total cytosolic ADP [µM]; ≥ 0.
    free_mg : float or array-like, optional
        Cytosolic free Mg²⁺ [mM]. ``None`` (default) is the published model; a value
        switches to Mg-dependent speciation [TEACHING ASSUMPTION].

    Returns
    -------
    float or numpy.ndarray
        Open fraction o∞ [dimensionless], between 0 and 0.89.

    Notes
    -----
    With ``x = MgADP/17 µM``::

        o∞ = (0.08 (1 + 2x) + 0.89 x²) / ((1 + x)² (1 + ADP³⁻/26 µM + ATP⁴⁻/1 µM))

    MgADP activates through SUR1; ADP³⁻ and ATP⁴⁻ inhibit through Kir6.2 [2]_, [3]_.
    At fixed totals, raising free Mg²⁺ always raises o∞ (more activating MgADP,
    less inhibitory free nucleotide).

    References
    ----------
    .. [2] Magnus G, Keizer J. Am J Physiol 1998;274(4):C1158-C1173.
    .. [3] Bertram R et al. Biophys J 2004;87(5):3074-3087.

    Examples
    --------
    >>> katp_open_fraction(atp=0.0, adp=0.0)
    0.08
    """
    s = nucleotide_species(atp=atp, adp=adp, free_mg=free_mg)
    return scalar_or_array(np.asarray(_open_fraction(s.mgadp, s.adp3, s.atp4), dtype=float))


Convention = Literal["adenylate_kinase", "simple"]


def atp_from_adp(
    adp: FloatOrArray, *, total: float = 3000.0, convention: Convention = "adenylate_kinase"
) -> FloatOrArray:
    """Total ATP from total ADP under one of the two published adenylate conventions.

    Parameters
    ----------
    adp : float or array-like
        Total ADP [µM]; 0 to ``total/3`` (adenylate kinase) or to ``total`` (simple).
    total : float
        Total adenine nucleotide ATP + ADP (+ AMP) [µM]; 3000 in Bertram 2004,
        2500 in Bertram 2007.
    convention : {"adenylate_kinase", "simple"}
        ``"adenylate_kinase"``: ATP·AMP = ADP² with ATP + ADP + AMP = total
        (Bertram 2004). ``"simple"``: ATP = total − ADP (Bertram 2007).

    Returns
    -------
    float or numpy.ndarray
        Total ATP [µM].

    Examples
    --------
    >>> round(atp_from_adp(789.0), 1)
    1879.8
    >>> atp_from_adp(500.0, total=2500.0, convention="simple")
    2000.0
    """
    check_choice("convention", convention, ("adenylate_kinase", "simple"))
    check_range("total", total, "µM", high=1e5)
    if convention == "simple":
        d = check_range("adp", adp, "µM", low=0.0, high=total, low_inclusive=True)
        return scalar_or_array(total - d)
    d = check_range("adp", adp, "µM", low=0.0, high=total / 3.0, low_inclusive=True)
    rest = total - d
    return scalar_or_array(0.5 * (rest + np.sqrt(np.maximum(rest**2 - 4.0 * d**2, 0.0))))


def calcium_channel_scale(
    *,
    calcium: float,
    magnesium: float,
    reference_ratio: float = 2.5 / 0.85,
    half_ratio: float = 2.0,
) -> float:
    """L-type Ca²⁺ conductance multiplier from the extracellular Ca²⁺/Mg²⁺ ratio [TEACHING ASSUMPTION].

    Parameters
    ----------
    calcium : float
        Extracellular total calcium [mM]; (0, 10].
    magnesium : float
        Extracellular total magnesium [mM]; (0, 10].
    reference_ratio : float
        Ratio at which the multiplier is 1 (2.5 mM / 0.85 mM) [dimensionless].
    half_ratio : float
        Ratio giving half the maximal conductance [dimensionless].

    Returns
    -------
    float
        Multiplier on g_Ca [dimensionless]; 1 at the reference ratio.

    Notes
    -----
    ``scale = h(r) / h(r_ref)`` with ``h(r) = r / (r + r_half)`` and ``r = Ca/Mg``.
    Mg²⁺ screens surface charge and competes with Ca²⁺ at L-type channels; in
    perfused pancreas and islets secretion followed the Ca²⁺/Mg²⁺ ratio (Atwater
    et al., summarised by Hosseini Dastgerdi et al. 2022). Depending on the ratio
    alone is built into this form; the numbers are not calibrated.

    Examples
    --------
    >>> calcium_channel_scale(calcium=2.5, magnesium=0.85)
    1.0
    >>> calcium_channel_scale(calcium=5.0, magnesium=1.7)  # same ratio
    1.0
    """
    ca = float(check_range("calcium", calcium, "mM", high=10.0))
    mg = float(check_range("magnesium", magnesium, "mM", high=10.0))
    check_range("reference_ratio", reference_ratio, "dimensionless", high=1e3)
    check_range("half_ratio", half_ratio, "dimensionless", high=1e3)

    def h(ratio: float) -> float:
        return ratio / (ratio + half_ratio)

    return h(ca / mg) / h(reference_ratio)


def exocytosis_rate(
    calcium: FloatOrArray, *, k_half: float = 0.2, hill: float = 4.0
) -> FloatOrArray:
    """Relative insulin exocytosis rate from cytosolic Ca²⁺ [TEACHING ASSUMPTION].

    Parameters
    ----------
    calcium : float or array-like
        Cytosolic free Ca²⁺ [µM]; ≥ 0.
    k_half : float
        Ca²⁺ giving half the maximal rate [µM].
    hill : float
        Cooperativity [dimensionless]; exocytosis needs several Ca²⁺ ions.

    Returns
    -------
    float or numpy.ndarray
        Rate relative to its maximum [dimensionless], 0 to 1.

    Notes
    -----
    ``rate = Ca^n / (K^n + Ca^n)``: a steep, saturating Ca²⁺ dependence. The bulk
    cytosolic Ca²⁺ of the Bertram model stands in for the much higher Ca²⁺ near
    open channels where granules fuse; the constants are didactic.

    Examples
    --------
    >>> exocytosis_rate(0.2)
    0.5
    """
    ca = check_range("calcium", calcium, "µM", low=0.0, high=1e3, low_inclusive=True)
    check_range("k_half", k_half, "µM", high=100.0)
    check_range("hill", hill, "dimensionless", high=10.0)
    return scalar_or_array(ca**hill / (k_half**hill + ca**hill))


@dataclass(frozen=True)
class BertramParameters:
    """Parameters of the Bertram et al. 2004 model, fast-bursting set [PUBLISHED].

    Units: capacitance fF, conductance pS, voltage mV, time ms, concentration µM.
    Source: Bertram R, Satin L, Zhang M, Smolen P, Sherman A. Biophys J
    2004;87(5):3074-3087 (PFK after Smolen 1995), as tabulated in the course's model
    reference. ``g_ca_scale``, ``free_mg`` and ``r_gk`` changes are teaching uses.
    """

    c_m: float = 5300.0  # membrane capacitance [fF]
    g_k: float = 2700.0  # delayed-rectifier conductance [pS]
    v_k: float = -75.0  # K+ reversal potential [mV]
    tau_n: float = 20.0  # delayed-rectifier time constant [ms]
    g_ca: float = 1000.0  # Ca2+ conductance [pS]
    v_ca: float = 25.0  # Ca2+ reversal potential [mV]
    g_kca: float = 600.0  # maximal K(Ca) conductance [pS]
    k_d: float = 0.5  # K(Ca) half-activation [µM]
    g_katp: float = 25000.0  # maximal KATP conductance [pS]
    alpha: float = 4.5e-6  # current-to-flux conversion [µM fA^-1 ms^-1]
    k_pmca: float = 0.2  # plasma-membrane Ca2+ pump rate [ms^-1]
    f_cyt: float = 0.01  # free fraction of cytosolic Ca2+ [-]
    f_er: float = 0.01  # free fraction of ER Ca2+ [-]
    p_leak: float = 0.0002  # ER leak permeability [ms^-1]
    k_serca: float = 0.4  # SERCA pump rate [ms^-1]
    sigma_v: float = 31.0  # cytosol/ER volume ratio [-]
    tau_a: float = 300000.0  # ADP time constant [ms]
    r: float = 1.0  # mitochondrial ADP-phosphorylation parameter [-]
    r1: float = 0.35  # Ca2+ scale in the ADP equation [µM]
    v_gamma: float = 2.2  # maximal glycolytic contribution to ADP phosphorylation [-]
    k_gamma: float = 10.0  # half-saturation of gamma [flux units]
    a_tot: float = 3000.0  # total adenine nucleotide [µM]
    k1: float = 30.0  # PFK: AMP dissociation constant [µM]
    k2: float = 1.0  # PFK: FBP dissociation constant [µM]
    k3: float = 50000.0  # PFK: F6P constant [µM^2]
    k4: float = 1000.0  # PFK: ATP constant [µM^2]
    f13: float = 0.02  # PFK heterotropic factor AMP-F6P [-]
    f41: float = 20.0  # PFK heterotropic factor ATP-AMP [-]
    f23: float = 0.2  # PFK heterotropic factor FBP-F6P [-]
    f42: float = 20.0  # PFK heterotropic factor ATP-FBP [-]
    f43: float = 20.0  # PFK heterotropic factor ATP-F6P [-]
    lam: float = 0.06  # PFK relative activity of partially active states ("lambda") [-]
    v_max: float = 2.0  # maximal PFK rate [flux units]
    r_gk: float = 0.4  # glucokinase rate [flux units]
    kappa: float = 0.005  # scaling of glycolytic fluxes; kappa·R in µM/ms [-]
    g6p_frozen: float = 187.0  # G6P of the reduced model [µM]
    fbp_frozen: float = 16.0  # FBP of the reduced model [µM]
    g_ca_scale: float = 1.0  # teaching: multiplier on g_ca (L-type block/expression) [-]
    free_mg: float | None = None  # teaching: cytosolic free Mg2+ for KATP speciation [mM]

    def __post_init__(self) -> None:
        check_fields(self, _BERTRAM_BOUNDS)

    def gamma(self, fbp: float) -> float:
        """Glycolytic contribution to ADP phosphorylation at a given FBP [µM] [dimensionless]."""
        r_gpdh = 0.2 * math.sqrt(max(fbp, 0.0))
        return self.v_gamma * r_gpdh / (self.k_gamma + r_gpdh)

    def pfk_rate(self, g6p: float, fbp: float, atp: float, amp: float) -> float:
        """Phosphofructokinase rate (Smolen 1995 as in Bertram 2004) [flux units]."""
        f6p = 0.3 * g6p
        amp_ = amp / self.k1
        fbp_ = fbp / self.k2
        f6p_ = f6p**2 / self.k3
        atp_ = atp**2 / self.k4
        w = {}
        for a in (0, 1):
            for b in (0, 1):
                for c in (0, 1):
                    for d in (0, 1):
                        value = (amp_ if a else 1.0) * (fbp_ if b else 1.0)
                        value *= (f6p_ if c else 1.0) * (atp_ if d else 1.0)
                        denominator = 1.0
                        if a and c:
                            denominator *= self.f13
                        if b and c:
                            denominator *= self.f23
                        if a and d:
                            denominator *= self.f41
                        if b and d:
                            denominator *= self.f42
                        if c and d:
                            denominator *= self.f43
                        w[(a, b, c, d)] = value / denominator
        total = sum(w.values())
        top_b = w[(1, 1, 1, 0)]  # fully active state, rate 1 (not lambda)
        top_a = sum(v for (a, b, c, d), v in w.items() if c and (a, b, c, d) != (1, 1, 1, 0))
        return self.v_max * (self.lam * top_a + top_b) / total


_FRACTION: Final = Bound("dimensionless", high=1.0)
_BERTRAM_BOUNDS: Final = {
    "c_m": positive("fF"), "g_k": non_negative("pS"), "v_k": Bound("mV", -200.0, 200.0),
    "tau_n": positive("ms"), "g_ca": non_negative("pS"), "v_ca": Bound("mV", -200.0, 200.0),
    "g_kca": non_negative("pS"), "k_d": positive("µM"), "g_katp": non_negative("pS"),
    "alpha": positive("µM fA^-1 ms^-1"), "k_pmca": non_negative("ms^-1"), "f_cyt": _FRACTION,
    "f_er": _FRACTION, "p_leak": non_negative("ms^-1"), "k_serca": non_negative("ms^-1"),
    "sigma_v": positive("dimensionless"), "tau_a": positive("ms"),
    "r": non_negative("dimensionless"), "r1": positive("µM"),
    "v_gamma": non_negative("dimensionless"), "k_gamma": positive("flux units"),
    "a_tot": positive("µM"), "k1": positive("µM"), "k2": positive("µM"), "k3": positive("µM^2"),
    "k4": positive("µM^2"), "f13": positive("dimensionless"), "f41": positive("dimensionless"),
    "f23": positive("dimensionless"), "f42": positive("dimensionless"),
    "f43": positive("dimensionless"), "lam": Bound("dimensionless", high=1.0, low_inclusive=True),
    "v_max": non_negative("flux units"), "r_gk": non_negative("flux units"),
    "kappa": positive("dimensionless"), "g6p_frozen": non_negative("µM"),
    "fbp_frozen": non_negative("µM"),
    "g_ca_scale": Bound("dimensionless", high=3.0, low_inclusive=True),
    "free_mg": Bound("mM", low=0.05, high=5.0, low_inclusive=True, optional=True),
}

#: Default relative and absolute tolerances of :func:`simulate` (see its Notes).
RTOL: Final = 1e-11
ATOL: Final = 1e-11

#: Initial state [PUBLISHED]: V [mV], n, Ca [µM], ADP [µM], Ca_er [µM], G6P [µM], FBP [µM].
INITIAL_STATE: Final = (-60.0, 0.00016, 0.08, 789.0, 170.0, 187.0, 16.0)
_STATE_NAMES: Final = ("v", "n", "ca", "adp", "ca_er", "g6p", "fbp")

Model = Literal["reduced", "full"]


def _rhs_factory(
    p: BertramParameters, model: Model
) -> Callable[[float, npt.NDArray[np.float64]], list[float]]:
    f_mgadp, f_adp3, f_atp4 = (float(f) for f in speciation_fractions(p.free_mg))
    g_ca = p.g_ca * p.g_ca_scale
    exp = math.exp
    gamma_frozen = round(p.gamma(p.fbp_frozen), 3)  # 0.163 at FBP = 16 µM (Bertram et al. 2004)

    def rhs(_t: float, y: npt.NDArray[np.float64]) -> list[float]:
        v, n, ca, adp, ca_er = y[0], y[1], y[2], y[3], y[4]
        rest = p.a_tot - adp
        atp = 0.5 * (rest + math.sqrt(max(rest * rest - 4.0 * adp * adp, 0.0)))
        ca_pos = max(ca, 1e-12)
        n_inf = 1.0 / (1.0 + exp(-(16.0 + v) / 5.0))
        m_inf = 1.0 / (1.0 + exp(-(20.0 + v) / 12.0))
        i_k = p.g_k * n * (v - p.v_k)
        i_ca = g_ca * m_inf * (v - p.v_ca)
        i_kca = p.g_kca / (1.0 + (p.k_d / ca_pos) ** 2) * (v - p.v_k)
        x = f_mgadp * adp / _KDD
        o_inf = (0.08 * (1 + 2 * x) + 0.89 * x * x) / (
            (1 + x) ** 2 * (1 + f_adp3 * adp / _KTD + f_atp4 * atp / _KTT)
        )
        i_katp = p.g_katp * o_inf * (v - p.v_k)
        j_mem = -(p.alpha * i_ca + p.k_pmca * ca)
        j_er = p.p_leak * (ca_er - ca) - p.k_serca * ca
        if model == "full":
            g6p, fbp = y[5], y[6]
            gamma = p.gamma(fbp)
        else:
            gamma = gamma_frozen
        derivatives = [
            -(i_k + i_ca + i_kca + i_katp) / p.c_m,
            (n_inf - n) / p.tau_n,
            p.f_cyt * (j_mem + j_er),
            (atp - adp * exp((p.r + gamma) * (1.0 - ca / p.r1))) / p.tau_a,
            -p.f_er * p.sigma_v * j_er,
        ]
        if model == "full":
            amp = adp * adp / max(atp, 1e-12)
            r_pfk = p.pfk_rate(g6p, fbp, atp, amp)
            r_gpdh = 0.2 * math.sqrt(max(fbp, 0.0))
            derivatives += [p.kappa * (p.r_gk - r_pfk), p.kappa * (r_pfk - 0.5 * r_gpdh)]
        return derivatives

    return rhs


@dataclass(frozen=True)
class Trace:
    """A simulated β-cell time course, with SI-friendly units.

    Attributes
    ----------
    time : numpy.ndarray
        Time [s].
    v : numpy.ndarray
        Membrane potential [mV].
    n : numpy.ndarray
        Delayed-rectifier activation [dimensionless].
    ca : numpy.ndarray
        Cytosolic free Ca²⁺ [µM].
    adp, atp : numpy.ndarray
        Total cytosolic ADP and ATP [µM].
    ca_er : numpy.ndarray
        ER free Ca²⁺ [µM].
    g6p, fbp : numpy.ndarray or None
        Glucose 6-phosphate and fructose 1,6-bisphosphate [µM] (full model only).
    parameters : BertramParameters
        The parameters simulated.
    """

    time: npt.NDArray[np.float64]
    v: npt.NDArray[np.float64]
    n: npt.NDArray[np.float64]
    ca: npt.NDArray[np.float64]
    adp: npt.NDArray[np.float64]
    atp: npt.NDArray[np.float64]
    ca_er: npt.NDArray[np.float64]
    g6p: npt.NDArray[np.float64] | None
    fbp: npt.NDArray[np.float64] | None
    parameters: BertramParameters = field(repr=False)

    @property
    def final_state(self) -> tuple[float, ...]:
        """State at the last time point, usable as ``initial=`` of a further simulation."""
        values = [self.v[-1], self.n[-1], self.ca[-1], self.adp[-1], self.ca_er[-1]]
        if self.g6p is not None and self.fbp is not None:
            values += [self.g6p[-1], self.fbp[-1]]
        return tuple(float(v) for v in values)


def simulate(
    duration: float = 120.0,
    *,
    parameters: BertramParameters | None = None,
    model: Model = "reduced",
    glucose: float | None = None,
    free_mg: float | None = None,
    g_ca_scale: float | None = None,
    initial: tuple[float, ...] | None = None,
    sample_interval: float = 0.01,
    rtol: float = RTOL,
    atol: float = ATOL,
) -> Trace:
    """Simulate the Bertram et al. 2004 β-cell model.

    Parameters
    ----------
    duration : float
        Simulated time [s]; (0, 3600]. Burst analysis needs ≥ 120 s.
    parameters : BertramParameters, optional
        Defaults to the published fast-bursting set.
    model : {"reduced", "full"}
        ``"reduced"`` freezes glycolysis (gamma = 0.163; 5 states); ``"full"`` adds
        G6P and FBP with the PFK oscillator (7 states).
    glucose : float, optional
        Glucose [mM]; sets the glucokinase drive R_GK through
        :func:`glucokinase_drive` [TEACHING ASSUMPTION]. Requires ``model="full"``
        (glycolysis is frozen in the reduced model).
    free_mg : float, optional
        Cytosolic free Mg²⁺ [mM] for KATP nucleotide speciation, and with
        ``glucose`` also the MgATP factor of glucokinase [TEACHING ASSUMPTION].
    g_ca_scale : float, optional
        Multiplier on the L-type Ca²⁺ conductance [TEACHING ASSUMPTION]; [0, 3].
    initial : tuple of float, optional
        Initial state (5 values for the reduced model, 7 for the full one);
        defaults to the published initial values.
    sample_interval : float
        Spacing of the returned samples [s].
    rtol : float
        Relative tolerance of the solver [dimensionless]; in [1e-14, 1e-3].
    atol : float
        Absolute tolerance of the solver [units of each state]; in (0, 1].

    Returns
    -------
    Trace
        Time course with time in s.

    Raises
    ------
    ValueError
        If an argument is out of range, or if the run needs more than five
        right-hand-side evaluations per simulated ms (a degenerate parameter set).

    Notes
    -----
    LSODA with a maximal step of 5 ms so that every spike is resolved (the model is
    stiff: ms spikes against minute-scale ADP). The default rtol = atol = 1e-11 is
    converged: at 1e-12 the burst period (31.6 s), active fraction, spikes per
    burst and mean Ca²⁺ change by less than 0.5 %. At 1e-8 the solver drops about
    two spikes per burst and the period comes out near 29.5 s.

    Examples
    --------
    >>> trace = simulate(2.0)
    >>> float(trace.time[-1]), float(trace.v[0])
    (2.0, -60.0)
    """
    check_range("duration", duration, "s", high=3600.0)
    check_range("sample_interval", sample_interval, "s", high=duration)
    check_choice("model", model, ("reduced", "full"))
    p = parameters or BertramParameters()
    if glucose is not None:
        if model != "full":
            raise ValueError(
                "glucose acts through glycolysis, which is frozen in the reduced model; "
                "use model='full'"
            )
        p = replace(p, r_gk=glucokinase_drive(glucose, free_mg=free_mg))
    if free_mg is not None:
        p = replace(p, free_mg=free_mg)
    if g_ca_scale is not None:
        p = replace(p, g_ca_scale=g_ca_scale)
    size = 7 if model == "full" else 5
    rtol, atol = check_tolerances(rtol, atol, "units of each state")
    y0 = INITIAL_STATE[:size] if initial is None else tuple(initial)
    if len(y0) != size:
        raise ValueError(f"initial must have {size} values for model={model!r}, got {len(y0)}")
    check_range("initial", y0, "mV, -, µM", low=-np.inf)
    t_end = duration * 1e3
    samples = round(duration / sample_interval)
    t_eval = np.linspace(0.0, t_end, samples + 1)
    solution = solve(
        _rhs_factory(p, model), (0.0, t_end), y0, what="the β-cell model", unit="ms",
        method="LSODA", rtol=rtol, atol=atol, budget=5.0, t_eval=t_eval, max_step=5.0,
    )
    y = solution.y
    atp = np.asarray(atp_from_adp(np.clip(y[3], 0.0, p.a_tot / 3.0), total=p.a_tot))
    return Trace(
        time=solution.t / 1e3, v=y[0], n=y[1], ca=y[2], adp=y[3], atp=np.atleast_1d(atp),
        ca_er=y[4], g6p=y[5] if model == "full" else None, fbp=y[6] if model == "full" else None,
        parameters=p,
    )


@dataclass(frozen=True)
class BurstMetrics:
    """Summary of the electrical activity in a trace.

    Attributes
    ----------
    pattern : {"silent", "bursting", "continuous"}
        What the cell does after the transient.
    period : float
        Mean time between burst starts [s]; NaN unless bursting.
    active_fraction : float
        Fraction of time in the active (spiking) phase [dimensionless].
    spikes_per_burst : float
        Mean number of spikes per complete burst; NaN unless bursting.
    mean_calcium : float
        Mean cytosolic Ca²⁺ over the analysed window [µM].
    n_bursts : int
        Number of burst starts in the window.
    """

    pattern: Literal["silent", "bursting", "continuous"]
    period: float
    active_fraction: float
    spikes_per_burst: float
    mean_calcium: float
    n_bursts: int


def burst_metrics(
    time: npt.ArrayLike,
    v: npt.ArrayLike,
    ca: npt.ArrayLike | None = None,
    *,
    threshold: float = -30.0,
    gap: float = 2.0,
    transient: float = 60.0,
) -> BurstMetrics:
    """Burst period, active-phase fraction, spikes per burst and mean Ca²⁺ from a trace.

    Parameters
    ----------
    time : array-like
        Sample times [s], increasing.
    v : array-like
        Membrane potential [mV].
    ca : array-like, optional
        Cytosolic Ca²⁺ [µM]; NaN mean if omitted.
    threshold : float
        Spikes are upward crossings of this voltage [mV].
    gap : float
        An inter-spike interval longer than this starts a new burst [s].
    transient : float
        Time discarded at the start [s].

    Returns
    -------
    BurstMetrics

    Notes
    -----
    The analysis convention of this course: spikes as upward crossings
    of −30 mV, a new burst after a silence of more than 2 s, the period as the
    mean difference between successive burst starts, the first 60 s discarded.
    The active phase of a burst runs from its first to its last spike.

    Examples
    --------
    >>> t = np.arange(0, 200, 0.01)
    >>> v = np.where((t % 20 < 8) & (np.sin(2 * np.pi * 2 * t) > 0), 0.0, -60.0)
    >>> m = burst_metrics(t, v)
    >>> m.pattern, round(m.period, 2), m.spikes_per_burst
    ('bursting', 20.0, 16.0)
    """
    t = check_range("time", time, "s", low=-np.inf)
    volts = check_range("v", v, "mV", low=-np.inf)
    if t.shape != volts.shape or t.ndim != 1 or t.size < 3:
        raise ValueError(f"time and v must be 1-D arrays of equal length ≥ 3, got {t.shape}, "
                         f"{volts.shape}")
    check_range("threshold", threshold, "mV", low=-200.0, high=200.0)
    check_range("gap", gap, "s")
    calcium = None if ca is None else check_range("ca", ca, "µM", low=0.0, low_inclusive=True)
    if calcium is not None and calcium.shape != t.shape:
        raise ValueError(f"ca must have the shape of time, {t.shape}, got {calcium.shape}")
    if np.any(np.diff(t) <= 0):
        raise ValueError("time must be strictly increasing [s]")
    check_range("transient", transient, "s", low=0.0, high=float(t[-1]), low_inclusive=True,
                high_inclusive=False)
    window = t >= t[0] + transient
    tw, vw = t[window], volts[window]
    ca_mean = float("nan") if calcium is None else float(np.mean(calcium[window]))
    crossings = np.nonzero((vw[:-1] < threshold) & (vw[1:] >= threshold))[0]
    spikes = tw[crossings + 1]
    span = tw[-1] - tw[0]
    if spikes.size == 0:
        return BurstMetrics("silent", float("nan"), 0.0, float("nan"), ca_mean, 0)
    starts_idx = np.concatenate([[0], np.nonzero(np.diff(spikes) > gap)[0] + 1])
    if starts_idx.size < 2 or (spikes[0] - tw[0] <= gap and starts_idx.size == 1):
        if spikes[0] - tw[0] <= gap and tw[-1] - spikes[-1] <= gap and starts_idx.size == 1:
            return BurstMetrics("continuous", float("nan"), 1.0, float("nan"), ca_mean, 0)
    ends_idx = np.concatenate([starts_idx[1:] - 1, [spikes.size - 1]])
    starts, ends = spikes[starts_idx], spikes[ends_idx]
    counts = ends_idx - starts_idx + 1
    # complete bursts: begin after a silence inside the window and end before the next one
    complete = np.ones(starts.size, dtype=bool)
    complete[0] = spikes[0] - tw[0] > gap
    complete[-1] = tw[-1] - spikes[-1] > gap
    period = float(np.mean(np.diff(starts))) if starts.size >= 2 else float("nan")
    active = float(np.sum(ends - starts) / span)
    per_burst = float(np.mean(counts[complete])) if complete.any() else float("nan")
    return BurstMetrics("bursting", period, active, per_burst, ca_mean, int(starts.size))
