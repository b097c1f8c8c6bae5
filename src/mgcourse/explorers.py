"""Ready-made explorers for the book: parameter specs plus plot functions.

Each factory returns a fresh :class:`~mgcourse.widgets.Explorer`; call
``.show()`` in a notebook. Plot functions draw only with the model functions of
:mod:`mgcourse.indices` and :mod:`mgcourse.magnesium`; nothing is computed here
that the package does not already test.
"""

from __future__ import annotations

import functools
import itertools
import math
import warnings
from collections.abc import Callable
from dataclasses import replace
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from mgcourse import (
    MgcourseWarning,
    bursting_grid,
    evidence,
    inflammation,
    liver,
    signalling,
    vascular,
    whole_body,
)
from mgcourse.beta_cell import katp_open_fraction
from mgcourse.indices import CUTOFFS, homa_ir, quicki
from mgcourse.magnesium import (
    REFERENCE_RANGES,
    SALTS,
    elemental_fraction,
    elemental_magnesium,
    serum_status,
    upper_limit,
)
from mgcourse.units import convert_magnesium
from mgcourse.widgets import Explorer, Param, Update, is_narrow

__all__ = [
    "OKABE_ITO",
    "adipocyte_explorer",
    "bursting_explorer",
    "forest_explorer",
    "homa_explorer",
    "inflammation_explorer",
    "ivgtt_explorer",
    "katp_explorer",
    "liver_explorer",
    "serum_magnesium_explorer",
    "signalling_explorer",
    "supplement_dose_explorer",
    "topp_explorer",
    "vascular_explorer",
]

#: Colour-blind-safe palette (Okabe & Ito 2008).
OKABE_ITO: Final = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}



def _panels(fig: Figure, wide: list[list[Any]], narrow_heights: tuple[float, ...] | None = None,
            **wide_options: Any) -> dict[str, Axes]:
    """Axes by name: the ``wide`` mosaic in the wide layout, one column on a phone.

    The column takes the panels column by column, so that a stack of panels
    sharing time stays together.
    """
    if is_narrow(fig):
        names = list(dict.fromkeys(name for column in zip(*wide, strict=True) for name in column))
        return fig.subplot_mosaic([[name] for name in names], height_ratios=narrow_heights)
    return fig.subplot_mosaic(wide, **wide_options)


def _legend(ax: Axes, **options: Any) -> None:
    """A legend in ``ax`` on a wide figure; above the axes on a phone, where it would hide curves."""
    fig = ax.get_figure()
    assert isinstance(fig, Figure)
    if is_narrow(fig):
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.01), borderaxespad=0.0,
                  title=options.get("title"))
    else:
        ax.legend(**options)


_GLUCOSE = np.linspace(3.0, 12.0, 121)
_INSULIN = np.linspace(1.0, 40.0, 157)
_HOMA_GRID = np.asarray(homa_ir(_GLUCOSE[None, :], _INSULIN[:, None]))
_HOMA_LINE = np.linspace(0.2, 20.0, 300)
_QUICKI_LINE = np.asarray(1.0 / np.log10(405.0 * _HOMA_LINE))


def _plot_homa(fig: Figure) -> Update:
    cutoff = CUTOFFS["homa_ir"].value
    axes = _panels(fig, [["plane", "q"]], width_ratios=(1.25, 1))
    ax_plane, ax_q = axes["plane"], axes["q"]
    ax_plane.contourf(
        _GLUCOSE, _INSULIN, _HOMA_GRID, levels=[cutoff, _HOMA_GRID.max()],
        colors=[OKABE_ITO["orange"]], alpha=0.25,
    )
    lines = ax_plane.contour(
        _GLUCOSE, _INSULIN, _HOMA_GRID, levels=[1.0, cutoff, 5.0, 10.0],
        colors=[OKABE_ITO["blue"]], linewidths=[0.8, 1.8, 0.8, 0.8],
    )
    ax_plane.clabel(lines, fmt="HOMA-IR %g")
    (point,) = ax_plane.plot([], [], "o", color=OKABE_ITO["vermillion"], markersize=9)
    ax_plane.set_xlabel("fasting glucose (mmol/L)")
    ax_plane.set_ylabel("fasting insulin (µU/mL)")
    ax_plane.set_title("shaded: HOMA-IR above 2.5")

    ax_q.plot(_HOMA_LINE, _QUICKI_LINE, color=OKABE_ITO["blue"])
    ax_q.axvline(cutoff, color=OKABE_ITO["orange"], linestyle="--", label="HOMA-IR 2.5")
    ax_q.axhline(CUTOFFS["quicki"].value, color=OKABE_ITO["green"], linestyle=":",
                 label="QUICKI 0.33")
    (q_point,) = ax_q.plot([], [], "o", color=OKABE_ITO["vermillion"], markersize=9)
    ax_q.set_xscale("log")
    ax_q.set_xlabel("HOMA-IR (log scale)")
    ax_q.set_ylabel("QUICKI")
    _legend(ax_q, loc="upper right")
    title = fig.suptitle(" ")

    def update(glucose: float, insulin: float) -> tuple[Artist, ...]:
        value = float(homa_ir(glucose, insulin))
        q = float(quicki(glucose, insulin))
        point.set_data([glucose], [insulin])
        q_point.set_data([value], [1.0 / np.log10(405.0 * value)])
        verdict = "insulin resistant" if value > cutoff else "not insulin resistant"
        title.set_text(
            f"HOMA-IR {value:.2f}, QUICKI {q:.3f}: {verdict} by the 2.5 convention"
        )
        return (point, q_point, title)

    return update


def homa_explorer() -> Explorer:
    """HOMA-IR and QUICKI over fasting glucose × insulin, with the usual cut-offs.

    Returns
    -------
    Explorer
        Sliders for fasting glucose [mmol/L] and fasting insulin [µU/mL].
    """
    return Explorer(
        title="HOMA-IR and QUICKI calculator",
        params=(
            Param("glucose", "fasting glucose", "mmol/L", 3.6, 12.0, 5.0, 0.1,
                  static_values=(4.0, 4.5, 5.0, 5.5, 6.1, 7.0, 9.0)),
            Param("insulin", "fasting insulin", "µU/mL", 2.0, 40.0, 10.0, 0.5,
                  static_values=(3.0, 5.0, 8.0, 10.0, 15.0, 20.0, 30.0)),
        ),
        plot=_plot_homa,
        figsize=(7.0, 3.9),
        narrow_figsize=(3.7, 6.4),
        alt="First panel: fasting glucose against fasting insulin with HOMA-IR contour lines and the "
        "region above 2.5 shaded; a dot marks the chosen values. Second panel: QUICKI falls as "
        "HOMA-IR rises, with both cut-offs drawn",
    )


