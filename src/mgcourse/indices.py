"""Surrogate indices of insulin resistance and β-cell function.

All concentration arguments default to SI units (glucose and triglycerides in
mmol/L) with insulin in µU/mL (numerically equal to mU/L); each takes a
``*_unit=`` keyword for the other unit. Scalars and numpy arrays are accepted.
Each index uses its own published constant in its own unit form (HOMA uses
22.5 with mmol/L and 405 with mg/dL), so the two unit forms of one index agree
to the rounding of those constants (about 0.09 %).

References
----------
.. [1] Matthews DR et al. Homeostasis model assessment: insulin resistance and
   β-cell function from fasting plasma glucose and insulin concentrations in
   man. Diabetologia 1985;28(7):412-419. doi:10.1007/BF00280883
.. [2] Katz A et al. Quantitative insulin sensitivity check index. J Clin
   Endocrinol Metab 2000;85(7):2402-2410. doi:10.1210/jcem.85.7.6661
.. [3] Simental-Mendía LE et al. The product of fasting glucose and
   triglycerides as surrogate for identifying insulin resistance. Metab Syndr
   Relat Disord 2008;6(4):299-304. doi:10.1089/met.2008.0034
.. [4] McAuley KA et al. Diagnosing insulin resistance in the general
   population. Diabetes Care 2001;24(3):460-464. doi:10.2337/diacare.24.3.460
.. [5] Matsuda M, DeFronzo RA. Insulin sensitivity indices obtained from oral
   glucose tolerance testing. Diabetes Care 1999;22(9):1462-1470.
   doi:10.2337/diacare.22.9.1462
.. [6] Ascaso JF et al. Diagnosing insulin resistance by simple quantitative
   methods in subjects with normal glucose metabolism. Diabetes Care
   2003;26(12):3320-3325. doi:10.2337/diacare.26.12.3320
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

from mgcourse._validation import FloatOrArray, check_choice, check_range, scalar_or_array
from mgcourse.units import (
    INSULIN_PMOL_PER_UU,
    convert_glucose,
    convert_insulin,
    convert_triglycerides,
    normalise_unit,
)

__all__ = [
    "CUTOFFS",
    "Cutoff",
    "homa_beta",
    "homa_ir",
    "is_insulin_resistant",
    "matsuda_index",
    "mcauley_index",
    "quicki",
    "tyg_index",
]

_GLUCOSE_UNITS: Final = ("mmol/L", "mg/dL")


@dataclass(frozen=True)
class Cutoff:
    """A conventional cut-off of an index, with the side that suggests insulin resistance.

    Attributes
    ----------
    value : float
        The cut-off [unit of the index].
    resistant_when : {"above", "below"}
        Insulin resistance is suggested when the index lies on this side.
    source : str
        Where the cut-off comes from.
    """

    value: float
    resistant_when: Literal["above", "below"]
    source: str

    def __post_init__(self) -> None:
        check_range("value", self.value, "dimensionless")
        check_choice("resistant_when", self.resistant_when, ("above", "below"))


#: Common cut-offs (population- and assay-dependent conventions, not diagnoses).
CUTOFFS: Final[dict[str, Cutoff]] = {
    "homa_ir": Cutoff(2.5, "above", "widely used convention; 2.6 is the 75th percentile in Ascaso 2003"),
    "quicki": Cutoff(0.33, "below", "Ascaso 2003"),
    "mcauley": Cutoff(5.8, "below", "McAuley 2001; Ascaso 2003"),
    "matsuda": Cutoff(2.5, "below", "commonly used with the Matsuda & DeFronzo 1999 index"),
}


def _glucose_mmol(glucose: object, unit: str) -> npt.NDArray[np.float64]:
    canonical = check_choice("glucose_unit", normalise_unit(unit), _GLUCOSE_UNITS)
    arr = check_range("glucose", glucose, canonical)
    return arr if canonical == "mmol/L" else arr / 18.0


def _glucose_mgdl(glucose: object, unit: str) -> npt.NDArray[np.float64]:
    canonical = check_choice("glucose_unit", normalise_unit(unit), _GLUCOSE_UNITS)
    arr = check_range("glucose", glucose, canonical)
    return np.asarray(convert_glucose(arr, canonical, "mg/dL"), dtype=float)


def _insulin_uu(insulin: object, unit: str, factor: float) -> npt.NDArray[np.float64]:
    canonical = check_choice("insulin_unit", normalise_unit(unit), ("µU/mL", "pmol/L"))
    arr = check_range("insulin", insulin, canonical)
    check_range("insulin_factor", factor, "pmol/L per µU/mL", low=5.0, high=8.0, low_inclusive=True)
    return np.asarray(convert_insulin(arr, canonical, "µU/mL", factor=factor), dtype=float)


def homa_ir(
    glucose: FloatOrArray,
    insulin: FloatOrArray,
    *,
    glucose_unit: str = "mmol/L",
    insulin_unit: str = "µU/mL",
    insulin_factor: float = INSULIN_PMOL_PER_UU,
) -> FloatOrArray:
    """HOMA1 insulin resistance from fasting glucose and insulin.

    Parameters
    ----------
    glucose : float or array-like
        Fasting plasma glucose [mmol/L, or ``glucose_unit``]; > 0.
    insulin : float or array-like
        Fasting plasma insulin [µU/mL, or ``insulin_unit``]; > 0.
    glucose_unit : {"mmol/L", "mg/dL"}
        Unit of ``glucose``.
    insulin_unit : {"µU/mL", "pmol/L"}
        Unit of ``insulin``.
    insulin_factor : float, default 6.00
        pmol/L per µU/mL, used only when ``insulin_unit`` is pmol/L.

    Returns
    -------
    float or numpy.ndarray
        HOMA1-IR [dimensionless]; 1 for the model's normal young adult.

    Notes
    -----
    ``HOMA1-IR = G0[mmol/L] · I0 / 22.5 = G0[mg/dL] · I0 / 405`` [1]_. This is the
    1985 linear approximation, not the HOMA2 computer model.

    References
    ----------
    .. [1] Matthews DR et al. Diabetologia 1985;28(7):412-419. doi:10.1007/BF00280883

    Examples
    --------
    >>> homa_ir(4.5, 5.0)
    1.0
    >>> homa_ir(90.0, 9.0, glucose_unit="mg/dL")
    2.0
    """
    canonical = check_choice("glucose_unit", normalise_unit(glucose_unit), _GLUCOSE_UNITS)
    g = check_range("glucose", glucose, canonical)
    i = _insulin_uu(insulin, insulin_unit, insulin_factor)
    constant = 22.5 if canonical == "mmol/L" else 405.0
    return scalar_or_array(g * i / constant)


def homa_beta(
    glucose: FloatOrArray,
    insulin: FloatOrArray,
    *,
    glucose_unit: str = "mmol/L",
    insulin_unit: str = "µU/mL",
    insulin_factor: float = INSULIN_PMOL_PER_UU,
) -> FloatOrArray:
    """HOMA1 β-cell function (%B) from fasting glucose and insulin.

    Parameters
    ----------
    glucose : float or array-like
        Fasting plasma glucose [mmol/L, or ``glucose_unit``]; must exceed
        3.5 mmol/L (63 mg/dL), below which the formula is undefined.
    insulin : float or array-like
        Fasting plasma insulin [µU/mL, or ``insulin_unit``]; > 0.
    glucose_unit, insulin_unit, insulin_factor
        As in :func:`homa_ir`.

    Returns
    -------
    float or numpy.ndarray
        HOMA1-%B [%]; 100 for the model's normal young adult.

    Notes
    -----
    ``HOMA1-%B = 20 · I0 / (G0[mmol/L] − 3.5) = 360 · I0 / (G0[mg/dL] − 63)`` [1]_.

    References
    ----------
    .. [1] Matthews DR et al. Diabetologia 1985;28(7):412-419. doi:10.1007/BF00280883

    Examples
    --------
    >>> homa_beta(4.5, 5.0)
    100.0
    """
    canonical = check_choice("glucose_unit", normalise_unit(glucose_unit), _GLUCOSE_UNITS)
    threshold = 3.5 if canonical == "mmol/L" else 63.0
    g = check_range("glucose", glucose, canonical, low=threshold)
    i = _insulin_uu(insulin, insulin_unit, insulin_factor)
    numerator = 20.0 if canonical == "mmol/L" else 360.0
    return scalar_or_array(numerator * i / (g - threshold))


def quicki(
    glucose: FloatOrArray,
    insulin: FloatOrArray,
    *,
    glucose_unit: str = "mmol/L",
    insulin_unit: str = "µU/mL",
    insulin_factor: float = INSULIN_PMOL_PER_UU,
) -> FloatOrArray:
    """Quantitative insulin sensitivity check index.

    Parameters
    ----------
    glucose : float or array-like
        Fasting plasma glucose [mmol/L, or ``glucose_unit``]; > 0. mmol/L input
        is converted to mg/dL with 18.016 mg/dL per mmol/L.
    insulin : float or array-like
        Fasting plasma insulin [µU/mL, or ``insulin_unit``]; > 0.
    glucose_unit, insulin_unit, insulin_factor
        As in :func:`homa_ir`.

    Returns
    -------
    float or numpy.ndarray
        QUICKI [dimensionless]; lower means more insulin resistant.

    Notes
    -----
    ``QUICKI = 1 / (log10 I0 + log10 G0[mg/dL])`` [1]_, with decimal logarithms.
    The product ``G0[mg/dL] · I0`` must exceed 1. Because
    ``QUICKI = 1 / log10(405 · HOMA1-IR)``, it carries no information beyond HOMA1-IR.

    References
    ----------
    .. [1] Katz A et al. J Clin Endocrinol Metab 2000;85(7):2402-2410.
       doi:10.1210/jcem.85.7.6661

    Examples
    --------
    >>> round(quicki(90.0, 10.0, glucose_unit="mg/dL"), 4)
    0.3385
    """
    g = _glucose_mgdl(glucose, glucose_unit)
    i = _insulin_uu(insulin, insulin_unit, insulin_factor)
    product = g * i
    check_range("glucose × insulin", product, "mg/dL·µU/mL", low=1.0)
    return scalar_or_array(1.0 / np.log10(product))


def tyg_index(
    triglycerides: FloatOrArray, glucose: FloatOrArray, *, unit: str = "mmol/L"
) -> FloatOrArray:
    """Triglyceride–glucose (TyG) index.

    Parameters
    ----------
    triglycerides : float or array-like
        Fasting triglycerides [mmol/L, or ``unit``]; > 0.
    glucose : float or array-like
        Fasting plasma glucose [mmol/L, or ``unit``]; > 0.
    unit : {"mmol/L", "mg/dL"}
        Unit of both inputs. mmol/L values are converted to mg/dL with 88.57
        (triglycerides) and 18.016 (glucose).

    Returns
    -------
    float or numpy.ndarray
        TyG [dimensionless, natural log scale].

    Notes
    -----
    ``TyG = ln(TG[mg/dL] · G0[mg/dL] / 2)``, the original definition [1]_. Other
    papers drop the /2, halve the logarithm or use mmol/L; check which form a
    cut-off belongs to. Cut-offs are population-specific and none is built in.

    References
    ----------
    .. [1] Simental-Mendía LE et al. Metab Syndr Relat Disord 2008;6(4):299-304.
       doi:10.1089/met.2008.0034

    Examples
    --------
    >>> round(tyg_index(150.0, 100.0, unit="mg/dL"), 4)
    8.9227
    """
    canonical = check_choice("unit", normalise_unit(unit), _GLUCOSE_UNITS)
    tg = check_range("triglycerides", triglycerides, canonical)
    g = check_range("glucose", glucose, canonical)
    tg_mg = np.asarray(convert_triglycerides(tg, canonical, "mg/dL"), dtype=float)
    g_mg = np.asarray(convert_glucose(g, canonical, "mg/dL"), dtype=float)
    return scalar_or_array(np.log(tg_mg * g_mg / 2.0))


def mcauley_index(
    insulin: FloatOrArray,
    triglycerides: FloatOrArray,
    *,
    tg_unit: str = "mmol/L",
    insulin_unit: str = "µU/mL",
    insulin_factor: float = INSULIN_PMOL_PER_UU,
) -> FloatOrArray:
    """McAuley index of insulin sensitivity from fasting insulin and triglycerides.

    Parameters
    ----------
    insulin : float or array-like
        Fasting plasma insulin [µU/mL, or ``insulin_unit``]; > 0.
    triglycerides : float or array-like
        Fasting triglycerides [mmol/L, or ``tg_unit``]; > 0.
    tg_unit : {"mmol/L", "mg/dL"}
        Unit of ``triglycerides`` (mg/dL is converted with 88.57).
    insulin_unit, insulin_factor
        As in :func:`homa_ir`.

    Returns
    -------
    float or numpy.ndarray
        McAuley index [dimensionless]; below 5.8 suggests insulin resistance.

    Notes
    -----
    ``McAuley = exp(2.63 − 0.28 · ln I0 − 0.31 · ln TG[mmol/L])`` [1]_.

    References
    ----------
    .. [1] McAuley KA et al. Diabetes Care 2001;24(3):460-464.
       doi:10.2337/diacare.24.3.460

    Examples
    --------
    >>> round(mcauley_index(10.0, 1.0), 4)
    7.2811
    """
    i = _insulin_uu(insulin, insulin_unit, insulin_factor)
    canonical = check_choice("tg_unit", normalise_unit(tg_unit), _GLUCOSE_UNITS)
    tg = check_range("triglycerides", triglycerides, canonical)
    tg_mmol = np.asarray(convert_triglycerides(tg, canonical, "mmol/L"), dtype=float)
    return scalar_or_array(np.exp(2.63 - 0.28 * np.log(i) - 0.31 * np.log(tg_mmol)))


def matsuda_index(
    glucose: npt.ArrayLike,
    insulin: npt.ArrayLike,
    *,
    glucose_unit: str = "mmol/L",
    insulin_unit: str = "µU/mL",
    insulin_factor: float = INSULIN_PMOL_PER_UU,
) -> FloatOrArray:
    """Matsuda (composite) insulin sensitivity index from an OGTT.

    Parameters
    ----------
    glucose : array-like, shape (..., n_samples)
        Plasma glucose at each OGTT sample, fasting value first [mmol/L, or
        ``glucose_unit``]; every value > 0. mmol/L is converted with 18.016.
    insulin : array-like, shape (..., n_samples)
        Plasma insulin at the same times, fasting value first [µU/mL, or
        ``insulin_unit``]; every value > 0.
    glucose_unit, insulin_unit, insulin_factor
        As in :func:`homa_ir`.

    Returns
    -------
    float or numpy.ndarray
        Matsuda index [dimensionless]; one value per series.

    Notes
    -----
    ``Matsuda = 10000 / sqrt(G0 · I0 · Gmean · Imean)`` with glucose in mg/dL and
    insulin in µU/mL, the means taken over all samples including time 0 [1]_.
    The usual schedule is 0, 30, 60, 90 and 120 min of a 75 g OGTT.

    References
    ----------
    .. [1] Matsuda M, DeFronzo RA. Diabetes Care 1999;22(9):1462-1470.
       doi:10.2337/diacare.22.9.1462

    Examples
    --------
    >>> round(matsuda_index([90, 150, 140, 120, 100], [8, 60, 50, 40, 20],
    ...                     glucose_unit="mg/dL"), 3)
    5.702
    """
    g = _glucose_mgdl(glucose, glucose_unit)
    i = _insulin_uu(insulin, insulin_unit, insulin_factor)
    if g.ndim == 0 or g.shape[-1] < 2:
        raise ValueError(
            "glucose must be an OGTT series with at least 2 samples (fasting value first), "
            f"got shape {g.shape}"
        )
    if g.shape != i.shape:
        raise ValueError(
            f"glucose and insulin series must have the same shape, got {g.shape} and {i.shape}"
        )
    value = 1.0e4 / np.sqrt(g[..., 0] * i[..., 0] * g.mean(axis=-1) * i.mean(axis=-1))
    return scalar_or_array(np.asarray(value, dtype=float))


def is_insulin_resistant(
    index: str, value: FloatOrArray, *, cutoff: float | None = None
) -> bool | npt.NDArray[np.bool_]:
    """Whether an index value lies on the insulin-resistant side of its cut-off.

    Parameters
    ----------
    index : {"homa_ir", "quicki", "mcauley", "matsuda"}
        Which index ``value`` is.
    value : float or array-like
        Index value(s) [dimensionless]; ≥ 0.
    cutoff : float, optional
        Override the conventional cut-off in :data:`CUTOFFS` [dimensionless]; > 0.

    Returns
    -------
    bool or numpy.ndarray of bool
        True where insulin resistance is suggested. The value at the cut-off
        itself counts as not resistant.

    Examples
    --------
    >>> is_insulin_resistant("homa_ir", 3.1)
    True
    >>> is_insulin_resistant("quicki", 0.35)
    False
    """
    rule = CUTOFFS[check_choice("index", index, CUTOFFS)]
    arr = check_range("value", value, "dimensionless", low=0.0, low_inclusive=True)
    limit = rule.value if cutoff is None else float(check_range("cutoff", cutoff, "dimensionless"))
    result = arr > limit if rule.resistant_when == "above" else arr < limit
    return bool(result) if result.ndim == 0 else result
