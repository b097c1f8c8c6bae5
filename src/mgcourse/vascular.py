"""The vascular endothelium: insulin-stimulated NO and ET-1, vascular tone and blood pressure.

Published model (labelled [PUBLISHED] in the course):

* Muniyappa, Chen, Montagnani, Sherman & Quon (2020): 35 states from the insulin
  receptor to nitric oxide (PI3K → Akt → eNOS → NO, vasodilator) and to endothelin-1
  (Shc → Ras → Raf → MEK → MAPK → ET-1, vasoconstrictor), with Akt inhibiting Raf and
  a delayed PKC-ζ feedback that serine-phosphorylates IRS-1
  (:func:`simulate_vascular`). Its receptor block is that of Sedaghat et al. (2002)
  (:class:`mgcourse.signalling.SedaghatParameters`).

Teaching assumptions, off by default and named as such wherever they appear:

* a "teaching" mode that clips PIP3 below its basal level in the Akt and PKC-ζ
  activation rates (and warns whenever the clip acts);
* a factor of cytosolic free Mg²⁺ on the receptor kinase steps k7, k16 and k3
  (:func:`mgcourse.signalling.receptor_kinase_factor`);
* a coupling to the relative TNF-α level that slows IRS-1 tyrosine phosphorylation
  and, optionally, drives IRS-1 serine phosphorylation;
* the choice of PTEN = 2.5 as the standard "selective insulin resistance" scenario
  (:func:`insulin_resistant`).

Teaching model (textbook haemodynamics, not part of the published model): mean
arterial pressure as cardiac output times total peripheral resistance, with
Poiseuille's law linking the model's vascular tone to vessel radius
(:func:`blood_pressure`).

Units: time in min; concentrations in M, except PKC-ζ (x18, x19), which is in % of
its total; the vascular effect and tone in %; pressures in mmHg, cardiac output in
L/min, resistance in mmHg·min/L; free Mg²⁺ in mM, serum Mg in mmol/L.

References
----------
.. [1] Muniyappa R, Chen H, Montagnani M, Sherman A, Quon MJ. Endothelial dysfunction
   due to selective insulin resistance in vascular endothelium: insights from
   mechanistic modeling. Am J Physiol Endocrinol Metab 2020;319(3):E629-E646.
   doi:10.1152/ajpendo.00247.2020
.. [2] Sedaghat AR, Sherman A, Quon MJ. A mathematical model of metabolic insulin
   signaling pathways. Am J Physiol Endocrinol Metab 2002;283(5):E1084-E1101.
   doi:10.1152/ajpendo.00571.2001
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

from mgcourse import MgcourseWarning
from mgcourse._integrate import rk4, steps_and_stride
from mgcourse._validation import (
    SWITCH,
    Bound,
    FloatOrArray,
    check_choice,
    check_fields,
    check_range,
    non_negative,
    positive,
    scalar_or_array,
)
from mgcourse.signalling import (
    _MAGNESIUM_RANGE,
    SedaghatParameters,
    _time_grid,
    receptor_kinase_factor,
)

__all__ = [
    "VASCULAR_INITIAL_STATE",
    "VASCULAR_STATE_LABELS",
    "VASCULAR_STATE_NAMES",
    "BloodPressureParameters",
    "BloodPressureResult",
    "MuniyappaParameters",
    "VascularResult",
    "blood_pressure",
    "insulin_resistant",
    "mean_arterial_pressure",
    "pressure_change_from_resistance",
    "reference_tone",
    "resistance_magnesium_factor",
    "simulate_vascular",
    "simulate_vascular_scenarios",
]

FloatArray = npt.NDArray[np.float64]
Mode = Literal["published", "teaching"]

# ---------------------------------------------------------------------------
# States [PUBLISHED]
# ---------------------------------------------------------------------------

#: Names of the 35 states of the Muniyappa et al. (2020) model, in model order.
VASCULAR_STATE_NAMES: Final = (
    "receptor_unbound",  # x2 [M]
    "receptor_once_bound",  # x3 [M]
    "receptor_twice_bound_phosphorylated",  # x4 [M]
    "receptor_once_bound_phosphorylated",  # x5 [M]
    "receptor_internal_unbound",  # x6 [M]
    "receptor_internal_twice_bound_phosphorylated",  # x7 [M]
    "receptor_internal_once_bound_phosphorylated",  # x8 [M]
    "irs1",  # x9 [M]
    "irs1_phosphorylated",  # x10, tyrosine-phosphorylated [M]
    "irs1_serine_phosphorylated",  # x10a, by the PKC-zeta feedback [M]
    "pi3k",  # x11 [M]
    "irs1_pi3k",  # x12 [M]
    "pip3",  # x13 [M]
    "pip2",  # x14 [M]
    "pi34p2",  # x15 [M]
    "akt_inactive",  # x16 [M]
    "akt",  # x17 [M]
    "pkc_inactive",  # x18 [%]
    "pkc",  # x19 [%]
    "enos_inactive",  # x20 [M]
    "enos_active",  # x21 [M]
    "no",  # x22 [M]
    "shc",  # x23 [M]
    "shc_phosphorylated",  # x24 [M]
    "ras_gdp",  # x25 [M]
    "ras_gtp",  # x26 [M]
    "raf_inactive",  # x27 [M]
    "raf",  # x28 [M]
    "mek",  # x29 [M]
    "mek_p",  # x30 [M]
    "mek_pp",  # x31 [M]
    "mapk",  # x32 [M]
    "mapk_p",  # x33 [M]
    "mapk_pp",  # x34 [M]
    "et1",  # x35 [M]
)

#: The paper's labels of the 35 states, in the order of :data:`VASCULAR_STATE_NAMES`.
VASCULAR_STATE_LABELS: Final = (
    *(f"x{k}" for k in range(2, 11)), "x10a", *(f"x{k}" for k in range(11, 36)),
)

#: Initial values of the 35 states [PUBLISHED]; M, except x18 and x19 in %.
#: They are not a rest state: the Ras/Raf block relaxes during the first minutes.
VASCULAR_INITIAL_STATE: Final = (
    9e-13, 0.0, 0.0, 0.0, 1e-13, 0.0, 0.0,  # x2 … x8, receptor
    1e-12, 0.0, 0.0, 1e-13, 0.0,  # x9, x10, x10a, x11, x12
    5e-8, 1.6e-5, 4.68e-8,  # x13 … x15, lipids
    1e-8, 0.0, 100.0, 0.0,  # x16, x17 (Akt, M); x18, x19 (PKC-zeta, %)
    1.5e-8, 0.0, 0.0,  # x20, x21 (eNOS), x22 (NO)
    0.5e-6, 0.0, 12e-8, 8.4e-9, 13e-9, 0.0,  # x23 … x28, Shc, Ras, Raf
    0.5e-6, 0.0, 0.0, 0.5e-6, 0.0, 0.0, 0.0,  # x29 … x35, MEK, MAPK, ET-1
)

_N: Final = 35
_ROW: Final = {label: i for i, label in enumerate(VASCULAR_STATE_LABELS)}

#: Basal PIP3 and its rise at maximal stimulation in the Akt/PKC-ζ rates [M] [PUBLISHED].
_PIP3_BASAL: Final = 5e-8
_PIP3_SPAN: Final = 5e-7 - 5e-8
#: Intracellular receptor total above which receptor synthesis is slow [M] [PUBLISHED].
_K5_THRESHOLD: Final = 1e-13
#: PIP3 below basal by more than this counts as a clip / negative rate [M].
_CLIP_TOLERANCE: Final = 1e-15
#: Weights of NO and ET-1 and the normaliser of the vascular effect [PUBLISHED].
_NO_WEIGHT: Final = 0.6
_ET1_WEIGHT: Final = 0.4
_ET1_POTENCY: Final = 66.667
_EFFECT_SCALE: Final = 3.95e-7  # [M]
#: Range of cytosolic free Mg²⁺ accepted by the magnesium link [mM] (as in signalling).

_SEDAGHAT: Final = SedaghatParameters()


# ---------------------------------------------------------------------------
# Parameters
# ---------------------------------------------------------------------------


_MOLAR_FIELDS: Final = (
    "irp", "ki", "arg", "pp2a", "mkp1", "kmi13", "kmi14", "kmi17", "kmi18", "kmi19", "kmi20",
    "kmi21", "kmi22", "kmi23", "kmi24", "kmi25", "kmi26", "kmi27", "kmi28",
)
_FIRST_ORDER_FIELDS: Final = (
    "km1", "k3", "km4", "k4p", "km4p", "km5", "k6", "k7", "km8", "k9stim", "km10", "km11",
    "km12", "k7p", "km13", "k13", "k14", "k15", "k16", "k18", "k19", "k20", "k21", "k22", "k23",
    "k24", "k25", "k26", "k27", "k28", "k29",
)
#: Valid ranges of the Muniyappa parameters: rates ≥ 0, concentrations > 0.
_MUNIYAPPA_BOUNDS: Final[dict[str, Bound]] = {
    "k1": positive("M^-1 min^-1"),
    **{name: positive("M") for name in _MOLAR_FIELDS},
    **{name: non_negative("min^-1") for name in _FIRST_ORDER_FIELDS},
    "v17": non_negative("M min^-1"),
    "negfeed": Bound("dimensionless", low=0.0, high=1.0, low_inclusive=True),
    "vmax": non_negative("dimensionless"), "kd": positive("%"),
    "n": Bound("dimensionless", low=1.0, high=10.0, low_inclusive=True),
    "n2": Bound("dimensionless", low=1.0, high=10.0, low_inclusive=True),
    "tau": positive("min", high=60.0), "et1_half_life": positive("min", high=1e4),
    **{name: positive("dimensionless", high=100.0) for name in ("ptp", "pten", "ship")},
    "magnesium": Bound("mM", low=_MAGNESIUM_RANGE[0], high=_MAGNESIUM_RANGE[1],
                       low_inclusive=True, optional=True),
    "tnf": Bound("dimensionless", low=1.0, high=20.0, low_inclusive=True),
    "tnf_k7_coupling": non_negative("dimensionless", high=10.0),
    "tnf_serine": SWITCH,
    "tnf_serine_coupling": non_negative("dimensionless", high=100.0),
}


@dataclass(frozen=True)
class MuniyappaParameters:
    """Constants of the Muniyappa et al. (2020) vascular insulin-signalling model [PUBLISHED].

    Source: Muniyappa R, Chen H, Montagnani M, Sherman A, Quon MJ. Endothelial
    dysfunction due to selective insulin resistance in vascular endothelium: insights
    from mechanistic modeling. Am J Physiol Endocrinol Metab 2020;319(3):E629-E646.
    doi:10.1152/ajpendo.00247.2020. The receptor block (k1 … irp, km8) takes its defaults from
    :class:`mgcourse.signalling.SedaghatParameters` (Sedaghat et al. 2002,
    doi:10.1152/ajpendo.00571.2001), as the paper does.

    Constants defined from others (``k2``, ``km2``, ``km3``, ``k4``, ``km7``, ``k8``,
    ``pi3k``, ``km9``, ``k9basal``, ``k10``, ``km7p``, ``km16``, ``k30``) are
    properties computed exactly as defined, so a variant made with
    :func:`dataclasses.replace` keeps them consistent. The receptor-block
    definitions are those of :class:`~mgcourse.signalling.SedaghatParameters`
    (see :attr:`receptor_block`).

    The last five fields are teaching assumptions, all off by default:
    ``magnesium`` (receptor kinase factor on k7, k16 and k3), ``tnf`` with
    ``tnf_k7_coupling`` (k7 / (1 + c_S·(T − 1))), and ``tnf_serine`` with
    ``tnf_serine_coupling`` (k7p·PKC → k7p·(PKC + c_V·(T − 1))). As in the paper, k7p
    and km7p are 0 when ``negfeed = 0``, which also silences the TNF-α serine term.
    ``k7p`` is the tabulated 0.346574 min⁻¹ (≈ ln2/2), from which km7p = 0.0855761 min⁻¹.
    """

    # receptor block, as in Sedaghat 2002
    k1: float = _SEDAGHAT.k1  # insulin binding to the unbound receptor [M^-1 min^-1]
    km1: float = _SEDAGHAT.km1  # insulin dissociation [min^-1]
    k3: float = _SEDAGHAT.k3  # receptor autophosphorylation, x3 -> x5 [min^-1]
    km4: float = _SEDAGHAT.km4  # recycling of unbound receptor, x6 -> x2 [min^-1]
    k4p: float = _SEDAGHAT.k4p  # internalisation of phosphorylated receptor [min^-1]
    km4p: float = _SEDAGHAT.km4p  # recycling of phosphorylated receptor [min^-1]
    km5: float = _SEDAGHAT.km5  # intracellular receptor degradation [min^-1]
    k6: float = _SEDAGHAT.k6  # dephosphorylation of intracellular receptor (x PTP) [min^-1]
    k7: float = _SEDAGHAT.k7  # IRS-1 tyrosine phosphorylation by the receptor kinase [min^-1]
    irp: float = _SEDAGHAT.irp  # normalising level of phosphorylated receptor, IRp [M]
    km8: float = _SEDAGHAT.km8  # IRS-1(pY)/PI3K dissociation [min^-1]
    # lipids, Akt, PKC-zeta
    k9stim: float = _SEDAGHAT.k9stim  # stimulated PI(4,5)P2 -> PIP3 rate [min^-1]
    km10: float = _SEDAGHAT.km10  # SHIP: PIP3 -> PI(3,4)P2 (x SHIP) [min^-1]
    km11: float = _SEDAGHAT.km11  # Akt inactivation [min^-1]
    km12: float = _SEDAGHAT.km12  # PKC-zeta inactivation [min^-1]
    # delayed PKC-zeta feedback on IRS-1
    negfeed: int = 1  # feedback switch: 1 = on, 0 = off [-]
    k7p: float = 0.346574  # PKC-driven IRS-1 serine phosphorylation (x negfeed), ~ln2/2 [min^-1]
    vmax: float = 20.0  # maximal feedback multiplier, Vmax [-]
    kd: float = 12.0  # feedback half-activation [% of PKC-zeta]
    n: float = 4.0  # feedback Hill coefficient, a whole number [-]
    tau: float = 1.5  # feedback delay [min]
    # eNOS and NO
    km13: float = 0.34  # eNOS dephosphorylation [min^-1]
    k13: float = 2.0  # Akt-catalysed eNOS phosphorylation [min^-1]
    kmi13: float = 9e-9  # Michaelis constant for eNOS [M]
    k14: float = 80.0  # NO production per active eNOS [min^-1]
    arg: float = 1e-4  # L-arginine, constant [M]
    kmi14: float = 2e-6  # Michaelis constant for L-arginine [M]
    k15: float = 0.6  # NO decay [min^-1]
    # Shc, Ras, Raf
    k16: float = 1.386  # Shc phosphorylation by the receptor (x (x4+x5)/IRp) [min^-1]
    v17: float = 2.3e-4  # Ras inactivation, maximal rate [M min^-1]
    kmi17: float = 7.3e-6  # Michaelis constant, Ras inactivation [M]
    k18: float = 13.2  # Ras activation by phospho-Shc [min^-1]
    kmi18: float = 0.18e-9  # Michaelis constant, Ras activation [M]
    k19: float = 360.0  # PP2A inactivation of Raf [min^-1]
    kmi19: float = 1.5e-6  # Michaelis constant, Raf inactivation [M]
    k20: float = 60.0  # Raf activation by Ras-GTP [min^-1]
    kmi20: float = 0.5e-9  # Michaelis constant, Raf activation [M]
    ki: float = 1e-9  # Akt inhibition of Raf activation, Ki [M]
    n2: float = 1.0  # exponent of the Akt inhibition, a whole number [-]
    # MEK and MAPK
    k21: float = 360.0  # PP2A: MEK-P -> MEK [min^-1]
    kmi21: float = 15.7e-6  # Michaelis constant [M]
    k22: float = 50.0  # Raf: MEK -> MEK-P [min^-1]
    kmi22: float = 1.4e-8  # Michaelis constant [M]
    k23: float = 360.0  # PP2A: MEK-PP -> MEK-P [min^-1]
    kmi23: float = 15.7e-6  # Michaelis constant [M]
    k24: float = 50.0  # Raf: MEK-P -> MEK-PP [min^-1]
    kmi24: float = 1.4e-8  # Michaelis constant [M]
    k25: float = 60.0  # MKP1: MAPK-P -> MAPK [min^-1]
    kmi25: float = 0.167e-6  # Michaelis constant [M]
    k26: float = 120.0  # MEK-PP: MAPK -> MAPK-P [min^-1]
    kmi26: float = 1.5e-7  # Michaelis constant [M]
    k27: float = 60.0  # MKP1: MAPK-PP -> MAPK-P [min^-1]
    kmi27: float = 0.167e-6  # Michaelis constant [M]
    k28: float = 120.0  # MEK-PP: MAPK-P -> MAPK-PP [min^-1]
    kmi28: float = 1.5e-7  # Michaelis constant [M]
    pp2a: float = 2.7e-6  # phosphatase PP2A, constant [M]
    mkp1: float = 0.0032e-6  # MAPK phosphatase MKP1, constant [M]
    # ET-1
    k29: float = 0.005  # ET-1 production per unit active MAPK [min^-1]
    et1_half_life: float = 15.0  # ET-1 half-life, k30 = 0.693/half-life [min]
    # relative phosphatase activities
    ptp: float = 1.0  # protein tyrosine phosphatases [-]
    pten: float = 1.0  # PTEN; raising it impairs the PI3K branch selectively [-]
    ship: float = 1.0  # SHIP2 [-]
    # teaching assumptions, off by default
    magnesium: float | None = None  # cytosolic free Mg2+ for the kinase factor; None = off [mM]
    tnf: float = 1.0  # relative TNF-alpha level T; 1 = healthy reference (off) [-]
    tnf_k7_coupling: float = 0.5  # c_S in k7 / (1 + c_S (T - 1)) [-]
    tnf_serine: bool = False  # add c_V (T - 1) to PKC in the serine phosphorylation [-]
    tnf_serine_coupling: float = 1.0  # c_V [-]

    def __post_init__(self) -> None:
        check_fields(self, _MUNIYAPPA_BOUNDS)
        if self.negfeed not in (0, 1):
            raise ValueError(f"negfeed = {self.negfeed!r} [dimensionless] is not supported; "
                             "valid values are 0 (feedback off) and 1 (on)")
        for name in ("n", "n2"):
            value = getattr(self, name)
            if value != round(value):
                raise ValueError(f"{name} = {value:g} [dimensionless] must be a whole number "
                                 "in [1, 10]")

    # -- receptor block (definitions of Sedaghat 2002) --------------------------

    @property
    def receptor_block(self) -> SedaghatParameters:
        """The receptor, IRS-1 and PI3K constants as a :class:`SedaghatParameters`."""
        return replace(
            _SEDAGHAT, k1=self.k1, km1=self.km1, k3=self.k3, km4=self.km4, k4p=self.k4p,
            km4p=self.km4p, km5=self.km5, k6=self.k6, k7=self.k7, irp=self.irp,
            km8=self.km8, k9stim=self.k9stim, km10=self.km10, km11=self.km11,
            km12=self.km12, ptp=self.ptp, pten=self.pten, ship=self.ship,
        )

    @property
    def k2(self) -> float:
        """Second insulin binding, ``k2 = k1`` [M⁻¹·min⁻¹]."""
        return self.receptor_block.k2

    @property
    def km2(self) -> float:
        """Second-insulin dissociation, ``km2 = 100·km1`` [min⁻¹]."""
        return self.receptor_block.km2

    @property
    def km3(self) -> float:
        """Surface receptor dephosphorylation (× PTP), ``km3 = km1`` [min⁻¹]."""
        return self.receptor_block.km3

    @property
    def k4(self) -> float:
        """Internalisation of unbound receptor, ``k4 = km4/9`` [min⁻¹]."""
        return self.receptor_block.k4

    @property
    def km7(self) -> float:
        """IRS-1 dephosphorylation (× PTP), ``km7 = (2.5/7.45)·k7`` [min⁻¹]."""
        return self.receptor_block.km7

    def k5(self, intracellular_receptor: float) -> float:
        """Receptor synthesis at an intracellular receptor total x6+x7+x8 [M·min⁻¹].

        ``10·km5`` above 1e-13 M (strict), ``60·km5`` otherwise [PUBLISHED].
        """
        return self.receptor_block.k5(intracellular_receptor)

    # -- constants defined by Muniyappa et al. 2020 -------------------------------

    @property
    def k8(self) -> float:
        """IRS-1(pY)/PI3K association, ``k8 = km8·5e12/70.775`` [M⁻¹·min⁻¹]."""
        return self.km8 * 5e12 / 70.775

    @property
    def pi3k(self) -> float:
        """Normaliser of PI3K activity in k9 [M].

        ``(k8·3.7e-13·1e-13)/(k8·3.7e-13 + km8)`` with the feedback on, 5e-15 M off.
        """
        if self.negfeed:
            return (self.k8 * 3.7e-13 * 1e-13) / (self.k8 * 3.7e-13 + self.km8)
        return 5e-15

    @property
    def km9(self) -> float:
        """PTEN: PIP3 → PI(4,5)P2 (× PTEN), ``km9 = (1.52e-5/5e-7)·k9stim`` [min⁻¹]."""
        return (1.52e-5 / 5e-7) * self.k9stim

    @property
    def k9basal(self) -> float:
        """Basal PI(4,5)P2 → PIP3, ``k9basal = (5e-8/1.6e-5)·km9`` [min⁻¹]."""
        return (5e-8 / 1.6e-5) * self.km9

    @property
    def k10(self) -> float:
        """PI(3,4)P2 → PIP3, ``k10 = km10·(5e-7/4.68e-7)`` [min⁻¹]."""
        return self.km10 * (5e-7 / 4.68e-7)

    @property
    def km7p(self) -> float:
        """Reversal of IRS-1 serine phosphorylation (x10a → x9) [min⁻¹].

        ``km7p = k7p·(r·3.7e-13)/(6.27e-13 − r·3.7e-13)`` with ``r = 2.5/7.45``; 0 when
        the feedback is off.
        """
        if not self.negfeed:
            return 0.0
        r = (2.5 / 7.45) * 3.7e-13
        return self.k7p * r / (6.27e-13 - r)

    @property
    def km16(self) -> float:
        """Shc dephosphorylation, ``km16 = 3·k16`` [min⁻¹]."""
        return 3.0 * self.k16

    @property
    def k30(self) -> float:
        """ET-1 clearance, ``k30 = 0.693/15`` with the published half-life [min⁻¹]."""
        return 0.693 / self.et1_half_life

    @property
    def receptor_kinase_factor(self) -> float:
        """Multiplier of k7, k16 and k3 from ``magnesium`` [dimensionless]; 1 when off."""
        if self.magnesium is None:
            return 1.0
        return float(receptor_kinase_factor(float(self.magnesium)))

    @property
    def teaching_assumptions(self) -> tuple[str, ...]:
        """The teaching assumptions switched on in this parameter set."""
        notes = []
        if self.magnesium is not None:
            notes.append(
                f"magnesium: receptor kinase factor {self.receptor_kinase_factor:.4g} at free "
                f"Mg {self.magnesium:g} mM multiplies k7, k16 and k3 (not in Muniyappa 2020)"
            )
        if self.tnf != 1.0:
            notes.append(
                f"TNF-alpha: k7 divided by 1 + {self.tnf_k7_coupling:g}·(T - 1) at T = "
                f"{self.tnf:g} (not in Muniyappa 2020)"
            )
            if self.tnf_serine:
                notes.append(
                    f"TNF-alpha: IRS-1 serine phosphorylation driven by PKC + "
                    f"{self.tnf_serine_coupling:g}·(T - 1) (not in Muniyappa 2020)"
                )
        return tuple(notes)


def insulin_resistant(
    parameters: MuniyappaParameters | None = None, *, pten: float = 2.5
) -> MuniyappaParameters:
    """Selective insulin resistance: the PI3K branch impaired, the MAPK branch intact.

    Parameters
    ----------
    parameters : MuniyappaParameters, optional
        Starting parameter set; defaults to the published one.
    pten : float
        Relative PTEN activity [dimensionless]; in (1, 100]. 2.5 is a teaching choice.

    Returns
    -------
    MuniyappaParameters
        ``replace(parameters, pten=pten)``.

    Notes
    -----
    Muniyappa et al. (2020) [1]_ represent selective (pathway-specific) insulin
    resistance by raising PTEN, which converts PIP3 back to PI(4,5)P2
    (``dx13/dt ∋ −km9·PTEN·x13``). Only the PI3K → Akt → eNOS → NO branch is slowed;
    Shc → Ras → Raf → MEK → MAPK → ET-1 keeps its published constants. The default
    PTEN = 2.5 is a didactic choice made for the course [TEACHING ASSUMPTION]: large
    enough to make the imbalance obvious. Basal PIP3 then falls below 5e-8 M, so in
    the published mode Akt, eNOS and NO turn negative (see :func:`simulate_vascular`).

    References
    ----------
    .. [1] Muniyappa R, Chen H, Montagnani M, Sherman A, Quon MJ. Am J Physiol
       Endocrinol Metab 2020;319(3):E629-E646. doi:10.1152/ajpendo.00247.2020

    Examples
    --------
    >>> insulin_resistant().pten
    2.5
    """
    check_range("pten", pten, "dimensionless", low=1.0, high=100.0)
    return replace(parameters or MuniyappaParameters(), pten=float(pten))


# ---------------------------------------------------------------------------
# Right-hand side: dy/dt = S @ v, with fluxes v = c·z[a]·z[b]/(K + z[e])
# ---------------------------------------------------------------------------

# extra rows of the extended vector z after the 35 states
_ONE, _ZERO, _X1, _PKC, _D, _K5, _RAF = range(_N, _N + 7)
_NZ: Final = _N + 7
_X13, _X17, _X19, _X26 = _ROW["x13"], _ROW["x17"], _ROW["x19"], _ROW["x26"]


def _r(label: str) -> int:
    return _ROW[label]


# (name of the rate constant, a, b, e, name of K, stoichiometry). Mass action uses
# e = ZERO and K = 1; a first-order step uses b = ONE.
_REACTIONS: Final[tuple[tuple[str, int, int, int, str, dict[str, int]], ...]] = (
    # receptor block (Sedaghat 2002)
    ("k1", _X1, _r("x2"), _ZERO, "one", {"x2": -1, "x3": 1}),
    ("km1", _r("x3"), _ONE, _ZERO, "one", {"x3": -1, "x2": 1}),
    ("k3", _r("x3"), _ONE, _ZERO, "one", {"x3": -1, "x5": 1}),
    ("k2", _X1, _r("x5"), _ZERO, "one", {"x5": -1, "x4": 1}),
    ("km2", _r("x4"), _ONE, _ZERO, "one", {"x4": -1, "x5": 1}),
    ("km3_ptp", _r("x5"), _ONE, _ZERO, "one", {"x5": -1, "x2": 1}),
    ("k4", _r("x2"), _ONE, _ZERO, "one", {"x2": -1, "x6": 1}),
    ("km4", _r("x6"), _ONE, _ZERO, "one", {"x6": -1, "x2": 1}),
    ("k4p", _r("x4"), _ONE, _ZERO, "one", {"x4": -1, "x7": 1}),
    ("km4p", _r("x7"), _ONE, _ZERO, "one", {"x7": -1, "x4": 1}),
    ("k4p", _r("x5"), _ONE, _ZERO, "one", {"x5": -1, "x8": 1}),
    ("km4p", _r("x8"), _ONE, _ZERO, "one", {"x8": -1, "x5": 1}),
    ("k6_ptp", _r("x7"), _ONE, _ZERO, "one", {"x7": -1, "x6": 1}),
    ("k6_ptp", _r("x8"), _ONE, _ZERO, "one", {"x8": -1, "x6": 1}),
    ("km5", _r("x6"), _ONE, _ZERO, "one", {"x6": -1}),
    ("k5_low", _ONE, _ONE, _ZERO, "one", {"x6": 1}),
    ("k5_step", _K5, _ONE, _ZERO, "one", {"x6": 1}),
    # IRS-1, PI3K and the delayed PKC-zeta feedback
    ("k7_irp", _r("x9"), _r("x4"), _ZERO, "one", {"x9": -1, "x10": 1}),
    ("k7_irp", _r("x9"), _r("x5"), _ZERO, "one", {"x9": -1, "x10": 1}),
    ("km7_ptp", _r("x10"), _ONE, _ZERO, "one", {"x10": -1, "x9": 1}),
    ("k7p", _r("x9"), _PKC, _ZERO, "one", {"x9": -1, "x10a": 1}),
    ("km7p", _r("x10a"), _ONE, _ZERO, "one", {"x10a": -1, "x9": 1}),
    ("k8", _r("x10"), _r("x11"), _ZERO, "one", {"x10": -1, "x11": -1, "x12": 1}),
    ("km8", _r("x12"), _ONE, _ZERO, "one", {"x12": -1, "x10": 1, "x11": 1}),
    # lipids
    ("k9basal", _r("x14"), _ONE, _ZERO, "one", {"x14": -1, "x13": 1}),
    ("k9_stimulated", _r("x12"), _r("x14"), _ZERO, "one", {"x14": -1, "x13": 1}),
    ("k10", _r("x15"), _ONE, _ZERO, "one", {"x15": -1, "x13": 1}),
    ("km9_pten", _r("x13"), _ONE, _ZERO, "one", {"x13": -1, "x14": 1}),
    ("km10_ship", _r("x13"), _ONE, _ZERO, "one", {"x13": -1, "x15": 1}),
    ("km11", _r("x17"), _ONE, _ZERO, "one", {"x17": -1, "x16": 1}),
    ("km12", _r("x19"), _ONE, _ZERO, "one", {"x19": -1, "x18": 1}),
    # eNOS and NO
    ("k13", _r("x17"), _r("x20"), _r("x20"), "kmi13", {"x20": -1, "x21": 1}),
    ("km13", _r("x21"), _ONE, _ZERO, "one", {"x21": -1, "x20": 1}),
    ("k14_arg", _r("x21"), _ONE, _ZERO, "one", {"x22": 1}),
    ("k15", _r("x22"), _ONE, _ZERO, "one", {"x22": -1}),
    # Shc, Ras, Raf
    ("k16_irp", _r("x23"), _r("x4"), _ZERO, "one", {"x23": -1, "x24": 1}),
    ("k16_irp", _r("x23"), _r("x5"), _ZERO, "one", {"x23": -1, "x24": 1}),
    ("km16", _r("x24"), _ONE, _ZERO, "one", {"x24": -1, "x23": 1}),
    ("k18", _r("x24"), _r("x25"), _r("x25"), "kmi18", {"x25": -1, "x26": 1}),
    ("v17", _ONE, _r("x26"), _r("x26"), "kmi17", {"x26": -1, "x25": 1}),
    ("k20_ki", _RAF, _r("x27"), _r("x27"), "kmi20", {"x27": -1, "x28": 1}),
    ("k19_pp2a", _ONE, _r("x28"), _r("x28"), "kmi19", {"x28": -1, "x27": 1}),
    # MEK
    ("k22", _r("x28"), _r("x29"), _r("x29"), "kmi22", {"x29": -1, "x30": 1}),
    ("k21_pp2a", _ONE, _r("x30"), _r("x30"), "kmi21", {"x30": -1, "x29": 1}),
    ("k24", _r("x28"), _r("x30"), _r("x30"), "kmi24", {"x30": -1, "x31": 1}),
    ("k23_pp2a", _ONE, _r("x31"), _r("x31"), "kmi23", {"x31": -1, "x30": 1}),
    # MAPK
    ("k26", _r("x31"), _r("x32"), _r("x32"), "kmi26", {"x32": -1, "x33": 1}),
    ("k25_mkp1", _ONE, _r("x33"), _r("x33"), "kmi25", {"x33": -1, "x32": 1}),
    ("k28", _r("x31"), _r("x33"), _r("x33"), "kmi28", {"x33": -1, "x34": 1}),
    ("k27_mkp1", _ONE, _r("x34"), _r("x34"), "kmi27", {"x34": -1, "x33": 1}),
    # ET-1
    ("k29", _r("x33"), _ONE, _ZERO, "one", {"x35": 1}),
    ("k29", _r("x34"), _ONE, _ZERO, "one", {"x35": 1}),
    ("k30", _r("x35"), _ONE, _ZERO, "one", {"x35": -1}),
)

# Akt and PKC-zeta: k11 = k11_slope·d and k12 = k12_slope·d with d = x13 - 5e-8. The
# published mode expands k11·x16 = k11_slope·x13·x16 + k11_offset·x16 (no clip needed);
# the teaching mode uses the row D = max(x13 - 5e-8, 0).
_AKT_PUBLISHED: Final[tuple[tuple[str, int, int, int, str, dict[str, int]], ...]] = (
    ("k11_slope", _r("x13"), _r("x16"), _ZERO, "one", {"x16": -1, "x17": 1}),
    ("k11_offset", _r("x16"), _ONE, _ZERO, "one", {"x16": -1, "x17": 1}),
    ("k12_slope", _r("x13"), _r("x18"), _ZERO, "one", {"x18": -1, "x19": 1}),
    ("k12_offset", _r("x18"), _ONE, _ZERO, "one", {"x18": -1, "x19": 1}),
)
_AKT_TEACHING: Final[tuple[tuple[str, int, int, int, str, dict[str, int]], ...]] = (
    ("k11_slope", _D, _r("x16"), _ZERO, "one", {"x16": -1, "x17": 1}),
    ("k12_slope", _D, _r("x18"), _ZERO, "one", {"x18": -1, "x19": 1}),
)
_TABLES: Final = {False: _REACTIONS + _AKT_PUBLISHED, True: _REACTIONS + _AKT_TEACHING}


def _index(
    reactions: Sequence[tuple[str, int, int, int, str, dict[str, int]]],
) -> npt.NDArray[np.intp]:
    return np.array([[r[1] for r in reactions], [r[2] for r in reactions],
                     [r[3] for r in reactions]], dtype=np.intp)


def _stoichiometry(
    reactions: Sequence[tuple[str, int, int, int, str, dict[str, int]]],
) -> FloatArray:
    matrix = np.zeros((_N, len(reactions)))
    for k, reaction in enumerate(reactions):
        for label, s in reaction[5].items():
            matrix[_ROW[label], k] = s
    return matrix


def _rate_constants(p: MuniyappaParameters) -> dict[str, float]:
    """Every rate constant of the flux table, with the teaching factors applied."""
    kinase = p.receptor_kinase_factor  # 1 unless magnesium is set
    k7 = p.k7 * kinase / (1.0 + p.tnf_k7_coupling * (p.tnf - 1.0))
    return {
        "one": 1.0, "k1": p.k1, "km1": p.km1, "k3": p.k3 * kinase, "k2": p.k2, "km2": p.km2,
        "km3_ptp": p.km3 * p.ptp, "k4": p.k4, "km4": p.km4, "k4p": p.k4p, "km4p": p.km4p,
        "k6_ptp": p.k6 * p.ptp, "km5": p.km5, "k5_low": p.k5(0.0),
        "k5_step": p.k5(2.0 * _K5_THRESHOLD) - p.k5(0.0),
        "k7_irp": k7 / p.irp, "km7_ptp": p.km7 * p.ptp, "k7p": p.k7p * p.negfeed,
        "km7p": p.km7p, "k8": p.k8, "km8": p.km8, "k9basal": p.k9basal,
        "k9_stimulated": (p.k9stim - p.k9basal) / p.pi3k, "k10": p.k10,
        "km9_pten": p.km9 * p.pten, "km10_ship": p.km10 * p.ship,
        "k11_slope": 0.1 * p.km11 / _PIP3_SPAN, "km11": p.km11,
        "k11_offset": -0.1 * p.km11 / _PIP3_SPAN * _PIP3_BASAL,
        "k12_slope": 0.1 * p.km12 / _PIP3_SPAN, "km12": p.km12,
        "k12_offset": -0.1 * p.km12 / _PIP3_SPAN * _PIP3_BASAL,
        "k13": p.k13, "kmi13": p.kmi13, "km13": p.km13,
        "k14_arg": p.k14 * p.arg / (p.kmi14 + p.arg), "k15": p.k15,
        "k16_irp": p.k16 * kinase / p.irp, "km16": p.km16,
        "k18": p.k18, "kmi18": p.kmi18, "v17": p.v17, "kmi17": p.kmi17,
        "k20_ki": p.k20 * p.ki, "kmi20": p.kmi20, "k19_pp2a": p.k19 * p.pp2a, "kmi19": p.kmi19,
        "k22": p.k22, "kmi22": p.kmi22, "k21_pp2a": p.k21 * p.pp2a, "kmi21": p.kmi21,
        "k24": p.k24, "kmi24": p.kmi24, "k23_pp2a": p.k23 * p.pp2a, "kmi23": p.kmi23,
        "k26": p.k26, "kmi26": p.kmi26, "k25_mkp1": p.k25 * p.mkp1, "kmi25": p.kmi25,
        "k28": p.k28, "kmi28": p.kmi28, "k27_mkp1": p.k27 * p.mkp1, "kmi27": p.kmi27,
        "k29": p.k29, "k30": p.k30,
    }


class _VascularModel:
    """Right-hand side for m scenarios side by side, on preallocated arrays.

    ``z`` has the 35 states in rows 0 … 34 (shape (35, m)) followed by the rows
    ONE, ZERO, X1 (insulin), PKC (delayed feedback), D (``max(x13 − 5e-8, 0)``, teaching
    mode only), K5 (1 if x6 + x7 + x8 > 1e-13 M) and RAF (``x26/(Ki·(1 + (x17/Ki)^n2))``,
    the Raf drive with its Akt inhibition). Each flux is ``c·z[a]·z[b]/(K + z[e])`` and
    ``dy/dt = S @ flux``; when every scenario shares a rate constant, it is folded into S.
    """

    def __init__(self, parameters: Sequence[MuniyappaParameters], *, clip: bool) -> None:
        m = len(parameters)
        reactions = _TABLES[clip]
        rates = [_rate_constants(p) for p in parameters]
        c = np.array([[r[reaction[0]] for r in rates] for reaction in reactions])
        self.k = np.array([[r[reaction[4]] for r in rates] for reaction in reactions])
        self.index = _index(reactions)
        stoichiometry = _stoichiometry(reactions)
        self.shared = bool(np.all(c == c[:, :1]))
        if self.shared:  # fold the rate constants into the stoichiometry
            self.s = stoichiometry * c[:, 0]
            self.c = np.ones_like(c)
        else:
            self.s = stoichiometry
            self.c = c
        self.ki = np.array([p.ki for p in parameters])
        self.n2 = np.array([p.n2 for p in parameters])
        self.unit_n2 = bool(np.all(self.n2 == 1.0))
        self.clip = clip
        self.z = np.zeros((_NZ, m))
        self.z[_ONE] = 1.0
        self._taken = np.empty((3, len(reactions), m))
        self._flux = np.empty((len(reactions), m))
        self._den = np.empty((len(reactions), m))
        self._tmp = np.empty(m)
        self._intracellular = np.zeros(_ONE + 1)
        self._intracellular[[_r("x6"), _r("x7"), _r("x8")]] = 1.0
        self._intracellular[_ONE] = -_K5_THRESHOLD

    def __call__(self, out: FloatArray) -> None:
        """Write dy/dt [unit of each state per min] for the states in ``z[:35]`` to ``out``.

        The rows X1 and PKC of ``z`` must hold the inputs at the stage time.
        """
        z, tmp = self.z, self._tmp
        if self.clip:
            np.subtract(z[_X13], _PIP3_BASAL, out=z[_D])
            np.maximum(z[_D], 0.0, out=z[_D])
        np.matmul(self._intracellular, z[: _ONE + 1], out=tmp)  # x6 + x7 + x8 - 1e-13
        np.heaviside(tmp, 0.0, out=z[_K5])
        if self.unit_n2:
            np.add(z[_X17], self.ki, out=tmp)
        else:
            np.divide(z[_X17], self.ki, out=tmp)
            np.power(tmp, self.n2, out=tmp)
            tmp += 1.0
            tmp *= self.ki
        np.divide(z[_X26], tmp, out=z[_RAF])
        taken = self._taken
        z.take(self.index, axis=0, out=taken)
        flux, den = self._flux, self._den
        np.multiply(taken[0], taken[1], out=flux)
        np.add(taken[2], self.k, out=den)
        flux /= den
        if not self.shared:
            flux *= self.c
        np.matmul(self.s, flux, out=out)


def _pkc_feedback(x19: FloatArray, p: Sequence[MuniyappaParameters]) -> FloatArray:
    """PKC = Vmax·x^n/(x^n + kd^n) (+ c_V·(T − 1) if switched on) for x = delayed x19 [-]."""
    vmax = np.array([q.vmax for q in p])
    kd = np.array([q.kd for q in p])
    n = np.array([q.n for q in p])
    offset = np.array([q.tnf_serine_coupling * (q.tnf - 1.0) if q.tnf_serine else 0.0
                       for q in p])
    xn = x19**n
    result: FloatArray = vmax * xn / (xn + kd**n) + offset
    return result


def _delayed(history: FloatArray, positions: FloatArray) -> FloatArray:
    """Linear interpolation of the stored x19 history at step positions; 0 before t = 0."""
    below = np.floor(positions)
    fraction = positions - below
    low = below.astype(np.int64)
    high = np.minimum(low + 1, history.shape[0] - 1)
    columns = np.broadcast_to(np.arange(history.shape[1]), positions.shape)
    lower = np.where(low >= 0, history[np.maximum(low, 0), columns], 0.0)
    upper = np.where(low + 1 >= 0, history[np.maximum(high, 0), columns], 0.0)
    result: FloatArray = (1.0 - fraction) * lower + fraction * upper
    return result


@dataclass(frozen=True)
class _Run:
    states: FloatArray  # (35, m, samples)
    pkc_feedback: FloatArray  # (m, samples)
    pip3_min: FloatArray  # (m,)


def _integrate(
    parameters: Sequence[MuniyappaParameters],
    insulin: float,
    t_step: float,
    duration: float,
    times: FloatArray,
    dt: float,
    clip: bool,
) -> _Run:
    """Classical RK4 with fixed step ``dt`` for m scenarios at once (Muniyappa et al. 2020)."""
    n_steps, stride = steps_and_stride(duration, dt, times.size - 1, "duration")
    lag = np.array([p.tau / dt for p in parameters])  # delay in steps
    if np.any(lag < 1.0 - 1e-9):
        raise ValueError(f"tau = {min(p.tau for p in parameters):g} min must be at least one "
                         f"RK4 step, dt = {dt:g} min")
    lag = np.where(np.abs(lag - np.round(lag)) < 1e-9, np.round(lag), lag)
    block = max(1, min(int(np.floor(np.min(lag))), 1000))

    m = len(parameters)
    model = _VascularModel(parameters, clip=clip)
    z = model.z
    y0 = np.repeat(np.array(VASCULAR_INITIAL_STATE)[:, None], m, axis=1)
    history = np.empty((n_steps + 1, 2, m))  # x13 and x19 at every step
    tracked = np.array([_X13, _X19])
    history[0] = y0[tracked]
    switch = t_step - 1e-9 * dt  # a stage time equal to t_step (up to rounding) is "off"
    level = np.full(m, insulin)
    offsets = np.array([0.0, 0.5, 1.0])
    feedback = np.empty((3, block, m))
    insulin_on: list[bool] = []  # the input now in z[_X1], once set

    def derivative(y: FloatArray, n: int, stage: float, out: FloatArray) -> None:
        j = n % block
        if stage == 0.0:
            if j == 0:  # delayed PKC for the next block; needs the history up to step n only
                steps = np.arange(n, min(n + block, n_steps), dtype=float)
                positions = steps[None, :, None] + offsets[:, None, None] - lag[None, None, :]
                delayed = _delayed(history[: n + 1, 1], positions)
                feedback[:, : steps.size] = _pkc_feedback(delayed, parameters)
            z[:_N] = y  # later stages are written straight into z[:_N] by rk4
        on = n * dt + stage * dt < switch
        if insulin_on != [on]:
            insulin_on[:] = [on]
            z[_X1] = level if on else 0.0
        z[_PKC] = feedback[int(2 * stage), j]
        model(out)

    def after_step(n: int, y: FloatArray) -> None:
        y.take(tracked, axis=0, out=history[n + 1])

    out = rk4(derivative, y0, dt=dt, n_steps=n_steps, stride=stride,
              what="the vascular model", after_step=after_step, stage_buffer=z[:_N])
    pip3_min = np.min(history[:, 0], axis=0)
    sample_steps = np.arange(times.size, dtype=float) * stride
    pkc = _pkc_feedback(_delayed(history[:, 1], sample_steps[:, None] - lag[None, :]),
                        parameters)
    return _Run(states=out, pkc_feedback=pkc.T, pip3_min=pip3_min)


# ---------------------------------------------------------------------------
# Simulation
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VascularResult:
    """A simulated time course of the Muniyappa et al. (2020) vascular model.

    All species are concentrations [M], except PKC-ζ (x18, x19) in % of its total.

    Attributes
    ----------
    time : numpy.ndarray
        Time [min].
    insulin : numpy.ndarray
        Insulin input x1 at each time [M] (at the switching time itself, the value
        after the switch).
    receptor_unbound … receptor_internal_once_bound_phosphorylated : numpy.ndarray
        x2 … x8, the insulin receptor states of Sedaghat et al. (2002) [M].
    irs1, irs1_phosphorylated, irs1_serine_phosphorylated : numpy.ndarray
        x9, x10 (tyrosine) and x10a (serine, by the PKC-ζ feedback) IRS-1 [M].
    pi3k, irs1_pi3k : numpy.ndarray
        x11 free PI3K and x12 the IRS-1(pY)–PI3K complex [M].
    pip3, pip2, pi34p2 : numpy.ndarray
        x13 PI(3,4,5)P3, x14 PI(4,5)P2, x15 PI(3,4)P2 [M].
    akt_inactive, akt : numpy.ndarray
        x16 inactive and x17 active Akt [M].
    pkc_inactive, pkc : numpy.ndarray
        x18 inactive and x19 active PKC-ζ [% of PKC-ζ].
    enos_inactive, enos_active : numpy.ndarray
        x20 inactive and x21 phosphorylated (active) eNOS [M].
    no : numpy.ndarray
        x22 nitric oxide [M].
    shc, shc_phosphorylated : numpy.ndarray
        x23, x24 Shc [M].
    ras_gdp, ras_gtp, raf_inactive, raf : numpy.ndarray
        x25 … x28 Ras (inactive, active) and Raf (inactive, active) [M].
    mek, mek_p, mek_pp, mapk, mapk_p, mapk_pp : numpy.ndarray
        x29 … x34 MEK and MAPK (ERK) with 0, 1 and 2 phosphates [M].
    et1 : numpy.ndarray
        x35 endothelin-1 [M].
    pkc_feedback : numpy.ndarray
        Delayed feedback ``PKC = Vmax·x19(t − τ)^n/(x19(t − τ)^n + kd^n)`` (plus the
        TNF-α term if switched on) [dimensionless multiplier of k7p].
    insulin_level : float
        Height of the insulin step [M].
    step_duration : float
        Time insulin was on [min].
    mode : {"published", "teaching"}
        ``"teaching"`` clips PIP3 below basal in k11 and k12 [TEACHING ASSUMPTION].
    dt : float
        RK4 step [min].
    pip3_below_basal : bool
        Whether PIP3 fell below its basal 5e-8 M (by more than 1e-15 M). In teaching
        mode the clip was then active; in published mode k11 and k12 were negative.
    receptor_kinase_factor : float
        Multiplier applied to k7, k16 and k3 [dimensionless]; 1 unless Mg was set.
    teaching_assumptions : tuple of str
        Every teaching assumption that was switched on; empty for the published model.
    parameters : MuniyappaParameters
        Parameters used.
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
    irs1_serine_phosphorylated: FloatArray
    pi3k: FloatArray
    irs1_pi3k: FloatArray
    pip3: FloatArray
    pip2: FloatArray
    pi34p2: FloatArray
    akt_inactive: FloatArray
    akt: FloatArray
    pkc_inactive: FloatArray
    pkc: FloatArray
    enos_inactive: FloatArray
    enos_active: FloatArray
    no: FloatArray
    shc: FloatArray
    shc_phosphorylated: FloatArray
    ras_gdp: FloatArray
    ras_gtp: FloatArray
    raf_inactive: FloatArray
    raf: FloatArray
    mek: FloatArray
    mek_p: FloatArray
    mek_pp: FloatArray
    mapk: FloatArray
    mapk_p: FloatArray
    mapk_pp: FloatArray
    et1: FloatArray
    pkc_feedback: FloatArray
    insulin_level: float
    step_duration: float
    mode: str
    dt: float
    pip3_below_basal: bool
    receptor_kinase_factor: float
    teaching_assumptions: tuple[str, ...]
    parameters: MuniyappaParameters = field(repr=False)

    @property
    def mapk_activity(self) -> FloatArray:
        """Active MAPK, ``x33 + x34`` [M]."""
        return self.mapk_p + self.mapk_pp

    @property
    def vascular_effect(self) -> FloatArray:
        """Net vasodilator signal, ``100·(0.6·x22 − 66.667·0.4·x35)/3.95e-7`` [%].

        Positive values mean NO outweighs ET-1. Not the GLUT4 "effect" of Sedaghat 2002.
        """
        return _vascular_effect(self.no, self.et1)

    @property
    def tone(self) -> FloatArray:
        """Vascular tone, ``100 − vascular_effect`` [%]."""
        return 100.0 - self.vascular_effect

    def state(self, label: str) -> FloatArray:
        """State by the paper's label: ``"x1"`` (insulin input, M) to ``"x35"``, or ``"x10a"``."""
        if label == "x1":
            return self.insulin
        if label not in _ROW:
            raise ValueError(f"label = {label!r} is not a state; valid labels are x1 … x35 "
                             "and x10a")
        values: FloatArray = getattr(self, VASCULAR_STATE_NAMES[_ROW[label]])
        return values

    def as_array(self) -> FloatArray:
        """The 35 states as one array of shape (35, len(time)) [mixed units]."""
        return np.vstack([getattr(self, name) for name in VASCULAR_STATE_NAMES])