def _plot_serum(fig: Figure) -> Update:
    ax = fig.subplots()
    names = list(REFERENCE_RANGES)
    palette = [OKABE_ITO["blue"], OKABE_ITO["green"], OKABE_ITO["purple"], OKABE_ITO["orange"]]
    verdicts = []
    for row, (name, colour) in enumerate(zip(names, palette, strict=True)):
        rng = REFERENCE_RANGES[name]
        ax.barh(row, rng.high - rng.low, left=rng.low, height=0.5, color=colour, alpha=0.7)
        verdicts.append(ax.text(1.42, row, "", va="center", ha="right"))
    marker = ax.axvline(0.85, color=OKABE_ITO["vermillion"], linewidth=2)
    ax.axvspan(0.3, 0.6, color=OKABE_ITO["vermillion"], alpha=0.08)
    ax.text(0.31, len(names) - 0.45, "symptoms usually ≤ 0.6")
    ax.set_yticks(range(len(names)),
                  ["harmonised 0.70–1.10", "NHANES 0.75–0.95", "MaGNet ≥ 0.85",
                   "2022 review 0.76–1.15"])
    ax.set_xlim(0.3, 1.45)
    ax.set_ylim(-0.6, len(names) - 0.2)
    ax.invert_yaxis()
    ax.set_xlabel("total serum Mg (mmol/L);\nverdicts on the right"
                  if is_narrow(fig) else
                  "total serum magnesium (mmol/L); status under each range on the right")
    title = fig.suptitle(" ")

    def update(magnesium: float) -> tuple[Artist, ...]:
        marker.set_xdata([magnesium, magnesium])
        for name, text in zip(names, verdicts, strict=True):
            status = serum_status(magnesium, reference_range=name)
            text.set_text(status)
            text.set_fontweight("bold" if status != "normal" else "normal")
        mgdl = float(convert_magnesium(magnesium, "mmol/L", "mg/dL"))
        meq = float(convert_magnesium(magnesium, "mmol/L", "mEq/L"))
        title.set_text(f"{magnesium:.2f} mmol/L = {mgdl:.2f} mg/dL = {meq:.2f} mEq/L")
        return (marker, title, *verdicts)

    return update


def serum_magnesium_explorer() -> Explorer:
    """Serum magnesium against four published reference ranges, with unit conversions.

    Returns
    -------
    Explorer
        One slider for total serum magnesium [mmol/L].
    """
    return Explorer(
        title="Serum magnesium and reference ranges",
        params=(
            Param("magnesium", "serum magnesium", "mmol/L", 0.4, 1.3, 0.8, 0.01,
                  static_values=(0.5, 0.6, 0.65, 0.7, 0.74, 0.8, 0.85, 0.9, 1.0, 1.12, 1.2)),
        ),
        plot=_plot_serum,
        alt="Four horizontal bars show published reference ranges for serum magnesium; a "
        "vertical line marks the chosen value and each range's verdict is printed beside it",
        figsize=(7.0, 3.2),
        narrow_figsize=(3.7, 3.6),
    )


_DOSE_SALTS: Final = (
    "MgO",
    "Mg(OH)2",
    "MgCl2·6H2O",
    "MgSO4·7H2O",
    "Mg3(C6H5O7)2",
    "Mg(C3H5O3)2·2H2O",
    "Mg(C4H6NO4)2·2H2O",
    "Mg(C6H11O7)2",
)
_SALT_NAMES: Final = {formula: name for name, formula in SALTS.items() if name != "epsom salt"}


def _plot_dose(fig: Figure) -> Update:
    axes = _panels(fig, [["bar", "frac"]], narrow_heights=(1, 2.2), width_ratios=(1.3, 1))
    ax_bar, ax_frac = axes["bar"], axes["frac"]
    limit = upper_limit(30.0)
    assert limit is not None
    bars = ax_bar.barh(["salt", "elemental Mg"], [0.0, 0.0],
                       color=[OKABE_ITO["sky"], OKABE_ITO["blue"]])
    ax_bar.axvline(limit, color=OKABE_ITO["vermillion"], linestyle="--",
                   label="upper limit, supplements (350 mg/day)" if is_narrow(fig) else
                   "adult upper limit for supplements (350 mg/day)")
    ax_bar.axvspan(310, 420, color=OKABE_ITO["green"], alpha=0.15,
                   label="RDA, all sources (310–420 mg/day)" if is_narrow(fig) else
                   "adult RDA, all sources (310–420 mg/day)")
    ax_bar.set_xlim(0, 3100)
    ax_bar.set_xlabel("mass per day (mg)")
    fig.legend(loc="outside lower center", ncols=1 if is_narrow(fig) else 2)
    fractions = [100 * elemental_fraction(s) for s in _DOSE_SALTS]
    frac_bars = ax_frac.barh(range(len(_DOSE_SALTS)), fractions, color=OKABE_ITO["sky"])
    ax_frac.set_yticks(range(len(_DOSE_SALTS)), _DOSE_SALTS)
    ax_frac.invert_yaxis()
    ax_frac.set_xlabel("Mg (% of salt mass)")
    title = fig.suptitle(" ")

    def update(salt: str, salt_mass: float) -> tuple[Artist, ...]:
        elemental = float(elemental_magnesium(salt_mass, salt))
        bars[0].set_width(salt_mass)
        bars[1].set_width(elemental)
        for formula, bar in zip(_DOSE_SALTS, frac_bars, strict=True):
            bar.set_color(OKABE_ITO["vermillion"] if formula == salt else OKABE_ITO["sky"])
        name = _SALT_NAMES.get(salt, salt)
        over = " (above the upper limit)" if elemental > limit else ""
        title.set_text(
            f"{salt_mass:.0f} mg/day of {name}: {elemental:.0f} mg/day of magnesium{over}"
        )
        return (*bars, *frac_bars, title)

    return update


def supplement_dose_explorer() -> Explorer:
    """Elemental magnesium supplied by a daily mass of a chosen salt.

    Returns
    -------
    Explorer
        A choice of salt and a slider for the daily salt mass [mg].
    """
    return Explorer(
        title="From salt mass to elemental magnesium",
        params=(
            Param("salt", "salt", options=_DOSE_SALTS, default="MgCl2·6H2O"),
            Param("salt_mass", "salt per day", "mg", 100.0, 3000.0, 2500.0, 50.0,
                  static_values=(250.0, 500.0, 1000.0, 1500.0, 2500.0, 3000.0)),
        ),
        plot=_plot_dose,
        figsize=(7.0, 4.2),
        narrow_figsize=(3.7, 6.6),
        alt="First panel: bars compare the daily salt mass with the elemental magnesium it contains, "
        "against the upper limit and the recommended intake. Second panel: elemental magnesium as a "
        "percentage of mass for eight salts, the chosen one highlighted",
    )


_RATIO = np.geomspace(0.3, 30.0, 200)
_KATP_LEVELS: Final = (None, 0.25, 0.5, 1.0, 2.0)  # free Mg²⁺ [mM]; None = published
_KATP_COLOURS: Final = (
    OKABE_ITO["black"], OKABE_ITO["vermillion"], OKABE_ITO["orange"], OKABE_ITO["sky"],
    OKABE_ITO["blue"],
)


