"""Clinical and experimental evidence on magnesium supplementation, shipped as small datasets.

The studies of Table 1 in Hosseini Dastgerdi et al. 2022 are available as
:func:`review_2022_table1`. Reference numbers are those of the review's own
reference list. Where the review's table gives a dose without saying whether
it is salt or elemental magnesium, ``dose_basis`` says ``"not stated"``;
converting such a dose is an exercise in the course, not a fact in the data.
``salt_formula`` names the salt for such exercises; for reference 23 the review
says only "MgCl2", and the hexahydrate is an inference (2.5 g of MgCl2·6H2O
contains the 300 mg of magnesium the table reports). The review's text and
table also disagree on that study's duration (16 vs 12 weeks); the table's
value is kept.

References
----------
Hosseini Dastgerdi A, Ghanbari Rad M, Soltani N. The therapeutic effects of
magnesium in insulin secretion and insulin resistance. Adv Biomed Res
2022;11:54. doi:10.4103/abr.abr_366_21
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources

__all__ = ["Study", "review_2022_table1"]


@dataclass(frozen=True)
class Study:
    """One row of Table 1 of the 2022 review.

    Attributes
    ----------
    review_ref : int
        Reference number in the review.
    subjects : str
        ``"animal"``, ``"human"`` or ``"human (meta-analysis)"``.
    preparation : str
        Magnesium preparation as the review names it.
    salt_formula : str
        Formula usable with :mod:`mgcourse.magnesium`, or ``""`` when not a single salt.
    dose_as_reported : str
        Dose text as given in the review's table.
    daily_dose_mg : float or None
        Daily human dose [mg/day] where the table gives one.
    dose_basis : str
        ``"elemental"``, ``"not stated"`` or ``"not applicable"`` (animal diets).
    duration_as_reported : str
        Duration text as given in the review's table.
    duration_weeks : float
        Duration [weeks]; months are taken as 13/3 weeks and rounded, ranges at their upper end.
    outcomes : str
        Reported effects, paraphrased.
    """

    review_ref: int
    subjects: str
    preparation: str
    salt_formula: str
    dose_as_reported: str
    daily_dose_mg: float | None
    dose_basis: str
    duration_as_reported: str
    duration_weeks: float
    outcomes: str


@cache
def review_2022_table1() -> tuple[Study, ...]:
    """Studies of magnesium and insulin resistance listed in Table 1 of the 2022 review.

    Returns
    -------
    tuple of Study
        One record per row, in the review's order.

    Examples
    --------
    >>> studies = review_2022_table1()
    >>> len(studies), studies[2].daily_dose_mg
    (9, 250.0)
    """
    text = resources.files("mgcourse").joinpath("data/review2022_table1.csv").read_text("utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    names = [f.name for f in fields(Study)]
    studies = []
    for row in rows:
        if list(row) != names:
            raise ValueError(f"review2022_table1.csv columns {list(row)} differ from {names}")
        studies.append(
            Study(
                review_ref=int(row["review_ref"]),
                subjects=row["subjects"],
                preparation=row["preparation"],
                salt_formula=row["salt_formula"],
                dose_as_reported=row["dose_as_reported"],
                daily_dose_mg=float(row["daily_dose_mg"]) if row["daily_dose_mg"] else None,
                dose_basis=row["dose_basis"],
                duration_as_reported=row["duration_as_reported"],
                duration_weeks=float(row["duration_weeks"]),
                outcomes=row["outcomes"],
            )
        )
    return tuple(studies)
