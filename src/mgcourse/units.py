"""Unit conversions for glucose, insulin, triglycerides and serum magnesium.

Every function takes a value, the unit it is in and the unit wanted, and
returns a float for scalar input or an array for array input. Unknown units
and negative or non-finite values raise ``ValueError``.

References
----------
Knopp JL, Holder-Pearson L, Chase JG. Insulin units and conversion factors: a
story of truth, boots, and faster half-truths. J Diabetes Sci Technol
2019;13(3):597-600.
"""

from __future__ import annotations

from typing import Final

from mgcourse._validation import FloatOrArray, check_choice, check_range, scalar_or_array

__all__ = [
    "GLUCOSE_MG_PER_MMOL",
    "INSULIN_PMOL_PER_UU",
    "INSULIN_PMOL_PER_UU_OLD",
    "MG_ATOMIC_MASS",
    "TRIGLYCERIDE_MG_PER_MMOL",
    "convert_glucose",
    "convert_insulin",
    "convert_magnesium",
    "convert_triglycerides",
    "normalise_unit",
]

#: mg/dL per mmol/L of glucose (molar mass 180.16 g/mol) [mg/dL per mmol/L].
GLUCOSE_MG_PER_MMOL: Final = 18.016
#: pmol/L per µU/mL of insulin, current harmonised convention [pmol/L per µU/mL].
INSULIN_PMOL_PER_UU: Final = 6.00
#: pmol/L per µU/mL of insulin, older convention from the reference preparation's potency.
INSULIN_PMOL_PER_UU_OLD: Final = 6.945
#: mg/dL per mmol/L of triglycerides (as triolein, 885.7 g/mol) [mg/dL per mmol/L].
TRIGLYCERIDE_MG_PER_MMOL: Final = 88.57
#: Relative atomic mass of magnesium [g/mol].
MG_ATOMIC_MASS: Final = 24.305

_ALIASES: Final = {
    "mmol/l": "mmol/L",
    "mm": "mmol/L",
    "mg/dl": "mg/dL",
    "µu/ml": "µU/mL",
    "μu/ml": "µU/mL",  # Greek mu
    "uu/ml": "µU/mL",
    "mu/l": "µU/mL",  # 1 mU/L == 1 µU/mL
    "miu/l": "µU/mL",
    "µiu/ml": "µU/mL",
    "uiu/ml": "µU/mL",
    "pmol/l": "pmol/L",
    "meq/l": "mEq/L",
}


def normalise_unit(unit: str) -> str:
    """Return the canonical spelling of a concentration unit.

    Accepts common variants: ``"mg/dl"``, ``"uU/mL"``, ``"mU/L"`` (equal to µU/mL)
    and both the micro sign and the Greek letter mu.

    Examples
    --------
    >>> normalise_unit("uU/mL")
    'µU/mL'
    """
    if not isinstance(unit, str):
        raise ValueError(f"unit must be a string such as 'mmol/L', got {unit!r}")
    return _ALIASES.get(unit.strip().lower().replace(" ", ""), unit)


def _factor_to_mmol(quantity: str, unit: str, per_mmol: float, allowed: tuple[str, ...]) -> float:
    canonical = check_choice(f"{quantity} unit", normalise_unit(unit), allowed)
    return 1.0 if canonical == "mmol/L" else 1.0 / per_mmol


def convert_glucose(value: FloatOrArray, from_unit: str, to_unit: str) -> FloatOrArray:
    """Convert a glucose concentration between mmol/L and mg/dL.

    Parameters
    ----------
    value : float or array-like
        Glucose concentration [``from_unit``]; must be finite and ≥ 0.
    from_unit, to_unit : {"mmol/L", "mg/dL"}
        Units of the input and of the result.

    Returns
    -------
    float or numpy.ndarray
        Glucose concentration [``to_unit``].

    Notes
    -----
    ``mmol/L = mg/dL / 18.016`` (molar mass of glucose 180.16 g/mol). Clinical
    indices use their own rounded constants (22.5 mmol/L ≙ 405 mg/dL), so use
    the unit form of each index rather than converting first.

    Examples
    --------
    >>> round(convert_glucose(90.0, "mg/dL", "mmol/L"), 3)
    4.996
    """
    arr = check_range("glucose", value, normalise_unit(from_unit), low=0.0, low_inclusive=True)
    allowed = ("mmol/L", "mg/dL")
    to_mmol = _factor_to_mmol("glucose", from_unit, GLUCOSE_MG_PER_MMOL, allowed)
    from_mmol = 1.0 / _factor_to_mmol("glucose", to_unit, GLUCOSE_MG_PER_MMOL, allowed)
    return scalar_or_array(arr * to_mmol * from_mmol)