def _plot_katp(fig: Figure) -> Update:
    ax = fig.subplots()
    curves, markers = [], []
    for level, colour in zip(_KATP_LEVELS, _KATP_COLOURS, strict=True):
        label = "published fixed fractions" if level is None else f"free Mg²⁺ {level:g} mM"
        style = "-" if level is None else "--"
        (curve,) = ax.plot([], [], style, color=colour, label=label, linewidth=2 if level is None else 1.3)
        (marker,) = ax.plot([], [], "o", color=colour, markersize=6)
        curves.append(curve)
        markers.append(marker)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(_RATIO[0], _RATIO[-1])
    ax.set_ylim(3e-4, 0.1)
    ax.set_xlabel("ATP/ADP ratio (log scale)")
    ax.set_ylabel("KATP open fraction o∞ (log scale)")
    _legend(ax, loc="upper right", title="dashed: teaching generalisation")
    cursor = ax.axvline(1.0, color="0.5", linewidth=0.8)
    title = fig.suptitle(" ")

    def update(ratio: float, total: float) -> tuple[Artist, ...]:
        adp = total / (1.0 + _RATIO)
        adp_here = total / (1.0 + ratio)
        for level, curve, marker in zip(_KATP_LEVELS, curves, markers, strict=True):
            curve.set_data(_RATIO, katp_open_fraction(atp=total - adp, adp=adp, free_mg=level))
            here = float(katp_open_fraction(atp=total - adp_here, adp=adp_here, free_mg=level))
            marker.set_data([ratio], [here])
        cursor.set_xdata([ratio, ratio])
        published = float(katp_open_fraction(atp=total - adp_here, adp=adp_here))
        title.set_text(f"ATP {total - adp_here:.0f} µM, ADP {adp_here:.0f} µM: "
                       f"o∞ = {published:.3f} (published)")
        return (*curves, *markers, cursor, title)

    return update


def katp_explorer() -> Explorer:
    """KATP open fraction against the ATP/ADP ratio, one curve per free Mg²⁺ level.

    The published Magnus–Keizer model (fixed nucleotide fractions) is drawn solid;
    the Mg-dependent speciation, a teaching generalisation, dashed. Total adenine
    nucleotide follows the simple convention ATP + ADP = total.

    Returns
    -------
    Explorer
        Sliders for the ATP/ADP ratio [-] and total ATP + ADP [µM].
    """
    return Explorer(
        title="KATP channel: open fraction against ATP/ADP",
        params=(
            Param("ratio", "ATP/ADP ratio", "", 0.3, 30.0, 3.0, 0.1,
                  static_values=(0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0)),
            Param("total", "ATP + ADP", "µM", 1000.0, 5000.0, 3000.0, 100.0,
                  static_values=(1500.0, 2500.0, 3000.0, 4000.0)),
        ),
        plot=_plot_katp,
        figsize=(7.0, 4.4),
        narrow_figsize=(3.7, 5.6),
        alt="Curves of KATP open fraction falling as the ATP/ADP ratio rises, one per free "
        "magnesium level and one for the published model; dots mark the chosen ratio",
    )


_MG_OPTIONS: Final = ("published", "1.0 mM", "1.1 mM", "1.2 mM", "1.25 mM", "1.3 mM")


def _mg_level(option: str) -> float | None:
    return None if option == "published" else float(option.split()[0])


def _plot_bursting(fig: Figure) -> Update:
    grid = bursting_grid.load()
    ax_v, ax_ca = fig.subplots(2, 1, sharex=True)
    (v_line,) = ax_v.plot([], [], color=OKABE_ITO["blue"], linewidth=0.6)
    ax_v.set_ylim(-75, 0)
    ax_v.set_ylabel("V (mV)")
    ax_v.axhline(-30.0, color="0.6", linewidth=0.6, linestyle=":")
    (ca_line,) = ax_ca.plot([], [], color=OKABE_ITO["vermillion"], linewidth=1.0)
    ax_ca.set_ylim(0.0, 0.3)
    ax_ca.set_ylabel("Ca²⁺ (µM)")
    ax_ca.set_xlabel("time after a 60 s transient (s)")
    ax_ca.set_xlim(0.0, float(grid.time[-1]))
    title = fig.suptitle(" ")

    def update(glucose: float, magnesium: str) -> tuple[Artist, ...]:
        i, j = grid.index(glucose, _mg_level(magnesium))
        v_line.set_data(grid.time, grid.v[i, j])
        ca_line.set_data(grid.time, grid.ca[i, j])
        pattern = str(grid.pattern[i, j])
        if pattern == "bursting":
            detail = (f"bursting, period {grid.period[i, j]:.0f} s, "
                      f"active {100 * grid.active_fraction[i, j]:.0f} % of the time")
        else:
            detail = pattern
        model = ("published KATP fractions" if magnesium == "published"
                 else f"free Mg²⁺ {magnesium} (teaching speciation)")
        title.set_text(f"glucose {glucose:g} mM, {model}\n"
                       f"{detail}; mean Ca²⁺ {grid.mean_calcium[i, j]:.3f} µM")
        return (v_line, ca_line, title)

    return update


def bursting_explorer() -> Explorer:
    """Membrane potential and Ca²⁺ of the Bertram 2004 β-cell model against glucose and Mg²⁺.

    Reads precomputed simulations (:mod:`mgcourse.bursting_grid`) so that every
    slider position answers at once. Glucose sets the glucokinase drive and free
    Mg²⁺ the KATP nucleotide speciation, both teaching assumptions.

    Returns
    -------
    Explorer
        A glucose slider [mM] and a choice of KATP speciation (published or a free Mg²⁺ level).
    """
    return Explorer(
        title="β-cell bursting against glucose and free Mg²⁺",
        params=(
            Param("glucose", "glucose", "mM", min(bursting_grid.GLUCOSE_LEVELS),
                  max(bursting_grid.GLUCOSE_LEVELS), 11.1,
                  static_values=bursting_grid.GLUCOSE_LEVELS, discrete=True),
            Param("magnesium", "KATP speciation", options=_MG_OPTIONS, default="published"),
        ),
        plot=_plot_bursting,
        alt="Two stacked traces over two minutes: membrane potential with spikes grouped in "
        "bursts or continuous, and cytosolic calcium rising during each active phase",
        figsize=(7.0, 4.4),
        narrow_figsize=(3.7, 4.6),
    )


# -- chapter 3: insulin signalling, liver and whole body ------------------------------------

def _levels(start: float, stop: float, count: int, *, log: bool = False) -> tuple[float, ...]:
    """``count`` slider levels from ``start`` to ``stop``, evenly spaced (in log when ``log``),
    rounded to two significant figures (log) or to 1e-9 (linear) so that they read cleanly."""
    if log:
        return tuple(float(f"{v:.2g}") for v in np.geomspace(start, stop, count))
    return tuple(round(float(v), 9) for v in np.linspace(start, stop, count))


_SIGNALLING_DOSES_NM: Final = _levels(0.01, 100.0, 21, log=True)  # 1 nM is the middle level
_SIGNALLING_MG: Final = _levels(0.05, 1.0, 20)  # free Mg²⁺ [mM]; 0.5 mM is the reference
_CURVE_DOSES_M: Final = np.geomspace(1e-12, 1e-6, 13)


def _mg_note(free_mg: float) -> str:
    if free_mg == 0.5:
        return "free Mg²⁺ 0.5 mM (reference: published model)"
    factor = float(signalling.receptor_kinase_factor(free_mg))
    return f"free Mg²⁺ {free_mg:g} mM: receptor kinase × {factor:.2f} (teaching assumption)"


@functools.cache
def _signalling_runs() -> tuple[dict[tuple[float, float], signalling.SedaghatResult],
                                dict[float, signalling.SedaghatDoseResponse]]:
    runs = {
        (dose, mg): signalling.simulate_sedaghat(dose * 1e-9, magnesium=None if mg == 0.5 else mg,
                                                 sample_interval=0.25)
        for dose in _SIGNALLING_DOSES_NM for mg in _SIGNALLING_MG
    }
    curves = {
        mg: signalling.dose_response_sedaghat(_CURVE_DOSES_M, magnesium=None if mg == 0.5 else mg)
        for mg in _SIGNALLING_MG
    }
    return runs, curves


