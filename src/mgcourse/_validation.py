"""Input checks shared by every module.

Every public function validates its concentrations here so that bad input
fails with one kind of message: the argument, the offending value, its unit
and the valid range.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

FloatOrArray = float | npt.NDArray[np.float64]


def _first_bad(values: npt.NDArray[np.float64], bad: npt.NDArray[np.bool_]) -> float:
    return float(values[bad].flat[0])


def as_float_array(name: str, value: object, unit: str) -> npt.NDArray[np.float64]:
    """Convert ``value`` to a float array or raise ``ValueError`` naming ``name``."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must be a number or an array of numbers [{unit}], got {value!r}"
        ) from None
    return arr


def check_range(
    name: str,
    value: object,
    unit: str,
    *,
    low: float = 0.0,
    high: float = np.inf,
    low_inclusive: bool = False,
    high_inclusive: bool = True,
) -> npt.NDArray[np.float64]:
    """Return ``value`` as a float array after checking it lies in the valid range.

    Parameters
    ----------
    name : str
        Argument name as the caller knows it, e.g. ``"glucose"``.
    value : float or array-like
        The value to check.
    unit : str
        Unit of ``value``, e.g. ``"mmol/L"``; shown in the error.
    low, high : float
        Bounds of the valid range.
    low_inclusive, high_inclusive : bool
        Whether each bound itself is allowed.

    Raises
    ------
    ValueError
        If any element is NaN, infinite or out of range. The message names the
        argument, the first offending value, the unit and the valid range.
    """
    arr = as_float_array(name, value, unit)
    lo_br = "[" if low_inclusive else "("
    hi_br = "]" if high_inclusive else ")"
    hi_txt = "inf" if np.isinf(high) else f"{high:g}"
    valid = f"{lo_br}{low:g}, {hi_txt}{hi_br} {unit}"
    nonfinite = ~np.isfinite(arr)
    if np.any(nonfinite):
        raise ValueError(
            f"{name} must be a finite number in {valid}, got {_first_bad(arr, nonfinite)!r}"
        )
    too_low = arr < low if low_inclusive else arr <= low
    too_high = arr > high if high_inclusive else arr >= high
    bad = too_low | too_high
    if np.any(bad):
        raise ValueError(
            f"{name} = {_first_bad(arr, bad):g} {unit} is out of range; valid range is {valid}"
        )
    return arr


def check_choice(name: str, value: str, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``; otherwise raise ``ValueError``."""
    options = list(choices)
    if value not in options:
        raise ValueError(f"{name} = {value!r} is not supported; choose one of {options}")
    return value


def scalar_or_array(arr: npt.NDArray[np.float64]) -> FloatOrArray:
    """Return a Python float for 0-d input, the array otherwise."""
    if arr.ndim == 0:
        return float(arr)
    return arr