def _vascular_effect(no: FloatOrArray, et1: FloatOrArray) -> FloatArray:
    """Net vasodilator signal of NO and ET-1 [%] [PUBLISHED]; used by :class:`VascularResult`."""
    effect: FloatArray = 100.0 * (_NO_WEIGHT * np.asarray(no)
                                  - _ET1_POTENCY * _ET1_WEIGHT * np.asarray(et1)) / _EFFECT_SCALE
    return effect


def _mode_assumption(mode: str) -> tuple[str, ...]:
    if mode == "teaching":
        return ("teaching mode: k11 and k12 use max(x13 - 5e-8 M, 0), so PIP3 below its basal "
                "level cannot drive Akt or PKC-zeta below zero (not in Muniyappa 2020)",)
    return ()


def simulate_vascular_scenarios(
    scenarios: Mapping[str, MuniyappaParameters],
    insulin: float = 1e-7,
    *,
    step_duration: float = 15.0,
    duration: float = 60.0,
    mode: Mode = "published",
    dt: float = 0.001,
    sample_interval: float = 0.1,
) -> dict[str, VascularResult]:
    """Simulate several parameter sets side by side in one vectorised RK4 sweep.

    Parameters
    ----------
    scenarios : mapping of str to MuniyappaParameters
        Named parameter sets (at least one).
    insulin, step_duration, duration, mode, dt, sample_interval
        As in :func:`simulate_vascular`.

    Returns
    -------
    dict of str to VascularResult
        One result per scenario, in the order given.

    Raises
    ------
    ValueError
        If an argument is out of range or not one of the listed choices.

    Warns
    -----
    MgcourseWarning
        In teaching mode, once per scenario in which the PIP3 clip became active.

    Notes
    -----
    The scenarios share the insulin protocol and the step size; every state of every
    scenario is advanced with the same classical RK4 scheme as in
    :func:`simulate_vascular` [1]_, so each result equals the one of a separate run
    up to rounding. Running them together costs little more than one run.

    References
    ----------
    .. [1] Muniyappa R, Chen H, Montagnani M, Sherman A, Quon MJ. Am J Physiol
       Endocrinol Metab 2020;319(3):E629-E646. doi:10.1152/ajpendo.00247.2020

    Examples
    --------
    >>> runs = simulate_vascular_scenarios(
    ...     {"normal": MuniyappaParameters(), "resistant": insulin_resistant()},
    ...     duration=5.0, sample_interval=5.0)
    >>> bool(runs["resistant"].no[-1] < runs["normal"].no[-1])
    True
    """
    return _run_scenarios(scenarios, insulin, step_duration, duration, mode, dt,
                          sample_interval)


