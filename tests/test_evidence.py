"""Tests for mgcourse.evidence (Table 1 of Hosseini Dastgerdi et al. 2022)."""

import pytest

from mgcourse import evidence, magnesium


def test_table1_rows_match_the_review():
    studies = evidence.review_2022_table1()
    # Table 1 of the 2022 review lists nine studies, references 2, 3, 10, 23, 27, 28, 30, 31, 57
    assert [s.review_ref for s in studies] == [2, 3, 10, 23, 27, 28, 30, 31, 57]
    by_ref = {s.review_ref: s for s in studies}
    assert by_ref[27].daily_dose_mg == 360.0  # Song et al. 2006 meta-analysis, median dose
    assert by_ref[28].daily_dose_mg == 365.0 and by_ref[28].duration_weeks == 26
    assert by_ref[10].dose_basis == "elemental"
    assert all(s.daily_dose_mg is None for s in studies if s.subjects == "animal")


def test_every_formula_is_usable():
    for s in evidence.review_2022_table1():
        if s.salt_formula:
            assert 0 < magnesium.elemental_fraction(s.salt_formula) < 1


def test_table_is_cached_and_immutable():
    first = evidence.review_2022_table1()
    assert first is evidence.review_2022_table1()
    with pytest.raises(AttributeError):
        first[0].daily_dose_mg = 1.0  # type: ignore[misc]