def _plot_signalling(fig: Figure) -> Update:
    runs, curves = _signalling_runs()
    axes = _panels(fig, [["glut4", "dose"], ["akt", "dose"]], width_ratios=(1.3, 1))
    ax_g, ax_a, ax_d = axes["glut4"], axes["akt"], axes["dose"]
    for ax in (ax_g, ax_a):
        ax.axvspan(0, 15, color="0.92")
        ax.set_xlim(0, 60)
    (glut4,) = ax_g.plot([], [], color=OKABE_ITO["blue"])
    ax_g.set_ylim(0, 42)
    ax_g.set_ylabel("surface GLUT4 (%)")
    ax_g.text(1, 37, "insulin on")
    (akt,) = ax_a.plot([], [], color=OKABE_ITO["vermillion"], label="active Akt")
    (pip3,) = ax_a.plot([], [], color=OKABE_ITO["green"], label="PIP3")
    ax_a.set_ylim(0, 10)
    ax_a.set_ylabel("% of total")
    ax_a.set_xlabel("time (min)")
    _legend(ax_a, loc="upper right")
    reference = curves[0.5]
    ax_d.plot(reference.insulin * 1e9, reference.surface_glut4, color="0.6", linewidth=2,
              label="reference (0.5 mM)")
    (curve,) = ax_d.plot([], [], color=OKABE_ITO["blue"], linestyle="--", label="chosen Mg²⁺")
    (point,) = ax_d.plot([], [], "o", color=OKABE_ITO["blue"])
    ax_d.set_xscale("log")
    ax_d.set_ylim(0, 42)
    ax_d.set_xlabel("insulin held for 15 min (nM, log scale)")
    ax_d.set_ylabel("surface GLUT4 at 15 min (%)")
    _legend(ax_d, loc="upper left")
    title = fig.suptitle(" ")

    def update(insulin: float, magnesium: float) -> tuple[Artist, ...]:
        run = runs[(insulin, magnesium)]
        glut4.set_data(run.time, run.surface_glut4)
        akt.set_data(run.time, run.akt)
        pip3.set_data(run.time, run.pip3)
        response = curves[magnesium]
        curve.set_data(response.insulin * 1e9, response.surface_glut4)
        held = np.interp(np.log(insulin * 1e-9), np.log(response.insulin), response.surface_glut4)
        point.set_data([insulin], [held])
        ec50 = signalling.ec50(response.insulin, response.surface_glut4) * 1e9
        title.set_text(f"{insulin:g} nM insulin for 15 min; {_mg_note(magnesium)}\n"
                       f"peak surface GLUT4 {run.surface_glut4.max():.1f} %, "
                       f"GLUT4 EC50 {ec50:.2f} nM")
        return (glut4, akt, pip3, curve, point, title)

    return update


def signalling_explorer() -> Explorer:
    """Sedaghat et al. 2002 insulin signalling: dose and free Mg²⁺ against GLUT4, Akt and PIP3.

    Insulin is applied as the published 15-min step; the right panel is the
    dose–response of surface GLUT4 under held insulin read at 15 min. Free Mg²⁺
    scales the receptor kinase (k7, k3) as a teaching assumption.

    Returns
    -------
    Explorer
        Insulin dose [nM] and free Mg²⁺ [mM], both on the precomputed levels.
    """
    return Explorer(
        title="Insulin signalling to GLUT4 (Sedaghat et al. 2002)",
        params=(
            Param("insulin", "insulin", "nM", 0.01, 100.0, 1.0,
                  static_values=_SIGNALLING_DOSES_NM, discrete=True),
            Param("magnesium", "free Mg²⁺", "mM", 0.05, 1.0, 0.5,
                  static_values=_SIGNALLING_MG, discrete=True),
        ),
        plot=_plot_signalling,
        alt="Time courses of surface GLUT4, active Akt and PIP3 during and after a 15-minute "
        "insulin step, beside the GLUT4 dose-response curve for the chosen magnesium level "
        "and for the reference",
        figsize=(7.0, 4.8),
        narrow_figsize=(3.7, 8.4),
    )


_ADIPOCYTE_DOSES_NM: Final = _levels(0.001, 100.0, 21, log=True)  # 1 nM is a level
_ADIPOCYTE_OUTPUTS: Final = {
    "glucose uptake": ("glucose_uptake", "glucose uptake (a.u.)"),
    "PKB-Ser473": ("pkb_ser473", "PKB phosphorylated at Ser473 (a.u.)"),
    "AS160p": ("as160p", "phosphorylated AS160 (a.u.)"),
    "GLUT4 at membrane": ("glut4m", "GLUT4 at the membrane (a.u.)"),
}


def _brannmark_output(result: object, key: str) -> npt.NDArray[np.float64]:
    return np.asarray(getattr(result, key), dtype=float)


@functools.cache
def _adipocyte_runs() -> dict[tuple[float, str], signalling.BrannmarkResult]:
    return {
        (dose, name): signalling.simulate_brannmark(dose, parameters=params, sample_interval=0.25)
        for dose in _ADIPOCYTE_DOSES_NM
        for name, params in (("normal", signalling.NORMAL), ("T2D", signalling.T2D))
    }


def _plot_adipocyte(fig: Figure) -> Update:
    runs = _adipocyte_runs()
    axes = _panels(fig, [["t", "d"]], width_ratios=(1.1, 1))
    ax_t, ax_d = axes["t"], axes["d"]
    colours = {"normal": OKABE_ITO["blue"], "T2D": OKABE_ITO["vermillion"]}
    lines = {name: ax_t.plot([], [], color=colours[name], label=name)[0] for name in colours}
    curves = {name: ax_d.plot([], [], "-", color=colours[name], label=name)[0] for name in colours}
    points = {name: ax_d.plot([], [], "o", color=colours[name])[0] for name in colours}
    for ax in (ax_t, ax_d):
        ax.set_ylim(0, 110)
    ax_t.set_xlim(0, 30)
    ax_t.set_xlabel("time after insulin (min)")
    ax_t.set_ylabel("% of the normal maximum")
    _legend(ax_t, loc="lower right")
    ax_d.set_xscale("log")
    ax_d.set_xlim(0.0006, 170)
    ax_d.set_xlabel("insulin (nM, log scale)")
    ax_d.set_title("response at 30 min")
    title = fig.suptitle(" ")
    scale = {
        key: 100.0 / max(float(_brannmark_output(runs[(d, "normal")], key).max())
                         for d in _ADIPOCYTE_DOSES_NM)
        for key, _ in _ADIPOCYTE_OUTPUTS.values()
    }

    def update(insulin: float, output: str) -> tuple[Artist, ...]:
        key, label = _ADIPOCYTE_OUTPUTS[output]
        for name in colours:
            run = runs[(insulin, name)]
            lines[name].set_data(run.time, scale[key] * _brannmark_output(run, key))
            ends = [scale[key] * float(_brannmark_output(runs[(d, name)], key)[-1])
                    for d in _ADIPOCYTE_DOSES_NM]
            curves[name].set_data(_ADIPOCYTE_DOSES_NM, ends)
            points[name].set_data([insulin], [scale[key] * float(_brannmark_output(run, key)[-1])])
        normal = float(_brannmark_output(runs[(insulin, "normal")], key)[-1])
        diabetic = float(_brannmark_output(runs[(insulin, "T2D")], key)[-1])
        title.set_text(f"{label} at {insulin:g} nM insulin, 30 min\nnormal {normal:.1f}, "
                       f"type 2 diabetes {diabetic:.1f} ({100 * diabetic / normal:.0f} % of normal)")
        return (*lines.values(), *curves.values(), *points.values(), title)

    return update


