"""Time the evidence tools: fixed- and random-effects pooling and the forest plot.

Prints the median and range over several runs of: pooling 10 and 1000 studies with
the fixed-effect (inverse-variance) and the random-effects (DerSimonian–Laird)
model, and drawing a forest plot of 20 studies (on a fresh figure), with and without
rendering it to an in-memory PNG.
Study estimates and standard errors are random draws from a seeded generator.

Usage: python benchmarks/evidence.py [--repeats N] [--seed S]
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from matplotlib.figure import Figure

from mgcourse import evidence

FloatArray = npt.NDArray[np.float64]


def _studies(k: int, rng: np.random.Generator) -> tuple[FloatArray, FloatArray]:
    standard_errors = rng.uniform(0.05, 0.5, k)
    estimates = rng.normal(-0.5, 0.3, k) + rng.normal(0.0, standard_errors)
    return estimates, standard_errors


def _forest(estimates: FloatArray, standard_errors: FloatArray, *, render: bool) -> None:
    fig = Figure(figsize=(7.0, 8.0))
    ax = fig.subplots()
    labels = [f"study {i + 1}" for i in range(estimates.size)]
    evidence.forest_plot(labels, estimates, standard_errors, ax=ax, unit="mmol/L")
    if render:
        fig.savefig(io.BytesIO(), format="png", dpi=80)


def _timed(function: Callable[[], object], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20250701)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    y10, s10 = _studies(10, rng)
    y1000, s1000 = _studies(1000, rng)
    y20, s20 = _studies(20, rng)
    cases: list[tuple[str, Callable[[], object], int]] = [
        ("pool 10 studies, fixed", lambda: evidence.pool_fixed(y10, s10), args.repeats),
        ("pool 10 studies, random (DL)", lambda: evidence.pool_random(y10, s10), args.repeats),
        ("pool 1000 studies, fixed", lambda: evidence.pool_fixed(y1000, s1000), args.repeats),
        ("pool 1000 studies, random (DL)", lambda: evidence.pool_random(y1000, s1000),
         args.repeats),
        ("forest plot, 20 studies, draw", lambda: _forest(y20, s20, render=False),
         max(3, args.repeats // 4)),
        ("forest plot, 20 studies, + PNG", lambda: _forest(y20, s20, render=True),
         max(3, args.repeats // 4)),
    ]
    print(f"{'case':32s} {'median ms':>10s} {'min ms':>8s} {'max ms':>8s}")
    for label, function, repeats in cases:
        times = [1e3 * t for t in _timed(function, repeats)]
        print(f"{label:32s} {statistics.median(times):10.3f} {min(times):8.3f} {max(times):8.3f}")


if __name__ == "__main__":
    main()
