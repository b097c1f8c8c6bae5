"""Time to simulate 60 s of the Bertram 2004 β-cell model (reduced and full forms).

Prints the median and range over several runs, at the converged default tolerance
(rtol = atol = 1e-11) and, for comparison, at the unconverged 1e-8 used before. The bursting explorer does not
simulate on a slider change: it reads the grid of mgcourse.bursting_grid, so the
explorer's own latency is measured by benchmarks/explorers.py.

Usage: python benchmarks/beta_cell.py [--repeats N]
"""

from __future__ import annotations

import argparse
import statistics
import time

from mgcourse.beta_cell import simulate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"{'model':28s} {'median s':>9s} {'min s':>7s} {'max s':>7s}")
    for label, kwargs in [
        ("reduced (5 states)", {}),
        ("full (7 states)", {"model": "full"}),
        ("full, glucose 11.1 mM", {"model": "full", "glucose": 11.1}),
        ("reduced, rtol 1e-8", {"rtol": 1e-8, "atol": 1e-8}),
        ("full, rtol 1e-8", {"model": "full", "rtol": 1e-8, "atol": 1e-8}),
    ]:
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            simulate(60.0, **kwargs)  # type: ignore[arg-type]
            times.append(time.perf_counter() - start)
        print(f"{label:28s} {statistics.median(times):9.2f} {min(times):7.2f} {max(times):7.2f}")


if __name__ == "__main__":
    main()
