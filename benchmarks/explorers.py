"""Time from a slider change to a redrawn figure, for every explorer in mgcourse.explorers.

Drives the live ipywidgets UI exactly as a reader does: set a control's value and
wait until the image widget holds the new PNG (the redraw is synchronous in the
observer). Prints the median and 95th percentile over N changes per explorer, and
the time to build the static (kernel-free) version.

Usage: python benchmarks/explorers.py [--changes N]
"""

from __future__ import annotations

import argparse
import inspect
import statistics
import time

import numpy as np

from mgcourse import explorers
from mgcourse.widgets import Explorer


def factories() -> dict[str, object]:
    return {
        name: func
        for name, func in inspect.getmembers(explorers, inspect.isfunction)
        if name.endswith("_explorer") and func.__module__ == explorers.__name__
    }


def time_changes(explorer: Explorer, changes: int) -> list[float]:
    box = explorer.live()
    rng = np.random.default_rng(0)
    timings = []
    for k in range(changes):
        param = explorer.params[k % len(explorer.params)]
        control = box.controls[param.name]
        if param.options or param.discrete:
            choices = [o for o in param.frames() if o != control.value]
            value: object = choices[int(rng.integers(len(choices)))]
        else:
            step = control.step
            steps = round((param.max - param.min) / step)
            value = control.value
            while abs(value - control.value) < step / 2:  # a real move, not a rounding no-op
                value = param.min + step * int(rng.integers(steps + 1))
        before = box.image.value
        start = time.perf_counter()
        control.value = value
        elapsed = time.perf_counter() - start
        assert box.image.value != before, f"{explorer.title}: no redraw"
        timings.append(elapsed)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=60, help="slider changes per explorer")
    args = parser.parse_args()
    print(f"{'explorer':32s} {'median ms':>10s} {'p95 ms':>8s} {'static build s':>15s}")
    for name, factory in sorted(factories().items()):
        explorer = factory()  # type: ignore[operator]
        timings = np.array(time_changes(explorer, args.changes)) * 1e3
        start = time.perf_counter()
        factory().static()  # type: ignore[operator]
        static_s = time.perf_counter() - start
        print(f"{name:32s} {statistics.median(timings):10.1f} {np.percentile(timings, 95):8.1f}"
              f" {static_s:15.2f}")


if __name__ == "__main__":
    main()
