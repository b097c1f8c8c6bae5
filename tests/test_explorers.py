"""Tests for mgcourse.explorers: every explorer renders every static frame and says the truth."""

import inspect
import itertools
import re

import numpy as np
import pytest

from mgcourse import beta_cell, bursting_grid, evidence, explorers, indices, inflammation, magnesium

# every explorer factory in the module, so a new explorer is covered without editing this list
FACTORIES = [
    func for name, func in inspect.getmembers(explorers, inspect.isfunction)
    if name.endswith("_explorer") and func.__module__ == explorers.__name__
]


@pytest.mark.parametrize("factory", FACTORIES)
def test_every_static_combination_renders(factory):
    explorer = factory()
    view = explorer.static()
    grids = [p.frames() for p in explorer.params]
    assert view.grids == grids
    assert len(view.frames) == int(np.prod([len(g) for g in grids]))
    assert len(set(view.texts)) == len(view.texts)  # each frame is told apart in words
    for layout in range(len(view.layouts)):  # and every frame is drawn in each layout
        assert all(view.overlay(i, layout) for i in range(len(view.frames)))
    for p, grid in zip(explorer.params, grids, strict=True):
        if not p.options:  # every numeric slider, precomputed or not
            assert len(grid) >= 20, f"{p.name}: {len(grid)} positions"
    png = explorer.render_png(**dict(zip([p.name for p in explorer.params],
                                         next(itertools.product(*grids)), strict=True)))
    assert png.startswith(b"\x89PNG")  # the live rendering of the same definition


@pytest.mark.parametrize("factory", FACTORIES)
def test_axis_labels_are_lowercase_with_units(factory):
    fig = factory().figure()
    labels = [ax.get_xlabel() for ax in fig.axes if ax.get_xlabel()]
    assert labels
    for xlabel in labels:  # axes sharing x with a labelled one may have none
        assert xlabel[0].islower() or xlabel.startswith(("HOMA", "QUICKI", "Mg", "ATP"))
        assert "(" in xlabel


def _title(explorer) -> str:
    fig = explorer.figure()
    texts = [fig._suptitle] if fig._suptitle is not None else [ax.title for ax in fig.axes]
    return " ".join(t.get_text() for t in texts)


def test_homa_title_reports_the_package_values():
    explorer = explorers.homa_explorer()
    explorer.render_png(glucose=6.1, insulin=15.0)
    value = indices.homa_ir(6.1, 15.0)
    assert f"HOMA-IR {value:.2f}" in _title(explorer)
    assert "insulin resistant by" in _title(explorer) and "not" not in _title(explorer)
    explorer.render_png(glucose=4.5, insulin=5.0)
    assert "HOMA-IR 1.00" in _title(explorer) and "not insulin resistant" in _title(explorer)


def test_serum_explorer_reports_conversions_and_status():
    explorer = explorers.serum_magnesium_explorer()
    explorer.render_png(magnesium=0.8)
    assert "0.80 mmol/L = 1.94 mg/dL = 1.60 mEq/L" in _title(explorer)
    verdicts = [t.get_text() for t in explorer.figure().axes[0].texts if t.get_text() in
                ("low", "normal", "high")]
    expected = [magnesium.serum_status(0.8, reference_range=k) for k in magnesium.REFERENCE_RANGES]
    assert verdicts == expected == ["normal", "normal", "low", "normal"]


def test_dose_explorer_flags_doses_above_the_upper_limit():
    explorer = explorers.supplement_dose_explorer()
    explorer.render_png(salt="MgCl2·6H2O", salt_mass=2500.0)
    assert "299 mg/day of magnesium" in _title(explorer)
    assert "above the upper limit" not in _title(explorer)
    explorer.render_png(salt="MgO", salt_mass=1000.0)
    assert "603 mg/day of magnesium (above the upper limit)" in _title(explorer)


def test_katp_explorer_reports_the_published_open_fraction():
    explorer = explorers.katp_explorer()
    explorer.render_png(ratio=2.0, total=3000.0)
    expected = beta_cell.katp_open_fraction(atp=2000.0, adp=1000.0)
    assert f"ATP 2000 µM, ADP 1000 µM: o∞ = {expected:.3f} (published)" in _title(explorer)


def test_bursting_explorer_reads_the_grid():
    explorer = explorers.bursting_explorer()
    grid = bursting_grid.load()
    explorer.render_png(glucose=5.0, magnesium="published")
    assert "glucose 5 mM, published KATP fractions\nsilent" in _title(explorer)
    explorer.render_png(glucose=11.1, magnesium="1.0 mM")
    i, j = grid.index(11.1, 1.0)
    assert f"free Mg²⁺ 1.0 mM (teaching speciation)\n{grid.pattern[i, j]}" in _title(explorer)
    live = explorer.live()
    assert list(live.controls["glucose"].options) == [
        (f"{g:g}", g) for g in bursting_grid.GLUCOSE_LEVELS
    ]


def test_every_explorer_is_covered():
    assert len(FACTORIES) == 13


def test_signalling_explorer_reports_the_ec50():
    explorer = explorers.signalling_explorer()
    explorer.render_png(insulin=1.0, magnesium=0.25)
    assert "free Mg²⁺ 0.25 mM: receptor kinase × 0.67 (teaching assumption)" in _title(explorer)
    assert "GLUT4 EC50" in _title(explorer)


def test_topp_explorer_tells_compensation_from_failure():
    explorer = explorers.topp_explorer()
    explorer.render_png(sensitivity=0.5, secretion=1.0)
    assert "compensated" in _title(explorer) and "insulin 20.0 µU/mL" in _title(explorer)
    explorer.render_png(sensitivity=0.08, secretion=1.0)
    assert "β-cell failure" in _title(explorer)


def test_forest_explorer_pools_the_chosen_trials():
    explorer = explorers.forest_explorer()
    explorer.render_png(subset="Mg-deficient participants", method="fixed effect")
    deficient = [t for t in evidence.illustrative_trials() if t.deficient]
    pooled = evidence.pool_fixed([t.effect for t in deficient], [t.se for t in deficient])
    assert f"(k = {len(deficient)}): {pooled.estimate:.2f}" in _title(explorer)
    assert "not real studies" in _title(explorer)


def test_inflammation_explorer_lowers_glut4_when_magnesium_is_low():
    explorer = explorers.inflammation_explorer()
    explorer.render_png(serum_mg=0.49, other_load="none (× 1)")
    tnf = inflammation.tnf_steady_state(0.49)
    assert f"TNF-α × {tnf:.2f}" in _title(explorer)


def test_vascular_explorer_shows_the_selective_defect():
    explorer = explorers.vascular_explorer()
    explorer.render_png(scenario="insulin resistant", read_at=15.0)
    title = _title(explorer)
    tone, normal = (float(x) for x in re.findall(r"tone (-?[0-9.]+) % \(normal (-?[0-9.]+) %", title)[0])
    assert tone > normal  # less NO, same or more ET-1: constriction
    assert "teaching model" in title


def test_static_figure_text_is_the_model_output_unrounded():
    view = explorers.homa_explorer().static()
    start = view.index(view.initial)
    homa = float(indices.homa_ir(5.0, 10.0))
    title = f"HOMA-IR {homa:.2f}, QUICKI {float(indices.quicki(5.0, 10.0)):.3f}"
    assert title in view.texts[start]  # the headline is told in text next to the figure ...
    assert all(title not in view.overlay(start, k) for k in range(len(view.layouts)))  # not in it