def adipocyte_explorer() -> Explorer:
    """Brännmark et al. 2013 human adipocyte: normal against type 2 diabetes.

    Returns
    -------
    Explorer
        Insulin dose [nM] (precomputed levels) and the output shown.
    """
    return Explorer(
        title="Adipocyte insulin response: normal and type 2 diabetes (Brännmark et al. 2013)",
        params=(
            Param("insulin", "insulin", "nM", 0.001, 100.0, 1.0,
                  static_values=_ADIPOCYTE_DOSES_NM, discrete=True),
            Param("output", "output", options=tuple(_ADIPOCYTE_OUTPUTS), default="glucose uptake"),
        ),
        plot=_plot_adipocyte,
        figsize=(7.0, 4.0),
        narrow_figsize=(3.7, 6.2),
        alt="First panel: the chosen output over 30 minutes of insulin for a normal and a type 2 "
        "diabetic adipocyte. Second panel: both dose-response curves at 30 minutes, the diabetic one "
        "lower at every dose",
    )


_LIVER_DOSES_NM: Final = _levels(0.01, 1.0, 21, log=True)  # Kubota et al. 2012 stimulation range
_LIVER_MG: Final = _levels(0.05, 1.0, 20)  # free Mg²⁺ [mM]; 0.5 mM is the reference


@functools.cache
def _liver_runs() -> dict[tuple[float, float], liver.KubotaResult]:
    return {
        (dose, mg): liver.simulate_kubota(dose, magnesium=None if mg == 0.5 else mg)
        for dose in _LIVER_DOSES_NM for mg in _LIVER_MG
    }


def _plot_liver(fig: Figure) -> Update:
    runs = _liver_runs()
    axes = _panels(fig, [["t", "d"]], width_ratios=(1.3, 1))
    ax_t, ax_d = axes["t"], axes["d"]
    series = {
        "pAKT": OKABE_ITO["vermillion"], "pFoxO1": OKABE_ITO["green"],
        "pS6K": OKABE_ITO["purple"], "G6Pase": OKABE_ITO["blue"],
    }
    lines = {name: ax_t.plot([], [], color=colour, label=name)[0] for name, colour in series.items()}
    ax_t.set_xlim(0, 480)
    ax_t.set_ylim(0, 1.2)
    ax_t.set_xlabel("time after insulin (min)")
    ax_t.set_ylabel("level (phospho: / largest;\nG6Pase: / fasted)" if is_narrow(fig)
                    else "level (phospho: / largest; G6Pase: / fasted)")
    _legend(ax_t, loc="upper right", ncols=2)
    reference = [float(runs[(d, 0.5)].g6pase_relative[-1]) for d in _LIVER_DOSES_NM]
    ax_d.plot(_LIVER_DOSES_NM, reference, "-", color="0.6", linewidth=2, label="reference (0.5 mM)")
    (curve,) = ax_d.plot([], [], "--", color=OKABE_ITO["blue"], label="chosen Mg²⁺")
    (point,) = ax_d.plot([], [], "o", color=OKABE_ITO["blue"])
    ax_d.set_xscale("log")
    ax_d.set_ylim(0, 1.1)
    ax_d.set_xlabel("insulin (nM, log scale)")
    ax_d.set_ylabel("G6Pase at 480 min vs fasted")
    _legend(ax_d, loc="lower left")
    title = fig.suptitle(" ")

    largest = {name: max(float(getattr(r, name).max()) for r in runs.values())
               for name in ("pAKT", "pFoxO1", "pS6K")}

    def update(insulin: float, magnesium: float) -> tuple[Artist, ...]:
        run = runs[(insulin, magnesium)]
        for name in ("pAKT", "pFoxO1", "pS6K"):
            lines[name].set_data(run.time, getattr(run, name) / largest[name])
        lines["G6Pase"].set_data(run.time, run.g6pase_relative)
        ends = [float(runs[(d, magnesium)].g6pase_relative[-1]) for d in _LIVER_DOSES_NM]
        curve.set_data(_LIVER_DOSES_NM, ends)
        point.set_data([insulin], [float(run.g6pase_relative[-1])])
        note = ("reference free Mg²⁺ (published model)" if magnesium == 0.5 else
                f"free Mg²⁺ {magnesium:g} mM scales Akt phosphorylation (teaching assumption)")
        title.set_text(f"{insulin:g} nM insulin for 8 h; {note}\n"
                       f"G6Pase expression falls to {100 * run.g6pase_relative[-1]:.0f} % "
                       "of the fasted level")
        return (*lines.values(), curve, point, title)

    return update


def liver_explorer() -> Explorer:
    """Kubota et al. 2012 hepatocyte: insulin and free Mg²⁺ against Akt, FoxO1 and G6Pase.

    Runs the published protocol (40 h at 0.01 nM, then 8 h at the chosen dose).

    Returns
    -------
    Explorer
        Insulin [nM] and free Mg²⁺ [mM] on the precomputed levels.
    """
    return Explorer(
        title="Insulin, FoxO1 and G6Pase in the liver (Kubota et al. 2012)",
        params=(
            Param("insulin", "insulin", "nM", 0.01, 1.0, 0.1,
                  static_values=_LIVER_DOSES_NM, discrete=True),
            Param("magnesium", "free Mg²⁺", "mM", 0.05, 1.0, 0.5,
                  static_values=_LIVER_MG, discrete=True),
        ),
        plot=_plot_liver,
        figsize=(7.0, 4.2),
        narrow_figsize=(3.7, 7.0),
        alt="First panel: phosphorylated Akt, FoxO1 and S6K and G6Pase expression over 8 hours of "
        "insulin. Second panel: G6Pase at 8 hours against insulin dose, chosen magnesium level "
        "beside the reference",
    )


_SI_FACTORS: Final = (0.08, *_levels(0.1, 1.0, 19), 1.25, 1.5)
_SIGMA_FACTORS: Final = _levels(0.2, 1.0, 21)
_TOPP_DAYS: Final = 1000.0


@functools.cache
def _topp_runs() -> tuple[dict[tuple[float, float], whole_body.ToppResult],
                          dict[tuple[float, float], list[whole_body.FixedPoint]]]:
    base = whole_body.ToppParameters()
    runs = {}
    points = {}
    for si, sigma in itertools.product(_SI_FACTORS, _SIGMA_FACTORS):
        params = replace(base, SI=base.SI * si, sigma=base.sigma * sigma)
        runs[(si, sigma)] = whole_body.simulate_topp(parameters=params, duration=_TOPP_DAYS)
        points[(si, sigma)] = whole_body.fixed_points(params)
    return runs, points