def _run_scenarios(
    scenarios: Mapping[str, MuniyappaParameters],
    insulin: float,
    step_duration: float,
    duration: float,
    mode: str,
    dt: float,
    sample_interval: float,
    *,
    named: bool = True,
) -> dict[str, VascularResult]:
    """Check the arguments, integrate and build the results (two calls below the user)."""
    if not scenarios:
        raise ValueError("scenarios must name at least one MuniyappaParameters")
    for name, p in scenarios.items():
        if not isinstance(p, MuniyappaParameters):
            raise ValueError(f"scenarios[{name!r}] must be a MuniyappaParameters, got "
                             f"{type(p).__name__}")
    check_range("duration", duration, "min", high=1440.0)
    check_range("sample_interval", sample_interval, "min", high=duration)
    check_choice("mode", mode, ("published", "teaching"))
    check_range("dt", dt, "min", high=0.001)
    if np.ndim(insulin) != 0:
        raise ValueError("insulin must be a single number [M]")
    level = float(check_range("insulin", insulin, "M", low=0.0, high=1e-4, low_inclusive=True))
    t_step = float(check_range("step_duration", step_duration, "min", low=0.0, high=1440.0,
                               low_inclusive=True))
    samples = float(duration) / float(sample_interval)
    if abs(samples - round(samples)) > 1e-9 * max(samples, 1.0):
        raise ValueError(f"sample_interval = {sample_interval:g} min must divide duration = "
                         f"{duration:g} min into a whole number of samples")
    names = list(scenarios)
    sets = [scenarios[name] for name in names]
    times = _time_grid(float(duration), float(sample_interval))
    run = _integrate(sets, level, t_step, float(duration), times, float(dt),
                     clip=mode == "teaching")
    insulin_trace = np.where(times < t_step - 1e-9 * dt, level, 0.0)
    results = {}
    for j, (name, p) in enumerate(zip(names, sets, strict=True)):
        pip3_min = float(run.pip3_min[j])
        below = pip3_min < _PIP3_BASAL - _CLIP_TOLERANCE
        if below and mode == "teaching":
            where = f" ({name})" if named else ""
            warnings.warn(
                f"teaching mode{where}: PIP3 fell to {pip3_min:.4g} M, below its basal "
                "5e-8 M; the clip max(x13 - 5e-8, 0) in k11 and k12 was active (a "
                "modification of Muniyappa 2020)",
                MgcourseWarning,
                stacklevel=3,
            )
        y = run.states[:, j, :]
        results[name] = VascularResult(
            time=times,
            insulin=insulin_trace,
            **{state: y[i] for i, state in enumerate(VASCULAR_STATE_NAMES)},
            pkc_feedback=run.pkc_feedback[j],
            insulin_level=level,
            step_duration=min(t_step, float(duration)),
            mode=mode,
            dt=float(dt),
            pip3_below_basal=bool(below),
            receptor_kinase_factor=p.receptor_kinase_factor,
            teaching_assumptions=_mode_assumption(mode) + p.teaching_assumptions,
            parameters=p,
        )
    return results


