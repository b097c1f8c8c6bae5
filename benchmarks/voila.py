"""Key press to redrawn figure for every live explorer served by Voila, against a naive ``interact``.

One notebook holds, for every explorer factory in ``mgcourse.explorers``:

* the mgcourse live explorer (``factory().live()``: one figure, redrawn in
  place by blitting into one ``Image`` widget), and
* a naive baseline, written the way a notebook author usually writes it:
  ``ipywidgets.interact`` over the same parameters, whose function makes a new
  matplotlib figure, runs the explorer's plot function (its setup, including
  any simulation it does there, then ``update``) and shows the figure inline.

Voila serves the notebook on 127.0.0.1 (the ``mgcourse`` template, as the
tests use it) and headless Debian Chromium opens it. For every control of every
explorer (slider handles, or drop-downs where an explorer has no slider) the
control is focused and an arrow key pressed N times, one press at a time,
turning back at either end. Each press is timed from the ``keydown`` event to
the frame painted after the explorer's image changed: a MutationObserver sees
the image's ``src`` change (or a new image, for ``interact``), the image is
decoded, then ``requestAnimationFrame`` and ``setTimeout(0)`` wait for that
frame. Only images count, so a text widget that changes too is not waited for.
The first press on each control warms up and is not counted. The naive
function draws nothing while Voila generates the page (Voila 0.5 was seen to
hang now and then, never finishing the page, when ``interact`` figures are
shown while its cells run), so its first figure comes with that warm-up press.

Prints per explorer the median and 95th percentile [ms] of the live explorer
and of the naive ``interact``, and their ratio (naive / live, medians); then
the same over all presses ("all"), and the machine load before and after.
With ``--breakdown``, the live explorer's time is split, by watching the
kernel's websocket in the page: key press to the change sent, sent to the
message with the new image received (Voila server, kernel and back), received
to the image's ``src`` set (the page's widget code), ``src`` set to the image
decoded, and decoded to painted. Targets for the live explorer: median under
40 ms and p95 under 60 ms on every explorer.

Usage: python benchmarks/voila.py [--presses N] [--breakdown] [--only NAME ...]
(run with ``MPLBACKEND`` unset: ``env -u MPLBACKEND .venv/bin/python benchmarks/voila.py``)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

import nbformat
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_browser import CHROMIUM, CHROMIUM_ARGS
from test_voila import CONTROLS, LIVE_EXPLORERS, live_notebook, serve_voila

# Notebook code of the baseline: the usual interact, a new figure on every change.
NAIVE = '''
import ipywidgets
import matplotlib.pyplot as plt


def naive(explorer):
    """``interact`` over the explorer's parameters, a new figure on every change."""
    loaded = False

    def show(**values):
        if not loaded:  # the first figure comes with the first change (see below)
            return
        fig = plt.figure(figsize=explorer.figsize, dpi=explorer.dpi, layout="constrained")
        update = explorer.plot(fig)
        update(**values)
        plt.show()

    controls = {}
    for p in explorer.params:
        if p.options:
            controls[p.name] = ipywidgets.Dropdown(
                options=list(p.options), value=p.default, description=p.description)
        elif p.discrete:
            controls[p.name] = ipywidgets.SelectionSlider(
                options=sorted(p.static_values), value=p.default, description=p.description)
        else:
            controls[p.name] = ipywidgets.FloatSlider(
                value=p.default, min=p.min, max=p.max,
                step=p.step or (p.max - p.min) / 100, description=p.description)
    box = ipywidgets.interact(show, **controls).widget  # interact has displayed it
    loaded = True
    return box