def _plot_topp(fig: Figure) -> Update:
    runs, points = _topp_runs()
    axes = _panels(fig, [["g", "phase"], ["i", "phase"], ["b", "phase"]], (1, 1, 1, 2.4),
                              width_ratios=(1.2, 1))
    specs = (("g", "glucose", "glucose\n(mg/dL)", (50, 650)), ("i", "insulin", "insulin\n(µU/mL)",
             (0, 60)), ("b", "beta_mass", "β-cell mass\n(mg)", (0, 1500)))
    lines = {}
    for key, _, label, limits in specs:
        ax = axes[key]
        (lines[key],) = ax.plot([], [], color=OKABE_ITO["blue"])
        ax.set_xlim(0, _TOPP_DAYS)
        ax.set_ylim(*limits)
        ax.set_ylabel(label)
        if key != "b":
            ax.tick_params(labelbottom=False)
    axes["g"].axhline(100, color="0.7", linewidth=0.8)
    axes["b"].set_xlabel("time (days)")
    phase = axes["phase"]
    (trajectory,) = phase.plot([], [], color=OKABE_ITO["blue"], linewidth=1.2)
    (start,) = phase.plot([100], [300], "s", color="0.4", markersize=5, label="start (rest state)")
    markers = {
        "stable": phase.plot([], [], "o", color=OKABE_ITO["green"], label="stable fixed point")[0],
        "saddle": phase.plot([], [], "X", color=OKABE_ITO["vermillion"], label="saddle")[0],
    }
    phase.set_xlim(50, 650)
    phase.set_ylim(-30, 1500)
    phase.set_xlabel("glucose (mg/dL)")
    phase.set_ylabel("β-cell mass (mg)")
    _legend(phase, loc="upper right")
    title = fig.suptitle(" ")

    def update(sensitivity: float, secretion: float) -> tuple[Artist, ...]:
        run = runs[(sensitivity, secretion)]
        for key, field_name, _, _ in specs:
            lines[key].set_data(run.time, getattr(run, field_name))
        trajectory.set_data(run.glucose, run.beta_mass)
        fixed = points[(sensitivity, secretion)]
        for kind, marker in markers.items():
            chosen = [p for p in fixed if (p.stability == "saddle") == (kind == "saddle")]
            marker.set_data([p.glucose for p in chosen], [p.beta_mass for p in chosen])
        g, i, b = run.glucose[-1], run.insulin[-1], run.beta_mass[-1]
        outcome = "compensated" if abs(g - 100) < 5 else "β-cell failure"
        title.set_text(f"insulin sensitivity × {sensitivity:g}, secretory capacity × {secretion:g}: "
                       f"{outcome}\nday {_TOPP_DAYS:.0f}: glucose {g:.0f} mg/dL, "
                       f"insulin {i:.1f} µU/mL, β-cell mass {b:.0f} mg")
        return (*lines.values(), trajectory, start, *markers.values(), title)

    return update


def topp_explorer() -> Explorer:
    """Topp et al. 2000 β-cell mass, insulin and glucose: compensation and failure.

    Starts at the physiological rest state and changes insulin sensitivity (SI)
    and secretory capacity (sigma) at day 0.

    Returns
    -------
    Explorer
        Multipliers on SI and sigma [dimensionless], precomputed levels.
    """
    return Explorer(
        title="Compensation and β-cell failure (Topp et al. 2000)",
        params=(
            Param("sensitivity", "insulin sensitivity ×", "", 0.08, 1.5, 0.5,
                  static_values=_SI_FACTORS, discrete=True),
            Param("secretion", "secretory capacity ×", "", 0.2, 1.0, 1.0,
                  static_values=_SIGMA_FACTORS, discrete=True),
        ),
        plot=_plot_topp,
        alt="Glucose, insulin and beta-cell mass over 1000 days after a change in insulin "
        "sensitivity, and the same trajectory in the glucose-beta-cell mass plane with the "
        "model's fixed points",
        figsize=(7.0, 5.0),
        narrow_figsize=(3.7, 8.6),
    )


_SI_LEVELS: Final = _levels(1.0, 11.0, 21)  # ×1e-4 per µU/mL per min
_SG_LEVELS: Final = _levels(0.01, 0.048, 20)  # min⁻¹


@functools.cache
def _ivgtt_runs() -> tuple[dict[tuple[float, float], whole_body.IvgttResult],
                           whole_body.IvgttResult]:
    base = whole_body.BergmanParameters()
    runs = {}
    for si, sg in itertools.product(_SI_LEVELS, _SG_LEVELS):
        params = replace(base, p1=sg, p3=si * 1e-4 * base.p2)
        runs[(si, sg)] = whole_body.simulate_ivgtt(parameters=params)
    return runs, whole_body.simulate_ivgtt(parameters=base)


def _plot_ivgtt(fig: Figure) -> Update:
    base = whole_body.BergmanParameters()
    runs, reference = _ivgtt_runs()
    ax_g, ax_i = fig.subplots(2, 1, sharex=True, height_ratios=(2.2, 1))
    ax_g.plot(reference.time, reference.glucose, color="0.6", linewidth=2,
              label="illustrative default (S_I 5, S_G 0.03)")
    (glucose,) = ax_g.plot([], [], color=OKABE_ITO["blue"], label="chosen")
    ax_g.axhline(base.G_b, color="0.7", linewidth=0.8, linestyle=":")
    ax_g.set_ylim(60, 290)
    ax_g.set_ylabel("glucose (mg/dL)")
    _legend(ax_g, loc="upper right")
    ax_i.plot(reference.time, reference.insulin, color=OKABE_ITO["orange"])
    ax_i.set_ylabel("insulin\n(µU/mL)")
    ax_i.set_xlabel("time after the glucose bolus (min)")
    ax_i.set_xlim(0, float(reference.time[-1]))
    title = fig.suptitle(" ")

    def update(sensitivity: float, effectiveness: float) -> tuple[Artist, ...]:
        run = runs[(sensitivity, effectiveness)]
        glucose.set_data(run.time, run.glucose)
        g60 = float(np.interp(60.0, run.time, run.glucose))
        default60 = float(np.interp(60.0, reference.time, reference.glucose))
        title.set_text(f"S_I {sensitivity:g}×10⁻⁴ per µU/mL per min, S_G {effectiveness:g} per min"
                       f"\nglucose at 60 min {g60:.0f} mg/dL (default {default60:.0f})")
        return (glucose, title)

    return update


def ivgtt_explorer() -> Explorer:
    """Bergman minimal model: IVGTT glucose curves for different S_I and S_G.

    Plasma insulin is the course's teaching profile (a decaying peak), the same
    for every curve, so the curves differ only by the two sensitivities.

    Returns
    -------
    Explorer
        Insulin sensitivity S_I [10⁻⁴ per µU/mL per min] and glucose effectiveness S_G [min⁻¹].
    """
    return Explorer(
        title="IVGTT and the minimal model (Bergman et al. 1979)",
        params=(
            Param("sensitivity", "S_I", "×10⁻⁴ per µU/mL per min", 1.0, 11.0, 5.0,
                  static_values=_SI_LEVELS, discrete=True),
            Param("effectiveness", "S_G", "per min", 0.01, 0.048, 0.03,
                  static_values=_SG_LEVELS, discrete=True),
        ),
        plot=_plot_ivgtt,
        alt="Plasma glucose falling back to basal after an intravenous glucose bolus, for the "
        "chosen insulin sensitivity and glucose effectiveness and for the default values, "
        "above the insulin profile",
        figsize=(7.0, 4.2),
        narrow_figsize=(3.7, 5.0),
    )