def convert_triglycerides(value: FloatOrArray, from_unit: str, to_unit: str) -> FloatOrArray:
    """Convert a triglyceride concentration between mmol/L and mg/dL.

    Parameters
    ----------
    value : float or array-like
        Triglyceride concentration [``from_unit``]; finite and ≥ 0.
    from_unit, to_unit : {"mmol/L", "mg/dL"}
        Units of the input and of the result.

    Returns
    -------
    float or numpy.ndarray
        Triglyceride concentration [``to_unit``].

    Notes
    -----
    ``mmol/L = mg/dL / 88.57`` (as triolein, 885.7 g/mol).

    Examples
    --------
    >>> round(convert_triglycerides(2.0, "mmol/L", "mg/dL"), 2)
    177.14
    """
    arr = check_range("triglycerides", value, normalise_unit(from_unit), low=0.0, low_inclusive=True)
    allowed = ("mmol/L", "mg/dL")
    to_mmol = _factor_to_mmol("triglycerides", from_unit, TRIGLYCERIDE_MG_PER_MMOL, allowed)
    from_mmol = 1.0 / _factor_to_mmol("triglycerides", to_unit, TRIGLYCERIDE_MG_PER_MMOL, allowed)
    return scalar_or_array(arr * to_mmol * from_mmol)


def convert_insulin(
    value: FloatOrArray, from_unit: str, to_unit: str, *, factor: float = INSULIN_PMOL_PER_UU
) -> FloatOrArray:
    """Convert an insulin concentration between µU/mL (= mU/L) and pmol/L.

    Parameters
    ----------
    value : float or array-like
        Insulin concentration [``from_unit``]; finite and ≥ 0.
    from_unit, to_unit : {"µU/mL", "pmol/L"}
        Units of the input and of the result (``"uU/mL"`` and ``"mU/L"`` are accepted).
    factor : float, default 6.00
        pmol/L per µU/mL. 6.00 is the current harmonised convention; 6.945
        (:data:`INSULIN_PMOL_PER_UU_OLD`) is the older one. Must lie in [5, 8].

    Returns
    -------
    float or numpy.ndarray
        Insulin concentration [``to_unit``].

    Notes
    -----
    ``pmol/L = µU/mL · factor``. The two conventions differ by about 16 %, so a
    paper's factor must be known before comparing its numbers.

    Examples
    --------
    >>> convert_insulin(60.0, "pmol/L", "µU/mL")
    10.0
    >>> round(convert_insulin(60.0, "pmol/L", "µU/mL", factor=6.945), 3)
    8.639
    """
    check_range("factor", factor, "pmol/L per µU/mL", low=5.0, high=8.0, low_inclusive=True)
    arr = check_range("insulin", value, normalise_unit(from_unit), low=0.0, low_inclusive=True)
    allowed = ("µU/mL", "pmol/L")
    src = check_choice("insulin unit", normalise_unit(from_unit), allowed)
    dst = check_choice("insulin unit", normalise_unit(to_unit), allowed)
    in_uu = arr if src == "µU/mL" else arr / factor
    return scalar_or_array(in_uu if dst == "µU/mL" else in_uu * factor)


def convert_magnesium(value: FloatOrArray, from_unit: str, to_unit: str) -> FloatOrArray:
    """Convert a serum magnesium concentration between mmol/L, mg/dL and mEq/L.

    Parameters
    ----------
    value : float or array-like
        Magnesium concentration [``from_unit``]; finite and ≥ 0.
    from_unit, to_unit : {"mmol/L", "mg/dL", "mEq/L"}
        Units of the input and of the result.

    Returns
    -------
    float or numpy.ndarray
        Magnesium concentration [``to_unit``].

    Notes
    -----
    ``1 mmol/L = 2.4305 mg/dL = 2 mEq/L`` (Mg 24.305 g/mol, divalent).

    Examples
    --------
    >>> round(convert_magnesium(0.85, "mmol/L", "mg/dL"), 3)
    2.066
    >>> convert_magnesium(1.7, "mEq/L", "mmol/L")
    0.85
    """
    per_mmol = {"mmol/L": 1.0, "mg/dL": MG_ATOMIC_MASS / 10.0, "mEq/L": 2.0}
    src = check_choice("magnesium unit", normalise_unit(from_unit), per_mmol)
    dst = check_choice("magnesium unit", normalise_unit(to_unit), per_mmol)
    arr = check_range("magnesium", value, src, low=0.0, low_inclusive=True)
    return scalar_or_array(arr / per_mmol[src] * per_mmol[dst])
