"""Time the whole-body and liver models: IVGTT, S_I fit, Topp course, fixed points, Kubota protocol.

Prints the median and range over several runs of each task. The Kubota run uses
a fresh starvation (the package caches the starved state per parameter set, so
the cache is cleared before each repeat).

Usage: python benchmarks/whole_body.py [--repeats N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import replace

from mgcourse import liver, whole_body


def _fit() -> None:
    data = whole_body.synthetic_ivgtt()
    whole_body.fit_insulin_sensitivity(data.times, data.glucose, whole_body.teaching_insulin_profile)


def _kubota() -> None:
    liver._starved.cache_clear()
    liver.simulate_kubota(1.0)


TASKS: dict[str, Callable[[], object]] = {
    "IVGTT, 180 min (RK45)": whole_body.simulate_ivgtt,
    "S_I fit, 26 samples": _fit,
    "Topp, 1000 days (LSODA)": lambda: whole_body.simulate_topp(
        parameters=replace(whole_body.ToppParameters(), SI=0.36), duration=1000.0
    ),
    "Topp fixed points": whole_body.fixed_points,
    "Kubota, 2400 + 480 min": _kubota,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"{'task':28s} {'median s':>9s} {'min s':>8s} {'max s':>8s}")
    for label, task in TASKS.items():
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            task()
            times.append(time.perf_counter() - start)
        print(f"{label:28s} {statistics.median(times):9.4f} {min(times):8.4f} {max(times):8.4f}")


if __name__ == "__main__":
    main()
