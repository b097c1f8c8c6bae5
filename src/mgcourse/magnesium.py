"""Magnesium basics: serum status, elemental magnesium of supplement salts, reference intakes.

References
----------
.. [1] Institute of Medicine (US). Dietary Reference Intakes for Calcium,
   Phosphorus, Magnesium, Vitamin D, and Fluoride. Washington DC: National
   Academy Press; 1997. doi:10.17226/5776
.. [2] Rosanoff A et al. (MaGNet). Recommendation on an updated standardization
   of serum magnesium reference ranges. Eur J Nutr 2022;61(7):3697-3706.
   doi:10.1007/s00394-022-02916-w
.. [3] Hosseini Dastgerdi A, Ghanbari Rad M, Soltani N. The therapeutic effects
   of magnesium in insulin secretion and insulin resistance. Adv Biomed Res
   2022;11:54. doi:10.4103/abr.abr_366_21
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

from mgcourse._validation import FloatOrArray, check_choice, check_range, scalar_or_array
from mgcourse.units import MG_ATOMIC_MASS, convert_magnesium, normalise_unit

__all__ = [
    "ATOMIC_MASSES",
    "REFERENCE_RANGES",
    "SALTS",
    "ReferenceRange",
    "elemental_fraction",
    "elemental_magnesium",
    "exceeds_upper_limit",
    "molar_mass",
    "recommended_intake",
    "salt_mass_for_elemental",
    "serum_status",
    "upper_limit",
]

#: Relative atomic masses used for molar masses [g/mol].
ATOMIC_MASSES: Final[dict[str, float]] = {
    "Mg": MG_ATOMIC_MASS,
    "O": 15.999,
    "H": 1.008,
    "C": 12.011,
    "N": 14.007,
    "S": 32.06,
    "Cl": 35.453,
    "Na": 22.990,
    "K": 39.098,
    "Ca": 40.078,
    "P": 30.974,
}


@dataclass(frozen=True)
class ReferenceRange:
    """A reference interval for total serum magnesium.

    Attributes
    ----------
    low, high : float
        Lower and upper limits [mmol/L].
    source : str
        Where the interval comes from.
    """

    low: float
    high: float
    source: str

    def __post_init__(self) -> None:
        check_range("low", self.low, "mmol/L", high=10.0)
        check_range("high", self.high, "mmol/L", low=self.low, high=10.0)


#: Reference intervals for total serum magnesium in adults [mmol/L].
REFERENCE_RANGES: Final[dict[str, ReferenceRange]] = {
    "harmonised": ReferenceRange(
        0.70, 1.10, "RCPA/AACB harmonised adult interval (Australasia, in use since 2015)"
    ),
    "nhanes": ReferenceRange(0.75, 0.95, "population-derived interval from US NHANES I data"),
    "magnet": ReferenceRange(
        0.85,
        0.95,
        "Rosanoff et al. 2022 (MaGNet): evidence-based lower limit 0.85 mmol/L; 0.95 is the top "
        "of the suggested optimal band, not a limit for excess",
    ),
    "review_2022": ReferenceRange(0.76, 1.15, "range quoted by Hosseini Dastgerdi et al. 2022"),
}

#: Common supplement salts by name, as chemical formulas.
SALTS: Final[dict[str, str]] = {
    "magnesium oxide": "MgO",
    "magnesium chloride": "MgCl2",
    "magnesium chloride hexahydrate": "MgCl2·6H2O",
    "magnesium sulfate": "MgSO4",
    "magnesium sulfate heptahydrate": "MgSO4·7H2O",
    "epsom salt": "MgSO4·7H2O",
    "trimagnesium dicitrate": "Mg3(C6H5O7)2",
    "trimagnesium dicitrate nonahydrate": "Mg3(C6H5O7)2·9H2O",
    "magnesium hydrogen citrate": "MgC6H6O7",
    "magnesium gluconate": "Mg(C6H11O7)2",
    "magnesium gluconate dihydrate": "Mg(C6H11O7)2·2H2O",
    "magnesium aspartate": "Mg(C4H6NO4)2",
    "magnesium aspartate dihydrate": "Mg(C4H6NO4)2·2H2O",
    "magnesium aspartate tetrahydrate": "Mg(C4H6NO4)2·4H2O",
    "magnesium lactate": "Mg(C3H5O3)2",
    "magnesium lactate dihydrate": "Mg(C3H5O3)2·2H2O",
    "magnesium hydroxide": "Mg(OH)2",
    "magnesium carbonate": "MgCO3",
}

_SUBSCRIPTS: Final = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
_TOKEN: Final = re.compile(r"([A-Z][a-z]?)(\d*)|(\()|(\))(\d*)")


def _parse_group(formula: str, original: str) -> dict[str, int]:
    """Count atoms in one formula part without hydrate dots (handles nested parentheses)."""
    stack: list[dict[str, int]] = [{}]
    pos = 0
    while pos < len(formula):
        match = _TOKEN.match(formula, pos)
        if match is None:
            raise ValueError(
                f"salt {original!r} is not a formula this parser reads "
                f"(unexpected {formula[pos:]!r}); use e.g. 'MgSO4·7H2O' or a name in SALTS"
            )
        element, count, opening, closing, group_count = match.groups()
        if element:
            if element not in ATOMIC_MASSES:
                raise ValueError(
                    f"salt {original!r} contains element {element!r}; "
                    f"known elements are {sorted(ATOMIC_MASSES)}"
                )
            stack[-1][element] = stack[-1].get(element, 0) + int(count or 1)
        elif opening:
            stack.append({})
        elif closing:
            if len(stack) == 1:
                raise ValueError(f"salt {original!r} has an unmatched ')'")
            inner = stack.pop()
            for el, n in inner.items():
                stack[-1][el] = stack[-1].get(el, 0) + n * int(group_count or 1)
        pos = match.end()
    if len(stack) != 1:
        raise ValueError(f"salt {original!r} has an unmatched '('")
    return stack[0]


def _atom_counts(salt: str) -> dict[str, int]:
    if not isinstance(salt, str) or not salt.strip():
        raise ValueError(f"salt must be a formula such as 'MgO' or a name in SALTS, got {salt!r}")
    formula = SALTS.get(salt.strip().lower(), salt.strip())
    formula = formula.translate(_SUBSCRIPTS).replace(" ", "")
    counts: dict[str, int] = {}
    for part in re.split(r"[·.*•]", formula):
        if not part:
            raise ValueError(f"salt {salt!r} has an empty part around a hydrate dot")
        lead = re.match(r"\d+", part)
        multiplier = int(lead.group()) if lead else 1
        body = part[lead.end() :] if lead else part
        for el, n in _parse_group(body, salt).items():
            counts[el] = counts.get(el, 0) + n * multiplier
    if counts.get("Mg", 0) == 0:
        raise ValueError(f"salt {salt!r} contains no magnesium")
    return counts


def molar_mass(salt: str) -> float:
    """Molar mass of a magnesium salt from its formula or common name.

    Parameters
    ----------
    salt : str
        Chemical formula (``"MgSO4·7H2O"``, ``"MgSO4.7H2O"``, ``"MgSO₄·7H₂O"``) or a
        name in :data:`SALTS` (``"magnesium oxide"``, ``"Epsom salt"``).

    Returns
    -------
    float
        Molar mass of one formula unit [g/mol].

    Examples
    --------
    >>> round(molar_mass("MgSO4·7H2O"), 2)
    246.47
    """
    return sum(ATOMIC_MASSES[el] * n for el, n in _atom_counts(salt).items())


def elemental_fraction(salt: str) -> float:
    """Mass fraction of elemental magnesium in a salt, hydrate water included.

    Parameters
    ----------
    salt : str
        Formula or name, as in :func:`molar_mass`.

    Returns
    -------
    float
        Elemental Mg mass per salt mass [g/g], between 0 and 1.

    Notes
    -----
    ``fraction = n_Mg · 24.305 / M``. The rule "24.305 / molar mass" holds only
    for one Mg atom per formula unit; trimagnesium dicitrate has three.

    Examples
    --------
    >>> round(elemental_fraction("MgO"), 4)
    0.603
    >>> round(elemental_fraction("MgSO4.7H2O"), 4)
    0.0986
    """
    counts = _atom_counts(salt)
    total = sum(ATOMIC_MASSES[el] * n for el, n in counts.items())
    return counts["Mg"] * MG_ATOMIC_MASS / total


def elemental_magnesium(salt_mass: FloatOrArray, salt: str) -> FloatOrArray:
    """Elemental magnesium in a given mass of salt.

    Parameters
    ----------
    salt_mass : float or array-like
        Mass of the salt as weighed or labelled [mg]; ≥ 0.
    salt : str
        Formula or name, as in :func:`molar_mass`.

    Returns
    -------
    float or numpy.ndarray
        Elemental magnesium [mg].

    Examples
    --------
    >>> round(elemental_magnesium(2500.0, "MgCl2·6H2O"), 1)
    298.9
    """
    mass = check_range("salt_mass", salt_mass, "mg", low=0.0, low_inclusive=True)
    return scalar_or_array(mass * elemental_fraction(salt))


def salt_mass_for_elemental(elemental_mass: FloatOrArray, salt: str) -> FloatOrArray:
    """Mass of salt that supplies a given mass of elemental magnesium.

    Parameters
    ----------
    elemental_mass : float or array-like
        Wanted elemental magnesium [mg]; ≥ 0.
    salt : str
        Formula or name, as in :func:`molar_mass`.

    Returns
    -------
    float or numpy.ndarray
        Salt mass [mg].

    Examples
    --------
    >>> round(salt_mass_for_elemental(300.0, "MgO"), 1)
    497.5
    """
    mass = check_range("elemental_mass", elemental_mass, "mg", low=0.0, low_inclusive=True)
    return scalar_or_array(mass / elemental_fraction(salt))


Status = Literal["low", "normal", "high"]


def serum_status(
    magnesium: FloatOrArray,
    *,
    unit: str = "mmol/L",
    reference_range: str | tuple[float, float] = "harmonised",
) -> Status | npt.NDArray[np.str_]:
    """Classify total serum magnesium as low, normal or high.

    Parameters
    ----------
    magnesium : float or array-like
        Total serum magnesium [mmol/L, or ``unit``]; > 0.
    unit : {"mmol/L", "mg/dL", "mEq/L"}
        Unit of ``magnesium``.
    reference_range : str or (float, float), default "harmonised"
        A key of :data:`REFERENCE_RANGES` or ``(low, high)`` in mmol/L. Values
        below ``low`` are "low", above ``high`` are "high"; the limits are normal.

    Returns
    -------
    str or numpy.ndarray of str
        ``"low"``, ``"normal"`` or ``"high"``.

    Notes
    -----
    The threshold is a choice, not a constant: laboratories use 0.70 mmol/L,
    some trials ≤ 0.74, and MaGNet proposes 0.85 mmol/L as the evidence-based
    lower limit [2]_. Serum holds under 1 % of body magnesium, so a normal
    value does not exclude deficiency.

    References
    ----------
    .. [2] Rosanoff A et al. Eur J Nutr 2022;61(7):3697-3706.

    Examples
    --------
    >>> serum_status(0.65)
    'low'
    >>> serum_status(0.80, reference_range="magnet")
    'low'
    >>> serum_status(2.0, unit="mg/dL")
    'normal'
    """
    canonical = check_choice("unit", normalise_unit(unit), ("mmol/L", "mg/dL", "mEq/L"))
    arr = check_range("magnesium", magnesium, canonical)
    mmol = np.asarray(convert_magnesium(arr, canonical, "mmol/L"), dtype=float)
    if isinstance(reference_range, str):
        rng = REFERENCE_RANGES[check_choice("reference_range", reference_range, REFERENCE_RANGES)]
        low, high = rng.low, rng.high
    else:
        low, high = (float(x) for x in reference_range)
        check_range("reference_range low", low, "mmol/L", high=high, high_inclusive=False)
    labels = np.where(mmol < low, "low", np.where(mmol > high, "high", "normal"))
    if labels.ndim == 0:
        label = str(labels)
        assert label in ("low", "normal", "high")
        return label  # type: ignore[return-value]
    return labels


# Recommended Dietary Allowances [mg/day] (IOM 1997); the first two rows are Adequate Intakes.
# Columns: upper age bound (exclusive, years), male, female, pregnancy, lactation.
_RDA: Final[tuple[tuple[float, float, float, float | None, float | None], ...]] = (
    (0.5, 30, 30, None, None),
    (1.0, 75, 75, None, None),
    (4.0, 80, 80, None, None),
    (9.0, 130, 130, None, None),
    (14.0, 240, 240, None, None),
    (19.0, 410, 360, 400, 360),
    (31.0, 400, 310, 350, 310),
    (51.0, 420, 320, 360, 320),
    (np.inf, 420, 320, None, None),
)


def recommended_intake(
    age: float,
    sex: str,
    *,
    pregnant: bool = False,
    lactating: bool = False,
) -> float:
    """Recommended magnesium intake (RDA, or AI for infants) from all sources.

    Parameters
    ----------
    age : float
        Age [years]; 0 to 120.
    sex : {"female", "male"}
        Sex.
    pregnant, lactating : bool
        Pregnancy or lactation (female, 14–50 years); not both.

    Returns
    -------
    float
        Recommended intake [mg/day].

    Notes
    -----
    United States Dietary Reference Intakes [1]_. Under 1 year the values are
    Adequate Intakes rather than RDAs.

    References
    ----------
    .. [1] Institute of Medicine 1997. doi:10.17226/5776

    Examples
    --------
    >>> recommended_intake(35, "female")
    320.0
    >>> recommended_intake(25, "female", pregnant=True)
    350.0
    """
    years = float(check_range("age", age, "years", low=0.0, high=120.0, low_inclusive=True))
    sex = check_choice("sex", str(sex).lower(), ("female", "male"))
    if pregnant and lactating:
        raise ValueError("pregnant and lactating cannot both be True")
    if (pregnant or lactating) and sex != "female":
        raise ValueError(f"pregnant/lactating apply to sex='female', got sex={sex!r}")
    for upper, male, female, pregnancy, lactation in _RDA:
        if years < upper:
            if pregnant or lactating:
                value = pregnancy if pregnant else lactation
                if value is None:
                    raise ValueError(
                        f"age = {years:g} years has no pregnancy/lactation value; "
                        "valid range is [14, 51) years"
                    )
                return float(value)
            return float(male if sex == "male" else female)
    raise AssertionError("unreachable: the last row has no upper bound")


def upper_limit(age: float) -> float | None:
    """Tolerable upper intake level for supplemental magnesium.

    Parameters
    ----------
    age : float
        Age [years]; 0 to 120.

    Returns
    -------
    float or None
        Upper limit for magnesium from supplements and drugs, food excluded
        [mg/day]; ``None`` for infants (< 1 year), for whom none is established.
        The same limit applies in pregnancy and lactation.

    References
    ----------
    Institute of Medicine 1997. doi:10.17226/5776

    Examples
    --------
    >>> upper_limit(40)
    350.0
    >>> upper_limit(6)
    110.0
    """
    years = float(check_range("age", age, "years", low=0.0, high=120.0, low_inclusive=True))
    if years < 1.0:
        return None
    if years < 4.0:
        return 65.0
    if years < 9.0:
        return 110.0
    return 350.0


def exceeds_upper_limit(supplemental_intake: float, age: float) -> bool:
    """Whether a daily supplemental magnesium dose exceeds the upper limit.

    Parameters
    ----------
    supplemental_intake : float
        Elemental magnesium from supplements or drugs, not food [mg/day]; ≥ 0.
    age : float
        Age [years]; at least 1 (no upper limit is set for infants).

    Returns
    -------
    bool
        True if the dose is above :func:`upper_limit` for that age.

    Examples
    --------
    >>> exceeds_upper_limit(365, 45)
    True
    """
    dose = float(
        check_range("supplemental_intake", supplemental_intake, "mg/day", low_inclusive=True)
    )
    limit = upper_limit(age)
    if limit is None:
        raise ValueError(f"age = {age:g} years: no upper limit is established below 1 year")
    return dose > limit