'''

# Installed before the page loads: stamps every key press, and arms a promise that resolves
# with the time from that press to the frame painted after the box's last image changed.
PROBE = """
document.addEventListener("keydown", () => {
  window.__t0 = performance.now();
  window.__sent = window.__image = null;
}, true);
// the kernel's websocket: when the change leaves the page, when the new image arrives
const NativeSocket = window.WebSocket;
const nativeSend = NativeSocket.prototype.send;
NativeSocket.prototype.send = function (data) {
  if (window.__t0 && window.__sent === null) window.__sent = performance.now();
  return nativeSend.call(this, data);
};
window.WebSocket = function (...args) {
  const socket = new NativeSocket(...args);
  socket.addEventListener("message", e => {
    const size = typeof e.data === "string" ? e.data.length : (e.data.byteLength ?? e.data.size);
    if (window.__sent !== null && window.__image === null && size > 8000) {
      window.__image = performance.now();
    }
  });
  return socket;
};
window.WebSocket.prototype = NativeSocket.prototype;
Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
window.__arm = box => {
  const current = () => { const all = box.querySelectorAll("img"); return all[all.length - 1]; };
  const before = current() && current().src;
  window.__painted = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no redraw within 60 s")), 60000);
    const observer = new MutationObserver(() => {
      const img = current();
      if (!img || !img.src || img.src === before) return;
      const changed = performance.now();
      observer.disconnect();
      clearTimeout(timer);
      img.decode().catch(() => null).then(() => {
        const decoded = performance.now();
        requestAnimationFrame(() => setTimeout(() => resolve(
          [performance.now(), window.__sent, window.__image, changed, decoded]
            .map(t => (t ?? NaN) - window.__t0)), 0));
      });
    });
    observer.observe(box, {subtree: true, childList: true, attributes: true,
                           attributeFilter: ["src"]});
  });
};
"""


def notebook(names: list[str]) -> nbformat.NotebookNode:
    """Every explorer live (class ``bench-live-NAME``) and as a naive interact (``bench-naive-NAME``)."""
    cells = ["from mgcourse import explorers", NAIVE]
    for name in names:
        cells.append(f"box = explorers.{name}().live()\nbox.add_class('bench-live-{name}')\nbox")
        cells.append(f"naive(explorers.{name}()).add_class('bench-naive-{name}');")
    return live_notebook(cells)


def _key(control, forward: bool) -> tuple[str, bool]:
    """The arrow key that moves ``control`` one step, turning back at either end."""
    if control.get_attribute("role") == "slider":
        now, low, high = (float(control.get_attribute(a) or 0) for a in
                          ("aria-valuenow", "aria-valuemin", "aria-valuemax"))
    else:
        now, low, high = control.evaluate("el => [el.selectedIndex, 0, el.options.length - 1]")
    if forward and now >= high:
        forward = False
    elif not forward and now <= low:
        forward = True
    if control.get_attribute("role") == "slider":
        return ("ArrowRight" if forward else "ArrowLeft"), forward
    return ("ArrowDown" if forward else "ArrowUp"), forward


def time_box(page, box, presses: int) -> list[tuple[float, ...]]:
    """Times [ms] of ``presses`` presses on every control of ``box``.

    For each press, from the key press to: the image painted, the change sent to
    the kernel, the message with the new image received, the image's ``src`` changed.
    """
    box.scroll_into_view_if_needed()
    handle = box.element_handle()
    timings: list[tuple[float, ...]] = []
    for control in box.locator(CONTROLS).all():
        control.focus()
        forward = True
        for k in range(presses + 1):
            key, forward = _key(control, forward)
            page.evaluate("box => window.__arm(box)", handle)
            page.keyboard.press(key)
            times = page.evaluate("() => window.__painted")
            if k:  # the first press warms up
                timings.append(tuple(times))
            page.wait_for_timeout(30)  # let the kernel's echo of the new value arrive
    return timings


def _row(label: str, live: list[float], naive: list[float]) -> str:
    lm, nm = statistics.median(live), statistics.median(naive)
    return (f"{label:28s} {lm:8.1f} {np.percentile(live, 95):8.1f}"
            f" {nm:9.1f} {np.percentile(naive, 95):9.1f} {nm / lm:7.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=15,
                        help="timed key presses per control (after one warm-up press)")
    parser.add_argument("--breakdown", action="store_true",
                        help="also split the live explorer's time: key press to change sent, sent "
                             "to new image received (server and kernel), received to src set, "
                             "to decoded, to painted")
    parser.add_argument("--only", nargs="+", choices=LIVE_EXPLORERS, metavar="NAME",
                        help="time only these explorer factories")
    args = parser.parse_args()
    names = list(args.only or LIVE_EXPLORERS)
    from playwright.sync_api import sync_playwright

    print(f"load before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} "
          f"{os.getloadavg()[2]:.2f} (1, 5, 15 min) on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "benchmark.ipynb"
        nbformat.write(notebook(names), path)
        with serve_voila(path) as url, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            page.add_init_script(PROBE)
            page.goto(url, wait_until="domcontentloaded", timeout=300_000)
            page.locator(f".bench-naive-{names[-1]} {CONTROLS.split(',')[0]}, "
                         f".bench-naive-{names[-1]} select").first.wait_for(timeout=300_000)
            print(f"{'explorer':28s} {'live ms':>17s} {'interact ms':>19s} {'ratio':>7s}")
            print(f"{'':28s} {'median':>8s} {'p95':>8s} {'median':>9s} {'p95':>9s}"
                  f" {'naive/live':>7s}")
            every_live: list[tuple[float, ...]] = []
            every_naive: list[float] = []
            split: dict[str, list[tuple[float, ...]]] = {}
            for name in names:
                live = time_box(page, page.locator(f".bench-live-{name}"), args.presses)
                naive = [t[0] for t in
                         time_box(page, page.locator(f".bench-naive-{name}"), args.presses)]
                every_live += live
                every_naive += naive
                split[name.removesuffix("_explorer")] = live
                print(_row(name.removesuffix("_explorer"), [t[0] for t in live], naive),
                      flush=True)
            print(_row("all", [t[0] for t in every_live], every_naive))
            browser.close()
    if args.breakdown:
        split["all"] = every_live
        print(f"\n{'live explorer, median ms':28s} {'key to sent':>12s} {'to image in':>12s}"
              f" {'to src set':>11s} {'to decoded':>11s} {'to painted':>11s}")
        for label, times in split.items():
            painted, sent, image, src, decoded = (np.array(column)
                                                  for column in zip(*times, strict=True))
            print(f"{label:28s} {np.nanmedian(sent):12.1f} {np.nanmedian(image - sent):12.1f}"
                  f" {np.nanmedian(src - image):11.1f} {np.nanmedian(decoded - src):11.1f}"
                  f" {np.nanmedian(painted - decoded):11.1f}")
    print(f"load after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} "
          f"{os.getloadavg()[2]:.2f} (1, 5, 15 min)")


if __name__ == "__main__":
    main()
