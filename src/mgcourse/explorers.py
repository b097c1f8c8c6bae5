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

from mgcourse import bursting_grid
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
from mgcourse.widgets import Explorer, Param, Update

__all__ = [
    "OKABE_ITO",
    "bursting_explorer",
    "homa_explorer",
    "katp_explorer",
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
    ax.legend(fontsize=7, loc="upper right", title="dashed: teaching generalisation", title_fontsize=7)
    cursor = ax.axvline(1.0, color="0.5", linewidth=0.8)
    title = ax.set_title(" ", fontsize=10)

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
    title = fig.suptitle(" ", fontsize=10)

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
        figsize=(7.0, 4.2),
    )