def simulate_vascular(
    insulin: float = 1e-7,
    *,
    step_duration: float = 15.0,
    duration: float = 60.0,
    parameters: MuniyappaParameters | None = None,
    mode: Mode = "published",
    dt: float = 0.001,
    sample_interval: float = 0.1,
) -> VascularResult:
    """Simulate the Muniyappa et al. (2020) model of insulin action on the endothelium.

    Parameters
    ----------
    insulin : float
        Height of the insulin step x1 [M]; in [0, 1e-4]. 1e-7 M is 100 nM.
    step_duration : float
        Time insulin stays on [min]; in [0, 1440]. A value ≥ ``duration`` holds it.
    duration : float
        Simulated time [min]; in (0, 1440].
    parameters : MuniyappaParameters, optional
        Defaults to the published set; see :func:`insulin_resistant` and the teaching
        fields ``magnesium`` and ``tnf``.
    mode : {"published", "teaching"}
        ``"published"`` (default) keeps the original, unclipped k11 and k12, which turn
        negative when PIP3 falls below 5e-8 M. ``"teaching"`` uses
        ``max(x13 − 5e-8, 0)`` instead and warns whenever the clip acts
        [TEACHING ASSUMPTION].
    dt : float
        RK4 step [min]; in (0, 0.001] (k3 = 2500 min⁻¹ needs k3·dt ≲ 2.8).
    sample_interval : float
        Spacing of the returned samples [min]; a multiple of ``dt``.

    Returns
    -------
    VascularResult
        All 35 states against time, with ``no``, ``et1``, ``mapk_activity``, ``akt``,
        ``enos_active``, ``vascular_effect`` [%] and ``tone`` [%].

    Raises
    ------
    ValueError
        If an argument is out of range or not one of the listed choices.

    Warns
    -----
    MgcourseWarning
        In teaching mode, when PIP3 falls below 5e-8 M and the clip becomes active.

    Notes
    -----
    The receptor block is that of Sedaghat et al. (2002) [2]_. Downstream [1]_, with
    the delayed feedback ``PKC = Vmax·x19(t − τ)^n/(x19(t − τ)^n + kd^n)``::

        dx9/dt   = km7·PTP·x10 − k7·x9·(x4+x5)/IRp + km7p·x10a − k7p·PKC·x9
        dx10a/dt = k7p·PKC·x9 − km7p·x10a
        k9       = (k9stim − k9basal)·x12/PI3K + k9basal
        k11      = 0.1·km11·(x13 − 5e-8)/(5e-7 − 5e-8)     (k12 alike)
        dx21/dt  = k13·x17·x20/(kMI13 + x20) − km13·x21
        dx22/dt  = k14·x21·ARG/(kMI14 + ARG) − k15·x22
        dx28/dt  = k20·x26·x27/((kMI20 + x27)(1 + (x17/Ki)^n2)) − k19·PP2A·x28/(kMI19 + x28)
        dx35/dt  = k29·(x33 + x34) − k30·x35

    and Michaelis–Menten steps for Ras, MEK and MAPK. The outputs are::

        vascular effect = 100·(0.6·x22 − 66.667·0.4·x35)/3.95e-7   [%]
        tone            = 100 − vascular effect                    [%]

    As in the original runs, the model starts from the published initial values
    without pre-equilibration (the Ras/Raf block relaxes during the first minutes),
    insulin ``x1 = insulin`` for ``0 ≤ t < step_duration``, and is integrated with
    classical fixed-step RK4 (dt = 0.001 min), the input evaluated at the stage times
    ``t``, ``t + dt/2`` and ``t + dt``. The delayed x19 is 0 for t < τ; x19 is stored
    at every step and interpolated linearly between steps.

    In the published mode, PIP3 below 5e-8 M (for example with PTEN raised) makes k11
    and k12 negative, so Akt, PKC-ζ, eNOS and NO go negative; because n = 4 is even,
    a negative x19 still switches the PKC feedback on. The teaching mode avoids both.

    References
    ----------
    .. [1] Muniyappa R, Chen H, Montagnani M, Sherman A, Quon MJ. Endothelial
       dysfunction due to selective insulin resistance in vascular endothelium:
       insights from mechanistic modeling. Am J Physiol Endocrinol Metab
       2020;319(3):E629-E646. doi:10.1152/ajpendo.00247.2020
    .. [2] Sedaghat AR, Sherman A, Quon MJ. Am J Physiol Endocrinol Metab
       2002;283(5):E1084-E1101. doi:10.1152/ajpendo.00571.2001

    Examples
    --------
    >>> result = simulate_vascular(duration=15.0, sample_interval=15.0)
    >>> bool(result.no[-1] > 0.0), bool(result.vascular_effect[-1] > 0.0)
    (True, True)
    """
    p = parameters or MuniyappaParameters()
    runs = _run_scenarios({"vascular model": p}, insulin, step_duration, duration, mode, dt,
                          sample_interval, named=False)
    return runs["vascular model"]


