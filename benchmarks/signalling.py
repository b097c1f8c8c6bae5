"""Time the insulin-signalling models: Sedaghat 2002 and Brännmark 2013.

Prints the median and range over several runs of: one 60-min Sedaghat run with the
adaptive solver (LSODA) and with the original fixed-step RK4 (dt = 0.001 min); one
Brännmark basal equilibration (5000 min at zero insulin, cache cleared first); one
30-min Brännmark run from the cached basal state; and an 8-dose Brännmark
dose–response (1e-3 to 100 nM, read at 30 min).

Usage: python benchmarks/signalling.py [--repeats N] [--rk4-repeats N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np

from mgcourse import signalling


def _equilibrate() -> None:
    signalling._basal_state_cached.cache_clear()
    signalling.basal_state()


def _timed(function: Callable[[], object], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rk4-repeats", type=int, default=2)
    args = parser.parse_args()
    doses = np.logspace(-3, 2, 8)
    signalling.basal_state()  # warm the cache for the runs that start from it
    cases: list[tuple[str, Callable[[], object], int]] = [
        ("Sedaghat 60 min, LSODA", signalling.simulate_sedaghat, args.repeats),
        ("Sedaghat 60 min, RK4 dt=0.001",
         lambda: signalling.simulate_sedaghat(method="rk4"), args.rk4_repeats),
        ("Brännmark basal, 5000 min", _equilibrate, args.repeats),
        ("Brännmark 30 min at 10 nM", lambda: signalling.simulate_brannmark(10.0), args.repeats),
        ("Brännmark 8-dose response",
         lambda: signalling.dose_response_brannmark(doses), args.repeats),
    ]
    print(f"{'case':32s} {'median s':>9s} {'min s':>7s} {'max s':>7s}")
    for label, function, repeats in cases:
        times = _timed(function, repeats)
        print(f"{label:32s} {statistics.median(times):9.3f} {min(times):7.3f} {max(times):7.3f}")


if __name__ == "__main__":
    main()
