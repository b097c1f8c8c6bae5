"""Input checks shared by every module.

Every public function validates its concentrations here so that bad input
fails with one kind of message: the argument, the offending value, its unit
and the valid range.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Final

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


def check_tolerances(rtol: object, atol: object, atol_unit: str) -> tuple[float, float]:
    """Check the relative and absolute tolerances of an adaptive solver.

    ``rtol`` [dimensionless] must lie in [1e-14, 1e-3] and ``atol`` [``atol_unit``]
    in (0, 1]; returns both as floats.
    """
    rel = float(check_range("rtol", rtol, "dimensionless", low=1e-14, high=1e-3, low_inclusive=True))
    absolute = float(check_range("atol", atol, atol_unit, low=0.0, high=1.0))
    return rel, absolute


@dataclass(frozen=True)
class Bound:
    """The unit and valid range of one parameter field (see :func:`check_fields`)."""

    unit: str
    low: float = 0.0
    high: float = np.inf
    low_inclusive: bool = False
    high_inclusive: bool = True
    optional: bool = False  # None allowed (a switched-off teaching option)


def positive(unit: str, high: float = np.inf) -> Bound:
    """A finite value in (0, high] [unit]."""
    return Bound(unit, high=high)


def non_negative(unit: str, high: float = np.inf) -> Bound:
    """A finite value in [0, high] [unit]."""
    return Bound(unit, high=high, low_inclusive=True)


def any_finite(unit: str) -> Bound:
    """Any finite value [unit] (a reversal potential, for example)."""
    return Bound(unit, low=-np.inf, low_inclusive=False)


#: A true/false switch field.
SWITCH: Final = Bound("true or false")


def check_fields(instance: object, bounds: Mapping[str, Bound]) -> None:
    """Check every field of a parameter dataclass against its declared range.

    Raises
    ------
    ValueError
        Naming the first field out of range, its value, unit and valid range.
    TypeError
        If a field has no declared range (a programming error).
    """
    for item in fields(instance):  # type: ignore[arg-type]
        bound = bounds.get(item.name)
        if bound is None:
            raise TypeError(f"{type(instance).__name__}.{item.name} has no declared valid range")
        value = getattr(instance, item.name)
        if value is None and bound.optional:
            continue
        if bound is SWITCH:
            if not isinstance(value, bool):
                raise ValueError(f"{item.name} must be True or False, got {value!r}")
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
            raise ValueError(f"{item.name} must be a number [{bound.unit}], got {value!r}")
        check_range(item.name, value, bound.unit, low=bound.low, high=bound.high,
                    low_inclusive=bound.low_inclusive, high_inclusive=bound.high_inclusive)
