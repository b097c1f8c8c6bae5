"""Time the vascular model (Muniyappa et al. 2020) and the blood-pressure teaching model.

Prints the median and range over several runs of: one 60-min run of the published
protocol (100 nM insulin for 15 min, classical RK4 with dt = 0.001 min) in the normal
cell and in the insulin-resistant scenario (PTEN = 2.5); both scenarios side by side
in one vectorised sweep; and the blood-pressure computation for one tone and for an
array of 10 000 tones. Wall-clock and CPU time are both shown, as other processes on
the machine inflate the wall-clock time.

Usage: python benchmarks/vascular.py [--repeats N] [--bp-repeats N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np

from mgcourse import vascular


def _timed(function: Callable[[], object], repeats: int) -> tuple[list[float], list[float]]:
    wall, cpu = [], []
    for _ in range(repeats):
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        function()
        wall.append(time.perf_counter() - start_wall)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--bp-repeats", type=int, default=200)
    args = parser.parse_args()
    resistant = vascular.insulin_resistant()
    scenarios = {"normal": vascular.MuniyappaParameters(), "resistant": resistant}
    tone_ref = vascular.reference_tone()  # cached once here; read at 15 min
    tones = np.linspace(tone_ref - 50.0, tone_ref + 50.0, 10_000)
    cases: list[tuple[str, Callable[[], object], int]] = [
        ("60 min, normal", vascular.simulate_vascular, args.repeats),
        ("60 min, insulin resistant",
         lambda: vascular.simulate_vascular(parameters=resistant), args.repeats),
        ("60 min, both side by side",
         lambda: vascular.simulate_vascular_scenarios(scenarios), args.repeats),
        ("blood pressure, one tone",
         lambda: vascular.blood_pressure(tone_ref + 10.0, tone_ref=tone_ref), args.bp_repeats),
        ("blood pressure, 10 000 tones",
         lambda: vascular.blood_pressure(tones, tone_ref=tone_ref), args.bp_repeats),
    ]
    print(f"{'case':30s} {'median s':>10s} {'min s':>10s} {'max s':>10s} {'cpu s':>10s}")
    for label, function, repeats in cases:
        wall, cpu = _timed(function, repeats)
        print(f"{label:30s} {statistics.median(wall):10.4g} {min(wall):10.4g} "
              f"{max(wall):10.4g} {statistics.median(cpu):10.4g}")


if __name__ == "__main__":
    main()
