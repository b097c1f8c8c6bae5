"""Ready-made explorers for the book: parameter specs plus plot functions.

Each factory returns a fresh :class:`~mgcourse.widgets.Explorer`; call
``.show()`` in a notebook. Plot functions draw only with the model functions of
:mod:`mgcourse.indices` and :mod:`mgcourse.magnesium`; nothing is computed here
that the package does not already test.
"""

from __future__ import annotations

from typing import Final

import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure

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
from mgcourse.widgets import Explorer, Param, Update

__all__ = [
    "OKABE_ITO",
    "homa_explorer",
    "serum_magnesium_explorer",
    "supplement_dose_explorer",
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

_GLUCOSE = np.linspace(3.0, 12.0, 121)
_INSULIN = np.linspace(1.0, 40.0, 157)
_HOMA_GRID = np.asarray(homa_ir(_GLUCOSE[None, :], _INSULIN[:, None]))
_HOMA_LINE = np.linspace(0.2, 20.0, 300)
_QUICKI_LINE = np.asarray(1.0 / np.log10(405.0 * _HOMA_LINE))


def _plot_homa(fig: Figure) -> Update:
    cutoff = CUTOFFS["homa_ir"].value
    ax_plane, ax_q = fig.subplots(1, 2, width_ratios=(1.25, 1))
    ax_plane.contourf(
        _GLUCOSE, _INSULIN, _HOMA_GRID, levels=[cutoff, _HOMA_GRID.max()],
        colors=[OKABE_ITO["orange"]], alpha=0.25,
    )
    lines = ax_plane.contour(
        _GLUCOSE, _INSULIN, _HOMA_GRID, levels=[1.0, cutoff, 5.0, 10.0],
        colors=[OKABE_ITO["blue"]], linewidths=[0.8, 1.8, 0.8, 0.8],
    )
    ax_plane.clabel(lines, fmt="HOMA-IR %g", fontsize=7)
    (point,) = ax_plane.plot([], [], "o", color=OKABE_ITO["vermillion"], markersize=9)
    ax_plane.set_xlabel("fasting glucose (mmol/L)")
    ax_plane.set_ylabel("fasting insulin (µU/mL)")
    ax_plane.set_title("shaded: HOMA-IR above 2.5", fontsize=9)

    ax_q.plot(_HOMA_LINE, _QUICKI_LINE, color=OKABE_ITO["blue"])
    ax_q.axvline(cutoff, color=OKABE_ITO["orange"], linestyle="--", label="HOMA-IR 2.5")
    ax_q.axhline(CUTOFFS["quicki"].value, color=OKABE_ITO["green"], linestyle=":",
                 label="QUICKI 0.33")
    (q_point,) = ax_q.plot([], [], "o", color=OKABE_ITO["vermillion"], markersize=9)
    ax_q.set_xscale("log")
    ax_q.set_xlabel("HOMA-IR (log scale)")
    ax_q.set_ylabel("QUICKI")
    ax_q.legend(fontsize=7, loc="upper right")
    title = fig.suptitle(" ", fontsize=10)

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
        alt="Left: fasting glucose against fasting insulin with HOMA-IR contour lines and the "
        "region above 2.5 shaded; a dot marks the chosen values. Right: QUICKI falls as "
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
        verdicts.append(ax.text(1.42, row, "", va="center", ha="right", fontsize=9))
    marker = ax.axvline(0.85, color=OKABE_ITO["vermillion"], linewidth=2)
    ax.axvspan(0.3, 0.6, color=OKABE_ITO["vermillion"], alpha=0.08)
    ax.text(0.31, len(names) - 0.45, "symptoms usually ≤ 0.6", fontsize=7)
    ax.set_yticks(range(len(names)),
                  ["harmonised 0.70–1.10", "NHANES 0.75–0.95", "MaGNet ≥ 0.85",
                   "2022 review 0.76–1.15"])
    ax.set_xlim(0.3, 1.45)
    ax.set_ylim(-0.6, len(names) - 0.2)
    ax.invert_yaxis()
    ax.set_xlabel("total serum magnesium (mmol/L); status under each range on the right")
    title = ax.set_title(" ", fontsize=10)

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
        figsize=(7.0, 3.0),
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
    ax_bar, ax_frac = fig.subplots(1, 2, width_ratios=(1.3, 1))
    limit = upper_limit(30.0)
    assert limit is not None
    bars = ax_bar.barh(["salt", "elemental Mg"], [0.0, 0.0],
                       color=[OKABE_ITO["sky"], OKABE_ITO["blue"]])
    ax_bar.axvline(limit, color=OKABE_ITO["vermillion"], linestyle="--",
                   label="adult upper limit for supplements (350 mg/day)")
    ax_bar.axvspan(310, 420, color=OKABE_ITO["green"], alpha=0.15,
                   label="adult RDA, all sources (310–420 mg/day)")
    ax_bar.set_xlim(0, 3100)
    ax_bar.set_xlabel("mass per day (mg)")
    fig.legend(fontsize=7, loc="outside lower center", ncols=2)
    fractions = [100 * elemental_fraction(s) for s in _DOSE_SALTS]
    frac_bars = ax_frac.barh(range(len(_DOSE_SALTS)), fractions, color=OKABE_ITO["sky"])
    ax_frac.set_yticks(range(len(_DOSE_SALTS)), _DOSE_SALTS, fontsize=7)
    ax_frac.invert_yaxis()
    ax_frac.set_xlabel("Mg (% of salt mass)")
    title = fig.suptitle(" ", fontsize=10)

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
        alt="Left: bars compare the daily salt mass with the elemental magnesium it contains, "
        "against the upper limit and the recommended intake. Right: elemental magnesium as a "
        "percentage of mass for eight salts, the chosen one highlighted",
    )