# -- chapters 4 and 6: inflammation and the clinical evidence --------------------------------

_TNF_SERUM_MG: Final = _levels(0.43, 1.0, 20)  # serum Mg [mmol/L]; 0.85 is a level
_TNF_LOAD: Final = {"none (× 1)": 1.0, "moderate (× 1.5)": 1.5, "high (× 2)": 2.0}  # other load O
_TNF_DOSES_M: Final = np.geomspace(1e-11, 1e-7, 9)


@functools.cache
def _tnf_responses() -> dict[float, signalling.SedaghatDoseResponse]:
    levels = sorted({float(inflammation.tnf_steady_state(mg, other_load=load))
                     for mg in _TNF_SERUM_MG for load in (1.0, *_TNF_LOAD.values())})
    return {
        tnf: signalling.dose_response_sedaghat(
            _TNF_DOSES_M, parameters=inflammation.sedaghat_with_tnf(tnf))
        for tnf in levels
    }


def _plot_tnf(fig: Figure) -> Update:
    responses = _tnf_responses()
    reference = responses[1.0]
    axes = _panels(fig, [["t", "g", "a"]], width_ratios=(0.8, 1, 1))
    ax_t, ax_g, ax_a = axes["t"], axes["g"], axes["a"]
    serum = np.linspace(0.4, 1.1, 100)
    curves = {load: ax_t.plot(serum, inflammation.tnf_steady_state(serum, other_load=load),
                              color="0.75", linewidth=1)[0] for load in _TNF_LOAD.values()}
    (marker,) = ax_t.plot([], [], "o", color=OKABE_ITO["vermillion"], markersize=8)
    ax_t.axvline(0.85, color="0.6", linestyle=":", linewidth=0.8)
    ax_t.set_xlabel("serum Mg (mmol/L)")
    ax_t.set_ylabel("TNF-α relative to healthy")
    ax_t.set_ylim(0.8, 5.5)
    for ax, key, label, top in ((ax_g, "surface_glut4", "surface GLUT4 at 15 min (%)", 42),
                                (ax_a, "akt", "active Akt at 15 min (%)", 10)):
        ax.plot(reference.insulin * 1e9, getattr(reference, key), color="0.6", linewidth=2,
                label="no inflammation")
        ax.set_xscale("log")
        ax.set_ylim(0, top)
        ax.set_xlabel("insulin (nM, log scale)")
        ax.set_ylabel(label)
    glut4_line = ax_g.plot([], [], "--", color=OKABE_ITO["vermillion"], label="with TNF-α")[0]
    akt_line = ax_a.plot([], [], "--", color=OKABE_ITO["vermillion"])[0]
    _legend(ax_g, loc="upper left")
    title = fig.suptitle(" ")

    def update(serum_mg: float, other_load: str) -> tuple[Artist, ...]:
        load_factor = _TNF_LOAD[other_load]
        tnf = float(inflammation.tnf_steady_state(serum_mg, other_load=load_factor))
        marker.set_data([serum_mg], [tnf])
        for load, curve in curves.items():
            curve.set_color(OKABE_ITO["vermillion"] if load == load_factor else "0.8")
        response = responses[tnf]
        glut4_line.set_data(response.insulin * 1e9, response.surface_glut4)
        akt_line.set_data(response.insulin * 1e9, response.akt)
        at_1nm = float(np.interp(np.log(1e-9), np.log(response.insulin), response.surface_glut4))
        ref_1nm = float(np.interp(np.log(1e-9), np.log(reference.insulin), reference.surface_glut4))
        title.set_text(f"serum Mg {serum_mg:g} mmol/L, other load × {load_factor:g}: TNF-α × {tnf:.2f}"
                       f" (teaching model)\nsurface GLUT4 at 1 nM insulin {at_1nm:.1f} % "
                       f"(no inflammation {ref_1nm:.1f} %)")
        return (marker, *curves.values(), glut4_line, akt_line, title)

    return update


def inflammation_explorer() -> Explorer:
    """TNF-α and serum magnesium against insulin-stimulated GLUT4 and Akt [TEACHING MODEL].

    TNF-α follows the course's teaching model of serum magnesium and other
    inflammatory load; it slows IRS-1 tyrosine phosphorylation in the Sedaghat
    model (coupling B). Directions are supported by the reviews; magnitudes are invented.

    Returns
    -------
    Explorer
        Serum Mg [mmol/L] and other inflammatory load [-], on precomputed levels.
    """
    return Explorer(
        title="Inflammation, magnesium and insulin signalling (teaching model)",
        params=(
            Param("serum_mg", "serum Mg", "mmol/L", 0.43, 1.0, 0.85,
                  static_values=_TNF_SERUM_MG, discrete=True),
            Param("other_load", "other inflammatory load", options=tuple(_TNF_LOAD),
                  default="none (× 1)"),
        ),
        plot=_plot_tnf,
        alt="First panel: TNF-alpha rising as serum magnesium falls below 0.85 mmol/L. Second and "
        "third panels: GLUT4 and Akt dose-response curves with and without the resulting inflammation",
        figsize=(7.0, 3.9),
        narrow_figsize=(3.7, 8.2),
    )


_SUBSETS: Final[dict[str, Callable[[evidence.IllustrativeTrial], bool]]] = {
    "all ten trials": lambda t: True,
    "Mg-deficient participants": lambda t: t.deficient,
    "not deficient": lambda t: not t.deficient,
    "12 weeks or longer": lambda t: t.duration_weeks >= 12,
    "without the largest trial": lambda t: t.n_per_arm < 200,
}


def _plot_forest(fig: Figure) -> Update:
    trials = evidence.illustrative_trials()
    k = len(trials)
    ax = fig.subplots()
    rows = np.arange(k)[::-1] + 2.0
    squares, lines = [], []
    for row, trial in zip(rows, trials, strict=True):
        low, high = trial.effect - evidence.Z_95 * trial.se, trial.effect + evidence.Z_95 * trial.se
        lines.append(ax.plot([low, high], [row, row], color="0.2", linewidth=1)[0])
        squares.append(ax.plot([trial.effect], [row], "s", color=OKABE_ITO["blue"])[0])
    ax.axvline(0.0, color="0.5", linewidth=0.8)
    (diamond,) = ax.fill([0, 0, 0, 0], [0.4, 0.8, 0.4, 0.0], color=OKABE_ITO["vermillion"])
    if is_narrow(fig):  # short labels leave a phone room for the plot; the sizes show as squares
        labels = [f"{t.label}, {'deficient' if t.deficient else 'replete'}" for t in trials]
    else:
        labels = [f"{t.label} ({'deficient' if t.deficient else 'replete'}, n={t.n_per_arm}/arm, "
                  f"{t.duration_weeks:g} wk)" for t in trials]
    ax.set_yticks([*rows, 0.4], [*labels, "pooled"])
    ax.set_ylim(-0.6, k + 2.6)
    ax.set_xlim(-2.0, 1.2)
    ax.set_xlabel("Mg − placebo: change in\nfasting glucose (mmol/L)" if is_narrow(fig) else
                  "difference in fasting-glucose change, Mg − placebo (mmol/L)")
    title = fig.suptitle(" ")
    size = {t.label: 4 + 10 * math.sqrt(t.n_per_arm / 220) for t in trials}

    def update(subset: str, method: str) -> tuple[Artist, ...]:
        chosen = [_SUBSETS[subset](t) for t in trials]
        y = [t.effect for t, c in zip(trials, chosen, strict=True) if c]
        se = [t.se for t, c in zip(trials, chosen, strict=True) if c]
        pooled = (evidence.pool_fixed if method == "fixed effect" else evidence.pool_random)(y, se)
        for trial, keep, square, line in zip(trials, chosen, squares, lines, strict=True):
            square.set_alpha(1.0 if keep else 0.15)
            line.set_alpha(1.0 if keep else 0.15)
            square.set_markersize(size[trial.label])
        diamond.set_xy([[pooled.ci_low, 0.4], [pooled.estimate, 0.8], [pooled.ci_high, 0.4],
                        [pooled.estimate, 0.0]])
        title.set_text(f"{method}, {subset} (k = {pooled.k}): {pooled.estimate:.2f} "
                       f"[{pooled.ci_low:.2f}, {pooled.ci_high:.2f}] mmol/L\nI² = {pooled.i2:.0f} %, "
                       f"τ² = {pooled.tau2:.3f}; simulated teaching trials, not real studies")
        return (*lines, *squares, diamond, title)

    return update