@functools.lru_cache(maxsize=32)
def _reference_tone(read_at: float, insulin: float, step_duration: float, dt: float) -> float:
    result = simulate_vascular(insulin, step_duration=step_duration, duration=read_at, dt=dt,
                               sample_interval=read_at)
    return float(result.tone[-1])


def reference_tone(
    read_at: float = 15.0, *, insulin: float = 1e-7, step_duration: float = 15.0,
    dt: float = 0.001,
) -> float:
    """Vascular tone of the published (normal) model at a read-out time [%].

    Parameters
    ----------
    read_at : float
        Read-out time after insulin was added [min]; in (0, 1440]; a multiple of dt.
        The default, 15 min, is the end of the standard insulin step, while both
        branches are active (a course choice). By 60 min NO has decayed and the tone
        mostly reflects the ET-1 that remains.
    insulin : float
        Height of the insulin step [M]; in [0, 1e-4].
    step_duration : float
        Time insulin stays on [min]; in [0, 1440].
    dt : float
        RK4 step [min]; in (0, 0.001].

    Returns
    -------
    float
        ``tone_ref`` for :func:`blood_pressure` [%].

    Notes
    -----
    ``tone = 100 − 100·(0.6·x22 − 66.667·0.4·x35)/3.95e-7`` read at ``read_at`` in the
    published model [1]_ with default parameters. Compare a scenario's tone with the
    reference read with the same protocol and at the same time. Results are cached.

    References
    ----------
    .. [1] Muniyappa R, Chen H, Montagnani M, Sherman A, Quon MJ. Am J Physiol
       Endocrinol Metab 2020;319(3):E629-E646. doi:10.1152/ajpendo.00247.2020

    Examples
    --------
    >>> bool(reference_tone(15.0) < 100.0)
    True
    """
    check_range("read_at", read_at, "min", high=1440.0)
    check_range("insulin", insulin, "M", low=0.0, high=1e-4, low_inclusive=True)
    check_range("step_duration", step_duration, "min", low=0.0, high=1440.0, low_inclusive=True)
    check_range("dt", dt, "min", high=0.001)
    return _reference_tone(float(read_at), float(insulin), float(step_duration), float(dt))


