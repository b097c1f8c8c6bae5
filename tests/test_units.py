"""Tests for mgcourse.units."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from mgcourse import units

positive = st.floats(min_value=1e-6, max_value=1e6, allow_nan=False)


@pytest.mark.parametrize(
    ("value", "src", "dst", "expected"),
    [
        # molar mass: mmol/L = mg/dL / 18.016 (glucose 180.16 g/mol)
        (180.16, "mg/dL", "mmol/L", 10.0),
        (5.0, "mmol/L", "mg/dL", 90.08),
        (100.0, "mg/dl", "mmol/l", 100.0 / 18.016),
        (7.0, "mmol/L", "mmol/L", 7.0),
    ],
)
def test_convert_glucose(value, src, dst, expected):
    assert_allclose(units.convert_glucose(value, src, dst), expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("value", "src", "dst", "factor", "expected"),
    [
        # Knopp et al. 2019: 6.00 (harmonised) or 6.945 (older) pmol/L per µU/mL
        (60.0, "pmol/L", "µU/mL", 6.0, 10.0),
        (69.45, "pmol/L", "uU/mL", 6.945, 10.0),
        (10.0, "mU/L", "pmol/L", 6.0, 60.0),
        (10.0, "μU/mL", "µU/mL", 6.0, 10.0),
    ],
)
def test_convert_insulin(value, src, dst, factor, expected):
    assert_allclose(units.convert_insulin(value, src, dst, factor=factor), expected, rtol=1e-12)


def test_insulin_conventions_differ_by_about_16_percent():
    # Knopp et al. 2019: the two conventions differ by about 16 %
    ratio = units.INSULIN_PMOL_PER_UU_OLD / units.INSULIN_PMOL_PER_UU
    assert_allclose(ratio, 1.16, atol=0.01)


@pytest.mark.parametrize(
    ("value", "src", "dst", "expected"),
    [
        # the molar mass of Mg: 1 mmol/L = 2.4305 mg/dL = 2 mEq/L
        (1.0, "mmol/L", "mg/dL", 2.4305),
        (1.0, "mmol/L", "mEq/L", 2.0),
        (1.0, "mEq/L", "mmol/L", 0.5),
        (1.0, "mg/dL", "mmol/L", 0.41144),
    ],
)
def test_convert_magnesium(value, src, dst, expected):
    assert_allclose(units.convert_magnesium(value, src, dst), expected, rtol=1e-4)


def test_convert_triglycerides():
    # molar mass: mmol/L = mg/dL / 88.57 (triolein)
    assert_allclose(units.convert_triglycerides(88.57, "mg/dL", "mmol/L"), 1.0)


def test_arrays_keep_shape_and_scalars_return_float():
    values = np.array([[90.0, 100.0], [126.0, 200.0]])
    out = units.convert_glucose(values, "mg/dL", "mmol/L")
    assert isinstance(out, np.ndarray) and out.shape == (2, 2)
    assert isinstance(units.convert_glucose(90.0, "mg/dL", "mmol/L"), float)


@given(positive)
def test_round_trips(value):
    for convert, a, b in [
        (units.convert_glucose, "mmol/L", "mg/dL"),
        (units.convert_triglycerides, "mmol/L", "mg/dL"),
        (units.convert_insulin, "µU/mL", "pmol/L"),
        (units.convert_magnesium, "mEq/L", "mg/dL"),
    ]:
        assert_allclose(convert(convert(value, a, b), b, a), value, rtol=1e-12)


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf"), [1.0, -0.5]])
def test_bad_values_raise_naming_argument_and_unit(bad):
    with pytest.raises(ValueError, match=r"glucose.*mg/dL"):
        units.convert_glucose(bad, "mg/dL", "mmol/L")


def test_unknown_unit_raises_with_choices():
    with pytest.raises(ValueError, match=r"glucose unit = 'g/L' is not supported.*mmol/L"):
        units.convert_glucose(1.0, "g/L", "mmol/L")
    with pytest.raises(ValueError, match="magnesium unit"):
        units.convert_magnesium(1.0, "mmol/L", "ppm")


def test_insulin_factor_range_checked():
    with pytest.raises(ValueError, match=r"factor = 60 .*\[5, 8\]"):
        units.convert_insulin(1.0, "pmol/L", "µU/mL", factor=60)


def test_non_numeric_input():
    with pytest.raises(ValueError, match="glucose must be a number"):
        units.convert_glucose("five", "mmol/L", "mg/dL")
    with pytest.raises(ValueError, match="unit must be a string"):
        units.normalise_unit(5)  # type: ignore[arg-type]
