"""Time from a slider change to a redrawn figure, for every explorer in mgcourse.explorers.

Live (kernel side): drives the live ipywidgets UI as a reader does, sets a
control's value and waits until the image widget holds the new PNG (the redraw
is synchronous in the observer). Prints the median and 95th percentile over N
changes per explorer, and the time to build the static (kernel-free) version.

Static (browser side, with ``--site``): serves a built book on 127.0.0.1, opens
every page with a kernel-free explorer in headless Debian Chromium and presses
arrow keys on each control; prints the median and 95th percentile time from the
key press to the next painted frame with the new figure.

With ``--site`` it also prints, for every static explorer at 1366 px and at 390 px,
the layout on show, the width of its box and the screen size of its smallest
figure text (SVG text size times the scale the figure is drawn at), beside the
page's body text size.

Usage: python benchmarks/explorers.py [--changes N] [--site BUILT_HTML_FOLDER]
"""

from __future__ import annotations

import argparse
import inspect
import statistics
import sys
import time
from pathlib import Path

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


# Installed in the page before it loads: stamps each key press, then resolves once the frame
# after the explorer's own input handler has been painted.
_PAINT_PROBE = """
window.__paints = [];
document.addEventListener("keydown", e => { window.__t0 = performance.now(); }, true);
document.addEventListener("input", e => {
  const t0 = window.__t0;
  requestAnimationFrame(() => setTimeout(() => window.__paints.push(performance.now() - t0), 0));
}, false);
"""


def time_static(site: Path, presses: int) -> dict[str, list[float]]:
    """Key press to painted frame [ms] for every control of every static explorer in ``site``."""
    sys.path.insert(0, str(Path(__file__).with_name("page_weight.py").parent))
    from page_weight import ARGS, CHROMIUM, serve
    from playwright.sync_api import sync_playwright

    pages = sorted(str(p.relative_to(site)) for p in site.rglob("*.html")
                   if "mgcourse-static" in p.read_text(encoding="utf-8"))
    timings: dict[str, list[float]] = {}
    with serve(site) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.add_init_script(_PAINT_PROBE)
        for rel in pages:
            page.goto(f"{base}/{rel}", wait_until="networkidle")
            explorers = page.locator(".mgcourse-static")
            for i in range(explorers.count()):
                explorer = explorers.nth(i)
                title = explorer.locator(".mgcourse-title").inner_text()
                page.evaluate("window.__paints = []")
                for control in explorer.locator("[data-param]").all():
                    control.focus()
                    for k in range(presses):
                        page.keyboard.press("ArrowRight" if (k // 4) % 2 == 0 else "ArrowLeft")
                page.wait_for_timeout(100)
                timings[title] = page.evaluate("window.__paints")
        browser.close()
    return timings


def figure_text(site: Path) -> list[tuple[int, str, str, float, float, float]]:
    """(viewport, explorer, layout, box px, smallest figure text px, body text px), each explorer."""
    sys.path.insert(0, str(Path(__file__).with_name("page_weight.py").parent))
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from page_weight import ARGS, CHROMIUM, serve
    from playwright.sync_api import sync_playwright

    from test_browser import FIGURE_TEXT

    pages = sorted(str(p.relative_to(site)) for p in site.rglob("*.html")
                   if "mgcourse-static" in p.read_text(encoding="utf-8"))
    rows = []
    with serve(site) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        for width in (1366, 390):
            page = browser.new_page(viewport={"width": width, "height": 900})
            for rel in pages:
                page.goto(f"{base}/{rel}", wait_until="networkidle")
                found = page.locator(".mgcourse-static")
                for i in range(found.count()):
                    title = found.nth(i).locator(".mgcourse-title").inner_text()
                    (shown,) = found.nth(i).evaluate(FIGURE_TEXT)
                    rows.append((width, title, shown["layout"], shown["box"], shown["min"],
                                 shown["body"]))
            page.close()
        browser.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=60, help="slider changes per explorer")
    parser.add_argument("--site", type=Path, help="built book HTML folder: time static explorers")
    parser.add_argument("--presses", type=int, default=40, help="key presses per static control")
    args = parser.parse_args()
    if args.site:
        print(f"{'static explorer (key press to paint)':52s} {'median ms':>10s} {'p95 ms':>8s}")
        everything: list[float] = []
        for title, paints in time_static(args.site, args.presses).items():
            everything += paints
            print(f"{title[:52]:52s} {statistics.median(paints):10.1f}"
                  f" {np.percentile(paints, 95):8.1f}")
        print(f"{'all':52s} {statistics.median(everything):10.1f}"
              f" {np.percentile(everything, 95):8.1f}")
        print(f"\n{'figure text':46s} {'page px':>7s} {'layout':>7s} {'box px':>7s}"
              f" {'min text px':>11s} {'body px':>7s}")
        for width, title, layout, box, smallest, body in figure_text(args.site):
            print(f"{title[:46]:46s} {width:7d} {layout:>7s} {box:7.0f} {smallest:11.1f} {body:7.1f}")
        return
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
