"""Tests for mgcourse.magnesium: salts (atomic masses), reference ranges, intakes (IOM 1997)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from mgcourse import magnesium as mg

# table of supplement salts: formula, molar mass (g/mol), molar mass per Mg (g/mol)
SALT_TABLE = [
    ("MgO", 40.30, 40.30),
    ("MgCl₂", 95.21, 95.21),
    ("MgCl₂·6H₂O", 203.30, 203.30),
    ("MgSO₄", 120.36, 120.36),
    ("MgSO₄·7H₂O", 246.47, 246.47),
    ("Mg₃(C₆H₅O₇)₂", 451.11, 150.37),
    ("Mg₃(C₆H₅O₇)₂·9H₂O", 613.25, 204.42),
    ("MgC₆H₆O₇", 214.41, 214.41),
    ("Mg(C₆H₁₁O₇)₂", 414.60, 414.60),
    ("Mg(C₆H₁₁O₇)₂·2H₂O", 450.63, 450.63),
    ("Mg(C₄H₆NO₄)₂", 288.50, 288.50),
    ("Mg(C₄H₆NO₄)₂·2H₂O", 324.52, 324.52),
    ("Mg(C₄H₆NO₄)₂·4H₂O", 360.56, 360.56),
    ("Mg(C₃H₅O₃)₂", 202.44, 202.44),
    ("Mg(C₃H₅O₃)₂·2H₂O", 238.47, 238.47),
    ("Mg(OH)₂", 58.32, 58.32),
    ("MgCO₃", 84.31, 84.31),
]


@pytest.mark.parametrize(("formula", "molar", "per_mg"), SALT_TABLE)
def test_salt_table(formula, molar, per_mg):
    # table of supplement salts (atomic masses Mg 24.305, O 15.999, H 1.008, ...)
    assert_allclose(mg.molar_mass(formula), molar, rtol=1e-4)
    assert_allclose(mg.elemental_fraction(formula), 24.305 / per_mg, rtol=1e-4)


@pytest.mark.parametrize(
    ("salt", "percent"),
    # elemental Mg content of three reference salts
    [("MgO", 60.30), ("MgCl2", 25.53), ("MgSO4", 20.19)],
)
def test_reference_salt_percentages(salt, percent):
    assert_allclose(100 * mg.elemental_fraction(salt), percent, atol=0.005)


@pytest.mark.parametrize(
    "spelling", ["MgSO4·7H2O", "MgSO4.7H2O", "MgSO4*7H2O", "MgSO₄·7H₂O", "Epsom salt",
                 "magnesium sulfate heptahydrate", " MgSO4 . 7H2O "]
)
def test_formula_spellings(spelling):
    assert_allclose(mg.elemental_fraction(spelling), 24.305 / 246.47, rtol=1e-4)


def test_trimagnesium_dicitrate_counts_three_magnesium_atoms():
    # "24.305 / molar mass" is wrong for Mg3(C6H5O7)2, which has three Mg
    naive = 24.305 / mg.molar_mass("Mg3(C6H5O7)2")
    assert_allclose(mg.elemental_fraction("Mg3(C6H5O7)2"), 3 * naive)


def test_guerrero_romero_dose():
    # Guerrero-Romero et al. 2004 gave 2.5 g/day MgCl2; as the hexahydrate that is ~299 mg Mg,
    # as anhydrous ~638 mg: the hydrate doubles the answer (a teaching note).
    hexa = mg.elemental_magnesium(2500.0, "MgCl2·6H2O")
    anhydrous = mg.elemental_magnesium(2500.0, "MgCl2")
    assert_allclose(hexa, 298.9, atol=0.1)
    assert_allclose(anhydrous / hexa, 203.30 / 95.21, rtol=1e-4)


def test_salt_mass_inverse_and_arrays():
    doses = np.array([100.0, 250.0, 350.0])
    salt = mg.salt_mass_for_elemental(doses, "MgO")
    assert_allclose(mg.elemental_magnesium(salt, "MgO"), doses)


@pytest.mark.parametrize(
    ("salt", "message"),
    [
        ("NaCl", "contains no magnesium"),
        ("MgXy2", "element 'Xy'"),
        ("Mg(OH2", "unmatched '\\('"),
        ("MgOH)2", "unmatched '\\)'"),
        ("Mg..7H2O", "empty part"),
        ("", "salt must be a formula"),
        ("mg-oxide!", "not a formula this parser reads"),
    ],
)
def test_bad_salts(salt, message):
    with pytest.raises(ValueError, match=message):
        mg.elemental_fraction(salt)


def test_negative_mass_rejected():
    with pytest.raises(ValueError, match=r"salt_mass = -1 mg is out of range"):
        mg.elemental_magnesium(-1.0, "MgO")


@pytest.mark.parametrize(
    ("value", "unit", "rng", "expected"),
    [
        (0.65, "mmol/L", "harmonised", "low"),  # < 0.70 (RCPA/AACB)
        (0.70, "mmol/L", "harmonised", "normal"),  # limits are normal
        (1.2, "mmol/L", "harmonised", "high"),
        (0.80, "mmol/L", "magnet", "low"),  # Rosanoff 2022: < 0.85 is low
        (0.80, "mmol/L", "nhanes", "normal"),
        (0.74, "mmol/L", "review_2022", "low"),  # seed review: 0.76–1.15
        (2.0, "mg/dL", "harmonised", "normal"),  # 0.823 mmol/L
        (1.3, "mEq/L", "harmonised", "low"),  # 0.65 mmol/L
        (0.74, "mmol/L", (0.75, 1.0), "low"),
    ],
)
def test_serum_status(value, unit, rng, expected):
    assert mg.serum_status(value, unit=unit, reference_range=rng) == expected


def test_serum_status_array():
    out = mg.serum_status(np.array([0.5, 0.8, 1.3]))
    assert list(out) == ["low", "normal", "high"]


def test_serum_status_bad_input():
    with pytest.raises(ValueError, match="reference_range = 'lab'"):
        mg.serum_status(0.8, reference_range="lab")
    with pytest.raises(ValueError, match="reference_range low"):
        mg.serum_status(0.8, reference_range=(1.0, 0.7))
    with pytest.raises(ValueError, match=r"magnesium = 0 mmol/L"):
        mg.serum_status(0.0)


@pytest.mark.parametrize(
    ("age", "sex", "kwargs", "expected"),
    # IOM 1997
    [
        (0.3, "male", {}, 30.0),
        (0.8, "female", {}, 75.0),
        (2, "female", {}, 80.0),
        (6, "male", {}, 130.0),
        (10, "female", {}, 240.0),
        (16, "male", {}, 410.0),
        (16, "female", {}, 360.0),
        (16, "female", {"pregnant": True}, 400.0),
        (16, "female", {"lactating": True}, 360.0),
        (25, "male", {}, 400.0),
        (25, "female", {"pregnant": True}, 350.0),
        (40, "female", {}, 320.0),
        (40, "female", {"pregnant": True}, 360.0),
        (70, "male", {}, 420.0),
        (70, "Female", {}, 320.0),
    ],
)
def test_recommended_intake(age, sex, kwargs, expected):
    assert mg.recommended_intake(age, sex, **kwargs) == expected


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"age": 30, "sex": "male", "pregnant": True}, "sex='female'"),
        ({"age": 30, "sex": "female", "pregnant": True, "lactating": True}, "cannot both"),
        ({"age": 60, "sex": "female", "pregnant": True}, r"\[14, 51\) years"),
        ({"age": -1, "sex": "female"}, r"age = -1 years is out of range"),
        ({"age": 30, "sex": "x"}, "sex = 'x'"),
    ],
)
def test_recommended_intake_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        mg.recommended_intake(**kwargs)


def test_upper_limit():
    # IOM 1997: supplemental UL 65 (1–3 y), 110 (4–8 y), 350 mg/day (≥ 9 y); none for infants
    assert mg.upper_limit(0.5) is None
    assert mg.upper_limit(2) == 65.0
    assert mg.upper_limit(8.9) == 110.0
    assert mg.upper_limit(9) == 350.0
    assert mg.exceeds_upper_limit(365, 45)  # Table 1 ref [28]: 365 mg/day
    assert not mg.exceeds_upper_limit(350, 45)
    with pytest.raises(ValueError, match="below 1 year"):
        mg.exceeds_upper_limit(50, 0.5)


@given(st.floats(min_value=0.0, max_value=120.0), st.sampled_from(["male", "female"]))
def test_rda_always_defined_and_plausible(age, sex):
    assert 30.0 <= mg.recommended_intake(age, sex) <= 420.0