def forest_explorer() -> Explorer:
    """Forest plot of the illustrative trials: choose trials and the pooling method.

    Uses :func:`mgcourse.evidence.illustrative_trials`, a simulated teaching set, not
    real studies.

    Returns
    -------
    Explorer
        A subset of trials and the method (fixed effect or DerSimonian–Laird random effects).
    """
    return Explorer(
        title="Pooling trials: fixed and random effects",
        params=(
            Param("subset", "trials", options=tuple(_SUBSETS), default="all ten trials"),
            Param("method", "method", options=("fixed effect", "random effects"),
                  default="random effects"),
        ),
        plot=_plot_forest,
        alt="Forest plot of ten simulated trials with their confidence intervals; trials left "
        "out of the chosen subset are faded, and a diamond shows the pooled estimate",
        figsize=(7.0, 5.4),
        narrow_figsize=(3.7, 7.6),
    )


# -- chapter 5: the endothelium and blood pressure -----------------------------------------

# Teaching assumption of this course: free cytosolic Mg²⁺ scales with serum Mg, 0.5 mM at a
# serum level of 0.85 mmol/L (the MaGNet lower limit, Rosanoff et al. 2022).
_SERUM_FOR_FREE_MG: Final = 0.85 / 0.5


_SCENARIO_DETAILS: Final = {
    "normal": "normal endothelium",
    "insulin resistant": "insulin resistant (PTEN × 2.5)",
    "low magnesium": "low Mg (free 0.25 mM, serum 0.425 mmol/L)",
    "TNF-α × 3": "TNF-α × 3",
}


def _vascular_scenarios() -> dict[str, tuple[vascular.MuniyappaParameters, float]]:
    base = vascular.MuniyappaParameters()
    return {
        "normal": (base, 0.85),
        "insulin resistant": (vascular.insulin_resistant(base), 0.85),
        "low magnesium": (replace(base, magnesium=0.25), 0.25 * _SERUM_FOR_FREE_MG),
        "TNF-α × 3": (replace(base, tnf=3.0), 0.85),
    }


@functools.cache
def _vascular_runs() -> dict[str, vascular.VascularResult]:
    with warnings.catch_warnings():  # the teaching clip is announced in the figure instead
        warnings.simplefilter("ignore", MgcourseWarning)
        return vascular.simulate_vascular_scenarios(
            {name: params for name, (params, _) in _vascular_scenarios().items()}, mode="teaching",
            sample_interval=0.25,
        )


def _plot_vascular(fig: Figure) -> Update:
    scenarios = _vascular_scenarios()
    runs = _vascular_runs()
    normal = runs["normal"]
    axes = _panels(fig, [["no", "et", "tone"]])
    ax_no, ax_et, ax_tone = axes["no"], axes["et"], axes["tone"]
    series = ((ax_no, "no", "NO (nM)", 1e9), (ax_et, "et1", "ET-1 (pM)", 1e12),
              (ax_tone, "tone", "vascular tone (%)", 1.0))
    lines, cursors = [], []
    for ax, key, label, scale in series:
        ax.plot(normal.time, scale * np.asarray(getattr(normal, key)), color="0.6", linewidth=2,
                label="normal")
        lines.append(ax.plot([], [], "--", color=OKABE_ITO["vermillion"], label="scenario")[0])
        cursors.append(ax.axvline(15.0, color="0.4", linewidth=0.8, linestyle=":"))
        ax.axvspan(0, 15, color="0.93")
        ax.set_xlim(0, 60)
        values = np.concatenate([scale * np.asarray(getattr(r, key)) for r in runs.values()])
        margin = 0.06 * float(values.max() - values.min())
        ax.set_ylim(float(values.min()) - margin, float(values.max()) + margin)
        ax.set_xlabel("time (min)")
        ax.set_ylabel(label)
    _legend(ax_no, loc="upper right")
    title = fig.suptitle(" ")

    def update(scenario: str, read_at: float) -> tuple[Artist, ...]:
        run = runs[scenario]
        for line, (_, key, _, scale) in zip(lines, series, strict=True):
            line.set_data(run.time, scale * np.asarray(getattr(run, key)))
        for cursor in cursors:
            cursor.set_xdata([read_at, read_at])
        tone_here = float(np.interp(read_at, run.time, run.tone))
        tone_ref = float(np.interp(read_at, normal.time, normal.tone))
        pressure = vascular.blood_pressure(tone_here, tone_ref=tone_ref,
                                           serum_mg=scenarios[scenario][1])
        change = float(pressure.mean_arterial_pressure) - 93.0
        title.set_text(f"{_SCENARIO_DETAILS[scenario]}, read at {read_at:g} min: tone {tone_here:.1f} % "
                       f"(normal {tone_ref:.1f} %)\nimplied mean arterial pressure "
                       f"{float(pressure.mean_arterial_pressure):.1f} mmHg ({change:+.1f}; "
                       "textbook link, teaching model; PIP3 clipped at basal)")
        return (*lines, *cursors, title)

    return update


def vascular_explorer() -> Explorer:
    """Normal against insulin-resistant endothelium: NO, ET-1 and tone (Muniyappa et al. 2020).

    A 15-min insulin step drives the PI3K/Akt/eNOS branch (NO) and the MAPK/ET-1
    branch. Scenarios: the selective PI3K-branch defect (PTEN raised), low free
    Mg²⁺ on the receptor kinase, and TNF-α on IRS-1 (teaching assumptions). The
    tone at the read-out time is turned into a blood pressure by the textbook
    haemodynamic link (a teaching model).

    Returns
    -------
    Explorer
        A scenario and a read-out time [min].
    """
    return Explorer(
        title="Endothelium: NO against ET-1 (Muniyappa et al. 2020)",
        params=(
            Param("scenario", "scenario", options=tuple(_vascular_scenarios()),
                  default="insulin resistant"),
            Param("read_at", "read at", "min", 1.0, 60.0, 15.0, 1.0),
        ),
        plot=_plot_vascular,
        alt="Nitric oxide, endothelin-1 and vascular tone over an hour after a 15-minute "
        "insulin step, for the normal endothelium and the chosen scenario",
        figsize=(7.0, 3.6),
        narrow_figsize=(3.7, 7.6),
    )
