"""Precomputed β-cell simulations behind the bursting explorer.

A converged simulation of the Bertram model takes one to a few seconds, far too
slow for a slider that must answer within 50 ms. The explorer therefore reads a grid of
simulations computed once with :func:`compute` and shipped as
``data/bursting_grid.npz``. ``tests/test_bursting_grid.py`` recomputes grid
points and checks them against the file; regenerate it after a model change:

    python -m mgcourse.bursting_grid
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

from mgcourse.beta_cell import burst_metrics, simulate

__all__ = ["GLUCOSE_LEVELS", "MAGNESIUM_LEVELS", "Grid", "compute", "compute_point", "load"]

#: Glucose levels of the grid [mM].
GLUCOSE_LEVELS: Final = (4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.1, 12.0, 13.0, 14.0, 15.0, 16.0,
                         17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0)
#: Free Mg²⁺ levels [mM]; ``None`` is the published fixed-fraction model.
MAGNESIUM_LEVELS: Final = (None, 1.0, 1.1, 1.2, 1.25, 1.3)
DURATION: Final = 180.0  # simulated time [s]
TRANSIENT: Final = 60.0  # discarded start [s]
STEP: Final = 0.02  # stored sample spacing [s]
PATH: Final = "data/bursting_grid.npz"


@dataclass(frozen=True)
class Grid:
    """Stored traces and burst metrics, indexed [glucose, magnesium, sample].

    Attributes
    ----------
    time : numpy.ndarray
        Sample times after the transient [s].
    v : numpy.ndarray
        Membrane potential [mV].
    ca : numpy.ndarray
        Cytosolic Ca²⁺ [µM].
    pattern : numpy.ndarray of str
        "silent", "bursting" or "continuous".
    period, active_fraction, mean_calcium : numpy.ndarray
        Burst period [s], active-phase fraction [-], mean Ca²⁺ [µM].
    """

    time: npt.NDArray[np.float64]
    v: npt.NDArray[np.float32]
    ca: npt.NDArray[np.float32]
    pattern: npt.NDArray[np.str_]
    period: npt.NDArray[np.float64]
    active_fraction: npt.NDArray[np.float64]
    mean_calcium: npt.NDArray[np.float64]

    def index(self, glucose: float, free_mg: float | None) -> tuple[int, int]:
        """Grid indices of a glucose level [mM] and a free Mg²⁺ level [mM] (None: published)."""
        if glucose not in GLUCOSE_LEVELS:
            raise ValueError(f"glucose = {glucose} mM is not a grid level; use one of {GLUCOSE_LEVELS}")
        if free_mg not in MAGNESIUM_LEVELS:
            raise ValueError(
                f"free_mg = {free_mg} mM is not a grid level; use one of {MAGNESIUM_LEVELS}"
            )
        return GLUCOSE_LEVELS.index(glucose), MAGNESIUM_LEVELS.index(free_mg)


def compute_point(glucose: float, free_mg: float | None) -> dict[str, object]:
    """Simulate one grid point (full model) and reduce it to what the grid stores."""
    trace = simulate(DURATION, model="full", glucose=glucose, free_mg=free_mg)
    metrics = burst_metrics(trace.time, trace.v, trace.ca, transient=TRANSIENT)
    keep = slice(round(TRANSIENT / 0.01), None, round(STEP / 0.01))
    return {
        "time": trace.time[keep] - TRANSIENT,
        "v": trace.v[keep].astype(np.float32),
        "ca": trace.ca[keep].astype(np.float32),
        "pattern": metrics.pattern,
        "period": metrics.period,
        "active_fraction": metrics.active_fraction,
        "mean_calcium": metrics.mean_calcium,
    }


def compute() -> dict[str, npt.NDArray[np.generic]]:
    """Simulate every grid point; returns the arrays stored in the grid file."""
    shape = (len(GLUCOSE_LEVELS), len(MAGNESIUM_LEVELS))
    points = {
        (i, j): compute_point(g, m)
        for (i, g), (j, m) in itertools.product(enumerate(GLUCOSE_LEVELS), enumerate(MAGNESIUM_LEVELS))
    }
    first = points[(0, 0)]
    arrays: dict[str, npt.NDArray[np.generic]] = {"time": np.asarray(first["time"])}
    for key in ("v", "ca"):
        arrays[key] = np.stack([np.stack([np.asarray(points[(i, j)][key]) for j in range(shape[1])])
                                for i in range(shape[0])])
    for key in ("pattern", "period", "active_fraction", "mean_calcium"):
        arrays[key] = np.array([[points[(i, j)][key] for j in range(shape[1])]
                                for i in range(shape[0])])
    arrays["glucose_levels"] = np.array(GLUCOSE_LEVELS)
    arrays["magnesium_levels"] = np.array([np.nan if m is None else m for m in MAGNESIUM_LEVELS])
    return arrays


@cache
def load() -> Grid:
    """The shipped grid (read once, then cached)."""
    with resources.files("mgcourse").joinpath(PATH).open("rb") as handle:
        data = np.load(handle)
        return Grid(
            time=data["time"], v=data["v"], ca=data["ca"], pattern=data["pattern"],
            period=data["period"], active_fraction=data["active_fraction"],
            mean_calcium=data["mean_calcium"],
        )


def main() -> None:
    """Recompute the grid and write it next to this module."""
    target = Path(__file__).with_name("data") / "bursting_grid.npz"
    np.savez_compressed(target, **compute())  # type: ignore[arg-type]
    print(f"wrote {target} ({target.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