# ---------------------------------------------------------------------------
# Blood pressure [TEACHING MODEL, textbook haemodynamics]
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BloodPressureParameters:
    """Textbook haemodynamics linking vascular tone to blood pressure [TEACHING MODEL].

    ``MAP = CO·TPR`` and Poiseuille's law (resistance ∝ radius⁻⁴) are textbook
    physiology (e.g. Klabunde RE. Cardiovascular Physiology Concepts, 3rd ed. Wolters
    Kluwer 2021, ISBN 978-1-9751-5006-4). The link from the vascular model's tone to
    radius (``kappa_r``) and the magnesium factor on resistance (``b_v``) are invented
    for the course [TEACHING ASSUMPTION]; they are not part of Muniyappa et al. 2020
    (doi:10.1152/ajpendo.00247.2020).
    """

    cardiac_output: float = 5.0  # cardiac output, CO [L/min]
    map_ref: float = 93.0  # reference mean arterial pressure [mmHg]
    kappa_r: float = 0.05  # relative radius change per 100 % of tone [-]
    b_v: float = 0.1  # relative resistance change per relative drop in serum Mg [-]
    pulse_pressure: float = 40.0  # pulse pressure, held fixed, PP [mmHg]
    serum_mg_ref: float = 0.85  # reference total serum Mg, Mg_s,ref [mmol/L]
    radius_ratio_min: float = 0.7  # lower clip of r/r_ref [-]
    radius_ratio_max: float = 1.3  # upper clip of r/r_ref [-]
    mg_factor_floor: float = 0.5  # lower bound of m_Mg [-]

    def __post_init__(self) -> None:
        check_range("cardiac_output", self.cardiac_output, "L/min", high=40.0)
        check_range("map_ref", self.map_ref, "mmHg", high=300.0)
        check_range("kappa_r", self.kappa_r, "dimensionless", high=1.0, low_inclusive=True)
        check_range("b_v", self.b_v, "dimensionless", high=10.0, low_inclusive=True)
        check_range("pulse_pressure", self.pulse_pressure, "mmHg", high=200.0,
                    low_inclusive=True)
        check_range("serum_mg_ref", self.serum_mg_ref, "mmol/L", high=10.0)
        check_range("radius_ratio_min", self.radius_ratio_min, "dimensionless", high=1.0)
        check_range("radius_ratio_max", self.radius_ratio_max, "dimensionless", low=1.0,
                    high=10.0, low_inclusive=True)
        check_range("mg_factor_floor", self.mg_factor_floor, "dimensionless", high=1.0)

    @property
    def tpr_ref(self) -> float:
        """Reference total peripheral resistance, ``MAP_ref/CO`` [mmHg·min/L]."""
        return self.map_ref / self.cardiac_output


