"""Tests for mgcourse.indices: published calibration values and formulas of the cited papers."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from mgcourse import indices

glucose_mmol = st.floats(min_value=3.6, max_value=30.0)
insulin_uu = st.floats(min_value=1.0, max_value=300.0)


def test_homa_reference_subject():
    # Matthews et al. 1985 (Diabetologia 28:412): the constants are chosen so that a normal
    # young adult (glucose 4.5 mmol/L, insulin 5 µU/mL) has HOMA-IR = 1 and %B = 100.
    assert_allclose(indices.homa_ir(4.5, 5.0), 1.0, rtol=1e-12)
    assert_allclose(indices.homa_beta(4.5, 5.0), 100.0, rtol=1e-12)


def test_homa_mgdl_constants_are_the_mmol_ones_times_18():
    # Matthews et al. 1985: 405 = 22.5 × 18 and 63 = 3.5 × 18
    assert_allclose(indices.homa_ir(81.0, 5.0, glucose_unit="mg/dL"), 1.0, rtol=1e-12)
    assert_allclose(indices.homa_beta(81.0, 5.0, glucose_unit="mg/dL"), 100.0, rtol=1e-12)


def test_homa_unit_forms_agree_to_0_09_percent():
    # Matthews et al. 1985: converting with 18.016 and dividing by 22.5 is ~0.09 % below mg/dL / 405
    g_mgdl = 100.0
    via_mmol = indices.homa_ir(g_mgdl / 18.016, 10.0)
    direct = indices.homa_ir(g_mgdl, 10.0, glucose_unit="mg/dL")
    assert_allclose(1 - via_mmol / direct, 0.00089, atol=2e-5)


def test_homa_insulin_in_pmol():
    assert_allclose(indices.homa_ir(4.5, 30.0, insulin_unit="pmol/L"), 1.0)
    assert_allclose(
        indices.homa_ir(4.5, 34.725, insulin_unit="pmol/L", insulin_factor=6.945), 1.0
    )


def test_guerrero_romero_entry_criterion_is_resistant():
    # Guerrero-Romero et al. 2004 enrolled adults with HOMA-IR >= 3.0; the conventional
    # 2.5 cut-off (Ascaso et al. 2003) classifies them all as insulin resistant.
    assert indices.is_insulin_resistant("homa_ir", 3.0)
    assert not indices.is_insulin_resistant("homa_ir", 2.5)


def test_quicki_hand_value():
    # Katz et al. 2000: QUICKI = 1 / (log10 I0 + log10 G0[mg/dL]); 1/(1 + log10 90)
    assert_allclose(indices.quicki(90.0, 10.0, glucose_unit="mg/dL"), 1 / (1 + np.log10(90)))


@given(glucose_mmol, insulin_uu)
def test_quicki_is_a_transform_of_homa(g, i):
    # Katz et al. 2000 [DERIVED]: QUICKI = 1 / log10(405 · HOMA1-IR) in the mg/dL form
    g_mgdl = g * 18.0
    homa = indices.homa_ir(g_mgdl, i, glucose_unit="mg/dL")
    assert_allclose(indices.quicki(g_mgdl, i, glucose_unit="mg/dL"), 1 / np.log10(405 * homa))


def test_quicki_cutoff_matches_homa_about_2_6():
    # Ascaso et al. 2003: QUICKI 0.33 and HOMA-IR 2.6 are both ~75th-percentile cut-offs;
    # through the identity, QUICKI 0.33 corresponds to HOMA-IR ≈ 2.6.
    homa_at_quicki_cutoff = 10 ** (1 / 0.33) / 405
    assert_allclose(homa_at_quicki_cutoff, 2.6, atol=0.05)


def test_tyg_original_definition():
    # Simental-Mendía et al. 2008: TyG = ln(TG[mg/dL] · G[mg/dL] / 2)
    assert_allclose(indices.tyg_index(150.0, 100.0, unit="mg/dL"), np.log(7500.0))
    tg_mmol, g_mmol = 150.0 / 88.57, 100.0 / 18.016
    assert_allclose(indices.tyg_index(tg_mmol, g_mmol), np.log(7500.0), rtol=1e-12)


def test_mcauley_formula():
    # McAuley et al. 2001: exp(2.63 − 0.28 ln I − 0.31 ln TG[mmol/L]); at I = 1, TG = 1 it is e^2.63
    assert_allclose(indices.mcauley_index(1.0, 1.0), np.exp(2.63))
    assert_allclose(
        indices.mcauley_index(10.0, 88.57, tg_unit="mg/dL"), np.exp(2.63 - 0.28 * np.log(10))
    )


def test_matsuda_formula_and_batch():
    # Matsuda & DeFronzo 1999: 10000 / sqrt(G0 · I0 · Gmean · Imean), mg/dL and µU/mL
    g = np.array([90.0, 150.0, 140.0, 120.0, 100.0])
    i = np.array([8.0, 60.0, 50.0, 40.0, 20.0])
    expected = 1e4 / np.sqrt(90 * 8 * g.mean() * i.mean())
    assert_allclose(indices.matsuda_index(g, i, glucose_unit="mg/dL"), expected)
    batch = indices.matsuda_index(np.stack([g, g]) / 18.016, np.stack([i, 2 * i]))
    assert batch.shape == (2,)
    assert_allclose(batch[0] / batch[1], 2.0)


def test_matsuda_needs_series_of_equal_shape():
    with pytest.raises(ValueError, match="at least 2 samples"):
        indices.matsuda_index(5.0, 10.0)
    with pytest.raises(ValueError, match="same shape"):
        indices.matsuda_index([5.0, 6.0, 7.0], [10.0, 20.0])


@pytest.mark.parametrize("as_array", [False, True])
def test_scalar_and_array(as_array):
    g, i = (np.array([4.5, 9.0]), np.array([5.0, 5.0])) if as_array else (4.5, 5.0)
    out = indices.homa_ir(g, i)
    if as_array:
        assert_allclose(out, [1.0, 2.0])
    else:
        assert isinstance(out, float)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: indices.homa_ir(-5.0, 10.0),
            r"glucose = -5 mmol/L is out of range; valid range is \(0, inf\] mmol/L",
        ),
        (lambda: indices.homa_ir(5.0, 0.0), r"insulin = 0 µU/mL is out of range"),
        (lambda: indices.homa_ir(float("nan"), 10.0), r"glucose must be a finite number"),
        (lambda: indices.homa_beta(3.5, 10.0), r"glucose = 3.5 mmol/L .* \(3.5, inf\]"),
        (lambda: indices.homa_beta(60.0, 10.0, glucose_unit="mg/dL"), r"\(63, inf\] mg/dL"),
        (lambda: indices.quicki(0.5, 1.0, glucose_unit="mg/dL"), r"glucose × insulin"),
        (lambda: indices.tyg_index(0.0, 5.0), r"triglycerides = 0 mmol/L"),
        (lambda: indices.homa_ir(5.0, 10.0, glucose_unit="g/L"), r"glucose_unit = 'g/L'"),
        (lambda: indices.mcauley_index(10.0, 1.0, insulin_unit="ng/mL"), r"insulin_unit"),
        (lambda: indices.is_insulin_resistant("homa2", 1.0), r"index = 'homa2'"),
        (lambda: indices.is_insulin_resistant("homa_ir", float("nan")), r"finite"),
    ],
)
def test_bad_input_names_argument_value_and_range(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@given(st.floats(max_value=0.0, allow_nan=False) | st.just(float("nan")) | st.just(float("inf")))
def test_any_nonpositive_or_nonfinite_glucose_is_rejected(bad):
    with pytest.raises(ValueError, match="glucose"):
        indices.homa_ir(bad, 10.0)


def test_cutoff_directions():
    assert indices.is_insulin_resistant("quicki", 0.30)
    assert not indices.is_insulin_resistant("mcauley", 6.0)
    assert indices.is_insulin_resistant("matsuda", 2.0)
    assert list(indices.is_insulin_resistant("homa_ir", np.array([1.0, 4.0]))) == [False, True]
    assert not indices.is_insulin_resistant("homa_ir", 3.0, cutoff=3.5)