def mean_arterial_pressure(
    *, cardiac_output: FloatOrArray = 5.0, tpr: FloatOrArray = 18.6
) -> FloatOrArray:
    """Mean arterial pressure from cardiac output and peripheral resistance [mmHg].

    Parameters
    ----------
    cardiac_output : float or array-like
        Cardiac output, CO [L/min]; in (0, 40].
    tpr : float or array-like
        Total peripheral resistance [mmHg·min/L]; in (0, 200].

    Returns
    -------
    float or numpy.ndarray
        MAP [mmHg].

    Notes
    -----
    ``MAP = CO·TPR`` (the haemodynamic analogue of Ohm's law, venous pressure
    neglected) [1]_. This is textbook physiology, not part of Muniyappa et al. 2020.

    References
    ----------
    .. [1] Klabunde RE. Cardiovascular Physiology Concepts, 3rd ed. Wolters Kluwer
       2021. ISBN 978-1-9751-5006-4

    Examples
    --------
    >>> round(mean_arterial_pressure(cardiac_output=5.0, tpr=18.6), 6)
    93.0
    """
    co = check_range("cardiac_output", cardiac_output, "L/min", high=40.0)
    r = check_range("tpr", tpr, "mmHg·min/L", high=200.0)
    return scalar_or_array(np.asarray(co * r, dtype=float))


def pressure_change_from_resistance(
    resistance_ratio: FloatOrArray, *, map_ref: float = 93.0
) -> FloatOrArray:
    """Change of mean arterial pressure when resistance changes at fixed cardiac output [mmHg].

    Parameters
    ----------
    resistance_ratio : float or array-like
        New over old total peripheral resistance, TPR/TPR_ref [dimensionless]; in (0, 10].
    map_ref : float
        Mean arterial pressure before the change [mmHg]; in (0, 300].

    Returns
    -------
    float or numpy.ndarray
        ΔMAP [mmHg]; positive for a rise.

    Notes
    -----
    With ``MAP = CO·TPR`` and CO fixed, ``ΔMAP = MAP_ref·(TPR/TPR_ref − 1)`` [1]_.

    References
    ----------
    .. [1] Klabunde RE. Cardiovascular Physiology Concepts, 3rd ed. Wolters Kluwer
       2021. ISBN 978-1-9751-5006-4

    Examples
    --------
    >>> round(pressure_change_from_resistance(1.10), 6)
    9.3
    """
    ratio = check_range("resistance_ratio", resistance_ratio, "dimensionless", high=10.0)
    check_range("map_ref", map_ref, "mmHg", high=300.0)
    return scalar_or_array(np.asarray(map_ref * (ratio - 1.0), dtype=float))


def resistance_magnesium_factor(
    serum_mg: FloatOrArray, *, parameters: BloodPressureParameters | None = None
) -> FloatOrArray:
    """Factor of serum magnesium on peripheral resistance, m_Mg [TEACHING ASSUMPTION].

    Parameters
    ----------
    serum_mg : float or array-like
        Total serum Mg [mmol/L]; in [0, 10].
    parameters : BloodPressureParameters, optional
        Supplies ``b_v``, ``serum_mg_ref`` and the floor 0.5.

    Returns
    -------
    float or numpy.ndarray
        m_Mg [dimensionless]: 1 at the reference 0.85 mmol/L, 1.1 at 0 mmol/L.

    Warns
    -----
    MgcourseWarning
        When the floor is reached (only for serum Mg above 5.1 mmol/L with defaults).

    Notes
    -----
    Mg²⁺ acts as a physiological Ca²⁺ antagonist in vascular smooth muscle; the course
    represents this, without a fitted source, as::

        m_Mg = max(0.5, 1 + b_V·(Mg_s,ref − Mg_s)/Mg_s,ref)

    with the didactic ``b_V = 0.1`` [1]_.

    References
    ----------
    .. [1] Muniyappa R et al. Am J Physiol Endocrinol Metab 2020;319(3):E629-E646.
       doi:10.1152/ajpendo.00247.2020 (the vascular model this factor accompanies;
       the factor itself is not in the paper)

    Examples
    --------
    >>> resistance_magnesium_factor(0.85)
    1.0
    """
    q = parameters or BloodPressureParameters()
    mg = check_range("serum_mg", serum_mg, "mmol/L", low=0.0, high=10.0, low_inclusive=True)
    raw = 1.0 + q.b_v * (q.serum_mg_ref - mg) / q.serum_mg_ref
    if np.any(raw < q.mg_factor_floor):
        warnings.warn(
            f"m_Mg = {float(np.min(raw)):.4g} was raised to its floor {q.mg_factor_floor:g} "
            f"(serum Mg up to {float(np.max(mg)):g} mmol/L; teaching model)",
            MgcourseWarning,
            stacklevel=2,
        )
    return scalar_or_array(np.maximum(raw, q.mg_factor_floor))


@dataclass(frozen=True)
class BloodPressureResult:
    """Blood pressure from vascular tone [TEACHING MODEL].

    Attributes
    ----------
    tone : float or numpy.ndarray
        Vascular tone of the scenario [%].
    tone_ref : float
        Reference tone [%].
    radius_ratio : float or numpy.ndarray
        r/r_ref after clipping to [0.7, 1.3] [dimensionless].
    magnesium_factor : float or numpy.ndarray
        m_Mg [dimensionless].
    total_peripheral_resistance : float or numpy.ndarray
        TPR [mmHg·min/L].
    mean_arterial_pressure, systolic_pressure, diastolic_pressure : float or numpy.ndarray
        MAP, SBP and DBP [mmHg].
    radius_clipped : bool
        Whether r/r_ref was clipped.
    teaching_assumptions : tuple of str
        The assumptions this result rests on.
    """

    tone: FloatOrArray
    tone_ref: float
    radius_ratio: FloatOrArray
    magnesium_factor: FloatOrArray
    total_peripheral_resistance: FloatOrArray
    mean_arterial_pressure: FloatOrArray
    systolic_pressure: FloatOrArray
    diastolic_pressure: FloatOrArray
    radius_clipped: bool
    teaching_assumptions: tuple[str, ...]


_BP_ASSUMPTIONS: Final = (
    "blood pressure: the 60-min endothelial tone of the vascular model is mapped onto "
    "vessel radius, r/r_ref = 1 - kappa_r (tone - tone_ref)/100, a didactic bridge, not a "
    "validated link",
    "blood pressure: kappa_r, b_V and the serum-Mg factor m_Mg on resistance are invented "
    "for the course",
)


def blood_pressure(
    tone: FloatOrArray,
    *,
    tone_ref: float,
    serum_mg: FloatOrArray = 0.85,
    parameters: BloodPressureParameters | None = None,
) -> BloodPressureResult:
    """Blood pressure implied by a change of vascular tone [TEACHING MODEL].

    Parameters
    ----------
    tone : float or array-like
        Vascular tone from the vascular model [%]; in [-1e4, 1e4].
    tone_ref : float
        Tone of the reference condition, read with the same protocol and at the same
        time (see :func:`reference_tone`) [%]; in [-1e4, 1e4].
    serum_mg : float or array-like
        Total serum Mg [mmol/L]; in [0, 10].
    parameters : BloodPressureParameters, optional
        Defaults: CO 5.0 L/min, MAP_ref 93 mmHg, kappa_r 0.05, b_V 0.1, PP 40 mmHg.

    Returns
    -------
    BloodPressureResult
        Radius ratio, m_Mg, TPR [mmHg·min/L], MAP, SBP and DBP [mmHg].

    Warns
    -----
    MgcourseWarning
        When r/r_ref is clipped to [0.7, 1.3] or m_Mg to its floor.

    Notes
    -----
    ::

        r/r_ref = clip(1 − kappa_r·(tone − tone_ref)/100, 0.7, 1.3)
        TPR     = TPR_ref·(r_ref/r)^4·m_Mg(Mg_s)       (Poiseuille)
        MAP     = CO·TPR,   DBP = MAP − PP/3,   SBP = DBP + PP

    with ``TPR_ref = MAP_ref/CO = 18.6 mmHg·min/L``. The haemodynamics are textbook
    [1]_; the tone → radius link and m_Mg are teaching assumptions. The vascular model
    [2]_ describes an acute (60-min) endothelial response, so mapping its tone onto
    chronic blood pressure is a didactic bridge, not a validated link.

    References
    ----------
    .. [1] Klabunde RE. Cardiovascular Physiology Concepts, 3rd ed. Wolters Kluwer
       2021. ISBN 978-1-9751-5006-4
    .. [2] Muniyappa R, Chen H, Montagnani M, Sherman A, Quon MJ. Am J Physiol
       Endocrinol Metab 2020;319(3):E629-E646. doi:10.1152/ajpendo.00247.2020

    Examples
    --------
    >>> bp = blood_pressure(100.0, tone_ref=100.0)
    >>> round(bp.mean_arterial_pressure, 6), round(bp.systolic_pressure, 6)
    (93.0, 119.666667)
    """
    q = parameters or BloodPressureParameters()
    t = check_range("tone", tone, "%", low=-1e4, high=1e4, low_inclusive=True)
    check_range("tone_ref", tone_ref, "%", low=-1e4, high=1e4, low_inclusive=True)
    raw = 1.0 - q.kappa_r * (t - float(tone_ref)) / 100.0
    clipped = bool(np.any((raw < q.radius_ratio_min) | (raw > q.radius_ratio_max)))
    if clipped:
        outside = raw[(raw < q.radius_ratio_min) | (raw > q.radius_ratio_max)]
        warnings.warn(
            f"r/r_ref = {float(outside.flat[0]):.4g} was clipped to [{q.radius_ratio_min:g}, "
            f"{q.radius_ratio_max:g}] (tone - tone_ref too large for the teaching model)",
            MgcourseWarning,
            stacklevel=2,
        )
    radius = np.clip(raw, q.radius_ratio_min, q.radius_ratio_max)
    factor = np.asarray(resistance_magnesium_factor(serum_mg, parameters=q))
    tpr = q.tpr_ref * radius**-4 * factor
    map_ = q.cardiac_output * tpr
    dbp = map_ - q.pulse_pressure / 3.0
    sbp = dbp + q.pulse_pressure
    return BloodPressureResult(
        tone=scalar_or_array(t),
        tone_ref=float(tone_ref),
        radius_ratio=scalar_or_array(np.asarray(radius)),
        magnesium_factor=scalar_or_array(factor),
        total_peripheral_resistance=scalar_or_array(np.asarray(tpr)),
        mean_arterial_pressure=scalar_or_array(np.asarray(map_)),
        systolic_pressure=scalar_or_array(np.asarray(sbp)),
        diastolic_pressure=scalar_or_array(np.asarray(dbp)),
        radius_clipped=clipped,
        teaching_assumptions=_BP_ASSUMPTIONS,
    )
